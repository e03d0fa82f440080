//! From a signal to a layer (pure): the answer's signal, the request, the target and — when
//! they could be read — the API's live model and the stage's deployment ([`ApiFacts`], filled
//! by the same reads as `drift` and `doctor`) give the layer, the verdict line, the evidence
//! and the fix.

use std::collections::BTreeMap;

mod access;
mod backend;
mod route;

use super::classify::{Classified, MethodArn, Signal};
use super::target::{BasePathMapping, Form, Target};
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
    /// A custom domain none of whose base path mappings matches the URL: the domain and its
    /// mappings (nothing else was read).
    pub unmapped_domain: Option<(String, Vec<BasePathMapping>)>,
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
        if let Some(note) = backend::customised_responses(&facts.context.live) {
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
    if let Some((domain, mappings)) = &facts.unmapped_domain {
        return route::unmapped_domain(case, domain, mappings, target);
    }
    let routes = Routes::of(facts);
    let verb = case.request.method.as_str();
    if let Some(verdict) = backend::aws_service_passthrough(case, facts, &routes, target) {
        return verdict;
    }
    match &case.classified.signal {
        Signal::MissingToken { emulated } => {
            route::missing_token(case, facts, &routes, target, *emulated)
        }
        Signal::Forbidden => access::forbidden(case, facts, &routes, target),
        Signal::PolicyDenied { explicit, arn } => {
            access::resource_policy(case, facts, target, *explicit, arn.as_ref())
        }
        Signal::IamDenied { explicit, arn } => {
            access::iam_denied(case, facts, target, *explicit, arn.as_ref())
        }
        Signal::AuthorizerDenied { .. } | Signal::Unauthorized => {
            access::authorizer(case, facts, &routes, target)
        }
        Signal::Signature { .. } => from_answer_alone(case),
        Signal::IntegrationFailure | Signal::Backend => {
            backend::integration(case, facts, &routes, target)
        }
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

#[cfg(test)]
mod tests;
