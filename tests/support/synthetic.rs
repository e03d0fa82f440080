#![allow(dead_code)]
//! Deterministic synthetic REST APIs for tests and benchmarks (pure, no randomness source).
//!
//! [`api`] builds a realistic [`Snapshot`] from a seed: nested paths with `{param}` parts,
//! Lambda-proxy, HTTP, AWS and MOCK integrations with templates and responses, authorizers,
//! validators, models whose schemas reference each other by URL, custom and default gateway
//! responses and a resource policy. [`shuffled`] and [`with_new_ids`] apply the changes that
//! must not change the hash: another enumeration order, other generated ids.

use std::collections::BTreeMap;

use gwtrigger::snapshot::{
    Authorizer, EndpointConfiguration, GatewayResponse, Integration, IntegrationResponse, Method,
    MethodResponse, Model, RequestValidator, Resource, RestApi, Snapshot, SortedMap,
};

/// The verbs a resource can carry, in the order they are assigned.
const VERBS: [&str; 8] = [
    "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY",
];
const WORDS: [&str; 12] = [
    "orders", "items", "users", "carts", "payments", "invoices", "reports", "tags", "files",
    "events", "search", "settings",
];
const PARAMS: [&str; 4] = ["{id}", "{itemId}", "{userId}", "{proxy+}"];

/// xorshift64*: tiny, deterministic, good enough to vary test content.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // Mix the seed so 0 and nearby seeds give unrelated, non-zero states.
        let mixed = (seed ^ 0x9E37_79B9_7F4A_7C15).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        Rng(mixed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    /// An id shaped like API Gateway's: 10 lowercase letters and digits.
    pub fn id(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..10)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len())]))
            .collect()
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A synthetic API with `resources` resources (the root `/` first; 0 gives none) and
/// `methods_per_resource` methods on each (at most 8 distinct verbs), fully determined by `seed`.
pub fn api(resources: usize, methods_per_resource: usize, seed: u64) -> Snapshot {
    let mut rng = Rng::new(seed);
    let api_id = rng.id();
    let authorizers = authorizers(&mut rng);
    let request_validators = validators(&mut rng);
    let models = models(&mut rng, &api_id);
    let context = Context {
        authorizer_ids: authorizers.iter().map(|a| a.id.clone()).collect(),
        validator_ids: request_validators.iter().map(|v| v.id.clone()).collect(),
    };

    let mut list: Vec<Resource> = Vec::with_capacity(resources);
    let mut has_param_child: Vec<bool> = Vec::with_capacity(resources);
    for index in 0..resources {
        let id = rng.id();
        let (parent_id, path, path_part) = if index == 0 {
            (None, "/".to_owned(), None)
        } else {
            let parent = rng.below(index);
            let part =
                if !has_param_child[parent] && !list[parent].path.contains('+') && rng.chance(3) {
                    has_param_child[parent] = true;
                    PARAMS[rng.below(PARAMS.len())].to_owned()
                } else {
                    format!("{}{index}", WORDS[rng.below(WORDS.len())])
                };
            let parent_path = &list[parent].path;
            let path = if parent_path == "/" {
                format!("/{part}")
            } else {
                format!("{parent_path}/{part}")
            };
            (Some(list[parent].id.clone()), path, Some(part))
        };
        let mut resource = Resource {
            id,
            parent_id,
            path,
            path_part,
            methods: SortedMap::new(),
            ..Default::default()
        };
        let first_verb = rng.below(VERBS.len());
        for k in 0..methods_per_resource.min(VERBS.len()) {
            let verb = VERBS[(first_verb + k) % VERBS.len()];
            let method = method(&mut rng, verb, &resource, &context);
            resource.methods.insert(verb.to_owned(), method);
        }
        list.push(resource);
        has_param_child.push(false);
    }

    Snapshot {
        rest_api: rest_api(&mut rng, &api_id),
        resources: list,
        authorizers,
        models,
        request_validators,
        gateway_responses: gateway_responses(&mut rng),
    }
}

struct Context {
    authorizer_ids: Vec<String>,
    validator_ids: Vec<String>,
}

fn map<V: Clone>(entries: &[(&str, V)]) -> SortedMap<V> {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn method(rng: &mut Rng, verb: &str, resource: &Resource, context: &Context) -> Method {
    let function = format!("fn-{}", rng.below(50));
    let lambda_uri = format!(
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:{function}/invocations"
    );
    let path_param = resource
        .path
        .rsplit('/')
        .next()
        .filter(|part| part.starts_with('{'))
        .map(|part| {
            part.trim_matches(|c| c == '{' || c == '}' || c == '+')
                .to_owned()
        });
    let mut method = Method {
        http_method: verb.to_owned(),
        authorization_type: Some("NONE".to_owned()),
        ..Method::default()
    };
    if let Some(param) = &path_param {
        method
            .request_parameters
            .insert(format!("method.request.path.{param}"), true);
    }
    match rng.below(4) {
        0 => {
            // Lambda proxy behind a custom authorizer.
            if !context.authorizer_ids.is_empty() && rng.chance(2) {
                method.authorization_type = Some("CUSTOM".to_owned());
                method.authorizer_id = Some(context.authorizer_ids[rng.below(2)].clone());
            }
            method.api_key_required = Some(rng.chance(3));
            method.integration = Some(Integration {
                integration_type: Some("AWS_PROXY".to_owned()),
                http_method: Some("POST".to_owned()),
                uri: Some(lambda_uri),
                passthrough_behavior: Some("WHEN_NO_MATCH".to_owned()),
                content_handling: Some("CONVERT_TO_TEXT".to_owned()),
                timeout_in_millis: Some(29_000),
                cache_namespace: Some(resource.id.clone()),
                ..Integration::default()
            });
            method.method_responses = map(&[(
                "200",
                MethodResponse {
                    status_code: "200".to_owned(),
                    response_models: map(&[("application/json", "Empty".to_owned())]),
                    ..MethodResponse::default()
                },
            )]);
        }
        1 => {
            // HTTP backend with mapping templates and mapped responses.
            method
                .request_parameters
                .insert("method.request.querystring.limit".to_owned(), false);
            method
                .request_parameters
                .insert("method.request.header.X-Trace".to_owned(), rng.chance(2));
            let mut request_parameters = map(&[(
                "integration.request.querystring.limit",
                "method.request.querystring.limit".to_owned(),
            )]);
            if let Some(param) = &path_param {
                request_parameters.insert(
                    format!("integration.request.path.{param}"),
                    format!("method.request.path.{param}"),
                );
            }
            method.integration = Some(Integration {
                integration_type: Some("HTTP".to_owned()),
                http_method: Some(verb.replace("ANY", "GET")),
                uri: Some(format!(
                    "https://backend{}.example.com{}",
                    rng.below(5),
                    resource.path
                )),
                connection_type: Some("INTERNET".to_owned()),
                request_parameters,
                request_templates: map(&[(
                    "application/json",
                    format!(
                        "{{\"path\": \"$context.resourcePath\", \"n\": {}}}",
                        rng.below(100)
                    ),
                )]),
                passthrough_behavior: Some("WHEN_NO_TEMPLATES".to_owned()),
                timeout_in_millis: Some(1000 * (1 + rng.below(29) as i32)),
                cache_namespace: Some(resource.id.clone()),
                cache_key_parameters: vec!["method.request.querystring.limit".to_owned()],
                integration_responses: map(&[
                    (
                        "200",
                        IntegrationResponse {
                            status_code: "200".to_owned(),
                            response_templates: map(&[(
                                "application/json",
                                "$input.json('$.items')".to_owned(),
                            )]),
                            ..IntegrationResponse::default()
                        },
                    ),
                    (
                        "404",
                        IntegrationResponse {
                            status_code: "404".to_owned(),
                            selection_pattern: Some("4\\d{2}".to_owned()),
                            response_templates: map(&[(
                                "application/json",
                                "{\"error\": \"not found\"}".to_owned(),
                            )]),
                            ..IntegrationResponse::default()
                        },
                    ),
                ]),
                ..Integration::default()
            });
            method.method_responses = map(&[
                (
                    "200",
                    MethodResponse {
                        status_code: "200".to_owned(),
                        response_models: map(&[("application/json", "ItemList".to_owned())]),
                        ..MethodResponse::default()
                    },
                ),
                (
                    "404",
                    MethodResponse {
                        status_code: "404".to_owned(),
                        response_models: map(&[("application/json", "Error".to_owned())]),
                        ..MethodResponse::default()
                    },
                ),
            ]);
        }
        2 => {
            // MOCK, as used for CORS preflight.
            let cors = map(&[
                ("method.response.header.Access-Control-Allow-Headers", true),
                ("method.response.header.Access-Control-Allow-Origin", true),
            ]);
            method.integration = Some(Integration {
                integration_type: Some("MOCK".to_owned()),
                request_templates: map(&[("application/json", "{\"statusCode\": 200}".to_owned())]),
                passthrough_behavior: Some("WHEN_NO_MATCH".to_owned()),
                timeout_in_millis: Some(29_000),
                cache_namespace: Some(resource.id.clone()),
                integration_responses: map(&[(
                    "200",
                    IntegrationResponse {
                        status_code: "200".to_owned(),
                        response_parameters: map(&[
                            (
                                "method.response.header.Access-Control-Allow-Headers",
                                "'Content-Type,Authorization'".to_owned(),
                            ),
                            (
                                "method.response.header.Access-Control-Allow-Origin",
                                format!("'https://app{}.example.com'", rng.below(3)),
                            ),
                        ]),
                        ..IntegrationResponse::default()
                    },
                )]),
                ..Integration::default()
            });
            method.method_responses = map(&[(
                "200",
                MethodResponse {
                    status_code: "200".to_owned(),
                    response_parameters: cors,
                    ..MethodResponse::default()
                },
            )]);
        }
        _ => {
            // AWS service integration with a validated, modelled body.
            if !context.validator_ids.is_empty() {
                method.request_validator_id =
                    Some(context.validator_ids[rng.below(context.validator_ids.len())].clone());
            }
            method.request_models = map(&[("application/json", "Item".to_owned())]);
            method.operation_name = Some(format!("{}{}", verb.to_lowercase(), rng.below(1000)));
            if !context.authorizer_ids.is_empty() && rng.chance(2) {
                method.authorization_type = Some("COGNITO_USER_POOLS".to_owned());
                method.authorizer_id = context.authorizer_ids.last().cloned();
                method.authorization_scopes =
                    vec!["items/write".to_owned(), "items/read".to_owned()];
            }
            method.integration = Some(Integration {
                integration_type: Some("AWS".to_owned()),
                http_method: Some("POST".to_owned()),
                uri: Some("arn:aws:apigateway:eu-west-1:dynamodb:action/PutItem".to_owned()),
                credentials: Some("arn:aws:iam::123456789012:role/apigw-dynamodb".to_owned()),
                request_templates: map(&[(
                    "application/json",
                    format!("{{\"TableName\": \"items-{}\", \"Item\": {{\"id\": {{\"S\": \"$context.requestId\"}}}}}}", rng.below(10)),
                )]),
                passthrough_behavior: Some("NEVER".to_owned()),
                timeout_in_millis: Some(29_000),
                cache_namespace: Some(resource.id.clone()),
                integration_responses: map(&[("200", IntegrationResponse {
                    status_code: "200".to_owned(),
                    response_templates: map(&[("application/json", String::new())]),
                    ..IntegrationResponse::default()
                })]),
                ..Integration::default()
            });
            method.method_responses = map(&[(
                "200",
                MethodResponse {
                    status_code: "200".to_owned(),
                    response_models: map(&[("application/json", "Empty".to_owned())]),
                    ..MethodResponse::default()
                },
            )]);
        }
    }
    method
}

fn authorizers(rng: &mut Rng) -> Vec<Authorizer> {
    let lambda = |rng: &mut Rng, name: &str| {
        format!(
            "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:{name}-{}/invocations",
            rng.below(9)
        )
    };
    vec![
        Authorizer {
            id: rng.id(),
            name: "token-auth".to_owned(),
            authorizer_type: Some("TOKEN".to_owned()),
            authorizer_uri: Some(lambda(rng, "token-auth")),
            identity_source: Some("method.request.header.Authorization".to_owned()),
            identity_validation_expression: Some("^Bearer [-0-9a-zA-Z._]+$".to_owned()),
            authorizer_result_ttl_in_seconds: Some(300),
            ..Authorizer::default()
        },
        Authorizer {
            id: rng.id(),
            name: "request-auth".to_owned(),
            authorizer_type: Some("REQUEST".to_owned()),
            authorizer_uri: Some(lambda(rng, "request-auth")),
            authorizer_credentials: Some(
                "arn:aws:iam::123456789012:role/apigw-authorizer".to_owned(),
            ),
            identity_source: Some("method.request.header.X-Api-Token, context.sourceIp".to_owned()),
            authorizer_result_ttl_in_seconds: Some(rng.below(3600) as i32),
            ..Authorizer::default()
        },
        Authorizer {
            id: rng.id(),
            name: "cognito".to_owned(),
            authorizer_type: Some("COGNITO_USER_POOLS".to_owned()),
            provider_arns: vec![format!(
                "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_{}",
                rng.id()
            )],
            identity_source: Some("method.request.header.Authorization".to_owned()),
            ..Authorizer::default()
        },
    ]
}

fn validators(rng: &mut Rng) -> Vec<RequestValidator> {
    vec![
        RequestValidator {
            id: rng.id(),
            name: "body".to_owned(),
            validate_request_body: Some(true),
            validate_request_parameters: Some(false),
            ..Default::default()
        },
        RequestValidator {
            id: rng.id(),
            name: "params-and-body".to_owned(),
            validate_request_body: Some(true),
            validate_request_parameters: Some(true),
            ..Default::default()
        },
    ]
}

fn models(rng: &mut Rng, api_id: &str) -> Vec<Model> {
    let url =
        |name: &str| format!("https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}");
    let schema = |body: String| {
        Some(format!(
            "{{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  {body}\n}}"
        ))
    };
    let json = Some("application/json".to_owned());
    vec![
        Model {
            id: rng.id(),
            name: "Empty".to_owned(),
            content_type: json.clone(),
            schema: schema("\"title\": \"Empty Schema\", \"type\": \"object\"".to_owned()),
            ..Default::default()
        },
        Model {
            id: rng.id(),
            name: "Error".to_owned(),
            content_type: json.clone(),
            schema: schema("\"type\": \"object\", \"properties\": {\"message\": {\"type\": \"string\"}}".to_owned()),
            ..Default::default()
        },
        Model {
            id: rng.id(),
            name: "Item".to_owned(),
            content_type: json.clone(),
            schema: schema(format!(
                "\"type\": \"object\", \"required\": [\"id\"], \"properties\": {{\"id\": {{\"type\": \"string\"}}, \"price\": {{\"type\": \"number\", \"minimum\": {}}}, \"error\": {{\"$ref\": \"{}\"}}}}",
                rng.below(10),
                url("Error")
            )),
            ..Default::default()
        },
        Model {
            id: rng.id(),
            name: "ItemList".to_owned(),
            content_type: json,
            schema: schema(format!(
                "\"type\": \"array\", \"items\": {{\"$ref\": \"{}\"}}",
                url("Item")
            )),
            ..Default::default()
        },
    ]
}

fn gateway_responses(rng: &mut Rng) -> Vec<GatewayResponse> {
    let default = |response_type: &str, status: Option<&str>| GatewayResponse {
        response_type: response_type.to_owned(),
        status_code: status.map(str::to_owned),
        response_templates: map(&[(
            "application/json",
            "{\"message\":$context.error.messageString}".to_owned(),
        )]),
        default_response: true,
        ..GatewayResponse::default()
    };
    let cors = map(&[(
        "gatewayresponse.header.Access-Control-Allow-Origin",
        format!("'https://app{}.example.com'", rng.below(3)),
    )]);
    vec![
        default("DEFAULT_5XX", None),
        default("MISSING_AUTHENTICATION_TOKEN", Some("403")),
        default("THROTTLED", Some("429")),
        GatewayResponse {
            response_type: "DEFAULT_4XX".to_owned(),
            response_parameters: cors.clone(),
            response_templates: map(&[(
                "application/json",
                "{\"error\":$context.error.messageString,\"requestId\":\"$context.requestId\"}"
                    .to_owned(),
            )]),
            ..GatewayResponse::default()
        },
        GatewayResponse {
            response_type: "UNAUTHORIZED".to_owned(),
            status_code: Some("401".to_owned()),
            response_parameters: cors,
            ..GatewayResponse::default()
        },
    ]
}

fn rest_api(rng: &mut Rng, api_id: &str) -> RestApi {
    let account = "123456789012";
    // Escaped the way GetRestApi returns it: the policy JSON with its quotes backslashed.
    let policy = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"arn:aws:execute-api:eu-west-1:{account}:{api_id}/*\"}},{{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"arn:aws:execute-api:eu-west-1:{account}:{api_id}/*\",\"Condition\":{{\"NotIpAddress\":{{\"aws:SourceIp\":[\"10.{}.0.0/16\",\"192.168.0.0/24\"]}}}}}}]}}",
        rng.below(256)
    )
    .replace('"', "\\\"");
    RestApi {
        id: api_id.to_owned(),
        policy: Some(policy),
        binary_media_types: vec![
            "image/png".to_owned(),
            "application/octet-stream".to_owned(),
        ],
        minimum_compression_size: Some(1024),
        api_key_source: Some("HEADER".to_owned()),
        endpoint_configuration: EndpointConfiguration {
            types: vec!["REGIONAL".to_owned()],
            ..EndpointConfiguration::default()
        },
        disable_execute_api_endpoint: Some(false),
        ..Default::default()
    }
}

/// The same API enumerated in another order: resources, authorizers, models, validators and
/// gateway responses permuted, and every list that is a set (media types, endpoint types and
/// ids, scopes, cache key parameters, provider ARNs) permuted too.
pub fn shuffled(snapshot: &Snapshot, seed: u64) -> Snapshot {
    let mut rng = Rng::new(seed);
    let mut out = snapshot.clone();
    rng.shuffle(&mut out.resources);
    rng.shuffle(&mut out.authorizers);
    rng.shuffle(&mut out.models);
    rng.shuffle(&mut out.request_validators);
    rng.shuffle(&mut out.gateway_responses);
    rng.shuffle(&mut out.rest_api.binary_media_types);
    rng.shuffle(&mut out.rest_api.endpoint_configuration.types);
    rng.shuffle(&mut out.rest_api.endpoint_configuration.vpc_endpoint_ids);
    for authorizer in &mut out.authorizers {
        rng.shuffle(&mut authorizer.provider_arns);
    }
    for method in out
        .resources
        .iter_mut()
        .flat_map(|r| r.methods.values_mut())
    {
        rng.shuffle(&mut method.authorization_scopes);
        if let Some(integration) = &mut method.integration {
            rng.shuffle(&mut integration.cache_key_parameters);
        }
    }
    out
}

/// The same content with every generated id replaced: the API id (also inside the policy and
/// model schema URLs, as a copy of the API elsewhere would show), resource ids (with parent ids
/// and default cache namespaces), authorizer, validator and model ids.
pub fn with_new_ids(snapshot: &Snapshot, seed: u64) -> Snapshot {
    let mut rng = Rng::new(seed ^ 0x1d5);
    let mut out = snapshot.clone();
    let old_api = std::mem::replace(&mut out.rest_api.id, rng.id());
    let new_api = out.rest_api.id.clone();
    let rename_api = |text: &mut Option<String>| {
        if let Some(t) = text.as_mut().filter(|_| !old_api.is_empty()) {
            *t = t.replace(&old_api, &new_api);
        }
    };
    rename_api(&mut out.rest_api.policy);
    for model in &mut out.models {
        model.id = rng.id();
        rename_api(&mut model.schema);
    }
    let resource_ids: BTreeMap<String, String> = out
        .resources
        .iter()
        .map(|r| (r.id.clone(), rng.id()))
        .collect();
    let authorizer_ids: BTreeMap<String, String> = out
        .authorizers
        .iter()
        .map(|a| (a.id.clone(), rng.id()))
        .collect();
    let validator_ids: BTreeMap<String, String> = out
        .request_validators
        .iter()
        .map(|v| (v.id.clone(), rng.id()))
        .collect();
    let renamed = |ids: &BTreeMap<String, String>, id: &mut Option<String>| {
        if let Some(new) = id.as_ref().and_then(|old| ids.get(old)) {
            *id = Some(new.clone());
        }
    };
    for authorizer in &mut out.authorizers {
        authorizer.id = authorizer_ids[&authorizer.id].clone();
    }
    for validator in &mut out.request_validators {
        validator.id = validator_ids[&validator.id].clone();
    }
    for resource in &mut out.resources {
        let old_id = std::mem::take(&mut resource.id);
        resource.id = resource_ids[&old_id].clone();
        renamed(&resource_ids, &mut resource.parent_id);
        for method in resource.methods.values_mut() {
            renamed(&authorizer_ids, &mut method.authorizer_id);
            renamed(&validator_ids, &mut method.request_validator_id);
            if let Some(integration) = &mut method.integration {
                if integration.cache_namespace.as_deref() == Some(old_id.as_str()) {
                    integration.cache_namespace = Some(resource.id.clone());
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(unused_imports)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn builds_realistic_unique_paths_and_varied_methods() {
        let snapshot = api(60, 3, 42);
        assert_eq!(snapshot.resources.len(), 60);
        assert_eq!(snapshot.method_count(), 180);
        let paths: BTreeSet<&str> = snapshot.resources.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths.len(), 60, "paths are unique");
        assert!(paths.iter().any(|p| p.contains('{')), "has path parameters");
        assert!(
            paths.iter().any(|p| p.matches('/').count() >= 3),
            "has nesting"
        );
        let methods: Vec<&Method> = snapshot
            .resources
            .iter()
            .flat_map(|r| r.methods.values())
            .collect();
        let types: BTreeSet<&str> = methods
            .iter()
            .filter_map(|m| m.integration.as_ref()?.integration_type.as_deref())
            .collect();
        assert_eq!(types, BTreeSet::from(["AWS", "AWS_PROXY", "HTTP", "MOCK"]));
        assert!(methods.iter().any(|m| m.authorizer_id.is_some()));
        assert!(methods.iter().any(|m| m.request_validator_id.is_some()));
        assert!(snapshot
            .gateway_responses
            .iter()
            .any(|g| g.default_response));
        assert!(snapshot
            .rest_api
            .policy
            .as_deref()
            .is_some_and(|p| p.contains(&snapshot.rest_api.id)));
    }

    #[test]
    fn renaming_ids_keeps_references_consistent() {
        let snapshot = api(20, 2, 3);
        let renamed = with_new_ids(&snapshot, 9);
        let ids: BTreeSet<&str> = renamed.resources.iter().map(|r| r.id.as_str()).collect();
        assert!(renamed
            .resources
            .iter()
            .all(|r| r.parent_id.as_deref().is_none_or(|p| ids.contains(p))));
        assert!(snapshot
            .resources
            .iter()
            .all(|r| !ids.contains(r.id.as_str())));
        let authorizers: BTreeSet<&str> =
            renamed.authorizers.iter().map(|a| a.id.as_str()).collect();
        assert!(renamed
            .resources
            .iter()
            .flat_map(|r| r.methods.values())
            .all(|m| m
                .authorizer_id
                .as_deref()
                .is_none_or(|a| authorizers.contains(a))));
    }
}
