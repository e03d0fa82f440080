//! A tiny provider on the generic plugin server, for trying the protocol layer by hand without
//! AWS: `cargo run --example plugin_echo -- --debug`, then point Terraform at it with the
//! printed `TF_REATTACH_PROVIDERS`. Its data source `echo` returns its `input` as `output`.
//! Configuration: `greeting` (optional) and `token` (sensitive); `mode = "loud"|"quiet"`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use gwtrigger::plugin::{
    Attribute, Block, Diagnostic, Provider, ProviderInfo, ReadResult, Schema, Type, Value,
};
use tokio_util::sync::CancellationToken;

struct Echo;

#[tonic::async_trait]
impl Provider for Echo {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: "echo",
            version: "0.0.1",
            address: "registry.terraform.io/example/echo",
        }
    }

    fn provider_schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block {
                description: "Echo provider (protocol layer example).".into(),
                attributes: vec![
                    Attribute::optional("mode", Type::String, "\"loud\" or \"quiet\"."),
                    Attribute::optional("token", Type::String, "A secret.").sensitive(),
                ],
                blocks: Vec::new(),
            },
        }
    }

    fn data_source_schemas(&self) -> BTreeMap<String, Schema> {
        let block = Block {
            description: "Returns its input.".into(),
            attributes: vec![
                Attribute::required("input", Type::String, "What to echo."),
                Attribute::computed("output", Type::String, "The input, echoed."),
            ],
            blocks: Vec::new(),
        };
        BTreeMap::from([("echo".to_string(), Schema { version: 0, block })])
    }

    async fn validate_provider_config(&self, config: &Value) -> Vec<Diagnostic> {
        match config.get("mode") {
            Value::String(mode) if mode != "loud" && mode != "quiet" => {
                vec![
                    Diagnostic::error("Invalid mode", "mode must be \"loud\" or \"quiet\".")
                        .at("mode"),
                ]
            }
            _ => Vec::new(),
        }
    }

    async fn configure(&self, _config: &Value, _terraform_version: &str) -> Vec<Diagnostic> {
        Vec::new()
    }

    async fn validate_data_source_config(
        &self,
        _type_name: &str,
        _config: &Value,
    ) -> Vec<Diagnostic> {
        Vec::new()
    }

    async fn read_data_source(
        &self,
        _type_name: &str,
        config: &Value,
        _cancel: CancellationToken,
    ) -> ReadResult {
        let input = config.get("input").clone();
        Ok((
            Value::object([("input", input.clone()), ("output", input)]),
            Vec::new(),
        ))
    }
}

fn main() -> ExitCode {
    gwtrigger::plugin::run(Echo)
}
