//! `data "gwtrigger"`: the redeployment hash of one REST API.

use std::collections::BTreeMap;

use tokio_util::sync::CancellationToken;

use crate::aws::{self, ApiGateway, FetchOptions, FrontEnd};
use crate::canonical::{Aspect, Options};
use crate::inspect;
use crate::plugin::{Attribute, Block, Diagnostic, ReadResult, Schema, Type, Value};

use super::config::{diagnostic, quoted_list};

pub const TYPE_NAME: &str = "gwtrigger";

pub fn schema() -> Schema {
    let strings = |t: fn(Box<Type>) -> Type| t(Box::new(Type::String));
    Schema {
        version: 0,
        block: Block {
            description: "Reads a live API Gateway REST API and returns a canonical hash of \
                          everything a deployment captures. Use `hash` as the \
                          `aws_api_gateway_deployment` trigger."
                .into(),
            attributes: vec![
                Attribute::required("rest_api_id", Type::String, "Id of the REST API to read."),
                Attribute::optional(
                    "exclude",
                    strings(Type::Set),
                    "Aspects to leave out of the hash: authorizers, gateway_responses, models, \
                     policy, request_validators, rest_api_settings.",
                ),
                Attribute::computed("id", Type::String, "The REST API id."),
                Attribute::computed(
                    "hash",
                    Type::String,
                    "sha1 (40 lowercase hex) of the canonical document; changes exactly when deployable content changes.",
                ),
                Attribute::computed(
                    "routes",
                    strings(Type::Map),
                    "\"VERB /path\" → sha1 of that route's canonical content.",
                ),
                Attribute::computed(
                    "ids",
                    strings(Type::List),
                    "Sorted resource ids and Terraform ids of methods (agm-…) and integrations (agi-…).",
                ),
                Attribute::computed("resource_count", Type::Number, "Number of resources, the root included."),
                Attribute::computed("method_count", Type::Number, "Number of methods."),
                Attribute::computed("integration_count", Type::Number, "Number of methods with an integration."),
            ],
            blocks: vec![],
        },
    }
}

/// A validated read request.
pub struct Request {
    pub rest_api_id: String,
    pub options: Options,
}

/// Static checks that can run at validate time (unknown values are skipped).
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if let Value::String(id) = config.get("rest_api_id") {
        if let Err(err) = aws::validate_rest_api_id(id, FrontEnd::Provider) {
            problems.push(diagnostic(&err));
        }
    }
    if let Err(problem) = exclude(config) {
        problems.push(problem);
    }
    problems
}

pub fn request(config: &Value) -> Result<Request, Vec<Diagnostic>> {
    let problems = validate(config);
    if !problems.is_empty() {
        return Err(problems);
    }
    let rest_api_id = config
        .get("rest_api_id")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let options = exclude(config).map_err(|d| vec![d])?;
    Ok(Request {
        rest_api_id,
        options,
    })
}

pub async fn read(
    client: &ApiGateway,
    config: &Value,
    request: &Request,
    cancel: CancellationToken,
) -> ReadResult {
    let fetch = FetchOptions::default();
    let inspection = tokio::select! {
        result = inspect::inspect(client, &request.rest_api_id, &request.options, &fetch) => {
            result.map_err(|err| vec![diagnostic(&err)])?
        }
        () = cancel.cancelled() => {
            return Err(vec![Diagnostic::error(
                "Read cancelled",
                "Terraform asked the provider to stop before the REST API was read completely. \
                 No hash was returned; run the plan again.",
            )]);
        }
    };
    let fp = inspection.fingerprint;
    // The snapshot is no longer needed: free it before the result is encoded (peak memory).
    drop(inspection.snapshot);
    let count = |n: usize| Value::int(i64::try_from(n).unwrap_or(i64::MAX));
    let state = Value::object([
        ("rest_api_id", Value::string(&request.rest_api_id)),
        // Echo the configured value exactly (null stays null, [] stays []).
        ("exclude", config.get("exclude").clone()),
        ("id", Value::string(&request.rest_api_id)),
        ("hash", Value::string(fp.hash)),
        (
            "routes",
            Value::Map(
                fp.routes
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect::<BTreeMap<_, _>>(),
            ),
        ),
        (
            "ids",
            Value::List(fp.ids.into_iter().map(Value::String).collect()),
        ),
        ("resource_count", count(fp.resource_count)),
        ("method_count", count(fp.method_count)),
        ("integration_count", count(fp.integration_count)),
    ]);
    Ok((state, Vec::new()))
}

fn exclude(config: &Value) -> Result<Options, Diagnostic> {
    let names: Vec<&str> = config
        .get("exclude")
        .elements()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    Options::excluding_names(names).map_err(|bad| {
        let valid: Vec<&str> = Aspect::ALL.iter().map(|a| a.name()).collect();
        Diagnostic::error(
            "Unknown exclude aspect",
            format!(
                "{bad:?} is not an aspect gwtrigger can exclude. Valid names: {}.",
                quoted_list(&valid)
            ),
        )
        .at("exclude")
    })
}
