//! The `gwtrigger` binary's error output, run as a user runs it (stderr a pipe, not a terminal):
//! messages name the CLI's flags and the AWS environment variables, never the provider's
//! arguments; the AWS SDK's own log lines and colour codes stay out; a failing endpoint is
//! reported with what was tried. Endpoints are a closed port or a one-answer HTTP server on
//! loopback, so nothing here needs AWS or an emulator.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[path = "support/run.rs"]
mod run;
use run::{gwtrigger, Run};

/// Provider argument names a CLI user cannot set.
const TERRAFORM_NAMES: [&str; 7] = [
    "endpoints.apigateway",
    "`profile`",
    "`rest_api_id`",
    "max_retries",
    "retry_mode`",
    "shared_config_files",
    "the provider's",
];

const TEST_CREDENTIALS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

/// Asserts a failed run: exit 1, nothing on stdout, an `Error:` message with `needles`, no
/// Terraform names, no colour codes, no log lines.
fn assert_cli_error(run: &Run, needles: &[&str]) {
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
    let text = run.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} not in {}", run.stderr);
    }
    for name in TERRAFORM_NAMES {
        assert!(!run.stderr.contains(name), "{name:?} in {}", run.stderr);
    }
    assert!(
        !run.stderr.contains('\u{1b}'),
        "colour codes in {:?}",
        run.stderr
    );
    for log in ["WARN", "INFO", "ERROR"] {
        assert!(!run.stderr.contains(log), "a log line in {}", run.stderr);
    }
}

/// A port nothing listens on.
fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// An HTTP server that gives every request the same answer; counts the requests.
fn answering(
    status: &'static str,
    headers: &'static str,
    body: &'static str,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            seen.fetch_add(1, Ordering::SeqCst);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\n{headers}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, count)
}

/// `gwtrigger hash --rest-api-id abc --region eu-west-1 --endpoint-url ENDPOINT EXTRA...`.
fn hash(endpoint: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec![
        "hash",
        "--rest-api-id",
        "abc",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        endpoint,
    ];
    args.extend_from_slice(extra);
    gwtrigger(&args, env)
}

#[test]
fn a_bad_endpoint_url_names_the_flag() {
    let run = hash("notaurl", &[], &TEST_CREDENTIALS);
    assert_cli_error(&run, &["--endpoint-url = \"notaurl\" is not a valid URL"]);
    assert!(!run.stderr.contains("(flag"), "{}", run.stderr);
}

#[test]
fn a_missing_region_names_the_flag_and_the_variables() {
    let run = gwtrigger(&["hash", "--rest-api-id", "abc"], &TEST_CREDENTIALS);
    assert_cli_error(
        &run,
        &[
            "Set --region, the AWS_REGION (or AWS_DEFAULT_REGION) environment variable",
            "--profile or AWS_PROFILE",
        ],
    );
}

#[test]
fn an_unknown_profile_names_the_flag_and_the_file_variables() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, "[profile dev]\nregion = eu-north-1\n").unwrap();
    let doctor = ["doctor", "--rest-api-id", "abc", "--stage", "dev"];
    let run = gwtrigger(
        &[&doctor[..], &["--profile", "prod"]].concat(),
        &[("AWS_CONFIG_FILE", config.to_str().unwrap())],
    );
    assert_cli_error(
        &run,
        &[
            "Profile \"prod\" not found",
            "Profiles found: dev",
            "Fix --profile or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE.",
        ],
    );
}

#[test]
fn a_closed_port_names_the_region_and_endpoint_flags() {
    let run = hash(
        &closed_port_url(),
        &["--max-retries", "0"],
        &TEST_CREDENTIALS,
    );
    assert_cli_error(
        &run,
        &[
            "could not reach API Gateway",
            "--region (eu-west-1) and --endpoint-url.",
        ],
    );
}

#[test]
fn missing_credentials_are_one_clean_message() {
    let run = hash(&closed_port_url(), &["--max-retries", "0"], &[]);
    assert_cli_error(
        &run,
        &["No AWS credentials found", "(--profile, AWS_PROFILE"],
    );
    // The SDK's credential chain logs a WARN with a debug dump; none of it reaches the user.
    assert!(
        !run.stderr.contains("aws_config") && !run.stderr.contains("{ "),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_api_names_the_flags_to_check() {
    let (url, _) = answering(
        "404 Not Found",
        "x-amzn-errortype: NotFoundException\r\n",
        r#"{"message":"Invalid API identifier specified"}"#,
    );
    let run = hash(&url, &[], &TEST_CREDENTIALS);
    assert_cli_error(
        &run,
        &[
            "REST API abc not found",
            "Check --rest-api-id, --region (or AWS_REGION)",
            "and --endpoint-url.",
        ],
    );
}

#[test]
fn an_endpoint_that_keeps_failing_is_reported_with_what_was_tried() {
    let (url, requests) = answering("500 Internal Server Error", "", "");
    let short_backoff = ("GWTRIGGER_MAX_BACKOFF_MS", "10");
    let run = hash(
        &url,
        &["--max-retries", "2"],
        &[TEST_CREDENTIALS[0], TEST_CREDENTIALS[1], short_backoff],
    );
    assert_cli_error(
        &run,
        &[
            "failed with HTTP 500 on each of 3 attempts over",
            "kept failing",
        ],
    );
    assert!(!run.stderr.contains("an error"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("--max-retries"),
        "advice to retry more: {}",
        run.stderr
    );
    // Not a terminal: no retry lines, just the error.
    assert!(!run.stderr.contains("attempt 2 of 3"), "{}", run.stderr);
    assert!(requests.load(Ordering::SeqCst) >= 3);
}

#[test]
fn retry_flags_are_checked_once_with_the_flag_name() {
    let no_endpoint = ["hash", "--rest-api-id", "abc", "--region", "eu-west-1"];
    for bad in ["101", "-1"] {
        let run = gwtrigger(
            &[&no_endpoint[..], &["--max-retries", bad]].concat(),
            &TEST_CREDENTIALS,
        );
        // A usage error, reported by the argument parser with the library's range check.
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        let expected = format!("--max-retries is {bad}; use a whole number from 0 to 100");
        assert!(run.stderr.contains(&expected), "{}", run.stderr);
    }
    let run = gwtrigger(
        &no_endpoint,
        &[
            TEST_CREDENTIALS[0],
            TEST_CREDENTIALS[1],
            ("AWS_RETRY_MODE", "fast"),
        ],
    );
    assert_cli_error(
        &run,
        &[
            "AWS_RETRY_MODE environment variable is \"fast\"",
            "or set --retry-mode, which takes precedence",
        ],
    );
}
