//! `gwtrigger drift`: does a stage serve the live API? Exit 0 in sync, 2 drift, 1 error (including
//! "cannot compare": the stage's routes could not be read).

use clap::Args;
use serde_json::json;

use crate::aws::{self, FetchOptions};
use crate::stage::{compute_drift, DeployedStage, Drift};

use super::{CliError, ConnectionArgs};

/// Exit status when the stage serves a stale deployment.
pub const EXIT_DRIFT: u8 = 2;

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Id of the REST API.
    #[arg(long, value_name = "ID")]
    pub rest_api_id: String,
    /// Stage name (case-sensitive).
    #[arg(long, value_name = "NAME")]
    pub stage: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print the drift as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Returns what to print and the exit status (0 in sync, 2 drift).
pub async fn run(args: &DriftArgs) -> Result<(String, u8), CliError> {
    let client = args.connection.client().await?;
    let fetch = FetchOptions::default();
    let (live, stage) = futures::try_join!(
        aws::fetch_snapshot(&client, &args.rest_api_id, &fetch),
        aws::fetch_deployed_stage(&client, &args.rest_api_id, &args.stage),
    )
    .map_err(CliError::from)?;
    let drift = compute_drift(&live, &stage).map_err(|why| {
        CliError::new(
            format!("Cannot compare stage {} with the live API", args.stage),
            format!(
                "{why}. Without the deployment's routes drift cannot tell which routes the stage serves, \
                 so it reports nothing rather than guess. Redeploy to be sure: \
                 aws apigateway create-deployment --rest-api-id {} --stage-name {}",
                args.rest_api_id, args.stage
            ),
        )
    })?;
    let code = if drift.in_sync() { 0 } else { EXIT_DRIFT };
    let out = if args.json {
        render_json(&args.rest_api_id, &stage, &drift)
    } else {
        render_text(&args.rest_api_id, &stage, &drift)
    };
    Ok((out, code))
}

pub fn render_json(rest_api_id: &str, stage: &DeployedStage, drift: &Drift) -> String {
    let value = json!({
        "rest_api_id": rest_api_id,
        "stage": stage.stage_name,
        "deployment_id": stage.deployment_id,
        "deployed_at": stage.deployed_at,
        "in_sync": drift.in_sync(),
        "undeployed_routes": drift.undeployed_routes,
        "removed_routes": drift.removed_routes,
        "changed_routes": drift.changed_routes,
        "changed_integrations": drift.changed_integrations,
        "export_compared": drift.export_compared,
        "export_problem": stage.export_problem,
        "deployed_routes_from": drift.deployed_routes_from,
        "auth_compared": drift.auth_compared,
    });
    format!("{value:#}\n")
}

pub fn render_text(rest_api_id: &str, stage: &DeployedStage, drift: &Drift) -> String {
    let when = stage
        .deployed_at
        .as_deref()
        .map(|t| format!(", created {t}"))
        .unwrap_or_default();
    let mut out = if drift.in_sync() {
        format!(
            "in sync: stage {} of REST API {rest_api_id} serves the live API (deployment {}{when})\n",
            stage.stage_name, stage.deployment_id
        )
    } else {
        format!(
            "DRIFT: stage {} of REST API {rest_api_id} serves a stale deployment ({}{when})\n",
            stage.stage_name, stage.deployment_id
        )
    };
    let groups = [
        ("undeployed (live, not deployed)", &drift.undeployed_routes),
        ("removed (deployed, no longer live)", &drift.removed_routes),
        ("changed auth / API key", &drift.changed_routes),
        ("changed integration", &drift.changed_integrations),
    ];
    for (title, routes) in groups {
        if !routes.is_empty() {
            out.push_str(&format!("  {title}:\n"));
            for route in routes {
                out.push_str(&format!("    {route}\n"));
            }
        }
    }
    if !drift.auth_compared {
        out.push_str(&format!(
            "  auth / API key not compared: the deployed routes come from the {} (no apiSummary)\n",
            drift.deployed_routes_from
        ));
    }
    if !drift.export_compared {
        out.push_str(&format!(
            "  integrations not compared: {}\n",
            stage
                .export_problem
                .as_deref()
                .unwrap_or("the stage export is unavailable")
        ));
    }
    if !drift.in_sync() {
        out.push_str(&format!(
            "fix: redeploy (aws apigateway create-deployment --rest-api-id {rest_api_id} --stage-name {}), \
             and let data \"gwtrigger\" drive aws_api_gateway_deployment.triggers so it cannot happen again\n",
            stage.stage_name
        ));
    }
    out
}
