//! What the SDK's retry loop did for one call: an interceptor that stamps the final response
//! with the number of attempts and the time they took ([`Attempts`], read by error messages),
//! logs each retry at debug level and, when asked (a person watching a terminal), prints each
//! retry on stderr as it happens, so a failing endpoint is not 35 s of silence.

use std::fmt;
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextMut, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_smithy_types::retry::RetryConfig;

/// How often a call was tried and how long that took, all back-off included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub count: u32,
    pub elapsed: Duration,
}

impl Attempts {
    /// The record the interceptor left on a call's final response, if any.
    pub(crate) fn of(response: &HttpResponse) -> Option<Attempts> {
        response.extension::<Attempts>().copied()
    }
}

impl fmt::Display for Attempts {
    /// `10 attempts over 35 s`, `2 attempts over 1.5 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.count == 1 {
            "attempt"
        } else {
            "attempts"
        };
        write!(f, "{} {noun} over {}", self.count, seconds(self.elapsed))
    }
}

/// Whole seconds from 10 s up, tenths below.
fn seconds(d: Duration) -> String {
    if d >= Duration::from_secs(10) {
        format!("{} s", d.as_secs_f64().round())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// When the call started (stored at the start of an execution).
#[derive(Debug, Clone, Copy)]
struct CallStarted(Instant);

impl Storable for CallStarted {
    type Storer = StoreReplace<Self>;
}

/// How the previous attempt ended, for the retry line.
#[derive(Debug, Clone)]
struct PreviousOutcome(String);

impl Storable for PreviousOutcome {
    type Storer = StoreReplace<Self>;
}

/// The interceptor; install one per client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttemptRecorder {
    /// Print each retry on stderr (for a person at a terminal; never for Terraform).
    pub announce_retries: bool,
}

impl AttemptRecorder {
    fn attempt(cfg: &ConfigBag) -> u32 {
        cfg.load::<RequestAttempts>()
            .map_or(1, RequestAttempts::attempts)
    }

    fn elapsed(cfg: &ConfigBag) -> Duration {
        cfg.load::<CallStarted>()
            .map_or(Duration::ZERO, |started| started.0.elapsed())
    }
}

impl Intercept for AttemptRecorder {
    fn name(&self) -> &'static str {
        "gwtrigger::AttemptRecorder"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(CallStarted(Instant::now()));
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let attempt = Self::attempt(cfg);
        if attempt < 2 {
            return Ok(());
        }
        let operation = cfg.load::<Metadata>().map_or("call", Metadata::name);
        let of = cfg
            .load::<RetryConfig>()
            .map(|retry| format!(" of {}", retry.max_attempts()))
            .unwrap_or_default();
        let previous = cfg
            .load::<PreviousOutcome>()
            .map_or("failed", |outcome| outcome.0.as_str());
        let elapsed = seconds(Self::elapsed(cfg));
        tracing::debug!(operation, attempt, previous, elapsed, "retrying");
        if self.announce_retries {
            eprintln!(
                "{operation}: {previous}, retrying (attempt {attempt}{of}, {elapsed} so far)"
            );
        }
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let outcome = match (context.response(), context.output_or_error()) {
            (Some(response), _) => format!("HTTP {}", response.status().as_u16()),
            (None, Some(Err(err))) => format!("no answer ({})", super::error::error_chain(err)),
            (None, _) => "no answer".to_string(),
        };
        cfg.interceptor_state().store_put(PreviousOutcome(outcome));
        Ok(())
    }

    fn modify_before_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let attempts = Attempts {
            count: Self::attempt(cfg),
            elapsed: Self::elapsed(cfg),
        };
        if let Some(response) = context.response_mut() {
            response.add_extension(attempts);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_read_as_a_sentence() {
        let shown = |count, millis| {
            Attempts {
                count,
                elapsed: Duration::from_millis(millis),
            }
            .to_string()
        };
        assert_eq!(shown(10, 35_400), "10 attempts over 35 s");
        assert_eq!(shown(2, 1_520), "2 attempts over 1.5 s");
        assert_eq!(shown(1, 40), "1 attempt over 0.0 s");
    }

    #[test]
    fn the_record_travels_on_the_response() {
        let status = aws_smithy_runtime_api::http::StatusCode::try_from(500u16).unwrap();
        let mut response = HttpResponse::new(status, aws_smithy_types::body::SdkBody::empty());
        assert_eq!(Attempts::of(&response), None);
        let attempts = Attempts {
            count: 3,
            elapsed: Duration::from_secs(2),
        };
        response.add_extension(attempts);
        assert_eq!(Attempts::of(&response), Some(attempts));
    }
}
