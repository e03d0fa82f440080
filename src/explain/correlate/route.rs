//! The route layers of a Missing Authentication Token answer: a stale deployment, no such
//! route, the wrong method, a path outside every stage, an unsigned call to an `AWS_IAM` route.

use super::*;
pub(super) fn missing_token(
    case: &Case<'_>,
    facts: &ApiFacts,
    routes: &Routes,
    target: &Target,
    emulated: bool,
) -> Verdict {
    let status = case.classified.status;
    let verb = case.request.method.to_ascii_uppercase();
    let (api, stage) = names(facts, target);
    let mut evidence = vec![type_evidence(case.classified)];
    if emulated {
        evidence.push("LocalStack answers 404 \"does not correspond to a deployed API\" where AWS answers 403 Missing Authentication Token".into());
    }
    if !facts.stage_found {
        return outside_every_stage(status, facts, routes, target, &verb, evidence);
    }
    let path = target.path.as_str();
    let asked = route_key(&verb, path);
    let deployed_hit = routes
        .deployed
        .as_ref()
        .and_then(|d| resolve(d, &verb, path));
    let live_hit = resolve(&routes.live, &verb, path);
    let source = facts.context.stage.routes.source();
    let deployment = &facts.context.stage.deployment_id;
    let unsigned_iam = |route: &str, auth: Option<&RouteAuth>| {
        (auth.is_some_and(|a| a.authorization_type == "AWS_IAM") && !case.request.sigv4_signed()).then(|| {
            let mut evidence = evidence.clone();
            evidence.push(format!("{route} has authorizationType AWS_IAM and the request carries no SigV4 signature"));
            let mut v = done(
                Layer::IamAuth,
                line(status, Layer::IamAuth, format!("{route} uses AWS_IAM authorization and the request was not signed")),
                evidence,
                Some(iam_sign_fix(facts, target)),
            );
            v.route = Some(route.to_string());
            v
        })
    };
    if let Some(route) = deployed_hit {
        let auth = routes.deployed.as_ref().and_then(|d| d.get(&route));
        if let Some(v) = unsigned_iam(&route, auth) {
            return v;
        }
        evidence.push(format!("deployment {deployment} of stage {stage} serves {route} (from its {source}), yet the stage answered Missing Authentication Token"));
        evidence.push("a path or verb the URL does not show (a proxy in between, an encoded character) may reach the gateway".into());
        let mut v = done(
            Layer::Unknown,
            line(status, Layer::Unknown, format!("the stage serves {route}, so no route layer explains the answer")),
            evidence,
            Some(format!("Redeploy to rule out a deployment out of step with its summary: aws apigateway create-deployment --rest-api-id {api} --stage-name {stage}; then explain the request again.")),
        );
        v.route = Some(route);
        return v;
    }
    if let Some(route) = live_hit {
        let auth = routes.live.get(&route);
        if routes.deployed.is_none() {
            if let Some(v) = unsigned_iam(&route, auth) {
                return v;
            }
        }
        evidence.push(format!(
            "{route} is in the live API{}",
            if route == asked {
                String::new()
            } else {
                format!(" (it serves {asked})")
            }
        ));
        match &facts.context.stage.routes {
            crate::stage::DeployedRoutes::Unknown(why) => {
                evidence.push(format!("the deployment stage {stage} serves cannot be compared: {why}"));
                evidence.push("the stage answered Missing Authentication Token for a live route: the deployment it serves predates the route".into());
            }
            _ => evidence.push(format!("deployment {deployment} of stage {stage}{} does not serve it (routes from its {source})", facts.context.stage.deployed_at.as_deref().map(|t| format!(" (created {t})")).unwrap_or_default())),
        }
        if let Ok(drift) = crate::stage::compute_drift(&facts.context.live, &facts.context.stage) {
            let others: Vec<&String> = drift
                .undeployed_routes
                .iter()
                .filter(|r| **r != route)
                .collect();
            if !others.is_empty() {
                evidence.push(format!(
                    "also not deployed: {}",
                    others
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let mut v = done(
            Layer::StaleDeployment,
            line(
                status,
                Layer::StaleDeployment,
                format!("{route} is in the API but not in the deployment stage {stage} serves"),
            ),
            evidence,
            Some(trigger_wiring_fix(api, stage)),
        );
        v.route = Some(route);
        return v;
    }
    // No route serves VERB path, deployed or live.
    let known = routes.deployed.as_ref().unwrap_or(&routes.live);
    if let Some((template, verbs)) =
        resolve_resource(known, path).or_else(|| resolve_resource(&routes.live, path))
    {
        let verbs = verbs.join(", ");
        evidence.push(format!("{template} has {verbs}, no {verb} (and no ANY)"));
        let mut fix =
            format!("Call it with {verbs}, or add a {verb} method to {template} and redeploy.");
        if verb == "OPTIONS" {
            fix.push_str(" An OPTIONS call is a browser's CORS preflight: add an OPTIONS method (a MOCK integration answering the Access-Control-Allow-* headers) to the resource, then redeploy.");
        }
        let mut v = done(
            Layer::WrongMethod,
            line(
                status,
                Layer::WrongMethod,
                format!("{path} has no {verb} method; it answers {verbs}"),
            ),
            evidence,
            Some(fix),
        );
        v.route = Some(route_key(&verb, &template));
        return v;
    }
    let mut hints = Vec::new();
    if let Some(rest) = path
        .strip_prefix(&format!("/{stage}"))
        .filter(|r| r.is_empty() || r.starts_with('/'))
    {
        let rest = if rest.is_empty() { "/" } else { rest };
        if resolve(known, &verb, rest).is_some() {
            hints.push(format!(
                "the stage name is in the URL twice: the route is {} (URL …/{stage}{rest})",
                route_key(&verb, rest)
            ));
        }
    }
    for key in known.keys() {
        if let Some((v, p)) = split_route(key) {
            if p != path
                && (p.eq_ignore_ascii_case(path)
                    || p.trim_end_matches('/') == path.trim_end_matches('/'))
                && (v == verb || v == "ANY")
            {
                hints.push(format!("did you mean {key}? (paths are case-sensitive)"));
            }
        }
    }
    evidence.push(format!(
        "no resource of API {api} matches {path} (live: {} route(s){})",
        routes.live.len(),
        match &routes.deployed {
            Some(d) => format!(", deployed: {}", d.len()),
            None => String::new(),
        }
    ));
    evidence.extend(hints);
    done(
        Layer::NoSuchRoute,
        line(status, Layer::NoSuchRoute, format!("the API has no route {asked}")),
        evidence,
        Some(format!("Call a route stage {stage} serves (gwtrigger drift --rest-api-id {api} --stage {stage} --json lists them), or add the resource and method and redeploy.")),
    )
}

/// The URL's first segment is not a stage: the path is outside every stage.
fn outside_every_stage(
    status: u16,
    facts: &ApiFacts,
    routes: &Routes,
    target: &Target,
    verb: &str,
    mut evidence: Vec<String>,
) -> Verdict {
    let api = facts.context.rest_api_id.as_str();
    let full = target.path_with_stage.as_str();
    let segment = target.stage.as_deref().unwrap_or("");
    let stages = &facts.stage_names;
    evidence.push(if stages.is_empty() {
        format!("API {api} has no stage at all")
    } else {
        format!(
            "{segment:?} is not a stage of API {api} (stages: {})",
            stages.join(", ")
        )
    });
    let example = stages.first().map(String::as_str).unwrap_or("STAGE");
    let served = resolve(&routes.live, verb, full);
    let detail = match &served {
        Some(route) => {
            evidence.push(format!("the API serves {full} as {route}: the URL lacks the stage prefix, e.g. /{example}{full}"));
            format!("{full} is outside every stage; the API serves it at /{example}{full}")
        }
        None => format!("{full} is outside every stage (no stage named {segment:?})"),
    };
    let fix = format!(
        "Put the stage in the URL: …/{example}{full}. A page served from the stage that loads an absolute URL (FastAPI's docs page loads /openapi.json) drops the prefix: \
         set the app's root path to the stage (FastAPI(root_path=\"/{example}\"), uvicorn --root-path /{example}), or load a relative URL (\"openapi.json\"); \
         or serve the API from a custom domain whose base path mapping hides the stage (examples/fastapi)."
    );
    let mut v = done(
        Layer::StagePrefix,
        line(status, Layer::StagePrefix, detail),
        evidence,
        Some(fix),
    );
    v.route = served.or_else(|| Some(route_key(verb, full)));
    v
}

fn iam_sign_fix(facts: &ApiFacts, target: &Target) -> String {
    let region = facts
        .context
        .region
        .as_deref()
        .or(target.region())
        .unwrap_or("REGION");
    format!(
        "Sign the request with SigV4 for service execute-api in {region}: curl --aws-sigv4 \"aws:amz:{region}:execute-api\" --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" \
         (add -H \"x-amz-security-token: $AWS_SESSION_TOKEN\" for temporary credentials), and allow execute-api:Invoke on the method ARN in the caller's IAM policy; \
         or set the method's authorization to NONE (or an authorizer) and redeploy."
    )
}

/// A custom domain whose base path mappings do not cover the path: API Gateway answers 403
/// before any API is involved.
pub(super) fn unmapped_domain(
    case: &Case<'_>,
    domain: &str,
    mappings: &[BasePathMapping],
    target: &Target,
) -> Verdict {
    let path = &target.path_with_stage;
    let listed: Vec<String> = mappings
        .iter()
        .map(|m| {
            format!(
                "/{} → {}{}",
                m.base_path.trim_start_matches('/').replace("(none)", ""),
                m.rest_api_id,
                m.stage
                    .as_deref()
                    .map(|s| format!("/{s}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    let evidence = vec![
        type_evidence(case.classified),
        if listed.is_empty() {
            format!("custom domain {domain} has no base path mapping")
        } else {
            format!("base path mappings of {domain}: {}", listed.join(", "))
        },
    ];
    done(
        Layer::NoSuchRoute,
        line(
            case.classified.status,
            Layer::NoSuchRoute,
            format!("no base path mapping of {domain} covers {path}"),
        ),
        evidence,
        Some(format!(
            "Call a mapped base path, or map this one: resource \"aws_api_gateway_base_path_mapping\" \"this\" {{ domain_name = \"{domain}\", api_id = \"API_ID\", stage_name = \"STAGE\", base_path = \"{}\" }}",
            path.trim_start_matches('/').split('/').next().unwrap_or("")
        )),
    )
}
