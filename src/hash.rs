//! Canonical document → sha1 hash, per-route hashes and Terraform ids (pure).

use std::collections::BTreeMap;

use crate::canonical::{document_writer, render, Hashed, Options, RouteDigest, Writer};
use crate::snapshot::Snapshot;

/// Everything the data source and the CLI report about one API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// 40 lowercase hex sha1 of [`crate::canonical::document`].
    pub hash: String,
    /// `"VERB /path"` → sha1 hex of that route's canonical method object.
    pub routes: BTreeMap<String, String>,
    /// Sorted: resource ids, `agm-{api}-{resource}-{VERB}` per method and
    /// `agi-{api}-{resource}-{VERB}` per method with an integration.
    pub ids: Vec<String>,
    pub resource_count: usize,
    pub method_count: usize,
    pub integration_count: usize,
}

/// The sha1 of the canonical document and of each route's method object: the hash itself,
/// before the strings a read also reports (hex, `routes` map, `ids`). The document is hashed
/// as it is rendered and never held whole.
pub fn digests<'a>(snapshot: &'a Snapshot, options: &Options) -> Hashed<'a> {
    render(snapshot, options, Writer::hashing(), true).hash()
}

/// The fingerprint: [`digests`] and the strings reported beside them.
pub fn fingerprint(snapshot: &Snapshot, options: &Options) -> Fingerprint {
    let digests = digests(snapshot, options);
    assemble(snapshot, &digests.document, digests.routes)
}

/// The fingerprint and the document it hashes, rendered once (for `--document` with the hash).
pub fn fingerprint_with_document(snapshot: &Snapshot, options: &Options) -> (Fingerprint, Vec<u8>) {
    let (hashed, document) =
        render(snapshot, options, document_writer(snapshot), true).hash_keeping();
    (
        assemble(snapshot, &hashed.document, hashed.routes),
        document,
    )
}

fn assemble(snapshot: &Snapshot, digest: &[u8; 20], routes: Vec<RouteDigest<'_>>) -> Fingerprint {
    Fingerprint {
        hash: lower_hex(digest),
        // Already in key order (nearly always), which makes building the map linear.
        routes: routes
            .into_iter()
            .map(|route| (route.key(), lower_hex(&route.digest)))
            .collect(),
        ids: terraform_ids(snapshot),
        resource_count: snapshot.resources.len(),
        method_count: snapshot.method_count(),
        integration_count: snapshot.integration_count(),
    }
}

/// Lowercase hex of a digest (`hex::encode` builds its string a char at a time).
fn lower_hex(digest: &[u8; 20]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(40);
    for byte in digest {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// The ids people used to list by hand in `triggers`, sorted.
pub fn terraform_ids(snapshot: &Snapshot) -> Vec<String> {
    // Built as three runs that are each (almost always) already sorted — resource ids, then
    // `agi-…` and `agm-…` in resource-id and verb order — so the final stable sort only merges
    // runs instead of sorting tens of thousands of scattered strings from scratch (the result
    // is the same: strings have a total order).
    let api = snapshot.rest_api.id.as_str();
    let mut resources: Vec<&crate::snapshot::Resource> = snapshot.resources.iter().collect();
    resources.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let method_count = snapshot.method_count();
    let mut ids = Vec::with_capacity(resources.len() + 2 * method_count);
    ids.extend(resources.iter().map(|r| r.id.clone()));
    // `agi-{api}-` / `agm-{api}-` spelled once; each id then takes three appends.
    let head = |kind: &str| [kind, api, "-"].concat();
    let prefixed = |head: &str, resource: &str, verb: &str| {
        let mut id = String::with_capacity(head.len() + resource.len() + 1 + verb.len());
        id.push_str(head);
        id.push_str(resource);
        id.push('-');
        id.push_str(verb);
        id
    };
    let integration_head = head("agi-");
    for resource in &resources {
        for (verb, method) in &resource.methods {
            if method.integration.is_some() {
                ids.push(prefixed(&integration_head, &resource.id, verb));
            }
        }
    }
    let method_head = head("agm-");
    for resource in &resources {
        for verb in resource.methods.keys() {
            ids.push(prefixed(&method_head, &resource.id, verb));
        }
    }
    ids.sort();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::document;
    use crate::snapshot::{Integration, Method, Resource, RestApi};
    use sha1::{Digest, Sha1};

    fn two_routes() -> Snapshot {
        let mut root = Resource {
            id: "r00t".into(),
            path: "/".into(),
            ..Resource::default()
        };
        root.methods.insert(
            "GET".into(),
            Method {
                http_method: "GET".into(),
                authorization_type: Some("NONE".into()),
                integration: Some(Integration {
                    integration_type: Some("MOCK".into()),
                    ..Integration::default()
                }),
                ..Method::default()
            },
        );
        root.methods.insert(
            "POST".into(),
            Method {
                http_method: "POST".into(),
                authorization_type: Some("NONE".into()),
                ..Method::default()
            },
        );
        Snapshot {
            rest_api: RestApi {
                id: "api1".into(),
                ..RestApi::default()
            },
            resources: vec![root],
            ..Snapshot::default()
        }
    }

    #[test]
    fn ids_equal_the_plainly_built_and_sorted_list() {
        for seed in 0..4 {
            let mut snapshot = crate::synthetic::api(60, 3, seed);
            // Ids that break the "runs are already sorted" shortcut must not change the result.
            snapshot.resources[1].id = "!x".into();
            snapshot.resources[2].id = "agi-".into();
            snapshot.resources[3].id = "agm".into();
            let api = &snapshot.rest_api.id;
            let mut expected = Vec::new();
            for resource in &snapshot.resources {
                expected.push(resource.id.clone());
                for (verb, method) in &resource.methods {
                    expected.push(format!("agm-{api}-{}-{verb}", resource.id));
                    if method.integration.is_some() {
                        expected.push(format!("agi-{api}-{}-{verb}", resource.id));
                    }
                }
            }
            expected.sort_unstable();
            assert_eq!(terraform_ids(&snapshot), expected);
        }
    }

    #[test]
    fn hash_is_sha1_of_the_document_and_ids_are_sorted() {
        let snapshot = two_routes();
        let fp = fingerprint(&snapshot, &Options::default());
        let doc = document(&snapshot, &Options::default());
        assert_eq!(fp.hash, hex::encode(Sha1::digest(&doc)));
        assert_eq!(
            fingerprint_with_document(&snapshot, &Options::default()),
            (fp.clone(), doc)
        );
        assert_eq!(fp.hash.len(), 40);
        assert_eq!(
            fp.ids,
            [
                "agi-api1-r00t-GET",
                "agm-api1-r00t-GET",
                "agm-api1-r00t-POST",
                "r00t"
            ]
        );
        assert_eq!(
            (fp.resource_count, fp.method_count, fp.integration_count),
            (1, 2, 1)
        );
        let keys: Vec<&str> = fp.routes.keys().map(String::as_str).collect();
        assert_eq!(keys, ["GET /", "POST /"]);
        assert_eq!(
            fp.routes["POST /"],
            hex::encode(Sha1::digest(br#"{"authorization_type":"NONE"}"#))
        );
    }
}
