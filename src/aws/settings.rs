//! Connection settings shared by the provider block and the CLI flags, as plain data.
//!
//! Every field is optional: what is unset falls back to the AWS SDK default chain
//! (environment, shared config/credentials files, SSO, web identity, container, IMDS).

use std::fmt;

#[derive(Clone, Default, PartialEq)]
pub struct AwsSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    /// Secret: never printed (see the `Debug` impl).
    pub secret_key: Option<String>,
    /// Secret: never printed (see the `Debug` impl).
    pub token: Option<String>,
    pub shared_config_files: Vec<String>,
    pub shared_credentials_files: Vec<String>,
    pub assume_role: Option<AssumeRole>,
    /// Endpoint override for API Gateway (`endpoints { apigateway = ... }`).
    pub endpoint_apigateway: Option<String>,
    /// Total attempts are `max_retries + 1`.
    pub max_retries: Option<u32>,
    pub retry_mode: Option<RetryMode>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    /// Session duration in seconds.
    pub duration_seconds: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    Standard,
    Adaptive,
}

impl RetryMode {
    pub const NAMES: [&'static str; 2] = ["standard", "adaptive"];

    pub fn parse(s: &str) -> Option<RetryMode> {
        match s {
            "standard" => Some(RetryMode::Standard),
            "adaptive" => Some(RetryMode::Adaptive),
            _ => None,
        }
    }
}

impl fmt::Debug for AwsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("AwsSettings")
            .field("region", &self.region)
            .field("profile", &self.profile)
            .field("access_key", &self.access_key)
            .field("secret_key", &redacted(&self.secret_key))
            .field("token", &redacted(&self.token))
            .field("shared_config_files", &self.shared_config_files)
            .field("shared_credentials_files", &self.shared_credentials_files)
            .field("assume_role", &self.assume_role)
            .field("endpoint_apigateway", &self.endpoint_apigateway)
            .field("max_retries", &self.max_retries)
            .field("retry_mode", &self.retry_mode)
            .finish()
    }
}
