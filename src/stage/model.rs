//! Plain data describing a stage and what surrounds it, filled by `crate::aws::stage` (or by
//! tests). No SDK types: the checks in this module tree only ever see these structs.

use std::collections::BTreeMap;

use super::routes::{IntegrationTarget, RouteAuth};
use crate::snapshot::Snapshot;

/// A stage and the deployment it serves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployedStage {
    pub stage_name: String,
    pub deployment_id: String,
    /// When the served deployment was created, RFC 3339 (UTC).
    pub deployed_at: Option<String>,
    /// The deployment's `apiSummary`: path → VERB → auth. Absent in the API means empty.
    pub api_summary: BTreeMap<String, BTreeMap<String, RouteAuth>>,
    /// Integrations of the deployed snapshot from the stage export ("VERB /path" → target);
    /// `None` when the export could not be read or carried no integrations.
    pub exported_integrations: Option<BTreeMap<String, IntegrationTarget>>,
    /// Why the export is unavailable, when it is.
    pub export_problem: Option<String>,
    /// Stage method settings keyed as API Gateway writes them (`*/*`, `items/GET`).
    pub method_settings: BTreeMap<String, MethodSetting>,
    /// `accessLogSettings.destinationArn`.
    pub access_log_destination: Option<String>,
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
