//! Everything that talks to AWS: building the SDK client from [`AwsSettings`] and reading a
//! REST API into a [`crate::snapshot::Snapshot`]. The only module that does network IO.

mod settings;

pub use settings::{AssumeRole, AwsSettings, RetryMode};
