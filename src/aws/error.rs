//! [`AwsError`]: every failure of the AWS layer as a Terraform-ready diagnostic (short summary,
//! a detail that says how to fix it, the setting it concerns), plus the translation of AWS SDK
//! errors into it. Messages never contain secrets: they are built from settings names, ids,
//! HTTP metadata and AWS's own error text, never from credential values.

use std::error::Error as StdError;
use std::fmt;

use aws_sdk_apigateway::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_apigateway::operation::RequestId;
use aws_smithy_runtime_api::http::Response as HttpResponse;

use super::attempts::Attempts;
use super::naming::{FrontEnd, Setting};

/// What went wrong, for callers that branch on it (exit codes, retries in tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AwsErrorKind {
    /// A provider setting or an AWS environment variable / profile value is invalid.
    InvalidSettings,
    /// An argument of the read (e.g. `rest_api_id`) is invalid.
    InvalidInput,
    /// The REST API (or another named object) does not exist.
    NotFound,
    /// The credentials are valid but not allowed to perform the call.
    AccessDenied,
    /// No credentials could be found by any source.
    NoCredentials,
    /// Credentials were sent but rejected (unknown key, bad signature, expired token).
    InvalidCredentials,
    /// Still throttled after all retries.
    Throttled,
    /// A call or the whole read exceeded its time budget.
    Timeout,
    /// The endpoint could not be reached (DNS, connection refused, reset, TLS).
    Network,
    /// The service answered with something we cannot use (garbled JSON, missing ids,
    /// a pagination token that repeats).
    MalformedResponse,
    /// Any other error response from the service (5xx, BadRequest, ...).
    Service,
    /// A bug or an SDK failure that fits nowhere else.
    Internal,
}

/// An error of the AWS layer, shaped like a Terraform diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    kind: AwsErrorKind,
    summary: String,
    detail: String,
    attribute: Option<String>,
}

impl AwsError {
    pub fn new(kind: AwsErrorKind, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        AwsError {
            kind,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    /// Marks the setting the error concerns, as a dotted path (`max_retries`,
    /// `endpoints.apigateway`, `assume_role.role_arn`, `rest_api_id`).
    pub fn with_attribute(mut self, attribute: impl Into<String>) -> Self {
        self.attribute = Some(attribute.into());
        self
    }

    pub(crate) fn invalid_setting(
        setting: Setting,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        AwsError::new(AwsErrorKind::InvalidSettings, summary, detail)
            .with_attribute(setting.attribute())
    }

    pub fn kind(&self) -> AwsErrorKind {
        self.kind
    }

    /// One line saying what failed.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// What exactly happened and how to fix it.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The setting or argument the error concerns, as a dotted path, if any.
    pub fn attribute(&self) -> Option<&str> {
        self.attribute.as_deref()
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary, self.detail)
    }
}

impl StdError for AwsError {}

/// Where a failed call was going, so the error can name it.
#[derive(Debug, Clone)]
pub(crate) struct CallContext<'a> {
    /// API Gateway operation name, e.g. `GetResources`.
    pub operation: &'static str,
    /// 1-based page number for paginated calls.
    pub page: Option<u32>,
    pub rest_api_id: &'a str,
    /// Path below `/restapis/{id}` the call reads, e.g. `/resources` (empty for the API).
    pub sub_path: String,
    pub region: &'a str,
    pub endpoint: &'a str,
    /// Names settings in messages the way the client's user writes them.
    pub front_end: FrontEnd,
}

impl CallContext<'_> {
    fn call_name(&self) -> String {
        match self.page {
            Some(page) => format!("{} (page {page})", self.operation),
            None => self.operation.to_string(),
        }
    }

    fn name(&self, setting: Setting) -> String {
        setting.name(self.front_end)
    }

    fn arn(&self) -> String {
        format!(
            "arn:aws:apigateway:{}::/restapis/{}{}",
            self.region, self.rest_api_id, self.sub_path
        )
    }

    pub(crate) fn not_found(&self, what: &str) -> AwsError {
        AwsError::new(
            AwsErrorKind::NotFound,
            format!("REST API {} not found", self.rest_api_id),
            format!(
                "{} reported {what}. No REST API with id \"{}\" exists in region {} at endpoint \
                 {} for these credentials. Check {}, {} (or AWS_REGION), the AWS account of the \
                 credentials and {}.",
                self.call_name(),
                self.rest_api_id,
                self.region,
                self.endpoint,
                self.name(Setting::RestApiId),
                self.name(Setting::Region),
                self.name(Setting::EndpointApigateway)
            ),
        )
        .with_attribute(Setting::RestApiId.attribute())
    }

    pub(crate) fn malformed(&self, what: impl fmt::Display) -> AwsError {
        AwsError::new(
            AwsErrorKind::MalformedResponse,
            format!("{} returned an unusable response", self.call_name()),
            format!(
                "{what} (REST API {}, endpoint {}). Nothing was hashed: a hash from partial or \
                 inconsistent data is never returned. Retry; if it persists, the endpoint is not a \
                 compatible API Gateway.",
                self.rest_api_id, self.endpoint
            ),
        )
    }
}

/// The AWS error codes that mean "the credentials themselves were rejected".
const INVALID_CREDENTIAL_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "ExpiredToken",
    "InvalidClientTokenId",
    "IncompleteSignatureException",
    "MissingAuthenticationTokenException",
    "SignatureDoesNotMatch",
];

/// Translates an SDK error of one call into an [`AwsError`] naming the call, page, HTTP
/// status, AWS error code and message, and request id.
pub(crate) fn from_sdk<E>(err: SdkError<E, HttpResponse>, ctx: &CallContext<'_>) -> AwsError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let call = ctx.call_name();
    let request_id = err.request_id().map(str::to_owned);
    let attempts = err.raw_response().and_then(Attempts::of);
    match &err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            if status < 300 {
                // A success status whose body could not be deserialised (truncated, garbled).
                return ctx.malformed(format_args!(
                    "HTTP {status}, the body could not be parsed: {}{}",
                    error_chain(&err),
                    request_suffix(request_id.as_deref())
                ));
            }
            let inner = service.err();
            let code = inner.code().unwrap_or("").to_string();
            let message = inner.message().unwrap_or("").to_string();
            let reply = Reply {
                status,
                code: &code,
                message: &message,
                request_id: request_id.as_deref(),
                attempts,
            };
            service_error(ctx, &call, &reply)
        }
        SdkError::TimeoutError(_) => timeout(ctx, &call, &error_chain(&err)),
        SdkError::DispatchFailure(dispatch) => {
            let chain = error_chain(&err);
            if let Some(cred) = credentials_error(&err) {
                return no_credentials(ctx, &call, &cred);
            }
            if dispatch.is_timeout() {
                timeout(ctx, &call, &chain)
            } else {
                AwsError::new(
                    AwsErrorKind::Network,
                    format!("{call} could not reach API Gateway at {}", ctx.endpoint),
                    format!(
                        "The request was not answered: {chain}. Check the network, proxy \
                         settings, {} ({}) and {}.",
                        ctx.name(Setting::Region),
                        ctx.region,
                        ctx.name(Setting::EndpointApigateway)
                    ),
                )
            }
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            ctx.malformed(format_args!(
                "HTTP {status}, the body could not be read or parsed: {}{}",
                error_chain(&err),
                request_suffix(request_id.as_deref())
            ))
        }
        _ => {
            if let Some(cred) = credentials_error(&err) {
                return no_credentials(ctx, &call, &cred);
            }
            AwsError::new(
                AwsErrorKind::Internal,
                format!("{call} could not be sent"),
                format!(
                    "The AWS SDK failed before sending the request: {}",
                    error_chain(&err)
                ),
            )
        }
    }
}

pub(super) fn request_suffix(request_id: Option<&str>) -> String {
    match request_id {
        Some(id) if !id.is_empty() => format!(" (request id {id})"),
        _ => String::new(),
    }
}

/// What the service answered to the last attempt of a call.
struct Reply<'a> {
    status: u16,
    /// The AWS error code, empty when the answer carried none.
    code: &'a str,
    message: &'a str,
    request_id: Option<&'a str>,
    attempts: Option<Attempts>,
}

impl Reply<'_> {
    /// `HTTP 500`, `HTTP 404 NotFoundException: message (request id r1)`.
    fn describe(&self) -> String {
        let mut what = format!("HTTP {}", self.status);
        if !self.code.is_empty() {
            what.push(' ');
            what.push_str(self.code);
        }
        if !self.message.is_empty() {
            what.push_str(": ");
            what.push_str(self.message);
        }
        what + &request_suffix(self.request_id)
    }

    /// ` on each of 10 attempts over 35 s` when the call was tried more than once.
    fn tried(&self) -> String {
        match self.attempts {
            Some(attempts) if attempts.count > 1 => format!(" on each of {attempts}"),
            _ => String::new(),
        }
    }
}

fn service_error(ctx: &CallContext<'_>, call: &str, reply: &Reply<'_>) -> AwsError {
    let (status, code) = (reply.status, reply.code);
    let what = reply.describe();
    if code == "NotFoundException" || (code.is_empty() && status == 404) {
        return ctx.not_found(&what);
    }
    if INVALID_CREDENTIAL_CODES.contains(&code) {
        return AwsError::new(
            AwsErrorKind::InvalidCredentials,
            "AWS rejected the credentials",
            format!(
                "{call} failed with {what}. The access key is unknown, the secret does not \
                 match, or the session token is invalid or expired. Refresh the credentials \
                 (e.g. `aws sso login`, new temporary keys) or fix {}; check that the endpoint \
                 ({}) belongs to the same partition.",
                [
                    Setting::AccessKey,
                    Setting::SecretKey,
                    Setting::Token,
                    Setting::Profile
                ]
                .map(|s| ctx.name(s))
                .join("/"),
                ctx.endpoint
            ),
        );
    }
    if code == "AccessDeniedException" || (status == 403 && code.is_empty()) {
        let arn = ctx.arn();
        return AwsError::new(
            AwsErrorKind::AccessDenied,
            format!("Access denied calling {}", ctx.operation),
            format!(
                "{call} failed with {what}. Allow the IAM action `apigateway:GET` on \
                 `{arn}` (for a whole API: `arn:aws:apigateway:{}::/restapis/{}` and \
                 `arn:aws:apigateway:{}::/restapis/{}/*`) for the identity in use, and check \
                 that no SCP or permission boundary denies it.",
                ctx.region, ctx.rest_api_id, ctx.region, ctx.rest_api_id
            ),
        );
    }
    if code == "TooManyRequestsException" || code == "ThrottlingException" || status == 429 {
        return AwsError::new(
            AwsErrorKind::Throttled,
            format!("{} was throttled", ctx.operation),
            format!(
                "{call} failed with {what}{}. API Gateway's control plane allows about 10 \
                 requests/s per account (GetResources: 5 per 2 s). Raise {}, set {} to \
                 \"adaptive\", or read fewer APIs at once.",
                match reply.attempts {
                    Some(_) => reply.tried(),
                    None => " after all retries".to_string(),
                },
                ctx.name(Setting::MaxRetries),
                ctx.name(Setting::RetryMode)
            ),
        );
    }
    if status >= 500 {
        // More retries rarely cure an endpoint that failed every one of them; say so only
        // when there were none.
        let advice = match reply.attempts {
            Some(attempts) if attempts.count == 1 => format!(
                "It was tried once; if the failure is transient, allow retries with {}.",
                ctx.name(Setting::MaxRetries)
            ),
            Some(_) => format!(
                "The endpoint ({}) kept failing, so more retries would fail too: check the \
                 service's health (an emulator's log) and try again later.",
                ctx.endpoint
            ),
            None => "This is a service-side failure that persisted through the retries; try \
                     again later."
                .to_string(),
        };
        return AwsError::new(
            AwsErrorKind::Service,
            format!(
                "{} failed: API Gateway returned HTTP {status}",
                ctx.operation
            ),
            format!(
                "{call} for REST API {} in {} failed with {what}{}. {advice}",
                ctx.rest_api_id,
                ctx.region,
                reply.tried()
            ),
        );
    }
    AwsError::new(
        AwsErrorKind::Service,
        format!(
            "{} failed: {}",
            ctx.operation,
            if code.is_empty() {
                format!("HTTP {status}")
            } else {
                code.to_string()
            }
        ),
        format!(
            "{call} for REST API {} in {} failed with {what}.",
            ctx.rest_api_id, ctx.region
        ),
    )
}

fn timeout(ctx: &CallContext<'_>, call: &str, chain: &str) -> AwsError {
    AwsError::new(
        AwsErrorKind::Timeout,
        format!("{call} timed out"),
        format!(
            "No complete answer from {} in time: {chain}. Check connectivity to the endpoint; \
             when the service is slow or throttling, raise {}.",
            ctx.endpoint,
            ctx.name(Setting::MaxRetries)
        ),
    )
}

fn no_credentials(ctx: &CallContext<'_>, call: &str, sdk_message: &str) -> AwsError {
    // The CLI has no static-key flags: for its users the environment is that source.
    let settings_source = match ctx.front_end {
        FrontEnd::Provider => format!(
            "the provider's {}, ",
            [Setting::AccessKey, Setting::SecretKey, Setting::Token]
                .map(|s| ctx.name(s))
                .join("/")
        ),
        FrontEnd::Cli => String::new(),
    };
    AwsError::new(
        AwsErrorKind::NoCredentials,
        "No AWS credentials found",
        format!(
            "{call} could not be signed: {sdk_message}. The sources tried, in order: \
             {settings_source}the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, \
             AWS_SESSION_TOKEN), the shared config and credentials files with the selected \
             profile ({}, AWS_PROFILE; SSO and credential_process included), web identity \
             (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), the ECS/EKS container endpoint and \
             EC2 instance metadata. Set one of them, e.g. `export AWS_PROFILE=name` after \
             `aws configure --profile name`.",
            ctx.name(Setting::Profile)
        ),
    )
}

/// An error and its sources, `Display` only, joined by ": " (no `Debug` dumps of raw
/// responses, unlike the SDK's `DisplayErrorContext`).
pub(crate) fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && parts.last() != Some(&text) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// The credentials-provider error in an SDK error's source chain, rendered, if there is one.
fn credentials_error(err: &(dyn StdError + 'static)) -> Option<String> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
            .is_some()
        {
            return Some(error_chain(e));
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn ctx() -> CallContext<'static> {
        ctx_for(FrontEnd::Provider)
    }

    fn ctx_for(front_end: FrontEnd) -> CallContext<'static> {
        CallContext {
            operation: "GetResources",
            page: Some(3),
            rest_api_id: "abc123defg",
            sub_path: "/resources".into(),
            region: "eu-west-1",
            endpoint: "https://apigateway.eu-west-1.amazonaws.com",
            front_end,
        }
    }

    fn reply<'a>(status: u16, code: &'a str, message: &'a str) -> Reply<'a> {
        Reply {
            status,
            code,
            message,
            request_id: Some("r9"),
            attempts: None,
        }
    }

    fn tried(count: u32, secs: u64) -> Option<Attempts> {
        Some(Attempts {
            count,
            elapsed: Duration::from_secs(secs),
        })
    }

    const CALL: &str = "GetResources (page 3)";

    #[test]
    fn not_found_names_id_region_and_endpoint() {
        let e = service_error(
            &ctx(),
            CALL,
            &reply(404, "NotFoundException", "Invalid API identifier specified"),
        );
        assert_eq!(e.kind(), AwsErrorKind::NotFound);
        assert_eq!(e.summary(), "REST API abc123defg not found");
        assert_eq!(e.attribute(), Some("rest_api_id"));
        for needle in [
            "eu-west-1",
            "https://apigateway.eu-west-1.amazonaws.com",
            "r9",
            "page 3",
            "HTTP 404",
            "Check `rest_api_id`, `region` (or AWS_REGION)",
            "and `endpoints.apigateway`.",
        ] {
            assert!(
                e.detail().contains(needle),
                "{needle} missing in {}",
                e.detail()
            );
        }
    }

    #[test]
    fn cli_messages_name_flags_and_environment_variables() {
        let cli = ctx_for(FrontEnd::Cli);
        let detail = |r: Reply<'_>| service_error(&cli, CALL, &r).detail().to_string();
        let not_found = detail(reply(404, "NotFoundException", "nope"));
        assert!(
            not_found.contains("Check --rest-api-id, --region (or AWS_REGION)")
                && not_found.contains("and --endpoint-url."),
            "{not_found}"
        );
        let rejected = detail(reply(403, "UnrecognizedClientException", "bad"));
        assert!(
            rejected
                .contains("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN/--profile"),
            "{rejected}"
        );
        let throttled = detail(reply(429, "TooManyRequestsException", "slow down"));
        assert!(
            throttled.contains("Raise --max-retries, set --retry-mode to \"adaptive\""),
            "{throttled}"
        );
        let once = detail(Reply {
            attempts: tried(1, 0),
            ..reply(500, "", "")
        });
        assert!(once.contains("allow retries with --max-retries"), "{once}");
        let credentials = no_credentials(&cli, CALL, "no providers")
            .detail()
            .to_string();
        assert!(
            !credentials.contains("provider's") && credentials.contains("(--profile, AWS_PROFILE"),
            "{credentials}"
        );
        let slow = timeout(&cli, CALL, "timed out").detail().to_string();
        assert!(slow.ends_with("raise --max-retries."), "{slow}");
        for text in [not_found, rejected, throttled, once, credentials, slow] {
            assert!(
                !text.contains("max_retries") && !text.contains("endpoints."),
                "{text}"
            );
        }
        let provider_credentials = no_credentials(&ctx(), CALL, "x").detail().to_string();
        assert!(
            provider_credentials.contains("the provider's `access_key`/`secret_key`/`token`"),
            "{provider_credentials}"
        );
    }

    #[test]
    fn access_denied_names_action_and_arn() {
        let e = service_error(
            &ctx(),
            CALL,
            &reply(403, "AccessDeniedException", "User is not authorized"),
        );
        assert_eq!(e.kind(), AwsErrorKind::AccessDenied);
        assert!(e.detail().contains("apigateway:GET"));
        assert!(e
            .detail()
            .contains("arn:aws:apigateway:eu-west-1::/restapis/abc123defg/resources"));
    }

    #[test]
    fn rejected_credentials_are_reported_as_such() {
        for code in [
            "UnrecognizedClientException",
            "InvalidSignatureException",
            "ExpiredTokenException",
        ] {
            let e = service_error(&ctx(), "GetRestApi", &reply(403, code, "bad"));
            assert_eq!(e.kind(), AwsErrorKind::InvalidCredentials, "{code}");
            assert!(e.detail().contains(code));
            assert!(e
                .detail()
                .contains("fix `access_key`/`secret_key`/`token`/`profile`"));
        }
    }

    #[test]
    fn throttling_says_what_was_tried_and_how_to_ease_it() {
        let e = service_error(
            &ctx(),
            CALL,
            &Reply {
                attempts: tried(10, 35),
                ..reply(429, "TooManyRequestsException", "Too Many Requests")
            },
        );
        assert_eq!(e.kind(), AwsErrorKind::Throttled);
        assert!(
            e.detail().contains("on each of 10 attempts over 35 s")
                && e.detail().contains("Raise `max_retries`")
                && e.detail().contains("r9"),
            "{}",
            e.detail()
        );
    }

    #[test]
    fn server_errors_say_what_was_tried_without_asking_for_more_retries() {
        let e = service_error(
            &ctx(),
            CALL,
            &Reply {
                attempts: tried(10, 35),
                ..reply(503, "ServiceUnavailableException", "down")
            },
        );
        assert_eq!(e.kind(), AwsErrorKind::Service);
        assert!(e.summary().contains("HTTP 503"));
        assert!(
            e.detail().contains("page 3")
                && e.detail().contains("r9")
                && e.detail()
                    .contains("HTTP 503 ServiceUnavailableException: down")
                && e.detail().contains("on each of 10 attempts over 35 s")
                && !e.detail().contains("max_retries"),
            "{}",
            e.detail()
        );
        // No error code in the answer: the status alone, not a placeholder.
        let e = service_error(
            &ctx(),
            CALL,
            &Reply {
                request_id: None,
                ..reply(500, "", "")
            },
        );
        assert!(
            e.detail().contains("failed with HTTP 500. "),
            "{}",
            e.detail()
        );
        let e = service_error(&ctx(), CALL, &reply(400, "", ""));
        assert_eq!(e.summary(), "GetResources failed: HTTP 400");
    }
}
