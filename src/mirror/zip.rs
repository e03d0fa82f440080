//! A reproducible zip writer: the same entries always give byte-identical archives, so the same
//! provider binary always gives the same `zh:` and `h1:` hashes.
//!
//! Fixed choices: entries sorted by name, the DOS epoch (1980-01-01 00:00) as every timestamp, no
//! directory entries (so the archive's `h1:` equals the unpacked directory's), no extra fields,
//! unix permissions from the entry, deflate at level 6 (miniz_oxide, deterministic).

use std::io::{Cursor, Write};

use ::zip::write::SimpleFileOptions;
use ::zip::{CompressionMethod, DateTime, ZipWriter};

use super::MirrorError;

/// The compression level; fixed because it changes the bytes.
const DEFLATE_LEVEL: i64 = 6;

/// One regular file to put in the archive.
#[derive(Debug, Clone, Copy)]
pub struct ZipEntry<'a> {
    /// Path inside the archive, `/`-separated, relative, no directory entries.
    pub name: &'a str,
    pub content: &'a [u8],
    /// Unix permission bits, e.g. `0o755` for an executable.
    pub unix_mode: u32,
}

/// Writes `entries` into a new in-memory zip archive, deterministically.
pub fn reproducible_zip(entries: &[ZipEntry<'_>]) -> Result<Vec<u8>, MirrorError> {
    let mut sorted: Vec<&ZipEntry<'_>> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    for pair in sorted.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(MirrorError::invalid(
                "zip entry name",
                pair[0].name,
                "appears twice; each file needs a unique name",
            ));
        }
    }
    for entry in &sorted {
        check_entry_name(entry.name)?;
    }

    let zip_error = |e: ::zip::result::ZipError| MirrorError::Zip {
        action: "write",
        why: e.to_string(),
    };
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for entry in sorted {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(DEFLATE_LEVEL))
            .last_modified_time(DateTime::default())
            .unix_permissions(entry.unix_mode & 0o7777)
            .large_file(entry.content.len() as u64 >= u64::from(u32::MAX));
        writer.start_file(entry.name, options).map_err(zip_error)?;
        writer
            .write_all(entry.content)
            .map_err(|e| MirrorError::Zip {
                action: "write",
                why: e.to_string(),
            })?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

fn check_entry_name(name: &str) -> Result<(), MirrorError> {
    let why = if name.is_empty() {
        "is empty"
    } else if name.ends_with('/') {
        "is a directory entry; list only files so packed and unpacked h1 agree"
    } else if name.starts_with('/') || name.contains('\\') {
        "must be a relative path with `/` separators"
    } else if name
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        "must not contain empty, `.` or `..` path segments"
    } else if name.contains('\n') {
        "contains a newline, which h1 rejects"
    } else {
        return Ok(());
    };
    Err(MirrorError::invalid("zip entry name", name, why))
}
