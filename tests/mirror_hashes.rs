//! h1 (Go dirhash Hash1), zh and the reproducible zip writer, checked against vectors computed
//! independently from the dirhash spec (Python hashlib/base64), not by this crate.

use gwtrigger::mirror::h1::{h1_of_dir, h1_of_zip, hash1, HashedFile};
use gwtrigger::mirror::zh::zh;
use gwtrigger::mirror::zip::{reproducible_zip, ZipEntry};
use std::io::Write;

/// dirhash's own test case (files "xyz" and "abc" holding "data for NAME"), hashed with
/// `"h1:" + b64(sha256("".join(f"{sha256(c).hexdigest()}  {n}\n" for n, c in sorted(files))))`.
const GO_TEST_CASE_H1: &str = "h1:EP6WfDoQTSk9klnxcjriWJOGztueJUywHNmWeq+efB8=";
/// Same formula over no files: base64 of sha256("").
const EMPTY_H1: &str = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
/// Same formula over `a` (empty), directory entry `dir/` (empty) and `dir/b` ("B").
const WITH_DIRECTORY_ENTRY_H1: &str = "h1:co7I2wy38zr6RuHejkAqQX1CVeU3VEG9yfo3dheZNdg=";

#[test]
fn hash1_matches_independent_vectors() {
    let files = vec![
        HashedFile::from_bytes("xyz", b"data for xyz"),
        HashedFile::from_bytes("abc", b"data for abc"),
    ];
    assert_eq!(hash1(files).unwrap(), GO_TEST_CASE_H1);
    assert_eq!(hash1(Vec::new()).unwrap(), EMPTY_H1);
}

#[test]
fn hash1_is_order_independent_and_content_sensitive() {
    let a = hash1(vec![
        HashedFile::from_bytes("abc", b"data for abc"),
        HashedFile::from_bytes("xyz", b"data for xyz"),
    ])
    .unwrap();
    assert_eq!(a, GO_TEST_CASE_H1);
    let changed = hash1(vec![
        HashedFile::from_bytes("abc", b"data for abc!"),
        HashedFile::from_bytes("xyz", b"data for xyz"),
    ])
    .unwrap();
    assert_ne!(changed, GO_TEST_CASE_H1);
}

#[test]
fn hash1_rejects_newlines_in_names() {
    let err = hash1(vec![HashedFile::from_bytes("a\nb", b"")]).unwrap_err();
    assert!(err.to_string().contains("newline"), "{err}");
}

/// A zip written by a different writer (the zip crate with directory entries and timestamps)
/// hashes its directory entries as empty files, as Go's dirhash.HashZip does.
#[test]
fn h1_of_zip_counts_directory_entries_as_empty_files() {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("a", options).unwrap();
    writer.add_directory("dir/", options).unwrap();
    writer.start_file("dir/b", options).unwrap();
    writer.write_all(b"B").unwrap();
    let bytes = writer.finish().unwrap().into_inner();
    assert_eq!(h1_of_zip(&bytes).unwrap(), WITH_DIRECTORY_ENTRY_H1);
}

#[test]
fn h1_of_dir_uses_relative_slash_paths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("xyz"), "data for xyz").unwrap();
    std::fs::write(dir.path().join("abc"), "data for abc").unwrap();
    assert_eq!(h1_of_dir(dir.path()).unwrap(), GO_TEST_CASE_H1);

    let nested = tempfile::tempdir().unwrap();
    std::fs::write(nested.path().join("a"), "").unwrap();
    std::fs::create_dir(nested.path().join("dir")).unwrap();
    std::fs::write(nested.path().join("dir/b"), "B").unwrap();
    // No `dir/` entry on disk: directories are not hashed, so this differs from the zip above.
    let expected = hash1(vec![
        HashedFile::from_bytes("a", b""),
        HashedFile::from_bytes("dir/b", b"B"),
    ])
    .unwrap();
    assert_eq!(h1_of_dir(nested.path()).unwrap(), expected);
    assert_ne!(expected, WITH_DIRECTORY_ENTRY_H1);
}

#[test]
fn reproducible_zip_is_byte_identical_and_round_trips() {
    let payload: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let entries = [
        ZipEntry {
            name: "terraform-provider-gwtrigger_v0.1.0",
            content: &payload,
            unix_mode: 0o755,
        },
        ZipEntry {
            name: "docs/README",
            content: b"hello",
            unix_mode: 0o644,
        },
    ];
    let first = reproducible_zip(&entries).unwrap();
    let mut reversed = entries;
    reversed.reverse();
    let second = reproducible_zip(&reversed).unwrap();
    assert_eq!(
        first, second,
        "same entries in any order must give identical bytes"
    );
    assert_eq!(zh(&first), zh(&second));

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&first)).unwrap();
    assert_eq!(archive.len(), 2);
    let mut exe = archive
        .by_name("terraform-provider-gwtrigger_v0.1.0")
        .unwrap();
    assert_eq!(exe.compression(), zip::CompressionMethod::Deflated);
    assert_eq!(exe.unix_mode().map(|m| m & 0o777), Some(0o755));
    let modified = exe.last_modified().unwrap();
    assert_eq!(
        (modified.year(), modified.month(), modified.day()),
        (1980, 1, 1)
    );
    let mut content = Vec::new();
    std::io::Read::read_to_end(&mut exe, &mut content).unwrap();
    assert_eq!(content, payload);
    drop(exe);
    // No directory entry for docs/.
    assert!(archive.file_names().all(|name| !name.ends_with('/')));

    let expected_h1 = hash1(vec![
        HashedFile::from_bytes("terraform-provider-gwtrigger_v0.1.0", &payload),
        HashedFile::from_bytes("docs/README", b"hello"),
    ])
    .unwrap();
    assert_eq!(h1_of_zip(&first).unwrap(), expected_h1);
}

#[test]
fn reproducible_zip_rejects_directory_and_unsafe_names() {
    for bad in ["dir/", "/abs", "../up", "a//b", "", "a\nb"] {
        let err = reproducible_zip(&[ZipEntry {
            name: bad,
            content: b"x",
            unix_mode: 0o644,
        }])
        .unwrap_err();
        assert!(
            err.to_string().contains("invalid zip entry name"),
            "{bad}: {err}"
        );
    }
    let dup = [
        ZipEntry {
            name: "a",
            content: b"1",
            unix_mode: 0o644,
        },
        ZipEntry {
            name: "a",
            content: b"2",
            unix_mode: 0o644,
        },
    ];
    assert!(reproducible_zip(&dup).is_err());
}
