//! Prefetch hints for the snapshot objects rendering visits next (pure; no effect on output).
//!
//! Resources are rendered in path order, which is not the order their objects were allocated
//! in, so nearly every string's first read missed the cache: in a profile of the hash core the
//! hottest instruction was the load of a string's first word. While one resource is rendered,
//! the objects of the next few are requested from memory, a level of pointers per resource of
//! distance, so that they have arrived when they are written. Only addresses are computed here;
//! a prefetch never faults and never changes a value.

use crate::snapshot::{Integration, Method, Resource, SortedMap};

/// Cache lines requested per string at most; the hardware streams longer ones itself.
const LINES_PER_STRING: usize = 4;
const LINE: usize = 64;

/// Hints for the resources after `at` in rendering order: the methods' memory of the third
/// one, the strings and map buffers of the second one's methods, the map entries of the next.
pub(crate) fn ahead(order: &[&Resource], at: usize) {
    if let Some(resource) = order.get(at + 3) {
        slice(resource.methods.entries());
    }
    if let Some(resource) = order.get(at + 2) {
        for (verb, method) in &resource.methods {
            string(verb);
            method_fields(method);
        }
    }
    if let Some(resource) = order.get(at + 1) {
        for method in resource.methods.values() {
            method_entries(method);
        }
    }
}

/// A method's own strings and the buffers of its maps and lists.
fn method_fields(m: &Method) {
    optional(&m.authorization_type);
    optional(&m.authorizer_id);
    optional(&m.operation_name);
    optional(&m.request_validator_id);
    slice(&m.authorization_scopes);
    slice(m.request_parameters.entries());
    slice(m.request_models.entries());
    slice(m.method_responses.entries());
    if let Some(i) = &m.integration {
        integration_fields(i);
    }
}

fn integration_fields(i: &Integration) {
    optional(&i.integration_type);
    optional(&i.http_method);
    optional(&i.uri);
    optional(&i.connection_type);
    optional(&i.connection_id);
    optional(&i.credentials);
    optional(&i.passthrough_behavior);
    optional(&i.content_handling);
    optional(&i.cache_namespace);
    slice(&i.cache_key_parameters);
    slice(i.request_parameters.entries());
    slice(i.request_templates.entries());
    slice(i.integration_responses.entries());
}

/// The strings held in a method's maps and lists, and the buffers of the responses' maps.
fn method_entries(m: &Method) {
    m.authorization_scopes.iter().for_each(|s| string(s));
    keys(&m.request_parameters);
    text_map(&m.request_models);
    for (status, response) in &m.method_responses {
        string(status);
        slice(response.response_parameters.entries());
        slice(response.response_models.entries());
    }
    if let Some(i) = &m.integration {
        i.cache_key_parameters.iter().for_each(|s| string(s));
        text_map(&i.request_parameters);
        text_map(&i.request_templates);
        for (status, response) in &i.integration_responses {
            string(status);
            optional(&response.selection_pattern);
            optional(&response.content_handling);
            slice(response.response_parameters.entries());
            slice(response.response_templates.entries());
        }
    }
}

fn keys<V>(map: &SortedMap<V>) {
    map.keys().for_each(|key| string(key));
}

fn text_map(map: &SortedMap<String>) {
    for (key, value) in map {
        string(key);
        string(value);
    }
}

fn optional(value: &Option<String>) {
    if let Some(value) = value {
        string(value);
    }
}

fn string(value: &str) {
    bytes(value.as_ptr(), value.len().min(LINES_PER_STRING * LINE));
}

fn slice<T>(items: &[T]) {
    bytes(items.as_ptr().cast(), std::mem::size_of_val(items));
}

/// Requests the cache lines of `len` bytes from `start` (none when `len` is 0).
#[inline]
fn bytes(start: *const u8, len: usize) {
    if len == 0 {
        return;
    }
    let first = start as usize & !(LINE - 1);
    let last = (start as usize + len - 1) & !(LINE - 1);
    let mut line = first;
    while line <= last {
        hint(line as *const u8);
        line += LINE;
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn hint(address: *const u8) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    // SAFETY: a prefetch is only a hint; it never faults, whatever the address.
    unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast()) }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn hint(_address: *const u8) {}
