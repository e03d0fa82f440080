//! From a signal to a layer (pure): the answer's signal, the request, the target and — when
//! they could be read — the API's live model and the stage's deployment ([`ApiFacts`], filled
//! by the same reads as `drift` and `doctor`) give the layer, the verdict line, the evidence
//! and the fix.

use std::collections::BTreeMap;

use super::classify::{Classified, MethodArn, Signal};
use super::target::{Form, Target};
use super::{Caller, Layer, Request, Verdict};
use crate::snapshot::{Method, Snapshot};
use crate::stage::doctor::resource_policy::allow_policy_fix;
use crate::stage::doctor::stale::trigger_wiring_fix;
use crate::stage::model::{ApiKeyDigest, StageContext};
use crate::stage::policy::{self, Decision, Invocation};
use crate::stage::routes::{
    live_auth, live_integrations, resolve, resolve_resource, route_key, split_route,
    IntegrationTarget, RouteAuth,
};

/// What was read about the API.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiFacts {
    /// The live API, the stage (when `stage_found`) and the usage plans of the API.
    pub context: StageContext,
    /// Whether the stage the URL names exists; when not, `context.stage` is empty.
    pub stage_found: bool,
    /// Every stage of the API.
    pub stage_names: Vec<String>,
    /// The account's API keys as digests, read when a key was sent to a route that needs one.
    pub api_keys: Option<Vec<ApiKeyDigest>>,
    /// Why the keys could not be read, when they could not.
    pub api_keys_problem: Option<String>,
}

/// One case to explain.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    pub classified: &'a Classified,
    pub request: &'a Request,
    pub target: Option<&'a Target>,
    pub caller: &'a Caller,
    /// `None`: the API could not be (or was not) read; the verdict rests on the answer alone.
    pub facts: Option<&'a ApiFacts>,
}

/// The verdict for one case.
pub fn correlate(case: &Case<'_>) -> Verdict {
    let status = case.classified.status;
    let route_called = case
        .target
        .map(|t| route_key(&case.request.method, &t.path));
    let mut verdict = match (&case.classified.signal, case.facts) {
        (Signal::Success, _) => done(
            Layer::None,
            format!("{status}: the request did not fail"),
            vec![],
            None,
        ),
        (Signal::Redirect { location }, _) => done(
            Layer::None,
            format!(
                "{status}: a redirect to {} (not followed)",
                location.as_deref().unwrap_or("no Location header")
            ),
            vec!["explain the target URL to see what it answers".into()],
            None,
        ),
        (_, Some(facts)) => with_facts(case, facts),
        (_, None) => from_answer_alone(case),
    };
    if verdict.route.is_none() {
        verdict.route = route_called;
    }
    if let (Some(facts), Some(_)) = (case.facts, &case.classified.error_type) {
        if let Some(note) = customised_responses(&facts.context.live) {
            verdict.evidence.push(note);
        }
    }
    verdict
}

fn done(layer: Layer, verdict: String, evidence: Vec<String>, fix: Option<String>) -> Verdict {
    Verdict {
        layer,
        verdict,
        evidence,
        fix,
        route: None,
    }
}

/// The verdict line: "403 from the API key check: …".
fn line(status: u16, layer: Layer, detail: impl AsRef<str>) -> String {
    format!("{status} from {}: {}", layer.described(), detail.as_ref())
}

fn type_evidence(c: &Classified) -> String {
    match (&c.error_type, &c.message) {
        (Some(t), Some(m)) => format!("x-amzn-ErrorType: {t}, message {m:?}"),
        (Some(t), None) => format!("x-amzn-ErrorType: {t}"),
        (None, Some(m)) => format!("no x-amzn-ErrorType header; body message {m:?}"),
        (None, None) => "no x-amzn-ErrorType header and no body".into(),
    }
}

/// Without the API: what the gateway's answer alone says.
fn from_answer_alone(case: &Case<'_>) -> Verdict {
    let c = case.classified;
    let s = c.status;
    let evidence = vec![
        type_evidence(c),
        "the API was not read (no API id and stage, or AWS could not be read): give the URL, or --rest-api-id and --stage, with AWS access to correlate".into(),
    ];
    let (layer, detail, fix) = match &c.signal {
        Signal::MissingToken { .. } => (
            Layer::Unknown,
            "Missing Authentication Token: no method matched (a route not deployed, no such route, another verb, a path outside every stage) or an unsigned call to an AWS_IAM method".to_string(),
            "Run gwtrigger explain with the URL and AWS access to tell these apart.".to_string(),
        ),
        Signal::Forbidden => (
            Layer::ApiKey,
            "ForbiddenException is the API key check's answer (no key, an unknown or disabled key, a key in no usage plan of the stage); WAF and private endpoints answer it too".into(),
            "Send the header x-api-key with a key of a usage plan that includes this API and stage.".into(),
        ),
        Signal::PolicyDenied { explicit, arn } => (
            Layer::ResourcePolicy,
            format!("the resource policy {} {}", if *explicit { "explicitly denies" } else { "does not allow" }, arn_text(arn.as_ref())),
            "Change the resource policy to allow execute-api:Invoke on this method ARN (a Deny always wins), then redeploy.".into(),
        ),
        Signal::IamDenied { arn, .. } => (
            Layer::IamAuth,
            format!("the signed caller is not allowed to invoke {}", arn_text(arn.as_ref())),
            "Allow execute-api:Invoke on the method ARN in the caller's IAM policy (and the resource policy, if any).".into(),
        ),
        Signal::AuthorizerDenied { .. } | Signal::Unauthorized => (
            Layer::Authorizer,
            "the method's Lambda or Cognito authorizer rejected the caller".into(),
            "Check the token the authorizer reads and the policy it returns for this method ARN.".into(),
        ),
        Signal::Signature { error_type } => (
            Layer::IamAuth,
            format!("the SigV4 signature was rejected ({error_type})"),
            "Sign the request for service execute-api in the API's region with current credentials.".into(),
        ),
        Signal::IntegrationFailure | Signal::Backend => (
            Layer::Integration,
            if c.error_type.is_none() {
                "the answer has no x-amzn-ErrorType, so the backend answered it, not the gateway".into()
            } else {
                "the integration failed".into()
            },
            "Look at the backend's own logs for this request.".into(),
        ),
        Signal::OtherGatewayError { error_type } => (
            Layer::Unknown,
            gateway_error_detail(error_type),
            "See the execution log of the request.".into(),
        ),
        Signal::Success | Signal::Redirect { .. } => unreachable_success(),
    };
    done(layer, line(s, layer, detail), evidence, Some(fix))
}

fn unreachable_success() -> (Layer, String, String) {
    (
        Layer::None,
        "the request did not fail".into(),
        String::new(),
    )
}

fn gateway_error_detail(error_type: &str) -> String {
    match error_type {
        "TooManyRequestsException" | "LimitExceededException" => format!("{error_type}: throttled by the stage, method or usage plan limits (or a usage plan quota)"),
        "BadRequestException" => format!("{error_type}: the request validator rejected the request body or parameters"),
        "RequestTooLargeException" | "RequestEntityTooLargeException" => format!("{error_type}: the request is too large"),
        other => format!("{other}: a gateway error that names none of the 403 layers"),
    }
}

fn arn_text(arn: Option<&MethodArn>) -> String {
    match arn {
        Some(a) => format!("{} {} on stage {}", a.verb, a.path, a.stage),
        None => "this method".into(),
    }
}

/// The API's routes as the stage serves them and as the API has them now.
struct Routes {
    live: BTreeMap<String, RouteAuth>,
    /// `None` when the deployment cannot be compared.
    deployed: Option<BTreeMap<String, RouteAuth>>,
}

impl Routes {
    fn of(facts: &ApiFacts) -> Routes {
        let live = live_auth(&facts.context.live);
        let deployed = facts
            .stage_found
            .then(|| facts.context.stage.routes.with_auth(&live))
            .flatten();
        Routes { live, deployed }
    }

    /// The route that serves `verb path`: as deployed when known, else as live.
    fn serving(&self, verb: &str, path: &str) -> Option<(String, RouteAuth)> {
        let pick = |routes: &BTreeMap<String, RouteAuth>| {
            resolve(routes, verb, path).and_then(|k| routes.get(&k).map(|a| (k, a.clone())))
        };
        self.deployed
            .as_ref()
            .and_then(pick)
            .or_else(|| pick(&self.live))
    }
}

fn with_facts(case: &Case<'_>, facts: &ApiFacts) -> Verdict {
    let Some(target) = case.target else {
        return from_answer_alone(case);
    };
    let routes = Routes::of(facts);
    let verb = case.request.method.as_str();
    if let Some(verdict) = aws_service_passthrough(case, facts, &routes, target) {
        return verdict;
    }
    match &case.classified.signal {
        Signal::MissingToken { emulated } => missing_token(case, facts, &routes, target, *emulated),
        Signal::Forbidden => forbidden(case, facts, &routes, target),
        Signal::PolicyDenied { explicit, arn } => {
            resource_policy(case, facts, target, *explicit, arn.as_ref())
        }
        Signal::IamDenied { explicit, arn } => {
            iam_denied(case, facts, target, *explicit, arn.as_ref())
        }
        Signal::AuthorizerDenied { .. } | Signal::Unauthorized => {
            authorizer(case, facts, &routes, target)
        }
        Signal::Signature { .. } => from_answer_alone(case),
        Signal::IntegrationFailure | Signal::Backend => integration(case, facts, &routes, target),
        Signal::OtherGatewayError { .. } => {
            let mut v = from_answer_alone(case);
            v.evidence.pop();
            if let Some((route, _)) = routes.serving(verb, &target.path) {
                v.evidence
                    .push(format!("the stage serves the call as {route}"));
                v.route = Some(route);
            }
            v
        }
        Signal::Success | Signal::Redirect { .. } => from_answer_alone(case),
    }
}

/// The stage's name for messages, and the API id.
fn names<'a>(facts: &'a ApiFacts, target: &'a Target) -> (&'a str, &'a str) {
    let stage = if facts.stage_found {
        facts.context.stage.stage_name.as_str()
    } else {
        target.stage.as_deref().unwrap_or("")
    };
    (facts.context.rest_api_id.as_str(), stage)
}

fn missing_token(
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

fn forbidden(case: &Case<'_>, facts: &ApiFacts, routes: &Routes, target: &Target) -> Verdict {
    let status = case.classified.status;
    let (api, stage) = names(facts, target);
    let live = &facts.context.live;
    let mut evidence = vec![type_evidence(case.classified)];
    let waf = |evidence: Vec<String>, detail: String, fix: String| {
        done(
            Layer::WafOrPrivateEndpoint,
            line(status, Layer::WafOrPrivateEndpoint, detail),
            evidence,
            Some(fix),
        )
    };
    let public_host = matches!(target.form, Form::ExecuteApi { .. });
    if public_host && live.rest_api.disable_execute_api_endpoint == Some(true) {
        evidence.push(format!("API {api} has disableExecuteApiEndpoint = true"));
        return waf(evidence, "the default execute-api endpoint of this API is disabled".into(), "Call the API through its custom domain name (the default endpoint answers 403 Forbidden while it is disabled), or set disable_execute_api_endpoint = false and redeploy.".into());
    }
    let private = live
        .rest_api
        .endpoint_configuration
        .types
        .iter()
        .any(|t| t.eq_ignore_ascii_case("PRIVATE"));
    let (route, auth) = match routes.serving(&case.request.method, &target.path) {
        Some((route, auth)) => (Some(route), Some(auth)),
        None => (None, None),
    };
    if let (Some(route), Some(auth)) = (&route, &auth) {
        if auth.api_key_required {
            if let Some(v) = api_key(case, facts, target, route, &mut evidence) {
                return v.with_route(route);
            }
        } else {
            evidence.push(format!(
                "{route} does not require an API key (apiKeyRequired = false)"
            ));
        }
    }
    if let Some(acl) = &facts.context.stage.web_acl_arn {
        evidence.push(format!(
            "stage {stage} is protected by AWS WAF web ACL {acl}"
        ));
        return waf(evidence, format!("a rule of the WAF web ACL on stage {stage} blocked the request"), "Find the request in the web ACL's sampled requests or WAF logs (by time and client IP) and adjust the rule that blocked it.".into())
            .with_route_opt(route);
    }
    if private {
        let vpce = &live.rest_api.endpoint_configuration.vpc_endpoint_ids;
        evidence.push(format!(
            "API {api} is PRIVATE{}",
            if vpce.is_empty() {
                String::new()
            } else {
                format!(" (VPC endpoints {})", vpce.join(", "))
            }
        ));
        let detail = if public_host && target.vpce().is_none() {
            "a PRIVATE API was called outside its VPC endpoint".to_string()
        } else {
            "the PRIVATE API's endpoint rejected the call".to_string()
        };
        return waf(evidence, detail, format!("Call it from inside the VPC through an interface endpoint for execute-api: https://{api}-VPCE_ID.execute-api.REGION.vpce.amazonaws.com/{stage}/… (or the private DNS name), and allow that endpoint in the resource policy (aws:SourceVpce)."))
            .with_route_opt(route);
    }
    evidence.push(format!(
        "no WAF web ACL on stage {stage}; the API's endpoint type is {}",
        live.rest_api.endpoint_configuration.types.join(", ")
    ));
    done(
        Layer::Unknown,
        line(status, Layer::Unknown, "ForbiddenException, but the route needs no API key, the stage has no WAF and the API is not private"),
        evidence,
        Some("Turn on execution logging (gwtrigger doctor shows how) and explain the request again: the log names the check.".into()),
    )
    .with_route_opt(route)
}

impl Verdict {
    fn with_route(mut self, route: &str) -> Verdict {
        self.route = Some(route.to_string());
        self
    }

    fn with_route_opt(mut self, route: Option<String>) -> Verdict {
        if route.is_some() {
            self.route = route;
        }
        self
    }
}

/// The API key check for a route that requires a key; `None` when the key passes it.
fn api_key(
    case: &Case<'_>,
    facts: &ApiFacts,
    target: &Target,
    route: &str,
    evidence: &mut Vec<String>,
) -> Option<Verdict> {
    let status = case.classified.status;
    let (api, stage) = names(facts, target);
    evidence.push(format!(
        "{route} requires an API key (apiKeyRequired = true)"
    ));
    if facts.context.live.rest_api.api_key_source.as_deref() == Some("AUTHORIZER") {
        evidence.push("apiKeySource is AUTHORIZER: the key comes from the Lambda authorizer's usageIdentifierKey, not the x-api-key header".into());
    }
    let plans: Vec<_> = facts
        .context
        .usage_plans
        .iter()
        .filter(|p| p.covers(api, stage))
        .collect();
    evidence.push(if plans.is_empty() {
        format!("no usage plan includes {api}/{stage}")
    } else {
        format!(
            "usage plans of stage {stage}: {}",
            plans
                .iter()
                .map(|p| format!("{:?} ({})", p.name, p.id))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let key_fix = |key_id: &str| {
        match plans.first() {
            Some(plan) => format!(
                "resource \"aws_api_gateway_usage_plan_key\" \"client\" {{\n  key_id        = \"{key_id}\"\n  key_type      = \"API_KEY\"\n  usage_plan_id = \"{}\"  # {:?}, covers {api}/{stage}\n}}",
                plan.id, plan.name
            ),
            None => format!(
                "resource \"aws_api_gateway_usage_plan\" \"{stage}\" {{\n  name = \"{api}-{stage}\"\n  api_stages {{\n    api_id = \"{api}\"\n    stage  = \"{stage}\"\n  }}\n}}\nresource \"aws_api_gateway_usage_plan_key\" \"client\" {{\n  key_id        = \"{key_id}\"\n  key_type      = \"API_KEY\"\n  usage_plan_id = aws_api_gateway_usage_plan.{stage}.id\n}}"
            ),
        }
    };
    let fail = |evidence: &mut Vec<String>, detail: String, fix: String| {
        Some(done(
            Layer::ApiKey,
            line(status, Layer::ApiKey, detail),
            std::mem::take(evidence),
            Some(fix),
        ))
    };
    let Some(sent) = case.request.api_key_sha256() else {
        evidence.push("the request sent no x-api-key header".into());
        return fail(evidence, format!("{route} requires an API key and none was sent"), format!("Send the key in the x-api-key header (-H 'x-api-key: …') with a key attached to a usage plan of stage {stage}.\n{}", key_fix("KEY_ID")));
    };
    evidence.push(
        "an x-api-key header was sent (compared by its SHA-256; the value is never shown)".into(),
    );
    let Some(keys) = &facts.api_keys else {
        evidence.push(format!(
            "the account's API keys could not be read: {}",
            facts.api_keys_problem.as_deref().unwrap_or("not read")
        ));
        return fail(evidence, format!("{route} requires an API key and the key sent was rejected"), format!("Check that the key is enabled and attached to a usage plan of stage {stage} (aws apigateway get-usage-plan-keys)."));
    };
    let Some(key) = keys.iter().find(|k| k.value_sha256 == sent) else {
        evidence.push(format!(
            "none of the {} API key(s) of the region has the value sent",
            keys.len()
        ));
        return fail(evidence, "the key sent is not an API key of this account and region".into(), format!("Send the value of an existing key (aws apigateway get-api-key --api-key KEY_ID --include-value) that is attached to a usage plan of stage {stage}."));
    };
    evidence.push(format!(
        "the key sent is API key {:?} ({})",
        key.name, key.id
    ));
    if !key.enabled {
        return fail(evidence, format!("the key sent ({:?}) is disabled", key.name), format!("Enable it: aws apigateway update-api-key --api-key {} --patch-operations op=replace,path=/enabled,value=true (or enabled = true on its aws_api_gateway_api_key).", key.id));
    }
    let in_stage_plan: Vec<_> = plans
        .iter()
        .filter(|p| p.key_ids.iter().any(|id| *id == key.id))
        .collect();
    if in_stage_plan.is_empty() {
        let elsewhere: Vec<String> = facts
            .context
            .usage_plans
            .iter()
            .filter(|p| p.key_ids.iter().any(|id| *id == key.id))
            .map(|p| format!("{:?}", p.name))
            .collect();
        if !elsewhere.is_empty() {
            evidence.push(format!(
                "it is in usage plan(s) {} which do not include stage {stage}",
                elsewhere.join(", ")
            ));
        }
        return fail(
            evidence,
            format!("the key sent is in no usage plan of stage {stage}"),
            key_fix(&key.id),
        );
    }
    evidence.push(format!(
        "it is enabled and in usage plan {:?} of stage {stage}",
        in_stage_plan[0].name
    ));
    None
}

fn resource_policy(
    case: &Case<'_>,
    facts: &ApiFacts,
    target: &Target,
    explicit: bool,
    arn: Option<&MethodArn>,
) -> Verdict {
    let status = case.classified.status;
    let (api, stage) = names(facts, target);
    let mut evidence = vec![type_evidence(case.classified)];
    if explicit {
        evidence
            .push("the message says \"with an explicit deny\": a Deny statement matched".into());
    }
    let verb = arn.map_or(case.request.method.as_str(), |a| a.verb.as_str());
    let path = arn.map_or(target.path.as_str(), |a| a.path.as_str());
    let stage = arn.map_or(stage, |a| a.stage.as_str());
    let invocation = Invocation {
        region: facts
            .context
            .region
            .as_deref()
            .or(arn.map(|a| a.region.as_str())),
        account: arn.map(|a| a.account.as_str()).filter(|a| !a.is_empty()),
        rest_api_id: api,
        stage,
        verb,
        path,
    };
    let method_arn = invocation.arn();
    evidence.push(format!("method ARN evaluated: {method_arn}"));
    let caller = describe_caller(case.caller);
    let redeploy = "A policy change takes effect only after a new deployment of the stage.";
    let Some(text) = facts
        .context
        .live
        .rest_api
        .policy
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    else {
        evidence.push("the live API has no resource policy".into());
        return done(
            Layer::ResourcePolicy,
            line(
                status,
                Layer::ResourcePolicy,
                "the deployed resource policy denies the call; the live API has none",
            ),
            evidence,
            Some(format!(
                "Redeploy the stage so it serves the API without the policy. {redeploy}\n{}",
                trigger_wiring_fix(api, stage)
            )),
        );
    };
    let parsed = match policy::parse(text) {
        Ok(p) => p,
        Err(problem) => {
            evidence.push(problem);
            return done(
                Layer::ResourcePolicy,
                line(
                    status,
                    Layer::ResourcePolicy,
                    "the resource policy denies the call (and cannot be parsed here)",
                ),
                evidence,
                Some("Fix the policy JSON, then redeploy.".into()),
            );
        }
    };
    let (detail, fix) = match parsed.decide_for(&invocation, case.caller) {
        Decision::Denied(by) => (format!("{by} denies {verb} {path}{caller}"), format!("Narrow or remove {by} (an explicit Deny always wins over any Allow), then redeploy. {redeploy}")),
        Decision::MaybeDenied(by) => (format!("{by} denies {verb} {path} when its Condition holds{}", if caller.is_empty() { " (pass --source-ip / --vpce to evaluate it)".to_string() } else { caller.clone() }), format!("Check {by}'s Condition against the caller (source IP, VPC endpoint), then redeploy. {redeploy}")),
        Decision::ConditionallyAllowed(by) => (format!("only {by} allows {verb} {path}, under a Condition the caller does not meet{}", if caller.is_empty() { " (pass --source-ip / --vpce to evaluate it)".to_string() } else { caller.clone() }), format!("Call from where {by}'s Condition allows, or widen it, then redeploy. {redeploy}")),
        Decision::NotAllowed => (format!("no statement allows execute-api:Invoke on {method_arn} (implicit deny){caller}"), allow_policy_fix(invocation.region, api, stage, &format!("{verb}{path}"))),
        Decision::Allowed(by) => {
            evidence.push(format!("the live policy allows the call ({by}): the stage serves an older policy"));
            ("the deployed resource policy denies the call; the live one allows it".into(), format!("Redeploy the stage. {redeploy}\n{}", trigger_wiring_fix(api, stage)))
        }
    };
    done(
        Layer::ResourcePolicy,
        line(status, Layer::ResourcePolicy, detail),
        evidence,
        Some(fix),
    )
    .with_route(&route_key(verb, path))
}

fn describe_caller(caller: &Caller) -> String {
    let mut facts = Vec::new();
    if let Some(ip) = caller.source_ip {
        facts.push(format!("source IP {ip}"));
    }
    if let Some(vpce) = &caller.vpce {
        facts.push(format!("VPC endpoint {vpce}"));
    }
    if facts.is_empty() {
        String::new()
    } else {
        format!(" for a caller from {}", facts.join(" via "))
    }
}

fn iam_denied(
    case: &Case<'_>,
    facts: &ApiFacts,
    target: &Target,
    explicit: bool,
    arn: Option<&MethodArn>,
) -> Verdict {
    let mut v = resource_policy(case, facts, target, explicit, arn);
    let policy_denies = v.evidence.iter().all(|e| !e.contains("no resource policy"));
    v.layer = Layer::IamAuth;
    v.verdict = line(
        case.classified.status,
        Layer::IamAuth,
        format!("the signed caller may not invoke {}", arn_text(arn)),
    );
    v.evidence.insert(
        1,
        "the caller signed the request (an IAM principal is named)".into(),
    );
    if !policy_denies {
        v.fix = Some(
            "Allow execute-api:Invoke on the method ARN in the caller's IAM identity policy."
                .into(),
        );
    } else if let Some(fix) = &mut v.fix {
        fix.insert_str(0, "Allow execute-api:Invoke on the method ARN in the caller's IAM identity policy, and check the resource policy: ");
    }
    v
}

fn route_method<'a>(live: &'a Snapshot, route: &str) -> Option<&'a Method> {
    let (verb, path) = split_route(route)?;
    live.resources
        .iter()
        .find(|r| r.path == path)?
        .methods
        .get(&verb)
}

fn authorizer(case: &Case<'_>, facts: &ApiFacts, routes: &Routes, target: &Target) -> Verdict {
    let status = case.classified.status;
    let mut evidence = vec![type_evidence(case.classified)];
    let unauthorized = case.classified.signal == Signal::Unauthorized;
    let route = routes
        .serving(&case.request.method, &target.path)
        .map(|(r, _)| r);
    let method = route
        .as_deref()
        .and_then(|r| route_method(&facts.context.live, r));
    let authorizer = method
        .and_then(|m| m.authorizer_id.as_deref())
        .and_then(|id| facts.context.live.authorizers.iter().find(|a| a.id == id));
    let name = match (authorizer, method) {
        (Some(a), _) => {
            evidence.push(format!(
                "{} uses authorizer {:?} (id {}, type {}, identity source {})",
                route.as_deref().unwrap_or("the route"),
                a.name,
                a.id,
                a.authorizer_type.as_deref().unwrap_or("?"),
                a.identity_source.as_deref().unwrap_or("none")
            ));
            format!(
                "authorizer {:?} ({})",
                a.name,
                a.authorizer_type.as_deref().unwrap_or("?")
            )
        }
        (None, Some(m)) => {
            evidence.push(format!(
                "{} has authorizationType {}",
                route.as_deref().unwrap_or("the route"),
                m.authorization_type.as_deref().unwrap_or("NONE")
            ));
            "the method's authorizer".into()
        }
        _ => "the method's authorizer".into(),
    };
    let sent = case.request.header("authorization").is_some();
    evidence.push(format!(
        "an Authorization header was {}sent",
        if sent { "" } else { "not " }
    ));
    let cognito =
        authorizer.is_some_and(|a| a.authorizer_type.as_deref() == Some("COGNITO_USER_POOLS"));
    let (detail, fix) = if unauthorized {
        (format!("{name} found no valid identity in the request"), "Send the identity source the authorizer reads (by default the Authorization header with a valid, unexpired token).".to_string())
    } else if cognito {
        (
            format!("{name} denied the token"),
            format!(
                "Send a valid ID/access token of the user pool{}.",
                method
                    .filter(|m| !m.authorization_scopes.is_empty())
                    .map(|m| format!(
                        " with one of the scopes {}",
                        m.authorization_scopes.join(", ")
                    ))
                    .unwrap_or_default()
            ),
        )
    } else {
        (format!("{name} returned a policy that denies this method"), "Make the authorizer's policy allow execute-api:Invoke on this method ARN. A cached policy (authorizer TTL) is reused for other methods: return a wildcard resource (arn:…/STAGE/*) or set the TTL to 0.".to_string())
    };
    done(
        Layer::Authorizer,
        line(status, Layer::Authorizer, detail),
        evidence,
        Some(fix),
    )
    .with_route_opt(route)
}

/// The integration of a route: the deployment's (from the stage export) when known, else the
/// live one; and where it comes from.
fn integration_of(facts: &ApiFacts, route: &str) -> Option<(IntegrationTarget, &'static str)> {
    if let Some(target) = facts
        .context
        .stage
        .exported_integrations
        .as_ref()
        .and_then(|e| e.get(route))
    {
        return Some((target.clone(), "the deployment"));
    }
    live_integrations(&facts.context.live)
        .remove(route)
        .flatten()
        .map(|t| (t, "the live API"))
}

fn describe_integration(target: &IntegrationTarget) -> String {
    format!(
        "{}{}{}",
        target.integration_type.as_deref().unwrap_or("?"),
        target
            .http_method
            .as_deref()
            .map(|m| format!(" {m}"))
            .unwrap_or_default(),
        target
            .uri
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default()
    )
}

/// The AWS service an integration calls, when it is one (not Lambda).
fn aws_service(target: &IntegrationTarget) -> Option<String> {
    let kind = target.integration_type.as_deref()?;
    if kind != "AWS" && kind != "AWS_PROXY" {
        return None;
    }
    let uri = target.uri.as_deref()?;
    let service = uri.split(':').nth(4)?.to_string();
    (service != "lambda").then_some(service)
}

fn integration(case: &Case<'_>, facts: &ApiFacts, routes: &Routes, target: &Target) -> Verdict {
    let status = case.classified.status;
    let mut evidence = vec![type_evidence(case.classified)];
    let route = routes
        .serving(&case.request.method, &target.path)
        .map(|(r, _)| r);
    let found = route.as_deref().and_then(|r| integration_of(facts, r));
    let backend = match &found {
        Some((t, from)) => {
            evidence.push(format!(
                "{} integrates {} (from {from})",
                route.as_deref().unwrap_or("the route"),
                describe_integration(t)
            ));
            describe_integration(t)
        }
        None => "the backend".into(),
    };
    let detail = if case.classified.signal == Signal::Backend {
        format!("{backend} answered {status}")
    } else {
        format!("the call to {backend} failed")
    };
    let fix = match found.as_ref().and_then(|(t, _)| t.integration_type.clone()).as_deref() {
        Some("HTTP" | "HTTP_PROXY") => "The backend refused the call: check its own auth (headers API Gateway forwards or maps, a backend API key, an allow-list of source IPs) and its logs for this request.".to_string(),
        Some("AWS_PROXY") => "The Lambda function answered the status itself: check its code and logs (CloudWatch log group /aws/lambda/FUNCTION) for this request.".to_string(),
        Some("AWS") => "The AWS service refused the call: check the integration's credentials role (its IAM policy must allow the action) and the service's resource policy.".to_string(),
        _ => "Look at the backend's own logs for this request.".to_string(),
    };
    done(
        Layer::Integration,
        line(status, Layer::Integration, detail),
        evidence,
        Some(fix),
    )
    .with_route_opt(route)
}

/// A failure with an `x-amzn-ErrorType` the gateway does not use that way, on a route whose
/// integration is an AWS service: the service's own error passed through.
fn aws_service_passthrough(
    case: &Case<'_>,
    facts: &ApiFacts,
    routes: &Routes,
    target: &Target,
) -> Option<Verdict> {
    let c = case.classified;
    let error_type = c.error_type.as_deref()?;
    if matches!(
        c.signal,
        Signal::MissingToken { .. } | Signal::Success | Signal::Redirect { .. }
    ) {
        return None;
    }
    let message = c.message.as_deref().unwrap_or_default();
    let gateway_message = matches!(
        message,
        "Forbidden" | "Unauthorized" | "Internal server error" | "Missing Authentication Token"
    ) || message.starts_with("User: ")
        || message.starts_with("User is not authorized");
    if gateway_message && customised_responses(&facts.context.live).is_none() {
        return None;
    }
    let (route, _) = routes.serving(&case.request.method, &target.path)?;
    let (integration, from) = integration_of(facts, &route)?;
    let service = aws_service(&integration)?;
    let evidence = vec![
        type_evidence(c),
        format!(
            "{route} integrates {} (from {from}): the {service} service's answer passes through",
            describe_integration(&integration)
        ),
        format!("the message is not one of API Gateway's for {error_type}"),
    ];
    Some(
        done(
            Layer::Integration,
            line(c.status, Layer::Integration, format!("the {service} service behind {route} answered {error_type}")),
            evidence,
            Some("The AWS service refused the call: check the integration's credentials role (its IAM policy must allow the action) and the service's resource policy; map its errors in integration responses.".into()),
        )
        .with_route(&route),
    )
}

/// Gateway responses the API customises: the body and status may not be the gateway's.
fn customised_responses(live: &Snapshot) -> Option<String> {
    let custom: Vec<String> = live
        .gateway_responses
        .iter()
        .filter(|r| !r.default_response)
        .filter(|r| !r.response_templates.is_empty() || r.status_code.is_some())
        .map(|r| match &r.status_code {
            Some(code) => format!("{} (status {code})", r.response_type),
            None => r.response_type.clone(),
        })
        .collect();
    (!custom.is_empty()).then(|| {
        format!(
            "the API customises gateway responses {}: status and body may not be the defaults, so this verdict follows the x-amzn-ErrorType header",
            custom.join(", ")
        )
    })
}

#[cfg(test)]
mod tests;
