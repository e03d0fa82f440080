//! [`AwsError`]: every failure of the AWS layer as a Terraform-ready diagnostic (short summary,
//! a detail that says how to fix it, the setting it concerns), plus the translation of AWS SDK
//! errors into it. Messages never contain secrets: they are built from settings names, ids,
//! HTTP metadata and AWS's own error text, never from credential values.

use std::error::Error as StdError;
use std::fmt;

use aws_sdk_apigateway::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_apigateway::operation::RequestId;
use aws_smithy_runtime_api::http::Response as HttpResponse;

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
        attribute: &str,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        AwsError::new(AwsErrorKind::InvalidSettings, summary, detail).with_attribute(attribute)
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
}

impl CallContext<'_> {
    fn call_name(&self) -> String {
        match self.page {
            Some(page) => format!("{} (page {page})", self.operation),
            None => self.operation.to_string(),
        }
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
                 {} for these credentials. Check `rest_api_id`, the provider's `region` (or \
                 AWS_REGION), the AWS account of the credentials and `endpoints.apigateway`.",
                self.call_name(),
                self.rest_api_id,
                self.region,
                self.endpoint
            ),
        )
        .with_attribute("rest_api_id")
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
            service_error(ctx, &call, status, &code, &message, request_id.as_deref())
        }
        SdkError::TimeoutError(_) => timeout(ctx, &call, &error_chain(&err)),
        SdkError::DispatchFailure(dispatch) => {
            let chain = error_chain(&err);
            if let Some(cred) = credentials_error(&err) {
                return no_credentials(&call, &cred);
            }
            if dispatch.is_timeout() {
                timeout(ctx, &call, &chain)
            } else {
                AwsError::new(
                    AwsErrorKind::Network,
                    format!("{call} could not reach API Gateway at {}", ctx.endpoint),
                    format!(
                        "The request was not answered: {chain}. Check the network, proxy \
                         settings, the `region` ({}) and `endpoints.apigateway`.",
                        ctx.region
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
                return no_credentials(&call, &cred);
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

fn request_suffix(request_id: Option<&str>) -> String {
    match request_id {
        Some(id) if !id.is_empty() => format!(" (request id {id})"),
        _ => String::new(),
    }
}

fn service_error(
    ctx: &CallContext<'_>,
    call: &str,
    status: u16,
    code: &str,
    message: &str,
    request_id: Option<&str>,
) -> AwsError {
    let code_label = if code.is_empty() { "an error" } else { code };
    let what = format!(
        "HTTP {status} {code_label}{}{}",
        if message.is_empty() {
            String::new()
        } else {
            format!(": {message}")
        },
        request_suffix(request_id)
    );
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
                 (e.g. `aws sso login`, new temporary keys) or fix `access_key`/`secret_key`/\
                 `token`/`profile`; check that the endpoint ({}) belongs to the same partition.",
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
                "{call} failed with {what} after all retries. API Gateway's control plane allows \
                 about 10 requests/s per account (GetResources: 5 per 2 s). Raise `max_retries`, \
                 set `retry_mode = \"adaptive\"`, or read fewer APIs at once."
            ),
        );
    }
    let summary = if status >= 500 {
        format!(
            "{} failed: API Gateway returned HTTP {status}",
            ctx.operation
        )
    } else {
        format!("{} failed: {code_label}", ctx.operation)
    };
    AwsError::new(
        AwsErrorKind::Service,
        summary,
        format!(
            "{call} for REST API {} in {} failed with {what}.{}",
            ctx.rest_api_id,
            ctx.region,
            if status >= 500 {
                " This is a service-side failure that persisted through all retries; try again later or raise `max_retries`."
            } else {
                ""
            }
        ),
    )
}

fn timeout(ctx: &CallContext<'_>, call: &str, chain: &str) -> AwsError {
    AwsError::new(
        AwsErrorKind::Timeout,
        format!("{call} timed out"),
        format!(
            "No complete answer from {} in time: {chain}. Check connectivity to the endpoint; \
             when the service is slow or throttling, raise `max_retries`.",
            ctx.endpoint
        ),
    )
}

fn no_credentials(call: &str, sdk_message: &str) -> AwsError {
    AwsError::new(
        AwsErrorKind::NoCredentials,
        "No AWS credentials found",
        format!(
            "{call} could not be signed: {sdk_message}. The sources tried, in order: the \
             provider's `access_key`/`secret_key`/`token`, the environment (AWS_ACCESS_KEY_ID, \
             AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the shared config and credentials files \
             with the selected profile (`profile`, AWS_PROFILE; SSO and credential_process \
             included), web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), the ECS/EKS \
             container endpoint and EC2 instance metadata. Set one of them, e.g. \
             `export AWS_PROFILE=name` after `aws configure --profile name`."
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
    use super::*;

    fn ctx() -> CallContext<'static> {
        CallContext {
            operation: "GetResources",
            page: Some(3),
            rest_api_id: "abc123defg",
            sub_path: "/resources".into(),
            region: "eu-west-1",
            endpoint: "https://apigateway.eu-west-1.amazonaws.com",
        }
    }

    #[test]
    fn not_found_names_id_region_and_endpoint() {
        let e = service_error(
            &ctx(),
            "GetResources (page 3)",
            404,
            "NotFoundException",
            "Invalid API identifier specified",
            Some("req-1"),
        );
        assert_eq!(e.kind(), AwsErrorKind::NotFound);
        assert_eq!(e.summary(), "REST API abc123defg not found");
        assert_eq!(e.attribute(), Some("rest_api_id"));
        for needle in [
            "eu-west-1",
            "https://apigateway.eu-west-1.amazonaws.com",
            "req-1",
            "page 3",
            "HTTP 404",
        ] {
            assert!(
                e.detail().contains(needle),
                "{needle} missing in {}",
                e.detail()
            );
        }
    }

    #[test]
    fn access_denied_names_action_and_arn() {
        let e = service_error(
            &ctx(),
            "GetResources (page 3)",
            403,
            "AccessDeniedException",
            "User is not authorized",
            None,
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
            let e = service_error(&ctx(), "GetRestApi", 403, code, "bad", Some("r"));
            assert_eq!(e.kind(), AwsErrorKind::InvalidCredentials, "{code}");
            assert!(e.detail().contains(code));
        }
    }

    #[test]
    fn throttling_and_server_errors() {
        let e = service_error(
            &ctx(),
            "GetResources (page 3)",
            429,
            "TooManyRequestsException",
            "Too Many Requests",
            Some("r9"),
        );
        assert_eq!(e.kind(), AwsErrorKind::Throttled);
        assert!(e.detail().contains("max_retries") && e.detail().contains("r9"));
        let e = service_error(
            &ctx(),
            "GetResources (page 3)",
            503,
            "ServiceUnavailableException",
            "down",
            Some("r2"),
        );
        assert_eq!(e.kind(), AwsErrorKind::Service);
        assert!(e.summary().contains("HTTP 503"));
        assert!(
            e.detail().contains("page 3")
                && e.detail().contains("r2")
                && e.detail().contains("ServiceUnavailableException: down")
        );
    }
}
