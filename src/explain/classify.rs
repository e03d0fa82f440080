//! What an answer says by itself (pure): the `x-amzn-ErrorType` header first, the body's
//! `message` second, the status last — gateway responses can be customised (status, body,
//! headers), the type cannot. AWS's "Gateway response types" table is the reference.

use serde_json::Value as Json;

use super::answer::Answer;

/// LocalStack's answer to a path with no stage in a host-style URL (AWS answers 403 Missing
/// Authentication Token there).
const LOCALSTACK_NO_STAGE: &str = "does not correspond to a deployed API Gateway API";

/// The signal of one answer: which kind of failure the gateway (or the backend) reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// 1xx/2xx: nothing failed.
    Success,
    /// 3xx: not followed; where it points.
    Redirect { location: Option<String> },
    /// `MissingAuthenticationTokenException`: no method matched, or an unsigned call to an
    /// `AWS_IAM` method. Also LocalStack's 404 for a path outside every stage (`emulated`).
    MissingToken { emulated: bool },
    /// `ForbiddenException`: API key, WAF, private endpoint, disabled default endpoint.
    Forbidden,
    /// `AccessDeniedException` "User: anonymous is not authorized …": the resource policy.
    PolicyDenied {
        explicit: bool,
        arn: Option<MethodArn>,
    },
    /// `AccessDeniedException` naming an IAM principal: its IAM policy or the resource policy.
    IamDenied {
        explicit: bool,
        arn: Option<MethodArn>,
    },
    /// `AccessDeniedException` "User is not authorized to access this resource": an authorizer
    /// denied the call.
    AuthorizerDenied { explicit: bool },
    /// `UnauthorizedException` (401): the authorizer found no (valid) identity.
    Unauthorized,
    /// SigV4 problems: `IncompleteSignatureException`, `InvalidSignatureException`,
    /// `ExpiredTokenException`, `UnrecognizedClientException`.
    Signature { error_type: String },
    /// The integration failed (`InternalServerErrorException` 5xx, timeouts).
    IntegrationFailure,
    /// Another gateway type (throttling, request validation, WAF-less limits…).
    OtherGatewayError { error_type: String },
    /// A failure without `x-amzn-ErrorType`: the backend answered it.
    Backend,
}

/// The ARN of the method API Gateway evaluated, from an AccessDenied message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodArn {
    pub region: String,
    pub account: String,
    pub rest_api_id: String,
    pub stage: String,
    pub verb: String,
    /// With its leading slash.
    pub path: String,
}

/// An answer reduced to what the verdict needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub status: u16,
    pub signal: Signal,
    /// `x-amzn-ErrorType` without its `:…` suffix.
    pub error_type: Option<String>,
    /// The body's `message` (or `Message`), else its first line; shortened.
    pub message: Option<String>,
    /// `x-amzn-RequestId` (the key of the execution log lines).
    pub request_id: Option<String>,
}

/// Classifies one answer.
pub fn classify(answer: &Answer) -> Classified {
    let error_type = answer
        .header("x-amzn-ErrorType")
        .map(|t| t.split(':').next().unwrap_or(t).trim().to_string())
        .filter(|t| !t.is_empty());
    let message = message(&answer.body);
    let request_id = answer
        .header("x-amzn-RequestId")
        .or_else(|| answer.header("x-amz-apigw-id"))
        .map(str::to_string);
    let signal = signal(answer, error_type.as_deref(), message.as_deref());
    Classified {
        status: answer.status,
        signal,
        error_type,
        message,
        request_id,
    }
}

fn signal(answer: &Answer, error_type: Option<&str>, message: Option<&str>) -> Signal {
    let text = message.unwrap_or_default();
    let explicit = text.contains("with an explicit deny");
    match error_type {
        Some("MissingAuthenticationTokenException") => Signal::MissingToken { emulated: false },
        Some("ForbiddenException") => Signal::Forbidden,
        Some("AccessDeniedException") if text.starts_with("User: anonymous ") => {
            Signal::PolicyDenied {
                explicit,
                arn: method_arn(text),
            }
        }
        Some("AccessDeniedException") if text.starts_with("User: arn:") => Signal::IamDenied {
            explicit,
            arn: method_arn(text),
        },
        Some("AccessDeniedException") if text.starts_with("User is not authorized") => {
            Signal::AuthorizerDenied { explicit }
        }
        // A customised ACCESS_DENIED body: the header still says it is the gateway's; the
        // resource policy and an authorizer both answer it, the correlation decides.
        Some("AccessDeniedException") => Signal::PolicyDenied {
            explicit,
            arn: method_arn(text),
        },
        Some("UnauthorizedException") => Signal::Unauthorized,
        Some(
            t @ ("IncompleteSignatureException"
            | "InvalidSignatureException"
            | "ExpiredTokenException"
            | "UnrecognizedClientException"),
        ) => Signal::Signature {
            error_type: t.to_string(),
        },
        Some("InternalServerErrorException") if answer.status >= 500 => Signal::IntegrationFailure,
        Some(t) => Signal::OtherGatewayError {
            error_type: t.to_string(),
        },
        None if answer.status == 404 && text.contains(LOCALSTACK_NO_STAGE) => {
            Signal::MissingToken { emulated: true }
        }
        None if answer.status < 300 => Signal::Success,
        None if answer.status < 400 => Signal::Redirect {
            location: answer.header("location").map(str::to_string),
        },
        None if matches!(answer.status, 502 | 504) && text.contains("Internal server error")
            || text == "Endpoint request timed out" =>
        {
            Signal::IntegrationFailure
        }
        None => Signal::Backend,
    }
}

/// The body's `message`/`Message`, or its first non-empty line, at most 300 characters.
fn message(body: &str) -> Option<String> {
    let from_json = serde_json::from_str::<Json>(body.trim())
        .ok()
        .and_then(|json| {
            ["message", "Message", "errorMessage"]
                .iter()
                .find_map(|k| json.get(k).and_then(Json::as_str).map(str::to_string))
        });
    let text = from_json.or_else(|| {
        body.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string)
    })?;
    let short: String = text.chars().take(300).collect();
    Some(if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    })
}

/// Parses `… on resource: arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH …`.
pub fn method_arn(text: &str) -> Option<MethodArn> {
    let start = text
        .find("on resource: ")
        .map(|at| at + "on resource: ".len())
        .or_else(|| text.rfind("arn:aws"))?;
    let arn = text[start..].split_whitespace().next()?;
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, "execute-api", region, account, resource] = parts[..] else {
        return None;
    };
    let mut segments = resource.splitn(4, '/');
    let rest_api_id = segments.next()?.to_string();
    let stage = segments.next()?.to_string();
    let verb = segments.next()?.to_string();
    let path = format!("/{}", segments.next().unwrap_or(""));
    Some(MethodArn {
        region: region.to_string(),
        account: account.to_string(),
        rest_api_id,
        stage,
        verb,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, error_type: Option<&str>, body: &str) -> Answer {
        let mut headers = vec![("x-amzn-RequestId".to_string(), "req-1".to_string())];
        if let Some(t) = error_type {
            headers.push(("x-amzn-ErrorType".into(), t.into()));
        }
        Answer {
            status,
            headers,
            body: body.into(),
        }
    }

    #[test]
    fn the_header_decides_even_when_the_status_and_body_are_customised() {
        let c = classify(&answer(
            404,
            Some("MissingAuthenticationTokenException"),
            "{\"error\":\"nope\"}",
        ));
        assert_eq!(c.signal, Signal::MissingToken { emulated: false });
        assert_eq!(c.request_id.as_deref(), Some("req-1"));
        let c = classify(&answer(
            403,
            Some("ForbiddenException:http://internal.amazon.com/coral/"),
            "{\"message\":\"Forbidden\"}",
        ));
        assert_eq!(
            (c.signal, c.error_type.as_deref()),
            (Signal::Forbidden, Some("ForbiddenException"))
        );
    }

    #[test]
    fn access_denied_names_policy_iam_or_authorizer() {
        let policy = "{\"Message\":\"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/1 with an explicit deny\"}";
        let c = classify(&answer(403, Some("AccessDeniedException"), policy));
        let Signal::PolicyDenied {
            explicit: true,
            arn: Some(arn),
        } = c.signal
        else {
            panic!("{:?}", c.signal)
        };
        assert_eq!(
            (
                arn.rest_api_id.as_str(),
                arn.stage.as_str(),
                arn.verb.as_str(),
                arn.path.as_str()
            ),
            ("abc123", "dev", "GET", "/pets/1")
        );
        let iam = "{\"Message\":\"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/\"}";
        assert!(matches!(
            classify(&answer(403, Some("AccessDeniedException"), iam)).signal,
            Signal::IamDenied {
                explicit: false,
                arn: Some(_)
            }
        ));
        let authorizer = "{\"Message\":\"User is not authorized to access this resource with an explicit deny\"}";
        assert_eq!(
            classify(&answer(403, Some("AccessDeniedException"), authorizer)).signal,
            Signal::AuthorizerDenied { explicit: true }
        );
        assert_eq!(
            classify(&answer(
                401,
                Some("UnauthorizedException"),
                "{\"message\":\"Unauthorized\"}"
            ))
            .signal,
            Signal::Unauthorized
        );
    }

    #[test]
    fn no_type_is_the_backend_and_success_is_success() {
        assert_eq!(
            classify(&answer(403, None, "{\"detail\":\"Not authenticated\"}")).signal,
            Signal::Backend
        );
        assert_eq!(classify(&answer(200, None, "ok")).signal, Signal::Success);
        let mut moved = answer(302, None, "");
        moved
            .headers
            .push(("Location".into(), "https://x/login".into()));
        assert_eq!(
            classify(&moved).signal,
            Signal::Redirect {
                location: Some("https://x/login".into())
            }
        );
        let emulator = classify(&answer(404, None, "{\"message\": \"The API id 'abc123' does not correspond to a deployed API Gateway API\"}"));
        assert_eq!(emulator.signal, Signal::MissingToken { emulated: true });
        assert_eq!(
            classify(&answer(
                502,
                Some("InternalServerErrorException"),
                "{\"message\": \"Internal server error\"}"
            ))
            .signal,
            Signal::IntegrationFailure
        );
        assert_eq!(
            classify(&answer(
                429,
                Some("TooManyRequestsException"),
                "{\"message\":\"Too Many Requests\"}"
            ))
            .signal,
            Signal::OtherGatewayError {
                error_type: "TooManyRequestsException".into()
            }
        );
    }
}
