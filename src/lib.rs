//! gwtrigger: a Terraform provider (and CLI) that hashes the live API Gateway REST API, so that
//! `aws_api_gateway_deployment` redeploys when, and only when, deployable content changes.
//!
//! Data flows one way:
//! `aws` (IO) → [`snapshot::Snapshot`] (plain data) → [`canonical`] document (pure) →
//! [`hash`] (pure) → [`provider`] (Terraform glue over the generic [`plugin`] server) and [`cli`].

pub mod aws;
pub mod canonical;
pub mod cli;
pub mod explain;
pub mod hash;
pub mod inspect;
pub mod mirror;
pub mod plugin;
pub mod provider;
pub mod release;
pub mod snapshot;
pub mod stage;

/// The crate version, which is also the provider version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
