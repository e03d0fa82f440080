//! Reading one REST API into a [`Snapshot`]: the resource pages (methods and integrations
//! embedded), the API's settings, authorizers, models, request validators and gateway
//! responses. Calls grow with pages, not with methods. Each answer is read as AWS sent it
//! (`super::raw`) into the snapshot's types.
//!
//! All-or-nothing: any failed call or page fails the whole read, so a hash is never computed
//! from partial data. Everything runs inside the returned future (no spawned tasks), so
//! dropping it cancels the read; each call is bounded by the client's timeouts and
//! [`FetchOptions::deadline`] bounds the whole read.

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use aws_sdk_apigateway::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures::{StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::client::ApiGateway;
use super::error::{AwsError, AwsErrorKind, CallContext};
use super::naming::{FrontEnd, Setting};
use super::raw::RawAnswer;
use crate::snapshot::{
    Authorizer, GatewayResponse, Method, Model, RequestValidator, Resource, RestApi, Snapshot,
};

/// API Gateway's largest page.
pub const MAX_PAGE_SIZE: i32 = 500;
/// A read that needs more pages than this is treated as a runaway pagination.
pub const MAX_PAGES: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// `limit` of every paginated call, 1..=500.
    pub page_size: i32,
    /// GetMethod fallback calls in flight at once (see [`FetchStats::method_fallbacks`]).
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
    /// Methods that GetResources answered without their body or integration, read whole
    /// with GetMethod.
    pub method_fallbacks: u32,
}

impl FetchStats {
    pub fn requests(&self) -> u32 {
        self.resource_pages + self.other_requests + self.method_fallbacks
    }
}

/// The one REST API id check, before any call, for both data sources and the CLI (`front`
/// picks how the message names the setting): AWS ids are 10 lowercase alphanumerics, emulators
/// may differ, so any non-empty ASCII alphanumeric id is accepted.
pub fn validate_rest_api_id(rest_api_id: &str, front: FrontEnd) -> Result<(), AwsError> {
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
            format!(
                "Invalid {}",
                Setting::RestApiId.name(front).trim_matches('`')
            ),
            format!(
                "{} {problem} ({:?}). Use the REST API's id, e.g. \"a1b2c3d4e5\"{}, not its \
                 name, ARN or URL.",
                Setting::RestApiId.name(front),
                rest_api_id.chars().take(80).collect::<String>(),
                match front {
                    FrontEnd::Provider => " (aws_api_gateway_rest_api.NAME.id)",
                    FrontEnd::Cli => " (aws apigateway get-rest-apis lists them)",
                }
            ),
        )
        .with_attribute(Setting::RestApiId.attribute())),
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
    validate_rest_api_id(rest_api_id, api.front_end())?;
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
        collection(
            api,
            id,
            ("GetResources", "/resources"),
            page!(api, id, limit, get_resources, embed("methods")),
            |r: &Resource| ("resource", vec![("id", &r.id), ("path", &r.path)]),
        ),
        collection(
            api,
            id,
            ("GetAuthorizers", "/authorizers"),
            page!(api, id, limit, get_authorizers),
            |a: &Authorizer| ("authorizer", vec![("id", &a.id), ("name", &a.name)]),
        ),
        collection(
            api,
            id,
            ("GetModels", "/models"),
            page!(api, id, limit, get_models),
            |m: &Model| ("model", vec![("id", &m.id), ("name", &m.name)]),
        ),
        collection(
            api,
            id,
            ("GetRequestValidators", "/requestvalidators"),
            page!(api, id, limit, get_request_validators),
            |v: &RequestValidator| ("request validator", vec![("id", &v.id), ("name", &v.name)]),
        ),
        // AWS documents this collection as unpaginated; `position` is followed all the same.
        collection(
            api,
            id,
            ("GetGatewayResponses", "/gatewayresponses"),
            page!(api, id, limit, get_gateway_responses),
            |g: &GatewayResponse| ("gateway response", vec![("responseType", &g.response_type)]),
        ),
    )?;
    let mut snapshot = Snapshot {
        rest_api,
        resources,
        authorizers,
        models,
        request_validators,
        gateway_responses,
    };
    let method_fallbacks =
        fill_partial_methods(api, id, &mut snapshot, options.fallback_concurrency).await?;
    let stats = FetchStats {
        resource_pages,
        other_requests: 1 + a_pages + m_pages + v_pages + g_pages,
        method_fallbacks,
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

/// One page of a collection as API Gateway answers it.
#[derive(Deserialize)]
struct Answered<T> {
    #[serde(rename = "item", default = "Vec::new")]
    items: Vec<T>,
    position: Option<String>,
}

/// One call: waits for a request slot, sends it with a [`RawAnswer`] attached, reads the body.
async fn call<T, O, E, Fut>(
    api: &ApiGateway,
    ctx: &CallContext<'_>,
    send: impl FnOnce(RawAnswer) -> Fut,
) -> Result<T, AwsError>
where
    T: DeserializeOwned,
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let _permit = api.permit().await?;
    let raw = RawAnswer::default();
    let sent = send(raw.clone()).await;
    raw.read(sent, ctx)
}

/// The SDK call for one page of a collection, from its `position`. Each operation has a
/// builder type of its own, so a macro (not a generic function) spells the chain once.
macro_rules! page {
    ($api:expr, $id:expr, $limit:expr, $operation:ident $(, $extra:ident($arg:expr))*) => {
        |position: Option<String>, raw: RawAnswer| {
            $api.sdk()
                .$operation()
                .rest_api_id($id)
                $(.$extra($arg))*
                .limit($limit)
                .set_position(position)
                .customize()
                .interceptor(raw)
                .send()
        }
    };
}
use page;

/// What names an item in an error, and the members that identify it (AWS names and values).
type Identity<'a> = (&'static str, Vec<(&'static str, &'a String)>);

/// Every page of one per-API collection; `send` makes one page's call from its `position`.
///
/// An item without a member that identifies it fails the read: the snapshot keys on them, and a
/// guess would silently change the hash.
async fn collection<T, O, E, Fut>(
    api: &ApiGateway,
    id: &str,
    (operation, sub_path): (&'static str, &'static str),
    send: impl Fn(Option<String>, RawAnswer) -> Fut,
    identity: impl Fn(&T) -> Identity<'_>,
) -> Result<(Vec<T>, u32), AwsError>
where
    T: DeserializeOwned,
    Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let send = &send;
    let ctx = context(api, id, operation, sub_path, None);
    let (items, pages) = paginate(ctx.clone(), |position, ctx| async move {
        let page: Answered<T> = call(api, &ctx, |raw| send(position, raw)).await?;
        Ok((page.items, page.position))
    })
    .await?;
    for item in &items {
        let (kind, members) = identity(item);
        if let Some((member, _)) = members.iter().find(|(_, value)| value.is_empty()) {
            let named = match members.first() {
                Some(("id", id)) if !id.is_empty() => format!("{kind} {id}"),
                _ => format!("a {kind}"),
            };
            return Err(ctx.malformed(format_args!("{named} has no `{member}`")));
        }
    }
    Ok((items, pages))
}

async fn get_rest_api(api: &ApiGateway, id: &str) -> Result<RestApi, AwsError> {
    let ctx = context(api, id, "GetRestApi", "", None);
    let mut rest_api: RestApi = call(api, &ctx, |raw| {
        api.sdk()
            .get_rest_api()
            .rest_api_id(id)
            .customize()
            .interceptor(raw)
            .send()
    })
    .await?;
    if rest_api.id.is_empty() {
        rest_api.id = id.to_owned();
    }
    Ok(rest_api)
}

/// Reads whole every method GetResources answered partially.
///
/// With `embed=methods` each method comes with its body and `methodIntegration`. A method
/// without its body (`{}`: no `httpMethod`, as GetResources answers without embedding) or
/// without an integration (an implementation that does not embed them, or a method whose
/// integration is not created yet) is read with GetMethod, which carries the integration and
/// the responses. A method is never hashed from partial data. These calls are counted in
/// [`FetchStats::method_fallbacks`] so a live API that needs them shows up in logs and tests.
async fn fill_partial_methods(
    api: &ApiGateway,
    id: &str,
    snapshot: &mut Snapshot,
    concurrency: usize,
) -> Result<u32, AwsError> {
    let partial: Vec<(usize, String, String)> = snapshot
        .resources
        .iter()
        .enumerate()
        .flat_map(|(index, resource)| {
            resource
                .methods
                .iter()
                .filter(|(_, method)| method.http_method.is_empty() || method.integration.is_none())
                .map(move |(verb, _)| (index, resource.id.clone(), verb.clone()))
        })
        .collect();
    let count = u32::try_from(partial.len()).unwrap_or(u32::MAX);
    let read: Vec<(usize, String, Method)> = futures::stream::iter(partial)
        .map(|(index, resource_id, verb)| async move {
            let method = get_method(api, id, &resource_id, &verb).await?;
            Ok::<_, AwsError>((index, verb, method))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    for (index, verb, method) in read {
        snapshot.resources[index].methods.insert(verb, method);
    }
    Ok(count)
}

async fn get_method(
    api: &ApiGateway,
    id: &str,
    resource_id: &str,
    verb: &str,
) -> Result<Method, AwsError> {
    let sub_path = format!("/resources/{resource_id}/methods/{verb}");
    let ctx = context(api, id, "GetMethod", sub_path, None);
    let method: Method = call(api, &ctx, |raw| {
        api.sdk()
            .get_method()
            .rest_api_id(id)
            .resource_id(resource_id)
            .http_method(verb)
            .customize()
            .interceptor(raw)
            .send()
    })
    .await?;
    if method.http_method.is_empty() {
        return Err(ctx.malformed(format_args!(
            "method {verb} of resource {resource_id} was answered without its body"
        )));
    }
    Ok(method)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_api_id_validation() {
        for ok in ["a1b2c3d4e5", "ABC123", "x"] {
            assert!(validate_rest_api_id(ok, FrontEnd::Provider).is_ok(), "{ok}");
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
            let e = validate_rest_api_id(bad, FrontEnd::Provider).unwrap_err();
            let cli = validate_rest_api_id(bad, FrontEnd::Cli).unwrap_err();
            assert!(
                cli.detail().starts_with("--rest-api-id "),
                "{}",
                cli.detail()
            );
            assert!(e.detail().starts_with("`rest_api_id` "), "{}", e.detail());
            assert_eq!(e.attribute(), Some("rest_api_id"), "{bad:?}");
            assert_eq!(e.kind(), AwsErrorKind::InvalidInput);
        }
    }
}
