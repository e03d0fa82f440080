//! Snapshot → the canonical document as a JSON value, kind by kind (docs/hash-contract.md,
//! section 4): AWS's member names, generated ids replaced by names and paths, defaults and
//! empty values folded, sets sorted, and every member nobody decided on kept as answered.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::embedded::{self, Embedded};
use super::members::{self, Kind};
use super::policy::{self, CanonicalPolicy};
use super::{encode, Aspect, Options, CONTRACT_VERSION};
use crate::snapshot::{
    Authorizer, GatewayResponse, Integration, IntegrationResponse, Method, MethodResponse, Model,
    OtherMembers, RequestValidator, Resource, RestApi, Snapshot, SortedMap,
};

/// The document and each route's method value, keyed `"VERB /path"`.
pub(crate) struct Parts {
    pub document: Value,
    pub routes: BTreeMap<String, Value>,
}

pub(crate) fn build(snapshot: &Snapshot, options: &Options) -> Parts {
    let api_id = snapshot.rest_api.id.as_str();
    let refs = References::new(snapshot);
    let mut routes: Vec<(String, Value)> = Vec::new();
    let resources = keyed(snapshot.resources.iter().map(|resource| {
        let value = self::resource(resource, &refs);
        if let Some(Value::Object(methods)) = value.get("resourceMethods") {
            for (verb, method) in methods {
                routes.push((format!("{verb} {}", resource.path), method.clone()));
            }
        }
        (resource.path.clone(), value)
    }));

    let mut document = Map::new();
    document.insert("version".into(), CONTRACT_VERSION.into());
    let rest_api = rest_api(&snapshot.rest_api, options);
    if !rest_api.is_empty() {
        document.insert("restApi".into(), Value::Object(rest_api));
    }
    let mut section = |name: &str, aspect: Option<Aspect>, entries: Map<String, Value>| {
        if !entries.is_empty() && aspect.is_none_or(|aspect| options.includes(aspect)) {
            document.insert(name.into(), Value::Object(entries));
        }
    };
    section("resources", None, resources);
    section(
        "authorizers",
        Some(Aspect::Authorizers),
        keyed(snapshot.authorizers.iter().map(authorizer)),
    );
    section(
        "models",
        Some(Aspect::Models),
        keyed(snapshot.models.iter().map(|m| model(m, api_id))),
    );
    section(
        "requestValidators",
        Some(Aspect::RequestValidators),
        keyed(snapshot.request_validators.iter().map(request_validator)),
    );
    section(
        "gatewayResponses",
        Some(Aspect::GatewayResponses),
        keyed(
            snapshot
                .gateway_responses
                .iter()
                .filter(|g| !g.default_response)
                .map(gateway_response),
        ),
    );
    Parts {
        document: Value::Object(document),
        routes: keyed(routes.into_iter()).into_iter().collect(),
    }
}

/// A keyed collection built from a list. A key that occurs more than once (never seen from API
/// Gateway, but possible in principle) holds the array of all its values, sorted by encoding.
fn keyed(items: impl Iterator<Item = (String, Value)>) -> Map<String, Value> {
    let mut grouped: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (key, value) in items {
        grouped.entry(key).or_default().push(value);
    }
    grouped
        .into_iter()
        .map(|(key, mut values)| {
            let value = if values.len() == 1 {
                values.remove(0)
            } else {
                values.sort_by_cached_key(encode);
                Value::Array(values)
            };
            (key, value)
        })
        .collect()
}

/// Generated ids → names, for methods that reference an authorizer or a validator.
struct References<'a> {
    authorizers: BTreeMap<&'a str, &'a str>,
    validators: BTreeMap<&'a str, &'a str>,
}

impl<'a> References<'a> {
    fn new(snapshot: &'a Snapshot) -> Self {
        References {
            authorizers: names_by_id(snapshot.authorizers.iter().map(|a| (&a.id, &a.name))),
            validators: names_by_id(snapshot.request_validators.iter().map(|v| (&v.id, &v.name))),
        }
    }
}

/// An id shared by several objects (never seen from API Gateway) resolves to the smallest
/// name, so the result does not depend on the order of the pages.
fn names_by_id<'a>(
    objects: impl Iterator<Item = (&'a String, &'a String)>,
) -> BTreeMap<&'a str, &'a str> {
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, name) in objects {
        let entry = names.entry(id.as_str()).or_insert(name.as_str());
        *entry = (*entry).min(name.as_str());
    }
    names
}

/// An object under construction; each writer applies section 3's rules for absent values.
#[derive(Default)]
struct Fields(Map<String, Value>);

impl Fields {
    fn put(&mut self, key: &str, value: impl Into<Value>) {
        self.0.insert(key.to_owned(), value.into());
    }

    /// Omitted when absent or empty.
    fn text(&mut self, key: &str, value: &Option<String>) {
        if let Some(text) = value.as_deref().filter(|t| !t.is_empty()) {
            self.put(key, text);
        }
    }

    /// A boolean whose AWS default is `false`: written only when `true`.
    fn flag(&mut self, key: &str, value: Option<bool>) {
        if value == Some(true) {
            self.put(key, true);
        }
    }

    fn int(&mut self, key: &str, value: Option<i32>) {
        if let Some(number) = value {
            self.put(key, number);
        }
    }

    /// An unordered list: sorted by UTF-8 bytes, de-duplicated, omitted when empty.
    fn set(&mut self, key: &str, items: &[String]) {
        if !items.is_empty() {
            let mut sorted: Vec<&String> = items.iter().collect();
            sorted.sort_unstable();
            sorted.dedup();
            self.put(key, sorted.into_iter().cloned().collect::<Vec<_>>());
        }
    }

    /// A map: omitted when empty; every entry kept, empty values included.
    fn map<V: Clone + Into<Value>>(&mut self, key: &str, map: &SortedMap<V>) {
        if !map.is_empty() {
            let entries: Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().into()))
                .collect();
            self.put(key, entries);
        }
    }

    /// A map of objects, each always present under its key.
    fn objects<V>(&mut self, key: &str, map: &SortedMap<V>, render: impl Fn(&V) -> Value) {
        if !map.is_empty() {
            let entries: Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), render(v))).collect();
            self.put(key, entries);
        }
    }

    /// A nested object, omitted when nothing in it remains.
    fn nested(&mut self, key: &str, value: Map<String, Value>) {
        if !value.is_empty() {
            self.put(key, value);
        }
    }

    /// The members no typed field names: hashed as answered unless the contract lists them as
    /// not captured by a deployment. Empty values are omitted like any other member's.
    fn other(&mut self, kind: &Kind, other: &OtherMembers) {
        for (key, value) in other {
            if !kind.is_not_captured(key) && !is_empty(value) {
                self.put(key, value.clone());
            }
        }
    }

    fn done(self) -> Map<String, Value> {
        self.0
    }

    fn value(self) -> Value {
        Value::Object(self.0)
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

fn rest_api(api: &RestApi, options: &Options) -> Map<String, Value> {
    let mut f = Fields::default();
    if options.includes(Aspect::RestApiSettings) {
        f.text("apiKeySource", &api.api_key_source);
        f.set("binaryMediaTypes", &api.binary_media_types);
        f.flag(
            "disableExecuteApiEndpoint",
            api.disable_execute_api_endpoint,
        );
        f.int("minimumCompressionSize", api.minimum_compression_size);
        let endpoint = &api.endpoint_configuration;
        let mut e = Fields::default();
        e.set("types", &endpoint.types);
        e.set("vpcEndpointIds", &endpoint.vpc_endpoint_ids);
        e.other(&members::ENDPOINT_CONFIGURATION, &endpoint.other);
        f.nested("endpointConfiguration", e.done());
        f.other(&members::REST_API, &api.other);
    }
    if options.includes(Aspect::Policy) {
        match api
            .policy
            .as_deref()
            .and_then(|text| policy::canonicalise(text, &api.id))
        {
            Some(CanonicalPolicy::Json(value)) => f.put("policy", value),
            Some(CanonicalPolicy::Text(text)) => f.put("policyText", text),
            None => {}
        }
    }
    f.done()
}

fn resource(resource: &Resource, refs: &References<'_>) -> Value {
    let mut f = Fields::default();
    f.objects("resourceMethods", &resource.methods, |m| {
        method(m, resource, refs)
    });
    f.other(&members::RESOURCE, &resource.other);
    f.value()
}

/// An id that names no object in the API is written as `{"missing":true}`.
fn reference(f: &mut Fields, key: &str, id: &Option<String>, names: &BTreeMap<&str, &str>) {
    if let Some(id) = id.as_deref().filter(|id| !id.is_empty()) {
        match names.get(id) {
            Some(name) => f.put(key, *name),
            None => f.put(key, serde_json::json!({"missing": true})),
        }
    }
}

fn method(m: &Method, resource: &Resource, refs: &References<'_>) -> Value {
    let mut f = Fields::default();
    f.flag("apiKeyRequired", m.api_key_required);
    f.set("authorizationScopes", &m.authorization_scopes);
    f.text("authorizationType", &m.authorization_type);
    reference(&mut f, "authorizer", &m.authorizer_id, &refs.authorizers);
    if let Some(integration) = &m.integration {
        f.put(
            "methodIntegration",
            self::integration(integration, resource),
        );
    }
    f.objects("methodResponses", &m.method_responses, method_response);
    f.text("operationName", &m.operation_name);
    f.map("requestModels", &m.request_models);
    f.map("requestParameters", &m.request_parameters);
    reference(
        &mut f,
        "requestValidator",
        &m.request_validator_id,
        &refs.validators,
    );
    f.other(&members::METHOD, &m.other);
    f.value()
}

fn method_response(r: &MethodResponse) -> Value {
    let mut f = Fields::default();
    f.map("responseModels", &r.response_models);
    f.map("responseParameters", &r.response_parameters);
    f.other(&members::METHOD_RESPONSE, &r.other);
    f.value()
}

fn integration(i: &Integration, resource: &Resource) -> Value {
    let mut f = Fields::default();
    f.set("cacheKeyParameters", &i.cache_key_parameters);
    // AWS fills in the resource's own id when no namespace is set.
    if i.cache_namespace.as_deref() != Some(resource.id.as_str()) {
        f.text("cacheNamespace", &i.cache_namespace);
    }
    f.text("connectionId", &i.connection_id);
    f.text("connectionType", &i.connection_type);
    f.text("contentHandling", &i.content_handling);
    f.text("credentials", &i.credentials);
    f.text("httpMethod", &i.http_method);
    f.objects(
        "integrationResponses",
        &i.integration_responses,
        integration_response,
    );
    f.text("passthroughBehavior", &i.passthrough_behavior);
    f.map("requestParameters", &i.request_parameters);
    f.map("requestTemplates", &i.request_templates);
    // Absent means BUFFERED: the two must hash alike.
    if i.response_transfer_mode.as_deref() != Some("BUFFERED") {
        f.text("responseTransferMode", &i.response_transfer_mode);
    }
    f.int("timeoutInMillis", i.timeout_in_millis);
    let mut tls = Fields::default();
    tls.flag(
        "insecureSkipVerification",
        i.tls_config.insecure_skip_verification,
    );
    tls.other(&members::TLS_CONFIG, &i.tls_config.other);
    f.nested("tlsConfig", tls.done());
    f.text("type", &i.integration_type);
    f.text("uri", &i.uri);
    f.other(&members::INTEGRATION, &i.other);
    f.value()
}

fn integration_response(r: &IntegrationResponse) -> Value {
    let mut f = Fields::default();
    f.text("contentHandling", &r.content_handling);
    f.map("responseParameters", &r.response_parameters);
    f.map("responseTemplates", &r.response_templates);
    f.text("selectionPattern", &r.selection_pattern);
    f.other(&members::INTEGRATION_RESPONSE, &r.other);
    f.value()
}

fn authorizer(a: &Authorizer) -> (String, Value) {
    let mut f = Fields::default();
    f.text("authType", &a.auth_type);
    f.text("authorizerCredentials", &a.authorizer_credentials);
    f.int(
        "authorizerResultTtlInSeconds",
        a.authorizer_result_ttl_in_seconds,
    );
    f.text("authorizerUri", &a.authorizer_uri);
    f.text("identitySource", &a.identity_source);
    f.text(
        "identityValidationExpression",
        &a.identity_validation_expression,
    );
    f.set("providerARNs", &a.provider_arns);
    f.text("type", &a.authorizer_type);
    f.other(&members::AUTHORIZER, &a.other);
    (a.name.clone(), f.value())
}

fn model(m: &Model, api_id: &str) -> (String, Value) {
    let mut f = Fields::default();
    f.text("contentType", &m.content_type);
    let neutralise = |s: &str| embedded::neutralise_model_urls(s, api_id);
    match m.schema.as_deref().and_then(embedded::parse) {
        Some(Embedded::Json(mut schema)) => {
            embedded::map_strings(&mut schema, &neutralise);
            f.put("schema", schema);
        }
        Some(Embedded::Text(text)) => f.put("schemaText", neutralise(&text).unwrap_or(text)),
        None => {}
    }
    f.other(&members::MODEL, &m.other);
    (m.name.clone(), f.value())
}

fn request_validator(v: &RequestValidator) -> (String, Value) {
    let mut f = Fields::default();
    f.flag("validateRequestBody", v.validate_request_body);
    f.flag("validateRequestParameters", v.validate_request_parameters);
    f.other(&members::REQUEST_VALIDATOR, &v.other);
    (v.name.clone(), f.value())
}

fn gateway_response(g: &GatewayResponse) -> (String, Value) {
    let mut f = Fields::default();
    f.map("responseParameters", &g.response_parameters);
    f.map("responseTemplates", &g.response_templates);
    f.text("statusCode", &g.status_code);
    f.other(&members::GATEWAY_RESPONSE, &g.other);
    (g.response_type.clone(), f.value())
}
