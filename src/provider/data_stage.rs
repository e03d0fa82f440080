//! `data "gwtrigger_stage"`: does a stage serve the live API, and can the API be deployed? Built
//! for `check` blocks: the read never fails because of a problem it finds, it reports it
//! (`in_sync`, the lists, `problems` worded by `crate::stage`) for an `assert`.

use tokio_util::sync::CancellationToken;

use crate::aws::{self, ApiGateway, FetchOptions, FrontEnd};
use crate::plugin::{Attribute, Block, Diagnostic, ReadResult, Schema, Type, Value};
use crate::stage::StageStatus;

use super::config::diagnostic;

pub const TYPE_NAME: &str = "gwtrigger_stage";

pub fn schema() -> Schema {
    let strings = || Type::List(Box::new(Type::String));
    Schema {
        version: 0,
        block: Block {
            description: "Compares what a stage serves (its deployment's apiSummary and the stage \
                          export) with the live REST API, and names live methods without an \
                          integration (API Gateway refuses to deploy the API). Use it in a `check` \
                          block to warn when an apply left the stage stale or the API undeployable."
                .into(),
            attributes: vec![
                Attribute::required("rest_api_id", Type::String, "Id of the REST API."),
                Attribute::required("stage_name", Type::String, "Name of the stage (case-sensitive)."),
                Attribute::computed("id", Type::String, "`REST_API_ID/STAGE_NAME`."),
                Attribute::computed("deployment_id", Type::String, "The deployment the stage serves."),
                Attribute::computed("deployed_at", Type::String, "When that deployment was created (RFC 3339)."),
                Attribute::computed(
                    "in_sync",
                    Type::Bool,
                    "True when no route below differs and every live method has an integration (false when methods_without_integration has entries, even if routes_compared is false).",
                ),
                Attribute::computed("undeployed_routes", strings(), "Sorted \"VERB /path\" routes in the live API that the stage does not serve."),
                Attribute::computed("removed_routes", strings(), "Sorted routes the stage serves that are no longer in the API."),
                Attribute::computed("changed_routes", strings(), "Sorted routes whose authorization type or API-key requirement differ."),
                Attribute::computed(
                    "changed_integrations",
                    strings(),
                    "Sorted routes whose integration type, uri or httpMethod differ from the stage export (empty when export_compared is false).",
                ),
                Attribute::computed("export_compared", Type::Bool, "Whether integrations were compared (the stage export was readable)."),
                Attribute::computed(
                    "routes_compared",
                    Type::Bool,
                    "Whether the deployed routes could be read and compared; when false the four route lists are empty and a warning says why.",
                ),
                Attribute::computed(
                    "methods_without_integration",
                    strings(),
                    "Sorted live routes whose method has no integration: API Gateway refuses every new deployment of the API until each has one.",
                ),
                Attribute::computed(
                    "problems",
                    strings(),
                    "One paragraph per problem found, with its likely cause and fix: the text for a check block's error_message. Empty when in_sync.",
                ),
            ],
            blocks: vec![],
        },
    }
}

pub struct Request {
    pub rest_api_id: String,
    pub stage_name: String,
}

/// Static checks; unknown values are skipped.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if let Value::String(id) = config.get("rest_api_id") {
        if let Err(err) = aws::validate_rest_api_id(id, FrontEnd::Provider) {
            problems.push(diagnostic(&err));
        }
    }
    if let Value::String(stage) = config.get("stage_name") {
        if stage.is_empty()
            || !stage
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            problems.push(
                Diagnostic::error(
                    "Invalid stage_name",
                    format!("{stage:?} is not a stage name: stage names use letters, digits, '-' and '_'. Use aws_api_gateway_stage.dev.stage_name."),
                )
                .at("stage_name"),
            );
        }
    }
    problems
}

pub fn request(config: &Value) -> Result<Request, Vec<Diagnostic>> {
    let problems = validate(config);
    if !problems.is_empty() {
        return Err(problems);
    }
    let text = |name: &str| config.get(name).as_str().unwrap_or_default().to_string();
    Ok(Request {
        rest_api_id: text("rest_api_id"),
        stage_name: text("stage_name"),
    })
}

pub async fn read(client: &ApiGateway, request: &Request, cancel: CancellationToken) -> ReadResult {
    let fetch = FetchOptions::default();
    let reads = async {
        futures::try_join!(
            aws::fetch_snapshot(client, &request.rest_api_id, &fetch),
            aws::fetch_deployed_stage(client, &request.rest_api_id, &request.stage_name),
        )
    };
    let (live, stage) = tokio::select! {
        result = reads => result.map_err(|err| vec![diagnostic(&err)])?,
        () = cancel.cancelled() => {
            return Err(vec![Diagnostic::error(
                "Read cancelled",
                "Terraform asked the provider to stop before the stage was compared. Run the plan again.",
            )]);
        }
    };
    let list = |routes: &[String]| Value::List(routes.iter().cloned().map(Value::String).collect());
    let status = StageStatus::check(&live, &stage);
    // Nothing known is not drift: the read fails with the reason. In a `check` block (the
    // documented use) Terraform reports a nested data source's error as a warning and skips the
    // assertion, so nothing is claimed about routes that cannot be seen and the run goes on.
    if let Some(why) = status.unknown() {
        return Err(vec![cannot_compare(request, why)]);
    }
    // The routes cannot be compared but a method without an integration was found: report it
    // (the assertion fails), and warn why the route lists are empty.
    let warnings = match &status.drift {
        Err(why) => vec![Diagnostic::warning(
            format!("Routes of stage {} not compared", request.stage_name),
            format!(
                "{why}. The route lists are empty; `methods_without_integration` and `problems` \
                 say what was found in the live API."
            ),
        )
        .at("stage_name")],
        Ok(_) => Vec::new(),
    };
    let drift = status.drift.clone().unwrap_or_default();
    let state = Value::object([
        ("rest_api_id", Value::string(&request.rest_api_id)),
        ("stage_name", Value::string(&request.stage_name)),
        (
            "id",
            Value::string(format!("{}/{}", request.rest_api_id, request.stage_name)),
        ),
        ("deployment_id", Value::string(&stage.deployment_id)),
        (
            "deployed_at",
            stage.deployed_at.clone().map_or(Value::Null, Value::String),
        ),
        ("in_sync", Value::Bool(status.in_sync())),
        ("undeployed_routes", list(&drift.undeployed_routes)),
        ("removed_routes", list(&drift.removed_routes)),
        ("changed_routes", list(&drift.changed_routes)),
        ("changed_integrations", list(&drift.changed_integrations)),
        ("export_compared", Value::Bool(drift.export_compared)),
        ("routes_compared", Value::Bool(status.drift.is_ok())),
        (
            "methods_without_integration",
            list(&status.methods_without_integration),
        ),
        (
            "problems",
            list(&status.problems(&request.rest_api_id, &stage)),
        ),
    ]);
    Ok((state, warnings))
}

fn cannot_compare(request: &Request, why: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Cannot compare stage {} with the live API", request.stage_name),
        format!(
            "{why}. Without the deployment's routes nothing can be said about which routes the stage \
             serves. Redeploy to be sure: aws apigateway create-deployment --rest-api-id {} --stage-name {}",
            request.rest_api_id, request.stage_name
        ),
    )
    .at("stage_name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_ids_and_skips_unknowns() {
        let config =
            |id: Value, stage: Value| Value::object([("rest_api_id", id), ("stage_name", stage)]);
        assert!(validate(&config(Value::string("abc123"), Value::string("dev"))).is_empty());
        assert!(validate(&config(Value::Unknown, Value::Unknown)).is_empty());
        let problems = validate(&config(
            Value::string("arn:aws:x"),
            Value::string("dev stage"),
        ));
        assert_eq!(problems.len(), 2);
        assert!(request(&config(Value::string("abc123"), Value::string("dev"))).is_ok());
    }

    #[test]
    fn both_data_sources_share_the_one_rest_api_id_check() {
        for bad in ["", "my api", "arn:aws:apigateway:us-east-1::/restapis/abc"] {
            let stage = validate(&Value::object([
                ("rest_api_id", Value::string(bad)),
                ("stage_name", Value::string("dev")),
            ]));
            let hash = super::super::data_gwtrigger::validate(&Value::object([(
                "rest_api_id",
                Value::string(bad),
            )]));
            assert_eq!(stage, hash, "{bad:?}");
            assert_eq!(stage.len(), 1, "{stage:?}");
            assert_eq!(stage[0].summary, "Invalid rest_api_id");
            assert!(
                stage[0].detail.starts_with("`rest_api_id` "),
                "{}",
                stage[0].detail
            );
            assert!(
                stage[0].detail.contains("not its name, ARN or URL"),
                "{}",
                stage[0].detail
            );
            assert_eq!(
                stage[0].path,
                [crate::plugin::PathStep::Attribute("rest_api_id".into())]
            );
        }
    }

    #[test]
    fn schema_declares_every_computed_attribute() {
        let names: Vec<String> = schema()
            .block
            .attributes
            .into_iter()
            .map(|a| a.name)
            .collect();
        for name in [
            "in_sync",
            "undeployed_routes",
            "removed_routes",
            "changed_routes",
            "changed_integrations",
            "export_compared",
            "deployed_at",
            "routes_compared",
            "methods_without_integration",
            "problems",
        ] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
    }
}
