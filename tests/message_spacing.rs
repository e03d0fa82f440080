//! User-facing messages are written as string literals continued across lines with `\`; a lost
//! backslash keeps the next line's indentation inside the message ("...unexpectedly.
//!                      This is a bug..."). This scans every source line outside comments for a
//! run of spaces after the end of a sentence or clause, which no message or snippet needs.

use std::fs;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The byte column of the first `[.,;:)]` followed by two or more spaces and a word.
fn gap_after_punctuation(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if !b".,;:)".contains(&b) {
            continue;
        }
        let spaces = bytes[i + 1..].iter().take_while(|&&c| c == b' ').count();
        let next = bytes.get(i + 1 + spaces).copied();
        if spaces >= 2 && next.is_some_and(|c| c.is_ascii_alphabetic() || c == b'(' || c == b'`') {
            return Some(i);
        }
    }
    None
}

#[test]
fn no_message_carries_a_lost_line_continuation() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 10, "found only {} source files", files.len());
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("UTF-8 source");
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            if let Some(col) = gap_after_punctuation(line) {
                found.push(format!(
                    "{}:{}:{}: {}",
                    file.display(),
                    n + 1,
                    col + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "runs of spaces inside text:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_the_defect_it_guards_against() {
    assert!(gap_after_punctuation(
        r#""ended unexpectedly ({e}).                      This is a bug.""#
    )
    .is_some());
    assert!(gap_after_punctuation(r#""ended ({e}). This is a bug.""#).is_none());
    assert!(gap_after_punctuation(r#"  key_type      = "API_KEY""#).is_none());
}
