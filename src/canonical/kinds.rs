//! The allow-list: which fields of each API Gateway object enter the document, under which
//! key, and how "not set" is recognised. Keys are written in ascending byte order.
//!
//! Omission rules (docs/hash-contract.md, "Absent values"): `None`, empty strings, empty maps
//! and empty lists are omitted; a boolean whose AWS default is false is written only when true.
//! Map entries are always kept (a key's presence is content), as are empty strings inside maps.

use super::embedded::{self, Embedded};
use super::policy::{self, CanonicalPolicy};
use super::writer::Writer;
use super::{Aspect, Options};
use crate::snapshot::{
    Authorizer, GatewayResponse, Integration, IntegrationResponse, Method, MethodResponse, Model,
    RequestValidator, Resource, RestApi, SortedMap,
};

/// Resolves generated authorizer/validator ids to names.
pub(crate) struct References<'a> {
    authorizers: Vec<(&'a str, &'a str)>,
    validators: Vec<(&'a str, &'a str)>,
}

impl<'a> References<'a> {
    pub(crate) fn new(authorizers: &'a [Authorizer], validators: &'a [RequestValidator]) -> Self {
        let mut authorizers: Vec<_> = authorizers
            .iter()
            .map(|a| (a.id.as_str(), a.name.as_str()))
            .collect();
        let mut validators: Vec<_> = validators
            .iter()
            .map(|v| (v.id.as_str(), v.name.as_str()))
            .collect();
        // Sorted by (id, name) so even a (never seen) duplicate id resolves deterministically.
        authorizers.sort_unstable();
        validators.sort_unstable();
        References {
            authorizers,
            validators,
        }
    }

    fn lookup(table: &[(&'a str, &'a str)], id: &str) -> Option<&'a str> {
        let at = table.partition_point(|(key, _)| *key < id);
        table
            .get(at)
            .filter(|(key, _)| *key == id)
            .map(|(_, name)| *name)
    }
}

fn text(w: &mut Writer, key: &'static str, value: Option<&String>) {
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        w.field(key);
        w.string(value);
    }
}

fn flag(w: &mut Writer, key: &'static str, value: Option<bool>) {
    if value == Some(true) {
        w.field(key);
        w.bool(true);
    }
}

fn int(w: &mut Writer, key: &'static str, value: Option<i32>) {
    if let Some(value) = value {
        w.field(key);
        w.int(i64::from(value));
    }
}

/// Writes a sorted map as a named object, each value with `write_value`; absent when empty.
fn map_field<V>(
    w: &mut Writer,
    key: &'static str,
    map: &SortedMap<V>,
    write_value: impl Fn(&mut Writer, &V),
) {
    if map.is_empty() {
        return;
    }
    w.field(key);
    w.begin_object();
    for (k, v) in map {
        w.key(k);
        write_value(w, v);
    }
    w.end_object();
}

fn text_map(w: &mut Writer, key: &'static str, map: &SortedMap<String>) {
    map_field(w, key, map, |w, v| w.string(v));
}

fn bool_map(w: &mut Writer, key: &'static str, map: &SortedMap<bool>) {
    map_field(w, key, map, |w, v| w.bool(*v));
}

/// A list whose order and repetitions carry no meaning: sorted, de-duplicated.
fn set(w: &mut Writer, key: &'static str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let mut sorted: Vec<&str> = items.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    w.field(key);
    w.begin_array();
    for item in sorted {
        w.item();
        w.string(item);
    }
    w.end_array();
}

/// A reference by name, or `{"missing":true}` when the id resolves to nothing.
fn reference(w: &mut Writer, key: &'static str, id: Option<&String>, table: &[(&str, &str)]) {
    let Some(id) = id.filter(|id| !id.is_empty()) else {
        return;
    };
    w.field(key);
    match References::lookup(table, id) {
        Some(name) => w.string(name),
        None => {
            w.begin_object();
            w.field("missing");
            w.bool(true);
            w.end_object();
        }
    }
}

/// JSON text embedded in a field: canonical JSON under `json_key`, else raw text under `text_key`.
fn embedded_json(
    w: &mut Writer,
    json_key: &'static str,
    text_key: &'static str,
    parsed: Option<Embedded>,
) {
    match parsed {
        Some(Embedded::Json(value)) => {
            w.field(json_key);
            w.value(&value);
        }
        Some(Embedded::Text(raw)) => {
            w.field(text_key);
            w.string(&raw);
        }
        None => {}
    }
}

pub(crate) fn rest_api(w: &mut Writer, api: &RestApi, options: &Options) {
    let settings = options.includes(Aspect::RestApiSettings);
    if settings {
        text(w, "api_key_source", api.api_key_source.as_ref());
        set(w, "binary_media_types", &api.binary_media_types);
        flag(
            w,
            "disable_execute_api_endpoint",
            api.disable_execute_api_endpoint,
        );
        set(w, "endpoint_types", &api.endpoint_types);
        int(w, "minimum_compression_size", api.minimum_compression_size);
    }
    if options.includes(Aspect::Policy) {
        match api
            .policy
            .as_deref()
            .and_then(|p| policy::canonicalise(p, &api.id))
        {
            Some(CanonicalPolicy::Json(bytes)) => {
                w.field("policy");
                w.raw(&bytes);
            }
            Some(CanonicalPolicy::Text(raw)) => {
                w.field("policy_text");
                w.string(&raw);
            }
            None => {}
        }
    }
    if settings {
        set(w, "vpc_endpoint_ids", &api.vpc_endpoint_ids);
    }
}

pub(crate) fn method(w: &mut Writer, m: &Method, resource: &Resource, refs: &References<'_>) {
    w.begin_object();
    flag(w, "api_key_required", m.api_key_required);
    set(w, "authorization_scopes", &m.authorization_scopes);
    text(w, "authorization_type", m.authorization_type.as_ref());
    reference(w, "authorizer", m.authorizer_id.as_ref(), &refs.authorizers);
    if let Some(integration_value) = &m.integration {
        w.field("integration");
        integration(w, integration_value, resource);
    }
    map_field(w, "method_responses", &m.method_responses, method_response);
    text(w, "operation_name", m.operation_name.as_ref());
    text_map(w, "request_models", &m.request_models);
    bool_map(w, "request_parameters", &m.request_parameters);
    reference(
        w,
        "request_validator",
        m.request_validator_id.as_ref(),
        &refs.validators,
    );
    w.end_object();
}

fn method_response(w: &mut Writer, r: &MethodResponse) {
    w.begin_object();
    text_map(w, "response_models", &r.response_models);
    bool_map(w, "response_parameters", &r.response_parameters);
    w.end_object();
}

fn integration(w: &mut Writer, i: &Integration, resource: &Resource) {
    w.begin_object();
    set(w, "cache_key_parameters", &i.cache_key_parameters);
    // AWS fills cacheNamespace with the resource id when unset: that default is not content.
    let namespace = i.cache_namespace.as_ref().filter(|ns| **ns != resource.id);
    text(w, "cache_namespace", namespace);
    text(w, "connection_id", i.connection_id.as_ref());
    text(w, "connection_type", i.connection_type.as_ref());
    text(w, "content_handling", i.content_handling.as_ref());
    text(w, "credentials", i.credentials.as_ref());
    text(w, "http_method", i.http_method.as_ref());
    map_field(
        w,
        "integration_responses",
        &i.integration_responses,
        integration_response,
    );
    text(w, "passthrough_behavior", i.passthrough_behavior.as_ref());
    text_map(w, "request_parameters", &i.request_parameters);
    text_map(w, "request_templates", &i.request_templates);
    int(w, "timeout_in_millis", i.timeout_in_millis);
    flag(
        w,
        "tls_insecure_skip_verification",
        i.tls_insecure_skip_verification,
    );
    text(w, "type", i.integration_type.as_ref());
    text(w, "uri", i.uri.as_ref());
    w.end_object();
}

fn integration_response(w: &mut Writer, r: &IntegrationResponse) {
    w.begin_object();
    text(w, "content_handling", r.content_handling.as_ref());
    text_map(w, "response_parameters", &r.response_parameters);
    text_map(w, "response_templates", &r.response_templates);
    text(w, "selection_pattern", r.selection_pattern.as_ref());
    w.end_object();
}

pub(crate) fn authorizer(w: &mut Writer, a: &Authorizer) {
    w.begin_object();
    text(w, "auth_type", a.auth_type.as_ref());
    text(
        w,
        "authorizer_credentials",
        a.authorizer_credentials.as_ref(),
    );
    int(
        w,
        "authorizer_result_ttl_in_seconds",
        a.authorizer_result_ttl_in_seconds,
    );
    text(w, "authorizer_uri", a.authorizer_uri.as_ref());
    text(w, "identity_source", a.identity_source.as_ref());
    text(
        w,
        "identity_validation_expression",
        a.identity_validation_expression.as_ref(),
    );
    set(w, "provider_arns", &a.provider_arns);
    text(w, "type", a.authorizer_type.as_ref());
    w.end_object();
}

pub(crate) fn model(w: &mut Writer, m: &Model, api_id: &str) {
    w.begin_object();
    text(w, "content_type", m.content_type.as_ref());
    let parsed = m
        .schema
        .as_deref()
        .and_then(embedded::parse)
        .map(|parsed| match parsed {
            Embedded::Json(mut value) => {
                embedded::map_strings(&mut value, &|s| embedded::neutralise_model_urls(s, api_id));
                Embedded::Json(value)
            }
            Embedded::Text(raw) => {
                Embedded::Text(embedded::neutralise_model_urls(&raw, api_id).unwrap_or(raw))
            }
        });
    embedded_json(w, "schema", "schema_text", parsed);
    w.end_object();
}

pub(crate) fn request_validator(w: &mut Writer, v: &RequestValidator) {
    w.begin_object();
    flag(w, "validate_request_body", v.validate_request_body);
    flag(
        w,
        "validate_request_parameters",
        v.validate_request_parameters,
    );
    w.end_object();
}

pub(crate) fn gateway_response(w: &mut Writer, g: &GatewayResponse) {
    w.begin_object();
    text_map(w, "response_parameters", &g.response_parameters);
    text_map(w, "response_templates", &g.response_templates);
    text(w, "status_code", g.status_code.as_ref());
    w.end_object();
}
