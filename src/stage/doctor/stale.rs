//! Check 4: does the stage serve the live API? A route added or changed since the last deployment
//! is not served (403 Missing Authentication Token) or served with the old settings.

use super::{Check, CheckId, Inputs, Status};

pub(super) fn check(inputs: &Inputs<'_>) -> Check {
    let stage = &inputs.ctx.stage;
    let when = stage
        .deployed_at
        .as_deref()
        .map(|t| format!(", created {t}"))
        .unwrap_or_default();
    let drift = match &inputs.drift {
        Ok(drift) => drift,
        Err(why) => {
            return Check::new(
                CheckId::StaleDeployment,
                Status::Warn,
                format!(
                    "cannot tell whether stage {} serves the live API (deployment {}{when})",
                    stage.stage_name, stage.deployment_id
                ),
            )
            .details(vec![why.clone()])
            .fix(format!(
                "Compare by hand: aws apigateway get-export --rest-api-id {api} --stage-name {stage} \
                 --export-type oas30 --parameters extensions=integrations export.json; or redeploy to be sure: \
                 aws apigateway create-deployment --rest-api-id {api} --stage-name {stage}",
                api = inputs.rest_api_id(),
                stage = stage.stage_name
            ));
        }
    };
    let mut details = Vec::new();
    for (what, routes) in drift.groups() {
        details.extend(routes.iter().map(|r| format!("{r}: {what}")));
    }
    if !drift.auth_compared {
        details.push(format!(
            "auth and API-key requirements not compared: the deployed routes come from the {} (no apiSummary)",
            drift.deployed_routes_from
        ));
    }
    if !drift.export_compared {
        details.push(format!(
            "integrations not compared: {}",
            stage
                .export_problem
                .as_deref()
                .unwrap_or("the stage export carried no integrations")
        ));
    }
    if drift.in_sync() {
        return Check::new(
            CheckId::StaleDeployment,
            Status::Pass,
            format!(
                "stage {} serves the live API (deployment {}{when})",
                stage.stage_name, stage.deployment_id
            ),
        )
        .details(details);
    }
    let affects_route = match &inputs.route {
        Some((verb, path)) => {
            let key = crate::stage::routes::route_key(verb, path);
            drift.touches(&key)
        }
        None => true,
    };
    let summary = format!(
        "stage {} serves a stale deployment ({}{when}): {} route(s) differ from the live API{}",
        stage.stage_name,
        stage.deployment_id,
        details
            .iter()
            .filter(|d| !d.contains("not compared"))
            .count(),
        if affects_route {
            ""
        } else {
            ", not including the route checked"
        }
    );
    Check::new(
        CheckId::StaleDeployment,
        if affects_route {
            Status::Fail
        } else {
            Status::Warn
        },
        summary,
    )
    .details(details)
    .fix(format!(
        r#"data "gwtrigger" "api" {{
  rest_api_id = "{api}"
  # read after the API's parts change in the same apply (docs/guides/when-terraform-reads.md):
  # list every resource that defines routes, or the module holding them
  depends_on = [
    aws_api_gateway_resource.all,
    aws_api_gateway_method.all,
    aws_api_gateway_integration.all,
    aws_api_gateway_method_response.all,
    aws_api_gateway_integration_response.all,
  ]
}}
resource "aws_api_gateway_deployment" "this" {{
  rest_api_id = "{api}"
  triggers    = {{ redeployment = data.gwtrigger.api.hash }}
  lifecycle {{ create_before_destroy = true }}
}}
# One-off now: aws apigateway create-deployment --rest-api-id {api} --stage-name {stage}"#,
        api = inputs.rest_api_id(),
        stage = stage.stage_name
    ))
}
