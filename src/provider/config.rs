//! Provider block → [`AwsSettings`]. This module only decodes: it turns Terraform values into
//! typed settings and reports values that have no typed form (a fractional `max_retries`, an
//! unknown `retry_mode`, a malformed `duration`). What the settings mean — credential pairs,
//! role ARNs, endpoint URLs, regions, limits — is checked once, in `aws`, whose errors name
//! the attribute; [`diagnostic`] turns them into attribute paths. Unknown values are skipped,
//! so the same code serves validation at plan time and configuration before a read.

use crate::aws::{parse_max_retries, AssumeRole, AwsError, AwsSettings, FrontEnd, RetryMode};
use crate::plugin::{Diagnostic, PathStep, Value};

use super::duration;

/// Nested blocks declared as lists of at most one element: their paths need an index step.
const SINGLE_ELEMENT_LIST_BLOCKS: [&str; 2] = ["assume_role", "endpoints"];

/// Decodes the provider block. Collects every problem rather than stopping at the first, so
/// one plan shows them all.
pub fn settings(config: &Value) -> Result<AwsSettings, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut settings = AwsSettings {
        region: string(config, "region"),
        profile: string(config, "profile"),
        access_key: string(config, "access_key"),
        secret_key: string(config, "secret_key"),
        token: string(config, "token"),
        shared_config_files: strings(config, "shared_config_files"),
        shared_credentials_files: strings(config, "shared_credentials_files"),
        endpoint_apigateway: single_block(config, "endpoints")
            .and_then(|e| string(e, "apigateway")),
        ..AwsSettings::default()
    };

    match config.get("max_retries") {
        Value::Null | Value::Unknown => {}
        value => match value.as_i64() {
            Some(n) => match parse_max_retries(n, FrontEnd::Provider) {
                Ok(n) => settings.max_retries = Some(n),
                Err(err) => problems.push(diagnostic(&err)),
            },
            None => problems.push(
                Diagnostic::error(
                    "Invalid max_retries",
                    format!(
                        "max_retries must be a whole number (retries after the first attempt); \
                         got {}.",
                        describe_number(value)
                    ),
                )
                .at("max_retries"),
            ),
        },
    }

    if let Some(mode) = string(config, "retry_mode") {
        match RetryMode::parse(&mode) {
            Some(parsed) => settings.retry_mode = Some(parsed),
            None => problems.push(
                Diagnostic::error(
                    "Invalid retry_mode",
                    format!(
                        "retry_mode must be one of {}; got {mode:?}. Use \"adaptive\" to rate-limit \
                         on the client when many data sources read large APIs.",
                        quoted_list(&RetryMode::NAMES)
                    ),
                )
                .at("retry_mode"),
            ),
        }
    }

    if let Some(role) = single_block(config, "assume_role") {
        let mut duration_seconds = None;
        if let Some(text) = string(role, "duration") {
            match duration::parse_seconds(&text) {
                Ok(secs) => duration_seconds = Some(u32::try_from(secs).unwrap_or(u32::MAX)),
                Err(why) => problems.push(
                    Diagnostic::error(
                        "Invalid assume_role duration",
                        format!("{why}. Write a Go duration such as \"15m\" or \"1h\"."),
                    )
                    .with_path(attribute_path("assume_role.duration")),
                ),
            }
        }
        if let Some(role_arn) = string(role, "role_arn") {
            settings.assume_role = Some(AssumeRole {
                role_arn,
                session_name: string(role, "session_name"),
                external_id: string(role, "external_id"),
                duration_seconds,
            });
        }
    }

    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(problems)
    }
}

/// Turns an `aws` error into a diagnostic on the attribute it concerns.
pub fn diagnostic(err: &AwsError) -> Diagnostic {
    let diagnostic = Diagnostic::error(err.summary(), err.detail());
    match err.attribute() {
        Some(attribute) => diagnostic.with_path(attribute_path(attribute)),
        None => diagnostic,
    }
}

/// `assume_role.duration` → `assume_role[0].duration`, as Terraform addresses list blocks.
fn attribute_path(dotted: &str) -> Vec<PathStep> {
    let mut path = Vec::new();
    for (i, name) in dotted.split('.').enumerate() {
        path.push(PathStep::Attribute(name.to_string()));
        if i == 0 && SINGLE_ELEMENT_LIST_BLOCKS.contains(&name) && dotted.contains('.') {
            path.push(PathStep::ElementKeyInt(0));
        }
    }
    path
}

fn string(object: &Value, key: &str) -> Option<String> {
    object.get(key).as_str().map(str::to_owned)
}

fn strings(object: &Value, key: &str) -> Vec<String> {
    object
        .get(key)
        .elements()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The one element of a `max_items = 1` list block, if present.
fn single_block<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    object.get(key).elements().first()
}

fn describe_number(value: &Value) -> String {
    match value {
        Value::Number(crate::plugin::Number::Int(i)) => i.to_string(),
        Value::Number(crate::plugin::Number::Float(f)) => f.to_string(),
        other => format!("{other:?}"),
    }
}

pub(crate) fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::Value;

    fn block(entries: Vec<(&str, Value)>) -> Value {
        Value::object(entries)
    }

    fn paths(result: Result<AwsSettings, Vec<Diagnostic>>) -> Vec<Vec<PathStep>> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|d| d.path)
            .collect()
    }

    #[test]
    fn empty_block_uses_defaults() {
        assert_eq!(settings(&Value::Null), Ok(AwsSettings::default()));
    }

    #[test]
    fn retry_mode_fast_is_rejected_at_its_attribute() {
        let err = settings(&block(vec![("retry_mode", Value::string("fast"))])).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].summary, "Invalid retry_mode");
        assert!(err[0].detail.contains("\"standard\", \"adaptive\""));
        assert_eq!(err[0].path, vec![PathStep::Attribute("retry_mode".into())]);
    }

    #[test]
    fn negative_and_fractional_max_retries_are_rejected() {
        for bad in [
            Value::int(-1),
            Value::int(101),
            Value::Number(crate::plugin::Number::Float(1.5)),
        ] {
            let p = paths(settings(&block(vec![("max_retries", bad)])));
            assert_eq!(p, vec![vec![PathStep::Attribute("max_retries".into())]]);
        }
    }

    #[test]
    fn unknown_values_are_not_errors() {
        let config = block(vec![
            ("retry_mode", Value::Unknown),
            ("max_retries", Value::Unknown),
            ("access_key", Value::string("AKIA")),
            ("secret_key", Value::Unknown),
        ]);
        assert!(settings(&config).is_ok());
    }

    #[test]
    fn aws_attribute_names_become_terraform_paths() {
        assert_eq!(
            attribute_path("retry_mode"),
            vec![PathStep::Attribute("retry_mode".into())]
        );
        assert_eq!(
            attribute_path("endpoints.apigateway"),
            vec![
                PathStep::Attribute("endpoints".into()),
                PathStep::ElementKeyInt(0),
                PathStep::Attribute("apigateway".into())
            ]
        );
    }

    #[test]
    fn nested_block_errors_point_into_the_block() {
        let config = block(vec![(
            "assume_role",
            Value::List(vec![block(vec![
                (
                    "role_arn",
                    Value::string("arn:aws:iam::123456789012:role/deploy"),
                ),
                ("duration", Value::string("5 minutes")),
            ])]),
        )]);
        let p = paths(settings(&config));
        assert!(p.contains(&vec![
            PathStep::Attribute("assume_role".into()),
            PathStep::ElementKeyInt(0),
            PathStep::Attribute("duration".into())
        ]));
    }

    #[test]
    fn full_block_decodes() {
        let config = block(vec![
            ("region", Value::string("eu-west-1")),
            ("max_retries", Value::int(5)),
            ("retry_mode", Value::string("adaptive")),
            (
                "endpoints",
                Value::List(vec![block(vec![(
                    "apigateway",
                    Value::string("http://127.0.0.1:5000"),
                )])]),
            ),
            (
                "assume_role",
                Value::List(vec![block(vec![
                    (
                        "role_arn",
                        Value::string("arn:aws:iam::123456789012:role/deploy"),
                    ),
                    ("duration", Value::string("1h")),
                ])]),
            ),
        ]);
        let s = settings(&config).unwrap();
        assert_eq!(s.region.as_deref(), Some("eu-west-1"));
        assert_eq!(s.max_retries, Some(5));
        assert_eq!(s.retry_mode, Some(RetryMode::Adaptive));
        assert_eq!(
            s.endpoint_apigateway.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        let role = s.assume_role.unwrap();
        assert_eq!(role.duration_seconds, Some(3600));
        assert_eq!(role.session_name, None);
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let config = block(vec![
            ("access_key", Value::string("AKIAEXAMPLE")),
            ("secret_key", Value::string("very-secret-value")),
            ("token", Value::string("session-token-value")),
        ]);
        let text = format!("{:?}", settings(&config).unwrap());
        assert!(!text.contains("very-secret-value"));
        assert!(!text.contains("session-token-value"));
    }
}
