//! Flags that say how to reach AWS, shared by every subcommand that reads an API. The settings
//! they make are marked as the CLI's, so every message names these flags (or the AWS
//! environment variables) rather than the provider's arguments.

use std::io::IsTerminal;

use clap::Args;

use crate::aws::{self, ApiGateway, AwsSettings, ClientOptions, FrontEnd, RetryMode};

use super::CliError;

#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// AWS region [default: AWS_REGION, else AWS_DEFAULT_REGION, else the profile's region].
    #[arg(long)]
    pub region: Option<String>,
    /// Named profile from the shared config files [default: AWS_PROFILE, else "default"].
    #[arg(long)]
    pub profile: Option<String>,
    /// API Gateway endpoint, e.g. a local emulator [default: AWS_ENDPOINT_URL_API_GATEWAY, else
    /// AWS_ENDPOINT_URL, else AWS's endpoint for the region].
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = parse_max_retries,
        help = max_retries_help()
    )]
    pub max_retries: Option<u32>,
    #[arg(long, value_name = "MODE", value_parser = parse_retry_mode, help = retry_mode_help())]
    pub retry_mode: Option<RetryMode>,
}

fn max_retries_help() -> String {
    format!(
        "Retries after the first attempt, 0-{} [default: AWS_MAX_ATTEMPTS - 1, else the \
         profile's max_attempts - 1, else {}]",
        aws::MAX_RETRIES_LIMIT,
        aws::DEFAULT_MAX_ATTEMPTS - 1
    )
}

fn retry_mode_help() -> String {
    format!(
        "{} [default: AWS_RETRY_MODE, else the profile's retry_mode, else standard]",
        RetryMode::NAMES.join(" or ")
    )
}

/// The library's one range check, run as the flag is parsed so `-1` is not taken for a flag.
fn parse_max_retries(text: &str) -> Result<u32, String> {
    let number = text
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("{text:?} is not a whole number"))?;
    aws::parse_max_retries(number, FrontEnd::Cli).map_err(|err| err.detail().to_string())
}

fn parse_retry_mode(text: &str) -> Result<RetryMode, String> {
    RetryMode::parse(text).ok_or_else(|| format!("use {}", RetryMode::NAMES.join(" or ")))
}

impl ConnectionArgs {
    pub fn settings(&self) -> AwsSettings {
        AwsSettings {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_apigateway: self.endpoint_url.clone(),
            max_retries: self.max_retries,
            retry_mode: self.retry_mode,
            front_end: FrontEnd::Cli,
            ..AwsSettings::default()
        }
    }

    /// The client; on a terminal, it reports retries on stderr as they happen.
    pub async fn client(&self) -> Result<ApiGateway, CliError> {
        self.client_in_region(None).await
    }

    /// The client, in `default_region` when neither `--region` nor the environment names one
    /// (`explain` takes it from an execute-api URL).
    pub async fn client_in_region(
        &self,
        default_region: Option<&str>,
    ) -> Result<ApiGateway, CliError> {
        let mut settings = self.settings();
        if settings.region.is_none()
            && std::env::var_os("AWS_REGION").is_none()
            && std::env::var_os("AWS_DEFAULT_REGION").is_none()
        {
            settings.region = default_region.map(str::to_string);
        }
        let options = ClientOptions {
            announce_retries: std::io::stderr().is_terminal(),
            ..ClientOptions::from_env().map_err(CliError::from)?
        };
        aws::client_with_options(&settings, &options)
            .await
            .map_err(CliError::from)
    }
}
