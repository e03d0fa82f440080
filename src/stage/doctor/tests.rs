//! Every check: a passing and a failing case on plain data.

use std::collections::BTreeMap;

use super::*;
use crate::snapshot::{Integration, Method, Snapshot};
use crate::stage::drift::tests::{api, deployed, method};
use crate::stage::model::{DeployedRoutes, MethodSetting, UsagePlan};

const LAMBDA_URI: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:items/invocations";

fn lambda_method(uri: &str, http_method: &str) -> Method {
    Method {
        authorization_type: Some("NONE".into()),
        integration: Some(Integration {
            integration_type: Some("AWS_PROXY".into()),
            http_method: Some(http_method.into()),
            uri: Some(uri.into()),
            ..Integration::default()
        }),
        ..Method::default()
    }
}

/// A healthy stage: logging on, no policy, no keys required, in sync, good integrations.
fn healthy() -> StageContext {
    let live = api(&[
        ("GET", "/items", lambda_method(LAMBDA_URI, "POST")),
        (
            "POST",
            "/items",
            method("NONE", false, "https://backend.example.com/items"),
        ),
    ]);
    let mut stage = deployed(&live);
    stage.method_settings.insert(
        "*/*".into(),
        MethodSetting {
            logging_level: Some("INFO".into()),
            data_trace_enabled: Some(true),
        },
    );
    stage.access_log_destination = Some("arn:aws:logs:us-east-1:123456789012:log-group:api".into());
    StageContext {
        rest_api_id: "abc123".into(),
        region: Some("us-east-1".into()),
        live,
        stage,
        usage_plans: vec![],
    }
}

fn check(ctx: &StageContext, route: Option<&str>, id: CheckId) -> Check {
    let report = diagnose(ctx, route);
    report
        .checks
        .into_iter()
        .find(|c| c.id == id)
        .expect("every check runs")
}

#[test]
fn a_healthy_stage_passes_every_check_in_order() {
    let report = diagnose(&healthy(), Some("GET /items"));
    let ids: Vec<CheckId> = report.checks.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            CheckId::ExecutionLogging,
            CheckId::ResourcePolicy,
            CheckId::ApiKey,
            CheckId::StaleDeployment,
            CheckId::RoutePath,
            CheckId::Integrations
        ]
    );
    for c in &report.checks {
        assert_eq!(c.status, Status::Pass, "{c:?}");
        assert!(c.fix.is_none());
    }
    assert_eq!(report.worst(), Status::Pass);
}

#[test]
fn logging_off_warns_with_method_settings_fix() {
    let mut ctx = healthy();
    ctx.stage.method_settings.clear();
    ctx.stage.access_log_destination = None;
    let c = check(&ctx, None, CheckId::ExecutionLogging);
    assert_eq!(c.status, Status::Warn);
    let fix = c.fix.unwrap();
    assert!(
        fix.contains("method_path = \"*/*\"") && fix.contains("access_log_settings"),
        "{fix}"
    );
}

#[test]
fn resource_policy_deny_and_missing_allow_fail() {
    let mut ctx = healthy();
    ctx.live.rest_api.policy = Some(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},
        {"Sid":"NoItems","Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:abc123/dev/GET/items"}]}"#
            .into(),
    );
    let c = check(&ctx, Some("GET /items"), CheckId::ResourcePolicy);
    assert_eq!(c.status, Status::Fail);
    assert!(c.fix.unwrap().contains("\"NoItems\""));
    assert_eq!(
        check(&ctx, Some("POST /items"), CheckId::ResourcePolicy).status,
        Status::Pass
    );

    ctx.live.rest_api.policy = Some(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:*:abc123/prod/*"}]}"#.into(),
    );
    let c = check(&ctx, Some("GET /items"), CheckId::ResourcePolicy);
    assert_eq!(c.status, Status::Fail);
    assert!(c.details[0].contains("implicit deny"), "{:?}", c.details);
    assert!(c.fix.unwrap().contains("abc123/dev/GET/items"));
}

#[test]
fn private_api_without_policy_fails() {
    let mut ctx = healthy();
    ctx.live.rest_api.endpoint_configuration.types = vec!["PRIVATE".into()];
    assert_eq!(
        check(&ctx, None, CheckId::ResourcePolicy).status,
        Status::Fail
    );
}

fn key_required() -> StageContext {
    let mut ctx = healthy();
    let mut m = lambda_method(LAMBDA_URI, "POST");
    m.api_key_required = Some(true);
    ctx.live = api(&[("GET", "/items", m)]);
    ctx.stage = StageContext { ..healthy() }.stage;
    let fresh = deployed(&ctx.live);
    ctx.stage.routes = fresh.routes;
    ctx.stage.exported_integrations = fresh.exported_integrations;
    ctx
}

#[test]
fn api_key_needs_a_plan_for_this_stage_and_a_key() {
    let mut ctx = key_required();
    ctx.usage_plans = vec![UsagePlan {
        id: "p1".into(),
        name: "prod-only".into(),
        api_stages: vec![("abc123".into(), "prod".into())],
        key_names: vec!["client".into()],
    }];
    let c = check(&ctx, None, CheckId::ApiKey);
    assert_eq!(c.status, Status::Fail);
    assert!(c.fix.unwrap().contains("aws_api_gateway_usage_plan"));
    assert!(c.details.iter().any(|d| d.contains("not stage \"dev\"")));

    ctx.usage_plans[0]
        .api_stages
        .push(("abc123".into(), "dev".into()));
    ctx.usage_plans[0].key_names.clear();
    let c = check(&ctx, None, CheckId::ApiKey);
    assert_eq!(c.status, Status::Fail);
    assert!(c.fix.unwrap().contains("usage_plan_id = \"p1\""));

    ctx.usage_plans[0].key_names.push("client".into());
    assert_eq!(check(&ctx, None, CheckId::ApiKey).status, Status::Pass);
}

#[test]
fn stale_deployment_fails_only_for_routes_it_touches() {
    let mut ctx = healthy();
    ctx.live = api(&[
        ("GET", "/items", lambda_method(LAMBDA_URI, "POST")),
        (
            "POST",
            "/items",
            method("NONE", false, "https://backend.example.com/items"),
        ),
        (
            "GET",
            "/new",
            method("NONE", false, "https://backend.example.com/new"),
        ),
    ]);
    let c = check(&ctx, Some("GET /new"), CheckId::StaleDeployment);
    assert_eq!(c.status, Status::Fail);
    assert!(c.details.contains(&"GET /new: not deployed".to_string()));
    let fix = c.fix.unwrap();
    assert!(fix.contains("data.gwtrigger.api.hash"));
    assert!(
        fix.contains("depends_on = [") && fix.contains("aws_api_gateway_integration"),
        "the snippet reads the API after its parts change, as the guide says:\n{fix}"
    );
    assert_eq!(
        check(&ctx, Some("GET /items"), CheckId::StaleDeployment).status,
        Status::Warn
    );
    assert_eq!(
        check(&ctx, None, CheckId::StaleDeployment).status,
        Status::Fail
    );
}

/// `healthy()` plus an undeployed `GET /new`.
fn with_undeployed_route() -> StageContext {
    let mut ctx = healthy();
    let mut routes = vec![(
        "GET",
        "/new",
        method("NONE", false, "https://backend.example.com/new"),
    )];
    for r in &ctx.live.resources {
        for (verb, m) in &r.methods {
            routes.push((verb.as_str(), r.path.as_str(), m.clone()));
        }
    }
    let live = api(&routes);
    ctx.live = live;
    ctx
}

#[test]
fn without_api_summary_the_export_names_the_undeployed_route() {
    let mut ctx = with_undeployed_route();
    ctx.stage.routes = DeployedRoutes::choose(None, ctx.stage.exported_integrations.as_ref(), None);
    let c = check(&ctx, Some("GET /new"), CheckId::StaleDeployment);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.details.contains(&"GET /new: not deployed".to_string()),
        "{c:?}"
    );
    assert!(
        !c.details.iter().any(|d| d.starts_with("GET /items")),
        "served routes are not accused: {c:?}"
    );
    let served = check(&ctx, Some("GET /items"), CheckId::RoutePath);
    assert_eq!(served.status, Status::Pass, "{served:?}");
}

#[test]
fn without_api_summary_or_export_doctor_cannot_tell_and_accuses_nothing() {
    let mut ctx = with_undeployed_route();
    ctx.stage.exported_integrations = None;
    ctx.stage.routes = DeployedRoutes::choose(None, None, Some("GetExport failed: 500"));
    let report = diagnose(&ctx, Some("GET /new"));
    let stale = &report.checks[3];
    assert_eq!(
        (stale.id, stale.status),
        (CheckId::StaleDeployment, Status::Warn)
    );
    assert!(stale.summary.starts_with("cannot tell"), "{stale:?}");
    assert!(stale.details[0].contains("GetExport failed: 500"));
    let path = check(&ctx, Some("GET /items"), CheckId::RoutePath);
    assert_eq!(path.status, Status::Warn, "{path:?}");
    assert!(
        report.checks.iter().all(|c| c.status != Status::Fail),
        "{report:?}"
    );
}

#[test]
fn route_path_finds_undeployed_unknown_and_prefixed_routes() {
    let mut ctx = healthy();
    ctx.live.resources.push(
        api(&[(
            "GET",
            "/new",
            method("NONE", false, "https://b.example.com"),
        )])
        .resources
        .remove(0),
    );
    assert!(check(&ctx, Some("GET /new"), CheckId::RoutePath)
        .summary
        .contains("not in deployment"));
    let c = check(&ctx, Some("GET /dev/items"), CheckId::RoutePath);
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.details
            .iter()
            .any(|d| d.contains("the route is GET /items")),
        "{:?}",
        c.details
    );
    let c = check(&ctx, Some("DELETE /items"), CheckId::RoutePath);
    assert_eq!(c.status, Status::Fail);
    assert!(c.summary.contains("Missing Authentication Token"));
}

#[test]
fn route_path_resolves_params_proxy_and_any() {
    let live = api(&[
        (
            "GET",
            "/items/{id}",
            method("NONE", false, "https://b.example.com"),
        ),
        (
            "ANY",
            "/files/{proxy+}",
            method("NONE", false, "https://b.example.com"),
        ),
    ]);
    let mut ctx = healthy();
    ctx.stage = deployed(&live);
    ctx.live = live;
    assert_eq!(
        check(&ctx, Some("GET /items/42"), CheckId::RoutePath).status,
        Status::Pass
    );
    assert_eq!(
        check(&ctx, Some("PUT /files/a/b.txt"), CheckId::RoutePath).status,
        Status::Pass
    );
    assert_eq!(
        check(&ctx, Some("GET /files"), CheckId::RoutePath).status,
        Status::Fail
    );
}

#[test]
fn docs_endpoints_warn_about_the_stage_prefix() {
    let mut ctx = healthy();
    let live = api(&[
        (
            "GET",
            "/docs",
            method("NONE", false, "https://b.example.com"),
        ),
        (
            "GET",
            "/openapi.json",
            method("NONE", false, "https://b.example.com"),
        ),
    ]);
    ctx.stage = StageContext { ..healthy() }.stage;
    ctx.stage.routes = deployed(&live).routes;
    ctx.stage.exported_integrations = deployed(&live).exported_integrations;
    ctx.live = live;
    let c = check(&ctx, Some("GET /docs"), CheckId::RoutePath);
    assert_eq!(c.status, Status::Warn);
    assert!(c
        .details
        .iter()
        .any(|d| d.contains("/openapi.json") && d.contains("/dev")));
    assert!(c.fix.unwrap().contains("\"/dev/openapi.json\""));
}

#[test]
fn integrations_flag_missing_malformed_and_cross_region() {
    let mut ctx = healthy();
    let mut no_integration = method("NONE", false, "x");
    no_integration.integration = None;
    ctx.live = api(&[
        ("GET", "/a", no_integration),
        (
            "GET",
            "/b",
            lambda_method("arn:aws:lambda:us-east-1:123456789012:function:f", "POST"),
        ),
        ("GET", "/c", method("NONE", false, "backend.example.com/x")),
        ("GET", "/d", lambda_method(LAMBDA_URI, "GET")),
    ]);
    let c = check(&ctx, None, CheckId::Integrations);
    assert_eq!(c.status, Status::Fail);
    assert_eq!(c.summary, "4 integration problem(s)");
    assert_eq!(c.details[0], crate::stage::no_integration::detail("GET /a"));
    assert!(
        c.details
            .iter()
            .any(|d| d.contains("terraform-provider-aws#21907")),
        "{:?}",
        c.details
    );
    let fix = c.fix.unwrap();
    assert!(fix.starts_with(crate::stage::no_integration::FIX), "{fix}");
    assert!(
        fix.contains("invoke_arn"),
        "the other failures keep their snippet: {fix}"
    );

    // Only the method without an integration: the shared fix alone.
    let mut no_integration = method("NONE", false, "x");
    no_integration.integration = Some(Integration::default());
    ctx.live = api(&[("GET", "/a", no_integration)]);
    let c = check(&ctx, Some("GET /a"), CheckId::Integrations);
    assert_eq!(c.status, Status::Fail);
    assert_eq!(
        c.fix.as_deref(),
        Some(format!("{}.", crate::stage::no_integration::FIX).as_str())
    );

    let other_region = LAMBDA_URI.replace("us-east-1", "eu-west-1");
    ctx.live = api(&[("GET", "/e", lambda_method(&other_region, "POST"))]);
    let c = check(&ctx, None, CheckId::Integrations);
    assert_eq!(c.status, Status::Warn);
    assert!(c.details[0].contains("eu-west-1"));
    let _ = Snapshot::default();
    let _: BTreeMap<String, String> = BTreeMap::new();
}

#[test]
fn route_argument_is_validated() {
    assert_eq!(parse_route("get /items"), Ok("GET /items".into()));
    assert!(parse_route("/items").is_err());
    assert!(parse_route("FETCH /items").is_err());
}
