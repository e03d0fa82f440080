//! Registry releases: what `gwtrigger release` writes so a team installs the provider by its
//! source address (`HOST/NAMESPACE/gwtrigger`) from any provider registry, with no CLI config.
//!
//! - [`inputs`]: the prebuilt binaries, one per platform (`DIR/OS_ARCH/terraform-provider-gwtrigger`);
//! - [`artifacts`]: the set GoReleaser produces for providers (zips, manifest, SHA256SUMS and
//!   its detached signature, the armoured public key), which the public registry, HCP
//!   Terraform's private registry and Artifactory accept;
//! - [`gpg`]: signing through the user's `gpg` and keyring;
//! - [`registry`]: the provider registry protocol as static files any HTTPS server can serve.
//!
//! Archives and hashes come from [`crate::mirror`], so a binary has the same `zh:`/`h1:` whether
//! it is installed from a release or a mirror.

pub mod artifacts;
pub mod error;
pub mod gpg;
pub mod inputs;
pub mod registry;

pub use artifacts::{write_release, Release, ReleasedPlatform};
pub use error::ReleaseError;
pub use gpg::GpgSigner;
pub use inputs::{find_binaries, PlatformBinary};
pub use registry::{write_registry, RegistryTree};
