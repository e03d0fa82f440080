//! `explain`: from one request that failed to the layer of API Gateway that failed it, with
//! the evidence and the fix.
//!
//! Data flows one way. IO at the edges: [`send`] (the only HTTP request, or a saved answer
//! read by [`answer`]) and [`logs`] (CloudWatch execution logs); the API model comes from the
//! reads `drift` and `doctor` use (`crate::aws::stage`). Pure in between: [`target`] (URL →
//! API, stage, path), [`classify`] (answer → signal), [`correlate`] (signal + API model →
//! layer, evidence, fix) and [`redact`] (no secret in any output).

pub mod answer;
pub mod classify;
pub mod correlate;
pub mod logs;
pub mod redact;
pub mod send;
pub mod target;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The layer that failed the request (`none`: it did not fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    StaleDeployment,
    NoSuchRoute,
    WrongMethod,
    StagePrefix,
    ApiKey,
    ResourcePolicy,
    Authorizer,
    IamAuth,
    Integration,
    WafOrPrivateEndpoint,
    None,
    Unknown,
}

impl Layer {
    pub const ALL: [Layer; 12] = [
        Layer::StaleDeployment,
        Layer::NoSuchRoute,
        Layer::WrongMethod,
        Layer::StagePrefix,
        Layer::ApiKey,
        Layer::ResourcePolicy,
        Layer::Authorizer,
        Layer::IamAuth,
        Layer::Integration,
        Layer::WafOrPrivateEndpoint,
        Layer::None,
        Layer::Unknown,
    ];

    /// The name used in `--json` (`stale_deployment`, …).
    pub fn name(self) -> &'static str {
        match self {
            Layer::StaleDeployment => "stale_deployment",
            Layer::NoSuchRoute => "no_such_route",
            Layer::WrongMethod => "wrong_method",
            Layer::StagePrefix => "stage_prefix",
            Layer::ApiKey => "api_key",
            Layer::ResourcePolicy => "resource_policy",
            Layer::Authorizer => "authorizer",
            Layer::IamAuth => "iam_auth",
            Layer::Integration => "integration",
            Layer::WafOrPrivateEndpoint => "waf_or_private_endpoint",
            Layer::None => "none",
            Layer::Unknown => "unknown",
        }
    }

    /// How the verdict line names the layer ("403 from the API key check: …").
    pub fn described(self) -> &'static str {
        match self {
            Layer::StaleDeployment => "a stale deployment",
            Layer::NoSuchRoute => "route matching",
            Layer::WrongMethod => "route matching (wrong method)",
            Layer::StagePrefix => "a path outside every stage",
            Layer::ApiKey => "the API key check",
            Layer::ResourcePolicy => "the resource policy",
            Layer::Authorizer => "the authorizer",
            Layer::IamAuth => "IAM authorization",
            Layer::Integration => "the integration's backend",
            Layer::WafOrPrivateEndpoint => "WAF or the endpoint configuration",
            Layer::None => "no layer",
            Layer::Unknown => "an undetermined layer",
        }
    }

    /// Whether the request failed (every layer but `none`, `unknown` included).
    pub fn failed(self) -> bool {
        self != Layer::None
    }
}

/// The request as sent (or as the caller says it was sent, with a saved answer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// Upper-case verb.
    pub method: String,
    pub url: Option<String>,
    /// `-H` headers in order, values as given (never printed; see [`redact`]).
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// SHA-256 (hex) of the `x-api-key` value sent: keys are compared by it, never by value.
    pub fn api_key_sha256(&self) -> Option<String> {
        self.header("x-api-key").map(sha256_hex)
    }

    /// Whether the request carries a SigV4 signature (header or presigned query).
    pub fn sigv4_signed(&self) -> bool {
        self.header("authorization")
            .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256"))
            || self
                .url
                .as_deref()
                .is_some_and(|u| u.contains("X-Amz-Signature="))
    }
}

/// SHA-256 of a secret as lower-case hex.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.trim().as_bytes()))
}

/// What the caller told us about itself, for resource-policy conditions.
pub use crate::stage::policy::Caller;

/// The outcome of correlation: the layer, one verdict line, the evidence and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub layer: Layer,
    pub verdict: String,
    pub evidence: Vec<String>,
    pub fix: Option<String>,
    /// The route, as the API names it when known (`GET /items/{id}`), else as called.
    pub route: Option<String>,
}

/// How execution logs were looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogState {
    /// The stage logs this method at INFO or ERROR; `lines` are this request's.
    On,
    /// The stage does not log this method.
    Off,
    /// Logging is on (or unknown) but the lines could not be read.
    Unavailable,
    /// Not looked up (`--no-logs`, a request that did not fail, no request id, an answer
    /// that never reaches the execution log).
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecutionLog {
    pub state: LogState,
    pub lines: Vec<String>,
    pub note: String,
}

impl ExecutionLog {
    pub fn skipped(note: impl Into<String>) -> ExecutionLog {
        ExecutionLog {
            state: LogState::Skipped,
            lines: Vec::new(),
            note: note.into(),
        }
    }
}

/// Everything `explain` prints (`--json` prints exactly this object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub url: Option<String>,
    pub method: String,
    pub status: u16,
    pub error_type: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub rest_api_id: Option<String>,
    pub stage: Option<String>,
    pub route: Option<String>,
    pub layer: Layer,
    pub verdict: String,
    pub evidence: Vec<String>,
    pub fix: Option<String>,
    pub execution_log: ExecutionLog,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names_are_the_json_names() {
        for layer in Layer::ALL {
            assert_eq!(serde_json::to_value(layer).unwrap(), layer.name());
        }
        assert!(Layer::Unknown.failed() && !Layer::None.failed());
    }

    #[test]
    fn keys_compare_by_digest_and_signatures_are_seen() {
        let request = Request {
            method: "GET".into(),
            url: Some("https://x/dev/a".into()),
            headers: vec![
                ("X-Api-Key".into(), " abc ".into()),
                (
                    "Authorization".into(),
                    "AWS4-HMAC-SHA256 Credential=…".into(),
                ),
            ],
        };
        assert_eq!(request.api_key_sha256().unwrap(), sha256_hex("abc"));
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(request.sigv4_signed());
        assert!(!Request::default().sigv4_signed());
    }
}
