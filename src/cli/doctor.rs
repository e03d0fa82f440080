//! `gwtrigger doctor`: the 403 checklist for a stage (and optionally one route), PASS / WARN /
//! FAIL with the fix. Exit 0 when nothing fails (warnings allowed), 2 on any FAIL, 1 on error.

use clap::Args;

use crate::aws::{self, FetchOptions};
use crate::stage::doctor::parse_route;
use crate::stage::{diagnose, Report, Status};

use super::{CliError, ConnectionArgs};

/// Exit status when a check fails.
pub const EXIT_FAIL: u8 = 2;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Id of the REST API.
    #[arg(long, value_name = "ID")]
    pub rest_api_id: String,
    /// Stage name (case-sensitive).
    #[arg(long, value_name = "NAME")]
    pub stage: String,
    /// The failing route, e.g. "GET /items" (a concrete path such as "GET /items/42" works).
    #[arg(long, value_name = "VERB /PATH")]
    pub route: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print the report as JSON (checks array with id, status, summary, details, fix).
    #[arg(long)]
    pub json: bool,
}

/// Returns what to print and the exit status (0 pass/warn, 2 fail).
pub async fn run(args: &DoctorArgs) -> Result<(String, u8), CliError> {
    let route = match &args.route {
        Some(route) => {
            Some(parse_route(route).map_err(|problem| CliError::new("Invalid --route", problem))?)
        }
        None => None,
    };
    let client = args.connection.client().await?;
    let context = aws::fetch_stage_context(
        &client,
        &args.rest_api_id,
        &args.stage,
        &FetchOptions::default(),
    )
    .await
    .map_err(CliError::from)?;
    let report = diagnose(&context, route.as_deref());
    let code = if report.worst() == Status::Fail {
        EXIT_FAIL
    } else {
        0
    };
    let out = if args.json {
        render_json(&report)
    } else {
        render_text(&report)
    };
    Ok((out, code))
}

pub fn render_json(report: &Report) -> String {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "result".into(),
            serde_json::Value::String(report.worst().label().into()),
        );
    }
    format!("{value:#}\n")
}

pub fn render_text(report: &Report) -> String {
    let mut out = format!(
        "gwtrigger doctor: REST API {}, stage {}{} (deployment {})\n\n",
        report.rest_api_id,
        report.stage,
        report
            .route
            .as_deref()
            .map(|r| format!(", route {r}"))
            .unwrap_or_default(),
        report.deployment_id
    );
    for (n, check) in report.checks.iter().enumerate() {
        out.push_str(&format!(
            "{}. {:<4}  {}: {}\n",
            n + 1,
            check.status.label(),
            check.title,
            check.summary
        ));
        for detail in &check.details {
            out.push_str(&format!("          - {detail}\n"));
        }
        if let Some(fix) = &check.fix {
            out.push_str("        fix:\n");
            for line in fix.lines() {
                out.push_str(&format!("          {line}\n"));
            }
        }
    }
    let count = |s: Status| report.checks.iter().filter(|c| c.status == s).count();
    out.push_str(&format!(
        "\nResult: {} ({} FAIL, {} WARN, {} PASS)\n",
        report.worst().label(),
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Pass)
    ));
    out
}
