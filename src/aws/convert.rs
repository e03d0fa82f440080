//! Pure conversion of AWS SDK API Gateway types into [`crate::snapshot`] types.
//!
//! Identity fields the snapshot relies on (resource id and path, authorizer/model/validator
//! id and name, gateway response type) must be present: a response without them is reported
//! as malformed rather than guessed, since a guess would silently change the hash.

use std::collections::HashMap;

use aws_sdk_apigateway::types as sdk;

use crate::snapshot;

/// Why an SDK object could not be converted (becomes a "malformed response" error).
pub(crate) type ConvertError = String;

fn map<V: Clone>(m: Option<&HashMap<String, V>>) -> snapshot::SortedMap<V> {
    m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

fn required(value: Option<&str>, what: &str) -> Result<String, ConvertError> {
    match value {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        _ => Err(format!("{what} is missing")),
    }
}

pub(crate) fn rest_api(api: &sdk::RestApi, requested_id: &str) -> snapshot::RestApi {
    let endpoint = api.endpoint_configuration();
    snapshot::RestApi {
        id: api.id().unwrap_or(requested_id).to_owned(),
        policy: owned(api.policy()),
        binary_media_types: api.binary_media_types().to_vec(),
        minimum_compression_size: api.minimum_compression_size(),
        api_key_source: api.api_key_source().map(|s| s.as_str().to_owned()),
        endpoint_types: endpoint
            .map(|e| e.types().iter().map(|t| t.as_str().to_owned()).collect())
            .unwrap_or_default(),
        vpc_endpoint_ids: endpoint
            .map(|e| e.vpc_endpoint_ids().to_vec())
            .unwrap_or_default(),
        disable_execute_api_endpoint: Some(api.disable_execute_api_endpoint()),
    }
}

/// A resource with its embedded methods. Methods whose integration was not embedded get
/// `integration: None`; the caller decides whether to fetch it (see `fetch`).
pub(crate) fn resource(r: &sdk::Resource) -> Result<snapshot::Resource, ConvertError> {
    let id = required(r.id(), "a resource's id")?;
    let path = required(r.path(), &format!("the path of resource {id}"))?;
    let methods = r
        .resource_methods()
        .map(|methods| {
            methods
                .iter()
                .map(|(verb, m)| (verb.clone(), method(verb, m)))
                .collect()
        })
        .unwrap_or_default();
    Ok(snapshot::Resource {
        id,
        parent_id: owned(r.parent_id()),
        path,
        path_part: owned(r.path_part()),
        methods,
    })
}

pub(crate) fn method(verb: &str, m: &sdk::Method) -> snapshot::Method {
    snapshot::Method {
        http_method: m.http_method().unwrap_or(verb).to_owned(),
        authorization_type: owned(m.authorization_type()),
        authorizer_id: owned(m.authorizer_id()),
        api_key_required: m.api_key_required(),
        operation_name: owned(m.operation_name()),
        request_parameters: map(m.request_parameters()),
        request_models: map(m.request_models()),
        request_validator_id: owned(m.request_validator_id()),
        authorization_scopes: m.authorization_scopes().to_vec(),
        method_responses: m
            .method_responses()
            .map(|responses| {
                responses
                    .iter()
                    .map(|(code, r)| (code.clone(), method_response(code, r)))
                    .collect()
            })
            .unwrap_or_default(),
        integration: m.method_integration().map(integration),
    }
}

fn method_response(code: &str, r: &sdk::MethodResponse) -> snapshot::MethodResponse {
    snapshot::MethodResponse {
        status_code: r.status_code().unwrap_or(code).to_owned(),
        response_parameters: map(r.response_parameters()),
        response_models: map(r.response_models()),
    }
}

pub(crate) fn integration(i: &sdk::Integration) -> snapshot::Integration {
    snapshot::Integration {
        integration_type: i.r#type().map(|t| t.as_str().to_owned()),
        http_method: owned(i.http_method()),
        uri: owned(i.uri()),
        connection_type: i.connection_type().map(|t| t.as_str().to_owned()),
        connection_id: owned(i.connection_id()),
        credentials: owned(i.credentials()),
        request_parameters: map(i.request_parameters()),
        request_templates: map(i.request_templates()),
        passthrough_behavior: owned(i.passthrough_behavior()),
        content_handling: i.content_handling().map(|c| c.as_str().to_owned()),
        // The SDK reads an absent value as 0, which is not a valid timeout (minimum 50 ms).
        timeout_in_millis: Some(i.timeout_in_millis()).filter(|t| *t > 0),
        cache_namespace: owned(i.cache_namespace()),
        cache_key_parameters: i.cache_key_parameters().to_vec(),
        tls_insecure_skip_verification: i.tls_config().map(|t| t.insecure_skip_verification()),
        integration_responses: i
            .integration_responses()
            .map(|responses| {
                responses
                    .iter()
                    .map(|(code, r)| (code.clone(), integration_response(code, r)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn integration_response(code: &str, r: &sdk::IntegrationResponse) -> snapshot::IntegrationResponse {
    snapshot::IntegrationResponse {
        status_code: r.status_code().unwrap_or(code).to_owned(),
        selection_pattern: owned(r.selection_pattern()),
        response_parameters: map(r.response_parameters()),
        response_templates: map(r.response_templates()),
        content_handling: r.content_handling().map(|c| c.as_str().to_owned()),
    }
}

pub(crate) fn authorizer(a: &sdk::Authorizer) -> Result<snapshot::Authorizer, ConvertError> {
    let id = required(a.id(), "an authorizer's id")?;
    let name = required(a.name(), &format!("the name of authorizer {id}"))?;
    Ok(snapshot::Authorizer {
        id,
        name,
        authorizer_type: a.r#type().map(|t| t.as_str().to_owned()),
        provider_arns: a.provider_arns().to_vec(),
        auth_type: owned(a.auth_type()),
        authorizer_uri: owned(a.authorizer_uri()),
        authorizer_credentials: owned(a.authorizer_credentials()),
        identity_source: owned(a.identity_source()),
        identity_validation_expression: owned(a.identity_validation_expression()),
        authorizer_result_ttl_in_seconds: a.authorizer_result_ttl_in_seconds(),
    })
}

pub(crate) fn model(m: &sdk::Model) -> Result<snapshot::Model, ConvertError> {
    let id = required(m.id(), "a model's id")?;
    let name = required(m.name(), &format!("the name of model {id}"))?;
    Ok(snapshot::Model {
        id,
        name,
        content_type: owned(m.content_type()),
        schema: owned(m.schema()),
    })
}

pub(crate) fn request_validator(
    v: &sdk::RequestValidator,
) -> Result<snapshot::RequestValidator, ConvertError> {
    let id = required(v.id(), "a request validator's id")?;
    // AWS requires a name; tolerate its absence by naming the validator after its id, which
    // keeps methods' references resolvable.
    let name = v.name().filter(|n| !n.is_empty()).unwrap_or(&id).to_owned();
    Ok(snapshot::RequestValidator {
        id,
        name,
        validate_request_body: Some(v.validate_request_body()),
        validate_request_parameters: Some(v.validate_request_parameters()),
    })
}

pub(crate) fn gateway_response(
    g: &sdk::GatewayResponse,
) -> Result<snapshot::GatewayResponse, ConvertError> {
    let response_type = g
        .response_type()
        .map(|t| t.as_str().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "a gateway response's responseType is missing".to_string())?;
    Ok(snapshot::GatewayResponse {
        response_type,
        status_code: owned(g.status_code()),
        response_parameters: map(g.response_parameters()),
        response_templates: map(g.response_templates()),
        default_response: g.default_response(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_with_embedded_method_and_integration() {
        let integration = sdk::Integration::builder()
            .r#type(sdk::IntegrationType::AwsProxy)
            .http_method("POST")
            .uri("arn:aws:apigateway:us-east-1:lambda:path/fn")
            .connection_type(sdk::ConnectionType::Internet)
            .request_templates("application/json", "{}")
            .request_parameters("integration.request.header.x", "method.request.header.y")
            .passthrough_behavior("WHEN_NO_MATCH")
            .content_handling(sdk::ContentHandlingStrategy::ConvertToText)
            .timeout_in_millis(29000)
            .cache_namespace("ns")
            .cache_key_parameters("method.request.path.id")
            .tls_config(
                sdk::TlsConfig::builder()
                    .insecure_skip_verification(true)
                    .build(),
            )
            .integration_responses(
                "200",
                sdk::IntegrationResponse::builder()
                    .selection_pattern("")
                    .response_templates("application/json", "$input.body")
                    .response_parameters("method.response.header.a", "'b'")
                    .build(),
            )
            .build();
        let method = sdk::Method::builder()
            .authorization_type("CUSTOM")
            .authorizer_id("auth1")
            .api_key_required(true)
            .operation_name("getItem")
            .request_parameters("method.request.path.id", true)
            .request_models("application/json", "Item")
            .request_validator_id("val1")
            .authorization_scopes("scope/a")
            .method_responses(
                "200",
                sdk::MethodResponse::builder()
                    .response_parameters("method.response.header.a", false)
                    .response_models("application/json", "Empty")
                    .build(),
            )
            .method_integration(integration)
            .build();
        let r = sdk::Resource::builder()
            .id("r1")
            .parent_id("root")
            .path("/items/{id}")
            .path_part("{id}")
            .resource_methods("GET", method)
            .build();
        let got = resource(&r).unwrap();
        assert_eq!(got.path, "/items/{id}");
        assert_eq!(got.parent_id.as_deref(), Some("root"));
        let m = &got.methods["GET"];
        assert_eq!(
            m.http_method, "GET",
            "verb comes from the map key when the method omits it"
        );
        assert_eq!(m.authorizer_id.as_deref(), Some("auth1"));
        assert_eq!(m.api_key_required, Some(true));
        assert!(m.request_parameters["method.request.path.id"]);
        assert_eq!(m.method_responses["200"].status_code, "200");
        assert_eq!(
            m.method_responses["200"].response_models["application/json"],
            "Empty"
        );
        let i = m.integration.as_ref().unwrap();
        assert_eq!(i.integration_type.as_deref(), Some("AWS_PROXY"));
        assert_eq!(i.connection_type.as_deref(), Some("INTERNET"));
        assert_eq!(i.content_handling.as_deref(), Some("CONVERT_TO_TEXT"));
        assert_eq!(i.timeout_in_millis, Some(29000));
        assert_eq!(i.tls_insecure_skip_verification, Some(true));
        assert_eq!(i.cache_key_parameters, vec!["method.request.path.id"]);
        let ir = &i.integration_responses["200"];
        assert_eq!(ir.selection_pattern.as_deref(), Some(""));
        assert_eq!(ir.response_templates["application/json"], "$input.body");
    }

    #[test]
    fn absent_optionals_stay_absent() {
        let r = sdk::Resource::builder()
            .id("r")
            .path("/")
            .resource_methods("ANY", sdk::Method::builder().build())
            .build();
        let got = resource(&r).unwrap();
        let m = &got.methods["ANY"];
        assert_eq!(m.api_key_required, None);
        assert!(m.integration.is_none());
        let i = integration(&sdk::Integration::builder().build());
        assert_eq!(i.timeout_in_millis, None);
        assert_eq!(i.tls_insecure_skip_verification, None);
    }

    #[test]
    fn missing_identity_fields_are_errors() {
        assert!(resource(&sdk::Resource::builder().id("r").build()).is_err());
        assert!(resource(&sdk::Resource::builder().path("/").build()).is_err());
        assert!(authorizer(&sdk::Authorizer::builder().id("a").build()).is_err());
        assert!(model(&sdk::Model::builder().name("M").build()).is_err());
        assert!(gateway_response(&sdk::GatewayResponse::builder().build()).is_err());
    }

    #[test]
    fn rest_api_settings() {
        let api = sdk::RestApi::builder()
            .id("abc")
            .policy("{\\\"Version\\\":\\\"2012-10-17\\\"}")
            .binary_media_types("image/png")
            .minimum_compression_size(1024)
            .api_key_source(sdk::ApiKeySourceType::Authorizer)
            .endpoint_configuration(
                sdk::EndpointConfiguration::builder()
                    .types(sdk::EndpointType::Private)
                    .vpc_endpoint_ids("vpce-1")
                    .build(),
            )
            .disable_execute_api_endpoint(true)
            .build();
        let got = rest_api(&api, "abc");
        assert_eq!(
            got.policy.as_deref(),
            Some("{\\\"Version\\\":\\\"2012-10-17\\\"}")
        );
        assert_eq!(got.endpoint_types, vec!["PRIVATE"]);
        assert_eq!(got.vpc_endpoint_ids, vec!["vpce-1"]);
        assert_eq!(got.api_key_source.as_deref(), Some("AUTHORIZER"));
        assert_eq!(got.minimum_compression_size, Some(1024));
        assert_eq!(got.disable_execute_api_endpoint, Some(true));
    }

    #[test]
    fn collections() {
        let a = authorizer(
            &sdk::Authorizer::builder()
                .id("a1")
                .name("jwt")
                .r#type(sdk::AuthorizerType::Token)
                .authorizer_uri("arn:x")
                .identity_source("method.request.header.Authorization")
                .authorizer_result_ttl_in_seconds(300)
                .build(),
        )
        .unwrap();
        assert_eq!(a.authorizer_type.as_deref(), Some("TOKEN"));
        assert_eq!(a.authorizer_result_ttl_in_seconds, Some(300));
        let v = request_validator(
            &sdk::RequestValidator::builder()
                .id("v1")
                .validate_request_body(true)
                .build(),
        )
        .unwrap();
        assert_eq!(
            (
                v.name.as_str(),
                v.validate_request_body,
                v.validate_request_parameters
            ),
            ("v1", Some(true), Some(false))
        );
        let g = gateway_response(
            &sdk::GatewayResponse::builder()
                .response_type(sdk::GatewayResponseType::Default4Xx)
                .status_code("400")
                .default_response(false)
                .response_templates("application/json", "{}")
                .build(),
        )
        .unwrap();
        assert_eq!(g.response_type, "DEFAULT_4XX");
        assert!(!g.default_response);
    }
}
