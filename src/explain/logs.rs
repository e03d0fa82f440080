//! A request's execution-log lines: when the stage logs the method at INFO or ERROR, the
//! events of `API-Gateway-Execution-Logs_{apiId}/{stage}` that start with `(requestId)`, read
//! with CloudWatch Logs FilterLogEvents (the same credentials, region, retries and timeouts as
//! the API Gateway client). Events arrive seconds after the request, so the lookup polls for up
//! to `--logs-wait` seconds.
//!
//! The endpoint: AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, else `--endpoint-url` (an emulator serves
//! every service on one port), else AWS_ENDPOINT_URL, else AWS's endpoint for the region.

use std::time::{Duration, Instant};

use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;

use super::{ExecutionLog, LogState};
use crate::aws::ApiGateway;

/// Where to look, and for how long.
#[derive(Debug, Clone)]
pub struct Lookup<'a> {
    pub rest_api_id: &'a str,
    pub stage: &'a str,
    pub request_id: &'a str,
    /// Epoch milliseconds to search from (a minute before the request).
    pub since_ms: i64,
    pub wait: Duration,
    /// `--endpoint-url`, when given.
    pub endpoint_flag: Option<&'a str>,
}

/// The log group API Gateway writes a stage's execution logs to.
pub fn log_group(rest_api_id: &str, stage: &str) -> String {
    format!("API-Gateway-Execution-Logs_{rest_api_id}/{stage}")
}

/// The endpoint for CloudWatch Logs (see the module documentation).
pub fn endpoint(flag: Option<&str>, var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    set("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS")
        .or_else(|| flag.map(str::to_string))
        .or_else(|| set("AWS_ENDPOINT_URL"))
}

/// Keeps the events of this request (they start with `(requestId)`), in order.
pub fn lines_of_request(events: &[(i64, String)], request_id: &str) -> Vec<String> {
    let tag = format!("({request_id})");
    let mut lines: Vec<&(i64, String)> = events
        .iter()
        .filter(|(_, message)| message.trim_start().starts_with(&tag) || message.contains(&tag))
        .collect();
    lines.sort_by_key(|(t, _)| *t);
    lines.dedup();
    lines
        .into_iter()
        .map(|(_, m)| m.trim_end().to_string())
        .collect()
}

/// Reads the lines (state `on`), or says why it could not (`unavailable`).
pub async fn fetch(api: &ApiGateway, lookup: &Lookup<'_>) -> ExecutionLog {
    let group = log_group(lookup.rest_api_id, lookup.stage);
    let Some(shared) = api.shared_config() else {
        return unavailable(&group, "no AWS configuration to read CloudWatch Logs with");
    };
    let mut config = aws_sdk_cloudwatchlogs::config::Builder::from(shared);
    if let Some(url) = endpoint(lookup.endpoint_flag, |n| std::env::var(n).ok()) {
        config = config.endpoint_url(url);
    }
    let client = aws_sdk_cloudwatchlogs::Client::from_conf(config.build());
    let started = Instant::now();
    loop {
        match filter(&client, &group, lookup).await {
            Ok(events) => {
                let lines = lines_of_request(&events, lookup.request_id);
                if !lines.is_empty() {
                    return ExecutionLog {
                        state: LogState::On,
                        note: format!(
                            "{} line(s) of request {} from {group}",
                            lines.len(),
                            lookup.request_id
                        ),
                        lines,
                    };
                }
            }
            Err(problem) => return unavailable(&group, &problem),
        }
        if started.elapsed() >= lookup.wait {
            return ExecutionLog {
                state: LogState::On,
                lines: Vec::new(),
                note: format!(
                    "no line of request {} in {group} after {} s; events can take longer to arrive (--logs-wait)",
                    lookup.request_id,
                    lookup.wait.as_secs()
                ),
            };
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn unavailable(group: &str, problem: &str) -> ExecutionLog {
    ExecutionLog {
        state: LogState::Unavailable,
        lines: Vec::new(),
        note: format!("could not read {group}: {problem}"),
    }
}

/// One FilterLogEvents sweep (all pages) for events mentioning the request id.
async fn filter(
    client: &aws_sdk_cloudwatchlogs::Client,
    group: &str,
    lookup: &Lookup<'_>,
) -> Result<Vec<(i64, String)>, String> {
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    for _page in 0..20 {
        let answer = client
            .filter_log_events()
            .log_group_name(group)
            .filter_pattern(format!("\"{}\"", lookup.request_id))
            .start_time(lookup.since_ms)
            .set_next_token(token.clone())
            .send()
            .await;
        let page = match answer {
            Ok(page) => page,
            Err(err) => {
                let code = err.code().unwrap_or("");
                if code == "ResourceNotFoundException" {
                    return Err("the log group does not exist (the account's CloudWatch role for API Gateway may be missing: aws_api_gateway_account)".into());
                }
                let message = err.message().map(str::to_string).unwrap_or_else(|| {
                    aws_smithy_types::error::display::DisplayErrorContext(&err).to_string()
                });
                return Err(if code.is_empty() {
                    message
                } else {
                    format!("{code}: {message}")
                });
            }
        };
        events.extend(
            page.events().iter().filter_map(|e| {
                Some((e.timestamp().unwrap_or_default(), e.message()?.to_string()))
            }),
        );
        token = page
            .next_token()
            .map(str::to_string)
            .filter(|t| Some(t) != token.as_ref());
        if token.is_none() {
            break;
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_variable_wins_then_the_flag_then_the_general_variable() {
        let vars = |set: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                set.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            endpoint(
                Some("http://flag"),
                vars(&[
                    ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://logs"),
                    ("AWS_ENDPOINT_URL", "http://all")
                ])
            )
            .as_deref(),
            Some("http://logs")
        );
        assert_eq!(
            endpoint(
                Some("http://flag"),
                vars(&[("AWS_ENDPOINT_URL", "http://all")])
            )
            .as_deref(),
            Some("http://flag")
        );
        assert_eq!(
            endpoint(None, vars(&[("AWS_ENDPOINT_URL", "http://all")])).as_deref(),
            Some("http://all")
        );
        assert_eq!(
            endpoint(None, vars(&[("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", " ")])),
            None
        );
    }

    #[test]
    fn keeps_only_this_requests_lines_in_time_order() {
        let events = vec![
            (3, "(abc-1) Method completed with status: 403\n".to_string()),
            (1, "(abc-1) Extended Request Id: x".to_string()),
            (2, "(zzz-9) another request".to_string()),
            (2, "(abc-1) API Key **********wxyz not authorized because method 'GET /pets' requires API Key and API Key is not associated with a Usage Plan for API Stage abc123/dev: API Key was required but not present".to_string()),
        ];
        let lines = lines_of_request(&events, "abc-1");
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains("Extended Request Id"));
        assert!(lines[2].ends_with("status: 403"));
        assert_eq!(
            log_group("abc123", "dev"),
            "API-Gateway-Execution-Logs_abc123/dev"
        );
    }
}
