//! Check 2: does the resource policy let the call through? An explicit Deny wins; when a policy
//! exists, something must Allow `execute-api:Invoke` on the method ARN.

use super::{Check, CheckId, Inputs, Status};
use crate::stage::policy::{self, Decision, Invocation};
use crate::stage::routes::split_route;

/// Verbs an `ANY` method answers; each is a distinct method ARN for the policy.
const ANY_VERBS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

pub(super) fn check(inputs: &Inputs<'_>) -> Check {
    let api = &inputs.ctx.live.rest_api;
    let private = api
        .endpoint_configuration
        .types
        .iter()
        .any(|t| t.eq_ignore_ascii_case("PRIVATE"));
    let Some(text) = api.policy.as_deref().filter(|p| !p.trim().is_empty()) else {
        if private {
            return Check::new(
                CheckId::ResourcePolicy,
                Status::Fail,
                "PRIVATE API without a resource policy: every call is denied",
            )
            .fix(allow_fix(inputs, "*/*"));
        }
        return Check::new(
            CheckId::ResourcePolicy,
            Status::Pass,
            "no resource policy: it cannot deny the call",
        );
    };
    let policy = match policy::parse(text) {
        Ok(policy) => policy,
        Err(problem) => {
            return Check::new(CheckId::ResourcePolicy, Status::Fail, problem)
                .fix("Replace the policy with valid IAM JSON (build it with data \"aws_iam_policy_document\"), then redeploy.");
        }
    };

    let mut fails = Vec::new();
    let mut warns = Vec::new();
    let mut denied_by = Vec::new();
    let mut first_unallowed = None;
    for (route, auth) in inputs.routes_in_scope() {
        let Some((verb, path)) = split_route(&route) else {
            continue;
        };
        let verbs: Vec<&str> = if verb == "ANY" {
            ANY_VERBS.to_vec()
        } else {
            vec![verb.as_str()]
        };
        for verb in verbs {
            let invocation = Invocation {
                region: inputs.ctx.region.as_deref(),
                account: None,
                rest_api_id: inputs.rest_api_id(),
                stage: inputs.stage(),
                verb,
                path: &path,
            };
            let label = format!("{verb} {path}");
            match policy.decide(&invocation) {
                Decision::Allowed(_) => {}
                Decision::Denied(by) => {
                    fails.push(format!(
                        "{label}: explicitly denied by {by} ({})",
                        invocation.arn()
                    ));
                    denied_by.push(by);
                }
                Decision::MaybeDenied(by) => {
                    warns.push(format!("{label}: denied by {by} when its Condition holds"));
                }
                Decision::ConditionallyAllowed(by) => {
                    warns.push(format!(
                        "{label}: allowed by {by} only when its Condition holds"
                    ));
                }
                Decision::NotAllowed if auth.authorization_type == "AWS_IAM" => {
                    warns.push(format!(
                        "{label}: no Allow in the resource policy; an IAM identity policy of the caller (same account) must allow it"
                    ));
                }
                Decision::NotAllowed => {
                    fails.push(format!(
                        "{label}: no statement allows execute-api:Invoke on {} (implicit deny)",
                        invocation.arn()
                    ));
                    first_unallowed.get_or_insert_with(|| format!("{verb}{path}"));
                }
            }
        }
    }
    let redeploy = "A policy change takes effect only after a new deployment of the stage.";
    if !fails.is_empty() {
        let summary = format!("the resource policy rejects {} method ARN(s)", fails.len());
        let fix = if !denied_by.is_empty() {
            denied_by.sort();
            denied_by.dedup();
            format!(
                "Narrow or remove {} (an explicit Deny always wins over any Allow), then redeploy. {redeploy}",
                denied_by.join(", ")
            )
        } else {
            allow_fix(inputs, first_unallowed.as_deref().unwrap_or("*/*"))
        };
        return Check::new(CheckId::ResourcePolicy, Status::Fail, summary)
            .details([fails, warns].concat())
            .fix(fix);
    }
    if !warns.is_empty() {
        return Check::new(CheckId::ResourcePolicy, Status::Warn, "the resource policy allows the call only for some callers")
            .details(warns)
            .fix(format!("Check the Condition values (source IP, VPC endpoint, principal) against the failing caller. {redeploy}"));
    }
    Check::new(
        CheckId::ResourcePolicy,
        Status::Pass,
        "the resource policy allows execute-api:Invoke on every route checked",
    )
}

fn allow_fix(inputs: &Inputs<'_>, method_path: &str) -> String {
    allow_policy_fix(
        inputs.ctx.region.as_deref(),
        inputs.rest_api_id(),
        inputs.stage(),
        method_path,
    )
}

/// A resource policy that allows `execute-api:Invoke` on `STAGE/method_path` (`GET/items`,
/// `*/*`), as Terraform. Shared by `doctor` and `explain`.
pub fn allow_policy_fix(region: Option<&str>, api: &str, stage: &str, method_path: &str) -> String {
    format!(
        r#"data "aws_iam_policy_document" "invoke" {{
  statement {{
    effect    = "Allow"
    actions   = ["execute-api:Invoke"]
    resources = ["arn:aws:execute-api:{region}:*:{api}/{stage}/{method_path}"]
    principals {{
      type        = "*"
      identifiers = ["*"]
    }}
  }}
}}
resource "aws_api_gateway_rest_api_policy" "this" {{
  rest_api_id = "{api}"
  policy      = data.aws_iam_policy_document.invoke.json
}}
# Then redeploy the stage: a policy change takes effect only with a new deployment."#,
        region = region.unwrap_or("*"),
    )
}
