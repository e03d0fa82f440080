//! The one error type of the release module. Every message says what failed and how to fix it.

use std::path::PathBuf;

use crate::mirror::MirrorError;

/// Why writing a release failed.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error(transparent)]
    Package(#[from] MirrorError),
    #[error(
        "no signing key configured: set GWTRIGGER_GPG_KEY (or pass --gpg-key) to the id or \
         fingerprint of an RSA key in your gpg keyring (GNUPGHOME selects another keyring); \
         `gpg --list-secret-keys` lists them, and docs/guides/publishing-to-a-private-registry.md \
         shows how to make one"
    )]
    NoSigningKey,
    #[error("cannot run {program:?}: {source}. Install GnuPG (gpg) or name its path with --gpg")]
    GpgMissing {
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("gpg could not {action}: {why}")]
    Gpg { action: &'static str, why: String },
    #[error(
        "the signing key {key} is not RSA (gpg algorithm {algorithm}); Terraform registries accept \
         only RSA signing keys, so create one with `gpg --full-generate-key` (RSA, 4096 bits)"
    )]
    NotRsa { key: String, algorithm: String },
    #[error("no provider binaries in {dir}: {why}")]
    NoBinaries { dir: PathBuf, why: String },
    #[error(
        "{path} exists but is not a valid registry `versions` document ({why}); fix or delete \
         it, then run `gwtrigger release` again"
    )]
    CorruptRegistryFile { path: PathBuf, why: String },
    #[error("invalid --download-url {url:?}: {why}")]
    DownloadUrl { url: String, why: String },
}
