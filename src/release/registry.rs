//! The provider registry protocol as static files, so any HTTPS server (S3/CloudFront, nginx,
//! Artifactory's generic repositories, GitHub Pages) can be a private registry:
//!
//! - `.well-known/terraform.json`: `{"providers.v1": "/v1/providers/"}` (service discovery);
//! - `v1/providers/NS/gwtrigger/versions`: every version, its protocols and platforms (merged
//!   with what is already there, so releases accumulate in one tree);
//! - `v1/providers/NS/gwtrigger/VERSION/download/OS/ARCH`: the package of one platform, its
//!   SHA256SUMS, the signature and the signing key.
//!
//! The artifacts are copied to `v1/providers/NS/gwtrigger/VERSION/` and referenced by relative
//! URLs (Terraform resolves them against the document's URL), so the tree works under any host
//! name; or they stay where a `download_url` base says (e.g. a GitHub release).

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::artifacts::PROTOCOLS;
use super::{Release, ReleaseError};
use crate::mirror::layout::{create_dir_all, read_optional, to_pretty_json, write_atomically};
use crate::mirror::{MirrorError, PROVIDER_TYPE};

/// The discovery document's path and content.
pub const DISCOVERY_PATH: &str = ".well-known/terraform.json";
const PROVIDERS_V1: &str = "/v1/providers/";

/// What [`write_registry`] wrote.
#[derive(Debug, Clone)]
pub struct RegistryTree {
    pub root: PathBuf,
    pub discovery: PathBuf,
    pub versions: PathBuf,
    pub downloads: Vec<PathBuf>,
}

/// `versions` of the registry protocol.
#[derive(Debug, Default, Serialize, Deserialize)]
struct VersionsDocument {
    versions: Vec<VersionEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct VersionEntry {
    version: String,
    protocols: Vec<String>,
    platforms: Vec<PlatformEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PlatformEntry {
    os: String,
    arch: String,
}

/// Writes (or updates) the registry tree under `root` for `release` of `NAMESPACE/gwtrigger`.
/// `download_base`: the URL the release's files are published under; `None` copies them into
/// the tree and links them relatively.
pub fn write_registry(
    root: &Path,
    namespace: &str,
    release: &Release,
    download_base: Option<&str>,
) -> Result<RegistryTree, ReleaseError> {
    let download_base = download_base.map(check_download_base).transpose()?;
    let discovery = root.join(DISCOVERY_PATH);
    create_dir_all(discovery.parent().unwrap_or(root))?;
    write_json(&discovery, &json!({ "providers.v1": PROVIDERS_V1 }))?;

    let provider_dir = root
        .join("v1/providers")
        .join(namespace)
        .join(PROVIDER_TYPE);
    let version_dir = provider_dir.join(&release.version);
    create_dir_all(&version_dir)?;

    // Where a download document finds a release file: relative to
    // `VERSION/download/OS/ARCH`, two levels up is `VERSION/`.
    let url_of = |path: &Path| -> Result<String, ReleaseError> {
        let name = file_name(path);
        Ok(match &download_base {
            Some(base) => format!("{base}{name}"),
            None => {
                copy_file(path, &version_dir.join(&name))?;
                format!("../../{name}")
            }
        })
    };
    let shasums_url = url_of(&release.shasums)?;
    let shasums_signature_url = url_of(&release.signature)?;
    if download_base.is_none() {
        url_of(&release.public_key)?;
        url_of(&release.manifest)?;
    }

    let mut downloads = Vec::with_capacity(release.platforms.len());
    for package in &release.platforms {
        let platform = &package.coordinates.platform;
        let document = json!({
            "protocols": PROTOCOLS,
            "os": platform.os,
            "arch": platform.arch,
            "filename": package.filename(),
            "download_url": url_of(&package.archive)?,
            "shasums_url": shasums_url,
            "shasums_signature_url": shasums_signature_url,
            "shasum": package.zh.trim_start_matches("zh:"),
            "signing_keys": {
                "gpg_public_keys": [{
                    "key_id": release.key_id,
                    "ascii_armor": release.public_key_armor,
                }]
            },
        });
        let path = version_dir
            .join("download")
            .join(&platform.os)
            .join(&platform.arch);
        create_dir_all(path.parent().unwrap_or(&version_dir))?;
        write_json(&path, &document)?;
        downloads.push(path);
    }

    let versions = provider_dir.join("versions");
    let merged = merge_versions(read_optional(&versions)?.as_deref(), release).map_err(|why| {
        ReleaseError::CorruptRegistryFile {
            path: versions.clone(),
            why,
        }
    })?;
    write_atomically(&versions, merged.as_bytes())?;

    Ok(RegistryTree {
        root: root.to_path_buf(),
        discovery,
        versions,
        downloads,
    })
}

/// Sets `release`'s entry in a `versions` document (or starts one), keeping other versions.
fn merge_versions(existing: Option<&str>, release: &Release) -> Result<String, String> {
    let mut document: VersionsDocument = match existing {
        Some(text) => serde_json::from_str(text).map_err(|e| e.to_string())?,
        None => VersionsDocument::default(),
    };
    document.versions.retain(|v| v.version != release.version);
    document.versions.push(VersionEntry {
        version: release.version.clone(),
        protocols: PROTOCOLS.iter().map(|p| p.to_string()).collect(),
        platforms: release
            .platforms
            .iter()
            .map(|p| PlatformEntry {
                os: p.coordinates.platform.os.clone(),
                arch: p.coordinates.platform.arch.clone(),
            })
            .collect(),
    });
    // A stable order, so re-running a release rewrites the same bytes.
    document.versions.sort_by(|a, b| a.version.cmp(&b.version));
    to_pretty_json(&document)
}

/// An absolute http(s) URL ending in `/`, the prefix of every file name.
fn check_download_base(base: &str) -> Result<String, ReleaseError> {
    let invalid = |why: &str| ReleaseError::DownloadUrl {
        url: base.to_string(),
        why: why.to_string(),
    };
    let parsed = url::Url::parse(base).map_err(|e| invalid(&e.to_string()))?;
    if parsed.scheme() != "https" && parsed.scheme() != "http" {
        return Err(invalid("expected an https:// URL"));
    }
    Ok(if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), ReleaseError> {
    write_atomically(path, format!("{value:#}\n").as_bytes())?;
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<(), ReleaseError> {
    if from != to {
        let bytes = fs::read(from).map_err(|e| MirrorError::io("read", from, e))?;
        write_atomically(to, &bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::{Platform, ProviderCoordinates};
    use crate::release::ReleasedPlatform;

    fn release(version: &str, platforms: &[&str]) -> Release {
        let platforms = platforms
            .iter()
            .map(|p| ReleasedPlatform {
                coordinates: ProviderCoordinates::new(
                    "registry.example.com",
                    "platform",
                    version,
                    Platform::parse(p).unwrap(),
                )
                .unwrap(),
                archive: PathBuf::from(format!("{p}.zip")),
                zh: "zh:00".into(),
                h1: "h1:AA=".into(),
            })
            .collect();
        Release {
            version: version.into(),
            platforms,
            manifest: PathBuf::from("manifest.json"),
            shasums: PathBuf::from("SHA256SUMS"),
            signature: PathBuf::from("SHA256SUMS.sig"),
            public_key: PathBuf::from("key.asc"),
            public_key_armor: String::new(),
            key_id: "0123456789ABCDEF".into(),
        }
    }

    fn listed(text: &str) -> Vec<(String, Vec<String>)> {
        let document: VersionsDocument = serde_json::from_str(text).unwrap();
        document
            .versions
            .into_iter()
            .map(|v| {
                let platforms = v
                    .platforms
                    .into_iter()
                    .map(|p| format!("{}_{}", p.os, p.arch))
                    .collect();
                (v.version, platforms)
            })
            .collect()
    }

    #[test]
    fn versions_accumulate_and_a_rerelease_replaces_its_entry() {
        let first = merge_versions(None, &release("0.1.0", &["linux_amd64"])).unwrap();
        let both = merge_versions(Some(&first), &release("0.2.0", &["linux_amd64"])).unwrap();
        let again = merge_versions(
            Some(&both),
            &release("0.1.0", &["darwin_arm64", "linux_amd64"]),
        )
        .unwrap();
        assert_eq!(
            listed(&again),
            [
                (
                    "0.1.0".to_string(),
                    vec!["darwin_arm64".to_string(), "linux_amd64".to_string()]
                ),
                ("0.2.0".to_string(), vec!["linux_amd64".to_string()]),
            ]
        );
        assert!(merge_versions(Some("not json"), &release("0.1.0", &["linux_amd64"])).is_err());
    }

    #[test]
    fn download_base_must_be_an_http_url_and_gets_a_slash() {
        assert_eq!(
            check_download_base("https://example.com/releases/v1").unwrap(),
            "https://example.com/releases/v1/"
        );
        assert!(check_download_base("example.com/x").is_err());
        assert!(check_download_base("file:///tmp/x").is_err());
    }
}
