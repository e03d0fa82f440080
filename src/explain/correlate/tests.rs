//! Each layer from AWS-shaped answers and API models.

use super::*;
use crate::explain::answer::Answer;
use crate::explain::classify::classify;
use crate::explain::sha256_hex;
use crate::explain::target::parse;
use crate::snapshot::{Authorizer, GatewayResponse, Integration};
use crate::stage::drift::tests::{api, deployed, method};
use crate::stage::{DeployedRoutes, UsagePlan};

const URL: &str = "https://abc123.execute-api.us-east-1.amazonaws.com/dev";

fn answer(status: u16, error_type: Option<&str>, body: &str) -> Classified {
    let mut headers = vec![("x-amzn-RequestId".to_string(), "7f9a-req".to_string())];
    if let Some(t) = error_type {
        headers.push(("x-amzn-ErrorType".into(), t.into()));
    }
    classify(&Answer {
        status,
        headers,
        body: body.into(),
    })
}

fn missing_token() -> Classified {
    answer(
        403,
        Some("MissingAuthenticationTokenException"),
        r#"{"message":"Missing Authentication Token"}"#,
    )
}

fn forbidden() -> Classified {
    answer(
        403,
        Some("ForbiddenException"),
        r#"{"message":"Forbidden"}"#,
    )
}

/// An API `abc123` with GET/POST /pets, GET /pets/{id} and ANY /files/{proxy+}, all deployed
/// to stage dev.
fn facts() -> ApiFacts {
    let live = api(&[
        (
            "GET",
            "/pets",
            method("NONE", false, "http://backend.example.com/pets"),
        ),
        (
            "POST",
            "/pets",
            method("NONE", false, "http://backend.example.com/pets"),
        ),
        (
            "GET",
            "/pets/{id}",
            method("NONE", false, "http://backend.example.com/pets/{id}"),
        ),
        (
            "ANY",
            "/files/{proxy+}",
            method("NONE", false, "http://backend.example.com/{proxy}"),
        ),
    ]);
    ApiFacts {
        context: StageContext {
            rest_api_id: "abc123".into(),
            region: Some("us-east-1".into()),
            stage: deployed(&live),
            live,
            usage_plans: vec![],
        },
        stage_found: true,
        stage_names: vec!["dev".into(), "prod".into()],
        api_keys: None,
        api_keys_problem: None,
        unmapped_domain: None,
    }
}

fn explain(
    facts: &ApiFacts,
    classified: &Classified,
    verb: &str,
    url: &str,
    headers: &[(&str, &str)],
) -> Verdict {
    explain_as(facts, classified, verb, url, headers, &Caller::default())
}

fn explain_as(
    facts: &ApiFacts,
    classified: &Classified,
    verb: &str,
    url: &str,
    headers: &[(&str, &str)],
    caller: &Caller,
) -> Verdict {
    let request = Request {
        method: verb.into(),
        url: Some(url.into()),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    };
    let target = parse(url, request.header("host")).unwrap();
    correlate(&Case {
        classified,
        request: &request,
        target: Some(&target),
        caller,
        facts: Some(facts),
    })
}

fn add_route(facts: &mut ApiFacts, verb: &str, path: &str, m: Method) {
    let mut routes: Vec<(String, String, Method)> = Vec::new();
    for r in &facts.context.live.resources {
        for (v, m) in &r.methods {
            routes.push((v.clone(), r.path.clone(), m.clone()));
        }
    }
    routes.push((verb.into(), path.into(), m));
    let refs: Vec<(&str, &str, Method)> = routes
        .iter()
        .map(|(v, p, m)| (v.as_str(), p.as_str(), m.clone()))
        .collect();
    let policy = facts.context.live.rest_api.policy.clone();
    facts.context.live = api(&refs);
    facts.context.live.rest_api.policy = policy;
}

#[test]
fn a_live_route_missing_from_the_deployment_is_a_stale_deployment() {
    let mut f = facts();
    add_route(
        &mut f,
        "GET",
        "/owners",
        method("NONE", false, "http://backend.example.com/owners"),
    );
    let v = explain(&f, &missing_token(), "GET", &format!("{URL}/owners"), &[]);
    assert_eq!(v.layer, Layer::StaleDeployment, "{v:?}");
    assert_eq!(v.route.as_deref(), Some("GET /owners"));
    assert!(v.verdict.starts_with("403 from a stale deployment: GET /owners is in the API but not in the deployment stage dev serves"), "{}", v.verdict);
    assert!(
        v.evidence
            .iter()
            .any(|e| e.contains("deployment d1") && e.contains("apiSummary")),
        "{:?}",
        v.evidence
    );
    assert!(v
        .fix
        .as_deref()
        .unwrap()
        .contains("triggers    = { redeployment = data.gwtrigger.api.hash }"));
}

#[test]
fn without_a_comparable_deployment_the_answer_itself_is_the_evidence() {
    let mut f = facts();
    add_route(&mut f, "GET", "/owners", method("NONE", false, "http://b"));
    f.context.stage.routes = DeployedRoutes::Unknown("GetDeployment returned no apiSummary".into());
    f.context.stage.exported_integrations = None;
    let v = explain(&f, &missing_token(), "GET", &format!("{URL}/owners"), &[]);
    assert_eq!(v.layer, Layer::StaleDeployment);
    assert!(
        v.evidence
            .iter()
            .any(|e| e.contains("cannot be compared: GetDeployment returned no apiSummary")),
        "{:?}",
        v.evidence
    );
}

#[test]
fn another_verb_on_the_path_is_the_wrong_method() {
    let v = explain(
        &facts(),
        &missing_token(),
        "DELETE",
        &format!("{URL}/pets"),
        &[],
    );
    assert_eq!(v.layer, Layer::WrongMethod, "{v:?}");
    assert!(
        v.verdict
            .contains("/pets has no DELETE method; it answers GET, POST"),
        "{}",
        v.verdict
    );
    let preflight = explain(
        &facts(),
        &missing_token(),
        "OPTIONS",
        &format!("{URL}/pets/7"),
        &[],
    );
    assert_eq!(preflight.layer, Layer::WrongMethod);
    assert!(preflight.fix.unwrap().contains("CORS preflight"));
}

#[test]
fn proxy_plus_and_path_parameters_match_like_api_gateway() {
    // Served by ANY /files/{proxy+}: the route layers cannot explain a missing token there.
    let v = explain(
        &facts(),
        &missing_token(),
        "PUT",
        &format!("{URL}/files/a/b.txt"),
        &[],
    );
    assert_eq!(v.route.as_deref(), Some("ANY /files/{proxy+}"));
    assert_eq!(v.layer, Layer::Unknown);
    let typo = explain(
        &facts(),
        &missing_token(),
        "GET",
        &format!("{URL}/petz"),
        &[],
    );
    assert_eq!(typo.layer, Layer::NoSuchRoute);
    assert!(
        typo.verdict.contains("the API has no route GET /petz"),
        "{}",
        typo.verdict
    );
    let case = explain(
        &facts(),
        &missing_token(),
        "GET",
        &format!("{URL}/Pets"),
        &[],
    );
    assert!(
        case.evidence
            .iter()
            .any(|e| e.contains("did you mean GET /pets?")),
        "{:?}",
        case.evidence
    );
    let twice = explain(
        &facts(),
        &missing_token(),
        "GET",
        &format!("{URL}/dev/pets"),
        &[],
    );
    assert!(
        twice
            .evidence
            .iter()
            .any(|e| e.contains("stage name is in the URL twice")),
        "{:?}",
        twice.evidence
    );
}

#[test]
fn a_path_outside_every_stage_is_the_stage_prefix() {
    let mut f = facts();
    add_route(
        &mut f,
        "GET",
        "/openapi.json",
        method("NONE", false, "http://b/openapi.json"),
    );
    f.stage_found = false;
    f.context.stage = Default::default();
    let v = explain(
        &f,
        &missing_token(),
        "GET",
        "https://abc123.execute-api.us-east-1.amazonaws.com/openapi.json",
        &[],
    );
    assert_eq!(v.layer, Layer::StagePrefix, "{v:?}");
    assert!(
        v.verdict.contains(
            "/openapi.json is outside every stage; the API serves it at /dev/openapi.json"
        ),
        "{}",
        v.verdict
    );
    let fix = v.fix.unwrap();
    assert!(
        fix.contains("root_path=\"/dev\"") && fix.contains("relative URL"),
        "{fix}"
    );
    // LocalStack's host-style 404 for the same mistake.
    let emulated = answer(
        404,
        None,
        r#"{"message": "The API id 'abc123' does not correspond to a deployed API Gateway API"}"#,
    );
    let v = explain(
        &f,
        &emulated,
        "GET",
        "http://127.0.0.1:4566/openapi.json",
        &[("Host", "abc123.execute-api.localhost.localstack.cloud:4566")],
    );
    assert_eq!(v.layer, Layer::StagePrefix);
    assert!(
        v.evidence
            .iter()
            .any(|e| e.contains("LocalStack answers 404")),
        "{:?}",
        v.evidence
    );
    // A proxy+ at the root serves every path (the FastAPI example).
    let mut proxy = facts();
    add_route(
        &mut proxy,
        "ANY",
        "/{proxy+}",
        method("NONE", false, "http://127.0.0.1:8000/{proxy}"),
    );
    proxy.stage_found = false;
    let v = explain(
        &proxy,
        &missing_token(),
        "GET",
        "https://abc123.execute-api.us-east-1.amazonaws.com/openapi.json",
        &[],
    );
    assert_eq!(
        (v.layer, v.route.as_deref()),
        (Layer::StagePrefix, Some("ANY /{proxy+}"))
    );
}

#[test]
fn an_unsigned_call_to_an_iam_route_is_iam_auth() {
    let mut f = facts();
    add_route(
        &mut f,
        "GET",
        "/admin",
        method("AWS_IAM", false, "http://b/admin"),
    );
    f.context.stage = deployed(&f.context.live);
    let v = explain(&f, &missing_token(), "GET", &format!("{URL}/admin"), &[]);
    assert_eq!(v.layer, Layer::IamAuth, "{v:?}");
    assert!(v.fix.unwrap().contains("--aws-sigv4"));
    let signed = explain(&f, &missing_token(), "GET", &format!("{URL}/admin"), &[("Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=abc")]);
    assert_eq!(signed.layer, Layer::Unknown);
}

fn key_facts() -> ApiFacts {
    let mut f = facts();
    add_route(
        &mut f,
        "GET",
        "/secret",
        method("NONE", true, "http://b/secret"),
    );
    f.context.stage = deployed(&f.context.live);
    f.context.usage_plans = vec![
        UsagePlan {
            id: "p-dev".into(),
            name: "dev-plan".into(),
            api_stages: vec![("abc123".into(), "dev".into())],
            key_names: vec!["alice".into()],
            key_ids: vec!["k-alice".into()],
        },
        UsagePlan {
            id: "p-prod".into(),
            name: "prod-plan".into(),
            api_stages: vec![("abc123".into(), "prod".into())],
            key_names: vec!["bob".into()],
            key_ids: vec!["k-bob".into()],
        },
    ];
    f.api_keys = Some(vec![
        ApiKeyDigest {
            id: "k-alice".into(),
            name: "alice".into(),
            enabled: true,
            value_sha256: sha256_hex("alice-key-value-000"),
        },
        ApiKeyDigest {
            id: "k-bob".into(),
            name: "bob".into(),
            enabled: true,
            value_sha256: sha256_hex("bob-key-value-0000"),
        },
        ApiKeyDigest {
            id: "k-carol".into(),
            name: "carol".into(),
            enabled: false,
            value_sha256: sha256_hex("carol-key-value-00"),
        },
    ]);
    f
}

#[test]
fn forbidden_names_the_api_key_problem() {
    let f = key_facts();
    let url = format!("{URL}/secret");
    let none = explain(&f, &forbidden(), "GET", &url, &[]);
    assert_eq!(none.layer, Layer::ApiKey);
    assert!(
        none.verdict
            .contains("requires an API key and none was sent"),
        "{}",
        none.verdict
    );
    let unknown = explain(
        &f,
        &forbidden(),
        "GET",
        &url,
        &[("x-api-key", "made-up-key-1234")],
    );
    assert!(
        unknown.verdict.contains("not an API key of this account"),
        "{}",
        unknown.verdict
    );
    let disabled = explain(
        &f,
        &forbidden(),
        "GET",
        &url,
        &[("X-API-Key", "carol-key-value-00")],
    );
    assert!(
        disabled.verdict.contains("\"carol\") is disabled"),
        "{}",
        disabled.verdict
    );
    let other_stage = explain(
        &f,
        &forbidden(),
        "GET",
        &url,
        &[("x-api-key", "bob-key-value-0000")],
    );
    assert_eq!(
        other_stage.verdict,
        "403 from the API key check: the key sent is in no usage plan of stage dev"
    );
    assert!(
        other_stage
            .evidence
            .iter()
            .any(|e| e.contains("\"prod-plan\" which do not include stage dev")),
        "{:?}",
        other_stage.evidence
    );
    assert!(other_stage
        .fix
        .unwrap()
        .contains("usage_plan_id = \"p-dev\""));
    for v in [&none, &unknown, &disabled] {
        let all = format!("{v:?}");
        assert!(
            !all.contains("key-value") && !all.contains("made-up-key"),
            "{all}"
        );
    }
    // A valid key in the stage's plan: the key check passed, so WAF.
    let mut waf = f.clone();
    waf.context.stage.web_acl_arn =
        Some("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/edge/1".into());
    let v = explain(
        &waf,
        &forbidden(),
        "GET",
        &url,
        &[("x-api-key", "alice-key-value-000")],
    );
    assert_eq!(v.layer, Layer::WafOrPrivateEndpoint, "{v:?}");
    assert!(v
        .evidence
        .iter()
        .any(|e| e.contains("in usage plan \"dev-plan\"")));
}

#[test]
fn forbidden_without_a_key_route_is_waf_or_private_endpoint() {
    let mut f = facts();
    f.context.live.rest_api.endpoint_configuration.types = vec!["PRIVATE".into()];
    let v = explain(&f, &forbidden(), "GET", &format!("{URL}/pets"), &[]);
    assert_eq!(v.layer, Layer::WafOrPrivateEndpoint);
    assert!(
        v.verdict
            .contains("PRIVATE API was called outside its VPC endpoint"),
        "{}",
        v.verdict
    );
    let mut disabled = facts();
    disabled.context.live.rest_api.disable_execute_api_endpoint = Some(true);
    assert!(
        explain(&disabled, &forbidden(), "GET", &format!("{URL}/pets"), &[])
            .verdict
            .contains("default execute-api endpoint")
    );
    assert_eq!(
        explain(&facts(), &forbidden(), "GET", &format!("{URL}/pets"), &[]).layer,
        Layer::Unknown
    );
}

fn denied(explicit: bool) -> Classified {
    let deny = if explicit {
        " with an explicit deny"
    } else {
        ""
    };
    answer(
        403,
        Some("AccessDeniedException"),
        &format!(
            r#"{{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets{deny}"}}"#
        ),
    )
}

#[test]
fn the_resource_policy_names_the_denying_statement_or_the_missing_allow() {
    let mut f = facts();
    f.context.live.rest_api.policy = Some(r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},
        {"Sid":"OfficeOnly","Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*",
         "Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#.into());
    let outside = Caller {
        source_ip: Some("198.51.100.4".parse().unwrap()),
        vpce: None,
    };
    let v = explain_as(
        &f,
        &denied(true),
        "GET",
        &format!("{URL}/pets"),
        &[],
        &outside,
    );
    assert_eq!(v.layer, Layer::ResourcePolicy);
    assert_eq!(v.verdict, "403 from the resource policy: statement \"OfficeOnly\" denies GET /pets for a caller from source IP 198.51.100.4");
    let unknown_ip = explain(&f, &denied(true), "GET", &format!("{URL}/pets"), &[]);
    assert!(
        unknown_ip
            .verdict
            .contains("when its Condition holds (pass --source-ip"),
        "{}",
        unknown_ip.verdict
    );

    let mut vpce_only = facts();
    vpce_only.context.live.rest_api.policy = Some(r#"{"Statement":[{"Sid":"FromVpce","Effect":"Allow","Principal":"*","Action":"execute-api:Invoke",
        "Resource":"arn:aws:execute-api:us-east-1:*:abc123/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0aaa"}}}]}"#.into());
    let other = Caller {
        source_ip: None,
        vpce: Some("vpce-0bbb".into()),
    };
    let v = explain_as(
        &vpce_only,
        &denied(false),
        "GET",
        &format!("{URL}/pets"),
        &[],
        &other,
    );
    assert!(v.verdict.contains("no statement allows execute-api:Invoke on arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets (implicit deny)"), "{}", v.verdict);
    assert!(v.fix.unwrap().contains("aws_iam_policy_document"));
    let right = Caller {
        source_ip: None,
        vpce: Some("vpce-0aaa".into()),
    };
    let stale = explain_as(
        &vpce_only,
        &denied(false),
        "GET",
        &format!("{URL}/pets"),
        &[],
        &right,
    );
    assert!(
        stale
            .verdict
            .contains("the deployed resource policy denies the call; the live one allows it"),
        "{}",
        stale.verdict
    );
}

#[test]
fn an_authorizer_denial_names_the_authorizer() {
    let mut f = facts();
    let mut m = method("CUSTOM", false, "http://b/orders");
    m.authorizer_id = Some("au1".into());
    add_route(&mut f, "GET", "/orders", m);
    f.context.live.authorizers = vec![Authorizer {
        id: "au1".into(),
        name: "token-check".into(),
        authorizer_type: Some("TOKEN".into()),
        identity_source: Some("method.request.header.Authorization".into()),
        ..Authorizer::default()
    }];
    f.context.stage = deployed(&f.context.live);
    let denied = answer(
        403,
        Some("AccessDeniedException"),
        r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#,
    );
    let v = explain(
        &f,
        &denied,
        "GET",
        &format!("{URL}/orders"),
        &[("Authorization", "Bearer abc.def.ghi")],
    );
    assert_eq!(v.layer, Layer::Authorizer);
    assert!(
        v.verdict
            .contains("authorizer \"token-check\" (TOKEN) returned a policy that denies"),
        "{}",
        v.verdict
    );
    let unauthorized = answer(
        401,
        Some("UnauthorizedException"),
        r#"{"message":"Unauthorized"}"#,
    );
    let v = explain(&f, &unauthorized, "GET", &format!("{URL}/orders"), &[]);
    assert_eq!(v.layer, Layer::Authorizer);
    assert!(v
        .evidence
        .iter()
        .any(|e| e == "an Authorization header was not sent"));
}

#[test]
fn a_403_without_error_type_is_the_backend_from_the_deployment() {
    let mut f = facts();
    // The deployment still points at the old backend.
    if let Some(exported) = f.context.stage.exported_integrations.as_mut() {
        exported.insert(
            "GET /pets".into(),
            IntegrationTarget::new(
                Some("HTTP_PROXY"),
                Some("http://old-backend.example.com/pets"),
                Some("GET"),
            ),
        );
    }
    let v = explain(
        &f,
        &answer(403, None, r#"{"detail":"Not authenticated"}"#),
        "GET",
        &format!("{URL}/pets"),
        &[],
    );
    assert_eq!(v.layer, Layer::Integration);
    assert_eq!(v.verdict, "403 from the integration's backend: HTTP_PROXY GET http://old-backend.example.com/pets answered 403");
    assert!(v
        .evidence
        .iter()
        .any(|e| e.contains("(from the deployment)")));
}

#[test]
fn an_aws_service_backend_passes_its_own_error_type_through() {
    let mut f = facts();
    let mut m = method("NONE", false, "");
    m.integration = Some(Integration {
        integration_type: Some("AWS".into()),
        http_method: Some("GET".into()),
        uri: Some("arn:aws:apigateway:us-east-1:s3:path/bucket/{key}".into()),
        ..Integration::default()
    });
    add_route(&mut f, "GET", "/objects/{key}", m);
    f.context.stage = deployed(&f.context.live);
    let s3 = answer(
        403,
        Some("AccessDeniedException"),
        r#"{"Message":"Access Denied"}"#,
    );
    let v = explain(&f, &s3, "GET", &format!("{URL}/objects/a.txt"), &[]);
    assert_eq!(v.layer, Layer::Integration, "{v:?}");
    assert!(
        v.verdict
            .contains("the s3 service behind GET /objects/{key} answered AccessDeniedException"),
        "{}",
        v.verdict
    );
    // DynamoDB, STS and most services name the caller like the gateway's IAM denial does;
    // the action they were refused is not execute-api's.
    let dynamodb = answer(
        403,
        Some("AccessDeniedException"),
        r#"{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: arn:aws:sts::123456789012:assumed-role/api/APIGateway is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/t"}"#,
    );
    let v = explain(&f, &dynamodb, "GET", &format!("{URL}/objects/a.txt"), &[]);
    assert_eq!(v.layer, Layer::Integration, "{v:?}");
    // The gateway's own message on the same route is still the gateway's.
    assert_eq!(
        explain(
            &f,
            &denied(false),
            "GET",
            &format!("{URL}/objects/a.txt"),
            &[]
        )
        .layer,
        Layer::ResourcePolicy
    );
}

#[test]
fn customised_gateway_responses_make_the_body_unreliable() {
    let mut f = facts();
    add_route(&mut f, "GET", "/owners", method("NONE", false, "http://b"));
    f.context.live.gateway_responses = vec![GatewayResponse {
        response_type: "MISSING_AUTHENTICATION_TOKEN".into(),
        status_code: Some("404".into()),
        ..GatewayResponse::default()
    }];
    let custom = answer(
        404,
        Some("MissingAuthenticationTokenException"),
        r#"{"error":"not found"}"#,
    );
    let v = explain(&f, &custom, "GET", &format!("{URL}/owners"), &[]);
    assert_eq!(v.layer, Layer::StaleDeployment);
    assert!(v.verdict.starts_with("404 from a stale deployment"));
    assert!(
        v.evidence
            .iter()
            .any(|e| e.contains("MISSING_AUTHENTICATION_TOKEN (status 404)")
                && e.contains("follows the x-amzn-ErrorType header")),
        "{:?}",
        v.evidence
    );
}

#[test]
fn without_the_api_the_answer_alone_decides() {
    let request = Request {
        method: "GET".into(),
        url: None,
        headers: vec![],
    };
    let layer = |c: &Classified| {
        correlate(&Case {
            classified: c,
            request: &request,
            target: None,
            caller: &Caller::default(),
            facts: None,
        })
        .layer
    };
    assert_eq!(layer(&missing_token()), Layer::Unknown);
    assert_eq!(layer(&forbidden()), Layer::ApiKey);
    assert_eq!(layer(&denied(true)), Layer::ResourcePolicy);
    assert_eq!(layer(&answer(403, None, "nope")), Layer::Integration);
    assert_eq!(layer(&answer(200, None, "ok")), Layer::None);
    assert_eq!(
        layer(&answer(429, Some("TooManyRequestsException"), "{}")),
        Layer::Unknown
    );
}

#[test]
fn a_custom_domain_path_no_mapping_covers_is_no_such_route() {
    let f = ApiFacts {
        unmapped_domain: Some((
            "api.example.com".into(),
            vec![crate::explain::target::BasePathMapping {
                base_path: "v1".into(),
                rest_api_id: "abc123".into(),
                stage: Some("dev".into()),
            }],
        )),
        ..ApiFacts::default()
    };
    let v = explain(
        &f,
        &missing_token(),
        "GET",
        "https://api.example.com/v2/items",
        &[],
    );
    assert_eq!(v.layer, Layer::NoSuchRoute);
    assert_eq!(
        v.verdict,
        "403 from route matching: no base path mapping of api.example.com covers /v2/items"
    );
    assert!(
        v.evidence
            .iter()
            .any(|e| e == "base path mappings of api.example.com: /v1 → abc123/dev"),
        "{:?}",
        v.evidence
    );
    assert!(v.fix.unwrap().contains("base_path = \"v2\""));
}
