//! Stage drift: the live API against the deployment a stage serves. When what the stage serves
//! cannot be read, the answer is "cannot compare", never a drift.

use serde::Serialize;

use super::model::{DeployedRoutes, DeployedStage};
use super::routes::{live_auth, live_integrations};
use crate::snapshot::Snapshot;

/// How a stage's deployed snapshot differs from the live API. Every list is sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Live routes the stage does not serve (added since the deployment).
    pub undeployed_routes: Vec<String>,
    /// Routes the stage serves that are no longer in the API.
    pub removed_routes: Vec<String>,
    /// Routes in both whose authorization type or API-key requirement differ (compared only when
    /// the deployed routes come from `apiSummary`, see `auth_compared`).
    pub changed_routes: Vec<String>,
    /// Routes in both whose integration type, uri or httpMethod differ (from the stage export).
    pub changed_integrations: Vec<String>,
    /// Whether integrations were compared (false when the export was unavailable).
    pub export_compared: bool,
    /// Where the deployed routes come from: `apiSummary` or `stage export`.
    pub deployed_routes_from: &'static str,
    /// Whether auth and API-key requirements were compared (the export does not record them).
    pub auth_compared: bool,
}

impl Drift {
    pub fn in_sync(&self) -> bool {
        self.undeployed_routes.is_empty()
            && self.removed_routes.is_empty()
            && self.changed_routes.is_empty()
            && self.changed_integrations.is_empty()
    }

    /// Each kind of drift with what it means for its routes, in report order.
    pub fn groups(&self) -> [(&'static str, &[String]); 4] {
        [
            ("not deployed", &self.undeployed_routes),
            (
                "removed from the API but still served",
                &self.removed_routes,
            ),
            ("auth or API-key requirement changed", &self.changed_routes),
            ("integration changed", &self.changed_integrations),
        ]
    }

    /// The drift in one paragraph with its fix (for a `check` block's message); `None` in sync.
    pub fn problem(&self, rest_api_id: &str, stage: &DeployedStage) -> Option<String> {
        if self.in_sync() {
            return None;
        }
        let when = stage
            .deployed_at
            .as_deref()
            .map(|t| format!(", created {t}"))
            .unwrap_or_default();
        let groups: Vec<String> = self
            .groups()
            .iter()
            .filter(|(_, routes)| !routes.is_empty())
            .map(|(what, routes)| format!("{what}: {}", routes.join(", ")))
            .collect();
        Some(format!(
            "Stage {name} serves deployment {deployment}{when}, which differs from the live API; {groups}. \
             Redeploy: let data \"gwtrigger\" drive aws_api_gateway_deployment.triggers \
             (once by hand: aws apigateway create-deployment --rest-api-id {rest_api_id} --stage-name {name}).",
            name = stage.stage_name,
            deployment = stage.deployment_id,
            groups = groups.join("; "),
        ))
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

/// Compares the live API with what `stage` serves. `Err` says why that is impossible (the
/// deployed routes are unknown): a caller reports it as "cannot compare", never as drift.
pub fn compute(live: &Snapshot, stage: &DeployedStage) -> Result<Drift, String> {
    if let DeployedRoutes::Unknown(why) = &stage.routes {
        return Err(why.clone());
    }
    let deployed = stage.routes.keys().unwrap_or_default();
    let live_routes = live_auth(live);
    let undeployed_routes = live_routes
        .keys()
        .filter(|route| !deployed.contains(route.as_str()))
        .cloned()
        .collect();
    let removed_routes = deployed
        .iter()
        .filter(|route| !live_routes.contains_key(**route))
        .map(|route| route.to_string())
        .collect();
    let deployed_auth = stage.routes.auth();
    let changed_routes = match deployed_auth {
        Some(deployed_auth) => live_routes
            .iter()
            .filter(|(route, auth)| deployed_auth.get(*route).is_some_and(|d| d != *auth))
            .map(|(route, _)| route.clone())
            .collect(),
        None => Vec::new(),
    };
    let (changed_integrations, export_compared) = match &stage.exported_integrations {
        Some(exported) => {
            let changed = live_integrations(live)
                .into_iter()
                .filter(|(route, live)| match (exported.get(route), live) {
                    (Some(deployed), Some(live)) => deployed != live,
                    // A live method without an integration is named by `no_integration`, with
                    // its own cause and fix (a redeployment alone would be refused).
                    (Some(_), None) | (None, _) => false,
                })
                .map(|(route, _)| route)
                .collect();
            (changed, true)
        }
        None => (Vec::new(), false),
    };
    Ok(Drift {
        undeployed_routes,
        removed_routes,
        changed_routes,
        changed_integrations,
        export_compared,
        deployed_routes_from: stage.routes.source(),
        auth_compared: deployed_auth.is_some(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::snapshot::{Integration, Method, Resource, SortedMap};
    use crate::stage::routes::IntegrationTarget;

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
        let exported = live_integrations(snapshot)
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        DeployedStage {
            stage_name: "dev".into(),
            deployment_id: "d1".into(),
            routes: DeployedRoutes::ApiSummary(live_auth(snapshot)),
            exported_integrations: Some(exported),
            ..DeployedStage::default()
        }
    }

    #[test]
    fn in_sync_when_the_stage_serves_the_live_api() {
        let live = api(&[("GET", "/items", method("NONE", false, "http://a"))]);
        let drift = compute(&live, &deployed(&live)).unwrap();
        assert!(drift.in_sync());
        assert!(drift.export_compared && drift.auth_compared);
        assert_eq!(drift.deployed_routes_from, "apiSummary");
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
        let drift = compute(&live, &deployed(&old)).unwrap();
        assert_eq!(drift.undeployed_routes, ["GET /new", "PUT /new"]);
        assert_eq!(drift.removed_routes, ["DELETE /old"]);
        assert_eq!(drift.changed_routes, ["POST /items"]);
        assert_eq!(drift.changed_integrations, ["GET /items"]);
        assert!(!drift.in_sync());
        assert!(drift.touches("GET /items") && !drift.touches("GET /nope"));
        let problem = drift.problem("abc123", &deployed(&old)).unwrap();
        assert!(
            problem.starts_with("Stage dev serves deployment d1, which differs from the live API; \
                 not deployed: GET /new, PUT /new; removed from the API but still served: DELETE /old; \
                 auth or API-key requirement changed: POST /items; integration changed: GET /items. "),
            "{problem}"
        );
        assert!(
            problem.contains("--rest-api-id abc123 --stage-name dev"),
            "{problem}"
        );
        assert_eq!(
            compute(&live, &deployed(&live))
                .unwrap()
                .problem("abc123", &deployed(&live)),
            None
        );
    }

    #[test]
    fn a_live_method_that_lost_its_integration_is_not_an_integration_change() {
        let old = api(&[("GET", "/items", method("NONE", false, "http://a"))]);
        let mut lost = method("NONE", false, "http://a");
        lost.integration = None;
        let live = api(&[("GET", "/items", lost)]);
        // Named by `no_integration` instead, with its own fix.
        assert!(compute(&live, &deployed(&old)).unwrap().in_sync());
    }

    #[test]
    fn without_export_integrations_are_not_compared() {
        let old = api(&[("GET", "/items", method("NONE", false, "http://a"))]);
        let live = api(&[("GET", "/items", method("NONE", false, "http://b"))]);
        let mut stage = deployed(&old);
        stage.exported_integrations = None;
        let drift = compute(&live, &stage).unwrap();
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
        assert!(compute(&live, &stage).unwrap().in_sync());
    }

    /// A stage whose deployment has no apiSummary: the routes come from the export.
    fn export_only(snapshot: &Snapshot) -> DeployedStage {
        let mut stage = deployed(snapshot);
        stage.routes = DeployedRoutes::choose(None, stage.exported_integrations.as_ref(), None);
        stage
    }

    #[test]
    fn without_api_summary_the_export_names_the_undeployed_routes() {
        let old = api(&[
            ("GET", "/items", method("NONE", false, "http://a")),
            ("DELETE", "/old", method("NONE", false, "http://a")),
        ]);
        let live = api(&[
            ("GET", "/items", method("AWS_IAM", false, "http://a")),
            ("POST", "/items", method("NONE", false, "http://a")),
        ]);
        let drift = compute(&live, &export_only(&old)).unwrap();
        assert_eq!(drift.undeployed_routes, ["POST /items"]);
        assert_eq!(drift.removed_routes, ["DELETE /old"]);
        assert!(
            drift.changed_routes.is_empty(),
            "the export records no auth"
        );
        assert!(!drift.auth_compared);
        assert_eq!(drift.deployed_routes_from, "stage export");
        assert!(compute(&live, &export_only(&live)).unwrap().in_sync());
    }

    #[test]
    fn without_api_summary_or_export_nothing_is_claimed() {
        let live = api(&[("GET", "/items", method("NONE", false, "http://a"))]);
        let mut stage = deployed(&live);
        stage.routes = DeployedRoutes::choose(None, None, Some("GetExport failed: 404"));
        let why = compute(&live, &stage).unwrap_err();
        assert!(
            why.contains("no apiSummary") && why.contains("GetExport failed: 404"),
            "{why}"
        );
    }
}
