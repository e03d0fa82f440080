//! Fuzzing (proptest) of the two places where arbitrary input meets the provider (issue 6):
//!
//! - the canonicaliser and hash: arbitrary [`Snapshot`]s — any strings (control characters,
//!   unicode, quotes, backslashes), policies and model schemas that are JSON, escaped JSON or
//!   garbage, duplicate paths and keys — never panic and always give valid JSON and a sha1;
//! - the provider behind the DynamicValue decoder: msgpack shaped like our schemas but with
//!   random leaves, unknown values, wrong types and attributes not in the schema, decoded and
//!   handed to validate, configure and read. Nothing may panic; every problem is a diagnostic
//!   with a summary and a detail.
//!
//! Raw random bytes into the decoder are fuzzed next to it (`plugin::codec` unit tests).

use std::sync::OnceLock;

use gwtrigger::canonical::{document, Aspect, Options};
use gwtrigger::hash::fingerprint;
use gwtrigger::plugin::{block_type, decode_msgpack, Diagnostic, Provider, Type, Value};
use gwtrigger::provider::GwtriggerProvider;
use gwtrigger::snapshot::{
    Authorizer, EndpointConfiguration, GatewayResponse, Integration, IntegrationResponse, Method,
    MethodResponse, Model, RequestValidator, Resource, RestApi, Snapshot, SortedMap, TlsConfig,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;

// ---------------------------------------------------------------------------------------------
// Canonicaliser

/// Any string, biased towards what breaks escaping and JSON embedding.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,12}",
        Just(String::new()),
        Just("\"\\\u{0}\u{1f}\u{7f}\u{2028}\u{fffd}".to_string()),
        "[{}\\[\\]\":,\\\\a-z0-9 ]{0,24}",
        "/[a-z{}+é日本]{0,8}",
    ]
    .boxed()
}

fn opt_text() -> BoxedStrategy<Option<String>> {
    option::of(text()).boxed()
}

/// JSON values, for policies and model schemas.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            btree_map(text(), inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A policy or schema as API Gateway may return it: JSON, JSON with escaped quotes (how
/// GetRestApi returns policies), or anything else.
fn embedded_json() -> impl Strategy<Value = Option<String>> {
    option::of(prop_oneof![
        json_value().prop_map(|v| v.to_string()),
        json_value().prop_map(|v| v.to_string().replace('"', "\\\"")),
        text(),
    ])
}

/// A snapshot map of up to `max` entries with arbitrary keys.
fn sorted_map<V: std::fmt::Debug>(
    value: impl Strategy<Value = V>,
    max: usize,
) -> impl Strategy<Value = SortedMap<V>> {
    btree_map(text(), value, 0..max).prop_map(SortedMap::from)
}

fn string_map() -> impl Strategy<Value = SortedMap<String>> {
    sorted_map(text(), 3)
}

fn bool_map() -> impl Strategy<Value = SortedMap<bool>> {
    sorted_map(any::<bool>(), 3)
}

fn integration() -> BoxedStrategy<Integration> {
    let response = (text(), opt_text(), string_map(), string_map(), opt_text()).prop_map(
        |(
            status_code,
            selection_pattern,
            response_parameters,
            response_templates,
            content_handling,
        )| {
            IntegrationResponse {
                status_code,
                selection_pattern,
                response_parameters,
                response_templates,
                content_handling,
                other: Default::default(),
            }
        },
    );
    (
        (
            opt_text(),
            opt_text(),
            opt_text(),
            opt_text(),
            opt_text(),
            opt_text(),
        ),
        (
            string_map(),
            string_map(),
            opt_text(),
            opt_text(),
            option::of(any::<i32>()),
        ),
        (opt_text(), vec(text(), 0..3), option::of(any::<bool>())),
        sorted_map(response, 3),
    )
        .prop_map(|(a, b, c, integration_responses)| Integration {
            integration_type: a.0,
            http_method: a.1,
            uri: a.2,
            connection_type: a.3,
            connection_id: a.4,
            credentials: a.5,
            request_parameters: b.0,
            request_templates: b.1,
            passthrough_behavior: b.2,
            content_handling: b.3,
            timeout_in_millis: b.4,
            cache_namespace: c.0,
            cache_key_parameters: c.1,
            tls_config: TlsConfig {
                insecure_skip_verification: c.2,
                ..TlsConfig::default()
            },
            integration_responses,
            ..Default::default()
        })
        .boxed()
}

fn method() -> BoxedStrategy<Method> {
    let response = (text(), bool_map(), string_map()).prop_map(
        |(status_code, response_parameters, response_models)| MethodResponse {
            status_code,
            response_parameters,
            response_models,
            other: Default::default(),
        },
    );
    (
        (
            text(),
            opt_text(),
            opt_text(),
            option::of(any::<bool>()),
            opt_text(),
        ),
        (bool_map(), string_map(), opt_text(), vec(text(), 0..3)),
        sorted_map(response, 3),
        option::of(integration()),
    )
        .prop_map(|(a, b, method_responses, integration)| Method {
            http_method: a.0,
            authorization_type: a.1,
            authorizer_id: a.2,
            api_key_required: a.3,
            operation_name: a.4,
            request_parameters: b.0,
            request_models: b.1,
            request_validator_id: b.2,
            authorization_scopes: b.3,
            method_responses,
            integration,
            other: Default::default(),
        })
        .boxed()
}

fn resource() -> BoxedStrategy<Resource> {
    (
        text(),
        opt_text(),
        text(),
        opt_text(),
        sorted_map(method(), 3),
    )
        .prop_map(|(id, parent_id, path, path_part, methods)| Resource {
            id,
            parent_id,
            path,
            path_part,
            methods,
            other: Default::default(),
        })
        .boxed()
}

fn snapshot() -> impl Strategy<Value = Snapshot> {
    let rest_api = (
        (
            text(),
            embedded_json(),
            vec(text(), 0..3),
            option::of(any::<i32>()),
        ),
        (
            opt_text(),
            vec(text(), 0..2),
            vec(text(), 0..2),
            option::of(any::<bool>()),
        ),
    )
        .prop_map(|(a, b)| RestApi {
            id: a.0,
            policy: a.1,
            binary_media_types: a.2,
            minimum_compression_size: a.3,
            api_key_source: b.0,
            endpoint_configuration: EndpointConfiguration {
                types: b.1,
                vpc_endpoint_ids: b.2,
                ..EndpointConfiguration::default()
            },
            disable_execute_api_endpoint: b.3,
            ..Default::default()
        });
    let authorizer = (
        (text(), text(), opt_text(), vec(text(), 0..2), opt_text()),
        (
            opt_text(),
            opt_text(),
            opt_text(),
            opt_text(),
            option::of(any::<i32>()),
        ),
    )
        .prop_map(|(a, b)| Authorizer {
            id: a.0,
            name: a.1,
            authorizer_type: a.2,
            provider_arns: a.3,
            auth_type: a.4,
            authorizer_uri: b.0,
            authorizer_credentials: b.1,
            identity_source: b.2,
            identity_validation_expression: b.3,
            authorizer_result_ttl_in_seconds: b.4,
            other: Default::default(),
        });
    let model = (text(), text(), opt_text(), embedded_json()).prop_map(
        |(id, name, content_type, schema)| Model {
            id,
            name,
            content_type,
            schema,
            other: Default::default(),
        },
    );
    let validator = (
        text(),
        text(),
        option::of(any::<bool>()),
        option::of(any::<bool>()),
    )
        .prop_map(|(id, name, body, parameters)| RequestValidator {
            id,
            name,
            validate_request_body: body,
            validate_request_parameters: parameters,
            other: Default::default(),
        });
    let gateway_response = (
        text(),
        opt_text(),
        string_map(),
        string_map(),
        any::<bool>(),
    )
        .prop_map(
            |(response_type, status_code, parameters, templates, default_response)| {
                GatewayResponse {
                    response_type,
                    status_code,
                    response_parameters: parameters,
                    response_templates: templates,
                    default_response,
                    other: Default::default(),
                }
            },
        );
    (
        rest_api,
        vec(resource(), 0..6),
        vec(authorizer, 0..3),
        vec(model, 0..3),
        vec(validator, 0..3),
        vec(gateway_response, 0..3),
    )
        .prop_map(
            |(rest_api, resources, authorizers, models, request_validators, gateway_responses)| {
                Snapshot {
                    rest_api,
                    resources,
                    authorizers,
                    models,
                    request_validators,
                    gateway_responses,
                }
            },
        )
}

fn options() -> impl Strategy<Value = Options> {
    proptest::sample::subsequence(Aspect::ALL.to_vec(), 0..=Aspect::ALL.len()).prop_map(|picked| {
        Options {
            exclude: picked.into_iter().collect(),
        }
    })
}

fn is_sha1(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_snapshot_gives_valid_json_and_a_sha1(snapshot in snapshot(), options in options()) {
        let bytes = document(&snapshot, &options);
        let parsed: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes))))?;
        prop_assert!(parsed.is_object());
        prop_assert_eq!(&parsed["version"], gwtrigger::canonical::CONTRACT_VERSION);
        let fp = fingerprint(&snapshot, &options);
        prop_assert!(is_sha1(&fp.hash), "{}", fp.hash);
        prop_assert!(fp.routes.values().all(|h| is_sha1(h)));
        prop_assert_eq!(fp.method_count, snapshot.method_count());
        prop_assert_eq!(fp.integration_count, snapshot.integration_count());
        let mut sorted = fp.ids.clone();
        sorted.sort();
        prop_assert_eq!(&sorted, &fp.ids);
        // Deterministic: the same input hashes the same, and so does a shuffled copy with
        // the pages read in another order.
        prop_assert_eq!(fingerprint(&snapshot, &options).hash, fp.hash.clone());
        let mut reversed = snapshot.clone();
        reversed.resources.reverse();
        reversed.authorizers.reverse();
        reversed.models.reverse();
        reversed.request_validators.reverse();
        reversed.gateway_responses.reverse();
        let unique_paths = snapshot.resources.iter().map(|r| &r.path).collect::<std::collections::BTreeSet<_>>().len();
        let unique_names = |names: Vec<&String>| names.iter().collect::<std::collections::BTreeSet<_>>().len() == names.len();
        if unique_paths == snapshot.resources.len()
            && unique_names(snapshot.authorizers.iter().map(|a| &a.name).collect())
            && unique_names(snapshot.models.iter().map(|m| &m.name).collect())
            && unique_names(snapshot.request_validators.iter().map(|v| &v.name).collect())
            && unique_names(snapshot.gateway_responses.iter().map(|g| &g.response_type).collect())
        {
            prop_assert_eq!(fingerprint(&reversed, &options).hash, fp.hash);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DynamicValue → provider

/// A msgpack value shaped like `ty`, with random leaves; sometimes unknown, null, of the wrong
/// kind, or with an attribute the schema does not have.
fn shaped(ty: &Type, depth: u32) -> BoxedStrategy<rmpv::Value> {
    let unknown = Just(rmpv::Value::Ext(0, vec![0])).boxed();
    let wrong = prop_oneof![
        any::<bool>().prop_map(rmpv::Value::from),
        any::<i64>().prop_map(rmpv::Value::from),
        any::<f64>().prop_map(rmpv::Value::from),
        text().prop_map(rmpv::Value::from),
        vec(any::<u8>(), 0..4).prop_map(rmpv::Value::Binary),
        Just(rmpv::Value::Array(vec![])),
    ]
    .boxed();
    let right: BoxedStrategy<rmpv::Value> = match ty {
        Type::String => prop_oneof![
            text().prop_map(rmpv::Value::from),
            Just(rmpv::Value::from("us-east-1")),
            Just(rmpv::Value::from("http://127.0.0.1:9")),
            Just(rmpv::Value::from("abc123defg")),
            Just(rmpv::Value::from("adaptive")),
        ]
        .boxed(),
        Type::Number => prop_oneof![
            any::<i64>().prop_map(rmpv::Value::from),
            any::<u64>().prop_map(rmpv::Value::from),
            any::<f64>().prop_map(rmpv::Value::from),
            (-3i64..120).prop_map(rmpv::Value::from),
            "-?[0-9]{1,30}(\\.[0-9]{0,5})?".prop_map(rmpv::Value::from),
        ]
        .boxed(),
        Type::Bool => any::<bool>().prop_map(rmpv::Value::from).boxed(),
        Type::List(elem) | Type::Set(elem) if depth > 0 => vec(shaped(elem, depth - 1), 0..3)
            .prop_map(rmpv::Value::Array)
            .boxed(),
        Type::Map(elem) if depth > 0 => btree_map(text(), shaped(elem, depth - 1), 0..3)
            .prop_map(|m| rmpv::Value::Map(m.into_iter().map(|(k, v)| (k.into(), v)).collect()))
            .boxed(),
        Type::Object(fields) if depth > 0 => {
            let fields: Vec<BoxedStrategy<(rmpv::Value, rmpv::Value)>> = fields
                .iter()
                .map(|(name, field_ty)| {
                    let name = name.clone();
                    shaped(field_ty, depth - 1)
                        .prop_map(move |v| (rmpv::Value::from(name.as_str()), v))
                        .boxed()
                })
                .collect();
            (fields, option::weighted(0.1, (text(), wrong.clone())))
                .prop_map(|(mut entries, extra)| {
                    if let Some((key, value)) = extra {
                        entries.push((key.into(), value));
                    }
                    rmpv::Value::Map(entries)
                })
                .boxed()
        }
        _ => Just(rmpv::Value::Nil).boxed(),
    };
    prop_oneof![
        8 => right,
        1 => Just(rmpv::Value::Nil),
        1 => unknown,
        1 => wrong,
    ]
    .boxed()
}

fn pack(value: &rmpv::Value) -> Vec<u8> {
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, value).expect("writing to a Vec");
    bytes
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fn assert_diagnostics_are_complete(diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    for d in diagnostics {
        prop_assert!(!d.summary.trim().is_empty(), "{d:?}");
        prop_assert!(!d.detail.trim().is_empty(), "{d:?}");
    }
    Ok(())
}

/// A provider configured against an endpoint that refuses connections, so reads fail fast.
fn dead_end_provider() -> &'static GwtriggerProvider {
    static PROVIDER: OnceLock<GwtriggerProvider> = OnceLock::new();
    PROVIDER.get_or_init(|| {
        let provider = GwtriggerProvider::new();
        let ty = block_type(&provider.provider_schema().block);
        let config = decode_msgpack(
            &pack(&rmpv::Value::Map(vec![
                ("region".into(), "us-east-1".into()),
                ("access_key".into(), "AKIDFUZZ".into()),
                ("secret_key".into(), "fuzz-secret".into()),
                ("max_retries".into(), 0.into()),
                (
                    "endpoints".into(),
                    rmpv::Value::Array(vec![rmpv::Value::Map(vec![(
                        "apigateway".into(),
                        "http://127.0.0.1:9".into(),
                    )])]),
                ),
            ])),
            &ty,
        )
        .expect("a valid provider config");
        let diagnostics = runtime().block_on(provider.configure(&config, "1.15.5"));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        provider
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn provider_configuration_never_panics(raw in shaped(&block_type(&GwtriggerProvider::new().provider_schema().block), 4)) {
        let provider = GwtriggerProvider::new();
        let ty = block_type(&provider.provider_schema().block);
        let Ok(config) = decode_msgpack(&pack(&raw), &ty) else { return Ok(()); };
        let rt = runtime();
        assert_diagnostics_are_complete(&rt.block_on(provider.validate_provider_config(&config)))?;
        assert_diagnostics_are_complete(&rt.block_on(provider.configure(&config, "1.15.5")))?;
    }

    #[test]
    fn data_source_configuration_never_panics(pick in 0usize..2, seed in any::<u64>()) {
        let provider = dead_end_provider();
        let schemas = provider.data_source_schemas();
        let (name, schema) = schemas.iter().nth(pick).expect("two data sources");
        let ty = block_type(&schema.block);
        let mut runner = proptest::test_runner::TestRunner::new_with_rng(
            ProptestConfig::default(),
            proptest::test_runner::TestRng::from_seed(
                proptest::test_runner::RngAlgorithm::ChaCha,
                &[seed.to_le_bytes(), seed.to_be_bytes(), [1; 8], [2; 8]].concat(),
            ),
        );
        let raw = shaped(&ty, 3).new_tree(&mut runner).expect("a value").current();
        let Ok(config) = decode_msgpack(&pack(&raw), &ty) else { return Ok(()); };
        let rt = runtime();
        assert_diagnostics_are_complete(&rt.block_on(provider.validate_data_source_config(name, &config)))?;
        if config.is_wholly_known() {
            let read = rt.block_on(provider.read_data_source(name, &config, CancellationToken::new()));
            match read {
                Ok((state, _)) => prop_assert!(false, "a read against a dead endpoint succeeded: {state:?}"),
                Err(diagnostics) => {
                    prop_assert!(!diagnostics.is_empty());
                    assert_diagnostics_are_complete(&diagnostics)?;
                    let text = format!("{diagnostics:?}");
                    prop_assert!(!text.contains("fuzz-secret"), "{text}");
                }
            }
        }
    }
}

#[test]
fn values_decoded_from_terraform_keep_unknowns_and_reject_extra_attributes() {
    let provider = GwtriggerProvider::new();
    let ty = block_type(&provider.data_source_schemas()["gwtrigger"].block);
    let unknown_id = pack(&rmpv::Value::Map(vec![(
        "rest_api_id".into(),
        rmpv::Value::Ext(0, vec![0]),
    )]));
    let config = decode_msgpack(&unknown_id, &ty).expect("unknown values decode");
    assert_eq!(config.get("rest_api_id"), &Value::Unknown);
    let diagnostics =
        runtime().block_on(provider.validate_data_source_config("gwtrigger", &config));
    assert!(
        diagnostics.is_empty(),
        "an unknown id is checked later: {diagnostics:?}"
    );

    let extra = pack(&rmpv::Value::Map(vec![
        ("rest_api_id".into(), "abc123defg".into()),
        ("colour".into(), "blue".into()),
    ]));
    let err = decode_msgpack(&extra, &ty).expect_err("an attribute outside the schema");
    assert!(err.to_string().contains("colour"), "{err}");
}

#[test]
fn deeply_nested_input_is_handled_without_overflowing_the_stack() {
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let snapshot = Snapshot {
        rest_api: RestApi {
            id: "deep".into(),
            policy: Some(deep_json.clone()),
            ..RestApi::default()
        },
        models: vec![Model {
            id: "m".into(),
            name: "Deep".into(),
            content_type: Some("application/json".into()),
            schema: Some(deep_json),
            other: Default::default(),
        }],
        ..Snapshot::default()
    };
    let bytes = document(&snapshot, &Options::default());
    assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
    assert!(is_sha1(&fingerprint(&snapshot, &Options::default()).hash));

    // 100,000 nested msgpack arrays (0x91 = array of one) against the provider schema.
    let mut bytes = vec![0x91u8; 100_000];
    bytes.push(0xc0);
    let ty = block_type(&GwtriggerProvider::new().provider_schema().block);
    assert!(decode_msgpack(&bytes, &ty).is_err());
}
