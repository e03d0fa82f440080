//! Writes the two filesystem-mirror layouts Terraform understands.
//!
//! Packed (also servable as a network mirror over HTTPS):
//! `OUT/HOST/NS/gwtrigger/terraform-provider-gwtrigger_VERSION_OS_ARCH.zip`, next to
//! `index.json` (`{"versions":{"VERSION":{}}}`) and `VERSION.json`
//! (`{"archives":{"OS_ARCH":{"url":"...zip","hashes":["h1:...","zh:..."]}}}`). Both JSON files are
//! merged with what is already there, so several versions and platforms share one tree.
//!
//! Unpacked: `OUT/HOST/NS/gwtrigger/VERSION/OS_ARCH/terraform-provider-gwtrigger_vVERSION`, mode 0755.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::zip::{reproducible_zip, ZipEntry};
use super::{h1, zh, MirrorError, ProviderCoordinates, PROVIDER_TYPE};

/// Permission bits of the provider executable, in the zip and on disk.
pub const EXECUTABLE_MODE: u32 = 0o755;

/// What [`write_packed`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedMirror {
    pub archive: PathBuf,
    pub index_json: PathBuf,
    pub version_json: PathBuf,
    pub h1: String,
    pub zh: String,
    /// The same version and platform was already listed with other hashes: lock files that
    /// recorded the old ones will reject the new archive.
    pub replaced_different_hashes: bool,
}

/// What [`write_unpacked`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackedMirror {
    pub executable: PathBuf,
    pub h1: String,
}

/// `index.json` of the network-mirror protocol.
#[derive(Debug, Default, Serialize, Deserialize)]
struct IndexJson {
    versions: BTreeMap<String, serde_json::Value>,
}

/// `VERSION.json` of the network-mirror protocol.
#[derive(Debug, Default, Serialize, Deserialize)]
struct VersionJson {
    archives: BTreeMap<String, ArchiveEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ArchiveEntry {
    url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<String>,
}

/// `OUT/HOST/NS/gwtrigger`.
pub fn provider_dir(out: &Path, coordinates: &ProviderCoordinates) -> PathBuf {
    out.join(&coordinates.hostname)
        .join(&coordinates.namespace)
        .join(PROVIDER_TYPE)
}

/// The provider package archive of `binary`: one executable entry named
/// `terraform-provider-gwtrigger_vVERSION[.exe]`. Mirrors and registry releases both ship it, so
/// the same binary has the same `zh:`/`h1:` wherever it is installed from.
pub fn provider_archive(
    coordinates: &ProviderCoordinates,
    binary: &[u8],
) -> Result<Vec<u8>, MirrorError> {
    let executable_name = coordinates.executable_name();
    reproducible_zip(&[ZipEntry {
        name: &executable_name,
        content: binary,
        unix_mode: EXECUTABLE_MODE,
    }])
}

/// Reads a provider executable; an empty file is an error (a failed build, not a provider).
pub fn read_provider_binary(path: &Path) -> Result<Vec<u8>, MirrorError> {
    let binary = fs::read(path).map_err(|source| MirrorError::ProviderBinary {
        path: path.to_path_buf(),
        source,
    })?;
    if binary.is_empty() {
        return Err(MirrorError::ProviderBinary {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is empty"),
        });
    }
    Ok(binary)
}

/// Writes the packed layout and the network-mirror JSON for `binary`.
pub fn write_packed(
    out: &Path,
    coordinates: &ProviderCoordinates,
    binary: &[u8],
) -> Result<PackedMirror, MirrorError> {
    let zip_bytes = provider_archive(coordinates, binary)?;
    // Hash what Terraform will hash: the archive as written, not the input we meant to write.
    let h1 = h1::h1_of_zip(&zip_bytes)?;
    let zh = zh::zh(&zip_bytes);

    let dir = provider_dir(out, coordinates);
    create_dir_all(&dir)?;
    let archive = dir.join(coordinates.archive_name());
    write_atomically(&archive, &zip_bytes)?;

    let index_json = dir.join("index.json");
    let merged_index = merge_index(read_optional(&index_json)?.as_deref(), &coordinates.version)
        .map_err(|why| MirrorError::CorruptMirrorFile {
            kind: "index.json",
            path: index_json.clone(),
            why,
        })?;
    write_atomically(&index_json, merged_index.as_bytes())?;

    let version_json = dir.join(format!("{}.json", coordinates.version));
    let (merged_version, replaced_different_hashes) = merge_version_json(
        read_optional(&version_json)?.as_deref(),
        &coordinates.platform.to_string(),
        &coordinates.archive_name(),
        &[h1.clone(), zh.clone()],
    )
    .map_err(|why| MirrorError::CorruptMirrorFile {
        kind: "VERSION.json",
        path: version_json.clone(),
        why,
    })?;
    write_atomically(&version_json, merged_version.as_bytes())?;

    Ok(PackedMirror {
        archive,
        index_json,
        version_json,
        h1,
        zh,
        replaced_different_hashes,
    })
}

/// Writes the unpacked layout for `binary` and hashes the package directory as Terraform does.
pub fn write_unpacked(
    out: &Path,
    coordinates: &ProviderCoordinates,
    binary: &[u8],
) -> Result<UnpackedMirror, MirrorError> {
    let package_dir = provider_dir(out, coordinates)
        .join(&coordinates.version)
        .join(coordinates.platform.to_string());
    create_dir_all(&package_dir)?;
    let executable = package_dir.join(coordinates.executable_name());
    write_atomically(&executable, binary)?;
    set_executable(&executable)?;
    let h1 = h1::h1_of_dir(&package_dir)?;
    Ok(UnpackedMirror { executable, h1 })
}

/// Adds `version` to an `index.json` document (or starts a new one). Returns pretty JSON.
pub fn merge_index(existing: Option<&str>, version: &str) -> Result<String, String> {
    let mut index: IndexJson = match existing {
        Some(text) => serde_json::from_str(text).map_err(|e| e.to_string())?,
        None => IndexJson::default(),
    };
    index
        .versions
        .entry(version.to_string())
        .or_insert_with(|| serde_json::json!({}));
    to_pretty_json(&index)
}

/// Sets the archive of `platform` in a `VERSION.json` document (or starts a new one), keeping the
/// other platforms. Returns pretty JSON and whether an entry with other hashes was replaced.
pub fn merge_version_json(
    existing: Option<&str>,
    platform: &str,
    url: &str,
    hashes: &[String],
) -> Result<(String, bool), String> {
    let mut document: VersionJson = match existing {
        Some(text) => serde_json::from_str(text).map_err(|e| e.to_string())?,
        None => VersionJson::default(),
    };
    let entry = ArchiveEntry {
        url: url.to_string(),
        hashes: hashes.to_vec(),
    };
    let replaced = document
        .archives
        .insert(platform.to_string(), entry.clone())
        .is_some_and(|old| old.hashes != entry.hashes);
    Ok((to_pretty_json(&document)?, replaced))
}

pub(crate) fn to_pretty_json(value: &impl Serialize) -> Result<String, String> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, MirrorError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(MirrorError::io("read", path, e)),
    }
}

pub(crate) fn create_dir_all(dir: &Path) -> Result<(), MirrorError> {
    fs::create_dir_all(dir).map_err(|e| MirrorError::io("create directory", dir, e))
}

/// Writes via a temporary sibling and a rename, so a mirror being served never shows a
/// half-written file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), MirrorError> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".tmp-{}", std::process::id()));
    let temporary = PathBuf::from(temporary);
    fs::write(&temporary, bytes).map_err(|e| MirrorError::io("write", &temporary, e))?;
    fs::rename(&temporary, path).map_err(|e| {
        let _ = fs::remove_file(&temporary);
        MirrorError::io("replace", path, e)
    })
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<(), MirrorError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(EXECUTABLE_MODE))
        .map_err(|e| MirrorError::io("make executable", path, e))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> Result<(), MirrorError> {
    Ok(())
}
