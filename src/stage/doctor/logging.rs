//! Check 1: can the 403 be seen? Execution logging (`*/*` method settings) and access logs.

use super::{Check, CheckId, Inputs, Status};

pub(super) fn check(inputs: &Inputs<'_>) -> Check {
    let stage = &inputs.ctx.stage;
    let all = stage.method_settings.get("*/*");
    let level = all
        .and_then(|s| s.logging_level.as_deref())
        .map(str::to_ascii_uppercase);
    let logging_on = matches!(level.as_deref(), Some("INFO" | "ERROR"));
    let data_trace = all.and_then(|s| s.data_trace_enabled).unwrap_or(false);
    let access_logs = stage
        .access_log_destination
        .as_deref()
        .filter(|d| !d.is_empty());

    let details = vec![
        format!(
            "*/* logging level: {}",
            level.as_deref().unwrap_or("OFF (not set)")
        ),
        format!("*/* data trace: {}", if data_trace { "on" } else { "off" }),
        format!("access log destination: {}", access_logs.unwrap_or("none")),
    ];
    if logging_on && access_logs.is_some() {
        return Check::new(
            CheckId::ExecutionLogging,
            Status::Pass,
            format!(
                "execution logging is {} and access logs are on",
                level.as_deref().unwrap_or("")
            ),
        )
        .details(details);
    }
    let mut missing = Vec::new();
    if !logging_on {
        missing.push("execution logging is off");
    }
    if access_logs.is_none() {
        missing.push("no access log destination");
    }
    Check::new(
        CheckId::ExecutionLogging,
        Status::Warn,
        format!(
            "{}: a 403 leaves no trace of which check rejected it",
            missing.join(" and ")
        ),
    )
    .details(details)
    .fix(fix(inputs, !logging_on, access_logs.is_none()))
}

fn fix(inputs: &Inputs<'_>, logging: bool, access: bool) -> String {
    let mut out = String::new();
    if logging {
        out.push_str(&format!(
            r#"resource "aws_api_gateway_method_settings" "all" {{
  rest_api_id = "{api}"
  stage_name  = "{stage}"
  method_path = "*/*"
  settings {{
    logging_level      = "INFO"
    data_trace_enabled = true # full request/response bodies: turn off once diagnosed
  }}
}}
# Execution logs need the account-level CloudWatch role once per region:
# resource "aws_api_gateway_account" "this" {{ cloudwatch_role_arn = aws_iam_role.apigw_logs.arn }}
"#,
            api = inputs.rest_api_id(),
            stage = inputs.stage()
        ));
    }
    if access {
        out.push_str(&format!(
            r#"# In resource "aws_api_gateway_stage" "{stage}":
  access_log_settings {{
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({{
      requestId = "$context.requestId", status = "$context.status",
      errorType = "$context.error.responseType", error = "$context.error.message",
      resourcePath = "$context.resourcePath", httpMethod = "$context.httpMethod"
    }})
  }}
"#,
            stage = inputs.stage()
        ));
    }
    out
}
