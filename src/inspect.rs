//! The one-way pipeline shared by the data source and the CLI: read the live API (IO), then
//! canonicalise and hash it (pure).

use crate::aws::{self, ApiGateway, AwsError, FetchOptions};
use crate::canonical::{self, Options};
use crate::hash::{self, Fingerprint};
use crate::snapshot::Snapshot;

/// What one inspection of a REST API produced.
pub struct Inspection {
    pub snapshot: Snapshot,
    /// The canonical document that `fingerprint.hash` is the sha1 of.
    pub document: Vec<u8>,
    pub fingerprint: Fingerprint,
}

/// Reads `rest_api_id` and fingerprints it. Fails rather than hash partial data.
pub async fn inspect(
    client: &ApiGateway,
    rest_api_id: &str,
    options: &Options,
    fetch: &FetchOptions,
) -> Result<Inspection, AwsError> {
    let snapshot = aws::fetch_snapshot(client, rest_api_id, fetch).await?;
    let started = std::time::Instant::now();
    let rendered = canonical::render(&snapshot, options);
    let fingerprint = hash::fingerprint_of(&snapshot, &rendered);
    tracing::debug!(
        methods = fingerprint.method_count,
        elapsed_us = started.elapsed().as_micros() as u64,
        "hashed REST API"
    );
    Ok(Inspection {
        snapshot,
        document: rendered.document,
        fingerprint,
    })
}
