//! Check 3: API keys. A route that requires one answers 403 unless the caller sends `x-api-key`
//! with a key attached to a usage plan that includes this API *and* this stage.

use super::{Check, CheckId, Inputs, Status};

pub(super) fn check(inputs: &Inputs<'_>) -> Check {
    let requiring: Vec<String> = inputs
        .routes_in_scope()
        .into_iter()
        .filter(|(_, auth)| auth.api_key_required)
        .map(|(r, _)| r)
        .collect();
    if requiring.is_empty() {
        return Check::new(
            CheckId::ApiKey,
            Status::Pass,
            "no route checked requires an API key",
        );
    }
    let (api, stage) = (inputs.rest_api_id(), inputs.stage());
    let plans: Vec<_> = inputs
        .ctx
        .usage_plans
        .iter()
        .filter(|p| p.covers(api, stage))
        .collect();
    let mut details: Vec<String> = requiring
        .iter()
        .map(|r| format!("{r}: apiKeyRequired = true"))
        .collect();
    if inputs.ctx.live.rest_api.api_key_source.as_deref() == Some("AUTHORIZER") {
        details.push(
            "apiKeySource is AUTHORIZER: the Lambda authorizer must return usageIdentifierKey"
                .into(),
        );
    }
    if plans.is_empty() {
        let other: Vec<String> = inputs
            .ctx
            .usage_plans
            .iter()
            .filter(|p| p.api_stages.iter().any(|(a, _)| a == api))
            .map(|p| {
                format!(
                    "usage plan {:?} covers this API but not stage {stage:?}",
                    p.name
                )
            })
            .collect();
        details.extend(other);
        return Check::new(
            CheckId::ApiKey,
            Status::Fail,
            format!("{} route(s) require an API key but no usage plan includes {api}/{stage}: every key is rejected", requiring.len()),
        )
        .details(details)
        .fix(format!(
            r#"resource "aws_api_gateway_usage_plan" "{stage}" {{
  name = "{api}-{stage}"
  api_stages {{
    api_id = "{api}"
    stage  = "{stage}"
  }}
}}
resource "aws_api_gateway_usage_plan_key" "client" {{
  key_id        = aws_api_gateway_api_key.client.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.{stage}.id
}}"#
        ));
    }
    for plan in &plans {
        details.push(format!(
            "usage plan {:?} ({}): {} key(s) attached",
            plan.name,
            plan.id,
            plan.key_names.len()
        ));
    }
    let keys: usize = plans.iter().map(|p| p.key_names.len()).sum();
    if keys == 0 {
        return Check::new(
            CheckId::ApiKey,
            Status::Fail,
            format!(
                "usage plan(s) include {api}/{stage} but no API key is attached to any of them"
            ),
        )
        .details(details)
        .fix(format!(
            r#"resource "aws_api_gateway_usage_plan_key" "client" {{
  key_id        = aws_api_gateway_api_key.client.id
  key_type      = "API_KEY"
  usage_plan_id = "{}"
}}"#,
            plans[0].id
        ));
    }
    Check::new(
        CheckId::ApiKey,
        Status::Pass,
        format!("{keys} API key(s) reach {api}/{stage} through {} usage plan(s); callers must send the header x-api-key", plans.len()),
    )
    .details(details)
}
