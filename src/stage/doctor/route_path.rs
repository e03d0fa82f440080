//! Check 5: is the route in what the stage serves, under the path the caller uses? Unknown routes
//! answer 403 `{"message":"Missing Authentication Token"}`, which looks like an auth problem.
//! Also flags the stage-prefix pitfall of docs pages loading an absolute `/openapi.json`.

use super::{Check, CheckId, Inputs, Status};
use crate::stage::routes::{resolve, route_key, split_route};

/// Paths whose presence means the API serves its own docs page or spec.
const DOCS_ENDPOINTS: [&str; 6] = [
    "openapi.json",
    "openapi.yaml",
    "swagger.json",
    "docs",
    "redoc",
    "swagger-ui",
];

pub(super) fn check(inputs: &Inputs<'_>) -> Check {
    let stage = inputs.stage();
    let pitfall = docs_pitfall(inputs);
    let Some(deployed) = &inputs.deployed else {
        let why = inputs.drift.as_ref().err().cloned().unwrap_or_default();
        let summary = match &inputs.route {
            Some((verb, path)) => format!(
                "cannot tell whether stage {stage} serves {}: its routes are unknown",
                route_key(verb, path)
            ),
            None => format!("cannot tell which routes stage {stage} serves"),
        };
        let check = Check::new(CheckId::RoutePath, Status::Warn, summary)
            .details(vec![why])
            .fix(format!("Call the route, or redeploy to be sure: aws apigateway create-deployment --rest-api-id {} --stage-name {stage}", inputs.rest_api_id()));
        return with_pitfall(check, pitfall, stage, inputs.rest_api_id());
    };
    let Some((verb, path)) = &inputs.route else {
        let summary = format!("stage {stage} serves {} route(s)", deployed.len());
        return with_pitfall(
            Check::new(CheckId::RoutePath, Status::Pass, summary),
            pitfall,
            stage,
            inputs.rest_api_id(),
        );
    };
    let asked = route_key(verb, path);
    if let Some(served) = resolve(deployed, verb, path) {
        let summary = if served == asked {
            format!("{asked} is served by stage {stage}")
        } else {
            format!("{asked} is served by stage {stage} as {served}")
        };
        let url = format!(
            "URL: https://{}.execute-api.{}.amazonaws.com/{stage}{path}",
            inputs.rest_api_id(),
            inputs.ctx.region.as_deref().unwrap_or("REGION")
        );
        let check = Check::new(CheckId::RoutePath, Status::Pass, summary).details(vec![url]);
        return with_pitfall(check, pitfall, stage, inputs.rest_api_id());
    }
    if let Some(live) = resolve(&inputs.live, verb, path) {
        let known_as = if live == asked {
            String::new()
        } else {
            format!(" (as {live})")
        };
        return Check::new(
            CheckId::RoutePath,
            Status::Fail,
            format!(
                "{asked} exists in the API{known_as} but not in deployment {}: the stage answers 403 Missing Authentication Token",
                inputs.ctx.stage.deployment_id
            ),
        )
        .fix(format!("Redeploy the stage (see Stale deployment): aws apigateway create-deployment --rest-api-id {} --stage-name {stage}", inputs.rest_api_id()));
    }
    let mut hints = Vec::new();
    let prefix = format!("/{stage}");
    if let Some(rest) = path
        .strip_prefix(&prefix)
        .filter(|r| r.is_empty() || r.starts_with('/'))
    {
        let rest = if rest.is_empty() { "/" } else { rest };
        if resolve(deployed, verb, rest).is_some() {
            hints.push(format!(
                "the stage name is part of the URL, not of the resource path: the route is {} (URL …/{stage}{rest})",
                route_key(verb, rest)
            ));
        }
    }
    for key in deployed.keys() {
        let Some((v, p)) = split_route(key) else {
            continue;
        };
        if p == *path {
            hints.push(format!("{p} is served for {v}, not {verb}"));
        } else if p.eq_ignore_ascii_case(path)
            || p.trim_end_matches('/') == path.trim_end_matches('/')
        {
            hints.push(format!(
                "did you mean {key}? (paths are case-sensitive and exact)"
            ));
        }
    }
    Check::new(
        CheckId::RoutePath,
        Status::Fail,
        format!("{asked} is not served by stage {stage}: API Gateway answers 403 {{\"message\":\"Missing Authentication Token\"}} for unknown routes"),
    )
    .details(hints)
    .fix("Call a route the stage serves (gwtrigger drift --json lists them), or add the resource/method and redeploy.")
}

/// Docs endpoints the API serves, if any.
fn docs_pitfall(inputs: &Inputs<'_>) -> Vec<String> {
    let mut paths: Vec<String> = inputs
        .deployed
        .iter()
        .flat_map(|d| d.keys())
        .chain(inputs.live.keys())
        .filter_map(|k| split_route(k).map(|(_, p)| p))
        .filter(|p| {
            p.rsplit('/')
                .next()
                .is_some_and(|last| DOCS_ENDPOINTS.contains(&last.to_ascii_lowercase().as_str()))
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn with_pitfall(check: Check, docs: Vec<String>, stage: &str, api: &str) -> Check {
    if docs.is_empty() {
        return check;
    }
    let summary = format!(
        "{}; the API serves {}: mind the /{stage} prefix",
        check.summary,
        docs.join(", ")
    );
    let mut check = Check {
        status: check.status.max(Status::Warn),
        summary,
        ..check
    };
    check.details.push(format!(
        "a docs page at …/{stage}/docs that loads the absolute URL /openapi.json requests https://HOST/openapi.json, \
         which misses the /{stage} prefix and gets 403 Missing Authentication Token"
    ));
    check.fix = Some(format!(
        "Load the spec with a relative URL (\"openapi.json\" or \"./openapi.json\") or the prefixed one (\"/{stage}/openapi.json\"); \
         or serve the API from a custom domain with a base path mapping so no stage prefix appears:\n\
         resource \"aws_api_gateway_base_path_mapping\" \"this\" {{\n  api_id      = \"{api}\"\n  stage_name  = \"{stage}\"\n  domain_name = aws_api_gateway_domain_name.this.domain_name\n}}",
    ));
    check
}
