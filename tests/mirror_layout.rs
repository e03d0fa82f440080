//! The packed/unpacked layouts and the network-mirror JSON merging of `gwtrigger mirror`.

use std::path::Path;

use gwtrigger::cli::mirror::{run, MirrorArgs};
use gwtrigger::mirror::layout::{merge_index, merge_version_json};
use gwtrigger::mirror::{write_packed, write_unpacked, Platform, ProviderCoordinates};
use serde_json::{json, Value};

fn coordinates(version: &str, platform: &str) -> ProviderCoordinates {
    ProviderCoordinates::new(
        "registry.terraform.io",
        "gwtrigger",
        version,
        Platform::parse(platform).unwrap(),
    )
    .unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const BINARY: &[u8] = b"#!/bin/sh\necho not really a provider\n";

#[test]
fn packed_layout_paths_json_and_hashes() {
    let out = tempfile::tempdir().unwrap();
    let packed = write_packed(out.path(), &coordinates("0.1.0", "linux_amd64"), BINARY).unwrap();
    let dir = out.path().join("registry.terraform.io/gwtrigger/gwtrigger");
    assert_eq!(
        packed.archive,
        dir.join("terraform-provider-gwtrigger_0.1.0_linux_amd64.zip")
    );
    assert_eq!(packed.index_json, dir.join("index.json"));
    assert_eq!(packed.version_json, dir.join("0.1.0.json"));
    assert!(!packed.replaced_different_hashes);

    let zip_bytes = std::fs::read(&packed.archive).unwrap();
    assert_eq!(packed.zh, gwtrigger::mirror::zh::zh(&zip_bytes));
    assert_eq!(
        packed.h1,
        gwtrigger::mirror::h1::h1_of_zip(&zip_bytes).unwrap()
    );

    assert_eq!(
        read_json(&packed.index_json),
        json!({"versions": {"0.1.0": {}}})
    );
    assert_eq!(
        read_json(&packed.version_json),
        json!({"archives": {"linux_amd64": {
            "url": "terraform-provider-gwtrigger_0.1.0_linux_amd64.zip",
            "hashes": [packed.h1, packed.zh],
        }}})
    );
    // No temporary files left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn packed_and_unpacked_h1_agree() {
    let out = tempfile::tempdir().unwrap();
    let c = coordinates("0.1.0", "linux_amd64");
    let packed = write_packed(&out.path().join("packed"), &c, BINARY).unwrap();
    let unpacked = write_unpacked(&out.path().join("unpacked"), &c, BINARY).unwrap();
    assert_eq!(packed.h1, unpacked.h1);
    assert_eq!(
        unpacked.executable,
        out.path().join(
            "unpacked/registry.terraform.io/gwtrigger/gwtrigger/0.1.0/linux_amd64/terraform-provider-gwtrigger_v0.1.0"
        )
    );
    assert_eq!(std::fs::read(&unpacked.executable).unwrap(), BINARY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&unpacked.executable)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
    let other = write_unpacked(&out.path().join("other"), &c, b"different").unwrap();
    assert_ne!(other.h1, packed.h1);
}

#[test]
fn two_runs_give_identical_archives() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = coordinates("0.1.0", "linux_amd64");
    let first = write_packed(a.path(), &c, BINARY).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100)); // a different wall-clock second
    let second = write_packed(b.path(), &c, BINARY).unwrap();
    assert_eq!(
        std::fs::read(&first.archive).unwrap(),
        std::fs::read(&second.archive).unwrap()
    );
    assert_eq!((first.h1, first.zh), (second.h1, second.zh));
}

#[test]
fn versions_and_platforms_share_one_tree() {
    let out = tempfile::tempdir().unwrap();
    let amd = write_packed(out.path(), &coordinates("0.1.0", "linux_amd64"), BINARY).unwrap();
    let arm = write_packed(out.path(), &coordinates("0.1.0", "linux_arm64"), b"arm").unwrap();
    let next = write_packed(out.path(), &coordinates("0.2.0", "linux_amd64"), b"v2").unwrap();
    assert_eq!(amd.index_json, next.index_json);
    assert_eq!(
        read_json(&amd.index_json),
        json!({"versions": {"0.1.0": {}, "0.2.0": {}}})
    );
    let v1 = read_json(&arm.version_json);
    assert_eq!(
        v1["archives"]["linux_amd64"]["hashes"],
        json!([amd.h1, amd.zh])
    );
    assert_eq!(
        v1["archives"]["linux_arm64"]["hashes"],
        json!([arm.h1, arm.zh])
    );
    assert_eq!(
        v1["archives"]["linux_arm64"]["url"],
        "terraform-provider-gwtrigger_0.1.0_linux_arm64.zip"
    );
    assert_eq!(
        read_json(&next.version_json)["archives"]
            .as_object()
            .unwrap()
            .len(),
        1
    );

    // Re-publishing the same bytes is not a replacement; different bytes are flagged.
    let again = write_packed(out.path(), &coordinates("0.1.0", "linux_amd64"), BINARY).unwrap();
    assert!(!again.replaced_different_hashes);
    let rebuilt =
        write_packed(out.path(), &coordinates("0.1.0", "linux_amd64"), b"rebuilt").unwrap();
    assert!(rebuilt.replaced_different_hashes);
}

#[test]
fn merging_keeps_foreign_entries_and_rejects_garbage() {
    let merged = merge_index(Some(r#"{"versions":{"9.9.9":{"note":1}}}"#), "0.1.0").unwrap();
    let merged: Value = serde_json::from_str(&merged).unwrap();
    assert_eq!(
        merged,
        json!({"versions": {"0.1.0": {}, "9.9.9": {"note": 1}}})
    );

    let existing = r#"{"archives":{"darwin_arm64":{"url":"x.zip"}}}"#;
    let (text, replaced) =
        merge_version_json(Some(existing), "linux_amd64", "y.zip", &["h1:a".into()]).unwrap();
    assert!(!replaced);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["archives"]["darwin_arm64"], json!({"url": "x.zip"}));
    assert_eq!(
        value["archives"]["linux_amd64"],
        json!({"url": "y.zip", "hashes": ["h1:a"]})
    );

    assert!(merge_index(Some("not json"), "0.1.0").is_err());
    assert!(merge_version_json(Some(r#"{"archives":[]}"#), "linux_amd64", "y", &[]).is_err());
}

#[test]
fn corrupt_index_json_is_reported_with_a_fix() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("registry.terraform.io/gwtrigger/gwtrigger");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.json"), "{oops").unwrap();
    let err = write_packed(out.path(), &coordinates("0.1.0", "linux_amd64"), BINARY).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("index.json") && message.contains("fix or delete it"),
        "{message}"
    );
}

fn args(out: &Path, binary: &Path) -> MirrorArgs {
    MirrorArgs {
        out: out.to_path_buf(),
        provider_binary: Some(binary.to_path_buf()),
        hostname: "registry.terraform.io".into(),
        namespace: "gwtrigger".into(),
        version: "0.1.0".into(),
        platform: Some("linux_amd64".into()),
        unpacked: false,
        json: true,
    }
}

#[test]
fn cli_json_reports_paths_and_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("provider");
    std::fs::write(&binary, BINARY).unwrap();
    let out = dir.path().join("mirror");
    let packed: Value = serde_json::from_str(&run(&args(&out, &binary)).unwrap()).unwrap();
    assert_eq!(packed["layout"], "packed");
    assert_eq!(
        packed["source"],
        "registry.terraform.io/gwtrigger/gwtrigger"
    );
    let zip_bytes = std::fs::read(packed["paths"]["archive"].as_str().unwrap()).unwrap();
    assert_eq!(packed["zh"], gwtrigger::mirror::zh::zh(&zip_bytes));
    assert!(packed["tfrc"]
        .as_str()
        .unwrap()
        .contains("filesystem_mirror"));

    let mut unpacked_args = args(&dir.path().join("unpacked"), &binary);
    unpacked_args.unpacked = true;
    let unpacked: Value = serde_json::from_str(&run(&unpacked_args).unwrap()).unwrap();
    assert_eq!(unpacked["layout"], "unpacked");
    assert_eq!(unpacked["h1"], packed["h1"]);
    assert_eq!(unpacked["zh"], Value::Null);

    let mut human = args(&out, &binary);
    human.json = false;
    let text = run(&human).unwrap();
    assert!(text.contains(packed["h1"].as_str().unwrap()), "{text}");
    assert!(text.contains("provider_installation"), "{text}");
}

#[test]
fn cli_errors_say_how_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = run(&args(dir.path(), &missing)).unwrap_err().to_string();
    assert!(
        err.contains("--provider-binary") && err.contains("nope"),
        "{err}"
    );

    let binary = dir.path().join("provider");
    std::fs::write(&binary, BINARY).unwrap();
    let mut bad = args(dir.path(), &binary);
    bad.version = "v1.0.0".into();
    let err = run(&bad).unwrap_err().to_string();
    assert!(err.contains("leading `v`"), "{err}");
    let mut bad = args(dir.path(), &binary);
    bad.platform = Some("linux-amd64".into());
    assert!(run(&bad).unwrap_err().to_string().contains("OS_ARCH"));
}

#[test]
fn tfrc_snippet_quotes_the_path_for_hcl() {
    let snippet = gwtrigger::cli::mirror::tfrc_snippet(
        Path::new("/tmp/a \"b\"/${x}"),
        "registry.terraform.io/gwtrigger/gwtrigger",
    );
    assert!(
        snippet.contains(r#"path    = "/tmp/a \"b\"/$${x}""#),
        "{snippet}"
    );
    assert!(snippet.contains(r#"include = ["registry.terraform.io/gwtrigger/gwtrigger"]"#));
}
