//! The one HTTP request `explain` makes. No redirect is followed (a 3xx is reported as it is);
//! HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured as curl honours them; the waits are the AWS
//! client's budgets ([`Timeouts`]); server certificates are checked against the system's roots
//! (SSL_CERT_FILE / SSL_CERT_DIR honoured) plus AWS_CA_BUNDLE and `--cacert`. Header values are
//! never logged.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use super::answer::Answer;
use super::Request;

/// Longest waits: for the connection, then for the whole answer (the AWS client's budgets,
/// `GWTRIGGER_CONNECT_TIMEOUT_MS` / `GWTRIGGER_ATTEMPT_TIMEOUT_MS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub answer: Duration,
}
/// The body is read up to this size; the verdict needs its first lines only.
const MAX_BODY: usize = 1 << 20;

/// A failure to get an answer: summary and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub summary: String,
    pub detail: String,
}

impl SendError {
    fn new(summary: impl Into<String>, detail: impl Into<String>) -> SendError {
        SendError {
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

/// Sends the request and reads the answer.
pub async fn send(
    request: &Request,
    cacert: Option<&str>,
    timeouts: Timeouts,
) -> Result<Answer, SendError> {
    let url = request.url.as_deref().unwrap_or_default();
    let client = client(cacert, timeouts)?;
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
        SendError::new(
            "Invalid method",
            format!("{:?} is not an HTTP method.", request.method),
        )
    })?;
    let mut builder = client.request(method, url);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    tracing::debug!(method = %request.method, url, headers = request.headers.len(), "sending the request");
    let response = builder
        .send()
        .await
        .map_err(|err| unreachable(url, &err, timeouts))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = read_body(response)
        .await
        .map_err(|err| unreachable(url, &err, timeouts))?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

async fn read_body(mut response: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() >= MAX_BODY {
            bytes.truncate(MAX_BODY);
            break;
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn unreachable(url: &str, err: &reqwest::Error, timeouts: Timeouts) -> SendError {
    let mut causes = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !causes.contains(&text) {
            causes.push(text);
        }
        source = cause.source();
    }
    let why = causes.join(": ");
    let hint = if err.is_timeout() {
        format!(
            "No answer within {:.1} s (connection {:.1} s; GWTRIGGER_ATTEMPT_TIMEOUT_MS / GWTRIGGER_CONNECT_TIMEOUT_MS change them). \
             Check that the URL is reachable from here (HTTPS_PROXY / NO_PROXY if a proxy is needed).",
            timeouts.answer.as_secs_f64(),
            timeouts.connect.as_secs_f64()
        )
    } else if why.contains("certificate")
        || why.contains("Certificate")
        || why.contains("UnknownIssuer")
    {
        "The server's certificate is not trusted: pass the CA bundle with --cacert FILE (or set SSL_CERT_FILE / AWS_CA_BUNDLE).".to_string()
    } else if err.is_connect() {
        "Nothing answered: check the host and port, and HTTPS_PROXY / HTTP_PROXY / NO_PROXY if a proxy is needed.".to_string()
    } else {
        "Check the URL, or save the answer with `curl -si URL > answer.txt` and run gwtrigger explain --response answer.txt.".to_string()
    };
    SendError::new(format!("Cannot reach {url}"), format!("{why}.\n{hint}"))
}

/// The client: no redirects, timeouts, proxies from the environment, roots as curl users
/// expect them.
fn client(cacert: Option<&str>, timeouts: Timeouts) -> Result<reqwest::Client, SendError> {
    let tls = tls_config(cacert)?;
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.answer)
        .tls_backend_preconfigured(tls)
        .user_agent(concat!("gwtrigger-explain/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| SendError::new("Cannot set up HTTP", err.to_string()))
}

fn tls_config(cacert: Option<&str>) -> Result<rustls::ClientConfig, SendError> {
    let mut roots = rustls::RootCertStore::empty();
    // SSL_CERT_FILE / SSL_CERT_DIR replace the system's roots here, as they do for OpenSSL.
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        let _ = roots.add(cert);
    }
    let extra = [
        ("--cacert", cacert.map(str::to_string)),
        (
            "AWS_CA_BUNDLE",
            std::env::var("AWS_CA_BUNDLE")
                .ok()
                .filter(|v| !v.is_empty()),
        ),
    ];
    for (source, path) in extra {
        let Some(path) = path else { continue };
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&path)
            .and_then(|iter| iter.collect::<Result<_, _>>())
            .map_err(|err| {
                SendError::new(
                    format!("Cannot read {source}"),
                    format!(
                        "{source} names {path:?}, which is not a readable PEM CA bundle ({err})."
                    ),
                )
            })?;
        if certs.is_empty() {
            return Err(SendError::new(
                format!("Cannot read {source}"),
                format!("{path:?} ({source}) holds no PEM certificate."),
            ));
        }
        for cert in certs {
            roots.add(cert).map_err(|err| {
                SendError::new(
                    format!("Cannot use {source}"),
                    format!("A certificate in {path:?} is not usable as a root: {err}."),
                )
            })?;
        }
    }
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| SendError::new("Cannot set up TLS", err.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}
