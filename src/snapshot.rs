//! The `Snapshot`: plain data describing everything a REST API deployment captures.
//!
//! This is the hand-off point between IO and the pure core: `aws::fetch` fills it from the
//! live API's JSON answers (or a test builds it by hand), `canonical` turns it into the hashed
//! document. It holds no behaviour beyond small helpers and no AWS SDK types, so the hash core
//! never depends on how the data was obtained.
//!
//! Each type reads API Gateway's JSON answer for its kind (`serde`, AWS's member names). The
//! members the hash treats specially have typed fields; every other member the answer carries
//! is kept, as answered, in `other` — so a member AWS adds later reaches the canonical document
//! instead of being dropped on the way (docs/hash-contract.md, "Members AWS adds later").
//! A JSON `null` reads as absent, and inside a map as the empty value (AWS answers an empty
//! mapping template as `null`).

mod sorted_map;

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

pub use sorted_map::SortedMap;

/// The members of an answer that no typed field names, keyed by AWS's member name.
pub type OtherMembers = BTreeMap<String, Value>;

/// One REST API as read from the control plane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub rest_api: RestApi,
    /// Every resource, in whatever order the pages returned them.
    pub resources: Vec<Resource>,
    pub authorizers: Vec<Authorizer>,
    pub models: Vec<Model>,
    pub request_validators: Vec<RequestValidator>,
    /// All gateway responses, including AWS defaults (`default_response == true`).
    pub gateway_responses: Vec<GatewayResponse>,
}

/// A `null` member reads as the type's empty value.
fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// API-level settings (GetRestApi).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RestApi {
    /// The generated id; used for Terraform ids and to neutralise self-references, never hashed.
    #[serde(deserialize_with = "or_default")]
    pub id: String,
    /// The resource policy exactly as returned (a JSON document, possibly backslash-escaped).
    pub policy: Option<String>,
    #[serde(deserialize_with = "or_default")]
    pub binary_media_types: Vec<String>,
    pub minimum_compression_size: Option<i32>,
    /// `HEADER` or `AUTHORIZER`.
    pub api_key_source: Option<String>,
    #[serde(deserialize_with = "or_default")]
    pub endpoint_configuration: EndpointConfiguration,
    pub disable_execute_api_endpoint: Option<bool>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EndpointConfiguration {
    /// `EDGE`, `REGIONAL` or `PRIVATE`.
    #[serde(deserialize_with = "or_default")]
    pub types: Vec<String>,
    #[serde(deserialize_with = "or_default")]
    pub vpc_endpoint_ids: Vec<String>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

/// A path in the API with the methods defined on it (one item of GetResources).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Resource {
    /// Generated id (reported in `ids`, never hashed).
    #[serde(deserialize_with = "or_default")]
    pub id: String,
    pub parent_id: Option<String>,
    /// Full path, e.g. `/items/{id}`; the root is `/`.
    #[serde(deserialize_with = "or_default")]
    pub path: String,
    pub path_part: Option<String>,
    /// Methods keyed by HTTP verb (`GET`, `ANY`, ...).
    #[serde(rename = "resourceMethods")]
    pub methods: SortedMap<Method>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

/// A method with its responses and integration. Without `embed=methods` GetResources answers
/// `{}` for each method: such a method has an empty `http_method` and must be read whole.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Method {
    #[serde(deserialize_with = "or_default")]
    pub http_method: String,
    pub authorization_type: Option<String>,
    /// Generated id; the canonical document refers to the authorizer by name instead.
    pub authorizer_id: Option<String>,
    pub api_key_required: Option<bool>,
    pub operation_name: Option<String>,
    pub request_parameters: SortedMap<bool>,
    pub request_models: SortedMap<String>,
    /// Generated id; the canonical document refers to the validator by name instead.
    pub request_validator_id: Option<String>,
    #[serde(deserialize_with = "or_default")]
    pub authorization_scopes: Vec<String>,
    /// Keyed by status code.
    pub method_responses: SortedMap<MethodResponse>,
    #[serde(rename = "methodIntegration")]
    pub integration: Option<Integration>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MethodResponse {
    #[serde(deserialize_with = "or_default")]
    pub status_code: String,
    pub response_parameters: SortedMap<bool>,
    pub response_models: SortedMap<String>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Integration {
    /// `type` in the API: `AWS`, `AWS_PROXY`, `HTTP`, `HTTP_PROXY`, `MOCK`.
    #[serde(rename = "type")]
    pub integration_type: Option<String>,
    pub http_method: Option<String>,
    pub uri: Option<String>,
    pub connection_type: Option<String>,
    pub connection_id: Option<String>,
    pub credentials: Option<String>,
    pub request_parameters: SortedMap<String>,
    pub request_templates: SortedMap<String>,
    pub passthrough_behavior: Option<String>,
    pub content_handling: Option<String>,
    pub timeout_in_millis: Option<i32>,
    /// Defaults to the resource id when unset, so the canonicaliser drops it in that case.
    pub cache_namespace: Option<String>,
    #[serde(deserialize_with = "or_default")]
    pub cache_key_parameters: Vec<String>,
    #[serde(deserialize_with = "or_default")]
    pub tls_config: TlsConfig,
    /// `BUFFERED` (the default when absent) or `STREAM`.
    pub response_transfer_mode: Option<String>,
    /// Keyed by status code.
    pub integration_responses: SortedMap<IntegrationResponse>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TlsConfig {
    pub insecure_skip_verification: Option<bool>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IntegrationResponse {
    #[serde(deserialize_with = "or_default")]
    pub status_code: String,
    pub selection_pattern: Option<String>,
    pub response_parameters: SortedMap<String>,
    pub response_templates: SortedMap<String>,
    pub content_handling: Option<String>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Authorizer {
    /// Generated id; methods reference it, the canonical document uses `name`.
    #[serde(deserialize_with = "or_default")]
    pub id: String,
    #[serde(deserialize_with = "or_default")]
    pub name: String,
    /// `TOKEN`, `REQUEST`, `COGNITO_USER_POOLS` (or `JWT`).
    #[serde(rename = "type")]
    pub authorizer_type: Option<String>,
    #[serde(rename = "providerARNs", deserialize_with = "or_default")]
    pub provider_arns: Vec<String>,
    pub auth_type: Option<String>,
    pub authorizer_uri: Option<String>,
    pub authorizer_credentials: Option<String>,
    pub identity_source: Option<String>,
    pub identity_validation_expression: Option<String>,
    pub authorizer_result_ttl_in_seconds: Option<i32>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Model {
    #[serde(deserialize_with = "or_default")]
    pub id: String,
    #[serde(deserialize_with = "or_default")]
    pub name: String,
    pub content_type: Option<String>,
    /// JSON schema text; may reference other models by URL containing the API id.
    pub schema: Option<String>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RequestValidator {
    #[serde(deserialize_with = "or_default")]
    pub id: String,
    #[serde(deserialize_with = "or_default")]
    pub name: String,
    pub validate_request_body: Option<bool>,
    pub validate_request_parameters: Option<bool>,
    #[serde(flatten)]
    pub other: OtherMembers,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GatewayResponse {
    /// e.g. `DEFAULT_4XX`, `MISSING_AUTHENTICATION_TOKEN`.
    #[serde(deserialize_with = "or_default")]
    pub response_type: String,
    pub status_code: Option<String>,
    pub response_parameters: SortedMap<String>,
    pub response_templates: SortedMap<String>,
    /// True for the AWS-provided defaults, which are not part of what the user deploys.
    #[serde(deserialize_with = "or_default")]
    pub default_response: bool,
    #[serde(flatten)]
    pub other: OtherMembers,
}

impl Snapshot {
    /// Number of methods across all resources.
    pub fn method_count(&self) -> usize {
        self.resources.iter().map(|r| r.methods.len()).sum()
    }

    /// Number of methods that carry an integration.
    pub fn integration_count(&self) -> usize {
        self.resources
            .iter()
            .flat_map(|r| r.methods.values())
            .filter(|m| m.integration.is_some())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_aws_answer_keeping_unknown_members_and_empty_templates() {
        let resource: Resource = serde_json::from_value(serde_json::json!({
            "id": "abc123", "parentId": null, "path": "/", "futureResourceMember": 1,
            "resourceMethods": {"OPTIONS": {
                "httpMethod": "OPTIONS", "authorizationType": "NONE", "apiKeyRequired": false,
                "methodResponses": {"200": {"statusCode": "200",
                    "responseParameters": {"method.response.header.Access-Control-Allow-Origin": false}}},
                "methodIntegration": {
                    "type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                    "tlsConfig": {"insecureSkipVerification": false, "newTlsThing": "x"},
                    "integrationTarget": "arn:listener",
                    "integrationResponses": {"200": {"statusCode": "200",
                        "responseTemplates": {"application/json": null}}}
                }
            }}
        }))
        .unwrap();
        assert_eq!(resource.other["futureResourceMember"], 1);
        let method = &resource.methods["OPTIONS"];
        let integration = method.integration.as_ref().unwrap();
        assert_eq!(integration.other["integrationTarget"], "arn:listener");
        assert_eq!(integration.tls_config.other["newTlsThing"], "x");
        assert_eq!(
            integration.integration_responses["200"].response_templates["application/json"],
            ""
        );
        assert!(method.other.is_empty(), "{:?}", method.other);
    }

    #[test]
    fn a_method_without_its_body_reads_with_an_empty_verb() {
        let resource: Resource =
            serde_json::from_str(r#"{"id":"r","path":"/","resourceMethods":{"GET":{}}}"#).unwrap();
        assert_eq!(resource.methods["GET"].http_method, "");
    }
}
