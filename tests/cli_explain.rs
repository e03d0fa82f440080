//! `gwtrigger explain` run as a user runs it: flag errors (exit 1), saved answers (`--response`)
//! in text and JSON with their exit codes, a live request to a loopback server (redirects not
//! followed, an unreachable URL, HTTP_PROXY / NO_PROXY, HTTPS trusted through --cacert or
//! AWS_CA_BUNDLE), and secrets: a key or token sent with -H never appears in any output or log
//! line, `GWTRIGGER_LOG=debug` and `trace` included. Nothing here needs AWS.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

#[path = "support/run.rs"]
mod run;
use run::{gwtrigger, Run};

fn explain(args: &[&str], env: &[(&str, &str)]) -> Run {
    gwtrigger(&[&["explain"], args].concat(), env)
}

fn saved(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

/// A loopback server answering every request with `status`, `headers` and a body that echoes
/// the request's header block (as a debugging backend would).
fn echoing(status: &'static str, headers: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                head.push_str(&line);
                line.clear();
            }
            let body =
                serde_json::json!({ "message": "backend says no", "received": head }).to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\n{headers}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = reader.read(&mut [0; 1]);
        }
    });
    url
}

fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/dev/items")
}

const FORBIDDEN: &str =
    "HTTP/2 403 \r\ncontent-type: application/json\r\nx-amzn-RequestId: 0c1d-ab\r\n\
                         x-amzn-ErrorType: ForbiddenException\r\n\r\n{\"message\":\"Forbidden\"}";

#[test]
fn flag_errors_exit_1_without_echoing_values() {
    let run = explain(&[], &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("<URL>") || run.stderr.contains("--response"),
        "{}",
        run.stderr
    );

    let run = explain(&["http://127.0.0.1:9/dev/x", "-X", "DELETE"], &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("Not sending DELETE without --send-unsafe"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--response answer.txt"),
        "{}",
        run.stderr
    );

    let run = explain(
        &[
            "http://127.0.0.1:9/dev/x",
            "-H",
            "x-api-key=Sup3rSecretValue",
        ],
        &[],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("Invalid -H/--header") && run.stderr.contains("header #1"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Sup3rSecretValue"), "{}", run.stderr);

    let run = explain(&["not a url"], &[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("Invalid URL"), "{}", run.stderr);

    let run = explain(&["--response", "/nonexistent/answer.txt"], &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("Cannot read --response"),
        "{}",
        run.stderr
    );

    let body_only = saved("{\"message\":\"Forbidden\"}");
    let run = explain(&["--response", body_only.path().to_str().unwrap()], &[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("curl -si"), "{}", run.stderr);

    let run = explain(&["--response", "x", "--source-ip", "not-an-ip"], &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
}

#[test]
fn a_saved_answer_prints_verdict_evidence_fix_and_exits_2() {
    let file = saved(FORBIDDEN);
    let run = explain(&["--response", file.path().to_str().unwrap()], &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("403 from the API key check: "),
        "{}",
        run.stdout
    );
    assert_eq!(lines[1], "evidence:");
    let fix = lines
        .iter()
        .position(|l| *l == "fix:")
        .expect("a fix section");
    assert!(
        lines[2..fix].iter().all(|l| l.starts_with("  - ")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("x-amzn-RequestId 0c1d-ab"),
        "{}",
        run.stdout
    );

    let run = explain(
        &["--response", file.path().to_str().unwrap(), "--json"],
        &[],
    );
    assert_eq!(run.code, Some(2));
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "url",
        "method",
        "status",
        "error_type",
        "message",
        "request_id",
        "rest_api_id",
        "stage",
        "route",
        "layer",
        "verdict",
        "evidence",
        "fix",
        "execution_log",
    ];
    expected.sort();
    let mut keys_sorted = keys.clone();
    keys_sorted.sort();
    assert_eq!(keys_sorted, expected);
    assert_eq!(json["layer"], "api_key");
    assert_eq!(json["status"], 403);
    assert_eq!(json["error_type"], "ForbiddenException");
    assert_eq!(json["request_id"], "0c1d-ab");
    assert_eq!(json["method"], "GET");
    assert_eq!(json["execution_log"]["state"], "skipped");

    // The method ARN of an AccessDenied message names the API and stage.
    let denied = saved("HTTP/1.1 403 Forbidden\nx-amzn-ErrorType: AccessDeniedException\n\n{\"Message\":\"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets with an explicit deny\"}");
    let run = explain(
        &[
            "--response",
            denied.path().to_str().unwrap(),
            "--json",
            "--no-logs",
            "--endpoint-url",
            &closed_port_url(),
            "--region",
            "us-east-1",
            "--max-retries",
            "0",
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (
            json["layer"].as_str(),
            json["rest_api_id"].as_str(),
            json["stage"].as_str()
        ),
        (Some("resource_policy"), Some("abc123"), Some("dev"))
    );
    // AWS was unreachable: the verdict stands on the answer, and says the API was not read.
    assert!(
        json["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().contains("the API could not be read")),
        "{json}"
    );
    assert_eq!(json["execution_log"]["note"], "--no-logs");
}

#[test]
fn success_and_redirects_exit_0_and_redirects_are_not_followed() {
    let ok = saved("HTTP/1.1 200 OK\ncontent-type: text/plain\n\nfine");
    let run = explain(&["--response", ok.path().to_str().unwrap(), "--json"], &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["layer"], "none");

    let url = echoing("302 Found", "location: https://login.example.com/\r\n");
    let run = explain(&[&format!("{url}/dev/items")], &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("302: a redirect to https://login.example.com/ (not followed)"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_unreachable_url_is_an_error() {
    let run = explain(&[&closed_port_url()], &[]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(
        run.stderr
            .starts_with("Error: Cannot reach http://127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("HTTPS_PROXY"), "{}", run.stderr);
    // A server that accepts and never answers: the attempt budget ends the wait.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/dev/items", silent.local_addr().unwrap());
    let run = explain(&[&url], &[("GWTRIGGER_ATTEMPT_TIMEOUT_MS", "300")]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(
        run.stderr.contains("No answer within 0.3 s"),
        "{}",
        run.stderr
    );
    drop(silent);
    // A secret in the query string is not repeated in the error.
    let run = explain(
        &[&format!(
            "{}?access_token=QuerySecret123",
            closed_port_url()
        )],
        &[],
    );
    assert_eq!(run.code, Some(1));
    assert!(!run.stderr.contains("QuerySecret123"), "{}", run.stderr);
}

#[test]
fn secrets_sent_with_h_never_appear_in_output_or_logs() {
    const KEY: &str = "k3yV4lue-0123456789abcdef";
    const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig";
    const COOKIE: &str = "sessionid=cookieSecret42";
    let url = echoing("403 Forbidden", "");
    let target = format!("{url}/dev/items?x=1");
    let headers = [
        "-H",
        &format!("x-api-key: {KEY}") as &str,
        "-H",
        &format!("Authorization: Bearer {TOKEN}"),
        "-H",
        &format!("Cookie: {COOKIE}"),
    ]
    .map(str::to_string);
    for extra in [vec![], vec!["--json".to_string()]] {
        for level in ["debug", "trace"] {
            let mut args: Vec<&str> = vec![&target];
            args.extend(headers.iter().map(String::as_str));
            args.extend(extra.iter().map(String::as_str));
            let run = explain(&args, &[("GWTRIGGER_LOG", level)]);
            assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
            for output in [&run.stdout, &run.stderr] {
                for secret in [KEY, TOKEN, "cookieSecret42", "c2VjcmV0"] {
                    assert!(
                        !output.contains(secret),
                        "{secret} leaked at {level}: {output}"
                    );
                }
            }
            assert!(run.stdout.contains("backend"), "{}", run.stdout);
        }
    }
    // The text output names the headers, values redacted.
    let mut args: Vec<&str> = vec![&target];
    args.extend(headers.iter().map(String::as_str));
    let run = explain(&args, &[]);
    assert!(
        run.stdout
            .contains("x-api-key: <redacted>; Authorization: <redacted>; Cookie: <redacted>"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .starts_with("403 from the integration's backend: "),
        "{}",
        run.stdout
    );

    // A saved answer that echoes the key is scrubbed too.
    let echoed = saved(&format!("HTTP/1.1 403 Forbidden\nx-amzn-ErrorType: ForbiddenException\n\n{{\"message\":\"Forbidden for key {KEY}\"}}"));
    let run = explain(
        &[
            "--response",
            echoed.path().to_str().unwrap(),
            "-H",
            &format!("x-api-key: {KEY}"),
            "--json",
        ],
        &[("GWTRIGGER_LOG", "debug")],
    );
    assert_eq!(run.code, Some(2));
    assert!(
        !run.stdout.contains(KEY) && !run.stderr.contains(KEY),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("Forbidden for key <redacted>"),
        "{}",
        run.stdout
    );
}

#[test]
fn proxies_and_ca_bundles_from_the_environment_are_honoured() {
    // A host that does not resolve here is reached through HTTP_PROXY, as curl would.
    let proxy = echoing("403 Forbidden", "");
    let run = explain(
        &["http://api.example.invalid/dev/items"],
        &[("HTTP_PROXY", &proxy)],
    );
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("403 from the integration's backend"),
        "{}",
        run.stdout
    );
    let run = explain(
        &["http://api.example.invalid/dev/items"],
        &[("HTTP_PROXY", &proxy), ("NO_PROXY", "example.invalid")],
    );
    assert_eq!(
        run.code,
        Some(1),
        "NO_PROXY bypasses the proxy: {}",
        run.stdout
    );

    let not_pem = saved("not a certificate");
    for (args, env) in [
        (
            vec![
                "https://127.0.0.1:9/dev/x",
                "--cacert",
                not_pem.path().to_str().unwrap(),
            ],
            vec![],
        ),
        (
            vec!["https://127.0.0.1:9/dev/x"],
            vec![("AWS_CA_BUNDLE", not_pem.path().to_str().unwrap())],
        ),
    ] {
        let run = explain(&args, &env);
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        assert!(
            run.stderr.contains("holds no PEM certificate"),
            "{}",
            run.stderr
        );
    }
}

/// An HTTPS server on loopback with a self-signed certificate for "localhost"; answers 403
/// without `x-amzn-ErrorType`. Returns its URL and the certificate as PEM.
fn https_server() -> (String, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .unwrap();
    let config = std::sync::Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "https://localhost:{}",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let Ok(connection) = rustls::ServerConnection::new(config.clone()) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(connection, stream);
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match tls.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let body = "{\"message\":\"tls backend says no\"}";
            let _ = write!(
                tls,
                "HTTP/1.1 403 Forbidden\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.flush();
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    (url, cert.pem())
}

#[test]
fn https_needs_the_ca_to_be_trusted() {
    let (url, pem) = https_server();
    let target = format!("{url}/dev/items");
    let run = explain(&[&target], &[]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(run.stderr.contains("--cacert"), "{}", run.stderr);
    let bundle = saved(&pem);
    let bundle = bundle.path().to_str().unwrap();
    for (args, env) in [
        (vec![target.as_str(), "--cacert", bundle], vec![]),
        (vec![target.as_str()], vec![("AWS_CA_BUNDLE", bundle)]),
    ] {
        let run = explain(&args, &env);
        assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.starts_with("403 from the integration's backend"),
            "{}",
            run.stdout
        );
    }
}
