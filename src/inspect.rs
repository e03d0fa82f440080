//! The one-way pipeline shared by the data source and the CLI: read the live API (IO), then
//! canonicalise and hash it (pure).

use crate::aws::{self, ApiGateway, AwsError, FetchOptions};
use crate::canonical::{self, Aspect, Options};
use crate::hash::{self, Fingerprint};
use crate::snapshot::Snapshot;

/// What one inspection of a REST API produced.
pub struct Inspection {
    pub snapshot: Snapshot,
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
    let fingerprint = hash::fingerprint(&snapshot, options);
    tracing::debug!(
        methods = fingerprint.method_count,
        elapsed_us = started.elapsed().as_micros() as u64,
        "hashed REST API"
    );
    Ok(Inspection {
        snapshot,
        fingerprint,
    })
}

/// Parses aspect names for `exclude`. On failure returns the offending name and the full list
/// of valid names, for the caller's error message.
pub fn exclude_options<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Options, String> {
    let mut options = Options::default();
    for name in names {
        match Aspect::parse(name) {
            Some(aspect) => {
                options.exclude.insert(aspect);
            }
            None => return Err(name.to_string()),
        }
    }
    Ok(options)
}

/// Valid `exclude` names, for messages and docs.
pub fn aspect_names() -> Vec<&'static str> {
    Aspect::ALL.iter().map(|a| a.name()).collect()
}

/// The canonical document for `--document`: exactly the bytes that were hashed.
pub fn document(snapshot: &Snapshot, options: &Options) -> Vec<u8> {
    canonical::document(snapshot, options)
}
