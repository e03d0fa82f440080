//! A Terraform plugin-protocol-6 server on tonic: go-plugin handshake, AutoMTLS, msgpack
//! `DynamicValue`s, cancellation and shutdown. Generic: it serves any [`Provider`] and knows
//! nothing about API Gateway.

mod diagnostic;
mod provider;
mod schema;
mod value;

pub use diagnostic::{Diagnostic, PathStep, Severity};
pub use provider::{Provider, ProviderInfo, ReadResult};
pub use schema::{Attribute, Block, NestedBlock, Nesting, Schema, Type};
pub use value::{Number, Value};
