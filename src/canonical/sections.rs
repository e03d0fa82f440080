//! Document layout and content addressing: the top-level sections in their fixed order,
//! resources keyed by path and methods by verb, named objects keyed by name, and the bytes of
//! each route's method object hashed as it is written.

use sha1::{Digest, Sha1};

use super::kinds::{self, References};
use super::writer::Writer;
use super::{Aspect, Options, CONTRACT_VERSION};
use crate::snapshot::{Method, Resource, Snapshot};

/// Bytes per method reserved up front; a method with an integration and responses is typically 400-800 bytes.
const BYTES_PER_METHOD_HINT: usize = 768;

/// A rendered document and, when requested, the sha1 of each route's method object.
pub(crate) struct Rendered {
    pub(crate) document: Vec<u8>,
    /// `("VERB /path", sha1)` in document order (by path, then verb).
    pub(crate) routes: Vec<(String, [u8; 20])>,
}

pub(crate) fn render(snapshot: &Snapshot, options: &Options, with_routes: bool) -> Rendered {
    let mut w = Writer::with_capacity(1024 + snapshot.method_count() * BYTES_PER_METHOD_HINT);
    let mut routes = Vec::with_capacity(if with_routes {
        snapshot.method_count()
    } else {
        0
    });
    let refs = References::new(&snapshot.authorizers, &snapshot.request_validators);

    w.begin_document();
    w.field("version");
    w.string(CONTRACT_VERSION);

    let mark = w.mark();
    w.field("rest_api");
    w.begin_object();
    kinds::rest_api(&mut w, &snapshot.rest_api, options);
    w.end_object_or_discard(mark);

    let mark = w.mark();
    w.field("resources");
    w.begin_object();
    let sink = if with_routes { Some(&mut routes) } else { None };
    resources(&mut w, &snapshot.resources, &refs, sink);
    w.end_object_or_discard(mark);

    let api_id = snapshot.rest_api.id.as_str();
    if options.includes(Aspect::Authorizers) {
        section(
            &mut w,
            "authorizers",
            &snapshot.authorizers,
            |a| &a.name,
            kinds::authorizer,
        );
    }
    if options.includes(Aspect::Models) {
        section(
            &mut w,
            "models",
            &snapshot.models,
            |m| &m.name,
            |w, m| kinds::model(w, m, api_id),
        );
    }
    if options.includes(Aspect::RequestValidators) {
        let validators = &snapshot.request_validators;
        section(
            &mut w,
            "request_validators",
            validators,
            |v| &v.name,
            kinds::request_validator,
        );
    }
    if options.includes(Aspect::GatewayResponses) {
        let custom: Vec<_> = snapshot
            .gateway_responses
            .iter()
            .filter(|g| !g.default_response)
            .collect();
        section(
            &mut w,
            "gateway_responses",
            &custom,
            |g| &g.response_type,
            |w, g| kinds::gateway_response(w, g),
        );
    }
    w.end_object();

    Rendered {
        document: w.into_bytes(),
        routes,
    }
}

/// `"resources": {path: {verb: method}}`, hashing each method object's bytes for `routes`.
fn resources(
    w: &mut Writer,
    resources: &[Resource],
    refs: &References<'_>,
    mut routes: Option<&mut Vec<(String, [u8; 20])>>,
) {
    let mut by_path: Vec<&Resource> = resources.iter().collect();
    by_path.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    for group in by_path.chunk_by(|a, b| a.path == b.path) {
        let path = group[0].path.as_str();
        w.key(path);
        w.begin_object();
        if let [resource] = group {
            for (verb, method) in &resource.methods {
                w.key(verb);
                let start = w.len();
                kinds::method(w, method, resource, refs);
                record_route(w, start, verb, path, routes.as_deref_mut());
            }
        } else {
            // Several resources with one path (AWS never returns this): merge their methods.
            let mut methods: Vec<(&str, &Method, &Resource)> = group
                .iter()
                .flat_map(|r| r.methods.iter().map(move |(v, m)| (v.as_str(), m, *r)))
                .collect();
            methods.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for same_verb in methods.chunk_by(|a, b| a.0 == b.0) {
                let verb = same_verb[0].0;
                w.key(verb);
                let start = w.len();
                let rendered = same_verb.iter().map(|(_, method, resource)| {
                    render_one(|w| kinds::method(w, method, resource, refs))
                });
                alternatives(w, rendered.collect());
                record_route(w, start, verb, path, routes.as_deref_mut());
            }
        }
        w.end_object();
    }
}

fn record_route(
    w: &Writer,
    start: usize,
    verb: &str,
    path: &str,
    routes: Option<&mut Vec<(String, [u8; 20])>>,
) {
    if let Some(routes) = routes {
        let digest: [u8; 20] = Sha1::digest(w.bytes_from(start)).into();
        let mut route = String::with_capacity(verb.len() + 1 + path.len());
        route.push_str(verb);
        route.push(' ');
        route.push_str(path);
        routes.push((route, digest));
    }
}

/// `"name": {key: object}` for named objects; omitted when there are none.
fn section<T>(
    w: &mut Writer,
    name: &'static str,
    items: &[T],
    key_of: impl Fn(&T) -> &String,
    write: impl Fn(&mut Writer, &T),
) {
    let mut entries: Vec<(&str, &T)> = items
        .iter()
        .map(|item| (key_of(item).as_str(), item))
        .collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mark = w.mark();
    w.field(name);
    w.begin_object();
    for same_key in entries.chunk_by(|a, b| a.0 == b.0) {
        w.key(same_key[0].0);
        if let [(_, item)] = same_key {
            write(w, item);
        } else {
            // Names are not guaranteed unique: keep every object, in an order-free way.
            alternatives(
                w,
                same_key
                    .iter()
                    .map(|(_, item)| render_one(|w| write(w, item)))
                    .collect(),
            );
        }
    }
    w.end_object_or_discard(mark);
}

/// Objects sharing one key: a JSON array of their canonical bytes, sorted.
fn alternatives(w: &mut Writer, mut rendered: Vec<Vec<u8>>) {
    rendered.sort_unstable();
    w.begin_array();
    for bytes in &rendered {
        w.item();
        w.raw(bytes);
    }
    w.end_array();
}

fn render_one(write: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::default();
    write(&mut w);
    w.into_bytes()
}
