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
    assert_eq!(fp.hash, "98b3fafee91c61b4ea8535ad1918281452f6430f");
    assert_eq!(fp.routes.len(), 1);
    assert_eq!(
        fp.routes["GET /"],
        "4e3df1e169286545c02ebbbe2f25599fb664233b"
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
    assert_eq!(fp.hash, "45538e0fd022299d459daa70841874e4d3da6c82");
    let routes: Vec<(&str, &str)> = fp
        .routes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        routes,
        [
            ("GET /pets", "1fb725ac32416aaab77d79fd778e11001c39860b"),
            (
                "GET /pets/{petId}",
                "d1476139350815b5a3ded487994eef090fa50869"
            ),
            ("OPTIONS /pets", "552f2dbefdbb69fe546e963bf69df5b684bc487d"),
            ("POST /pets", "602ba443cdb6a668567458e1e26beef98b3c1e56"),
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
    assert_eq!(fp.hash, "1b5faa2efb3b1a93f1ad761461d4225ccea41711");
    assert_eq!(
        fp.routes["DELETE /orders/{id}"],
        "b8c31bdb565724c69c599ee297f753d3d706a963"
    );
    assert_eq!(
        fp.routes["GET /orders/{id}"],
        "8f04efa14aeb2f1a3a8ff370c3bb25bf8d322dc1"
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
        ("authorizers", "be61d45ebcd461ab9341d7bcdd71b42abb57d5f1"),
        (
            "gateway_responses",
            "4551927a14125444825d68a7dd0e77e193985a85",
        ),
        ("models", "f06789873d3b103a220f575abeccee703410c312"),
        ("policy", "9218c6cd9fa955e0b85f466c6177b4863c604e90"),
        (
            "request_validators",
            "016d8a5cf562a8f5396cc162981a997bc986e4f3",
        ),
        (
            "rest_api_settings",
            "cad5f82d6ab7f381e5c84db8fb242557c751b8dd",
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
        "ca6c72f7d3d78454fba552cb531c19cc59b609a4"
    );
}
