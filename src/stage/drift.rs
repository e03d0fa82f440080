//! Stage drift: the live API against the deployment a stage serves.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::DeployedStage;
use super::routes::{live_auth, live_integrations, summary_routes};
use crate::snapshot::Snapshot;

/// How a stage's deployed snapshot differs from the live API. Every list is sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Live routes the stage does not serve (added since the deployment).
    pub undeployed_routes: Vec<String>,
    /// Routes the stage serves that are no longer in the API.
    pub removed_routes: Vec<String>,
    /// Routes in both whose authorization type or API-key requirement differ.
    pub changed_routes: Vec<String>,
    /// Routes in both whose integration type, uri or httpMethod differ (from the stage export).
    pub changed_integrations: Vec<String>,
    /// Whether integrations were compared (false when the export was unavailable).
    pub export_compared: bool,
}

impl Drift {
    pub fn in_sync(&self) -> bool {
        self.undeployed_routes.is_empty()
            && self.removed_routes.is_empty()
            && self.changed_routes.is_empty()
            && self.changed_integrations.is_empty()
    }

    /// True when `route` is affected by any of the drift.
    pub fn touches(&self, route: &str) -> bool {
        [
            &self.undeployed_routes,
            &self.removed_routes,
            &self.changed_routes,
            &self.changed_integrations,
        ]
        .iter()
        .any(|list| list.iter().any(|r| r == route))
    }
}

/// Compares the live API with what `stage` serves.
pub fn compute(live: &Snapshot, stage: &DeployedStage) -> Drift {
    let live_routes = live_auth(live);
    let deployed = summary_routes(&stage.api_summary);
    let undeployed_routes = keys_missing_from(&live_routes, &deployed);
    let removed_routes = keys_missing_from(&deployed, &live_routes);
    let changed_routes = live_routes
        .iter()
        .filter(|(route, auth)| deployed.get(*route).is_some_and(|d| d != *auth))
        .map(|(route, _)| route.clone())
        .collect();
    let (changed_integrations, export_compared) = match &stage.exported_integrations {
        Some(exported) => {
            let changed = live_integrations(live)
                .into_iter()
                .filter(|(route, live)| match (exported.get(route), live) {
                    (Some(deployed), Some(live)) => deployed != live,
                    // A deployed route whose live method lost its integration.
                    (Some(_), None) => true,
                    (None, _) => false,
                })
                .map(|(route, _)| route)
                .collect();
            (changed, true)
        }
        None => (Vec::new(), false),
    };
    Drift {
        undeployed_routes,
        removed_routes,
        changed_routes,
        changed_integrations,
        export_compared,
    }
}

fn keys_missing_from<V, W>(from: &BTreeMap<String, V>, other: &BTreeMap<String, W>) -> Vec<String> {
    from.keys()
        .filter(|k| !other.contains_key(*k))
        .cloned()
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::snapshot::{Integration, Method, Resource, SortedMap};
    use crate::stage::routes::{IntegrationTarget, RouteAuth};

    pub fn method(auth: &str, key: bool, uri: &str) -> Method {
        Method {
            authorization_type: Some(auth.into()),
            api_key_required: Some(key),
            integration: Some(Integration {
                integration_type: Some("HTTP_PROXY".into()),
                http_method: Some("GET".into()),
                uri: Some(uri.into()),
                ..Integration::default()
            }),
            ..Method::default()
        }
    }

    pub fn api(routes: &[(&str, &str, Method)]) -> Snapshot {
        let mut by_path: BTreeMap<&str, SortedMap<Method>> = BTreeMap::new();
        for (verb, path, m) in routes {
            by_path
                .entry(path)
                .or_default()
                .insert(verb.to_string(), m.clone());
        }
        Snapshot {
            resources: by_path
                .into_iter()
                .map(|(path, methods)| Resource {
                    path: path.into(),
                    methods,
                    ..Resource::default()
                })
                .collect(),
            ..Snapshot::default()
        }
    }

    /// A stage that serves exactly `snapshot` (apiSummary and export).
    pub fn deployed(snapshot: &Snapshot) -> DeployedStage {
        let mut api_summary: BTreeMap<String, BTreeMap<String, RouteAuth>> = BTreeMap::new();
        for r in &snapshot.resources {
            for (verb, m) in &r.methods {
                api_summary.entry(r.path.clone()).or_default().insert(
                    verb.clone(),
                    RouteAuth::new(m.authorization_type.as_deref(), m.api_key_required),
                );
            }
        }
        let exported = live_integrations(snapshot)
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        DeployedStage {
            stage_name: "dev".into(),
            deployment_id: "d1".into(),
            api_summary,
            exported_integrations: Some(exported),
            ..DeployedStage::default()
        }
    }

    #[test]
    fn in_sync_when_the_stage_serves_the_live_api() {
        let live = api(&[("GET", "/items", method("NONE", false, "http://a"))]);
        let drift = compute(&live, &deployed(&live));
        assert!(drift.in_sync());
        assert!(drift.export_compared);
    }

    #[test]
    fn reports_each_kind_of_drift_sorted() {
        let old = api(&[
            ("GET", "/items", method("NONE", false, "http://a")),
            ("DELETE", "/old", method("NONE", false, "http://a")),
            ("POST", "/items", method("NONE", false, "http://a")),
        ]);
        let live = api(&[
            ("GET", "/items", method("NONE", false, "http://b")),
            ("POST", "/items", method("AWS_IAM", true, "http://a")),
            ("PUT", "/new", method("NONE", false, "http://a")),
            ("GET", "/new", method("NONE", false, "http://a")),
        ]);
        let drift = compute(&live, &deployed(&old));
        assert_eq!(drift.undeployed_routes, ["GET /new", "PUT /new"]);
        assert_eq!(drift.removed_routes, ["DELETE /old"]);
        assert_eq!(drift.changed_routes, ["POST /items"]);
        assert_eq!(drift.changed_integrations, ["GET /items"]);
        assert!(!drift.in_sync());
        assert!(drift.touches("GET /items") && !drift.touches("GET /nope"));
    }

    #[test]
    fn without_export_integrations_are_not_compared() {
        let old = api(&[("GET", "/items", method("NONE", false, "http://a"))]);
        let live = api(&[("GET", "/items", method("NONE", false, "http://b"))]);
        let mut stage = deployed(&old);
        stage.exported_integrations = None;
        let drift = compute(&live, &stage);
        assert!(drift.in_sync());
        assert!(!drift.export_compared);
    }

    #[test]
    fn export_type_case_does_not_count_as_drift() {
        let live = api(&[("GET", "/items", method("NONE", false, "http://a"))]);
        let mut stage = deployed(&live);
        stage.exported_integrations = Some(BTreeMap::from([(
            "GET /items".to_string(),
            IntegrationTarget::new(Some("http_proxy"), Some("http://a"), Some("get")),
        )]));
        assert!(compute(&live, &stage).in_sync());
    }
}
