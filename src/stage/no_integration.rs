//! Live methods without an integration, and what to say about them. API Gateway refuses to
//! deploy a REST API while any method lacks one (CreateDeployment: "No integration defined for
//! method"), so `drift`, `doctor` and `data "gwtrigger_stage"` all name them, with the wording
//! below and nothing of their own.
//!
//! How the read answers such a method: AWS leaves `methodIntegration` out of GetResources
//! (`embed=methods`) and GetMethod, moto writes `"methodIntegration": null` and answers
//! GetIntegration with `{}`; the read re-asks GetMethod for every method without one
//! (`crate::aws::fetch`), so the snapshot holds `None`, or an integration without a `type`.

use crate::snapshot::{Integration, Method, Snapshot};

use super::routes::live_methods;

/// The method's integration, when it has one: an integration without a `type` is what an
/// emulator answers for none.
pub fn integration_of(method: &Method) -> Option<&Integration> {
    method.integration.as_ref().filter(|i| {
        i.integration_type
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
    })
}

/// Sorted `"VERB /path"` routes of the live API whose method has no integration.
pub fn find(live: &Snapshot) -> Vec<String> {
    let mut routes: Vec<String> = live_methods(live)
        .filter(|(_, method)| integration_of(method).is_none())
        .map(|(route, _)| route)
        .collect();
    routes.sort();
    routes
}

/// What it breaks, for one route (a line of a list).
pub fn detail(route: &str) -> String {
    format!("{route}: no integration, so API Gateway refuses to deploy the API")
}

/// What it breaks.
pub const CONSEQUENCE: &str = "API Gateway refuses every new deployment of this REST API until \
     each method has an integration (CreateDeployment: \"No integration defined for method\"); \
     the stage keeps serving the deployment it has";

/// The usual way a Terraform user gets here.
pub const CAUSE: &str = "Likely cause: an apply replaced the integration (a changed `type` \
     forces that) while create_before_destroy applied to it (Terraform extends it from \
     aws_api_gateway_deployment to what the deployment depends on, data \"gwtrigger\" and its \
     depends_on included): the new integration was put, the deployment taken, then destroying \
     the deposed old integration deleted the new one, because API Gateway names an integration \
     by its resource and method (hashicorp/terraform-provider-aws#21907)";

/// How to get out, and how to stay out.
pub const FIX: &str = "Run `terraform apply` again: its plan re-creates the missing integration \
     and the deployment follows. A change that replaces an integration (its `type`) needs that \
     second apply; avoid the replacement where you can. Without Terraform: put the integration \
     back (aws apigateway put-integration), then create a deployment";

/// One line naming the routes.
pub fn summary(routes: &[String]) -> String {
    format!(
        "{} live method(s) without an integration: {}",
        routes.len(),
        routes.join(", ")
    )
}

/// The whole finding in one paragraph (summary, consequence, cause, fix); `None` when every
/// method has an integration.
pub fn message(routes: &[String]) -> Option<String> {
    (!routes.is_empty()).then(|| format!("{}. {CONSEQUENCE}. {CAUSE}. {FIX}.", summary(routes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::drift::tests::{api, method};

    #[test]
    fn finds_methods_without_integration_or_without_type_sorted() {
        let mut absent = method("NONE", false, "x");
        absent.integration = None;
        // What moto's GetIntegration answers for none: an integration without a type.
        let mut untyped = method("NONE", false, "x");
        untyped.integration = Some(Integration::default());
        let live = api(&[
            ("POST", "/b", absent.clone()),
            ("GET", "/b", method("NONE", false, "http://ok")),
            ("GET", "/a", untyped),
            ("DELETE", "/a", absent),
        ]);
        assert_eq!(find(&live), ["DELETE /a", "GET /a", "POST /b"]);
        assert!(find(&api(&[("GET", "/", method("NONE", false, "http://ok"))])).is_empty());
    }

    #[test]
    fn the_message_names_routes_cause_and_fix() {
        assert_eq!(message(&[]), None);
        let text = message(&["GET /items".to_string()]).unwrap();
        for part in [
            "1 live method(s) without an integration: GET /items",
            "No integration defined for method",
            "create_before_destroy",
            "terraform-provider-aws#21907",
            "Run `terraform apply` again",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
    }
}
