//! Code generated at build time from `proto/` (see `build.rs`): prost messages, tonic servers
//! and clients. Public so tests (and tools) can talk to the server with the same definitions.
#![allow(missing_docs, clippy::all, clippy::pedantic)]

/// Terraform plugin protocol 6.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's controller and stdio services.
pub mod go_plugin {
    tonic::include_proto!("plugin");
}

/// The standard gRPC health service.
pub mod health {
    tonic::include_proto!("grpc.health.v1");
}
