//! The one error type of the mirror module. Every message says what failed and how to fix it.

use std::path::PathBuf;

/// Why writing a mirror failed.
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error("invalid {what} {value:?}: {why}")]
    InvalidInput {
        what: &'static str,
        value: String,
        why: String,
    },
    #[error(
        "cannot read the provider binary {path}: {source}. Build it with `cargo build --release` \
         or pass its location with --provider-binary PATH"
    )]
    ProviderBinary {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot {action} {path}: {source}. Check that the directory is writable and the disk is not full")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} exists but is not a valid network-mirror {kind} ({why}); fix or delete it, then \
         run `gwtrigger mirror` again"
    )]
    CorruptMirrorFile {
        kind: &'static str,
        path: PathBuf,
        why: String,
    },
    #[error("file name {name:?} cannot be hashed: h1 (Go dirhash) rejects names containing a newline; rename the file")]
    NewlineInName { name: String },
    #[error("cannot {action} zip archive: {why}")]
    Zip { action: &'static str, why: String },
}

impl MirrorError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(what: &'static str, value: &str, why: impl Into<String>) -> Self {
        Self::InvalidInput {
            what,
            value: value.to_string(),
            why: why.into(),
        }
    }
}
