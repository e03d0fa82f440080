//! Snapshot → canonical document (pure): the exact bytes that are hashed.
//!
//! The contract (gwtrigger-hash/1) is written down in docs/hash-contract.md; this module is its
//! reference implementation. Submodules: `writer` (canonical JSON encoding), `kinds` (the
//! allow-listed fields of each API Gateway object), `sections` (document layout, content
//! addressing, per-route bytes), `prefetch` (memory hints for what is rendered next), `policy`
//! and `embedded` (JSON embedded as text).

mod embedded;
mod kinds;
mod output;
mod policy;
mod prefetch;
mod sections;
mod writer;

use std::collections::BTreeSet;
use std::fmt;

use crate::snapshot::Snapshot;

pub(crate) use sections::{document_writer, render};
pub use sections::{Hashed, RouteDigest};
pub(crate) use writer::Writer;

/// Version of the canonical form; the first member of every document.
pub const CONTRACT_VERSION: &str = "gwtrigger-hash/1";

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

    /// All valid names, comma-separated, for error messages.
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

    pub(crate) fn includes(&self, aspect: Aspect) -> bool {
        !self.exclude.contains(&aspect)
    }
}

/// The exact bytes that are hashed (compact canonical JSON).
pub fn document(snapshot: &Snapshot, options: &Options) -> Vec<u8> {
    render(snapshot, options, document_writer(snapshot), false)
        .writer
        .into_bytes()
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
        assert_eq!(doc, br#"{"version":"gwtrigger-hash/1"}"#);
    }
}
