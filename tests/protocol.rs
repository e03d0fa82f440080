//! Starts the real `terraform-provider-gwtrigger` binary exactly as Terraform's go-plugin host
//! does (magic cookie, protocol versions, port range, AutoMTLS client certificate), parses the
//! handshake line and talks tfplugin6 to it with a tonic client generated from the same protos.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use gwtrigger::plugin::proto::go_plugin::grpc_controller_client::GrpcControllerClient;
use gwtrigger::plugin::proto::go_plugin::Empty;
use gwtrigger::plugin::proto::health::health_client::HealthClient;
use gwtrigger::plugin::proto::health::HealthCheckRequest;
use gwtrigger::plugin::proto::tfplugin6 as pb;
use gwtrigger::plugin::proto::tfplugin6::provider_client::ProviderClient;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

/// The provider binary cargo built for this test. `GWTRIGGER_PROVIDER_BIN` overrides it, for
/// checkouts that share a target directory with other branches (where another build may
/// replace the binary between link and run).
fn binary() -> String {
    std::env::var("GWTRIGGER_PROVIDER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_terraform-provider-gwtrigger").to_string())
}
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// A client certificate shaped like go-plugin's: a self-signed CA certificate for localhost.
struct ClientCert {
    cert_pem: String,
    key_pem: String,
}

fn go_plugin_style_client_cert() -> ClientCert {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "HashiCorp");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientCert {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// Kills the provider when a test ends early.
struct Provider {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Provider {
    fn next_stdout_line(&self, timeout: Duration) -> String {
        self.stdout
            .recv_timeout(timeout)
            .unwrap_or_else(|_| panic!("no stdout line; stderr: {}", self.stderr_so_far()))
    }

    fn stderr_so_far(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }

    fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    #[cfg(unix)]
    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

fn lines_of(reader: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

fn base_command() -> Command {
    let mut command = Command::new(binary());
    command
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("PLUGIN_PROTOCOL_VERSIONS")
        .env("TF_LOG_PROVIDER", "debug")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn spawn(mut command: Command) -> Provider {
    let mut child = command.spawn().expect("start the provider binary");
    let stdout = lines_of(child.stdout.take().unwrap());
    let stderr = lines_of(child.stderr.take().unwrap());
    Provider {
        child,
        stdout,
        stderr,
    }
}

/// Starts the provider like Terraform does and returns it with its handshake fields.
fn start_managed(client: &ClientCert) -> (Provider, Handshake) {
    let mut command = base_command();
    command
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", &client.cert_pem);
    let provider = spawn(command);
    let line = provider.next_stdout_line(STARTUP_TIMEOUT);
    let handshake = Handshake::parse(&line);
    (provider, handshake)
}

struct Handshake {
    port: u16,
    server_cert_pem: String,
}

impl Handshake {
    fn parse(line: &str) -> Handshake {
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), 6, "handshake line {line:?}");
        assert_eq!(&parts[..3], ["1", "6", "tcp"], "handshake line {line:?}");
        assert_eq!(parts[4], "grpc");
        let (host, port) = parts[3].rsplit_once(':').unwrap();
        assert_eq!(host, "127.0.0.1");
        let port: u16 = port.parse().unwrap();
        assert!(
            (10000..=25000).contains(&port),
            "port {port} outside the range"
        );
        assert!(!parts[5].ends_with('='), "cert must be unpadded base64");
        assert!(parts[5].len() > 50);
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .expect("cert is standard base64 without padding");
        Handshake {
            port,
            server_cert_pem: pem("CERTIFICATE", &der),
        }
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

async fn connect(handshake: &Handshake, client: Option<&ClientCert>) -> Result<Channel, String> {
    install_crypto();
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&handshake.server_cert_pem))
        .domain_name("localhost");
    if let Some(client) = client {
        tls = tls.identity(Identity::from_pem(&client.cert_pem, &client.key_pem));
    }
    Endpoint::from_shared(format!("https://127.0.0.1:{}", handshake.port))
        .map_err(|e| e.to_string())?
        .tls_config(tls)
        .map_err(|e| e.to_string())?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("{e:?}"))
}

fn msgpack_object(entries: &[(&str, rmpv::Value)]) -> pb::DynamicValue {
    let map = rmpv::Value::Map(
        entries
            .iter()
            .map(|(k, v)| (rmpv::Value::from(*k), v.clone()))
            .collect(),
    );
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, &map).unwrap();
    pb::DynamicValue {
        msgpack: bytes,
        json: Vec::new(),
    }
}

/// Starts the provider as Terraform does and connects with the client certificate it was given.
async fn start_connected() -> (Provider, Channel) {
    let client_cert = go_plugin_style_client_cert();
    let (provider, handshake) = start_managed(&client_cert);
    let channel = connect(&handshake, Some(&client_cert)).await.unwrap();
    (provider, channel)
}

/// GetProviderSchema on `channel`; panics (failing the test) when the call fails.
async fn provider_schema(channel: &Channel) -> pb::get_provider_schema::Response {
    ProviderClient::new(channel.clone())
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner()
}

/// Terraform's GRPCController.Shutdown: the provider should exit.
async fn shut_down(channel: Channel) {
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .unwrap();
}

/// The attribute a diagnostic points at: the name in the first step of its attribute path.
fn attribute_name(diagnostic: &pb::Diagnostic) -> Option<&str> {
    match diagnostic
        .attribute
        .as_ref()?
        .steps
        .first()?
        .selector
        .as_ref()?
    {
        pb::attribute_path::step::Selector::AttributeName(name) => Some(name),
        _ => None,
    }
}

fn attribute<'a>(block: &'a pb::schema::Block, name: &str) -> &'a pb::schema::Attribute {
    block
        .attributes
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("attribute {name} missing"))
}

#[tokio::test]
async fn serves_schema_and_validation_over_mutual_tls() {
    let (mut provider, channel) = start_connected().await;

    let mut health = HealthClient::new(channel.clone());
    let status = health
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.status, 1, "SERVING");

    let mut client = ProviderClient::new(channel.clone());
    let schema = provider_schema(&channel).await;
    assert!(schema.diagnostics.is_empty());
    let provider_block = schema.provider.unwrap().block.unwrap();
    let region = attribute(&provider_block, "region");
    assert!(region.optional && !region.sensitive);
    assert_eq!(region.r#type, br#""string""#.to_vec());
    assert!(attribute(&provider_block, "secret_key").sensitive);
    let data_source = schema.data_source_schemas["gwtrigger"]
        .block
        .clone()
        .unwrap();
    assert!(attribute(&data_source, "rest_api_id").required);
    let hash = attribute(&data_source, "hash");
    assert!(hash.computed && !hash.optional && !hash.required);
    assert!(
        schema
            .server_capabilities
            .unwrap()
            .get_provider_schema_optional
    );

    let metadata = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(metadata
        .data_sources
        .iter()
        .any(|d| d.type_name == "gwtrigger"));

    let validation = client
        .validate_provider_config(pb::validate_provider_config::Request {
            config: Some(msgpack_object(&[("retry_mode", "fast".into())])),
        })
        .await
        .unwrap()
        .into_inner();
    let error = validation
        .diagnostics
        .iter()
        .find(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .expect("retry_mode = \"fast\" is an error");
    assert_eq!(attribute_name(error), Some("retry_mode"), "{error:?}");

    let malformed = client
        .validate_provider_config(pb::validate_provider_config::Request {
            config: Some(pb::DynamicValue {
                msgpack: vec![0x92, 0x01],
                json: Vec::new(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        malformed.diagnostics[0].summary,
        "Invalid configuration value"
    );

    // Terraform handles Ctrl-C itself; the provider must survive SIGINT.
    #[cfg(unix)]
    {
        provider.signal("INT");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            provider.child.try_wait().unwrap().is_none(),
            "SIGINT stopped the provider"
        );
    }
    client
        .stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap();

    let started = Instant::now();
    shut_down(channel).await;
    let status = provider
        .wait_exit(Duration::from_secs(5))
        .expect("provider did not exit after Shutdown");
    assert!(status.success(), "exit status {status:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let stderr = provider.stderr_so_far();
    for line in stderr.lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            v["@level"].is_string() && v["@message"].is_string(),
            "{line}"
        );
    }
    assert!(
        stderr.contains(r#""@message":"GetProviderSchema""#),
        "{stderr}"
    );
}

#[tokio::test]
async fn rejects_clients_without_the_expected_certificate() {
    let client_cert = go_plugin_style_client_cert();
    let (mut provider, handshake) = start_managed(&client_cert);

    for (label, identity) in [
        ("no client certificate", None),
        ("another certificate", Some(go_plugin_style_client_cert())),
    ] {
        let rejected = match connect(&handshake, identity.as_ref()).await {
            Err(_) => true,
            Ok(channel) => ProviderClient::new(channel)
                .get_provider_schema(pb::get_provider_schema::Request {})
                .await
                .is_err(),
        };
        assert!(rejected, "{label} was accepted");
    }

    // The right certificate still works afterwards.
    let channel = connect(&handshake, Some(&client_cert)).await.unwrap();
    provider_schema(&channel).await;
    shut_down(channel).await;
    assert!(provider.wait_exit(Duration::from_secs(5)).is_some());
}

#[test]
fn started_by_hand_explains_itself_and_exits_1() {
    let mut provider = spawn(base_command());
    let status = provider.wait_exit(Duration::from_secs(10)).expect("exit");
    assert_eq!(status.code(), Some(1));
    std::thread::sleep(Duration::from_millis(100));
    let stderr = provider.stderr_so_far();
    assert!(stderr.contains("This binary is a plugin"), "{stderr}");
    assert!(stderr.contains("Install from a mirror"), "{stderr}");
    assert!(
        provider.stdout.try_recv().is_err(),
        "no handshake without the cookie"
    );
}

#[test]
fn version_flag_prints_the_version() {
    let output = Command::new(binary()).arg("--version").output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("terraform-provider-gwtrigger {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn protocol_5_only_is_a_clear_error() {
    let mut command = base_command();
    command
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .env("PLUGIN_CLIENT_CERT", go_plugin_style_client_cert().cert_pem);
    let mut provider = spawn(command);
    let status = provider.wait_exit(Duration::from_secs(10)).expect("exit");
    assert_eq!(status.code(), Some(1));
    std::thread::sleep(Duration::from_millis(100));
    let stderr = provider.stderr_so_far();
    assert!(stderr.contains("offered protocol version(s) 5"), "{stderr}");
    assert!(stderr.contains("Terraform >= 1.0"), "{stderr}");
}

/// Starts `--debug` and returns the provider's entry of the printed TF_REATTACH_PROVIDERS.
fn start_debug_mode() -> (Provider, serde_json::Value) {
    let mut command = base_command();
    command.arg("--debug");
    let provider = spawn(command);
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    let reattach = loop {
        let line = provider.next_stdout_line(deadline.saturating_duration_since(Instant::now()));
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            break rest.trim_end_matches('\'').to_string();
        }
    };
    let json: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    let entry = json["registry.terraform.io/gwtrigger/gwtrigger"].clone();
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Pid"], provider.child.id());
    (provider, entry)
}

#[cfg(unix)]
#[tokio::test]
async fn debug_mode_serves_plaintext_on_a_unix_socket() {
    let (mut provider, entry) = start_debug_mode();
    assert_eq!(entry["Addr"]["Network"], "unix");
    let socket = std::path::PathBuf::from(entry["Addr"]["String"].as_str().unwrap());

    let path = socket.clone();
    let channel = Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_: tonic::transport::Uri| {
            let path = path.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(path).await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(stream))
            }
        }))
        .await
        .unwrap();
    let schema = provider_schema(&channel).await;
    assert!(schema.data_source_schemas.contains_key("gwtrigger"));

    provider.signal("INT");
    let status = provider
        .wait_exit(Duration::from_secs(5))
        .expect("debug mode stops on SIGINT");
    assert!(status.success());
    assert!(!socket.exists(), "socket removed on exit");
}

/// Without unix sockets (Windows), go-plugin reattaches over loopback TCP.
#[cfg(not(unix))]
#[tokio::test]
async fn debug_mode_serves_plaintext_on_loopback_tcp() {
    let (mut provider, entry) = start_debug_mode();
    assert_eq!(entry["Addr"]["Network"], "tcp");
    let addr = entry["Addr"]["String"].as_str().unwrap().to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let schema = provider_schema(&channel).await;
    assert!(schema.data_source_schemas.contains_key("gwtrigger"));
    provider.child.kill().unwrap();
    let _ = provider.child.wait();
}

/// Issue 6, bad input at the protocol level: malformed DynamicValues, attributes outside the
/// schema and unknown values never crash the provider; each is a diagnostic with a summary, a
/// detail and (where there is one) the attribute path. `token` is as sensitive as `secret_key`.
#[tokio::test]
async fn malformed_and_unexpected_values_are_diagnostics_not_crashes() {
    let (mut provider, channel) = start_connected().await;
    let mut client = ProviderClient::new(channel.clone());

    let schema = provider_schema(&channel).await;
    let provider_block = schema.provider.unwrap().block.unwrap();
    for secret in ["secret_key", "token"] {
        assert!(attribute(&provider_block, secret).sensitive, "{secret}");
    }
    assert!(!attribute(&provider_block, "access_key").sensitive);

    let raw = |msgpack: Vec<u8>, json: &[u8]| pb::DynamicValue {
        msgpack,
        json: json.to_vec(),
    };
    let malformed = [
        ("truncated map", raw(vec![0x82, 0xab], b"")),
        ("a list, not an object", raw(vec![0x92, 0x01, 0x02], b"")),
        ("trailing bytes", raw(vec![0x80, 0x00], b"")),
        (
            "invalid UTF-8 key",
            raw(vec![0x81, 0xa2, 0xff, 0xfe, 0xc0], b""),
        ),
        ("invalid JSON", raw(Vec::new(), b"{\"rest_api_id\": ")),
        (
            "wrong type",
            msgpack_object(&[("rest_api_id", rmpv::Value::from(42))]),
        ),
    ];
    for (label, value) in malformed {
        let read = client
            .read_data_source(pb::read_data_source::Request {
                type_name: "gwtrigger".into(),
                config: Some(value.clone()),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|status| panic!("{label}: gRPC error {status:?}"))
            .into_inner();
        assert!(read.state.is_none(), "{label}");
        let diagnostic = &read.diagnostics[0];
        assert_eq!(diagnostic.summary, "Invalid configuration value", "{label}");
        assert!(diagnostic.detail.contains("please report it"), "{label}");
        let validation = client
            .validate_data_resource_config(pb::validate_data_resource_config::Request {
                type_name: "gwtrigger".into(),
                config: Some(value),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            validation.diagnostics[0].summary, "Invalid configuration value",
            "{label}"
        );
    }
    let wrong_type = client
        .read_data_source(pb::read_data_source::Request {
            type_name: "gwtrigger".into(),
            config: Some(msgpack_object(&[("rest_api_id", rmpv::Value::from(42))])),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let diagnostic = &wrong_type.diagnostics[0];
    assert_eq!(
        attribute_name(diagnostic),
        Some("rest_api_id"),
        "{diagnostic:?}"
    );

    // An attribute the schema does not have, in the provider block and in a data source.
    let extra = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: Some(msgpack_object(&[
                ("region", "us-east-1".into()),
                ("colour", "blue".into()),
            ])),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(extra.diagnostics[0].summary, "Invalid configuration value");
    assert!(extra.diagnostics[0].detail.contains("\"colour\""));

    // Unknown values (cty's msgpack extension) are skipped at validation time.
    let unknown = client
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: "gwtrigger".into(),
            config: Some(msgpack_object(&[(
                "rest_api_id",
                rmpv::Value::Ext(0, vec![0]),
            )])),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(unknown.diagnostics.is_empty(), "{:?}", unknown.diagnostics);

    // Still serving after all of that.
    provider_schema(&channel).await;
    shut_down(channel).await;
    let status = provider
        .wait_exit(Duration::from_secs(5))
        .expect("provider did not exit after Shutdown");
    assert!(status.success(), "{status:?}");
    assert!(!provider.stderr_so_far().contains("panicked"));
}
