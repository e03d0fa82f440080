//! The `Snapshot`: plain data describing everything a REST API deployment captures.
//!
//! This is the hand-off point between IO and the pure core: `aws::fetch` fills it from the
//! live API (or a test builds it by hand), `canonical` turns it into the hashed document.
//! It holds no behaviour beyond small helpers and no AWS SDK types, so the hash core never
//! depends on how the data was obtained. Fields mirror the API Gateway REST API names; `None`,
//! empty maps and empty lists all mean "not set" (the canonicaliser treats them alike).

mod sorted_map;

pub use sorted_map::SortedMap;

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

/// API-level settings that are part of a deployment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RestApi {
    /// The generated id; used for Terraform ids and to neutralise self-references, never hashed.
    pub id: String,
    /// The resource policy exactly as returned (a JSON document, possibly backslash-escaped).
    pub policy: Option<String>,
    pub binary_media_types: Vec<String>,
    pub minimum_compression_size: Option<i32>,
    /// `HEADER` or `AUTHORIZER`.
    pub api_key_source: Option<String>,
    /// `EDGE`, `REGIONAL` or `PRIVATE`.
    pub endpoint_types: Vec<String>,
    pub vpc_endpoint_ids: Vec<String>,
    pub disable_execute_api_endpoint: Option<bool>,
}

/// A path in the API with the methods defined on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resource {
    /// Generated id (reported in `ids`, never hashed).
    pub id: String,
    pub parent_id: Option<String>,
    /// Full path, e.g. `/items/{id}`; the root is `/`.
    pub path: String,
    pub path_part: Option<String>,
    /// Methods keyed by HTTP verb (`GET`, `ANY`, ...).
    pub methods: SortedMap<Method>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Method {
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
    pub authorization_scopes: Vec<String>,
    /// Keyed by status code.
    pub method_responses: SortedMap<MethodResponse>,
    pub integration: Option<Integration>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MethodResponse {
    pub status_code: String,
    pub response_parameters: SortedMap<bool>,
    pub response_models: SortedMap<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Integration {
    /// `type` in the API: `AWS`, `AWS_PROXY`, `HTTP`, `HTTP_PROXY`, `MOCK`.
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
    pub cache_key_parameters: Vec<String>,
    pub tls_insecure_skip_verification: Option<bool>,
    /// Keyed by status code.
    pub integration_responses: SortedMap<IntegrationResponse>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntegrationResponse {
    pub status_code: String,
    pub selection_pattern: Option<String>,
    pub response_parameters: SortedMap<String>,
    pub response_templates: SortedMap<String>,
    pub content_handling: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Authorizer {
    /// Generated id; methods reference it, the canonical document uses `name`.
    pub id: String,
    pub name: String,
    /// `TOKEN`, `REQUEST` or `COGNITO_USER_POOLS`.
    pub authorizer_type: Option<String>,
    pub provider_arns: Vec<String>,
    pub auth_type: Option<String>,
    pub authorizer_uri: Option<String>,
    pub authorizer_credentials: Option<String>,
    pub identity_source: Option<String>,
    pub identity_validation_expression: Option<String>,
    pub authorizer_result_ttl_in_seconds: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub id: String,
    pub name: String,
    pub content_type: Option<String>,
    /// JSON schema text; may reference other models by URL containing the API id.
    pub schema: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestValidator {
    pub id: String,
    pub name: String,
    pub validate_request_body: Option<bool>,
    pub validate_request_parameters: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GatewayResponse {
    /// e.g. `DEFAULT_4XX`, `MISSING_AUTHENTICATION_TOKEN`.
    pub response_type: String,
    pub status_code: Option<String>,
    pub response_parameters: SortedMap<String>,
    pub response_templates: SortedMap<String>,
    /// True for the AWS-provided defaults, which are not part of what the user deploys.
    pub default_response: bool,
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
