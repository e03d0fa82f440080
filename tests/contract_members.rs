//! The guard of "members AWS adds later" (docs/hash-contract.md): every member the AWS SDK's
//! types carry, and every member of the AWS-shaped answers in `tests/fixtures/aws/`, must be
//! decided in `canonical::members` — hashed, or not captured by a deployment with a reason. An
//! SDK upgrade that models a new member fails here until the contract decides on it.

use std::fmt::Debug;

use aws_sdk_apigateway::types as sdk;
use gwtrigger::canonical::members::{self, Kind};
use serde_json::Value;

/// The member names of an SDK type, read from its derived `Debug` output (`Type { a: .., }`),
/// spelled as AWS's JSON spells them.
fn sdk_members(value: &impl Debug) -> Vec<String> {
    let text = format!("{value:#?}");
    text.lines()
        .skip(1)
        .filter_map(|line| {
            // Top-level fields are indented by exactly four spaces in the pretty output.
            let field = line.strip_prefix("    ")?;
            if field.starts_with(' ') {
                return None;
            }
            let (name, _) = field.split_once(':')?;
            // `_request_id` and the like are the SDK's own, not members of the answer.
            (!name.starts_with('_')).then(|| aws_name(name.trim_start_matches("r#")))
        })
        .collect()
}

/// `authorizer_result_ttl_in_seconds` → `authorizerResultTtlInSeconds`; AWS's one irregular
/// spelling is listed.
fn aws_name(snake: &str) -> String {
    if snake == "provider_arns" {
        return "providerARNs".to_owned();
    }
    let mut out = String::new();
    for (i, part) in snake.split('_').enumerate() {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.push(first);
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out
}

fn undecided(kind: &Kind, names: impl IntoIterator<Item = String>) -> Vec<String> {
    names
        .into_iter()
        .filter(|name| !kind.decides(name))
        .map(|name| format!("{}.{name}", kind.name))
        .collect()
}

#[test]
fn every_member_of_the_sdk_types_is_decided() {
    let checks: Vec<(Kind, Vec<String>)> = vec![
        (
            members::REST_API,
            sdk_members(&sdk::RestApi::builder().build()),
        ),
        (
            members::REST_API,
            sdk_members(
                &aws_sdk_apigateway::operation::get_rest_api::GetRestApiOutput::builder().build(),
            ),
        ),
        (
            members::ENDPOINT_CONFIGURATION,
            sdk_members(&sdk::EndpointConfiguration::builder().build()),
        ),
        (
            members::RESOURCE,
            sdk_members(&sdk::Resource::builder().build()),
        ),
        (
            members::METHOD,
            sdk_members(&sdk::Method::builder().build()),
        ),
        (
            members::METHOD_RESPONSE,
            sdk_members(&sdk::MethodResponse::builder().build()),
        ),
        (
            members::INTEGRATION,
            sdk_members(&sdk::Integration::builder().build()),
        ),
        (
            members::TLS_CONFIG,
            sdk_members(&sdk::TlsConfig::builder().build()),
        ),
        (
            members::INTEGRATION_RESPONSE,
            sdk_members(&sdk::IntegrationResponse::builder().build()),
        ),
        (
            members::AUTHORIZER,
            sdk_members(&sdk::Authorizer::builder().build()),
        ),
        (members::MODEL, sdk_members(&sdk::Model::builder().build())),
        (
            members::REQUEST_VALIDATOR,
            sdk_members(&sdk::RequestValidator::builder().build()),
        ),
        (
            members::GATEWAY_RESPONSE,
            sdk_members(&sdk::GatewayResponse::builder().build()),
        ),
    ];
    let mut missing = Vec::new();
    for (kind, names) in checks {
        assert!(
            !names.is_empty(),
            "{}: could not read the SDK's members",
            kind.name
        );
        missing.extend(undecided(&kind, names));
    }
    assert!(
        missing.is_empty(),
        "members the hash contract has not decided on (add each to src/canonical/members.rs and \
         docs/hash-contract.md): {missing:?}"
    );
}

#[test]
fn the_reader_of_sdk_members_reads_them() {
    let names = sdk_members(&sdk::TlsConfig::builder().build());
    assert_eq!(names, ["insecureSkipVerification"]);
    let names = sdk_members(&sdk::Authorizer::builder().build());
    assert!(names.contains(&"providerARNs".to_owned()), "{names:?}");
    assert!(names.contains(&"type".to_owned()), "{names:?}");
    assert!(!members::TLS_CONFIG.decides("someNewSetting"));
}

fn answer(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/aws/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn items(answer: &Value) -> &Vec<Value> {
    answer["item"]
        .as_array()
        .expect("a collection answer has `item`")
}

/// Checks the members of `object` as `kind`, and the nested objects the contract reads.
fn check(kind: &Kind, object: &Value, missing: &mut Vec<String>) {
    let map = object.as_object().expect("an object");
    missing.extend(undecided(kind, map.keys().cloned()));
    let each = |member: &str| -> Vec<&Value> {
        map.get(member)
            .and_then(Value::as_object)
            .map(|m| m.values().collect())
            .unwrap_or_default()
    };
    let mut nested: Vec<(Kind, &Value)> = Vec::new();
    if let Some(inner) = map.get("endpointConfiguration") {
        nested.push((members::ENDPOINT_CONFIGURATION, inner));
    }
    if let Some(inner) = map.get("tlsConfig") {
        nested.push((members::TLS_CONFIG, inner));
    }
    if let Some(inner) = map.get("methodIntegration") {
        nested.push((members::INTEGRATION, inner));
    }
    nested.extend(
        each("resourceMethods")
            .into_iter()
            .map(|m| (members::METHOD, m)),
    );
    nested.extend(
        each("methodResponses")
            .into_iter()
            .map(|m| (members::METHOD_RESPONSE, m)),
    );
    nested.extend(
        each("integrationResponses")
            .into_iter()
            .map(|m| (members::INTEGRATION_RESPONSE, m)),
    );
    for (kind, inner) in nested {
        check(&kind, inner, missing);
    }
}

#[test]
fn every_member_of_the_aws_shaped_answers_is_decided() {
    let mut missing = Vec::new();
    check(&members::REST_API, &answer("get-rest-api"), &mut missing);
    for (file, kind) in [
        ("get-resources", members::RESOURCE),
        ("get-authorizers", members::AUTHORIZER),
        ("get-models", members::MODEL),
        ("get-request-validators", members::REQUEST_VALIDATOR),
        ("get-gateway-responses", members::GATEWAY_RESPONSE),
    ] {
        let answer = answer(file);
        for item in items(&answer) {
            check(&kind, item, &mut missing);
        }
    }
    assert!(missing.is_empty(), "undecided members: {missing:?}");
}

#[test]
fn the_answers_walk_reaches_nested_members() {
    let mut missing = Vec::new();
    let resource = serde_json::json!({"path": "/", "resourceMethods": {"GET": {
        "methodIntegration": {"tlsConfig": {"someNewSetting": 1},
            "integrationResponses": {"200": {"someNewSetting": 1}}},
        "methodResponses": {"200": {"someNewSetting": 1}}}}});
    check(&members::RESOURCE, &resource, &mut missing);
    missing.sort();
    assert_eq!(
        missing,
        [
            "IntegrationResponse.someNewSetting",
            "MethodResponse.someNewSetting",
            "TlsConfig.someNewSetting"
        ]
    );
}
