//! Golden vectors: fixed snapshots → the exact committed document bytes and hashes. If one of
//! these fails, the canonical form changed: that breaks every user's trigger, so it needs a new
//! contract version (docs/hash-contract.md), not a new expected value.

mod fixtures;

use gwtrigger::canonical::{document, Aspect, Options};
use gwtrigger::hash::fingerprint;

fn text(snapshot: &gwtrigger::snapshot::Snapshot, options: &Options) -> String {
    String::from_utf8(document(snapshot, options)).expect("canonical documents are UTF-8")
}

fn expected_document(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    // The committed files end with one newline for editors; the document itself has none.
    text.strip_suffix('\n').unwrap_or(&text).to_owned()
}

#[test]
fn root_only_document_and_hash() {
    let snapshot = fixtures::root_only();
    assert_eq!(
        text(&snapshot, &Options::default()),
        expected_document("root_only.document.json")
    );
    let fp = fingerprint(&snapshot, &Options::default());
    assert_eq!(fp.hash, "1d297c37b717c819f3310f5a1b52c530b0a1d7fd");
    assert_eq!(fp.routes.len(), 1);
    assert_eq!(
        fp.routes["GET /"],
        "6b2a2ceb66ebdaefb3c39149878ca204a47ba370"
    );
    assert_eq!(
        fp.ids,
        [
            "agi-a1b2c3d4e5-rootid0001-GET",
            "agm-a1b2c3d4e5-rootid0001-GET",
            "rootid0001"
        ]
    );
}

#[test]
fn lambda_proxy_document_hash_and_routes() {
    let snapshot = fixtures::lambda_proxy();
    assert_eq!(
        text(&snapshot, &Options::default()),
        expected_document("lambda_proxy.document.json")
    );
    let fp = fingerprint(&snapshot, &Options::default());
    assert_eq!(fp.hash, "745ee039d050b80e3106dae47a7d5431f791e5d9");
    let routes: Vec<(&str, &str)> = fp
        .routes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        routes,
        [
            ("GET /pets", "2461e95e2cfbfb62a53a0ff3dc8b05d2b37d7af6"),
            (
                "GET /pets/{petId}",
                "93cfdd79284b0d93f00c0213b8dbe3f2ba12cb4d"
            ),
            ("OPTIONS /pets", "5eda4b33922300f6b9d30c8d0632509cb904f828"),
            ("POST /pets", "5961375f12c04bc0d58ec6920cadedbbff52f9f4"),
        ]
    );
    assert_eq!(
        fp.ids,
        [
            "agi-p3ts4p1abc-petidres02-GET",
            "agi-p3ts4p1abc-petsres001-GET",
            "agi-p3ts4p1abc-petsres001-OPTIONS",
            "agi-p3ts4p1abc-petsres001-POST",
            "agm-p3ts4p1abc-petidres02-GET",
            "agm-p3ts4p1abc-petsres001-GET",
            "agm-p3ts4p1abc-petsres001-OPTIONS",
            "agm-p3ts4p1abc-petsres001-POST",
            "petidres02",
            "petsres001",
            "rootres000",
        ]
    );
    assert_eq!(
        (fp.resource_count, fp.method_count, fp.integration_count),
        (3, 4, 4)
    );
}

#[test]
fn http_templates_document_and_hash() {
    let snapshot = fixtures::http_templates();
    assert_eq!(
        text(&snapshot, &Options::default()),
        expected_document("http_templates.document.json")
    );
    let fp = fingerprint(&snapshot, &Options::default());
    assert_eq!(fp.hash, "f4bf4473db40c27866e09babe10b3ed4ffdcdb60");
    assert_eq!(
        fp.routes["DELETE /orders/{id}"],
        "2480c2dc665307e31399cf88ef2a15b0f451cae0"
    );
    assert_eq!(
        fp.routes["GET /orders/{id}"],
        "ede7e8f3c896b09d97f5b2c74881939f2f2346e7"
    );
    assert_eq!(
        (fp.resource_count, fp.method_count, fp.integration_count),
        (3, 2, 1)
    );
}

#[test]
fn excluded_aspects_hashes() {
    let snapshot = fixtures::lambda_proxy();
    let hashes: Vec<(&str, String)> = Aspect::ALL
        .iter()
        .map(|aspect| {
            (
                aspect.name(),
                fingerprint(&snapshot, &Options::excluding([*aspect])).hash,
            )
        })
        .collect();
    let expected: [(&str, &str); 6] = [
        ("authorizers", "025f46c5ec776d6e5366cc84a49f1250874db497"),
        (
            "gateway_responses",
            "6a19eb7224882aea54874133347c93b1bd1b9ebd",
        ),
        ("models", "a5a37aaccad960d8df70e0ae7e693b4dfe0e43b3"),
        ("policy", "95199ad29cde2391f7faee5f52f667a616a17dea"),
        (
            "request_validators",
            "fb62be0c190a3635e59ba26da8009503e50a6451",
        ),
        (
            "rest_api_settings",
            "f580d84c813b87f1b02cca73db1636ebe2dffcd7",
        ),
    ];
    let hashes: Vec<(&str, &str)> = hashes.iter().map(|(n, h)| (*n, h.as_str())).collect();
    assert_eq!(hashes, expected);
    let all = Options::excluding(Aspect::ALL);
    assert_eq!(
        text(&snapshot, &all),
        expected_document("lambda_proxy.exclude_all.document.json")
    );
    assert_eq!(
        fingerprint(&snapshot, &all).hash,
        "c641901bce504436aa99e414b50bf67bae613307"
    );
}
