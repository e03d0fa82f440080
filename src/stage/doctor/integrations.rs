//! Check 6: integrations of the live API: methods without one (named as [`no_integration`]
//! names them), malformed URIs and ARNs, and Lambda functions in another region than the API.

use super::{Check, CheckId, Inputs, Status};
use crate::snapshot::Integration;
use crate::stage::no_integration;
use crate::stage::routes::{live_methods, route_key};

pub(super) fn check(inputs: &Inputs<'_>) -> Check {
    let scope: Option<String> = inputs.routes_in_scope_key();
    let in_scope = |route: &String| scope.as_ref().is_none_or(|s| s == route);
    let region = inputs.ctx.region.as_deref();
    let missing: Vec<String> = no_integration::find(&inputs.ctx.live)
        .into_iter()
        .filter(in_scope)
        .collect();
    let mut fails: Vec<String> = missing.iter().map(|r| no_integration::detail(r)).collect();
    let mut warns = Vec::new();
    let mut checked = 0;
    for (route, method) in live_methods(&inputs.ctx.live).filter(|(r, _)| in_scope(r)) {
        checked += 1;
        for problem in no_integration::integration_of(method)
            .map(|integration| problems(integration, region))
            .unwrap_or_default()
        {
            match problem {
                Problem::Fail(p) => fails.push(format!("{route}: {p}")),
                Problem::Warn(p) => warns.push(format!("{route}: {p}")),
            }
        }
    }
    let snippet = r#"resource "aws_api_gateway_integration" "this" {
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.items.id
  http_method             = "GET"
  type                    = "AWS_PROXY"
  integration_http_method = "POST" # Lambda is always invoked with POST
  uri                     = aws_lambda_function.handler.invoke_arn
}
resource "aws_lambda_permission" "apigw" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.handler.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/*"
}"#;
    if !fails.is_empty() {
        let mut details = [fails.clone(), warns].concat();
        let mut fix = String::new();
        if !missing.is_empty() {
            details.push(format!("{}.", no_integration::CONSEQUENCE));
            details.push(format!("{}.", no_integration::CAUSE));
            fix.push_str(no_integration::FIX);
            fix.push('.');
        }
        if fails.len() > missing.len() {
            if !fix.is_empty() {
                fix.push('\n');
            }
            fix.push_str(snippet);
        }
        return Check::new(
            CheckId::Integrations,
            Status::Fail,
            format!("{} integration problem(s)", fails.len()),
        )
        .details(details)
        .fix(fix);
    }
    if !warns.is_empty() {
        return Check::new(
            CheckId::Integrations,
            Status::Warn,
            format!("{} integration warning(s)", warns.len()),
        )
        .details(warns)
        .fix(snippet);
    }
    Check::new(
        CheckId::Integrations,
        Status::Pass,
        format!("{checked} method(s) have well-formed integrations"),
    )
}

impl Inputs<'_> {
    /// The live route key `--route` resolves to, when one was given.
    fn routes_in_scope_key(&self) -> Option<String> {
        let (verb, path) = self.route.as_ref()?;
        Some(
            super::route_path::resolve(&self.live, verb, path)
                .unwrap_or_else(|| route_key(verb, path)),
        )
    }
}

enum Problem {
    Fail(String),
    Warn(String),
}

fn problems(integration: &Integration, api_region: Option<&str>) -> Vec<Problem> {
    let kind = integration
        .integration_type
        .as_deref()
        .unwrap_or("")
        .to_ascii_uppercase();
    let uri = integration.uri.as_deref().unwrap_or("");
    let via_vpc_link = integration.connection_type.as_deref() == Some("VPC_LINK");
    match kind.as_str() {
        "MOCK" => Vec::new(),
        "HTTP" | "HTTP_PROXY" if via_vpc_link => Vec::new(),
        "HTTP" | "HTTP_PROXY" => match url::Url::parse(uri) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                Vec::new()
            }
            _ => vec![Problem::Fail(format!(
                "{kind} integration uri {uri:?} is not an absolute http(s) URL"
            ))],
        },
        "AWS" | "AWS_PROXY" => {
            aws_uri_problems(&kind, uri, integration.http_method.as_deref(), api_region)
        }
        other => vec![Problem::Fail(format!("unknown integration type {other:?}"))],
    }
}

/// `arn:aws:apigateway:REGION:SERVICE:path/...` or `...:action/...`; Lambda paths carry the
/// function ARN `/2015-03-31/functions/arn:aws:lambda:REGION:ACCOUNT:function:NAME/invocations`.
fn aws_uri_problems(
    kind: &str,
    uri: &str,
    http_method: Option<&str>,
    api_region: Option<&str>,
) -> Vec<Problem> {
    let parts: Vec<&str> = uri.splitn(6, ':').collect();
    let [arn, partition, service, uri_region, target_service, action] = parts[..] else {
        return vec![Problem::Fail(format!(
            "{kind} integration uri {uri:?} is not an API Gateway service ARN (arn:aws:apigateway:REGION:SERVICE:path/…)"
        ))];
    };
    if arn != "arn"
        || !partition.starts_with("aws")
        || service != "apigateway"
        || uri_region.is_empty()
    {
        return vec![Problem::Fail(format!(
            "{kind} integration uri {uri:?} is not an API Gateway service ARN (arn:aws:apigateway:REGION:SERVICE:path/…)"
        ))];
    }
    if !(action.starts_with("path/") || action.starts_with("action/")) {
        return vec![Problem::Fail(format!(
            "{kind} integration uri {uri:?}: after the service comes path/… or action/…"
        ))];
    }
    let mut out = Vec::new();
    if target_service == "lambda" {
        let function_arn = action
            .strip_prefix("path/2015-03-31/functions/")
            .and_then(|rest| rest.strip_suffix("/invocations"));
        let Some(function_arn) = function_arn else {
            return vec![Problem::Fail(format!(
                "Lambda integration uri {uri:?} must be path/2015-03-31/functions/FUNCTION_ARN/invocations (use invoke_arn)"
            ))];
        };
        let f: Vec<&str> = function_arn.split(':').collect();
        let well_formed = f.len() >= 7
            && f[0] == "arn"
            && f[2] == "lambda"
            && f[5] == "function"
            && !f[6].is_empty()
            && f.len() <= 8;
        if !well_formed {
            out.push(Problem::Fail(format!("malformed Lambda function ARN {function_arn:?} (arn:aws:lambda:REGION:ACCOUNT:function:NAME)")));
        } else {
            let function_region = f[3];
            if function_region != uri_region {
                out.push(Problem::Fail(format!(
                    "uri names region {uri_region} but the function is in {function_region}: they must match"
                )));
            }
            if let Some(api_region) = api_region.filter(|r| *r != function_region) {
                out.push(Problem::Warn(format!(
                    "function {} is in {function_region}, the API in {api_region}: a copied ARN from another region?",
                    f[6]
                )));
            }
        }
        if http_method.is_some_and(|m| !m.eq_ignore_ascii_case("POST")) {
            out.push(Problem::Fail(format!(
                "Lambda integration httpMethod is {} but Lambda is invoked with POST",
                http_method.unwrap_or_default()
            )));
        }
    } else if let Some(api_region) = api_region.filter(|r| *r != uri_region) {
        out.push(Problem::Warn(format!(
            "uri targets {target_service} in {uri_region}, the API is in {api_region}"
        )));
    }
    out
}
