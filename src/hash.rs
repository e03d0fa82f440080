//! Canonical document → sha1 hash, per-route hashes and Terraform ids (pure).

use std::collections::BTreeMap;

use sha1::{Digest, Sha1};

use crate::canonical::{render, Options, Rendered};
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

/// The fingerprint of `snapshot`.
pub fn fingerprint(snapshot: &Snapshot, options: &Options) -> Fingerprint {
    fingerprint_of(snapshot, &render(snapshot, options))
}

/// The fingerprint of an already rendered snapshot (for callers that also show the document).
pub fn fingerprint_of(snapshot: &Snapshot, rendered: &Rendered) -> Fingerprint {
    Fingerprint {
        hash: sha1_hex(&rendered.document),
        routes: rendered
            .routes
            .iter()
            .map(|(route, bytes)| (route.clone(), sha1_hex(bytes)))
            .collect(),
        ids: terraform_ids(snapshot),
        resource_count: snapshot.resources.len(),
        method_count: snapshot.method_count(),
        integration_count: snapshot.integration_count(),
    }
}

fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(Sha1::digest(bytes))
}

/// The ids people used to list by hand in `triggers`, sorted.
pub fn terraform_ids(snapshot: &Snapshot) -> Vec<String> {
    let api = &snapshot.rest_api.id;
    let mut ids = Vec::new();
    for resource in &snapshot.resources {
        ids.push(resource.id.clone());
        for (verb, method) in &resource.methods {
            ids.push(format!("agm-{api}-{}-{verb}", resource.id));
            if method.integration.is_some() {
                ids.push(format!("agi-{api}-{}-{verb}", resource.id));
            }
        }
    }
    ids.sort_unstable();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::document;
    use crate::snapshot::{Integration, Method, Resource, RestApi};

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
    fn hash_is_sha1_of_the_document_and_ids_are_sorted() {
        let snapshot = two_routes();
        let fp = fingerprint(&snapshot, &Options::default());
        let doc = document(&snapshot, &Options::default());
        assert_eq!(fp.hash, hex::encode(Sha1::digest(&doc)));
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
            hex::encode(Sha1::digest(br#"{"authorizationType":"NONE"}"#))
        );
    }
}
