//! Turns [`AwsSettings`] plus the AWS environment variables and shared config files into
//! validated, concrete client parameters ([`Resolved`]), or an [`AwsError`] naming the setting.
//!
//! No network: the region comes from the settings, AWS_REGION / AWS_DEFAULT_REGION or the
//! selected profile (never from EC2 instance metadata), and retry settings are parsed here
//! (never by the SDK, which panics on some bad values). The environment and the file system
//! are injected so every rule is unit-tested without touching the real ones.

use std::borrow::Cow;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_credential_types::Credentials;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::os_shim_internal::{Env, Fs};

use super::error::AwsError;
use super::naming::{FrontEnd, Setting};
use super::settings::{AssumeRole, AwsSettings, RetryMode};

/// Upper bound for `max_retries`: beyond this a throttled read would take hours.
pub const MAX_RETRIES_LIMIT: u32 = 100;
/// Attempts per call when neither the settings, AWS_MAX_ATTEMPTS nor the profile say.
/// Higher than the SDK's 3: Terraform reads many data sources at once and API Gateway's
/// control plane throttles early (10 rps per account).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;
/// Session name for `assume_role` when none is given.
pub const DEFAULT_SESSION_NAME: &str = "gwtrigger";

/// Everything needed to build the client, validated.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub region: String,
    /// The profile named explicitly (settings, else AWS_PROFILE is left to the SDK).
    pub profile_name: Option<String>,
    pub profile_files: EnvConfigFiles,
    /// Static credentials from the settings (Debug redacts the secret).
    pub static_credentials: Option<Credentials>,
    pub assume_role: Option<ResolvedAssumeRole>,
    /// The endpoint to set on the client, if the settings or the environment name one.
    pub endpoint_override: Option<String>,
    /// The endpoint for messages: the override, the profile's `endpoint_url`, else AWS's.
    pub endpoint_description: String,
    pub retry: RetryConfig,
    pub front_end: FrontEnd,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResolvedAssumeRole {
    pub role_arn: String,
    pub session_name: String,
    pub external_id: Option<String>,
    pub duration: Option<Duration>,
}

/// Reads a variable, treating unset, empty and non-UTF-8 alike as "not set".
fn env_var(env: &Env, name: &str) -> Option<String> {
    env.get(name).ok().filter(|v| !v.trim().is_empty())
}

pub(crate) async fn resolve(
    settings: &AwsSettings,
    env: &Env,
    fs: &Fs,
) -> Result<Resolved, AwsError> {
    let front = settings.front_end;
    let name = |setting: Setting| setting.name(front);
    let static_credentials = static_credentials(settings)?;
    let assume_role = settings
        .assume_role
        .as_ref()
        .map(|role| assume_role(role, front))
        .transpose()?;
    let profile_files = profile_files(settings, env, fs).await?;

    let profile_name = match &settings.profile {
        Some(p) if p.trim().is_empty() => {
            return Err(AwsError::invalid_setting(
                Setting::Profile,
                "Invalid profile",
                format!(
                    "{} is empty. Remove it to use AWS_PROFILE or the default profile, or name a profile of the shared config files.",
                    name(Setting::Profile)
                ),
            ))
        }
        Some(p) => Some(p.clone()),
        None => None,
    };
    let profiles = aws_config::profile::load(
        fs,
        env,
        &profile_files,
        profile_name.clone().map(Cow::Owned),
    )
    .await
    .map_err(|e| {
        let setting = if !settings.shared_config_files.is_empty() {
            Setting::SharedConfigFiles
        } else if !settings.shared_credentials_files.is_empty() {
            Setting::SharedCredentialsFiles
        } else {
            Setting::Profile
        };
        AwsError::invalid_setting(
            setting,
            "Could not read the AWS shared config files",
            format!(
                "{}. Fix the file's syntax or point {} / {} at valid files.",
                super::error::error_chain(&e),
                name(Setting::SharedConfigFiles),
                name(Setting::SharedCredentialsFiles)
            ),
        )
    })?;
    let selected = profiles.get_profile(profiles.selected_profile());
    if let Some(profile) = &profile_name {
        if selected.is_none() {
            let mut known: Vec<&str> = profiles.profiles().collect();
            known.sort_unstable();
            return Err(AwsError::invalid_setting(
                Setting::Profile,
                format!("Profile \"{profile}\" not found"),
                format!(
                    "No profile \"{profile}\" in the shared config or credentials files. Profiles found: {}. Fix {} or {} / {}.",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") },
                    name(Setting::Profile),
                    name(Setting::SharedConfigFiles),
                    name(Setting::SharedCredentialsFiles)
                ),
            ));
        }
    }
    let profile_value = |key: &str| -> Option<String> {
        selected
            .and_then(|p| p.get(key))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let profile_label = format!("profile \"{}\"", profiles.selected_profile());

    let region = region(settings, env, profile_value("region"), &profile_label)?;
    let retry = retry_config(settings, env, &profile_value, &profile_label)?;
    let endpoint_override = endpoint_override(settings, env)?;
    let endpoint_description = endpoint_override
        .clone()
        .or_else(|| profile_value("endpoint_url"))
        .unwrap_or_else(|| default_endpoint(&region));

    Ok(Resolved {
        region,
        profile_name,
        profile_files,
        static_credentials,
        assume_role,
        endpoint_override,
        endpoint_description,
        retry,
        front_end: front,
    })
}

/// AWS's public endpoint for a region.
pub(crate) fn default_endpoint(region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://apigateway.{region}.{suffix}")
}

fn static_credentials(settings: &AwsSettings) -> Result<Option<Credentials>, AwsError> {
    fn set(v: &Option<String>) -> Option<&str> {
        v.as_deref().filter(|s| !s.is_empty())
    }
    let [access_key, secret_key, token] = [Setting::AccessKey, Setting::SecretKey, Setting::Token]
        .map(|s| s.name(settings.front_end));
    match (set(&settings.access_key), set(&settings.secret_key), set(&settings.token)) {
        (Some(access), Some(secret), token) => Ok(Some(Credentials::new(
            access,
            secret,
            token.map(str::to_owned),
            None,
            "gwtrigger-provider-settings",
        ))),
        (Some(_), None, _) => Err(AwsError::invalid_setting(
            Setting::SecretKey,
            "Incomplete static credentials",
            format!("{access_key} is set but {secret_key} is not. Set both, or neither to use the default credential chain (environment, profile, SSO, ...)."),
        )),
        (None, Some(_), _) => Err(AwsError::invalid_setting(
            Setting::AccessKey,
            "Incomplete static credentials",
            format!("{secret_key} is set but {access_key} is not. Set both, or neither to use the default credential chain (environment, profile, SSO, ...)."),
        )),
        (None, None, Some(_)) => Err(AwsError::invalid_setting(
            Setting::Token,
            "Incomplete static credentials",
            format!("{token} is set without {access_key} and {secret_key}. A session token is only used together with both."),
        )),
        (None, None, None) => Ok(None),
    }
}

fn is_iam_name_char(c: char, extra: &str) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) || extra.contains(c)
}

fn assume_role(role: &AssumeRole, front: FrontEnd) -> Result<ResolvedAssumeRole, AwsError> {
    let name = |setting: Setting| setting.name(front);
    let arn = role.role_arn.trim();
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[5].starts_with("role/") {
        return Err(AwsError::invalid_setting(
            Setting::RoleArn,
            "Invalid role ARN",
            format!("{} = \"{arn}\" is not an IAM role ARN. Expected the form arn:aws:iam::123456789012:role/NAME.", name(Setting::RoleArn)),
        ));
    }
    let session_name = role
        .session_name
        .clone()
        .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string());
    if !(2..=64).contains(&session_name.len())
        || !session_name.chars().all(|c| is_iam_name_char(c, ""))
    {
        return Err(AwsError::invalid_setting(
            Setting::RoleSessionName,
            "Invalid role session name",
            format!(
                "{} must be 2 to 64 characters of letters, digits and _+=,.@-",
                name(Setting::RoleSessionName)
            ),
        ));
    }
    if let Some(id) = &role.external_id {
        if !(2..=1224).contains(&id.len()) || !id.chars().all(|c| is_iam_name_char(c, ":/")) {
            return Err(AwsError::invalid_setting(
                Setting::RoleExternalId,
                "Invalid external id",
                format!(
                    "{} must be 2 to 1224 characters of letters, digits and _+=,.@:/-",
                    name(Setting::RoleExternalId)
                ),
            ));
        }
    }
    if let Some(seconds) = role.duration_seconds {
        if !(900..=43_200).contains(&seconds) {
            return Err(AwsError::invalid_setting(
                Setting::RoleDuration,
                "Invalid session duration",
                format!("{} is {seconds} s; AWS accepts 900 s (15 min) to 43200 s (12 h), and at most the role's maximum session duration.", name(Setting::RoleDuration)),
            ));
        }
    }
    Ok(ResolvedAssumeRole {
        role_arn: arn.to_string(),
        session_name,
        external_id: role.external_id.clone(),
        duration: role
            .duration_seconds
            .map(|s| Duration::from_secs(u64::from(s))),
    })
}

/// Expands a leading `~/` with HOME (the SDK only expands it in its default paths).
fn expand_home(path: &str, env: &Env) -> String {
    match (path.strip_prefix('~'), env_var(env, "HOME")) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            format!("{home}{rest}")
        }
        _ => path.to_string(),
    }
}

/// The config and credentials files: explicit lists replace the default files (as in the
/// hashicorp/aws provider); each listed file must exist, since a typo would otherwise silently
/// fall back to other credentials.
async fn profile_files(
    settings: &AwsSettings,
    env: &Env,
    fs: &Fs,
) -> Result<EnvConfigFiles, AwsError> {
    let mut builder = EnvConfigFiles::builder()
        .include_default_config_file(settings.shared_config_files.is_empty())
        .include_default_credentials_file(settings.shared_credentials_files.is_empty());
    for (setting, kind, files) in [
        (
            Setting::SharedConfigFiles,
            EnvConfigFileKind::Config,
            &settings.shared_config_files,
        ),
        (
            Setting::SharedCredentialsFiles,
            EnvConfigFileKind::Credentials,
            &settings.shared_credentials_files,
        ),
    ] {
        let name = setting.name(settings.front_end);
        for file in files {
            if file.trim().is_empty() {
                return Err(AwsError::invalid_setting(
                    setting,
                    "Empty file name",
                    format!("{name} contains an empty path."),
                ));
            }
            let path = expand_home(file, env);
            if let Err(e) = fs.read_to_end(&path).await {
                return Err(AwsError::invalid_setting(
                    setting,
                    "Cannot read an AWS shared file",
                    format!("{name} lists \"{file}\", which cannot be read: {e}. Fix the path or remove it."),
                ));
            }
            builder = builder.with_file(kind, path);
        }
    }
    Ok(builder.build())
}

fn region(
    settings: &AwsSettings,
    env: &Env,
    profile_region: Option<String>,
    profile_label: &str,
) -> Result<String, AwsError> {
    let name = |setting: Setting| setting.name(settings.front_end);
    let (region, source) = if let Some(r) = &settings.region {
        (r.clone(), name(Setting::Region))
    } else if let Some(r) = env_var(env, "AWS_REGION") {
        (r, "AWS_REGION".to_string())
    } else if let Some(r) = env_var(env, "AWS_DEFAULT_REGION") {
        (r, "AWS_DEFAULT_REGION".to_string())
    } else if let Some(r) = profile_region {
        (r, format!("`region` in {profile_label}"))
    } else {
        return Err(AwsError::invalid_setting(
            Setting::Region,
            "No AWS region configured",
            format!(
                "Set {}, the AWS_REGION (or AWS_DEFAULT_REGION) environment variable, or `region` in {profile_label} of the shared config file (the profile is chosen by {} or AWS_PROFILE). gwtrigger does not ask EC2 instance metadata for a region.",
                name(Setting::Region),
                name(Setting::Profile)
            ),
        ));
    };
    let valid = !region.is_empty()
        && region.len() <= 64
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if !valid {
        return Err(AwsError::invalid_setting(
            Setting::Region,
            "Invalid AWS region",
            format!("The region {region:?} (from {source}) is not a region name such as us-east-1 or eu-west-1."),
        ));
    }
    Ok(region)
}

/// The one range check of `max_retries` (retries after the first attempt), for the provider
/// argument, the CLI flag and library callers alike.
pub fn parse_max_retries(value: i64, front: FrontEnd) -> Result<u32, AwsError> {
    match u32::try_from(value) {
        Ok(v) if v <= MAX_RETRIES_LIMIT => Ok(v),
        _ => {
            let name = Setting::MaxRetries.name(front);
            Err(AwsError::invalid_setting(
                Setting::MaxRetries,
                // Summaries name the setting plainly, like the provider's other summaries.
                format!("Invalid {}", name.trim_matches('`')),
                format!(
                    "{name} is {value}; use a whole number from 0 to {MAX_RETRIES_LIMIT} (the \
                     retries after the first attempt). Each retry waits up to 20 s, so larger \
                     values only delay the error."
                ),
            ))
        }
    }
}

fn retry_config(
    settings: &AwsSettings,
    env: &Env,
    profile_value: &dyn Fn(&str) -> Option<String>,
    profile_label: &str,
) -> Result<RetryConfig, AwsError> {
    let front = settings.front_end;
    let max_attempts = if let Some(retries) = settings.max_retries {
        parse_max_retries(i64::from(retries), front)? + 1
    } else {
        let from_env = env_var(env, "AWS_MAX_ATTEMPTS")
            .map(|v| (v, "the AWS_MAX_ATTEMPTS environment variable".to_string()));
        let from_profile = || {
            profile_value("max_attempts").map(|v| (v, format!("`max_attempts` in {profile_label}")))
        };
        match from_env.or_else(from_profile) {
            Some((value, source)) => match value.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_RETRIES_LIMIT + 1).contains(&n) => n,
                _ => {
                    return Err(AwsError::invalid_setting(
                        Setting::MaxRetries,
                        "Invalid maximum attempts",
                        format!(
                            "{source} is {value:?}; it must be a whole number from 1 to {}. Fix it, or set {}, which takes precedence.",
                            MAX_RETRIES_LIMIT + 1,
                            Setting::MaxRetries.name(front)
                        ),
                    ))
                }
            },
            None => DEFAULT_MAX_ATTEMPTS,
        }
    };
    let mode = if let Some(mode) = settings.retry_mode {
        mode
    } else {
        let from_env = env_var(env, "AWS_RETRY_MODE")
            .map(|v| (v, "the AWS_RETRY_MODE environment variable".to_string()));
        let from_profile =
            || profile_value("retry_mode").map(|v| (v, format!("`retry_mode` in {profile_label}")));
        match from_env.or_else(from_profile) {
            Some((value, source)) => RetryMode::parse(&value).ok_or_else(|| {
                AwsError::invalid_setting(
                    Setting::RetryMode,
                    "Invalid retry mode",
                    format!(
                        "{source} is {value:?}; valid values are {}. Fix it, or set {}, which takes precedence.",
                        RetryMode::NAMES.map(|n| format!("\"{n}\"")).join(" and "),
                        Setting::RetryMode.name(front)
                    ),
                )
            })?,
            None => RetryMode::Standard,
        }
    };
    let config = match mode {
        RetryMode::Standard => RetryConfig::standard(),
        RetryMode::Adaptive => RetryConfig::adaptive(),
    };
    Ok(config.with_max_attempts(max_attempts))
}

/// Validates an endpoint URL: absolute http(s) with a host, no query or fragment.
pub(crate) fn validate_endpoint(value: &str, source: &str) -> Result<String, AwsError> {
    let shown = if value.contains('@') {
        "<redacted: contains user info>"
    } else {
        value
    };
    let err = |why: &str| {
        AwsError::invalid_setting(
            Setting::EndpointApigateway,
            "Invalid API Gateway endpoint",
            format!("{source} = \"{shown}\" {why}. Use an absolute URL such as https://apigateway.us-east-1.amazonaws.com or http://127.0.0.1:5000."),
        )
    };
    let url =
        url::Url::parse(value.trim()).map_err(|e| err(&format!("is not a valid URL ({e})")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(err("must use http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err("must not contain user info"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err("must not contain a query or fragment"));
    }
    Ok(value.trim().trim_end_matches('/').to_string())
}

fn endpoint_override(settings: &AwsSettings, env: &Env) -> Result<Option<String>, AwsError> {
    if let Some(endpoint) = &settings.endpoint_apigateway {
        let name = Setting::EndpointApigateway.name(settings.front_end);
        return validate_endpoint(endpoint, &name).map(Some);
    }
    let ignore = env_var(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if ignore {
        return Ok(None);
    }
    for name in ["AWS_ENDPOINT_URL_API_GATEWAY", "AWS_ENDPOINT_URL"] {
        if let Some(value) = env_var(env, name) {
            return validate_endpoint(&value, &format!("the {name} environment variable"))
                .map(Some);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::retry::RetryMode as SdkRetryMode;

    fn base_env() -> Vec<(&'static str, &'static str)> {
        vec![("HOME", "/home/u")]
    }

    async fn run(
        settings: &AwsSettings,
        vars: &[(&str, &str)],
        files: &[(&str, &str)],
    ) -> Result<Resolved, AwsError> {
        let mut all = base_env();
        all.extend_from_slice(vars);
        resolve(settings, &Env::from_slice(&all), &Fs::from_slice(files)).await
    }

    fn with_region() -> AwsSettings {
        AwsSettings {
            region: Some("eu-west-1".into()),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn region_precedence_settings_env_profile() {
        let files = [(
            "/home/u/.aws/config",
            "[default]\nregion = ap-south-1\n[profile p]\nregion = sa-east-1\n",
        )];
        let r = run(&with_region(), &[("AWS_REGION", "us-west-2")], &files)
            .await
            .unwrap();
        assert_eq!(r.region, "eu-west-1");
        let r = run(
            &AwsSettings::default(),
            &[
                ("AWS_REGION", "us-west-2"),
                ("AWS_DEFAULT_REGION", "us-east-2"),
            ],
            &files,
        )
        .await
        .unwrap();
        assert_eq!(r.region, "us-west-2");
        let r = run(
            &AwsSettings::default(),
            &[("AWS_DEFAULT_REGION", "us-east-2")],
            &files,
        )
        .await
        .unwrap();
        assert_eq!(r.region, "us-east-2");
        let r = run(&AwsSettings::default(), &[], &files).await.unwrap();
        assert_eq!(r.region, "ap-south-1");
        let s = AwsSettings {
            profile: Some("p".into()),
            ..Default::default()
        };
        let r = run(&s, &[], &files).await.unwrap();
        assert_eq!(r.region, "sa-east-1");
        let r = run(&AwsSettings::default(), &[("AWS_PROFILE", "p")], &files)
            .await
            .unwrap();
        assert_eq!(r.region, "sa-east-1");
    }

    #[tokio::test]
    async fn missing_region_says_where_to_set_it() {
        let e = run(&AwsSettings::default(), &[], &[]).await.unwrap_err();
        assert_eq!(e.attribute(), Some("region"));
        assert!(
            e.detail().contains("AWS_REGION")
                && e.detail().contains("`region`")
                && e.detail().contains("profile \"default\"")
        );
        let e = run(
            &AwsSettings {
                region: Some("us east 1".into()),
                ..Default::default()
            },
            &[],
            &[],
        )
        .await
        .unwrap_err();
        assert_eq!(e.attribute(), Some("region"));
    }

    #[tokio::test]
    async fn messages_name_the_settings_of_their_front_end() {
        let cli = |settings: AwsSettings| AwsSettings {
            front_end: FrontEnd::Cli,
            ..settings
        };
        let files = [(
            "/home/u/.aws/config",
            "[profile dev]\nregion = eu-north-1\n",
        )];
        /// Settings, environment, then what the provider's and the CLI's message say.
        type Case = (
            AwsSettings,
            Vec<(&'static str, &'static str)>,
            &'static str,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                AwsSettings::default(),
                vec![],
                "Set `region`, the AWS_REGION",
                "Set --region, the AWS_REGION (or AWS_DEFAULT_REGION)",
            ),
            (
                AwsSettings {
                    profile: Some("prod".into()),
                    ..with_region()
                },
                vec![],
                "Fix `profile` or `shared_config_files` / `shared_credentials_files`.",
                "Fix --profile or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE.",
            ),
            (
                AwsSettings {
                    endpoint_apigateway: Some("notaurl".into()),
                    ..with_region()
                },
                vec![],
                "`endpoints.apigateway` = \"notaurl\" is not a valid URL",
                "--endpoint-url = \"notaurl\" is not a valid URL",
            ),
            (
                AwsSettings {
                    max_retries: Some(MAX_RETRIES_LIMIT + 1),
                    ..with_region()
                },
                vec![],
                "`max_retries` is 101;",
                "--max-retries is 101;",
            ),
            (
                with_region(),
                vec![("AWS_MAX_ATTEMPTS", "0")],
                "or set `max_retries`, which",
                "or set --max-retries, which",
            ),
            (
                with_region(),
                vec![("AWS_RETRY_MODE", "fast")],
                "or set `retry_mode`, which",
                "or set --retry-mode, which",
            ),
            (
                AwsSettings {
                    profile: Some(" ".into()),
                    ..with_region()
                },
                vec![],
                "`profile` is empty.",
                "--profile is empty.",
            ),
        ];
        for (settings, vars, provider, command_line) in cases {
            let e = run(&settings, &vars, &files).await.unwrap_err();
            assert!(e.detail().contains(provider), "{provider:?} not in {e}");
            let e = run(&cli(settings), &vars, &files).await.unwrap_err();
            assert!(
                e.detail().contains(command_line),
                "{command_line:?} not in {e}"
            );
            for terraform_name in [
                "provider's",
                "`profile`",
                "endpoints.",
                "max_retries",
                "retry_mode`",
                "shared_",
            ] {
                assert!(
                    !e.summary().contains(terraform_name) && !e.detail().contains(terraform_name),
                    "{terraform_name} in {e}"
                );
            }
        }
    }

    #[tokio::test]
    async fn static_credentials_need_both_halves_and_never_leak() {
        let s = AwsSettings {
            access_key: Some("AKIDEXAMPLE".into()),
            secret_key: Some("SUPERSECRET".into()),
            token: Some("TOKENSECRET".into()),
            ..with_region()
        };
        let r = run(&s, &[], &[]).await.unwrap();
        let creds = r.static_credentials.clone().unwrap();
        assert_eq!(creds.secret_access_key(), "SUPERSECRET");
        assert_eq!(creds.session_token(), Some("TOKENSECRET"));
        let printed = format!("{r:?}");
        assert!(
            !printed.contains("SUPERSECRET") && !printed.contains("TOKENSECRET"),
            "{printed}"
        );

        let e = run(
            &AwsSettings {
                access_key: Some("AKID".into()),
                ..with_region()
            },
            &[],
            &[],
        )
        .await
        .unwrap_err();
        assert_eq!(e.attribute(), Some("secret_key"));
        let e = run(
            &AwsSettings {
                secret_key: Some("SUPERSECRET".into()),
                ..with_region()
            },
            &[],
            &[],
        )
        .await
        .unwrap_err();
        assert_eq!(e.attribute(), Some("access_key"));
        assert!(!e.to_string().contains("SUPERSECRET"));
        let e = run(
            &AwsSettings {
                token: Some("TOKENSECRET".into()),
                ..with_region()
            },
            &[],
            &[],
        )
        .await
        .unwrap_err();
        assert_eq!(e.attribute(), Some("token"));
        assert!(!format!("{e:?}").contains("TOKENSECRET"));
    }

    #[tokio::test]
    async fn retry_settings_precedence_and_validation() {
        let files = [(
            "/home/u/.aws/config",
            "[default]\nmax_attempts = 4\nretry_mode = adaptive\n",
        )];
        let r = run(&with_region(), &[], &[]).await.unwrap();
        assert_eq!(r.retry.max_attempts(), DEFAULT_MAX_ATTEMPTS);
        assert_eq!(r.retry.mode(), SdkRetryMode::Standard);
        let r = run(&with_region(), &[], &files).await.unwrap();
        assert_eq!(
            (r.retry.max_attempts(), r.retry.mode()),
            (4, SdkRetryMode::Adaptive)
        );
        let r = run(
            &with_region(),
            &[("AWS_MAX_ATTEMPTS", "7"), ("AWS_RETRY_MODE", "standard")],
            &files,
        )
        .await
        .unwrap();
        assert_eq!(
            (r.retry.max_attempts(), r.retry.mode()),
            (7, SdkRetryMode::Standard)
        );
        let s = AwsSettings {
            max_retries: Some(0),
            retry_mode: Some(RetryMode::Adaptive),
            ..with_region()
        };
        let r = run(
            &s,
            &[("AWS_MAX_ATTEMPTS", "garbage"), ("AWS_RETRY_MODE", "fast")],
            &[],
        )
        .await
        .unwrap();
        assert_eq!(
            (r.retry.max_attempts(), r.retry.mode()),
            (1, SdkRetryMode::Adaptive)
        );
        let r = run(&with_region(), &[("AWS_RETRY_MODE", "legacy")], &[])
            .await
            .unwrap();
        assert_eq!(r.retry.mode(), SdkRetryMode::Standard);

        let e = run(
            &AwsSettings {
                max_retries: Some(MAX_RETRIES_LIMIT + 1),
                ..with_region()
            },
            &[],
            &[],
        )
        .await
        .unwrap_err();
        assert_eq!(e.attribute(), Some("max_retries"));
        for bad in ["0", "-1", "three", "1e3", "99999999999"] {
            let e = run(&with_region(), &[("AWS_MAX_ATTEMPTS", bad)], &[])
                .await
                .unwrap_err();
            assert_eq!(e.attribute(), Some("max_retries"), "{bad}");
            assert!(e.detail().contains("AWS_MAX_ATTEMPTS"), "{bad}");
        }
        let e = run(&with_region(), &[("AWS_RETRY_MODE", "fast")], &[])
            .await
            .unwrap_err();
        assert_eq!(e.attribute(), Some("retry_mode"));
        assert!(e.detail().contains("AWS_RETRY_MODE") && e.detail().contains("\"fast\""));
        let bad_profile = [("/home/u/.aws/config", "[default]\nretry_mode = turbo\n")];
        let e = run(&with_region(), &[], &bad_profile).await.unwrap_err();
        assert_eq!(e.attribute(), Some("retry_mode"));
        assert!(e.detail().contains("profile \"default\""));
    }

    #[test]
    fn max_retries_has_one_range_check_naming_the_front_ends_setting() {
        assert_eq!(parse_max_retries(0, FrontEnd::Provider).unwrap(), 0);
        assert_eq!(
            parse_max_retries(i64::from(MAX_RETRIES_LIMIT), FrontEnd::Cli).unwrap(),
            MAX_RETRIES_LIMIT
        );
        for bad in [-1, i64::from(MAX_RETRIES_LIMIT) + 1, i64::MAX] {
            let e = parse_max_retries(bad, FrontEnd::Provider).unwrap_err();
            assert_eq!(e.attribute(), Some("max_retries"));
            assert_eq!(e.summary(), "Invalid max_retries");
            assert!(e.detail().starts_with(&format!("`max_retries` is {bad};")));
            let e = parse_max_retries(bad, FrontEnd::Cli).unwrap_err();
            assert_eq!(e.summary(), "Invalid --max-retries");
            assert!(e.detail().starts_with(&format!("--max-retries is {bad};")));
        }
    }

    #[tokio::test]
    async fn endpoint_override_validation_and_env() {
        let s = AwsSettings {
            endpoint_apigateway: Some("http://127.0.0.1:5000/".into()),
            ..with_region()
        };
        let r = run(&s, &[("AWS_ENDPOINT_URL", "http://ignored:1")], &[])
            .await
            .unwrap();
        assert_eq!(
            r.endpoint_override.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(r.endpoint_description, "http://127.0.0.1:5000");

        let r = run(
            &with_region(),
            &[
                ("AWS_ENDPOINT_URL", "http://generic:1"),
                ("AWS_ENDPOINT_URL_API_GATEWAY", "http://specific:2"),
            ],
            &[],
        )
        .await
        .unwrap();
        assert_eq!(r.endpoint_override.as_deref(), Some("http://specific:2"));
        let r = run(
            &with_region(),
            &[
                ("AWS_ENDPOINT_URL", "http://generic:1"),
                ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ],
            &[],
        )
        .await
        .unwrap();
        assert_eq!(r.endpoint_override, None);
        assert_eq!(
            r.endpoint_description,
            "https://apigateway.eu-west-1.amazonaws.com"
        );

        for bad in [
            "not a url",
            "ftp://host",
            "http://",
            "http://host/?a=b",
            "https://user:pw@host",
        ] {
            let s = AwsSettings {
                endpoint_apigateway: Some(bad.into()),
                ..with_region()
            };
            let e = run(&s, &[], &[]).await.unwrap_err();
            assert_eq!(e.attribute(), Some("endpoints.apigateway"), "{bad}");
            assert!(!e.detail().contains("pw@"), "{}", e.detail());
        }
        let e = run(
            &with_region(),
            &[("AWS_ENDPOINT_URL_API_GATEWAY", "localhost:4566")],
            &[],
        )
        .await
        .unwrap_err();
        assert!(
            e.detail().contains("AWS_ENDPOINT_URL_API_GATEWAY"),
            "{}",
            e.detail()
        );
    }

    #[tokio::test]
    async fn profiles_and_shared_files() {
        let files = [
            ("/cfg/a", "[profile dev]\nregion = eu-north-1\n"),
            ("/cfg/creds", "[dev]\naws_access_key_id = x\n"),
        ];
        let s = AwsSettings {
            profile: Some("dev".into()),
            shared_config_files: vec!["/cfg/a".into()],
            shared_credentials_files: vec!["/cfg/creds".into()],
            ..Default::default()
        };
        let r = run(&s, &[], &files).await.unwrap();
        assert_eq!(r.region, "eu-north-1");
        assert_eq!(r.profile_name.as_deref(), Some("dev"));

        let s = AwsSettings {
            profile: Some("prod".into()),
            shared_config_files: vec!["/cfg/a".into()],
            ..with_region()
        };
        let e = run(&s, &[], &files).await.unwrap_err();
        assert_eq!(e.attribute(), Some("profile"));
        assert!(e.detail().contains("dev"), "{}", e.detail());

        let s = AwsSettings {
            shared_config_files: vec!["/cfg/missing".into()],
            ..with_region()
        };
        let e = run(&s, &[], &files).await.unwrap_err();
        assert_eq!(e.attribute(), Some("shared_config_files"));
        let s = AwsSettings {
            shared_credentials_files: vec!["~/creds".into()],
            ..with_region()
        };
        let r = run(&s, &[], &[("/home/u/creds", "")]).await;
        assert!(r.is_ok(), "{:?}", r.err());
    }

    #[tokio::test]
    async fn assume_role_validation_and_defaults() {
        let role = |arn: &str| AwsSettings {
            assume_role: Some(AssumeRole {
                role_arn: arn.into(),
                ..Default::default()
            }),
            ..with_region()
        };
        let r = run(&role("arn:aws:iam::123456789012:role/deploy"), &[], &[])
            .await
            .unwrap();
        let ar = r.assume_role.unwrap();
        assert_eq!(ar.session_name, DEFAULT_SESSION_NAME);
        assert_eq!(ar.duration, None);
        for bad in [
            "",
            "role/deploy",
            "arn:aws:iam::123456789012:user/bob",
            "arn:aws:s3:::bucket",
        ] {
            let e = run(&role(bad), &[], &[]).await.unwrap_err();
            assert_eq!(e.attribute(), Some("assume_role.role_arn"), "{bad}");
        }
        let mut s = role("arn:aws:iam::123456789012:role/deploy");
        s.assume_role.as_mut().unwrap().duration_seconds = Some(60);
        assert_eq!(
            run(&s, &[], &[]).await.unwrap_err().attribute(),
            Some("assume_role.duration")
        );
        s.assume_role.as_mut().unwrap().duration_seconds = Some(3600);
        s.assume_role.as_mut().unwrap().session_name = Some("has space".into());
        assert_eq!(
            run(&s, &[], &[]).await.unwrap_err().attribute(),
            Some("assume_role.session_name")
        );
        s.assume_role.as_mut().unwrap().session_name = Some("ci-run".into());
        s.assume_role.as_mut().unwrap().external_id = Some("x".into());
        assert_eq!(
            run(&s, &[], &[]).await.unwrap_err().attribute(),
            Some("assume_role.external_id")
        );
        s.assume_role.as_mut().unwrap().external_id = Some("ext-123".into());
        let ar = run(&s, &[], &[]).await.unwrap().assume_role.unwrap();
        assert_eq!(ar.duration, Some(Duration::from_secs(3600)));
        assert_eq!(ar.session_name, "ci-run");
    }
}
