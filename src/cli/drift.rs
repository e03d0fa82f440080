//! `gwtrigger drift`: does a stage serve the live API, and can the API be deployed? Exit 0 in
//! sync, 2 drift or a live method without an integration (named even when the stage cannot be
//! compared), 1 error (including "cannot compare" with nothing else found).

use clap::Args;
use serde_json::json;

use crate::aws::{self, FetchOptions};
use crate::stage::{no_integration, DeployedStage, Drift, StageStatus};

use super::{CliError, ConnectionArgs};

/// Exit status when the stage serves a stale deployment or a live method has no integration.
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

/// Returns what to print and the exit status (0 in sync, 2 drift or a method without an
/// integration).
pub async fn run(args: &DriftArgs) -> Result<(String, u8), CliError> {
    let client = args.connection.client().await?;
    let fetch = FetchOptions::default();
    let (live, stage) = futures::try_join!(
        aws::fetch_snapshot(&client, &args.rest_api_id, &fetch),
        aws::fetch_deployed_stage(&client, &args.rest_api_id, &args.stage),
    )
    .map_err(CliError::from)?;
    let status = StageStatus::check(&live, &stage);
    if let Some(why) = status.unknown() {
        return Err(CliError::new(
            format!("Cannot compare stage {} with the live API", args.stage),
            format!(
                "{why}. Without the deployment's routes drift cannot tell which routes the stage serves, \
                 so it reports nothing rather than guess. Redeploy to be sure: \
                 aws apigateway create-deployment --rest-api-id {} --stage-name {}",
                args.rest_api_id, args.stage
            ),
        ));
    }
    let code = if status.in_sync() { 0 } else { EXIT_DRIFT };
    let out = if args.json {
        render_json(&args.rest_api_id, &stage, &status)
    } else {
        render_text(&args.rest_api_id, &stage, &status)
    };
    Ok((out, code))
}

pub fn render_json(rest_api_id: &str, stage: &DeployedStage, status: &StageStatus) -> String {
    let drift = status.drift.clone().unwrap_or_default();
    let value = json!({
        "rest_api_id": rest_api_id,
        "stage": stage.stage_name,
        "deployment_id": stage.deployment_id,
        "deployed_at": stage.deployed_at,
        "in_sync": status.in_sync(),
        "undeployed_routes": drift.undeployed_routes,
        "removed_routes": drift.removed_routes,
        "changed_routes": drift.changed_routes,
        "changed_integrations": drift.changed_integrations,
        "methods_without_integration": status.methods_without_integration,
        "problems": status.problems(rest_api_id, stage),
        "routes_compared": status.drift.is_ok(),
        "routes_not_compared_because": status.drift.as_ref().err(),
        "export_compared": drift.export_compared,
        "export_problem": stage.export_problem,
        "deployed_routes_from": stage.routes.source(),
        "auth_compared": drift.auth_compared,
    });
    format!("{value:#}\n")
}

pub fn render_text(rest_api_id: &str, stage: &DeployedStage, status: &StageStatus) -> String {
    let when = stage
        .deployed_at
        .as_deref()
        .map(|t| format!(", created {t}"))
        .unwrap_or_default();
    let name = &stage.stage_name;
    let deployment = &stage.deployment_id;
    let missing = &status.methods_without_integration;
    let mut out = match &status.drift {
        Ok(drift) if !drift.in_sync() => format!(
            "DRIFT: stage {name} of REST API {rest_api_id} serves a stale deployment ({deployment}{when})\n"
        ),
        Ok(_) if missing.is_empty() => format!(
            "in sync: stage {name} of REST API {rest_api_id} serves the live API (deployment {deployment}{when})\n"
        ),
        Ok(_) => format!(
            "PROBLEM: stage {name} of REST API {rest_api_id} serves the live API (deployment {deployment}{when}), \
             but the live API cannot be deployed\n"
        ),
        Err(_) => format!(
            "PROBLEM: the live API of REST API {rest_api_id} cannot be deployed; stage {name} \
             (deployment {deployment}{when}) could not be compared with it\n"
        ),
    };
    let empty = Vec::new();
    let drift = status.drift.as_ref().ok();
    let lists = |pick: fn(&Drift) -> &Vec<String>| drift.map_or(&empty, pick);
    let groups = [
        (
            "undeployed (live, not deployed)",
            lists(|d| &d.undeployed_routes),
        ),
        (
            "removed (deployed, no longer live)",
            lists(|d| &d.removed_routes),
        ),
        ("changed auth / API key", lists(|d| &d.changed_routes)),
        ("changed integration", lists(|d| &d.changed_integrations)),
        (
            "without an integration (API Gateway refuses to deploy the API)",
            missing,
        ),
    ];
    for (title, routes) in groups {
        if !routes.is_empty() {
            out.push_str(&format!("  {title}:\n"));
            for route in routes {
                out.push_str(&format!("    {route}\n"));
            }
        }
    }
    match drift {
        Some(drift) => {
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
        }
        None => out.push_str(&format!(
            "  routes not compared: {}\n",
            status.drift.as_ref().err().map_or("", String::as_str)
        )),
    }
    if !missing.is_empty() {
        out.push_str(&format!(
            "{}.\n{}.\nfix: {}.\n",
            no_integration::CONSEQUENCE,
            no_integration::CAUSE,
            no_integration::FIX
        ));
    }
    if drift.is_some_and(|d| !d.in_sync()) {
        out.push_str(&format!(
            "fix: redeploy (aws apigateway create-deployment --rest-api-id {rest_api_id} --stage-name {name}), \
             and let data \"gwtrigger\" drive aws_api_gateway_deployment.triggers so it cannot happen again\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::model::DeployedRoutes;

    fn stage() -> DeployedStage {
        DeployedStage {
            stage_name: "dev".into(),
            deployment_id: "d1".into(),
            routes: DeployedRoutes::Unknown("no apiSummary".into()),
            ..DeployedStage::default()
        }
    }

    fn lost_integration(drift: Result<Drift, String>) -> StageStatus {
        StageStatus {
            drift,
            methods_without_integration: vec!["GET /items".into()],
        }
    }

    #[test]
    fn names_a_method_without_integration_when_the_stage_cannot_be_compared() {
        let status = lost_integration(Err("no apiSummary".into()));
        let text = render_text("abc123", &stage(), &status);
        assert!(
            text.starts_with(
                "PROBLEM: the live API of REST API abc123 cannot be deployed; stage dev"
            ),
            "{text}"
        );
        for part in [
            "  without an integration (API Gateway refuses to deploy the API):\n    GET /items\n",
            "  routes not compared: no apiSummary\n",
            no_integration::CAUSE,
            &format!("fix: {}.\n", no_integration::FIX),
        ] {
            assert!(text.contains(part), "{part}\n---\n{text}");
        }
        assert!(
            !text.contains("fix: redeploy"),
            "a redeployment would be refused: {text}"
        );

        let json: serde_json::Value =
            serde_json::from_str(&render_json("abc123", &stage(), &status)).unwrap();
        assert_eq!(json["in_sync"], false);
        assert_eq!(json["routes_compared"], false);
        assert_eq!(json["routes_not_compared_because"], "no apiSummary");
        assert_eq!(
            json["methods_without_integration"],
            serde_json::json!(["GET /items"])
        );
        let problems = json["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].as_str(),
            no_integration::message(&status.methods_without_integration).as_deref()
        );
    }

    #[test]
    fn an_in_sync_stage_of_an_api_that_cannot_be_deployed_is_a_problem() {
        let status = lost_integration(Ok(Drift::default()));
        let text = render_text("abc123", &stage(), &status);
        assert!(
            text.starts_with("PROBLEM: stage dev of REST API abc123 serves the live API"),
            "{text}"
        );
        let compared = Drift {
            auth_compared: true,
            export_compared: true,
            deployed_routes_from: "apiSummary",
            ..Drift::default()
        };
        let in_sync = StageStatus {
            drift: Ok(compared),
            methods_without_integration: Vec::new(),
        };
        let text = render_text("abc123", &stage(), &in_sync);
        assert!(text.starts_with("in sync: "), "{text}");
        assert!(!text.contains("integration"), "{text}");
    }
}
