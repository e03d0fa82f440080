//! `gwtrigger explain`: glue between the flags, the request (or a saved answer), the API reads
//! and the pure classification/correlation in `crate::explain`. Exit 0 when the request did not
//! fail, 2 when it failed (a layer is named, `unknown` included), 1 on error.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::aws::{self, ApiGateway, AwsError, FetchOptions};
use crate::explain::answer::Answer;
use crate::explain::classify::{classify, Classified, Signal};
use crate::explain::correlate::{correlate, ApiFacts, Case};
use crate::explain::redact::{show_header, Scrubber};
use crate::explain::target::{self, Form, Target};
use crate::explain::{logs, send, Caller, ExecutionLog, Explanation, LogState, Request};
use crate::stage::StageContext;

use super::{CliError, ConnectionArgs};

/// Exit status when the request failed.
pub const EXIT_FAILED: u8 = 2;

/// Verbs sent without `--send-unsafe`: they should not change anything.
const SAFE_METHODS: [&str; 3] = ["GET", "HEAD", "OPTIONS"];

#[derive(Debug, Args)]
#[command(
    long_about = "Sends the request that failed (or reads a saved `curl -si` answer) and names the layer of API \
                  Gateway that failed it: stale_deployment, no_such_route, wrong_method, stage_prefix, api_key, \
                  resource_policy, authorizer, iam_auth, integration, waf_or_private_endpoint, none (it did not \
                  fail) or unknown. Prints the verdict, the evidence and the fix; with the API readable (the URL, \
                  or --rest-api-id and --stage, plus AWS access) it correlates the answer with the live API, the \
                  stage's deployment, usage plans and keys, the resource policy and the execution log.\n\n\
                  Exit 0 when the request did not fail, 2 when it failed (any layer, unknown included), 1 on error.\n\
                  Header values of x-api-key, Authorization, cookies and any header named like a token or secret \
                  are never printed or logged; API keys are compared by SHA-256."
)]
pub struct ExplainArgs {
    /// The URL that failed: https://ID.execute-api.REGION.amazonaws.com/STAGE/PATH, a custom
    /// domain, or LocalStack's /restapis/ID/STAGE/_user_request_/PATH and
    /// ID.execute-api.localhost.localstack.cloud forms.
    #[arg(value_name = "URL", required_unless_present = "response")]
    pub url: Option<String>,
    /// HTTP method; verbs other than GET, HEAD and OPTIONS need --send-unsafe.
    #[arg(
        short = 'X',
        long = "request",
        value_name = "METHOD",
        default_value = "GET"
    )]
    pub method: String,
    /// A request header, 'Name: value' (repeatable). 'Host: ID.execute-api.localhost.localstack.cloud'
    /// names the API of a loopback URL.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Print one JSON object (url, method, status, error_type, message, request_id, rest_api_id,
    /// stage, route, layer, verdict, evidence, fix, execution_log).
    #[arg(long)]
    pub json: bool,
    /// Allow sending verbs other than GET, HEAD and OPTIONS (they may change data).
    #[arg(long)]
    pub send_unsafe: bool,
    /// Read a saved `curl -si` answer (status line, headers, body) instead of sending; -X and -H
    /// then say what was sent.
    #[arg(long, value_name = "FILE")]
    pub response: Option<PathBuf>,
    /// The REST API id [default: from the URL].
    #[arg(long, value_name = "ID")]
    pub rest_api_id: Option<String>,
    /// The stage [default: from the URL]; a stage the URL lacks makes its whole path the resource path.
    #[arg(long, value_name = "NAME")]
    pub stage: Option<String>,
    /// The caller's source IP, to evaluate aws:SourceIp conditions of the resource policy.
    #[arg(long, value_name = "IP")]
    pub source_ip: Option<IpAddr>,
    /// The VPC endpoint the call went through (vpce-…), for aws:SourceVpce conditions
    /// [default: from a …vpce.amazonaws.com URL].
    #[arg(long, value_name = "ID")]
    pub vpce: Option<String>,
    /// Do not look up the request's execution-log lines.
    #[arg(long)]
    pub no_logs: bool,
    /// How long to wait for the request's execution-log lines to arrive in CloudWatch Logs.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub logs_wait: u64,
    /// An extra CA bundle (PEM) to trust for HTTPS, besides the system's roots (SSL_CERT_FILE /
    /// SSL_CERT_DIR) and AWS_CA_BUNDLE.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Returns what to print and the exit status (0 did not fail, 2 failed).
pub async fn run(args: &ExplainArgs) -> Result<(String, u8), CliError> {
    let request = request(args)?;
    let scrubber = Scrubber::from_headers(
        request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str())),
    );
    let url_target = match &args.url {
        Some(url) => Some(
            target::parse(url, request.header("host"))
                .map_err(|p| CliError::new("Invalid URL", p))?,
        ),
        None => None,
    };
    let answer = match &args.response {
        Some(file) => saved_answer(file)?,
        None => {
            tracing::debug!(method = %request.method, url = %scrubber.scrub(request.url.as_deref().unwrap_or_default()), "explain: sending");
            let budgets = aws::ClientOptions::from_env()?;
            let timeouts = send::Timeouts {
                connect: budgets.connect_timeout,
                answer: budgets.attempt_timeout,
            };
            send::send(&request, args.cacert.as_deref(), timeouts)
                .await
                .map_err(|e| CliError::new(scrubber.scrub(&e.summary), scrubber.scrub(&e.detail)))?
        }
    };
    let classified = classify(&answer);
    let target = target_of(args, url_target, &classified);
    let caller = Caller {
        source_ip: args.source_ip,
        vpce: args
            .vpce
            .clone()
            .or_else(|| target.as_ref().and_then(|t| t.vpce().map(str::to_string))),
    };

    let mut read_problem = None;
    let mut facts = None;
    let mut client = None;
    let mut target = target;
    let needs_api = !matches!(classified.signal, Signal::Success | Signal::Redirect { .. });
    if let (true, Some(t)) = (needs_api, target.clone()) {
        if t.rest_api_id.is_some() || t.custom_domain().is_some() {
            let read = match args.connection.client_in_region(t.region()).await {
                Ok(api) => read_facts(&api, &t, &request, &classified)
                    .await
                    .map(|read| (read, api))
                    .map_err(CliError::from),
                Err(err) => Err(err),
            };
            match read {
                Ok(((read, mapped), api)) => {
                    facts = Some(read);
                    target = Some(mapped);
                    client = Some(api);
                }
                // Without the API a missing-token answer has no verdict at all.
                Err(err) if matches!(classified.signal, Signal::MissingToken { .. }) => {
                    return Err(err)
                }
                Err(err) => {
                    read_problem = Some(format!(
                        "the API could not be read: {} ({})",
                        err.summary, err.detail
                    ))
                }
            }
        }
    }
    let mut verdict = correlate(&Case {
        classified: &classified,
        request: &request,
        target: target.as_ref(),
        caller: &caller,
        facts: facts.as_ref(),
    });
    if let Some(problem) = read_problem {
        verdict.evidence.push(problem);
    }
    let execution_log = execution_log(
        args,
        &classified,
        &answer,
        facts.as_ref(),
        client.as_ref(),
        target.as_ref(),
        &request,
        verdict.route.as_deref(),
        verdict.layer.failed(),
    )
    .await;
    let explanation = Explanation {
        url: request.url.clone(),
        method: request.method.clone(),
        status: classified.status,
        error_type: classified.error_type.clone(),
        message: classified.message.clone(),
        request_id: classified.request_id.clone(),
        rest_api_id: facts
            .as_ref()
            .map(|f| f.context.rest_api_id.clone())
            .or_else(|| target.as_ref().and_then(|t| t.rest_api_id.clone())),
        // A first path segment that is no stage of the API is not reported as the stage.
        stage: target
            .as_ref()
            .and_then(|t| t.stage.clone())
            .filter(|_| facts.as_ref().is_none_or(|f| f.stage_found)),
        route: verdict.route.clone(),
        layer: verdict.layer,
        verdict: verdict.verdict,
        evidence: verdict.evidence,
        fix: verdict.fix,
        execution_log,
    };
    let explanation = scrubbed(explanation, &scrubber);
    let code = if explanation.layer.failed() {
        EXIT_FAILED
    } else {
        0
    };
    let out = if args.json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&explanation).unwrap_or_default()
        )
    } else {
        render_text(&explanation, &request)
    };
    Ok((out, code))
}

fn request(args: &ExplainArgs) -> Result<Request, CliError> {
    let method = args.method.trim().to_ascii_uppercase();
    if method.is_empty()
        || !method
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(CliError::new(
            "Invalid -X/--request",
            format!("{:?} is not an HTTP method; use e.g. -X GET.", args.method),
        ));
    }
    if args.response.is_none() && !SAFE_METHODS.contains(&method.as_str()) && !args.send_unsafe {
        return Err(CliError::new(
            format!("Not sending {method} without --send-unsafe"),
            format!("{method} may change data. Pass --send-unsafe to send it anyway, or send it yourself with `curl -si -X {method} URL > answer.txt` and run gwtrigger explain --response answer.txt -X {method}."),
        ));
    }
    let mut headers = Vec::new();
    for (n, header) in args.headers.iter().enumerate() {
        let Some((name, value)) = header
            .split_once(':')
            .filter(|(name, _)| is_token(name.trim()))
        else {
            // Never echo the value: it may be a key.
            let shown = header
                .split_once(':')
                .map_or("no colon", |_| "no valid header name");
            return Err(CliError::new(
                "Invalid -H/--header",
                format!(
                    "header #{} is not 'Name: value' ({shown}); write e.g. -H 'x-api-key: KEY'.",
                    n + 1
                ),
            ));
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok(Request {
        method,
        url: args.url.clone(),
        headers,
    })
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn saved_answer(file: &PathBuf) -> Result<Answer, CliError> {
    let bytes = std::fs::read(file).map_err(|err| {
        CliError::new(
            "Cannot read --response",
            format!(
                "{}: {err}. Save the answer with `curl -si URL > answer.txt`.",
                file.display()
            ),
        )
    })?;
    Answer::parse_saved(&String::from_utf8_lossy(&bytes)).map_err(|problem| {
        CliError::new(
            "Invalid --response",
            format!("{}: {problem}", file.display()),
        )
    })
}

/// The target: the URL's, else the flags', else the method ARN of an AccessDenied message.
fn target_of(
    args: &ExplainArgs,
    from_url: Option<Target>,
    classified: &Classified,
) -> Option<Target> {
    let arn = match &classified.signal {
        Signal::PolicyDenied { arn, .. } | Signal::IamDenied { arn, .. } => arn.clone(),
        _ => None,
    };
    // Without the URL only an AccessDenied message's method ARN tells the path called.
    let target = from_url.or_else(|| {
        let arn = arn.as_ref()?;
        let stage = args.stage.clone().unwrap_or_else(|| arn.stage.clone());
        Some(Target {
            form: Form::ExecuteApi {
                region: Some(arn.region.clone()),
                vpce: None,
            },
            rest_api_id: Some(arn.rest_api_id.clone()),
            path_with_stage: format!("/{stage}{}", arn.path),
            stage: Some(stage),
            path: arn.path.clone(),
        })
    })?;
    Some(target.with_overrides(args.rest_api_id.as_deref(), args.stage.as_deref()))
}

/// Reads what correlation needs, with the same reads as `drift` and `doctor`.
async fn read_facts(
    api: &ApiGateway,
    target: &Target,
    request: &Request,
    classified: &Classified,
) -> Result<(ApiFacts, Target), AwsError> {
    let mut target = target.clone();
    let domain = target.custom_domain().map(str::to_string);
    if let Some(domain) = domain.as_deref().filter(|_| target.rest_api_id.is_none()) {
        let mappings = aws::fetch_base_path_mappings(api, domain).await?.ok_or_else(|| {
            AwsError::new(
                aws::AwsErrorKind::NotFound,
                format!("{domain} is not a custom domain name in {}", api.region()),
                format!("GetDomainName found no custom domain {domain:?} in {}. Pass --rest-api-id and --stage (and --region) for the API the URL reaches.", api.region()),
            )
        })?;
        match target.through_mappings(&mappings) {
            Some(mapped) => target = mapped,
            None => {
                let facts = ApiFacts {
                    unmapped_domain: Some((domain.to_string(), mappings)),
                    ..ApiFacts::default()
                };
                return Ok((facts, target));
            }
        }
    }
    let rest_api_id = target.rest_api_id.clone().unwrap_or_default();
    let stage_names = aws::fetch_stage_names(api, &rest_api_id).await?;
    let stage = target.stage.clone().unwrap_or_default();
    let stage_found = stage_names.contains(&stage);
    let context = if stage_found {
        aws::fetch_stage_context(api, &rest_api_id, &stage, &FetchOptions::default()).await?
    } else {
        StageContext {
            rest_api_id: rest_api_id.clone(),
            region: Some(api.region().to_string()),
            live: aws::fetch_snapshot(api, &rest_api_id, &FetchOptions::default()).await?,
            ..StageContext::default()
        }
    };
    let (api_keys, api_keys_problem) =
        if classified.signal == Signal::Forbidden && request.api_key_sha256().is_some() {
            match aws::fetch_api_key_digests(api, &rest_api_id).await {
                Ok(keys) => (Some(keys), None),
                Err(err) => (None, Some(err.summary().to_string())),
            }
        } else {
            (None, None)
        };
    Ok((
        ApiFacts {
            context,
            stage_found,
            stage_names,
            api_keys,
            api_keys_problem,
            unmapped_domain: None,
        },
        target,
    ))
}

#[allow(clippy::too_many_arguments)]
async fn execution_log(
    args: &ExplainArgs,
    classified: &Classified,
    answer: &Answer,
    facts: Option<&ApiFacts>,
    client: Option<&ApiGateway>,
    target: Option<&Target>,
    request: &Request,
    route: Option<&str>,
    failed: bool,
) -> ExecutionLog {
    if args.no_logs {
        return ExecutionLog::skipped("--no-logs");
    }
    if !failed {
        return ExecutionLog::skipped("the request did not fail");
    }
    if matches!(classified.signal, Signal::MissingToken { .. }) {
        return ExecutionLog::skipped("a Missing Authentication Token answer never reaches the execution log: no method matched, so no method's logging ran");
    }
    let (Some(facts), Some(client), Some(target)) = (facts, client, target) else {
        return ExecutionLog::skipped("the API was not read, so its stage's logging is unknown");
    };
    if !facts.stage_found {
        return ExecutionLog::skipped("the URL names no stage of the API");
    }
    let Some(request_id) = classified.request_id.as_deref() else {
        return ExecutionLog::skipped(
            "the answer carries no x-amzn-RequestId to find its lines by",
        );
    };
    let stage = &facts.context.stage;
    let (verb, path) = route
        .and_then(crate::stage::routes::split_route)
        .unwrap_or_else(|| (request.method.clone(), target.path.clone()));
    let level = stage.logging_level(&verb, &path);
    if level != "INFO" && level != "ERROR" {
        return ExecutionLog {
            state: LogState::Off,
            lines: Vec::new(),
            note: format!(
                "stage {} does not log {verb} {path} (logging level {level}): set method settings */*/logging/loglevel to INFO (gwtrigger doctor shows the Terraform) to see which check rejects the next request",
                stage.stage_name
            ),
        };
    }
    let lookup = logs::Lookup {
        rest_api_id: &facts.context.rest_api_id,
        stage: &stage.stage_name,
        request_id,
        since_ms: search_from_ms(answer, args.response.is_some()),
        wait: Duration::from_secs(args.logs_wait),
        endpoint_flag: args.connection.endpoint_url.as_deref(),
    };
    logs::fetch(client, &lookup).await
}

/// Where the log search starts: a minute before the answer's `Date`; without one, a minute
/// before now for a request just sent, a day before now for a saved answer.
fn search_from_ms(answer: &Answer, saved: bool) -> i64 {
    let date = answer.header("date").and_then(|d| {
        aws_smithy_types::DateTime::from_str(d, aws_smithy_types::date_time::Format::HttpDate).ok()
    });
    match date {
        Some(date) => date.secs() * 1000 - 60_000,
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or_default();
            now - if saved { 86_400_000 } else { 60_000 }
        }
    }
}

fn scrubbed(mut e: Explanation, scrubber: &Scrubber) -> Explanation {
    let s = |v: &mut String| *v = scrubber.scrub(v);
    for field in [&mut e.url, &mut e.message, &mut e.fix]
        .into_iter()
        .flatten()
    {
        s(field);
    }
    s(&mut e.verdict);
    e.evidence.iter_mut().for_each(s);
    e.execution_log.lines.iter_mut().for_each(s);
    s(&mut e.execution_log.note);
    e
}

pub fn render_text(e: &Explanation, request: &Request) -> String {
    let mut out = format!("{}\n", e.verdict);
    out.push_str("evidence:\n");
    let mut called = format!(
        "{} {} answered {}",
        e.method,
        e.url.as_deref().unwrap_or("(saved answer)"),
        e.status
    );
    if let Some(id) = &e.request_id {
        called.push_str(&format!(", x-amzn-RequestId {id}"));
    }
    out.push_str(&format!("  - {called}\n"));
    if !request.headers.is_empty() {
        let shown: Vec<String> = request
            .headers
            .iter()
            .map(|(n, v)| show_header(n, v))
            .collect();
        out.push_str(&format!("  - headers sent: {}\n", shown.join("; ")));
    }
    for line in &e.evidence {
        out.push_str(&format!("  - {line}\n"));
    }
    if let Some(fix) = &e.fix {
        out.push_str("fix:\n");
        for line in fix.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    let state = serde_json::to_value(e.execution_log.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    out.push_str(&format!(
        "execution log ({state}): {}\n",
        e.execution_log.note
    ));
    for line in &e.execution_log.lines {
        out.push_str(&format!("  {line}\n"));
    }
    out
}
