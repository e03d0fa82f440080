//! The integration layer: a failure the backend answered (no `x-amzn-ErrorType`, an
//! integration failure, an AWS service's own error type passed through), and gateway
//! responses customised so that status and body are unreliable.

use super::*;
const AWS_SERVICE_FIX: &str = "The AWS service refused the call: check the integration's credentials role (its IAM policy must allow the action) and the service's resource policy.";

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

pub(super) fn integration(
    case: &Case<'_>,
    facts: &ApiFacts,
    routes: &Routes,
    target: &Target,
) -> Verdict {
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
        Some("AWS") => AWS_SERVICE_FIX.to_string(),
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
pub(super) fn aws_service_passthrough(
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
    ) || (message.starts_with("User: ") && message.contains("execute-api:"))
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
            line(
                c.status,
                Layer::Integration,
                format!("the {service} service behind {route} answered {error_type}"),
            ),
            evidence,
            Some(format!(
                "{AWS_SERVICE_FIX} Map its errors in integration responses."
            )),
        )
        .with_route(&route),
    )
}

/// Gateway responses the API customises: the body and status may not be the gateway's.
pub(super) fn customised_responses(live: &Snapshot) -> Option<String> {
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
