//! The `h1:` lock-file hash: Go's `golang.org/x/mod/sumdb/dirhash.Hash1`, which Terraform computes
//! over a zip archive's entries or over an unpacked provider directory.
//!
//! 1. names: zip entry names (directory entries included, hashed as empty content) or file paths
//!    relative to the directory with `/` separators; a name containing `\n` is an error;
//! 2. sort the names bytewise;
//! 3. summary = concat of `hex(sha256(content)) + "  " + name + "\n"`;
//! 4. `"h1:" + base64(sha256(summary))` (standard alphabet, padded).

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::MirrorError;

/// One file to hash: its name in the tree and the sha256 of its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedFile {
    pub name: String,
    pub content_sha256: [u8; 32],
}

impl HashedFile {
    /// Hashes in-memory content.
    pub fn from_bytes(name: impl Into<String>, content: &[u8]) -> Self {
        Self {
            name: name.into(),
            content_sha256: Sha256::digest(content).into(),
        }
    }
}

/// Hash1 over already-hashed files. Order of `files` does not matter.
pub fn hash1(mut files: Vec<HashedFile>) -> Result<String, MirrorError> {
    if let Some(bad) = files.iter().find(|f| f.name.contains('\n')) {
        return Err(MirrorError::NewlineInName {
            name: bad.name.clone(),
        });
    }
    files.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let mut summary = Sha256::new();
    for file in &files {
        summary.update(hex::encode(file.content_sha256));
        summary.update(b"  ");
        summary.update(file.name.as_bytes());
        summary.update(b"\n");
    }
    Ok(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(summary.finalize())
    ))
}

/// Hash1 of a zip archive given as bytes (what Terraform computes for a packed mirror archive).
pub fn h1_of_zip(zip_bytes: &[u8]) -> Result<String, MirrorError> {
    let zip_error = |e: ::zip::result::ZipError| MirrorError::Zip {
        action: "read",
        why: e.to_string(),
    };
    let mut archive = ::zip::ZipArchive::new(io::Cursor::new(zip_bytes)).map_err(zip_error)?;
    let mut files = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(zip_error)?;
        let name = entry.name().to_string();
        let content_sha256 = sha256_of_reader(&mut entry).map_err(|e| MirrorError::Zip {
            action: "decompress",
            why: format!("entry {name:?}: {e}"),
        })?;
        files.push(HashedFile {
            name,
            content_sha256,
        });
    }
    hash1(files)
}

/// Hash1 of a directory tree (what Terraform computes for an unpacked mirror directory).
/// Directories themselves are not hashed, only the regular files below them.
pub fn h1_of_dir(dir: &Path) -> Result<String, MirrorError> {
    let mut files = Vec::new();
    collect_dir(dir, "", &mut files)?;
    hash1(files)
}

fn collect_dir(dir: &Path, prefix: &str, files: &mut Vec<HashedFile>) -> Result<(), MirrorError> {
    let entries = fs::read_dir(dir).map_err(|e| MirrorError::io("list directory", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| MirrorError::io("list directory", dir, e))?;
        let path = entry.path();
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            return Err(MirrorError::invalid(
                "file name",
                &file_name.to_string_lossy(),
                "h1 needs UTF-8 file names; rename the file",
            ));
        };
        let name = if prefix.is_empty() {
            file_name.to_string()
        } else {
            format!("{prefix}/{file_name}")
        };
        // Like Go's filepath.Walk: real directories are descended, everything else (including a
        // symlink to a file) is opened and hashed as a file.
        let is_real_dir = fs::symlink_metadata(&path)
            .map_err(|e| MirrorError::io("inspect", &path, e))?
            .is_dir();
        if is_real_dir {
            collect_dir(&path, &name, files)?;
        } else {
            let mut file = fs::File::open(&path).map_err(|e| MirrorError::io("open", &path, e))?;
            let content_sha256 =
                sha256_of_reader(&mut file).map_err(|e| MirrorError::io("read", &path, e))?;
            files.push(HashedFile {
                name,
                content_sha256,
            });
        }
    }
    Ok(())
}

fn sha256_of_reader(reader: &mut impl Read) -> io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    io::copy(reader, &mut hasher)?;
    Ok(hasher.finalize().into())
}
