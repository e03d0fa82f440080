//! The `tfplugin6.Provider` gRPC service: decodes requests against the schemas, delegates to
//! the [`Provider`] and encodes the answers. Owns cancellation: `StopProvider` cancels every
//! read in flight, and a read that ignores its token is abandoned with "Read cancelled".
//!
//! Values are never logged: configuration may hold secrets (e.g. sensitive attributes).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::codec::{self, CodecError};
use super::diagnostic::Diagnostic;
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use super::provider::Provider;
use super::schema::{Schema, Type};
use super::value::Value;
use super::wire;

/// A schema together with its implied cty type, computed once.
struct TypedSchema {
    schema: Schema,
    ty: Type,
}

impl TypedSchema {
    fn new(schema: Schema) -> TypedSchema {
        let ty = codec::block_type(&schema.block);
        TypedSchema { schema, ty }
    }
}

pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    provider_schema: TypedSchema,
    data_sources: BTreeMap<String, TypedSchema>,
    /// Parent of every read's token; StopProvider cancels it and installs a fresh one.
    stop: Mutex<CancellationToken>,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: Arc<P>) -> ProviderService<P> {
        let provider_schema = TypedSchema::new(provider.provider_schema());
        let data_sources = provider
            .data_source_schemas()
            .into_iter()
            .map(|(name, schema)| (name, TypedSchema::new(schema)))
            .collect();
        ProviderService {
            provider,
            provider_schema,
            data_sources,
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    fn read_token(&self) -> CancellationToken {
        match self.stop.lock() {
            Ok(token) => token.child_token(),
            Err(poisoned) => poisoned.into_inner().child_token(),
        }
    }

    /// Cancels reads in flight and lets later reads run again.
    fn stop_reads(&self) {
        let mut guard = match self.stop.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard.cancel();
        *guard = CancellationToken::new();
    }

    fn data_source(&self, type_name: &str) -> Result<&TypedSchema, Diagnostic> {
        self.data_sources.get(type_name).ok_or_else(|| {
            let known: Vec<&str> = self.data_sources.keys().map(String::as_str).collect();
            Diagnostic::error(
                "Unknown data source",
                format!(
                    "This provider has no data source {type_name:?}; it offers: {}.",
                    known.join(", ")
                ),
            )
        })
    }
}

/// Decodes a request's `DynamicValue` (msgpack, or JSON when only that is set).
fn decode(value: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diagnostic> {
    let result = match value {
        None => return Ok(Value::Null),
        Some(v) if v.msgpack.is_empty() && !v.json.is_empty() => codec::decode_json(&v.json, ty),
        Some(v) if v.msgpack.is_empty() => return Ok(Value::Null),
        Some(v) => codec::decode_msgpack(&v.msgpack, ty),
    };
    result.map_err(invalid_configuration)
}

fn invalid_configuration(err: CodecError) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(
        "Invalid configuration value",
        format!(
            "Terraform sent a value the provider could not decode at {}: {}. This is a bug in \
             Terraform or the provider; please report it with the Terraform version.",
            err.location(),
            err.message
        ),
    );
    diagnostic.path = err.path;
    diagnostic
}

fn unsupported(what: &str) -> Vec<pb::Diagnostic> {
    wire::diagnostics(&[Diagnostic::error(
        format!("Unsupported: {what}"),
        "This provider offers data sources only; it has no managed resources, ephemeral \
         resources or functions.",
    )])
}

/// Checks and encodes a read result: it must be a wholly known object of the schema's type.
fn encode_state(state: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostic> {
    if !matches!(state, Value::Object(_)) || !state.is_wholly_known() {
        return Err(Diagnostic::error(
            "Provider produced an invalid result",
            "The data source returned a result that is not a wholly known object. This is a bug \
             in the provider; please report it.",
        ));
    }
    let msgpack = codec::encode_msgpack(state, ty).map_err(|err| {
        Diagnostic::error(
            "Provider produced an invalid result",
            format!(
                "The data source result does not match its schema at {}: {}. This is a bug in \
                 the provider; please report it.",
                err.location(),
                err.message
            ),
        )
    })?;
    Ok(pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: true,
        move_resource_state: false,
        generate_resource_config: false,
    }
}

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        tracing::debug!("GetMetadata");
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            data_sources: self
                .data_sources
                .keys()
                .map(|name| pb::get_metadata::DataSourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        tracing::debug!("GetProviderSchema");
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(wire::schema(&self.provider_schema.schema)),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(name, typed)| (name.clone(), wire::schema(&typed.schema)))
                .collect(),
            server_capabilities: Some(server_capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        tracing::debug!("ValidateProviderConfig");
        let request = request.into_inner();
        let diagnostics = match decode(request.config.as_ref(), &self.provider_schema.ty) {
            Ok(config) => self.provider.validate_provider_config(&config).await,
            Err(diagnostic) => vec![diagnostic],
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: wire::diagnostics(&diagnostics),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(type_name = %request.type_name, "ValidateDataResourceConfig");
        let diagnostics = match self
            .data_source(&request.type_name)
            .and_then(|typed| decode(request.config.as_ref(), &typed.ty))
        {
            Ok(config) => {
                self.provider
                    .validate_data_source_config(&request.type_name, &config)
                    .await
            }
            Err(diagnostic) => vec![diagnostic],
        };
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: wire::diagnostics(&diagnostics),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(terraform_version = %request.terraform_version, "ConfigureProvider");
        let diagnostics = match decode(request.config.as_ref(), &self.provider_schema.ty) {
            Ok(config) => {
                self.provider
                    .configure(&config, &request.terraform_version)
                    .await
            }
            Err(diagnostic) => vec![diagnostic],
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: wire::diagnostics(&diagnostics),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let request = request.into_inner();
        tracing::debug!(type_name = %request.type_name, "ReadDataSource");
        let failed = |diagnostics: Vec<Diagnostic>| {
            Ok(Response::new(pb::read_data_source::Response {
                state: None,
                diagnostics: wire::diagnostics(&diagnostics),
                deferred: None,
            }))
        };
        let typed = match self.data_source(&request.type_name) {
            Ok(typed) => typed,
            Err(diagnostic) => return failed(vec![diagnostic]),
        };
        let config = match decode(request.config.as_ref(), &typed.ty) {
            Ok(config) => config,
            Err(diagnostic) => return failed(vec![diagnostic]),
        };
        let cancel = self.read_token();
        let read = self
            .provider
            .read_data_source(&request.type_name, &config, cancel.clone());
        // Race the read against StopProvider so a provider that ignores its token still stops.
        let result = tokio::select! {
            result = read => result,
            () = cancel.cancelled() => Err(vec![Diagnostic::error(
                "Read cancelled",
                "Terraform asked the provider to stop (e.g. Ctrl-C) while this data source was \
                 being read. Run the command again to read it.",
            )]),
        };
        match result {
            Err(diagnostics) => {
                tracing::debug!(type_name = %request.type_name, "ReadDataSource failed");
                failed(diagnostics)
            }
            Ok((state, warnings)) => match encode_state(&state, &typed.ty) {
                Ok(state) => Ok(Response::new(pb::read_data_source::Response {
                    state: Some(state),
                    diagnostics: wire::diagnostics(&warnings),
                    deferred: None,
                })),
                Err(diagnostic) => {
                    let mut all = warnings;
                    all.push(diagnostic);
                    failed(all)
                }
            },
        }
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("StopProvider: cancelling reads in flight");
        self.stop_reads();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }

    // ---- RPCs a data-source-only provider answers with "nothing here" ----

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(Default::default()))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(Default::default()))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let what = format!("resource {:?}", request.get_ref().type_name);
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: unsupported(&what),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let what = format!("resource {:?}", request.get_ref().type_name);
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: None,
            diagnostics: unsupported(&what),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let what = format!("resource {:?}", request.get_ref().type_name);
        Ok(Response::new(pb::read_resource::Response {
            diagnostics: unsupported(&what),
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let what = format!("resource {:?}", request.get_ref().type_name);
        Ok(Response::new(pb::plan_resource_change::Response {
            diagnostics: unsupported(&what),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let what = format!("resource {:?}", request.get_ref().type_name);
        Ok(Response::new(pb::apply_resource_change::Response {
            diagnostics: unsupported(&what),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let what = format!("resource {:?}", request.get_ref().type_name);
        Ok(Response::new(pb::import_resource_state::Response {
            diagnostics: unsupported(&what),
            ..Default::default()
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let what = format!("ephemeral resource {:?}", request.get_ref().type_name);
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: unsupported(&what),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let what = format!("ephemeral resource {:?}", request.get_ref().type_name);
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: unsupported(&what),
            ..Default::default()
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!(
                    "This provider has no function {:?}.",
                    request.get_ref().name
                ),
                function_argument: None,
            }),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::provider::{ProviderInfo, ReadResult};
    use crate::plugin::schema::{Attribute, Block};
    use std::time::Duration;

    /// A provider whose reads echo the config plus a computed attribute; `slow` reads wait
    /// forever and ignore their token, `unknown` reads return an unknown value.
    struct Echo;

    #[tonic::async_trait]
    impl Provider for Echo {
        fn info(&self) -> ProviderInfo {
            ProviderInfo {
                name: "echo",
                version: "0.0.1",
                address: "registry.terraform.io/test/echo",
            }
        }
        fn provider_schema(&self) -> Schema {
            Schema::default()
        }
        fn data_source_schemas(&self) -> BTreeMap<String, Schema> {
            let block = Block {
                attributes: vec![
                    Attribute::required("mode", Type::String, ""),
                    Attribute::computed("out", Type::String, ""),
                ],
                ..Block::default()
            };
            BTreeMap::from([("echo".to_string(), Schema { version: 0, block })])
        }
        async fn validate_provider_config(&self, _config: &Value) -> Vec<Diagnostic> {
            Vec::new()
        }
        async fn configure(&self, _config: &Value, _tf: &str) -> Vec<Diagnostic> {
            Vec::new()
        }
        async fn validate_data_source_config(&self, _t: &str, _c: &Value) -> Vec<Diagnostic> {
            Vec::new()
        }
        async fn read_data_source(
            &self,
            _type_name: &str,
            config: &Value,
            _cancel: CancellationToken,
        ) -> ReadResult {
            match config.get("mode").as_str() {
                Some("slow") => {
                    futures::future::pending::<()>().await;
                    unreachable!()
                }
                Some("unknown") => Ok((
                    Value::object([("mode", Value::string("unknown")), ("out", Value::Unknown)]),
                    Vec::new(),
                )),
                _ => Ok((
                    Value::object([
                        ("mode", config.get("mode").clone()),
                        ("out", Value::string("done")),
                    ]),
                    Vec::new(),
                )),
            }
        }
    }

    fn read_request(mode: &str) -> Request<pb::read_data_source::Request> {
        let ty = codec::block_type(&Echo.data_source_schemas()["echo"].block);
        let config = Value::object([("mode", Value::string(mode)), ("out", Value::Null)]);
        Request::new(pb::read_data_source::Request {
            type_name: "echo".into(),
            config: Some(pb::DynamicValue {
                msgpack: codec::encode_msgpack(&config, &ty).unwrap(),
                json: Vec::new(),
            }),
            ..Default::default()
        })
    }

    #[tokio::test]
    async fn read_returns_the_encoded_state() {
        let service = ProviderService::new(Arc::new(Echo));
        let response = service
            .read_data_source(read_request("fast"))
            .await
            .unwrap()
            .into_inner();
        assert!(response.diagnostics.is_empty());
        let ty = &service.data_sources["echo"].ty;
        let state = codec::decode_msgpack(&response.state.unwrap().msgpack, ty).unwrap();
        assert_eq!(state.get("out"), &Value::string("done"));
    }

    #[tokio::test]
    async fn unknown_results_become_an_error() {
        let service = ProviderService::new(Arc::new(Echo));
        let response = service
            .read_data_source(read_request("unknown"))
            .await
            .unwrap()
            .into_inner();
        assert!(response.state.is_none());
        assert_eq!(
            response.diagnostics[0].summary,
            "Provider produced an invalid result"
        );
    }

    #[tokio::test]
    async fn stop_provider_cancels_a_read_that_ignores_its_token() {
        let service = Arc::new(ProviderService::new(Arc::new(Echo)));
        let reader = service.clone();
        let read = tokio::spawn(async move { reader.read_data_source(read_request("slow")).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        service
            .stop_provider(Request::new(pb::stop_provider::Request {}))
            .await
            .unwrap();
        let response = tokio::time::timeout(Duration::from_secs(5), read)
            .await
            .expect("read did not stop")
            .unwrap()
            .unwrap()
            .into_inner();
        assert_eq!(response.diagnostics[0].summary, "Read cancelled");
        // Later reads are not cancelled by the earlier stop.
        let again = service
            .read_data_source(read_request("fast"))
            .await
            .unwrap()
            .into_inner();
        assert!(again.diagnostics.is_empty());
    }

    #[tokio::test]
    async fn malformed_config_is_a_diagnostic() {
        let service = ProviderService::new(Arc::new(Echo));
        let mut request = read_request("fast");
        request.get_mut().config = Some(pb::DynamicValue {
            msgpack: vec![0xc1, 0xff],
            json: Vec::new(),
        });
        let response = service
            .read_data_source(request)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            response.diagnostics[0].summary,
            "Invalid configuration value"
        );
        let response = service
            .read_data_source(Request::new(pb::read_data_source::Request {
                type_name: "nope".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(response.diagnostics[0].summary, "Unknown data source");
    }
}
