//! A Terraform plugin-protocol-6 server on tonic: go-plugin handshake, AutoMTLS, msgpack
//! `DynamicValue`s, cancellation and shutdown. Generic: it serves any [`Provider`] and knows
//! nothing about API Gateway.
//!
//! The provider binary's `main` is just `gwtrigger::plugin::run(provider)`.

mod codec;
mod diagnostic;
mod go_plugin;
mod handshake;
mod logging;
pub mod proto;
mod provider;
mod run;
mod schema;
mod server;
mod service;
mod tls;
mod value;
mod wire;

pub use codec::{block_type, decode_json, decode_msgpack, encode_msgpack, CodecError};
pub use diagnostic::{Diagnostic, PathStep, Severity};
pub use provider::{Provider, ProviderInfo, ReadResult};
pub use run::run;
pub use schema::{Attribute, Block, NestedBlock, Nesting, Schema, Type};
pub use value::{Number, Value};
