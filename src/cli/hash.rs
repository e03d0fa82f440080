//! `gwtrigger hash`: the data source's hash, from the command line.

use clap::Args;
use serde_json::json;

use crate::aws::FetchOptions;
use crate::canonical::{Aspect, Options};
use crate::inspect;

use super::{CliError, ConnectionArgs};

#[derive(Debug, Args)]
pub struct HashArgs {
    /// Id of the REST API.
    #[arg(long, value_name = "ID")]
    pub rest_api_id: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[arg(long, value_delimiter = ',', value_name = "ASPECT", help = exclude_help())]
    pub exclude: Vec<String>,
    /// Print hash, routes, ids and counts as JSON.
    #[arg(long, conflicts_with = "document")]
    pub json: bool,
    /// Print the canonical document that was hashed (its sha1 is the hash).
    #[arg(long)]
    pub document: bool,
    /// Page size for GetResources (1-500). The hash does not depend on it.
    #[arg(long, default_value_t = 500, hide = true, value_parser = clap::value_parser!(i32).range(1..=500))]
    pub page_size: i32,
}

fn exclude_help() -> String {
    format!(
        "Aspects to leave out of the hash (repeat or comma-separate): {}",
        Aspect::valid_names()
    )
}

pub async fn run(args: &HashArgs) -> Result<String, CliError> {
    let options =
        Options::excluding_names(args.exclude.iter().map(String::as_str)).map_err(|bad| {
            CliError::new(
                "Unknown exclude aspect",
                format!(
                    "{bad:?} is not an aspect gwtrigger can exclude. Valid names: {}.",
                    Aspect::valid_names()
                ),
            )
        })?;
    let client = args.connection.client().await?;
    let fetch = FetchOptions {
        page_size: args.page_size,
        ..FetchOptions::default()
    };
    let inspection = inspect::inspect(&client, &args.rest_api_id, &options, &fetch)
        .await
        .map_err(CliError::from)?;
    if args.document {
        return Ok(format!(
            "{}\n",
            String::from_utf8_lossy(&inspection.document)
        ));
    }
    let fp = inspection.fingerprint;
    if args.json {
        let value = json!({
            "rest_api_id": args.rest_api_id,
            "hash": fp.hash,
            "contract": crate::canonical::CONTRACT_VERSION,
            "routes": fp.routes,
            "ids": fp.ids,
            "resource_count": fp.resource_count,
            "method_count": fp.method_count,
            "integration_count": fp.integration_count,
        });
        return Ok(format!("{value:#}\n"));
    }
    Ok(format!("{}\n", fp.hash))
}
