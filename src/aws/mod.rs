//! Everything that talks to AWS: building the SDK client from [`AwsSettings`] and reading a
//! REST API into a [`crate::snapshot::Snapshot`]. The only module that does network IO.
//!
//! - `settings`: the connection settings as plain data (provider block / CLI flags).
//! - `naming`: how messages name a setting for the front end the settings came from.
//! - `resolve`: settings + environment + shared files → validated client parameters.
//! - [`client`](mod@client): the [`ApiGateway`] client (no network when built).
//! - [`fetch`]: the paginated, all-or-nothing read into a `Snapshot`.
//! - `raw`: the SDK sends each call; the JSON answer is read into the snapshot's types.
//! - [`error`]: [`AwsError`], shaped like a Terraform diagnostic.
//! - `attempts`: what the SDK's retry loop did for a call (for messages and the terminal).

mod attempts;
pub mod client;
pub mod error;
pub mod fetch;
mod naming;
mod raw;
mod resolve;
mod settings;
pub mod stage;

pub use client::{
    client, client_with_options, start_client, ApiGateway, ClientOptions, PendingClient,
    TIME_BUDGET_ENV_VARS,
};
pub use error::{AwsError, AwsErrorKind};
pub use fetch::{
    fetch_snapshot, fetch_snapshot_with_stats, validate_rest_api_id, FetchOptions, FetchStats,
};
pub use naming::{FrontEnd, Setting};
pub use resolve::{
    parse_max_retries, DEFAULT_MAX_ATTEMPTS, DEFAULT_SESSION_NAME, MAX_RETRIES_LIMIT,
};
pub use settings::{AssumeRole, AwsSettings, RetryMode};
pub use stage::{
    fetch_api_key_digests, fetch_base_path_mappings, fetch_deployed_stage, fetch_stage_context,
    fetch_stage_names, fetch_usage_plans,
};
