//! Provider mirrors: what `gwtrigger mirror` writes so `terraform init` can install the provider
//! without a registry.
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
pub use layout::{write_packed, write_unpacked, PackedMirror, UnpackedMirror};
