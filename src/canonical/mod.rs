//! Snapshot → canonical document (pure): the exact bytes that are hashed.
//!
//! The contract (gwtrigger-hash/2) is written down in docs/hash-contract.md; this module is its
//! reference implementation. Submodules: `members` (what the contract decided for each member
//! AWS answers), `document` (the document, kind by kind), `policy` and `embedded` (JSON
//! embedded as text).

mod document;
mod embedded;
pub mod members;
mod policy;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::snapshot::Snapshot;

/// Version of the canonical form; the `version` member of every document.
pub const CONTRACT_VERSION: &str = "gwtrigger-hash/2";

/// A part of the API that a user may leave out of the hash (`exclude`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Aspect {
    Authorizers,
    GatewayResponses,
    Models,
    Policy,
    RequestValidators,
    RestApiSettings,
}

impl Aspect {
    pub const ALL: [Aspect; 6] = [
        Aspect::Authorizers,
        Aspect::GatewayResponses,
        Aspect::Models,
        Aspect::Policy,
        Aspect::RequestValidators,
        Aspect::RestApiSettings,
    ];

    /// The name used in `exclude`.
    pub fn name(self) -> &'static str {
        match self {
            Aspect::Authorizers => "authorizers",
            Aspect::GatewayResponses => "gateway_responses",
            Aspect::Models => "models",
            Aspect::Policy => "policy",
            Aspect::RequestValidators => "request_validators",
            Aspect::RestApiSettings => "rest_api_settings",
        }
    }

    /// The aspect with this exact name, if any.
    pub fn parse(name: &str) -> Option<Aspect> {
        Aspect::ALL.into_iter().find(|aspect| aspect.name() == name)
    }

    /// All valid names, comma-separated, for messages and help texts.
    pub fn valid_names() -> String {
        Aspect::ALL.map(Aspect::name).join(", ")
    }
}

impl fmt::Display for Aspect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to leave out of the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub exclude: BTreeSet<Aspect>,
}

impl Options {
    /// Options excluding the given aspects.
    pub fn excluding(aspects: impl IntoIterator<Item = Aspect>) -> Options {
        Options {
            exclude: aspects.into_iter().collect(),
        }
    }

    /// Options excluding the named aspects; on failure, the first name that is not an aspect.
    pub fn excluding_names<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Options, String> {
        names
            .into_iter()
            .map(|name| Aspect::parse(name).ok_or_else(|| name.to_owned()))
            .collect::<Result<_, _>>()
            .map(|exclude| Options { exclude })
    }

    pub(crate) fn includes(&self, aspect: Aspect) -> bool {
        !self.exclude.contains(&aspect)
    }
}

/// The canonical encoding of a JSON value: compact, object keys in ascending byte order.
pub(crate) fn encode(value: &Value) -> Vec<u8> {
    // serde_json's `Map` is a `BTreeMap` (the `preserve_order` feature is off; a test checks).
    serde_json::to_vec(value).expect("a JSON value always serialises")
}

/// The hashed bytes: the document, and each route's method object (`"VERB /path"` → bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub document: Vec<u8>,
    pub routes: BTreeMap<String, Vec<u8>>,
}

/// Renders the document and the per-route bytes (docs/hash-contract.md, sections 2–4).
pub fn render(snapshot: &Snapshot, options: &Options) -> Rendered {
    let parts = document::build(snapshot, options);
    Rendered {
        document: encode(&parts.document),
        routes: parts
            .routes
            .iter()
            .map(|(route, method)| (route.clone(), encode(method)))
            .collect(),
    }
}

/// The exact bytes that are hashed (compact canonical JSON).
pub fn document(snapshot: &Snapshot, options: &Options) -> Vec<u8> {
    render(snapshot, options).document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspect_names_round_trip() {
        for aspect in Aspect::ALL {
            assert_eq!(Aspect::parse(aspect.name()), Some(aspect));
        }
        assert_eq!(Aspect::parse("Policy"), None);
        assert_eq!(
            Aspect::valid_names(),
            "authorizers, gateway_responses, models, policy, request_validators, rest_api_settings"
        );
    }

    #[test]
    fn empty_snapshot_has_only_the_version() {
        let doc = document(&Snapshot::default(), &Options::default());
        assert_eq!(doc, br#"{"version":"gwtrigger-hash/2"}"#);
    }

    #[test]
    fn objects_are_encoded_with_sorted_keys() {
        let value: Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[2,1],"c":"\u0001é/"}}"#).unwrap();
        assert_eq!(
            String::from_utf8(encode(&value)).unwrap(),
            r#"{"a":{"c":"\u0001é/","d":[2,1]},"b":1}"#
        );
    }
}
