//! Properties of the hash contract (docs/hash-contract.md): what must not change the hash
//! (order, generated ids, equivalent spellings, absent-vs-empty, AWS defaults) and what must
//! (every allow-listed field, each confined to its aspect and its route).

mod fixtures;

use std::collections::{BTreeMap, BTreeSet};

use gwtrigger::canonical::{document, Aspect, Options};
use gwtrigger::hash::{fingerprint, Fingerprint};
use gwtrigger::snapshot::{
    Authorizer, EndpointConfiguration, GatewayResponse, Integration, IntegrationResponse, Method,
    MethodResponse, Model, RequestValidator, Resource, RestApi, Snapshot, TlsConfig,
};
use serde_json::json;

#[path = "support/synthetic.rs"]
mod synthetic;
use proptest::prelude::*;

use fixtures::{map, s};

fn fp(snapshot: &Snapshot) -> Fingerprint {
    fingerprint(snapshot, &Options::default())
}

fn hash(snapshot: &Snapshot) -> String {
    fp(snapshot).hash
}

/// Route keys whose hash differs (or that appear/disappear) between two fingerprints.
fn changed_routes(a: &Fingerprint, b: &Fingerprint) -> BTreeSet<String> {
    let keys: BTreeSet<&String> = a.routes.keys().chain(b.routes.keys()).collect();
    keys.into_iter()
        .filter(|k| a.routes.get(*k) != b.routes.get(*k))
        .cloned()
        .collect()
}

fn resource_mut<'a>(snapshot: &'a mut Snapshot, path: &str) -> &'a mut Resource {
    snapshot
        .resources
        .iter_mut()
        .find(|r| r.path == path)
        .expect("fixture has this path")
}

fn method_mut<'a>(snapshot: &'a mut Snapshot, verb: &str, path: &str) -> &'a mut Method {
    resource_mut(snapshot, path)
        .methods
        .get_mut(verb)
        .expect("fixture has this method")
}

fn integration_mut<'a>(snapshot: &'a mut Snapshot, verb: &str, path: &str) -> &'a mut Integration {
    method_mut(snapshot, verb, path)
        .integration
        .as_mut()
        .expect("fixture method has an integration")
}

fn options_response_mut(snapshot: &mut Snapshot) -> &mut IntegrationResponse {
    integration_mut(snapshot, "OPTIONS", "/pets")
        .integration_responses
        .get_mut("200")
        .expect("fixture has a 200 integration response")
}

fn authorizer_mut<'a>(snapshot: &'a mut Snapshot, name: &str) -> &'a mut Authorizer {
    snapshot
        .authorizers
        .iter_mut()
        .find(|a| a.name == name)
        .expect("fixture authorizer")
}

fn model_mut<'a>(snapshot: &'a mut Snapshot, name: &str) -> &'a mut Model {
    snapshot
        .models
        .iter_mut()
        .find(|m| m.name == name)
        .expect("fixture model")
}

fn validator_mut<'a>(snapshot: &'a mut Snapshot, name: &str) -> &'a mut RequestValidator {
    snapshot
        .request_validators
        .iter_mut()
        .find(|v| v.name == name)
        .expect("fixture validator")
}

fn gateway_response_mut<'a>(snapshot: &'a mut Snapshot, kind: &str) -> &'a mut GatewayResponse {
    snapshot
        .gateway_responses
        .iter_mut()
        .find(|g| g.response_type == kind)
        .expect("fixture gateway response")
}

/// One edit of deployable content in `fixtures::lambda_proxy()`.
struct Mutation {
    /// `Kind.field` it exercises.
    field: &'static str,
    /// The aspect whose exclusion hides it; `None` for resources/methods (never excluded).
    aspect: Option<Aspect>,
    /// Routes whose hash must change (and no other).
    routes: &'static [&'static str],
    apply: fn(&mut Snapshot),
}

const GET_PETS: &[&str] = &["GET /pets"];
const OPTIONS_PETS: &[&str] = &["OPTIONS /pets"];
const NO_ROUTES: &[&str] = &[];

fn mutations() -> Vec<Mutation> {
    use Aspect::*;
    let m = |field, aspect, routes, apply| Mutation {
        field,
        aspect,
        routes,
        apply,
    };
    vec![
        // RestApi settings
        m("RestApi.policy", Some(Policy), NO_ROUTES, |api| {
            api.rest_api.policy =
                Some(fixtures::escaped_policy("p3ts4p1abc").replace("10.0.0.0/8", "10.0.0.0/16"))
        }),
        m(
            "RestApi.binary_media_types",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| {
                api.rest_api
                    .binary_media_types
                    .push("application/pdf".into())
            },
        ),
        m(
            "RestApi.minimum_compression_size",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| api.rest_api.minimum_compression_size = None,
        ),
        m(
            "RestApi.api_key_source",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| api.rest_api.api_key_source = s("AUTHORIZER"),
        ),
        m(
            "EndpointConfiguration.types",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| api.rest_api.endpoint_configuration.types = vec!["REGIONAL".into()],
        ),
        m(
            "EndpointConfiguration.vpc_endpoint_ids",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| {
                api.rest_api.endpoint_configuration.vpc_endpoint_ids.pop();
            },
        ),
        m(
            "EndpointConfiguration.other",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| {
                api.rest_api
                    .endpoint_configuration
                    .other
                    .insert("someNewSetting".into(), json!("on"));
            },
        ),
        m(
            "RestApi.other (securityPolicy)",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| {
                api.rest_api.other.insert(
                    "securityPolicy".into(),
                    json!("SecurityPolicy_TLS13_1_3_2025_09"),
                );
            },
        ),
        m(
            "RestApi.other (endpointAccessMode)",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| {
                api.rest_api
                    .other
                    .insert("endpointAccessMode".into(), json!("STRICT"));
            },
        ),
        m(
            "RestApi.other (unknown member)",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| {
                api.rest_api
                    .other
                    .insert("someNewSetting".into(), json!({"enabled": true}));
            },
        ),
        m(
            "RestApi.disable_execute_api_endpoint",
            Some(RestApiSettings),
            NO_ROUTES,
            |api| api.rest_api.disable_execute_api_endpoint = Some(false),
        ),
        // Resources
        m(
            "Resource.path",
            None,
            &["GET /pets/{petId}", "GET /pets/{id}"],
            |api| resource_mut(api, "/pets/{petId}").path = "/pets/{id}".into(),
        ),
        m("Resource.methods", None, &["DELETE /pets/{petId}"], |api| {
            let get = resource_mut(api, "/pets/{petId}").methods["GET"].clone();
            resource_mut(api, "/pets/{petId}").methods.insert(
                "DELETE".into(),
                Method {
                    http_method: "DELETE".into(),
                    ..get
                },
            );
        }),
        m("Resource.methods (removal)", None, OPTIONS_PETS, |api| {
            resource_mut(api, "/pets").methods.remove("OPTIONS");
        }),
        m("Resource (new, without methods)", None, NO_ROUTES, |api| {
            api.resources.push(Resource {
                id: "newres0001".into(),
                path: "/owners".into(),
                ..Resource::default()
            })
        }),
        // Method
        m("Method.authorization_type", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets").authorization_type = s("AWS_IAM")
        }),
        m("Method.authorizer_id", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets").authorizer_id = s("auth333333")
        }),
        m("Method.authorizer_id (dangling)", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets").authorizer_id = s("deleted000")
        }),
        m("Method.api_key_required", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets").api_key_required = None
        }),
        m("Method.operation_name", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets").operation_name = s("ListPets")
        }),
        m("Method.request_parameters", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets")
                .request_parameters
                .insert("method.request.querystring.limit".into(), true);
        }),
        m("Method.request_models", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets")
                .request_models
                .insert("application/xml".into(), "Empty".into());
        }),
        m("Method.request_validator_id", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets").request_validator_id = s("val3333333")
        }),
        m("Method.authorization_scopes", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets").authorization_scopes = vec!["pets/read".into()]
        }),
        m("Method.method_responses", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets").method_responses.insert(
                "500".into(),
                MethodResponse {
                    status_code: "500".into(),
                    ..MethodResponse::default()
                },
            );
        }),
        m("Method.integration", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets").integration = None
        }),
        // Method response
        m("MethodResponse.status_code", None, GET_PETS, |api| {
            let responses = &mut method_mut(api, "GET", "/pets").method_responses;
            if let Some(mut r) = responses.remove("200") {
                r.status_code = "201".into();
                responses.insert("201".into(), r);
            }
        }),
        m(
            "MethodResponse.response_parameters",
            None,
            OPTIONS_PETS,
            |api| {
                let r = method_mut(api, "OPTIONS", "/pets")
                    .method_responses
                    .get_mut("200")
                    .expect("200");
                r.response_parameters.insert(
                    "method.response.header.Access-Control-Allow-Headers".into(),
                    true,
                );
            },
        ),
        m(
            "MethodResponse.other (unknown member)",
            None,
            GET_PETS,
            |api| {
                let r = method_mut(api, "GET", "/pets")
                    .method_responses
                    .get_mut("200")
                    .expect("200");
                r.other.insert("someNewSetting".into(), json!("x"));
            },
        ),
        m("MethodResponse.response_models", None, GET_PETS, |api| {
            let r = method_mut(api, "GET", "/pets")
                .method_responses
                .get_mut("200")
                .expect("200");
            r.response_models
                .insert("application/json".into(), "Owner".into());
        }),
        // Integration
        m("Integration.integration_type", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").integration_type = s("AWS")
        }),
        m("Integration.http_method", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").http_method = s("GET")
        }),
        m("Integration.uri", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").uri = Some(fixtures_lambda_uri("pets-v2"))
        }),
        m("Integration.connection_type", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").connection_type = s("INTERNET")
        }),
        m("Integration.connection_id", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").connection_id = s("vpclink02")
        }),
        m("Integration.credentials", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").credentials =
                s("arn:aws:iam::123456789012:role/invoke")
        }),
        m("Integration.request_parameters", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets")
                .request_parameters
                .insert("integration.request.header.X".into(), "'1'".into());
        }),
        m("Integration.request_templates", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets")
                .request_templates
                .insert("application/json".into(), String::new());
        }),
        m("Integration.passthrough_behavior", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").passthrough_behavior = s("NEVER")
        }),
        m("Integration.content_handling", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").content_handling = None
        }),
        m("Integration.timeout_in_millis", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").timeout_in_millis = Some(10000)
        }),
        m("Integration.cache_namespace", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").cache_namespace = s("shared")
        }),
        m("Integration.cache_key_parameters", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets").cache_key_parameters =
                vec!["method.request.querystring.limit".into()]
        }),
        m(
            "TlsConfig.insecure_skip_verification",
            None,
            GET_PETS,
            |api| {
                integration_mut(api, "GET", "/pets")
                    .tls_config
                    .insecure_skip_verification = Some(true)
            },
        ),
        m("TlsConfig.other", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets")
                .tls_config
                .other
                .insert("someNewSetting".into(), json!(1));
        }),
        m(
            "Integration.response_transfer_mode",
            None,
            GET_PETS,
            |api| integration_mut(api, "GET", "/pets").response_transfer_mode = s("STREAM"),
        ),
        m(
            "Integration.other (integrationTarget)",
            None,
            GET_PETS,
            |api| {
                integration_mut(api, "GET", "/pets").other.insert(
                    "integrationTarget".into(),
                    json!("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/a/1/2"),
                );
            },
        ),
        m(
            "Integration.other (unknown member)",
            None,
            GET_PETS,
            |api| {
                integration_mut(api, "GET", "/pets")
                    .other
                    .insert("someNewSetting".into(), json!("x"));
            },
        ),
        m("Method.other (unknown member)", None, GET_PETS, |api| {
            method_mut(api, "GET", "/pets")
                .other
                .insert("someNewSetting".into(), json!(["a"]));
        }),
        m("Resource.other (unknown member)", None, NO_ROUTES, |api| {
            resource_mut(api, "/pets")
                .other
                .insert("someNewSetting".into(), json!(false));
        }),
        m("Integration.integration_responses", None, GET_PETS, |api| {
            integration_mut(api, "GET", "/pets")
                .integration_responses
                .insert(
                    "200".into(),
                    IntegrationResponse {
                        status_code: "200".into(),
                        ..IntegrationResponse::default()
                    },
                );
        }),
        // Integration response
        m(
            "IntegrationResponse.status_code",
            None,
            OPTIONS_PETS,
            |api| {
                let responses = &mut integration_mut(api, "OPTIONS", "/pets").integration_responses;
                if let Some(mut r) = responses.remove("200") {
                    r.status_code = "204".into();
                    responses.insert("204".into(), r);
                }
            },
        ),
        m(
            "IntegrationResponse.selection_pattern",
            None,
            OPTIONS_PETS,
            |api| options_response_mut(api).selection_pattern = s("2\\d{2}"),
        ),
        m(
            "IntegrationResponse.response_parameters",
            None,
            OPTIONS_PETS,
            |api| {
                options_response_mut(api).response_parameters.insert(
                    "method.response.header.Access-Control-Allow-Origin".into(),
                    "'https://a.example'".into(),
                );
            },
        ),
        m(
            "IntegrationResponse.response_templates",
            None,
            OPTIONS_PETS,
            |api| {
                options_response_mut(api)
                    .response_templates
                    .insert("application/json".into(), "{}".into());
            },
        ),
        m(
            "IntegrationResponse.content_handling",
            None,
            OPTIONS_PETS,
            |api| options_response_mut(api).content_handling = s("CONVERT_TO_TEXT"),
        ),
        m(
            "IntegrationResponse.other (unknown member)",
            None,
            OPTIONS_PETS,
            |api| {
                options_response_mut(api)
                    .other
                    .insert("someNewSetting".into(), json!("x"));
            },
        ),
        // Authorizers: the name is what methods reference, so renaming reaches their routes.
        m(
            "Authorizer.name",
            None,
            &["GET /pets", "POST /pets"],
            |api| authorizer_mut(api, "pets-token").name = "pets-jwt".into(),
        ),
        m(
            "Authorizer.authorizer_type",
            Some(Authorizers),
            NO_ROUTES,
            |api| authorizer_mut(api, "pets-token").authorizer_type = s("REQUEST"),
        ),
        m(
            "Authorizer.provider_arns",
            Some(Authorizers),
            NO_ROUTES,
            |api| {
                authorizer_mut(api, "pets-cognito").provider_arns.pop();
            },
        ),
        m(
            "Authorizer.auth_type",
            Some(Authorizers),
            NO_ROUTES,
            |api| authorizer_mut(api, "pets-token").auth_type = None,
        ),
        m(
            "Authorizer.authorizer_uri",
            Some(Authorizers),
            NO_ROUTES,
            |api| {
                authorizer_mut(api, "pets-token").authorizer_uri =
                    Some(fixtures_lambda_uri("auth-v2"))
            },
        ),
        m(
            "Authorizer.authorizer_credentials",
            Some(Authorizers),
            NO_ROUTES,
            |api| authorizer_mut(api, "pets-token").authorizer_credentials = None,
        ),
        m(
            "Authorizer.identity_source",
            Some(Authorizers),
            NO_ROUTES,
            |api| {
                authorizer_mut(api, "pets-token").identity_source =
                    s("method.request.header.X-Token")
            },
        ),
        m(
            "Authorizer.identity_validation_expression",
            Some(Authorizers),
            NO_ROUTES,
            |api| authorizer_mut(api, "pets-token").identity_validation_expression = s(".*"),
        ),
        m(
            "Authorizer.authorizer_result_ttl_in_seconds",
            Some(Authorizers),
            NO_ROUTES,
            |api| authorizer_mut(api, "pets-cognito").authorizer_result_ttl_in_seconds = None,
        ),
        m(
            "Authorizer.other (jwtConfiguration)",
            Some(Authorizers),
            NO_ROUTES,
            |api| {
                authorizer_mut(api, "pets-token").other.insert(
                    "jwtConfiguration".into(),
                    json!({"issuer": "https://issuer.example", "audiences": ["pets"]}),
                );
            },
        ),
        m("Authorizer (new)", Some(Authorizers), NO_ROUTES, |api| {
            api.authorizers.push(Authorizer {
                id: "auth999999".into(),
                name: "unused".into(),
                ..Authorizer::default()
            })
        }),
        // Models
        m("Model.name", Some(Models), NO_ROUTES, |api| {
            model_mut(api, "Legacy").name = "Legacy2".into()
        }),
        m("Model.content_type", Some(Models), NO_ROUTES, |api| {
            model_mut(api, "Legacy").content_type = s("text/csv")
        }),
        m("Model.schema", Some(Models), NO_ROUTES, |api| {
            model_mut(api, "Owner").schema =
                s("{\"type\":\"object\",\"properties\":{\"email\":{\"type\":\"string\"}}}")
        }),
        m("Model.schema (number)", Some(Models), NO_ROUTES, |api| {
            if let Some(schema) = &mut model_mut(api, "NewPet").schema {
                *schema = schema.replace("0.5", "0.25");
            }
        }),
        m(
            "Model.other (unknown member)",
            Some(Models),
            NO_ROUTES,
            |api| {
                model_mut(api, "Owner")
                    .other
                    .insert("someNewSetting".into(), json!("x"));
            },
        ),
        // Request validators: the name is what methods reference.
        m("RequestValidator.name", None, &["POST /pets"], |api| {
            validator_mut(api, "validate-body").name = "body".into()
        }),
        m(
            "RequestValidator.validate_request_body",
            Some(RequestValidators),
            NO_ROUTES,
            |api| validator_mut(api, "validate-body").validate_request_body = Some(false),
        ),
        m(
            "RequestValidator.validate_request_parameters",
            Some(RequestValidators),
            NO_ROUTES,
            |api| validator_mut(api, "validate-body").validate_request_parameters = Some(true),
        ),
        m(
            "RequestValidator.other (unknown member)",
            Some(RequestValidators),
            NO_ROUTES,
            |api| {
                validator_mut(api, "validate-body")
                    .other
                    .insert("someNewSetting".into(), json!(true));
            },
        ),
        // Gateway responses
        m(
            "GatewayResponse.response_type",
            Some(GatewayResponses),
            NO_ROUTES,
            |api| gateway_response_mut(api, "UNAUTHORIZED").response_type = "ACCESS_DENIED".into(),
        ),
        m(
            "GatewayResponse.status_code",
            Some(GatewayResponses),
            NO_ROUTES,
            |api| gateway_response_mut(api, "UNAUTHORIZED").status_code = None,
        ),
        m(
            "GatewayResponse.response_parameters",
            Some(GatewayResponses),
            NO_ROUTES,
            |api| {
                gateway_response_mut(api, "UNAUTHORIZED")
                    .response_parameters
                    .clear()
            },
        ),
        m(
            "GatewayResponse.response_templates",
            Some(GatewayResponses),
            NO_ROUTES,
            |api| {
                gateway_response_mut(api, "UNAUTHORIZED")
                    .response_templates
                    .insert("text/plain".into(), "no".into());
            },
        ),
        m(
            "GatewayResponse.default_response",
            Some(GatewayResponses),
            NO_ROUTES,
            |api| gateway_response_mut(api, "DEFAULT_5XX").default_response = false,
        ),
        m(
            "GatewayResponse.other (unknown member)",
            Some(GatewayResponses),
            NO_ROUTES,
            |api| {
                gateway_response_mut(api, "UNAUTHORIZED")
                    .other
                    .insert("someNewSetting".into(), json!(1));
            },
        ),
    ]
}

fn fixtures_lambda_uri(function: &str) -> String {
    format!("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:{function}/invocations")
}

/// Fields that are deliberately not hashed, with the reason (docs/hash-contract.md).
const NOT_HASHED: &[&str] = &[
    "RestApi.id",          // generated; neutralised in policy/schemas
    "Resource.id",         // generated
    "Resource.parent_id",  // generated; the path carries the hierarchy
    "Resource.path_part",  // contained in the path
    "Method.http_method",  // the verb is the key in Resource.methods
    "Authorizer.id",       // generated; methods reference the name
    "Model.id",            // generated
    "RequestValidator.id", // generated; methods reference the name
];

/// Every field of every Snapshot kind. The destructuring fails to compile when a field is added
/// to the snapshot, forcing a decision: add a mutation (and a contract entry) or list it above.
fn all_fields() -> Vec<&'static str> {
    let RestApi {
        id: _,
        policy: _,
        binary_media_types: _,
        minimum_compression_size: _,
        api_key_source: _,
        endpoint_configuration: _,
        disable_execute_api_endpoint: _,
        other: _,
    } = RestApi::default();
    let EndpointConfiguration {
        types: _,
        vpc_endpoint_ids: _,
        other: _,
    } = EndpointConfiguration::default();
    let Resource {
        id: _,
        parent_id: _,
        path: _,
        path_part: _,
        methods: _,
        other: _,
    } = Resource::default();
    let Method {
        http_method: _,
        authorization_type: _,
        authorizer_id: _,
        api_key_required: _,
        operation_name: _,
        request_parameters: _,
        request_models: _,
        request_validator_id: _,
        authorization_scopes: _,
        method_responses: _,
        integration: _,
        other: _,
    } = Method::default();
    let MethodResponse {
        status_code: _,
        response_parameters: _,
        response_models: _,
        other: _,
    } = MethodResponse::default();
    let Integration {
        integration_type: _,
        http_method: _,
        uri: _,
        connection_type: _,
        connection_id: _,
        credentials: _,
        request_parameters: _,
        request_templates: _,
        passthrough_behavior: _,
        content_handling: _,
        timeout_in_millis: _,
        cache_namespace: _,
        cache_key_parameters: _,
        tls_config: _,
        response_transfer_mode: _,
        integration_responses: _,
        other: _,
    } = Integration::default();
    let TlsConfig {
        insecure_skip_verification: _,
        other: _,
    } = TlsConfig::default();
    let IntegrationResponse {
        status_code: _,
        selection_pattern: _,
        response_parameters: _,
        response_templates: _,
        content_handling: _,
        other: _,
    } = IntegrationResponse::default();
    let Authorizer {
        id: _,
        name: _,
        authorizer_type: _,
        provider_arns: _,
        auth_type: _,
        authorizer_uri: _,
        authorizer_credentials: _,
        identity_source: _,
        identity_validation_expression: _,
        authorizer_result_ttl_in_seconds: _,
        other: _,
    } = Authorizer::default();
    let Model {
        id: _,
        name: _,
        content_type: _,
        schema: _,
        other: _,
    } = Model::default();
    let RequestValidator {
        id: _,
        name: _,
        validate_request_body: _,
        validate_request_parameters: _,
        other: _,
    } = RequestValidator::default();
    let GatewayResponse {
        response_type: _,
        status_code: _,
        response_parameters: _,
        response_templates: _,
        default_response: _,
        other: _,
    } = GatewayResponse::default();
    vec![
        "RestApi.id",
        "RestApi.policy",
        "RestApi.binary_media_types",
        "RestApi.minimum_compression_size",
        "RestApi.api_key_source",
        "RestApi.disable_execute_api_endpoint",
        "RestApi.other (securityPolicy)",
        "RestApi.other (endpointAccessMode)",
        "RestApi.other (unknown member)",
        "EndpointConfiguration.types",
        "EndpointConfiguration.vpc_endpoint_ids",
        "EndpointConfiguration.other",
        "Resource.id",
        "Resource.parent_id",
        "Resource.path",
        "Resource.path_part",
        "Resource.methods",
        "Resource.other (unknown member)",
        "Method.http_method",
        "Method.authorization_type",
        "Method.authorizer_id",
        "Method.api_key_required",
        "Method.operation_name",
        "Method.request_parameters",
        "Method.request_models",
        "Method.request_validator_id",
        "Method.authorization_scopes",
        "Method.method_responses",
        "Method.integration",
        "Method.other (unknown member)",
        "MethodResponse.status_code",
        "MethodResponse.response_parameters",
        "MethodResponse.response_models",
        "MethodResponse.other (unknown member)",
        "Integration.integration_type",
        "Integration.http_method",
        "Integration.uri",
        "Integration.connection_type",
        "Integration.connection_id",
        "Integration.credentials",
        "Integration.request_parameters",
        "Integration.request_templates",
        "Integration.passthrough_behavior",
        "Integration.content_handling",
        "Integration.timeout_in_millis",
        "Integration.cache_namespace",
        "Integration.cache_key_parameters",
        "TlsConfig.insecure_skip_verification",
        "TlsConfig.other",
        "Integration.response_transfer_mode",
        "Integration.other (integrationTarget)",
        "Integration.other (unknown member)",
        "Integration.integration_responses",
        "IntegrationResponse.status_code",
        "IntegrationResponse.selection_pattern",
        "IntegrationResponse.response_parameters",
        "IntegrationResponse.response_templates",
        "IntegrationResponse.content_handling",
        "IntegrationResponse.other (unknown member)",
        "Authorizer.id",
        "Authorizer.name",
        "Authorizer.authorizer_type",
        "Authorizer.provider_arns",
        "Authorizer.auth_type",
        "Authorizer.authorizer_uri",
        "Authorizer.authorizer_credentials",
        "Authorizer.identity_source",
        "Authorizer.identity_validation_expression",
        "Authorizer.authorizer_result_ttl_in_seconds",
        "Authorizer.other (jwtConfiguration)",
        "Model.id",
        "Model.name",
        "Model.content_type",
        "Model.schema",
        "Model.other (unknown member)",
        "RequestValidator.id",
        "RequestValidator.name",
        "RequestValidator.validate_request_body",
        "RequestValidator.validate_request_parameters",
        "RequestValidator.other (unknown member)",
        "GatewayResponse.response_type",
        "GatewayResponse.status_code",
        "GatewayResponse.response_parameters",
        "GatewayResponse.response_templates",
        "GatewayResponse.default_response",
        "GatewayResponse.other (unknown member)",
    ]
}

#[test]
fn every_field_is_either_mutated_or_deliberately_not_hashed() {
    let mutated: BTreeSet<&str> = mutations().iter().map(|m| m.field).collect();
    for field in all_fields() {
        assert!(
            mutated.contains(field) ^ NOT_HASHED.contains(&field),
            "{field}: needs exactly one of a mutation or a NOT_HASHED entry"
        );
    }
}

#[test]
fn each_allow_listed_field_changes_the_hash_and_only_its_routes() {
    let base = fixtures::lambda_proxy();
    let before = fp(&base);
    for mutation in mutations() {
        let mut changed = base.clone();
        (mutation.apply)(&mut changed);
        assert_ne!(
            changed, base,
            "{}: the mutation must edit the fixture",
            mutation.field
        );
        let after = fp(&changed);
        assert_ne!(
            after.hash, before.hash,
            "{} must change the hash",
            mutation.field
        );
        let expected: BTreeSet<String> = mutation.routes.iter().map(|r| (*r).to_owned()).collect();
        assert_eq!(
            changed_routes(&before, &after),
            expected,
            "{}: changed routes",
            mutation.field
        );
    }
}

#[test]
fn each_exclusion_removes_exactly_its_aspect() {
    let base = fixtures::lambda_proxy();
    for mutation in mutations() {
        let mut changed = base.clone();
        (mutation.apply)(&mut changed);
        for aspect in Aspect::ALL {
            let options = Options::excluding([aspect]);
            let same = fingerprint(&base, &options).hash == fingerprint(&changed, &options).hash;
            assert_eq!(
                same,
                mutation.aspect == Some(aspect),
                "{} with {aspect} excluded",
                mutation.field
            );
        }
        let all = Options::excluding(Aspect::ALL);
        let same = fingerprint(&base, &all).hash == fingerprint(&changed, &all).hash;
        assert_eq!(
            same,
            mutation.aspect.is_some(),
            "{} with everything excluded",
            mutation.field
        );
    }
}

#[test]
fn fixtures_hash_alike_in_any_order_and_with_other_ids() {
    for snapshot in [
        fixtures::root_only(),
        fixtures::lambda_proxy(),
        fixtures::http_templates(),
    ] {
        let expected = fp(&snapshot);
        for seed in 0..16 {
            let copy = synthetic::with_new_ids(&synthetic::shuffled(&snapshot, seed), seed);
            let moved = fp(&copy);
            assert_eq!(moved.hash, expected.hash, "seed {seed}");
            assert_eq!(moved.routes, expected.routes, "seed {seed}");
        }
    }
}

#[test]
fn excluding_an_aspect_that_is_empty_changes_nothing() {
    let snapshot = fixtures::root_only();
    let plain = hash(&snapshot);
    for aspect in [
        Aspect::Authorizers,
        Aspect::Models,
        Aspect::RequestValidators,
        Aspect::GatewayResponses,
        Aspect::Policy,
    ] {
        assert_eq!(
            fingerprint(&snapshot, &Options::excluding([aspect])).hash,
            plain,
            "{aspect}"
        );
    }
}

#[test]
fn excluded_authorizers_are_still_named_by_methods() {
    let doc = document(
        &fixtures::lambda_proxy(),
        &Options::excluding([Aspect::Authorizers]),
    );
    let text = String::from_utf8(doc).expect("utf-8");
    assert!(!text.contains("\"authorizers\":"));
    assert!(text.contains("\"authorizer\":\"pets-token\""));
}

#[test]
fn policy_equivalent_forms_hash_alike() {
    let base = fixtures::lambda_proxy();
    let plain = |api: &str| fixtures::escaped_policy(api).replace("\\\"", "\"");
    let variants = [
        plain("p3ts4p1abc"),
        format!("  {}\n", plain("p3ts4p1abc")),
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&plain("p3ts4p1abc")).expect("json")).expect("json"),
        // Statements reordered, singletons as lists, duplicated members and statements.
        r#"{"Statement":[
            {"Resource":["arn:aws:execute-api:eu-west-1:123456789012:p3ts4p1abc/*/DELETE/*"],"Effect":"Deny","Principal":"*","Action":["execute-api:Invoke","execute-api:Invoke"],"Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}},
            {"Effect":"Allow","Principal":"*","Action":["execute-api:Invoke"],"Resource":"arn:aws:execute-api:eu-west-1:123456789012:p3ts4p1abc/*"},
            {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:eu-west-1:123456789012:p3ts4p1abc/*"}
        ],"Version":"2012-10-17"}"#.to_owned(),
        // The policy wrapped in a JSON string.
        serde_json::to_string(&plain("p3ts4p1abc")).expect("json"),
    ];
    let expected = hash(&base);
    for variant in variants {
        let mut changed = base.clone();
        changed.rest_api.policy = Some(variant.clone());
        assert_eq!(hash(&changed), expected, "{variant}");
    }
    // Different content stays different: "*" is not folded into {"AWS":"*"}.
    let mut aws_star = base.clone();
    aws_star.rest_api.policy =
        Some(plain("p3ts4p1abc").replace("\"Principal\":\"*\"", "\"Principal\":{\"AWS\":\"*\"}"));
    assert_ne!(hash(&aws_star), expected);
}

#[test]
fn unparseable_policy_is_hashed_as_trimmed_text() {
    let mut a = fixtures::lambda_proxy();
    a.rest_api.policy = s("{\"Statement\": [ broken");
    let mut b = a.clone();
    b.rest_api.policy = s("  {\"Statement\": [ broken\n");
    let mut c = a.clone();
    c.rest_api.policy = s("{\"Statement\": [ broken2");
    assert_eq!(hash(&a), hash(&b));
    assert_ne!(hash(&a), hash(&c));
    assert!(String::from_utf8(document(&a, &Options::default()))
        .expect("utf-8")
        .contains("\"policyText\":"));
}

#[test]
fn default_gateway_responses_do_not_matter() {
    let base = fixtures::lambda_proxy();
    let mut changed = base.clone();
    changed.gateway_responses.retain(|g| !g.default_response);
    assert_eq!(hash(&changed), hash(&base));
    let mut edited_defaults = base.clone();
    gateway_response_mut(&mut edited_defaults, "DEFAULT_5XX")
        .response_templates
        .clear();
    edited_defaults.gateway_responses.push(GatewayResponse {
        response_type: "THROTTLED".into(),
        status_code: s("429"),
        default_response: true,
        ..GatewayResponse::default()
    });
    assert_eq!(hash(&edited_defaults), hash(&base));
}

#[test]
fn absent_null_and_empty_are_alike() {
    let base = fixtures::http_templates();
    let mut changed = base.clone();
    changed.rest_api.policy = s("   ");
    changed.rest_api.api_key_source = s("");
    changed.rest_api.disable_execute_api_endpoint = Some(false);
    let delete = method_mut(&mut changed, "DELETE", "/orders/{id}");
    delete.authorizer_id = s("");
    delete.request_validator_id = s("");
    delete.operation_name = s("");
    delete.api_key_required = Some(false);
    let integration = integration_mut(&mut changed, "GET", "/orders/{id}");
    integration.credentials = s("");
    let mut expected = hash(&base);
    assert_eq!(hash(&changed), expected);

    // The AWS default cache namespace (the resource id) equals no namespace.
    let mut defaulted = base.clone();
    integration_mut(&mut defaulted, "GET", "/orders/{id}").cache_namespace = s("ordid00002");
    let mut unset = base.clone();
    integration_mut(&mut unset, "GET", "/orders/{id}").cache_namespace = None;
    assert_eq!(hash(&defaulted), hash(&unset));

    // Empty and null policies; empty sets and maps; false validator flags.
    let mut api = fixtures::root_only();
    expected = hash(&api);
    for policy in ["", "{}", "null", " \n "] {
        api.rest_api.policy = s(policy);
        assert_eq!(hash(&api), expected, "policy {policy:?}");
    }
    api.rest_api.policy = None;
    api.rest_api.binary_media_types.clear();
    api.request_validators.push(RequestValidator {
        id: "v".into(),
        name: "none".into(),
        ..RequestValidator::default()
    });
    let with_none = hash(&api);
    api.request_validators[0].validate_request_body = Some(false);
    api.request_validators[0].validate_request_parameters = Some(false);
    assert_eq!(hash(&api), with_none);
    let model = Model {
        id: "m".into(),
        name: "M".into(),
        content_type: s(""),
        schema: s("  "),
        other: Default::default(),
    };
    let mut with_model = fixtures::root_only();
    with_model.models.push(model.clone());
    let mut bare_model = fixtures::root_only();
    bare_model.models.push(Model {
        content_type: None,
        schema: None,
        ..model
    });
    assert_eq!(hash(&with_model), hash(&bare_model));
}

#[test]
fn present_but_empty_entities_still_count() {
    // A method response, integration or resource with no fields is still content.
    let base = fixtures::http_templates();
    let mut no_404 = base.clone();
    method_mut(&mut no_404, "GET", "/orders/{id}")
        .method_responses
        .remove("404");
    assert_ne!(hash(&no_404), hash(&base));
    let mut empty_integration = base.clone();
    method_mut(&mut empty_integration, "DELETE", "/orders/{id}").integration =
        Some(Integration::default());
    assert_ne!(hash(&empty_integration), hash(&base));
    let mut no_orders = base.clone();
    no_orders.resources.retain(|r| r.path != "/orders");
    assert_ne!(hash(&no_orders), hash(&base));
}

#[test]
fn dangling_references_use_a_stable_marker() {
    let mut a = fixtures::lambda_proxy();
    method_mut(&mut a, "GET", "/pets").authorizer_id = s("gone000001");
    method_mut(&mut a, "POST", "/pets").request_validator_id = s("gone000002");
    let mut b = a.clone();
    method_mut(&mut b, "GET", "/pets").authorizer_id = s("gone000009");
    method_mut(&mut b, "POST", "/pets").request_validator_id = s("gone000008");
    assert_eq!(hash(&a), hash(&b));
    let text = String::from_utf8(document(&a, &Options::default())).expect("utf-8");
    assert!(text.contains("\"authorizer\":{\"missing\":true}"));
    assert!(text.contains("\"requestValidator\":{\"missing\":true}"));
    assert!(!text.contains("gone0000"));
}

#[test]
fn duplicate_names_and_paths_are_order_independent() {
    let mut a = fixtures::lambda_proxy();
    a.authorizers.push(Authorizer {
        id: "dup1".into(),
        name: "pets-token".into(),
        authorizer_type: s("REQUEST"),
        ..Authorizer::default()
    });
    let twin = Resource {
        id: "twin000001".into(),
        path: "/pets".into(),
        methods: map(&[(
            "GET",
            Method {
                http_method: "GET".into(),
                authorization_type: s("NONE"),
                ..Method::default()
            },
        )]),
        ..Resource::default()
    };
    a.resources.push(twin);
    let b = synthetic::shuffled(&a, 7);
    let c = synthetic::shuffled(&a, 8);
    assert_eq!(fp(&a), fp(&b));
    assert_eq!(fp(&a).hash, fp(&c).hash);
    let doc: serde_json::Value =
        serde_json::from_slice(&document(&a, &Options::default())).expect("valid JSON");
    assert!(doc["authorizers"]["pets-token"].is_array());
    assert!(doc["resources"]["/pets"].is_array());
}

/// The document is valid JSON and equals serde_json's own compact, key-sorted rendering
/// (synthetic APIs carry no floats, whose spelling may differ from the answer's).
fn assert_canonical_json(bytes: &[u8]) {
    let value: serde_json::Value = serde_json::from_slice(bytes).expect("valid JSON");
    assert!(value.is_object());
    let expected = serde_json::to_string(&value).expect("json");
    assert_eq!(String::from_utf8(bytes.to_vec()).expect("utf-8"), expected);
}

#[test]
fn fixture_documents_are_canonical_json() {
    for snapshot in [fixtures::root_only(), fixtures::http_templates()] {
        assert_canonical_json(&document(&snapshot, &Options::default()));
    }
}

fn route_keys(snapshot: &Snapshot) -> BTreeSet<String> {
    snapshot
        .resources
        .iter()
        .flat_map(|r| {
            r.methods
                .keys()
                .map(move |verb| format!("{verb} {}", r.path))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn order_and_generated_ids_do_not_matter(
        resources in 1usize..40,
        methods in 1usize..5,
        seed in any::<u64>(),
        other in any::<u64>(),
    ) {
        let api = synthetic::api(resources, methods, seed);
        let original = fp(&api);
        let copy = synthetic::with_new_ids(&synthetic::shuffled(&api, other), other);
        prop_assert_ne!(&copy.rest_api.id, &api.rest_api.id);
        let moved = fp(&copy);
        prop_assert_eq!(&moved.hash, &original.hash);
        prop_assert_eq!(&moved.routes, &original.routes);
        prop_assert_eq!(document(&copy, &Options::default()), document(&api, &Options::default()));
        prop_assert_eq!(moved.ids.len(), original.ids.len());
        prop_assert_eq!(
            (moved.resource_count, moved.method_count, moved.integration_count),
            (original.resource_count, original.method_count, original.integration_count)
        );
    }

    #[test]
    fn documents_are_canonical_json_with_one_route_per_method(
        resources in 0usize..30,
        methods in 0usize..9,
        seed in any::<u64>(),
    ) {
        let api = synthetic::api(resources, methods, seed);
        assert_canonical_json(&document(&api, &Options::default()));
        let f = fp(&api);
        prop_assert_eq!(f.routes.keys().cloned().collect::<BTreeSet<_>>(), route_keys(&api));
        prop_assert_eq!(f.method_count, resources * methods.min(8));
        let mut sorted = f.ids.clone();
        sorted.sort();
        prop_assert_eq!(&sorted, &f.ids);
        prop_assert_eq!(f.ids.len(), f.resource_count + f.method_count + f.integration_count);
    }

    #[test]
    fn editing_one_method_changes_only_its_route(
        resources in 1usize..30,
        methods in 1usize..5,
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
        edit in 0usize..4,
    ) {
        let api = synthetic::api(resources, methods, seed);
        let keys: Vec<(usize, String)> = api
            .resources
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.methods.keys().map(move |verb| (i, verb.clone())))
            .collect();
        let (index, verb) = pick.get(&keys).clone();
        let mut changed = api.clone();
        let method = changed.resources[index].methods.get_mut(&verb).expect("picked method");
        match edit {
            0 => method.authorization_type = s("AWS_IAM"),
            1 => method.operation_name = s("edited-operation"),
            2 => method.integration = None,
            _ => { method.request_parameters.insert("method.request.header.X-Edited".into(), true); }
        }
        prop_assume!(changed != api);
        let (before, after) = (fp(&api), fp(&changed));
        prop_assert_ne!(&before.hash, &after.hash);
        let expected: BTreeSet<String> = [format!("{verb} {}", api.resources[index].path)].into();
        prop_assert_eq!(changed_routes(&before, &after), expected);
    }

    #[test]
    fn synthetic_apis_are_deterministic(resources in 0usize..20, methods in 0usize..4, seed in any::<u64>()) {
        prop_assert_eq!(synthetic::api(resources, methods, seed), synthetic::api(resources, methods, seed));
    }
}

#[test]
fn different_seeds_give_different_apis() {
    let hashes: BTreeSet<String> = (0..20)
        .map(|seed| hash(&synthetic::api(12, 3, seed)))
        .collect();
    assert_eq!(hashes.len(), 20);
    let routes: BTreeMap<String, String> = fp(&synthetic::api(50, 2, 1)).routes;
    assert_eq!(routes.len(), 100);
}
