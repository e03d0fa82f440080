//! Provider packages: what `gwtrigger mirror` writes so `terraform init` can install the provider
//! without a registry, and the package pieces a registry release ([`crate::release`]) shares.
//!
//! - [`coordinates`]: the validated provider address, version and platform;
//! - [`h1`] and [`zh`]: the two lock-file hash schemes Terraform checks;
//! - [`zip`]: a reproducible zip writer (same binary → same bytes → same hashes);
//! - [`layout`]: the packed layout (+ network-mirror `index.json`/`VERSION.json`) and the
//!   unpacked layout on disk.

pub mod coordinates;
pub mod error;
pub mod h1;
pub mod layout;
pub mod zh;
pub mod zip;

pub use coordinates::{Platform, ProviderCoordinates, PROVIDER_TYPE};
pub use error::MirrorError;
pub use layout::{
    provider_archive, read_provider_binary, write_packed, write_unpacked, PackedMirror,
    UnpackedMirror,
};
