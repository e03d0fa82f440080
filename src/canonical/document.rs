//! Snapshot → the canonical document, kind by kind (docs/hash-contract.md, section 4): AWS's
//! member names, generated ids replaced by names and paths, defaults and empty values folded,
//! sets sorted, and every member nobody decided on kept as answered.
//!
//! The document is a tree of [`Node`]s that borrow from the snapshot and serialise as canonical
//! JSON. Borrowing (rather than building a `serde_json::Value`), and objects as sorted vectors
//! (rather than `BTreeMap`s, whose nodes hold eleven slots), keep a read of a large API from
//! spending its time allocating and freeing memory.

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use super::embedded::{self, Embedded};
use super::members::{self, Kind};
use super::policy::{self, CanonicalPolicy};
use super::{encode, Aspect, Options, CONTRACT_VERSION};
use crate::snapshot::{
    Authorizer, GatewayResponse, Integration, IntegrationResponse, Method, MethodResponse, Model,
    OtherMembers, RequestValidator, Resource, RestApi, Snapshot, SortedMap,
};

/// An object's members, sorted by key (byte order), each key once.
type Members<'a> = Vec<(&'a str, Node<'a>)>;

/// A value of the document.
pub(crate) enum Node<'a> {
    Str(&'a str),
    Bool(bool),
    Int(i32),
    /// A set: sorted and de-duplicated when built.
    Strs(Vec<&'a str>),
    Texts(&'a SortedMap<String>),
    Flags(&'a SortedMap<bool>),
    /// A member kept as answered.
    Json(&'a Value),
    /// JSON the canonicaliser made (a normalised policy or schema, a reference marker).
    Owned(Value),
    Object(Members<'a>),
    /// The values of a key that occurs more than once, sorted by their encoding.
    List(Vec<Node<'a>>),
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Str(text) => serializer.serialize_str(text),
            Node::Bool(flag) => serializer.serialize_bool(*flag),
            Node::Int(number) => serializer.serialize_i32(*number),
            Node::Strs(items) => items.serialize(serializer),
            Node::Texts(map) => serialize_map(serializer, map),
            Node::Flags(map) => serialize_map(serializer, map),
            Node::Json(value) => value.serialize(serializer),
            Node::Owned(value) => value.serialize(serializer),
            Node::Object(members) => {
                let mut out = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    out.serialize_entry(key, value)?;
                }
                out.end()
            }
            Node::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

/// A snapshot map in its (ascending) key order.
fn serialize_map<S: Serializer, V: Serialize>(
    serializer: S,
    map: &SortedMap<V>,
) -> Result<S::Ok, S::Error> {
    let mut out = serializer.serialize_map(Some(map.len()))?;
    for (key, value) in map {
        out.serialize_entry(key, value)?;
    }
    out.end()
}

/// The document, and each route's method encoded, keyed `"VERB /path"`.
pub(crate) struct Parts<'a> {
    pub document: Node<'a>,
    pub routes: BTreeMap<String, Vec<u8>>,
}

pub(crate) fn build<'a>(snapshot: &'a Snapshot, options: &Options) -> Parts<'a> {
    let api_id = snapshot.rest_api.id.as_str();
    let refs = References::new(snapshot);
    let mut routes: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    let mut resources: Vec<(&'a str, Node<'a>)> = Vec::new();
    for resource in &snapshot.resources {
        let methods: Members<'a> = resource
            .methods
            .iter()
            .map(|(verb, m)| (verb.as_str(), method(m, resource, &refs)))
            .collect();
        for (verb, node) in &methods {
            let route = format!("{verb} {}", resource.path);
            routes.entry(route).or_default().push(encode(node));
        }
        let mut f = Fields::default();
        f.nested("resourceMethods", methods);
        f.other(&members::RESOURCE, &resource.other);
        resources.push((resource.path.as_str(), f.node()));
    }

    let mut document = Fields::default();
    document.put("version", Node::Str(CONTRACT_VERSION));
    document.nested("restApi", rest_api(&snapshot.rest_api, options));
    let mut section = |name: &'static str, aspect: Option<Aspect>, entries: Members<'a>| {
        if aspect.is_none_or(|aspect| options.includes(aspect)) {
            document.nested(name, entries);
        }
    };
    section("resources", None, keyed(resources));
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
    let routes = routes
        .into_iter()
        .map(|(route, mut encodings)| {
            // A route whose path two resources share: the array rule of `keyed`.
            let bytes = if encodings.len() == 1 {
                encodings.remove(0)
            } else {
                encodings.sort_unstable();
                [b"[".as_slice(), &encodings.join(&b","[..]), b"]"].concat()
            };
            (route, bytes)
        })
        .collect();
    Parts {
        document: document.node(),
        routes,
    }
}

/// A keyed collection built from a list. A key that occurs more than once (never seen from API
/// Gateway, but possible in principle) holds the array of all its values, sorted by encoding.
fn keyed<'a>(items: impl IntoIterator<Item = (&'a str, Node<'a>)>) -> Members<'a> {
    let mut grouped: BTreeMap<&'a str, Vec<Node<'a>>> = BTreeMap::new();
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
                Node::List(values)
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
struct Fields<'a>(Members<'a>);

impl<'a> Fields<'a> {
    fn put(&mut self, key: &'a str, value: Node<'a>) {
        self.0.push((key, value));
    }

    /// Omitted when absent or empty.
    fn text(&mut self, key: &'a str, value: &'a Option<String>) {
        if let Some(text) = value.as_deref().filter(|t| !t.is_empty()) {
            self.put(key, Node::Str(text));
        }
    }

    /// A boolean whose AWS default is `false`: written only when `true`.
    fn flag(&mut self, key: &'a str, value: Option<bool>) {
        if value == Some(true) {
            self.put(key, Node::Bool(true));
        }
    }

    fn int(&mut self, key: &'a str, value: Option<i32>) {
        if let Some(number) = value {
            self.put(key, Node::Int(number));
        }
    }

    /// An unordered list: sorted by UTF-8 bytes, de-duplicated, omitted when empty.
    fn set(&mut self, key: &'a str, items: &'a [String]) {
        if !items.is_empty() {
            let mut sorted: Vec<&str> = items.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            sorted.dedup();
            self.put(key, Node::Strs(sorted));
        }
    }

    /// A map of strings: omitted when empty; every entry kept, empty values included.
    fn texts(&mut self, key: &'a str, map: &'a SortedMap<String>) {
        if !map.is_empty() {
            self.put(key, Node::Texts(map));
        }
    }

    /// A map of booleans ("is required"): omitted when empty; `false` entries kept.
    fn flags(&mut self, key: &'a str, map: &'a SortedMap<bool>) {
        if !map.is_empty() {
            self.put(key, Node::Flags(map));
        }
    }

    /// A map of objects, each always present under its key.
    fn objects<V>(
        &mut self,
        key: &'a str,
        map: &'a SortedMap<V>,
        render: impl Fn(&'a V) -> Node<'a>,
    ) {
        if !map.is_empty() {
            let entries = map.iter().map(|(k, v)| (k.as_str(), render(v))).collect();
            self.put(key, Node::Object(entries));
        }
    }

    /// A nested object, omitted when nothing in it remains.
    fn nested(&mut self, key: &'a str, value: Members<'a>) {
        if !value.is_empty() {
            self.put(key, Node::Object(value));
        }
    }

    /// The members no typed field names: hashed as answered unless the contract lists them as
    /// not captured by a deployment. Empty values are omitted like any other member's.
    fn other(&mut self, kind: &Kind, other: &'a OtherMembers) {
        for (key, value) in other {
            if !kind.is_not_captured(key) && !is_empty(value) {
                self.put(key, Node::Json(value));
            }
        }
    }

    /// The members in key order. Were a member AWS adds later to share its name with one the
    /// contract writes (`authorizer`, `requestValidator`), the contract's comes first and stays.
    fn done(mut self) -> Members<'a> {
        self.0.sort_by(|a, b| a.0.cmp(b.0));
        self.0.dedup_by(|later, earlier| later.0 == earlier.0);
        self.0
    }

    fn node(self) -> Node<'a> {
        Node::Object(self.done())
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

fn rest_api<'a>(api: &'a RestApi, options: &Options) -> Members<'a> {
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
            Some(CanonicalPolicy::Json(value)) => f.put("policy", Node::Owned(value)),
            Some(CanonicalPolicy::Text(text)) => f.put("policyText", Node::Owned(text.into())),
            None => {}
        }
    }
    f.done()
}

/// An id that names no object in the API is written as `{"missing":true}`.
fn reference<'a>(
    f: &mut Fields<'a>,
    key: &'a str,
    id: &Option<String>,
    names: &BTreeMap<&'a str, &'a str>,
) {
    if let Some(id) = id.as_deref().filter(|id| !id.is_empty()) {
        match names.get(id) {
            Some(name) => f.put(key, Node::Str(name)),
            None => f.put(key, Node::Owned(json!({"missing": true}))),
        }
    }
}

fn method<'a>(m: &'a Method, resource: &'a Resource, refs: &References<'a>) -> Node<'a> {
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
    f.texts("requestModels", &m.request_models);
    f.flags("requestParameters", &m.request_parameters);
    reference(
        &mut f,
        "requestValidator",
        &m.request_validator_id,
        &refs.validators,
    );
    f.other(&members::METHOD, &m.other);
    f.node()
}

fn method_response(r: &MethodResponse) -> Node<'_> {
    let mut f = Fields::default();
    f.texts("responseModels", &r.response_models);
    f.flags("responseParameters", &r.response_parameters);
    f.other(&members::METHOD_RESPONSE, &r.other);
    f.node()
}

fn integration<'a>(i: &'a Integration, resource: &Resource) -> Node<'a> {
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
    f.texts("requestParameters", &i.request_parameters);
    f.texts("requestTemplates", &i.request_templates);
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
    f.node()
}

fn integration_response(r: &IntegrationResponse) -> Node<'_> {
    let mut f = Fields::default();
    f.text("contentHandling", &r.content_handling);
    f.texts("responseParameters", &r.response_parameters);
    f.texts("responseTemplates", &r.response_templates);
    f.text("selectionPattern", &r.selection_pattern);
    f.other(&members::INTEGRATION_RESPONSE, &r.other);
    f.node()
}

fn authorizer(a: &Authorizer) -> (&str, Node<'_>) {
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
    (&a.name, f.node())
}

fn model<'a>(m: &'a Model, api_id: &str) -> (&'a str, Node<'a>) {
    let mut f = Fields::default();
    f.text("contentType", &m.content_type);
    let neutralise = |s: &str| embedded::neutralise_model_urls(s, api_id);
    match m.schema.as_deref().and_then(embedded::parse) {
        Some(Embedded::Json(mut schema)) => {
            embedded::map_strings(&mut schema, &neutralise);
            f.put("schema", Node::Owned(schema));
        }
        Some(Embedded::Text(text)) => {
            let text = neutralise(&text).unwrap_or(text);
            f.put("schemaText", Node::Owned(text.into()));
        }
        None => {}
    }
    f.other(&members::MODEL, &m.other);
    (&m.name, f.node())
}

fn request_validator(v: &RequestValidator) -> (&str, Node<'_>) {
    let mut f = Fields::default();
    f.flag("validateRequestBody", v.validate_request_body);
    f.flag("validateRequestParameters", v.validate_request_parameters);
    f.other(&members::REQUEST_VALIDATOR, &v.other);
    (&v.name, f.node())
}

fn gateway_response(g: &GatewayResponse) -> (&str, Node<'_>) {
    let mut f = Fields::default();
    f.texts("responseParameters", &g.response_parameters);
    f.texts("responseTemplates", &g.response_templates);
    f.text("statusCode", &g.status_code);
    f.other(&members::GATEWAY_RESPONSE, &g.other);
    (&g.response_type, f.node())
}
