//! Building the API Gateway client ([`ApiGateway`]) from [`AwsSettings`].
//!
//! Building makes no network call: settings are validated and resolved by
//! `super::resolve`, credentials stay lazy (they are fetched on the first request), and the
//! region never comes from EC2 instance metadata. The retry and timeout configuration is
//! always set explicitly, so the SDK never parses (and panics on) bad environment values.
//! [`start_client`] validates at once and builds in the background (see [`PendingClient`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::{BoxFuture, FutureExt, Shared};

use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::os_shim_internal::{Env, Fs};
use tokio::sync::{Semaphore, SemaphorePermit};

pub use aws_sdk_apigateway::Client;

use super::attempts::AttemptRecorder;
use super::error::{AwsError, AwsErrorKind};
use super::naming::FrontEnd;
use super::resolve::{resolve, Resolved};
use super::settings::AwsSettings;

/// Time budgets and concurrency of one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Establishing a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// One HTTP attempt, response body included.
    pub attempt_timeout: Duration,
    /// One call, all retries and back-off included.
    pub operation_timeout: Duration,
    /// The longest wait between two attempts of a call (the SDK's default is 20 s).
    pub max_backoff: Duration,
    /// Requests in flight at once through this client, across all reads sharing it
    /// (Terraform reads data sources in parallel; API Gateway allows ~10 rps per account).
    pub max_concurrent_requests: usize,
    /// Print each retry on stderr as it happens: for a person watching a terminal, never for
    /// Terraform.
    pub announce_retries: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(30),
            operation_timeout: Duration::from_secs(300),
            max_backoff: Duration::from_secs(20),
            max_concurrent_requests: 8,
            announce_retries: false,
        }
    }
}

/// Environment variables that override [`ClientOptions`]' time budgets, in milliseconds: an
/// operations and test knob (e.g. a short attempt timeout to test slow endpoints, a short
/// back-off against an emulator), not a provider argument.
pub const TIME_BUDGET_ENV_VARS: [&str; 4] = [
    "GWTRIGGER_CONNECT_TIMEOUT_MS",
    "GWTRIGGER_ATTEMPT_TIMEOUT_MS",
    "GWTRIGGER_OPERATION_TIMEOUT_MS",
    "GWTRIGGER_MAX_BACKOFF_MS",
];

impl ClientOptions {
    /// The defaults with the time budgets set by [`TIME_BUDGET_ENV_VARS`], when set.
    pub fn from_env() -> Result<ClientOptions, AwsError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<ClientOptions, AwsError> {
        let mut options = ClientOptions::default();
        let [connect, attempt, operation, backoff] = TIME_BUDGET_ENV_VARS;
        for (name, slot) in [
            (connect, &mut options.connect_timeout),
            (attempt, &mut options.attempt_timeout),
            (operation, &mut options.operation_timeout),
            (backoff, &mut options.max_backoff),
        ] {
            let Some(value) = var(name).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            match value.trim().parse::<u64>() {
                Ok(ms) if (1..=3_600_000).contains(&ms) => *slot = Duration::from_millis(ms),
                _ => {
                    return Err(AwsError::new(
                        AwsErrorKind::InvalidSettings,
                        format!("Invalid {name}"),
                        format!(
                            "The environment variable {name} is {value:?}; it must be a whole \
                             number of milliseconds from 1 to 3600000. Fix or unset it."
                        ),
                    ))
                }
            }
        }
        Ok(options)
    }
}

/// The API Gateway client plus what error messages need to say where it points.
/// Cheap to clone; clones share the connection pool and the concurrency limit.
#[derive(Debug, Clone)]
pub struct ApiGateway {
    client: Client,
    region: String,
    endpoint: String,
    limiter: Arc<Semaphore>,
    front_end: FrontEnd,
    /// The shared configuration (credentials, region, retries, timeouts) for clients of other
    /// services that must behave the same (CloudWatch Logs for `explain`); `None` when the
    /// client was built elsewhere.
    shared_config: Option<Arc<aws_types::SdkConfig>>,
}

impl ApiGateway {
    /// Wraps an SDK client built elsewhere (tests, custom configuration).
    pub fn from_client(
        client: Client,
        region: impl Into<String>,
        endpoint: impl Into<String>,
        max_concurrent_requests: usize,
    ) -> Self {
        ApiGateway {
            client,
            region: region.into(),
            endpoint: endpoint.into(),
            limiter: Arc::new(Semaphore::new(max_concurrent_requests.max(1))),
            front_end: FrontEnd::default(),
            shared_config: None,
        }
    }

    /// The configuration this client was built from (with the assumed role's credentials,
    /// when a role is assumed).
    pub fn shared_config(&self) -> Option<&aws_types::SdkConfig> {
        self.shared_config.as_deref()
    }

    /// Names settings in this client's messages for `front_end` (default: the provider).
    pub fn for_front_end(mut self, front_end: FrontEnd) -> Self {
        self.front_end = front_end;
        self
    }

    /// The front end whose names this client's messages use.
    pub fn front_end(&self) -> FrontEnd {
        self.front_end
    }

    pub fn sdk(&self) -> &Client {
        &self.client
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The endpoint requests go to, for messages (an override, or AWS's regional endpoint).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Waits for a request slot; hold the permit for the duration of one call.
    pub(crate) async fn permit(&self) -> Result<SemaphorePermit<'_>, AwsError> {
        self.limiter.acquire().await.map_err(|_| {
            AwsError::new(
                AwsErrorKind::Internal,
                "API Gateway client closed",
                "The request limiter was closed while a read was running.",
            )
        })
    }
}

/// Builds the client with default [`ClientOptions`] (time budgets overridable by
/// [`TIME_BUDGET_ENV_VARS`]). No network call.
pub async fn client(settings: &AwsSettings) -> Result<ApiGateway, AwsError> {
    client_with_options(settings, &ClientOptions::from_env()?).await
}

/// A client being built on the runtime in the background; clones share the one client.
///
/// Building the SDK configuration loads the system's root certificates (it reads the CA bundle
/// and every file of the certificate directory), which Terraform would otherwise wait for in
/// ConfigureProvider, on the critical path of every plan. Started there and awaited by the
/// first read, it overlaps with the work Terraform does between the two calls.
#[derive(Clone)]
pub struct PendingClient {
    ready: Shared<BoxFuture<'static, Result<ApiGateway, AwsError>>>,
}

impl PendingClient {
    /// The client, once built (at once after the first wait).
    pub async fn get(&self) -> Result<ApiGateway, AwsError> {
        self.ready.clone().await
    }
}

impl fmt::Debug for PendingClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingClient")
            .field("ready", &self.ready.peek().is_some())
            .finish()
    }
}

/// Validates and resolves the settings now (every configuration error is returned here) and
/// starts building the client on the current Tokio runtime. No network call.
pub async fn start_client(settings: &AwsSettings) -> Result<PendingClient, AwsError> {
    let options = ClientOptions::from_env()?;
    let resolved = resolve(settings, &Env::real(), &Fs::real()).await?;
    // A blocking-pool thread, not a runtime task: a task spawned from a handler runs next on
    // the same worker (Tokio's LIFO slot) and would hold back the handler's own response for
    // the whole build. The build only awaits CPU work and file reads, never the network.
    let runtime = tokio::runtime::Handle::current();
    let task = tokio::task::spawn_blocking(move || runtime.block_on(build(resolved, &options)));
    let ready = async move {
        task.await.map_err(|e| {
            AwsError::new(
                AwsErrorKind::Internal,
                "Building the API Gateway client failed",
                format!(
                    "The background task that builds the client ended unexpectedly ({e}). \
                     This is a bug in gwtrigger; please report it."
                ),
            )
        })
    };
    Ok(PendingClient {
        ready: ready.boxed().shared(),
    })
}

/// Builds the client. Validates the settings and the AWS environment (region, retry,
/// endpoint variables, shared files); makes no network call.
pub async fn client_with_options(
    settings: &AwsSettings,
    options: &ClientOptions,
) -> Result<ApiGateway, AwsError> {
    let resolved = resolve(settings, &Env::real(), &Fs::real()).await?;
    Ok(build(resolved, options).await)
}

async fn build(resolved: Resolved, options: &ClientOptions) -> ApiGateway {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(options.connect_timeout)
        .operation_attempt_timeout(options.attempt_timeout)
        .operation_timeout(options.operation_timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(resolved.region.clone()))
        .retry_config(resolved.retry.clone().with_max_backoff(options.max_backoff))
        .timeout_config(timeouts)
        .profile_files(resolved.profile_files.clone());
    if let Some(profile) = &resolved.profile_name {
        loader = loader.profile_name(profile);
    }
    if let Some(credentials) = resolved.static_credentials.clone() {
        loader = loader.credentials_provider(credentials);
    }
    let sdk_config = loader.load().await;

    let mut config = aws_sdk_apigateway::config::Builder::from(&sdk_config);
    let mut shared = sdk_config.clone();
    if let Some(role) = &resolved.assume_role {
        // The base credentials (static, or the default chain) sign the sts:AssumeRole call;
        // the provider is lazy and caches/refreshes the role session.
        let mut builder = AssumeRoleProvider::builder(role.role_arn.clone())
            .session_name(role.session_name.clone())
            .configure(&sdk_config);
        if let Some(id) = &role.external_id {
            builder = builder.external_id(id.clone());
        }
        if let Some(duration) = role.duration {
            builder = builder.session_length(duration);
        }
        let provider = SharedCredentialsProvider::new(builder.build().await);
        shared = shared
            .to_builder()
            .credentials_provider(provider.clone())
            .build();
        config = config.credentials_provider(provider);
    }
    if let Some(endpoint) = &resolved.endpoint_override {
        config = config.endpoint_url(endpoint.clone());
    }
    config = config.interceptor(AttemptRecorder {
        announce_retries: options.announce_retries,
    });
    let mut api = ApiGateway::from_client(
        Client::from_conf(config.build()),
        resolved.region,
        resolved.endpoint_description,
        options.max_concurrent_requests,
    )
    .for_front_end(resolved.front_end);
    api.shared_config = Some(Arc::new(shared));
    api
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_come_from_the_environment_knobs() {
        let options = ClientOptions::from_vars(|name| match name {
            "GWTRIGGER_ATTEMPT_TIMEOUT_MS" => Some("250".into()),
            "GWTRIGGER_CONNECT_TIMEOUT_MS" => Some(" ".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(options.attempt_timeout, Duration::from_millis(250));
        let options = ClientOptions::from_vars(|name| {
            (name == "GWTRIGGER_MAX_BACKOFF_MS").then(|| "40".to_string())
        })
        .unwrap();
        assert_eq!(options.max_backoff, Duration::from_millis(40));
        assert_eq!(
            options.connect_timeout,
            ClientOptions::default().connect_timeout
        );
        for bad in ["0", "-5", "1.5", "soon", "3600001"] {
            let err = ClientOptions::from_vars(|name| {
                (name == "GWTRIGGER_OPERATION_TIMEOUT_MS").then(|| bad.to_string())
            })
            .unwrap_err();
            assert_eq!(err.kind(), AwsErrorKind::InvalidSettings);
            assert!(err.summary().contains("GWTRIGGER_OPERATION_TIMEOUT_MS"));
        }
    }
}
