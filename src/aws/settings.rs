//! Connection settings shared by the provider block and the CLI flags, as plain data.
//!
//! Every field is optional: what is unset falls back to the AWS SDK default chain
//! (environment, shared config/credentials files, SSO, web identity, container, IMDS).

use std::fmt;

use super::naming::FrontEnd;

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
    /// Which front end the settings came from: messages name its flags or arguments.
    pub front_end: FrontEnd,
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
    /// The names to offer; [`RetryMode::parse`] also takes `legacy`.
    pub const NAMES: [&'static str; 2] = ["standard", "adaptive"];

    /// The one parser of retry mode names, for the provider argument, the CLI flag,
    /// AWS_RETRY_MODE and the profile's `retry_mode`: as the AWS SDKs spell them, any case.
    /// `legacy` (the AWS CLI's default, shared through the same profiles) reads as `standard`,
    /// since the Rust SDK has no legacy mode.
    pub fn parse(s: &str) -> Option<RetryMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "standard" | "legacy" => Some(RetryMode::Standard),
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
            .field("front_end", &self.front_end)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_mode_names_parse_as_the_sdks_spell_them() {
        for (text, mode) in [
            ("standard", RetryMode::Standard),
            ("Standard ", RetryMode::Standard),
            ("legacy", RetryMode::Standard),
            ("adaptive", RetryMode::Adaptive),
            ("ADAPTIVE", RetryMode::Adaptive),
        ] {
            assert_eq!(RetryMode::parse(text), Some(mode), "{text:?}");
        }
        for bad in ["", "fast", "standard-ish"] {
            assert_eq!(RetryMode::parse(bad), None, "{bad:?}");
        }
        for name in RetryMode::NAMES {
            assert!(RetryMode::parse(name).is_some());
        }
    }
}
