//! Flags that say how to reach AWS, shared by every subcommand that reads an API.

use clap::Args;

use crate::aws::{self, ApiGateway, AwsSettings, RetryMode};

use super::CliError;

#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// AWS region (default: AWS_REGION or the profile's region).
    #[arg(long)]
    pub region: Option<String>,
    /// Named profile from the shared config files (default: AWS_PROFILE).
    #[arg(long)]
    pub profile: Option<String>,
    /// API Gateway endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL_API_GATEWAY).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Retries after the first attempt (0-100).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_retries: Option<u32>,
    /// `standard` or `adaptive`.
    #[arg(long, value_parser = RetryMode::NAMES)]
    pub retry_mode: Option<String>,
}

impl ConnectionArgs {
    pub fn settings(&self) -> AwsSettings {
        AwsSettings {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_apigateway: self.endpoint_url.clone(),
            max_retries: self.max_retries,
            retry_mode: self.retry_mode.as_deref().and_then(RetryMode::parse),
            ..AwsSettings::default()
        }
    }

    pub async fn client(&self) -> Result<ApiGateway, CliError> {
        aws::client(&self.settings()).await.map_err(|err| {
            let flag = err.attribute().map(|a| match a {
                "endpoints" => "--endpoint-url".to_string(),
                other => format!("--{}", other.replace('_', "-")),
            });
            let detail = match flag {
                Some(flag) => format!("{} (flag {flag})", err.detail()),
                None => err.detail().to_string(),
            };
            CliError::new(err.summary(), detail)
        })
    }
}
