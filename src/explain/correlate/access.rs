//! The access layers: the API key check, WAF and private endpoints (ForbiddenException), the
//! resource policy and IAM (AccessDenied for anonymous or signed callers), authorizers.

use super::*;
pub(super) fn forbidden(
    case: &Case<'_>,
    facts: &ApiFacts,
    routes: &Routes,
    target: &Target,
) -> Verdict {
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
        .filter(|p| p.key_ids.contains(&key.id))
        .collect();
    if in_stage_plan.is_empty() {
        let elsewhere: Vec<String> = facts
            .context
            .usage_plans
            .iter()
            .filter(|p| p.key_ids.contains(&key.id))
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

pub(super) fn resource_policy(
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
    let Some(text) = live_policy(facts) else {
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

/// The live API's resource policy, when it has one (blank counts as none).
fn live_policy(facts: &ApiFacts) -> Option<&str> {
    facts
        .context
        .live
        .rest_api
        .policy
        .as_deref()
        .filter(|p| !p.trim().is_empty())
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

pub(super) fn iam_denied(
    case: &Case<'_>,
    facts: &ApiFacts,
    target: &Target,
    explicit: bool,
    arn: Option<&MethodArn>,
) -> Verdict {
    let mut v = resource_policy(case, facts, target, explicit, arn);
    let policy_denies = live_policy(facts).is_some();
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

pub(super) fn authorizer(
    case: &Case<'_>,
    facts: &ApiFacts,
    routes: &Routes,
    target: &Target,
) -> Verdict {
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
