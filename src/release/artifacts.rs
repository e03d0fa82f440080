//! The artifact set of one provider version, named and shaped as GoReleaser writes it for
//! providers (what the public registry, HCP Terraform's private registry and Artifactory take):
//!
//! - `terraform-provider-gwtrigger_VERSION_OS_ARCH.zip` per platform, each holding
//!   `terraform-provider-gwtrigger_vVERSION[.exe]`;
//! - `terraform-provider-gwtrigger_VERSION_manifest.json` (plugin protocol 6.0);
//! - `terraform-provider-gwtrigger_VERSION_SHA256SUMS` over the zips and the manifest;
//! - `terraform-provider-gwtrigger_VERSION_SHA256SUMS.sig`, a detached binary signature;
//! - `terraform-provider-gwtrigger_VERSION_signing-key.asc`, the armoured public key that
//!   verifies it (what a registry needs to list as the signing key).

use std::path::{Path, PathBuf};

use super::{GpgSigner, PlatformBinary, ReleaseError};
use crate::mirror::layout::{create_dir_all, write_atomically};
use crate::mirror::PROVIDER_TYPE;
use crate::mirror::{h1, provider_archive, read_provider_binary, zh, ProviderCoordinates};

/// The registry manifest: the plugin protocol versions the provider speaks.
pub const MANIFEST_JSON: &str =
    "{\n  \"version\": 1,\n  \"metadata\": {\n    \"protocol_versions\": [\"6.0\"]\n  }\n}\n";

/// The plugin protocols a registry should advertise (the manifest's list).
pub const PROTOCOLS: [&str; 1] = ["6.0"];

/// One platform's package in a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasedPlatform {
    pub coordinates: ProviderCoordinates,
    pub archive: PathBuf,
    /// The `zh:` hash, which is also the archive's SHA256SUMS line.
    pub zh: String,
    /// The `h1:` hash Terraform records after installing this package.
    pub h1: String,
}

impl ReleasedPlatform {
    pub fn filename(&self) -> String {
        self.coordinates.archive_name()
    }
}

/// What [`write_release`] wrote.
#[derive(Debug, Clone)]
pub struct Release {
    pub version: String,
    pub platforms: Vec<ReleasedPlatform>,
    pub manifest: PathBuf,
    pub shasums: PathBuf,
    pub signature: PathBuf,
    pub public_key: PathBuf,
    /// The armoured public key (the content of `public_key`).
    pub public_key_armor: String,
    pub key_id: String,
}

impl Release {
    /// Every file of the release, in the order a person would upload them.
    pub fn files(&self) -> Vec<&Path> {
        let mut files: Vec<&Path> = self.platforms.iter().map(|p| p.archive.as_path()).collect();
        files.extend([
            self.manifest.as_path(),
            self.shasums.as_path(),
            self.signature.as_path(),
            self.public_key.as_path(),
        ]);
        files
    }
}

/// `terraform-provider-gwtrigger_VERSION_` + `suffix`.
fn versioned_name(version: &str, suffix: &str) -> String {
    format!("terraform-provider-{PROVIDER_TYPE}_{version}_{suffix}")
}

/// Packages every binary, writes the manifest and SHA256SUMS into `out`, signs SHA256SUMS with
/// `signer` and writes the public key beside it. `hostname` and `namespace` only validate the
/// source address the release is for: the file names do not contain them.
pub fn write_release(
    out: &Path,
    hostname: &str,
    namespace: &str,
    version: &str,
    binaries: &[PlatformBinary],
    signer: &GpgSigner,
) -> Result<Release, ReleaseError> {
    create_dir_all(out)?;
    let mut platforms = Vec::with_capacity(binaries.len());
    let mut sums: Vec<(String, String)> = Vec::with_capacity(binaries.len() + 1);
    for input in binaries {
        let coordinates =
            ProviderCoordinates::new(hostname, namespace, version, input.platform.clone())?;
        let zip_bytes = provider_archive(&coordinates, &read_provider_binary(&input.path)?)?;
        let archive = out.join(coordinates.archive_name());
        write_atomically(&archive, &zip_bytes)?;
        sums.push((coordinates.archive_name(), zh::sha256_hex(&zip_bytes)));
        platforms.push(ReleasedPlatform {
            h1: h1::h1_of_zip(&zip_bytes)?,
            zh: zh::zh(&zip_bytes),
            coordinates,
            archive,
        });
    }

    let manifest_name = versioned_name(version, "manifest.json");
    let manifest = out.join(&manifest_name);
    write_atomically(&manifest, MANIFEST_JSON.as_bytes())?;
    sums.push((manifest_name, zh::sha256_hex(MANIFEST_JSON.as_bytes())));

    let shasums = out.join(versioned_name(version, "SHA256SUMS"));
    write_atomically(&shasums, shasums_text(sums).as_bytes())?;

    let signature = out.join(versioned_name(version, "SHA256SUMS.sig"));
    signer.detach_sign(&shasums, &signature)?;
    let public_key_armor = signer.armored_public_key()?;
    let public_key = out.join(versioned_name(version, "signing-key.asc"));
    write_atomically(&public_key, public_key_armor.as_bytes())?;

    Ok(Release {
        version: version.to_string(),
        platforms,
        manifest,
        shasums,
        signature,
        public_key,
        public_key_armor,
        key_id: signer.key_id().to_string(),
    })
}

/// `sha256sum` format, sorted by file name: `HEX  NAME\n` per file.
fn shasums_text(mut sums: Vec<(String, String)>) -> String {
    sums.sort();
    sums.iter()
        .map(|(name, hex)| format!("{hex}  {name}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shasums_are_sorted_sha256sum_lines() {
        let text = shasums_text(vec![
            ("b.zip".into(), "22".into()),
            ("a.zip".into(), "11".into()),
        ]);
        assert_eq!(text, "11  a.zip\n22  b.zip\n");
    }

    #[test]
    fn manifest_declares_protocol_6() {
        let manifest: serde_json::Value = serde_json::from_str(MANIFEST_JSON).unwrap();
        assert_eq!(
            manifest,
            serde_json::json!({"version": 1, "metadata": {"protocol_versions": PROTOCOLS}})
        );
    }
}
