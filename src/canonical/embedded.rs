//! JSON documents embedded as text in the API (model schemas, the resource policy): parsing
//! them leniently and neutralising references to the API's own generated id.

use serde_json::Value;

/// Placeholder that replaces the API's own id wherever the contract neutralises it.
pub(crate) const API_ID_PLACEHOLDER: &str = "{rest_api_id}";

/// Embedded text after parsing: a JSON value, or the trimmed raw text when it does not parse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Embedded {
    Json(Value),
    Text(String),
}

/// Parses embedded JSON text. Accepts plain JSON, JSON backslash-escaped once more (as
/// API Gateway returns the policy: `{\"Version\":...}`), and JSON wrapped in a JSON string.
/// Returns `None` for absent or whitespace-only text.
pub(crate) fn parse(text: &str) -> Option<Embedded> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let mut candidate = match serde_json::from_str::<Value>(trimmed) {
        Ok(value) => value,
        Err(_) => match unescape(trimmed) {
            Some(value) => value,
            None => return Some(Embedded::Text(trimmed.to_owned())),
        },
    };
    // A document that was serialised into a JSON string (possibly twice).
    for _ in 0..2 {
        let Value::String(inner) = &candidate else {
            break;
        };
        match serde_json::from_str::<Value>(inner.trim()) {
            Ok(value @ (Value::Object(_) | Value::Array(_))) => candidate = value,
            _ => break,
        }
    }
    Some(Embedded::Json(candidate))
}

/// Reads `text` as the body of a JSON string literal and parses the result as JSON.
fn unescape(text: &str) -> Option<Value> {
    let quoted = format!("\"{text}\"");
    let inner: String = serde_json::from_str(&quoted).ok()?;
    serde_json::from_str(inner.trim()).ok()
}

/// Applies `replace` to every string value (not object keys) in `value`.
pub(crate) fn map_strings(value: &mut Value, replace: &dyn Fn(&str) -> Option<String>) {
    match value {
        Value::String(s) => {
            if let Some(new) = replace(s) {
                *s = new;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| map_strings(v, replace)),
        Value::Object(map) => map.values_mut().for_each(|v| map_strings(v, replace)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Replaces the API id in model URLs: `/restapis/{id}/` → `/restapis/{rest_api_id}/`.
pub(crate) fn neutralise_model_urls(text: &str, api_id: &str) -> Option<String> {
    if api_id.is_empty() {
        return None;
    }
    let needle = format!("/restapis/{api_id}/");
    text.contains(&needle)
        .then(|| text.replace(&needle, &format!("/restapis/{API_ID_PLACEHOLDER}/")))
}

/// Replaces the API id in execute-api ARNs (`arn:aws:execute-api:region:account:{id}/...`):
/// every `:{id}/` and a trailing `:{id}` become `:{rest_api_id}/` and `:{rest_api_id}`.
pub(crate) fn neutralise_arns(text: &str, api_id: &str) -> Option<String> {
    if api_id.is_empty() {
        return None;
    }
    let segment = format!(":{api_id}/");
    let tail = format!(":{api_id}");
    if !text.contains(&segment) && !text.ends_with(&tail) {
        return None;
    }
    let replaced = text.replace(&segment, &format!(":{API_ID_PLACEHOLDER}/"));
    Some(match replaced.strip_suffix(&tail) {
        Some(head) => format!("{head}:{API_ID_PLACEHOLDER}"),
        None => replaced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_escaped_and_string_wrapped_json() {
        let plain = parse(r#" {"a":"x\"y"} "#);
        let expected = Some(Embedded::Json(serde_json::json!({"a": "x\"y"})));
        assert_eq!(plain, expected);
        assert_eq!(parse(r#"{\"a\":\"x\\\"y\"}"#), expected);
        assert_eq!(parse(r#""{\"a\":\"x\\\"y\"}""#), expected);
        assert_eq!(parse("  \n"), None);
        assert_eq!(parse(" not json "), Some(Embedded::Text("not json".into())));
        assert_eq!(
            parse("\"just text\""),
            Some(Embedded::Json("just text".into()))
        );
    }

    #[test]
    fn neutralises_only_the_api_id_in_arns_and_model_urls() {
        let arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/GET/abc123";
        assert_eq!(
            neutralise_arns(arn, "abc123").as_deref(),
            Some("arn:aws:execute-api:eu-west-1:123456789012:{rest_api_id}/*/GET/abc123")
        );
        assert_eq!(
            neutralise_arns("arn:x:abc123", "abc123").as_deref(),
            Some("arn:x:{rest_api_id}")
        );
        assert_eq!(neutralise_arns("arn:x:abc1234/", "abc123"), None);
        assert_eq!(neutralise_arns("anything", ""), None);
        assert_eq!(
            neutralise_model_urls(
                "https://apigateway.amazonaws.com/restapis/abc123/models/Pet",
                "abc123"
            )
            .as_deref(),
            Some("https://apigateway.amazonaws.com/restapis/{rest_api_id}/models/Pet")
        );
    }
}
