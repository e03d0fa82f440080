//! Reading one REST API into a [`Snapshot`]: the resource pages (methods and integrations
//! embedded), the API's settings, authorizers, models, request validators and gateway
//! responses. Calls grow with pages, not with methods.
//!
//! All-or-nothing: any failed call or page fails the whole read, so a hash is never computed
//! from partial data. Everything runs inside the returned future (no spawned tasks), so
//! dropping it cancels the read; each call is bounded by the client's timeouts and
//! [`FetchOptions::deadline`] bounds the whole read.

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};

use super::client::ApiGateway;
use super::convert;
use super::error::{from_sdk, AwsError, AwsErrorKind, CallContext};
use crate::snapshot::{Integration, Snapshot};

/// API Gateway's largest page.
pub const MAX_PAGE_SIZE: i32 = 500;
/// A read that needs more pages than this is treated as a runaway pagination.
pub const MAX_PAGES: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// `limit` of every paginated call, 1..=500.
    pub page_size: i32,
    /// GetIntegration fallback calls in flight at once (see [`FetchStats::integration_fallbacks`]).
    pub fallback_concurrency: usize,
    /// Upper bound for the whole read; `None` relies on the per-call SDK timeouts.
    pub deadline: Option<Duration>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            page_size: MAX_PAGE_SIZE,
            fallback_concurrency: 4,
            deadline: None,
        }
    }
}

/// What a read cost, for logs and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// GetResources pages read.
    pub resource_pages: u32,
    /// Pages of authorizers, models, validators and gateway responses, plus GetRestApi.
    pub other_requests: u32,
    /// Methods whose integration was not embedded in GetResources and was read with
    /// GetIntegration (including those where it turned out not to exist).
    pub integration_fallbacks: u32,
}

impl FetchStats {
    pub fn requests(&self) -> u32 {
        self.resource_pages + self.other_requests + self.integration_fallbacks
    }
}

/// Checks the id before any call: AWS ids are 10 lowercase alphanumerics, emulators may
/// differ, so any non-empty ASCII alphanumeric id is accepted.
pub fn validate_rest_api_id(rest_api_id: &str) -> Result<(), AwsError> {
    let problem = if rest_api_id.trim().is_empty() {
        Some("is empty")
    } else if rest_api_id.len() > 128 {
        Some("is too long")
    } else if !rest_api_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Some("contains characters other than letters and digits")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(AwsError::new(
            AwsErrorKind::InvalidInput,
            "Invalid rest_api_id",
            format!(
                "`rest_api_id` {problem} ({:?}). Use the REST API's id, e.g. \"a1b2c3d4e5\" \
                 (aws_api_gateway_rest_api.NAME.id), not its name, ARN or URL.",
                rest_api_id.chars().take(80).collect::<String>()
            ),
        )
        .with_attribute("rest_api_id")),
    }
}

/// Reads the REST API `rest_api_id` into a [`Snapshot`].
pub async fn fetch_snapshot(
    api: &ApiGateway,
    rest_api_id: &str,
    options: &FetchOptions,
) -> Result<Snapshot, AwsError> {
    fetch_snapshot_with_stats(api, rest_api_id, options)
        .await
        .map(|(snapshot, _)| snapshot)
}

/// [`fetch_snapshot`], also returning what the read cost.
pub async fn fetch_snapshot_with_stats(
    api: &ApiGateway,
    rest_api_id: &str,
    options: &FetchOptions,
) -> Result<(Snapshot, FetchStats), AwsError> {
    validate_rest_api_id(rest_api_id)?;
    if !(1..=MAX_PAGE_SIZE).contains(&options.page_size) {
        return Err(AwsError::new(
            AwsErrorKind::InvalidInput,
            "Invalid page size",
            format!(
                "The page size is {}; API Gateway accepts 1 to {MAX_PAGE_SIZE}.",
                options.page_size
            ),
        ));
    }
    let read = read_all(api, rest_api_id, options);
    match options.deadline {
        None => read.await,
        Some(deadline) => tokio::time::timeout(deadline, read).await.map_err(|_| {
            AwsError::new(
                AwsErrorKind::Timeout,
                format!("Reading REST API {rest_api_id} timed out"),
                format!(
                    "The read did not finish within {deadline:?} at {} (throttling or a slow \
                     endpoint). Nothing was hashed. Try again, or raise the time limit.",
                    api.endpoint()
                ),
            )
        })?,
    }
}

async fn read_all(
    api: &ApiGateway,
    id: &str,
    options: &FetchOptions,
) -> Result<(Snapshot, FetchStats), AwsError> {
    let limit = options.page_size;
    let started = std::time::Instant::now();
    let (
        rest_api,
        (resources, resource_pages),
        (authorizers, a_pages),
        (models, m_pages),
        (request_validators, v_pages),
        (gateway_responses, g_pages),
    ) = futures::try_join!(
        get_rest_api(api, id),
        get_resources(api, id, limit),
        get_authorizers(api, id, limit),
        get_models(api, id, limit),
        get_request_validators(api, id, limit),
        get_gateway_responses(api, id, limit),
    )?;
    let mut snapshot = Snapshot {
        rest_api,
        resources,
        authorizers,
        models,
        request_validators,
        gateway_responses,
    };
    let integration_fallbacks =
        fill_missing_integrations(api, id, &mut snapshot, options.fallback_concurrency).await?;
    let stats = FetchStats {
        resource_pages,
        other_requests: 1 + a_pages + m_pages + v_pages + g_pages,
        integration_fallbacks,
    };
    tracing::debug!(
        rest_api_id = id,
        ?stats,
        resources = snapshot.resources.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "read REST API"
    );
    Ok((snapshot, stats))
}

pub(super) fn context<'a>(
    api: &'a ApiGateway,
    id: &'a str,
    operation: &'static str,
    sub_path: impl Into<String>,
    page: Option<u32>,
) -> CallContext<'a> {
    CallContext {
        operation,
        page,
        rest_api_id: id,
        sub_path: sub_path.into(),
        region: api.region(),
        endpoint: api.endpoint(),
        front_end: api.front_end(),
    }
}

/// One page: its items and the `position` of the next page, if any.
pub(super) type Page<T> = (Vec<T>, Option<String>);

/// Follows `position` until it is absent, failing on any failed page and on a token that
/// repeats (a server-side pagination loop would otherwise spin forever or duplicate items).
/// Returns the items and the number of pages read.
pub(super) async fn paginate<'a, T, F, Fut>(
    ctx: CallContext<'a>,
    mut read_page: F,
) -> Result<(Vec<T>, u32), AwsError>
where
    F: FnMut(Option<String>, CallContext<'a>) -> Fut,
    Fut: Future<Output = Result<Page<T>, AwsError>>,
{
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut position: Option<String> = None;
    let mut page = 1u32;
    loop {
        let page_ctx = CallContext {
            page: Some(page),
            ..ctx.clone()
        };
        let (batch, next) = read_page(position.take(), page_ctx.clone()).await?;
        items.extend(batch);
        // An empty token is treated like an absent one.
        let Some(next) = next.filter(|p| !p.is_empty()) else {
            return Ok((items, page));
        };
        if !seen.insert(next.clone()) {
            return Err(page_ctx.malformed(format_args!(
                "the pagination token returned after page {page} was already returned by an earlier page (a pagination loop)"
            )));
        }
        if page >= MAX_PAGES {
            return Err(page_ctx.malformed(format_args!("more than {MAX_PAGES} pages; stopping")));
        }
        position = Some(next);
        page += 1;
    }
}

async fn get_rest_api(api: &ApiGateway, id: &str) -> Result<crate::snapshot::RestApi, AwsError> {
    let ctx = context(api, id, "GetRestApi", "", None);
    let _permit = api.permit().await?;
    let out = api
        .sdk()
        .get_rest_api()
        .rest_api_id(id)
        .send()
        .await
        .map_err(|e| from_sdk(e, &ctx))?;
    // GetRestApiOutput carries the RestApi's fields directly; rebuild the shape convert expects.
    let endpoint = out.endpoint_configuration().cloned();
    let api_value = aws_sdk_apigateway::types::RestApi::builder()
        .set_id(out.id().map(str::to_owned))
        .set_policy(out.policy().map(str::to_owned))
        .set_binary_media_types(Some(out.binary_media_types().to_vec()))
        .set_minimum_compression_size(out.minimum_compression_size())
        .set_api_key_source(out.api_key_source().cloned())
        .set_endpoint_configuration(endpoint)
        .disable_execute_api_endpoint(out.disable_execute_api_endpoint())
        .build();
    Ok(convert::rest_api(&api_value, id))
}

async fn get_resources(
    api: &ApiGateway,
    id: &str,
    limit: i32,
) -> Result<(Vec<crate::snapshot::Resource>, u32), AwsError> {
    paginate(
        context(api, id, "GetResources", "/resources", None),
        |position, ctx| async move {
            let _permit = api.permit().await?;
            let out = api
                .sdk()
                .get_resources()
                .rest_api_id(id)
                .embed("methods")
                .limit(limit)
                .set_position(position)
                .send()
                .await
                .map_err(|e| from_sdk(e, &ctx))?;
            let items = out
                .items()
                .iter()
                .map(convert::resource)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ctx.malformed(e))?;
            Ok((items, out.position().map(str::to_owned)))
        },
    )
    .await
}

/// Reads every page of one per-API collection. Each SDK operation has its own fluent builder
/// type, so a macro (rather than a generic function) lets one body serve all of them.
macro_rules! collection {
    ($api:expr, $id:expr, $limit:expr, $operation:literal, $path:literal, $call:ident, $convert:path) => {
        paginate(
            context($api, $id, $operation, $path, None),
            |position, ctx| async move {
                let _permit = $api.permit().await?;
                let out = $api
                    .sdk()
                    .$call()
                    .rest_api_id($id)
                    .limit($limit)
                    .set_position(position)
                    .send()
                    .await
                    .map_err(|e| from_sdk(e, &ctx))?;
                let items = out
                    .items()
                    .iter()
                    .map($convert)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| ctx.malformed(e))?;
                Ok((items, out.position().map(str::to_owned)))
            },
        )
        .await
    };
}

async fn get_authorizers(
    api: &ApiGateway,
    id: &str,
    limit: i32,
) -> Result<(Vec<crate::snapshot::Authorizer>, u32), AwsError> {
    collection!(
        api,
        id,
        limit,
        "GetAuthorizers",
        "/authorizers",
        get_authorizers,
        convert::authorizer
    )
}

async fn get_models(
    api: &ApiGateway,
    id: &str,
    limit: i32,
) -> Result<(Vec<crate::snapshot::Model>, u32), AwsError> {
    collection!(
        api,
        id,
        limit,
        "GetModels",
        "/models",
        get_models,
        convert::model
    )
}

async fn get_request_validators(
    api: &ApiGateway,
    id: &str,
    limit: i32,
) -> Result<(Vec<crate::snapshot::RequestValidator>, u32), AwsError> {
    collection!(
        api,
        id,
        limit,
        "GetRequestValidators",
        "/requestvalidators",
        get_request_validators,
        convert::request_validator
    )
}

/// AWS documents this collection as unpaginated; `position` is still followed in case an
/// implementation pages it.
async fn get_gateway_responses(
    api: &ApiGateway,
    id: &str,
    limit: i32,
) -> Result<(Vec<crate::snapshot::GatewayResponse>, u32), AwsError> {
    collection!(
        api,
        id,
        limit,
        "GetGatewayResponses",
        "/gatewayresponses",
        get_gateway_responses,
        convert::gateway_response
    )
}

/// Fallback for methods whose integration GetResources did not embed.
///
/// `embed=methods` normally returns each method with its `methodIntegration`; a method
/// without one either has no integration (possible while an API is being built) or was
/// returned by an implementation that does not embed integrations. GetIntegration tells the
/// two apart: NotFound (or an answer without an integration type) means the method really has
/// no integration. These calls are counted in
/// [`FetchStats::integration_fallbacks`] so a live API that needs them shows up in logs/tests.
async fn fill_missing_integrations(
    api: &ApiGateway,
    id: &str,
    snapshot: &mut Snapshot,
    concurrency: usize,
) -> Result<u32, AwsError> {
    let missing: Vec<(usize, String, String)> = snapshot
        .resources
        .iter()
        .enumerate()
        .flat_map(|(index, resource)| {
            resource
                .methods
                .iter()
                .filter(|(_, method)| method.integration.is_none())
                .map(move |(verb, _)| (index, resource.id.clone(), verb.clone()))
        })
        .collect();
    let count = u32::try_from(missing.len()).unwrap_or(u32::MAX);
    let found: Vec<(usize, String, Option<Integration>)> = futures::stream::iter(missing)
        .map(|(index, resource_id, verb)| async move {
            let integration = get_integration(api, id, &resource_id, &verb).await?;
            Ok::<_, AwsError>((index, verb, integration))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    for (index, verb, integration) in found {
        if let Some(method) = snapshot.resources[index].methods.get_mut(&verb) {
            method.integration = integration;
        }
    }
    Ok(count)
}

async fn get_integration(
    api: &ApiGateway,
    id: &str,
    resource_id: &str,
    verb: &str,
) -> Result<Option<Integration>, AwsError> {
    let ctx = context(
        api,
        id,
        "GetIntegration",
        format!("/resources/{resource_id}/methods/{verb}/integration"),
        None,
    );
    let _permit = api.permit().await?;
    match api
        .sdk()
        .get_integration()
        .rest_api_id(id)
        .resource_id(resource_id)
        .http_method(verb)
        .send()
        .await
    {
        // An integration always has a type; an answer without one (moto returns `{}` where AWS
        // returns 404) also means "no integration".
        Ok(out) if out.r#type().is_none() => Ok(None),
        Ok(out) => {
            let integration = aws_sdk_apigateway::types::Integration::builder()
                .set_type(out.r#type().cloned())
                .set_http_method(out.http_method().map(str::to_owned))
                .set_uri(out.uri().map(str::to_owned))
                .set_connection_type(out.connection_type().cloned())
                .set_connection_id(out.connection_id().map(str::to_owned))
                .set_credentials(out.credentials().map(str::to_owned))
                .set_request_parameters(out.request_parameters().cloned())
                .set_request_templates(out.request_templates().cloned())
                .set_passthrough_behavior(out.passthrough_behavior().map(str::to_owned))
                .set_content_handling(out.content_handling().cloned())
                .timeout_in_millis(out.timeout_in_millis())
                .set_cache_namespace(out.cache_namespace().map(str::to_owned))
                .set_cache_key_parameters(Some(out.cache_key_parameters().to_vec()))
                .set_tls_config(out.tls_config().cloned())
                .set_integration_responses(out.integration_responses().cloned())
                .build();
            Ok(Some(convert::integration(&integration)))
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(from_sdk(e, &ctx)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_api_id_validation() {
        for ok in ["a1b2c3d4e5", "ABC123", "x"] {
            assert!(validate_rest_api_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "   ",
            "abc/def",
            "abc def",
            "abc\n",
            "arn:aws:apigateway:us-east-1::/restapis/abc",
            "ü",
        ] {
            let e = validate_rest_api_id(bad).unwrap_err();
            assert_eq!(e.attribute(), Some("rest_api_id"), "{bad:?}");
            assert_eq!(e.kind(), AwsErrorKind::InvalidInput);
        }
    }
}
