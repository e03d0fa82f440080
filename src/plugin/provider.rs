//! The contract between the protocol server and a provider implementation.
//!
//! The server (this module's siblings) owns the wire: gRPC, msgpack, schemas on the wire,
//! cancellation. An implementation of [`Provider`] owns meaning: what the schemas are and what a
//! read returns. Nothing here knows about API Gateway.

use std::collections::BTreeMap;

use tokio_util::sync::CancellationToken;

use super::{Diagnostic, Schema, Value};

/// Identity printed for `--version` and used in reattach output.
#[derive(Debug, Clone)]
pub struct ProviderInfo {
    /// Short type name, e.g. `gwtrigger`.
    pub name: &'static str,
    pub version: &'static str,
    /// Full source address, e.g. `registry.terraform.io/gwtrigger/gwtrigger`.
    pub address: &'static str,
}

/// A read either produces a wholly known state (plus any warnings) or fails with diagnostics.
pub type ReadResult = Result<(Value, Vec<Diagnostic>), Vec<Diagnostic>>;

#[tonic::async_trait]
pub trait Provider: Send + Sync + 'static {
    fn info(&self) -> ProviderInfo;

    fn provider_schema(&self) -> Schema;

    /// Data source schemas keyed by full type name (e.g. `gwtrigger`, `gwtrigger_stage`).
    fn data_source_schemas(&self) -> BTreeMap<String, Schema>;

    /// Static checks of the provider block; values may be unknown here.
    async fn validate_provider_config(&self, config: &Value) -> Vec<Diagnostic>;

    /// Takes the provider configuration; must not make network calls.
    async fn configure(&self, config: &Value, terraform_version: &str) -> Vec<Diagnostic>;

    /// Static checks of a data source block; values may be unknown here.
    async fn validate_data_source_config(&self, type_name: &str, config: &Value)
        -> Vec<Diagnostic>;

    /// Reads a data source. `config` is wholly known. `cancel` fires on StopProvider.
    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
        cancel: CancellationToken,
    ) -> ReadResult;
}
