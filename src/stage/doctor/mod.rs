//! `doctor`: the manual 403 checklist, automated. Six checks run in the order people do them by
//! hand, each a pure function of a [`StageContext`] returning PASS / WARN / FAIL with the fix.

mod api_key;
mod integrations;
mod logging;
pub mod resource_policy;
mod route_path;
pub mod stale;

use serde::Serialize;

use super::drift::{compute as compute_drift, Drift};
use super::model::StageContext;
use super::routes::{live_auth, split_route, RouteAuth};

/// Outcome of one check. Ordered so the worst status is the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    ExecutionLogging,
    ResourcePolicy,
    ApiKey,
    StaleDeployment,
    RoutePath,
    Integrations,
}

impl CheckId {
    pub fn title(self) -> &'static str {
        match self {
            CheckId::ExecutionLogging => "Execution logging",
            CheckId::ResourcePolicy => "Resource policy",
            CheckId::ApiKey => "API key",
            CheckId::StaleDeployment => "Stale deployment",
            CheckId::RoutePath => "Route path",
            CheckId::Integrations => "Integrations",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub id: CheckId,
    pub title: &'static str,
    pub status: Status,
    /// One line.
    pub summary: String,
    /// Supporting facts, one per line (routes, statements, plans).
    pub details: Vec<String>,
    /// The exact fix, a Terraform snippet where one fits; `None` when nothing needs fixing.
    pub fix: Option<String>,
}

impl Check {
    fn new(id: CheckId, status: Status, summary: impl Into<String>) -> Check {
        Check {
            id,
            title: id.title(),
            status,
            summary: summary.into(),
            details: Vec::new(),
            fix: None,
        }
    }

    fn details(mut self, details: Vec<String>) -> Check {
        self.details = details;
        self
    }

    fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub rest_api_id: String,
    pub stage: String,
    pub route: Option<String>,
    pub deployment_id: String,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn worst(&self) -> Status {
        self.checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Pass)
    }
}

/// What every check gets: the context plus what is derived once.
struct Inputs<'a> {
    ctx: &'a StageContext,
    /// The `--route` being diagnosed, normalised (`VERB`, `/path`).
    route: Option<(String, String)>,
    /// The drift, or why it cannot be computed (the deployed routes are unknown).
    drift: Result<Drift, String>,
    /// Routes the stage serves (`None` when unknown). Without `apiSummary` (routes from the
    /// export) a route's auth facts are the live route's.
    deployed: Option<std::collections::BTreeMap<String, RouteAuth>>,
    /// Routes of the live API.
    live: std::collections::BTreeMap<String, RouteAuth>,
}

impl Inputs<'_> {
    fn rest_api_id(&self) -> &str {
        &self.ctx.rest_api_id
    }

    fn stage(&self) -> &str {
        &self.ctx.stage.stage_name
    }

    /// Routes the invocation-level checks look at: the one asked about (as the stage serves it,
    /// else as given), or every deployed route (every live one if nothing is deployed).
    fn routes_in_scope(&self) -> Vec<(String, RouteAuth)> {
        if let Some((verb, path)) = &self.route {
            let deployed = self.deployed.as_ref();
            let key = deployed
                .and_then(|d| crate::stage::routes::resolve(d, verb, path))
                .or_else(|| crate::stage::routes::resolve(&self.live, verb, path))
                .unwrap_or_else(|| super::routes::route_key(verb, path));
            let auth = deployed
                .and_then(|d| d.get(&key))
                .or_else(|| self.live.get(&key))
                .cloned();
            return vec![(key, auth.unwrap_or_else(|| RouteAuth::new(None, None)))];
        }
        let source = match &self.deployed {
            Some(deployed) if !deployed.is_empty() => deployed,
            _ => &self.live,
        };
        source.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// Runs every check, in order. `route` is `"VERB /path"`; an unparsable one is ignored by the
/// caller's validation ([`parse_route`]) before we get here.
pub fn diagnose(ctx: &StageContext, route: Option<&str>) -> Report {
    let live = live_auth(&ctx.live);
    let deployed = ctx.stage.routes.with_auth(&live);
    let inputs = Inputs {
        ctx,
        route: route.and_then(split_route),
        drift: compute_drift(&ctx.live, &ctx.stage),
        deployed,
        live,
    };
    let checks = vec![
        logging::check(&inputs),
        resource_policy::check(&inputs),
        api_key::check(&inputs),
        stale::check(&inputs),
        route_path::check(&inputs),
        integrations::check(&inputs),
    ];
    Report {
        rest_api_id: ctx.rest_api_id.clone(),
        stage: ctx.stage.stage_name.clone(),
        route: inputs
            .route
            .as_ref()
            .map(|(v, p)| super::routes::route_key(v, p)),
        deployment_id: ctx.stage.deployment_id.clone(),
        checks,
    }
}

/// Validates a `--route` value: `"VERB /path"` with a known verb.
pub fn parse_route(route: &str) -> Result<String, String> {
    const VERBS: [&str; 8] = [
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY",
    ];
    match split_route(route) {
        Some((verb, path)) if VERBS.contains(&verb.as_str()) => Ok(super::routes::route_key(&verb, &path)),
        _ => Err(format!(
            "{route:?} is not a route: write the verb, a space and the resource path, e.g. \"GET /items\" \
             (verbs: {}).",
            VERBS.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests;
