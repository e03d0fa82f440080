//! API Gateway's answers as they were sent: the SDK makes each call (endpoint, signing,
//! credentials, retries, timeouts) and [`RawAnswer`] hands over the body of the final attempt,
//! which we parse into [`crate::snapshot`] types ourselves.
//!
//! Why not the SDK's typed outputs: they drop every member the SDK does not model (JWT
//! authorizer settings, members AWS adds later), and they reject a whole page when a map holds
//! `null` — which is how AWS answers an empty mapping template, present in nearly every CORS
//! preflight.

use std::error::Error as StdError;
use std::sync::{Arc, Mutex, PoisonError};

use aws_sdk_apigateway::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::de::DeserializeOwned;

use super::error::{from_sdk, request_suffix, AwsError, CallContext};

/// One attempt's answer: what the success path needs to read it, or to report it unusable.
#[derive(Debug)]
struct Answer {
    status: u16,
    request_id: Option<String>,
    body: Vec<u8>,
}

/// An interceptor for one call that keeps the status and body of its last attempt.
#[derive(Debug, Clone, Default)]
pub(super) struct RawAnswer {
    last: Arc<Mutex<Option<Answer>>>,
}

impl RawAnswer {
    fn set(&self, answer: Option<Answer>) {
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = answer;
    }

    /// The call's answer parsed as `T` when it succeeded (whatever the SDK made of the body);
    /// otherwise the call's error, translated by [`from_sdk`].
    pub(super) fn read<T, O, E>(
        &self,
        sent: Result<O, SdkError<E, HttpResponse>>,
        ctx: &CallContext<'_>,
    ) -> Result<T, AwsError>
    where
        T: DeserializeOwned,
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let last = self
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match (last, sent) {
            (Some(answer), _) if (200..300).contains(&answer.status) => {
                serde_json::from_slice(&answer.body).map_err(|e| {
                    ctx.malformed(format_args!(
                        "HTTP {}, the body could not be read: {e}{}",
                        answer.status,
                        request_suffix(answer.request_id.as_deref())
                    ))
                })
            }
            (_, Err(err)) => Err(from_sdk(err, ctx)),
            (_, Ok(_)) => Err(ctx.malformed("the answer's body could not be captured")),
        }
    }
}

impl Intercept for RawAnswer {
    fn name(&self) -> &'static str {
        "gwtrigger::RawAnswer"
    }

    /// A retried call must not hand over an earlier attempt's answer.
    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.set(None);
        Ok(())
    }

    /// The body is in memory here: the SDK has read it to deserialise it.
    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        self.set(response.body().bytes().map(|body| {
            Answer {
                status: response.status().as_u16(),
                request_id: response
                    .headers()
                    .get("x-amzn-requestid")
                    .map(str::to_owned),
                body: body.to_vec(),
            }
        }));
        Ok(())
    }
}
