//! `fetch_snapshot` against a tiny in-test HTTP fake of API Gateway's REST JSON protocol, for
//! what the emulator cannot do: pagination (moto ignores `limit`), a repeating `position`, a
//! failing later page, the GetMethod fallback, error codes, garbled bodies and timeouts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gwtrigger::aws::{
    self, ApiGateway, AwsError, AwsErrorKind, AwsSettings, ClientOptions, FetchOptions,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const API: &str = "fakeapi123";
/// The secret key of the test credentials: no error message may contain it.
const SECRET_KEY: &str = "fake-secret-value";

#[derive(Debug, Clone)]
struct Request {
    path: String,
    query: HashMap<String, String>,
}

#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    /// AWS error code for `x-amzn-ErrorType`.
    error_type: Option<&'static str>,
    body: String,
    delay: Duration,
}

fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        error_type: None,
        body: body.to_string(),
        delay: Duration::ZERO,
    }
}

fn error(status: u16, code: &'static str, message: &str) -> Reply {
    Reply {
        status,
        error_type: Some(code),
        body: json!({ "message": message }).to_string(),
        delay: Duration::ZERO,
    }
}

type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// The fake server: answers with `handler`, records every request.
/// Static test credentials, a fixed region and `endpoint` as the API Gateway endpoint.
fn settings_for(endpoint: &str, max_retries: u32) -> AwsSettings {
    AwsSettings {
        region: Some("eu-central-1".into()),
        access_key: Some("AKIDFAKE".into()),
        secret_key: Some(SECRET_KEY.into()),
        endpoint_apigateway: Some(endpoint.to_owned()),
        max_retries: Some(max_retries),
        ..Default::default()
    }
}

struct Fake {
    endpoint: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Fake {
    async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let server_log = log.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let handler = handler.clone();
                let log = server_log.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).to_string();
                    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                    let query = query
                        .split('&')
                        .filter(|kv| !kv.is_empty())
                        .map(|kv| {
                            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                            (k.to_string(), percent_decode(v))
                        })
                        .collect();
                    let request = Request {
                        path: percent_decode(path),
                        query,
                    };
                    log.lock().unwrap().push(request.clone());
                    let reply = handler(&request);
                    tokio::time::sleep(reply.delay).await;
                    let mut response = format!(
                        "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-amzn-requestid: req-{}\r\nconnection: close\r\n",
                        reply.status,
                        reply.body.len(),
                        log.lock().unwrap().len()
                    );
                    if let Some(code) = reply.error_type {
                        response.push_str(&format!("x-amzn-errortype: {code}:http://internal.amazon.com/coral/com.amazonaws.backplane.controlplane/\r\n"));
                    }
                    response.push_str("\r\n");
                    response.push_str(&reply.body);
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Fake { endpoint, log }
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    async fn client(&self, max_retries: u32, options: &ClientOptions) -> ApiGateway {
        let settings = settings_for(&self.endpoint, max_retries);
        aws::client_with_options(&settings, options).await.unwrap()
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn resource(id: &str, path: &str, methods: Value) -> Value {
    json!({ "id": id, "path": path, "resourceMethods": methods })
}

fn mock_integration(uri: &str) -> Value {
    json!({ "type": "HTTP", "httpMethod": "GET", "uri": uri, "timeoutInMillis": 29000 })
}

/// Answers every collection of API `API`; resources come from `resources(query)`.
fn api_handler(
    resources: impl Fn(&HashMap<String, String>) -> Reply + Send + Sync + 'static,
) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    move |req: &Request| {
        let base = format!("/restapis/{API}");
        match req.path.strip_prefix(&base) {
            Some("") => {
                ok(json!({ "id": API, "name": "fake", "disableExecuteApiEndpoint": false }))
            }
            Some("/resources") => resources(&req.query),
            Some("/authorizers") | Some("/models") | Some("/requestvalidators") => {
                ok(json!({ "item": [] }))
            }
            Some("/gatewayresponses") => ok(json!({ "item": [
                { "responseType": "DEFAULT_4XX", "defaultResponse": true, "responseTemplates": { "application/json": "{}" } }
            ] })),
            _ => error(
                404,
                "NotFoundException",
                "Invalid resource identifier specified",
            ),
        }
    }
}

/// Five resources served `limit` per page, positions "p1", "p2", ...
fn paged_resources(query: &HashMap<String, String>) -> Reply {
    let all: Vec<Value> = (0..5)
        .map(|i| resource(&format!("r{i}"), &format!("/r{i}"), json!({ "GET": { "httpMethod": "GET", "methodIntegration": mock_integration(&format!("https://b/{i}")) } })))
        .collect();
    let limit: usize = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25);
    let start: usize = query
        .get("position")
        .map(|p| p.trim_start_matches('p').parse::<usize>().unwrap() * limit)
        .unwrap_or(0);
    let page: Vec<Value> = all.iter().skip(start).take(limit).cloned().collect();
    let mut body = json!({ "item": page });
    if start + limit < all.len() {
        body["position"] = json!(format!("p{}", start / limit + 1));
    }
    ok(body)
}

fn fetch_options(page_size: i32) -> FetchOptions {
    FetchOptions {
        page_size,
        ..FetchOptions::default()
    }
}

/// Reads `rest_api_id` expecting the read to fail with `kind`: prints the error (for
/// `--nocapture`), checks that neither its message nor its debug form carries the secret key,
/// and returns it for the test's own checks.
async fn read_error(
    api: &ApiGateway,
    rest_api_id: &str,
    options: &FetchOptions,
    kind: AwsErrorKind,
) -> AwsError {
    let err = match aws::fetch_snapshot(api, rest_api_id, options).await {
        Ok(_) => panic!("reading {rest_api_id:?} succeeded; expected a {kind:?} error"),
        Err(err) => err,
    };
    eprintln!("{err}");
    assert_eq!(err.kind(), kind, "{err}");
    assert!(
        !format!("{err} {err:?}").contains(SECRET_KEY),
        "the secret key is in the error: {err:?}"
    );
    err
}

/// Asserts that `text` contains every one of `needles`, showing `text` when one is missing.
fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing from: {text}");
    }
}

#[tokio::test]
async fn follows_positions_across_pages() {
    let fake = Fake::start(api_handler(paged_resources)).await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let (snap, stats) = aws::fetch_snapshot_with_stats(&api, API, &fetch_options(2))
        .await
        .unwrap();
    let mut paths: Vec<_> = snap.resources.iter().map(|r| r.path.clone()).collect();
    paths.sort();
    assert_eq!(paths, vec!["/r0", "/r1", "/r2", "/r3", "/r4"]);
    assert_eq!(stats.resource_pages, 3);
    assert_eq!(stats.method_fallbacks, 0);
    assert_eq!(snap.integration_count(), 5);
    let resource_calls: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/resources"))
        .collect();
    assert_eq!(resource_calls.len(), 3);
    assert!(resource_calls
        .iter()
        .all(
            |r| r.query.get("embed").map(String::as_str) == Some("methods")
                && r.query.get("limit").map(String::as_str) == Some("2")
        ));
    let positions: Vec<_> = resource_calls
        .iter()
        .map(|r| r.query.get("position").cloned())
        .collect();
    assert_eq!(positions, vec![None, Some("p1".into()), Some("p2".into())]);
    // Page size does not change the result.
    let (whole, stats) = aws::fetch_snapshot_with_stats(&api, API, &fetch_options(500))
        .await
        .unwrap();
    assert_eq!(stats.resource_pages, 1);
    assert_eq!(whole, snap);
}

#[tokio::test]
async fn a_repeating_position_is_an_error_not_a_hang() {
    let fake = Fake::start(api_handler(|query| {
        let id = if query.contains_key("position") { "r1" } else { "r0" };
        ok(json!({ "item": [resource(id, &format!("/{id}"), json!({}))], "position": "same-token" }))
    }))
    .await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let err = read_error(
        &api,
        API,
        &fetch_options(1),
        AwsErrorKind::MalformedResponse,
    )
    .await;
    assert_contains(err.summary(), &["GetResources (page 2)"]);
    assert_contains(err.detail(), &["pagination loop"]);
}

#[tokio::test]
async fn a_failing_later_page_fails_the_read_with_call_page_status_and_request_id() {
    let fake = Fake::start(api_handler(|query| {
        match query.get("position").map(String::as_str) {
            None => ok(json!({ "item": [resource("r0", "/a", json!({}))], "position": "next" })),
            Some(_) => error(500, "InternalFailure", "backend exploded"),
        }
    }))
    .await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let err = read_error(&api, API, &fetch_options(1), AwsErrorKind::Service).await;
    assert_contains(err.summary(), &["HTTP 500"]);
    assert_contains(
        err.detail(),
        &[
            "GetResources (page 2)",
            "InternalFailure",
            "backend exploded",
            "request id req-",
        ],
    );
}

#[tokio::test]
async fn retries_follow_max_retries() {
    let attempts = Arc::new(Mutex::new(0u32));
    let counter = attempts.clone();
    let fake = Fake::start(api_handler(move |_| {
        let mut n = counter.lock().unwrap();
        *n += 1;
        if *n <= 2 {
            error(503, "ServiceUnavailableException", "try later")
        } else {
            ok(json!({ "item": [resource("r0", "/", json!({}))] }))
        }
    }))
    .await;
    let api = fake.client(3, &ClientOptions::default()).await;
    let snap = aws::fetch_snapshot(&api, API, &fetch_options(500))
        .await
        .unwrap();
    assert_eq!(snap.resources.len(), 1);
    assert_eq!(*attempts.lock().unwrap(), 3, "two 503s then success");
}

#[tokio::test]
async fn method_fallback_only_where_not_embedded() {
    let fake = Fake::start(|req: &Request| {
        let base = format!("/restapis/{API}/resources");
        match req.path.as_str() {
            p if p == format!("{base}/r1/methods/POST") => ok(json!({
                "httpMethod": "POST", "authorizationType": "NONE",
                "methodIntegration": {
                    "type": "AWS_PROXY", "httpMethod": "POST", "uri": "arn:aws:lambda:fn",
                    "integrationResponses": { "200": { "statusCode": "200" } }
                }
            })),
            // A method whose integration is not created yet: GetMethod answers without one.
            p if p == format!("{base}/r1/methods/DELETE") => ok(json!({
                "httpMethod": "DELETE", "authorizationType": "NONE"
            })),
            p if p.starts_with(&format!("{base}/")) => error(500, "Unexpected", p),
            _ => api_handler(|_| ok(json!({ "item": [resource("r1", "/x", json!({
                "GET": { "httpMethod": "GET", "methodIntegration": mock_integration("https://inline") },
                "POST": { "httpMethod": "POST" },
                "DELETE": { "httpMethod": "DELETE" }
            }))] })))(req),
        }
    })
    .await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let (snap, stats) = aws::fetch_snapshot_with_stats(&api, API, &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(stats.method_fallbacks, 2);
    let methods = &snap.resources[0].methods;
    assert_eq!(
        methods["GET"].integration.as_ref().unwrap().uri.as_deref(),
        Some("https://inline")
    );
    let post = methods["POST"]
        .integration
        .as_ref()
        .expect("fetched by fallback");
    assert_eq!(post.integration_type.as_deref(), Some("AWS_PROXY"));
    assert!(post.integration_responses.contains_key("200"));
    assert!(methods["DELETE"].integration.is_none());
    let method_calls = fake
        .requests()
        .iter()
        .filter(|r| r.path.contains("/methods/"))
        .count();
    assert_eq!(method_calls, 2, "no call for the embedded GET method");
}

#[tokio::test]
async fn access_denied_names_the_iam_action_and_arn() {
    let fake = Fake::start(|_: &Request| {
        error(
            403,
            "AccessDeniedException",
            "User: arn:aws:iam::1:user/x is not authorized to perform: apigateway:GET",
        )
    })
    .await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let err = read_error(
        &api,
        API,
        &FetchOptions::default(),
        AwsErrorKind::AccessDenied,
    )
    .await;
    let arn = format!("arn:aws:apigateway:eu-central-1::/restapis/{API}");
    assert_contains(err.detail(), &["apigateway:GET", &arn]);
}

#[tokio::test]
async fn rejected_and_expired_credentials() {
    for code in [
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
    ] {
        let fake = Fake::start(move |_: &Request| {
            error(
                403,
                code,
                "The security token included in the request is invalid.",
            )
        })
        .await;
        let api = fake.client(0, &ClientOptions::default()).await;
        let options = FetchOptions::default();
        let err = read_error(&api, API, &options, AwsErrorKind::InvalidCredentials).await;
        assert_contains(err.detail(), &[code]);
    }
}

#[tokio::test]
async fn persistent_throttling_is_reported_after_retries() {
    let fake =
        Fake::start(|_: &Request| error(429, "TooManyRequestsException", "Too Many Requests"))
            .await;
    let api = fake.client(1, &ClientOptions::default()).await;
    let err = read_error(&api, API, &FetchOptions::default(), AwsErrorKind::Throttled).await;
    assert_contains(err.detail(), &["max_retries"]);
}

#[tokio::test]
async fn garbled_json_is_a_malformed_response() {
    let fake = Fake::start(api_handler(|_| Reply {
        status: 200,
        error_type: None,
        body: "{\"item\": [ {\"id\": ".into(),
        delay: Duration::ZERO,
    }))
    .await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let options = FetchOptions::default();
    let err = read_error(&api, API, &options, AwsErrorKind::MalformedResponse).await;
    assert_contains(err.summary(), &["GetResources (page 1)"]);
    assert_contains(err.detail(), &["HTTP 200", "(request id req-"]);
}

#[tokio::test]
async fn a_resource_without_path_is_malformed_not_guessed() {
    let fake = Fake::start(api_handler(|_| ok(json!({ "item": [{ "id": "r0" }] })))).await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let options = FetchOptions::default();
    let err = read_error(&api, API, &options, AwsErrorKind::MalformedResponse).await;
    assert_contains(err.detail(), &["resource r0 has no `path`"]);
}

#[tokio::test]
async fn slow_responses_hit_the_attempt_timeout() {
    let fake = Fake::start(api_handler(|_| Reply {
        delay: Duration::from_secs(20),
        ..ok(json!({ "item": [] }))
    }))
    .await;
    let options = ClientOptions {
        attempt_timeout: Duration::from_millis(300),
        operation_timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    };
    let api = fake.client(1, &options).await;
    let started = Instant::now();
    let err = read_error(&api, API, &FetchOptions::default(), AwsErrorKind::Timeout).await;
    assert_contains(err.summary(), &["GetResources"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "bounded by the timeouts"
    );
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_read() {
    let fake = Fake::start(api_handler(|_| Reply {
        delay: Duration::from_secs(20),
        ..ok(json!({ "item": [] }))
    }))
    .await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let options = FetchOptions {
        deadline: Some(Duration::from_millis(400)),
        ..FetchOptions::default()
    };
    let started = Instant::now();
    read_error(&api, API, &options, AwsErrorKind::Timeout).await;
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn invalid_rest_api_id_makes_no_call() {
    let fake = Fake::start(api_handler(paged_resources)).await;
    let api = fake.client(0, &ClientOptions::default()).await;
    for bad in ["", " ", "a/b", "../x"] {
        let options = FetchOptions::default();
        let err = read_error(&api, bad, &options, AwsErrorKind::InvalidInput).await;
        assert_eq!(err.attribute(), Some("rest_api_id"));
    }
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn missing_credentials_say_which_sources_were_tried() {
    use aws_credential_types::provider::{error::CredentialsError, future, ProvideCredentials};

    #[derive(Debug)]
    struct Nothing;
    impl ProvideCredentials for Nothing {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(
                "no providers in chain provided credentials",
            )))
        }
    }

    let fake = Fake::start(api_handler(paged_resources)).await;
    let config = aws_sdk_apigateway::Config::builder()
        .behavior_version(aws_sdk_apigateway::config::BehaviorVersion::latest())
        .region(aws_sdk_apigateway::config::Region::new("eu-central-1"))
        .endpoint_url(&fake.endpoint)
        .credentials_provider(Nothing)
        .build();
    let api = ApiGateway::from_client(
        aws_sdk_apigateway::Client::from_conf(config),
        "eu-central-1",
        fake.endpoint.clone(),
        4,
    );
    let err = read_error(
        &api,
        API,
        &FetchOptions::default(),
        AwsErrorKind::NoCredentials,
    )
    .await;
    assert_contains(
        err.detail(),
        &[
            "no providers in chain provided credentials",
            "AWS_PROFILE",
            "AWS_ACCESS_KEY_ID",
        ],
    );
    assert!(fake.requests().is_empty(), "nothing is sent unsigned");
}

#[tokio::test]
async fn building_a_client_makes_no_request() {
    let fake = Fake::start(api_handler(paged_resources)).await;
    let settings = AwsSettings {
        region: Some("eu-central-1".into()),
        endpoint_apigateway: Some(fake.endpoint.clone()),
        assume_role: Some(aws::AssumeRole {
            role_arn: "arn:aws:iam::123456789012:role/deploy".into(),
            ..Default::default()
        }),
        max_retries: Some(0),
        ..Default::default()
    };
    let api = aws::client(&settings).await.unwrap();
    assert_eq!(api.region(), "eu-central-1");
    assert_eq!(api.endpoint(), fake.endpoint);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(fake.requests().is_empty());
}

/// ConfigureProvider's path: settings are checked before `start_client` returns, the client is
/// built in the background, and every wait gets the one shared client (one request limiter).
#[tokio::test]
async fn a_background_client_reports_bad_settings_at_once_and_is_shared() {
    let fake = Fake::start(api_handler(paged_resources)).await;
    let bad = settings_for(&fake.endpoint, aws::MAX_RETRIES_LIMIT + 1);
    let err = aws::start_client(&bad).await.unwrap_err();
    assert!(err.summary().contains("max_retries"), "{err:?}");

    let good = settings_for(&fake.endpoint, 0);
    let pending = aws::start_client(&good).await.unwrap();
    let shared = pending.clone();
    let (first, second) = tokio::join!(pending.get(), shared.get());
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.endpoint(), fake.endpoint);
    assert_eq!(second.region(), "eu-central-1");
    let snapshot = aws::fetch_snapshot(&first, API, &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(snapshot.resources.len(), 5);
    assert!(!fake.requests().is_empty());
}

/// The SDK verifies the endpoint's certificate: an HTTPS endpoint presenting a self-signed
/// certificate (what a man in the middle would show) is refused during the TLS handshake, so no
/// signed request ever leaves, and the error names the endpoint instead of hashing anything.
#[tokio::test]
async fn an_endpoint_with_an_untrusted_certificate_is_refused() {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("https://{}", listener.local_addr().unwrap());
    // One entry per connection: did the TLS handshake complete?
    let handshakes = Arc::new(Mutex::new(Vec::<bool>::new()));
    let seen = handshakes.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let accepted = acceptor.accept(tcp).await;
            seen.lock().unwrap().push(accepted.is_ok());
        }
    });

    let api = aws::client(&settings_for(&endpoint, 0)).await.unwrap();
    let err = read_error(&api, API, &FetchOptions::default(), AwsErrorKind::Network).await;
    assert_contains(err.summary(), &[&endpoint]);
    assert_contains(err.detail(), &["certificate"]);
    // The server side of the failed handshake may finish just after the client gave up.
    let deadline = Instant::now() + Duration::from_secs(5);
    while handshakes.lock().unwrap().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let handshakes = handshakes.lock().unwrap().clone();
    assert!(!handshakes.is_empty(), "the client never connected");
    assert!(handshakes.iter().all(|done| !done), "{handshakes:?}");
}

// ---------------------------------------------------------------------------------------------
// AWS-shaped answers (tests/fixtures/aws/): what AWS sends, including what emulators and the
// SDK's typed outputs do not carry (null templates, members the SDK does not model).

/// The id the AWS-shaped answers carry.
const AWS_API: &str = "a1b2c3d4e5";

fn aws_answer(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/aws/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Serves the AWS-shaped answers, each passed through `edit(answer name, body)` first;
/// `methods` answers GetMethod calls (resource id, verb) when it returns a body.
fn aws_shaped(
    edit: impl Fn(&str, &mut Value) + Send + Sync + 'static,
    methods: impl Fn(&str, &str) -> Option<Value> + Send + Sync + 'static,
) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    move |req: &Request| {
        let base = format!("/restapis/{AWS_API}");
        let name = match req.path.strip_prefix(&base) {
            Some("") => "get-rest-api",
            Some("/resources") => "get-resources",
            Some("/authorizers") => "get-authorizers",
            Some("/models") => "get-models",
            Some("/requestvalidators") => "get-request-validators",
            Some("/gatewayresponses") => "get-gateway-responses",
            Some(other) => {
                let parts: Vec<&str> = other.split('/').collect();
                if let ["", "resources", resource, "methods", verb] = parts.as_slice() {
                    if let Some(body) = methods(resource, verb) {
                        return ok(body);
                    }
                }
                return error(404, "NotFoundException", "Invalid resource identifier");
            }
            None => return error(404, "NotFoundException", "Invalid API identifier"),
        };
        let mut body = aws_answer(name);
        edit(name, &mut body);
        ok(body)
    }
}

fn no_methods(_: &str, _: &str) -> Option<Value> {
    None
}

async fn aws_shaped_fingerprint(
    edit: impl Fn(&str, &mut Value) + Send + Sync + 'static,
) -> gwtrigger::hash::Fingerprint {
    let fake = Fake::start(aws_shaped(edit, no_methods)).await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let snap = aws::fetch_snapshot(&api, AWS_API, &FetchOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    gwtrigger::hash::fingerprint(&snap, &gwtrigger::canonical::Options::default())
}

/// The routes of `before` whose hash differs in `after` (the edits here never add a route).
fn moved_routes<'a>(
    before: &'a gwtrigger::hash::Fingerprint,
    after: &gwtrigger::hash::Fingerprint,
) -> Vec<&'a String> {
    before
        .routes
        .iter()
        .filter(|(route, hash)| after.routes.get(*route) != Some(*hash))
        .map(|(route, _)| route)
        .collect()
}

/// Sets the member at `pointer` (`/a/b/member`) in answer `file`; `None` removes it.
fn set_member(
    file: &'static str,
    pointer: &'static str,
    value: Option<Value>,
) -> impl Fn(&str, &mut Value) + Send + Sync + 'static {
    move |name: &str, body: &mut Value| {
        if name != file {
            return;
        }
        let (parent, member) = pointer.rsplit_once('/').expect("a member pointer");
        let member = member.replace("~1", "/").replace("~0", "~");
        let object = body
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{file}: no object at {parent}"));
        match &value {
            Some(value) => object.insert(member, value.clone()),
            None => object.remove(&member),
        };
    }
}

/// The CORS preflight's empty template, which AWS answers as `null`.
const OPTIONS_TEMPLATE: &str = "/item/1/resourceMethods/OPTIONS/methodIntegration/integrationResponses/200/responseTemplates/application~1json";

#[tokio::test]
async fn an_api_with_a_cors_preflight_hashes_and_its_empty_template_is_content() {
    let base = aws_shaped_fingerprint(|_, _| {}).await;
    assert_eq!(base.method_count, 3);
    // AWS answers "" as null; an answer spelling it "" hashes alike.
    let spelled = aws_shaped_fingerprint(set_member(
        "get-resources",
        OPTIONS_TEMPLATE,
        Some(json!("")),
    ))
    .await;
    assert_eq!(spelled.hash, base.hash);
    let filled = aws_shaped_fingerprint(set_member(
        "get-resources",
        OPTIONS_TEMPLATE,
        Some(json!("{}")),
    ))
    .await;
    let absent = aws_shaped_fingerprint(set_member("get-resources", OPTIONS_TEMPLATE, None)).await;
    let hashes: std::collections::BTreeSet<&str> = [&base.hash, &filled.hash, &absent.hash]
        .into_iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        hashes.len(),
        3,
        "empty, {{}} and no template must hash apart"
    );
    for changed in [&filled, &absent] {
        assert_eq!(moved_routes(&base, changed), ["OPTIONS /orders"]);
    }
}

#[tokio::test]
async fn deployable_members_move_the_hash_and_uncaptured_ones_do_not() {
    let base = aws_shaped_fingerprint(|_, _| {}).await;
    let moves: Vec<(&str, &'static str, &'static str, Option<Value>)> = vec![
        ("responseTransferMode", "get-resources", "/item/2/resourceMethods/GET/methodIntegration/responseTransferMode", Some(json!("BUFFERED"))),
        ("integrationTarget", "get-resources", "/item/2/resourceMethods/GET/methodIntegration/integrationTarget", Some(json!("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/orders/50dc6c495c0c9188/0000000000000000"))),
        ("securityPolicy", "get-rest-api", "/securityPolicy", Some(json!("TLS_1_2"))),
        ("endpointAccessMode", "get-rest-api", "/endpointAccessMode", Some(json!("BASIC"))),
        ("jwtConfiguration", "get-authorizers", "/item/0/jwtConfiguration/audiences", Some(json!(["orders", "admin"]))),
    ];
    for (what, file, pointer, value) in moves {
        let changed = aws_shaped_fingerprint(set_member(file, pointer, value)).await;
        assert_ne!(changed.hash, base.hash, "{what} must move the hash");
    }
    let stays: Vec<(&str, &'static str, &'static str, Option<Value>)> = vec![
        (
            "responseTransferMode absent = BUFFERED",
            "get-resources",
            "/item/1/resourceMethods/GET/methodIntegration/responseTransferMode",
            None,
        ),
        (
            "apiStatus",
            "get-rest-api",
            "/apiStatus",
            Some(json!("UPDATING")),
        ),
        (
            "apiStatusMessage",
            "get-rest-api",
            "/apiStatusMessage",
            Some(json!("in progress")),
        ),
        (
            "createdDate",
            "get-rest-api",
            "/createdDate",
            Some(json!(1764979200)),
        ),
        (
            "tags",
            "get-rest-api",
            "/tags",
            Some(json!({"team": "platform"})),
        ),
        (
            "warnings",
            "get-rest-api",
            "/warnings",
            Some(json!(["ignored a path"])),
        ),
        (
            "rootResourceId",
            "get-rest-api",
            "/rootResourceId",
            Some(json!("other00001")),
        ),
        (
            "ipAddressType",
            "get-rest-api",
            "/endpointConfiguration/ipAddressType",
            Some(json!("dualstack")),
        ),
        (
            "model description",
            "get-models",
            "/item/0/description",
            Some(json!("changed")),
        ),
    ];
    for (what, file, pointer, value) in stays {
        let changed = aws_shaped_fingerprint(set_member(file, pointer, value)).await;
        assert_eq!(changed.hash, base.hash, "{what} must not move the hash");
    }
}

#[tokio::test]
async fn members_aws_adds_later_move_the_hash() {
    let base = aws_shaped_fingerprint(|_, _| {}).await;
    let injected: Vec<(&str, &'static str, &'static str, Option<&str>)> = vec![
        (
            "Integration",
            "get-resources",
            "/item/1/resourceMethods/GET/methodIntegration/someNewSetting",
            Some("GET /orders"),
        ),
        (
            "Method",
            "get-resources",
            "/item/2/resourceMethods/GET/someNewSetting",
            Some("GET /orders/{id}"),
        ),
        ("RestApi", "get-rest-api", "/someNewSetting", None),
        (
            "Authorizer",
            "get-authorizers",
            "/item/1/someNewSetting",
            None,
        ),
    ];
    for (kind, file, pointer, route) in injected {
        let changed = aws_shaped_fingerprint(set_member(file, pointer, Some(json!("on")))).await;
        assert_ne!(
            changed.hash, base.hash,
            "{kind}.someNewSetting must move the hash"
        );
        assert_eq!(
            moved_routes(&base, &changed),
            route.into_iter().collect::<Vec<_>>(),
            "{kind}"
        );
    }
}

#[tokio::test]
async fn a_method_without_its_body_is_read_whole_and_hashes_as_embedded() {
    let embedded = aws_shaped_fingerprint(|_, _| {}).await;
    let options_body = aws_answer("get-resources")
        .pointer("/item/1/resourceMethods/OPTIONS")
        .cloned()
        .expect("OPTIONS");
    let fake = Fake::start(aws_shaped(
        set_member(
            "get-resources",
            "/item/1/resourceMethods/OPTIONS",
            Some(json!({})),
        ),
        move |resource, verb| {
            (resource == "ordres0001" && verb == "OPTIONS").then(|| options_body.clone())
        },
    ))
    .await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let (snap, stats) = aws::fetch_snapshot_with_stats(&api, AWS_API, &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(stats.method_fallbacks, 1);
    let read = gwtrigger::hash::fingerprint(&snap, &gwtrigger::canonical::Options::default());
    assert_eq!(read, embedded);

    // GetMethod answering without the body too: an error, never a partial hash.
    let fake = Fake::start(aws_shaped(
        set_member(
            "get-resources",
            "/item/1/resourceMethods/OPTIONS",
            Some(json!({})),
        ),
        |_, _| Some(json!({})),
    ))
    .await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let options = FetchOptions::default();
    let err = read_error(&api, AWS_API, &options, AwsErrorKind::MalformedResponse).await;
    assert_contains(err.summary(), &["GetMethod"]);
    assert_contains(err.detail(), &["without its body"]);
}

#[tokio::test]
async fn a_page_the_sdk_cannot_type_is_read_once_not_retried() {
    let fake = Fake::start(aws_shaped(|_, _| {}, no_methods)).await;
    let api = fake.client(3, &ClientOptions::default()).await;
    aws::fetch_snapshot(&api, AWS_API, &FetchOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pages = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/resources"))
        .count();
    assert_eq!(
        pages, 1,
        "the null template must not look like a failure to retry"
    );
}

/// A method left without an integration (an integration replaced with create_before_destroy,
/// hashicorp/terraform-provider-aws#21907), as AWS answers it: GetResources `embed=methods`
/// without `methodIntegration`, and GetMethod without it too. The read asks GetMethod once and
/// the stage checks name the route.
#[tokio::test]
async fn a_method_aws_answers_without_integration_is_named() {
    let method_body = aws_answer("get-resources")
        .pointer("/item/2/resourceMethods/GET")
        .cloned()
        .map(|mut body| {
            body.as_object_mut().unwrap().remove("methodIntegration");
            body
        })
        .expect("GET /orders/{id}");
    let fake = Fake::start(aws_shaped(
        set_member(
            "get-resources",
            "/item/2/resourceMethods/GET/methodIntegration",
            None,
        ),
        move |resource, verb| {
            (resource == "itemres001" && verb == "GET").then(|| method_body.clone())
        },
    ))
    .await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let (snap, stats) = aws::fetch_snapshot_with_stats(&api, AWS_API, &FetchOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stats.method_fallbacks, 1, "GetMethod is asked once");
    assert_eq!(
        gwtrigger::stage::no_integration::find(&snap),
        ["GET /orders/{id}"]
    );
    let fake = Fake::start(aws_shaped(|_, _| {}, no_methods)).await;
    let api = fake.client(0, &ClientOptions::default()).await;
    let healthy = aws::fetch_snapshot(&api, AWS_API, &FetchOptions::default())
        .await
        .unwrap();
    assert!(gwtrigger::stage::no_integration::find(&healthy).is_empty());
}
