//! Document layout and content addressing: the top-level sections in their fixed order,
//! resources keyed by path and methods by verb, named objects keyed by name, and the bytes of
//! each route's method object hashed as it is written.

use super::kinds::{self, References};
use super::prefetch;
use super::writer::{Digests, Writer};
use super::{Aspect, Options, CONTRACT_VERSION};
use crate::snapshot::{Method, Resource, Snapshot};

/// Bytes per method reserved up front; a method with an integration and responses is typically 400-800 bytes.
const BYTES_PER_METHOD_HINT: usize = 768;

/// A writer that keeps the whole document of `snapshot`, sized for it.
pub(crate) fn document_writer(snapshot: &Snapshot) -> Writer {
    Writer::with_capacity(1024 + snapshot.method_count() * BYTES_PER_METHOD_HINT)
}

/// A rendered document (kept or hashed, as the writer does) and, when requested, the routes
/// whose method objects the writer hashes as messages.
pub(crate) struct Rendered<'a> {
    pub(crate) writer: Writer,
    routes: RouteLog<'a>,
}

/// The sha1 of a document and of each route's method object. Routes borrow their verb and
/// path from the snapshot: spelling the `"VERB /path"` keys is left to whoever reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed<'a> {
    pub document: [u8; 20],
    /// Sorted by verb, then path: nearly always the byte order of the `"VERB /path"` keys (a
    /// verb with bytes below the space sorts differently; callers sort again).
    pub routes: Vec<RouteDigest<'a>>,
}

/// One route, `"VERB /path"`, and the sha1 of its method object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteDigest<'a> {
    pub verb: &'a str,
    pub path: &'a str,
    pub digest: [u8; 20],
}

impl RouteDigest<'_> {
    /// The route's key, `"VERB /path"`.
    pub fn key(&self) -> String {
        let mut key = String::with_capacity(self.verb.len() + 1 + self.path.len());
        key.push_str(self.verb);
        key.push(' ');
        key.push_str(self.path);
        key
    }
}

impl<'a> Rendered<'a> {
    /// The digests (the document is dropped if the writer kept it).
    pub(crate) fn hash(self) -> Hashed<'a> {
        let digests = self.writer.finish();
        Hashed::new(digests, self.routes)
    }

    /// The digests and the document of a writer that keeps it.
    pub(crate) fn hash_keeping(self) -> (Hashed<'a>, Vec<u8>) {
        let (digests, document) = self.writer.finish_keeping();
        (Hashed::new(digests, self.routes), document)
    }
}

impl<'a> Hashed<'a> {
    fn new(digests: Digests, routes: RouteLog<'a>) -> Hashed<'a> {
        Hashed {
            document: digests.whole,
            routes: routes.into_routes(&digests.messages),
        }
    }
}

/// Writes the document of `snapshot` into `w` (see [`document_writer`], [`Writer::hashing`]).
pub(crate) fn render<'a>(
    snapshot: &'a Snapshot,
    options: &Options,
    mut w: Writer,
    with_routes: bool,
) -> Rendered<'a> {
    let mut routes = RouteLog::default();
    let refs = References::new(&snapshot.authorizers, &snapshot.request_validators);

    w.begin_document();
    w.field("version");
    w.string(CONTRACT_VERSION);

    let mark = w.mark();
    w.field("rest_api");
    w.begin_object();
    kinds::rest_api(&mut w, &snapshot.rest_api, options);
    w.end_object_or_discard(mark);

    // Not a discardable mark: `resources` flushes as it goes, and it is empty exactly when
    // there are no resources (every path writes a key).
    if !snapshot.resources.is_empty() {
        w.field("resources");
        w.begin_object();
        let sink = if with_routes { Some(&mut routes) } else { None };
        resources(&mut w, &snapshot.resources, &refs, sink);
        w.end_object();
    }

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

    Rendered { writer: w, routes }
}

/// Routes recorded while rendering, grouped by verb before their keys are spelled out; each
/// is numbered by the message that holds its method object.
///
/// Rendering visits paths in ascending order, so each verb's paths arrive sorted; the groups
/// in verb order are then the routes sorted by `"VERB /path"` (nearly always; see
/// [`Rendered::routes`]) without comparing whole keys. An API has a handful of verbs.
#[derive(Default)]
struct RouteLog<'a> {
    by_verb: Vec<(&'a str, Vec<PathDigest<'a>>)>,
    count: usize,
}

/// One route of a verb group: its path and the number of its message.
type PathDigest<'a> = (&'a str, usize);

impl<'a> RouteLog<'a> {
    fn record(&mut self, verb: &'a str, path: &'a str) {
        let message = self.count;
        self.count += 1;
        let group = match self.by_verb.iter().position(|(v, _)| *v == verb) {
            Some(at) => at,
            None => {
                self.by_verb.push((verb, Vec::new()));
                self.by_verb.len() - 1
            }
        };
        self.by_verb[group].1.push((path, message));
    }

    fn into_routes(mut self, digests: &[[u8; 20]]) -> Vec<RouteDigest<'a>> {
        debug_assert_eq!(digests.len(), self.count);
        self.by_verb.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut routes = Vec::with_capacity(self.count);
        for (verb, paths) in self.by_verb {
            routes.extend(paths.into_iter().map(|(path, message)| RouteDigest {
                verb,
                path,
                digest: digests.get(message).copied().unwrap_or_default(),
            }));
        }
        routes
    }
}

/// `"resources": {path: {verb: method}}`, hashing each method object's bytes for `routes`.
/// Flushes the writer after each path (no mark is pending inside this object).
fn resources<'a>(
    w: &mut Writer,
    resources: &'a [Resource],
    refs: &References<'_>,
    mut routes: Option<&mut RouteLog<'a>>,
) {
    let mut by_path: Vec<&Resource> = resources.iter().collect();
    by_path.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let mut at = 0;
    for group in by_path.chunk_by(|a, b| a.path == b.path) {
        prefetch::ahead(&by_path, at);
        at += group.len();
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
        w.flush();
    }
}

/// The method object written since `start` is the route's message (hashed by the writer).
fn record_route<'a>(
    w: &mut Writer,
    start: usize,
    verb: &'a str,
    path: &'a str,
    routes: Option<&mut RouteLog<'a>>,
) {
    if let Some(routes) = routes {
        w.end_message(start);
        routes.record(verb, path);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_come_out_in_key_order() {
        let snapshot = crate::synthetic::api(400, 4, 3);
        let hashed = render(&snapshot, &Options::default(), Writer::hashing(), true).hash();
        let keys: Vec<String> = hashed.routes.iter().map(RouteDigest::key).collect();
        let first_unsorted = keys.windows(2).position(|pair| pair[0] >= pair[1]);
        assert_eq!(first_unsorted.map(|at| (&keys[at], &keys[at + 1])), None);
        assert_eq!(keys.len(), snapshot.method_count());
    }
}
