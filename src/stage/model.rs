//! Plain data describing a stage and what surrounds it, filled by `crate::aws::stage` (or by
//! tests). No SDK types: the checks in this module tree only ever see these structs.

use std::collections::{BTreeMap, BTreeSet};

use super::routes::{IntegrationTarget, RouteAuth};
use crate::snapshot::Snapshot;

/// A stage and the deployment it serves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployedStage {
    pub stage_name: String,
    pub deployment_id: String,
    /// When the served deployment was created, RFC 3339 (UTC).
    pub deployed_at: Option<String>,
    /// The routes the stage serves, and where that is known from.
    pub routes: DeployedRoutes,
    /// Integrations of the deployed snapshot from the stage export ("VERB /path" → target);
    /// `None` when the export could not be read or carried no integrations.
    pub exported_integrations: Option<BTreeMap<String, IntegrationTarget>>,
    /// Why the export is unavailable, when it is.
    pub export_problem: Option<String>,
    /// Stage method settings keyed as API Gateway writes them (`*/*`, `items/GET`).
    pub method_settings: BTreeMap<String, MethodSetting>,
    /// `accessLogSettings.destinationArn`.
    pub access_log_destination: Option<String>,
    /// `webAclArn`: the AWS WAF web ACL in front of the stage.
    pub web_acl_arn: Option<String>,
}

impl DeployedStage {
    /// The execution-log level for one method: its own method setting (`items/GET`, as
    /// GetStage keys them; `~1items/GET` as patch paths write them) over `*/*`. `OFF` when
    /// neither sets one.
    pub fn logging_level(&self, verb: &str, path: &str) -> String {
        let own = self.method_settings.iter().find(|(key, _)| {
            key.rsplit_once('/').is_some_and(|(p, v)| {
                let p = p.replace("~1", "/");
                v.eq_ignore_ascii_case(verb)
                    && p.trim_start_matches('/') == path.trim_start_matches('/')
            })
        });
        own.map(|(_, s)| s)
            .or_else(|| self.method_settings.get("*/*"))
            .and_then(|s| s.logging_level.as_deref())
            .map(str::to_ascii_uppercase)
            .unwrap_or_else(|| "OFF".to_string())
    }
}

/// What is known about the routes a deployment serves.
#[derive(Debug, Clone, PartialEq)]
pub enum DeployedRoutes {
    /// The deployment's `apiSummary` ("VERB /path" → auth): routes and their auth facts.
    ApiSummary(BTreeMap<String, RouteAuth>),
    /// The stage export's `paths` (GetDeployment gave no `apiSummary`): routes, no auth facts.
    Export(BTreeSet<String>),
    /// Neither is available, so nothing can be compared; the reason, for the user.
    Unknown(String),
}

impl Default for DeployedRoutes {
    fn default() -> Self {
        DeployedRoutes::Unknown("the deployment was not read".into())
    }
}

impl DeployedRoutes {
    /// Chooses the source: `apiSummary` when GetDeployment gave one, else the export's routes
    /// when the export is one (it carried the integration extensions, as every AWS export of a
    /// deployment does), else unknown, saying why.
    pub fn choose(
        api_summary: Option<BTreeMap<String, RouteAuth>>,
        exported_integrations: Option<&BTreeMap<String, IntegrationTarget>>,
        export_problem: Option<&str>,
    ) -> DeployedRoutes {
        match (api_summary, exported_integrations) {
            (Some(summary), _) => DeployedRoutes::ApiSummary(summary),
            (None, Some(exported)) => DeployedRoutes::Export(exported.keys().cloned().collect()),
            (None, None) => DeployedRoutes::Unknown(format!(
                "GetDeployment returned no apiSummary and the stage export cannot stand in for it ({})",
                export_problem.unwrap_or("it carried no x-amazon-apigateway-integration")
            )),
        }
    }

    /// The routes served (`None` when unknown).
    pub fn keys(&self) -> Option<BTreeSet<&str>> {
        match self {
            DeployedRoutes::ApiSummary(routes) => Some(routes.keys().map(String::as_str).collect()),
            DeployedRoutes::Export(routes) => Some(routes.iter().map(String::as_str).collect()),
            DeployedRoutes::Unknown(_) => None,
        }
    }

    /// Their auth facts, when the source records them (`apiSummary` only).
    pub fn auth(&self) -> Option<&BTreeMap<String, RouteAuth>> {
        match self {
            DeployedRoutes::ApiSummary(routes) => Some(routes),
            _ => None,
        }
    }

    /// The routes served with their auth facts: `apiSummary`'s, else (routes from the export)
    /// the live route's, else API Gateway's defaults. `None` when the routes are unknown.
    pub fn with_auth(
        &self,
        live: &BTreeMap<String, RouteAuth>,
    ) -> Option<BTreeMap<String, RouteAuth>> {
        let auth = self.auth();
        self.keys().map(|keys| {
            keys.into_iter()
                .map(|key| {
                    let facts = auth.or(Some(live)).and_then(|a| a.get(key)).cloned();
                    (
                        key.to_string(),
                        facts.unwrap_or_else(|| RouteAuth::new(None, None)),
                    )
                })
                .collect()
        })
    }

    /// Where the routes come from, for reports: `apiSummary`, `stage export` or `unknown`.
    pub fn source(&self) -> &'static str {
        match self {
            DeployedRoutes::ApiSummary(_) => "apiSummary",
            DeployedRoutes::Export(_) => "stage export",
            DeployedRoutes::Unknown(_) => "unknown",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MethodSetting {
    /// `OFF`, `ERROR` or `INFO`.
    pub logging_level: Option<String>,
    pub data_trace_enabled: Option<bool>,
}

/// A usage plan, reduced to what the API-key check needs. Key values are never stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsagePlan {
    pub id: String,
    pub name: String,
    /// `(apiId, stage)` pairs the plan covers.
    pub api_stages: Vec<(String, String)>,
    /// Names (or ids when unnamed) of the API keys attached to the plan.
    pub key_names: Vec<String>,
    /// Ids of the API keys attached to the plan (same order as `key_names`).
    pub key_ids: Vec<String>,
}

/// An API key as `explain` compares it: the SHA-256 of its value, never the value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiKeyDigest {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    /// Lower-case hex SHA-256 of the key's value.
    pub value_sha256: String,
}

impl UsagePlan {
    pub fn covers(&self, rest_api_id: &str, stage_name: &str) -> bool {
        self.api_stages
            .iter()
            .any(|(api, stage)| api == rest_api_id && stage == stage_name)
    }
}

/// Everything `doctor` looks at for one stage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageContext {
    pub rest_api_id: String,
    /// Region of the API (from the client configuration), for ARNs and integration checks.
    pub region: Option<String>,
    /// The live API; `live.rest_api.policy` is the resource policy.
    pub live: Snapshot,
    pub stage: DeployedStage,
    /// Every usage plan of the account/region (the check picks those covering this stage).
    pub usage_plans: Vec<UsagePlan>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_methods_own_logging_level_wins_over_the_stage_wide_one() {
        let setting = |level: &str| MethodSetting {
            logging_level: Some(level.into()),
            data_trace_enabled: None,
        };
        let mut stage = DeployedStage::default();
        assert_eq!(stage.logging_level("GET", "/items"), "OFF");
        stage.method_settings.insert("*/*".into(), setting("error"));
        stage
            .method_settings
            .insert("items/{id}/GET".into(), setting("OFF"));
        stage
            .method_settings
            .insert("~1orders/POST".into(), setting("INFO"));
        assert_eq!(stage.logging_level("GET", "/items"), "ERROR");
        assert_eq!(stage.logging_level("GET", "/items/{id}"), "OFF");
        assert_eq!(stage.logging_level("POST", "/orders"), "INFO");
    }
}
