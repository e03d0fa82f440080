//! The gwtrigger provider: the provider block and the data sources, expressed through the
//! generic [`crate::plugin`] server. Thin glue: decode configuration, call [`crate::inspect`],
//! encode the result. All API Gateway knowledge lives below, in `aws`, `canonical` and `hash`.

mod config;
mod data_gwtrigger;
mod data_stage;
mod duration;
mod schema;

use std::collections::BTreeMap;

use tokio::sync::RwLock;
use tokio_util::sync::CancellationToken;

use crate::aws::{self, ApiGateway, AwsSettings, PendingClient};
use crate::plugin::{Diagnostic, Provider, ProviderInfo, ReadResult, Schema, Value};

/// Full source address users put in `required_providers`.
pub const ADDRESS: &str = "registry.terraform.io/gwtrigger/gwtrigger";

/// What `ConfigureProvider` left behind for the reads.
enum Configured {
    /// ConfigureProvider has not been called (Terraform always calls it before a read).
    No,
    /// The provider block held values unknown until apply.
    Deferred,
    /// One shared client for every read, so parallel data sources share connections and the
    /// retry/throttling budget; built in the background from ConfigureProvider on.
    Ready(PendingClient),
}

pub struct GwtriggerProvider {
    configured: RwLock<Configured>,
}

impl Default for GwtriggerProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl GwtriggerProvider {
    pub fn new() -> Self {
        GwtriggerProvider {
            configured: RwLock::new(Configured::No),
        }
    }

    async fn client(&self) -> Result<ApiGateway, Vec<Diagnostic>> {
        let started = std::time::Instant::now();
        let client = self.client_when_ready().await;
        // How long a read waited for the client that ConfigureProvider started building.
        tracing::debug!(
            waited_ms = started.elapsed().as_millis() as u64,
            ready = client.is_ok(),
            "waited for the API Gateway client"
        );
        client
    }

    async fn client_when_ready(&self) -> Result<ApiGateway, Vec<Diagnostic>> {
        let pending = self.pending_client().await?;
        pending
            .get()
            .await
            .map_err(|err| vec![config::diagnostic(&err)])
    }

    async fn pending_client(&self) -> Result<PendingClient, Vec<Diagnostic>> {
        match &*self.configured.read().await {
            Configured::Ready(pending) => Ok(pending.clone()),
            Configured::Deferred => Err(vec![Diagnostic::error(
                "Provider configuration not known yet",
                "The provider \"gwtrigger\" block uses values that are only known after apply, \
                 so the API cannot be read during this run. Use values known at plan time \
                 (variables, literals) in the provider block, or apply the resources they \
                 come from first.",
            )]),
            Configured::No => Err(vec![Diagnostic::error(
                "Provider not configured",
                "Terraform did not configure the gwtrigger provider before reading a data source. \
                 This is a bug in Terraform or gwtrigger; please report it.",
            )]),
        }
    }
}

#[tonic::async_trait]
impl Provider for GwtriggerProvider {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: "gwtrigger",
            version: crate::VERSION,
            address: ADDRESS,
        }
    }

    fn provider_schema(&self) -> Schema {
        schema::provider()
    }

    fn data_source_schemas(&self) -> BTreeMap<String, Schema> {
        BTreeMap::from([
            (
                data_gwtrigger::TYPE_NAME.to_string(),
                data_gwtrigger::schema(),
            ),
            (data_stage::TYPE_NAME.to_string(), data_stage::schema()),
        ])
    }

    async fn validate_provider_config(&self, config: &Value) -> Vec<Diagnostic> {
        config::settings(config).err().unwrap_or_default()
    }

    async fn configure(&self, config: &Value, _terraform_version: &str) -> Vec<Diagnostic> {
        if !config.is_wholly_known() {
            *self.configured.write().await = Configured::Deferred;
            return Vec::new();
        }
        let settings: AwsSettings = match config::settings(config) {
            Ok(settings) => settings,
            Err(diagnostics) => return diagnostics,
        };
        match aws::start_client(&settings).await {
            Ok(pending) => {
                *self.configured.write().await = Configured::Ready(pending);
                Vec::new()
            }
            Err(err) => vec![config::diagnostic(&err)],
        }
    }

    async fn validate_data_source_config(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Vec<Diagnostic> {
        match type_name {
            data_gwtrigger::TYPE_NAME => data_gwtrigger::validate(config),
            data_stage::TYPE_NAME => data_stage::validate(config),
            other => vec![unknown_data_source(other)],
        }
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
        cancel: CancellationToken,
    ) -> ReadResult {
        match type_name {
            data_gwtrigger::TYPE_NAME => {
                let request = data_gwtrigger::request(config)?;
                let client = self.client().await?;
                data_gwtrigger::read(&client, config, &request, cancel).await
            }
            data_stage::TYPE_NAME => {
                let request = data_stage::request(config)?;
                data_stage::read(&self.client().await?, &request, cancel).await
            }
            other => Err(vec![unknown_data_source(other)]),
        }
    }
}

fn unknown_data_source(type_name: &str) -> Diagnostic {
    Diagnostic::error(
        "Unknown data source",
        format!(
            "gwtrigger has no data source \"{type_name}\". Check the spelling, or upgrade the \
             provider if the data source is newer than version {}.",
            crate::VERSION
        ),
    )
}
