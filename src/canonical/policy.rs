//! The resource policy: parsed and rewritten so IAM-equivalent spellings hash alike.
//!
//! Only rewrites that IAM defines as equivalent are applied (see docs/hash-contract.md,
//! "Policy"); anything else is kept as written, because a missed redeploy is worse than a
//! spurious one.

use serde_json::{Map, Value};

use super::embedded::{self, Embedded};

/// Statement members whose value is a set of strings (string ≡ one-element list).
const SET_MEMBERS: [&str; 4] = ["Action", "NotAction", "NotResource", "Resource"];
/// Statement members holding a principal (`"*"` or a map of type → set of ids).
const PRINCIPAL_MEMBERS: [&str; 2] = ["NotPrincipal", "Principal"];

/// The policy in canonical form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CanonicalPolicy {
    /// The normalised policy document.
    Json(Value),
    /// The trimmed raw text of a policy that is not JSON.
    Text(String),
}

/// Canonicalises the policy text; `None` when there is effectively no policy.
pub(crate) fn canonicalise(text: &str, api_id: &str) -> Option<CanonicalPolicy> {
    match embedded::parse(text)? {
        Embedded::Text(raw) => Some(CanonicalPolicy::Text(
            embedded::neutralise_arns(&raw, api_id).unwrap_or(raw),
        )),
        Embedded::Json(mut value) => {
            if is_empty(&value) {
                return None;
            }
            embedded::map_strings(&mut value, &|s| embedded::neutralise_arns(s, api_id));
            Some(CanonicalPolicy::Json(normalise_document(value)))
        }
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// `Statement` becomes a sorted, de-duplicated list of normalised statements.
fn normalise_document(value: Value) -> Value {
    let Value::Object(mut document) = value else {
        return value;
    };
    if let Some(statement) = document.remove("Statement") {
        let list = match statement {
            Value::Array(items) => items,
            single => vec![single],
        };
        let statements = Value::Array(list.into_iter().map(normalise_statement).collect());
        document.insert("Statement".to_owned(), as_set(statements));
    }
    Value::Object(document)
}

fn normalise_statement(statement: Value) -> Value {
    let Value::Object(members) = statement else {
        return statement;
    };
    let normalised: Map<String, Value> = members
        .into_iter()
        .map(|(key, member)| {
            let member = if SET_MEMBERS.contains(&key.as_str()) {
                as_set(member)
            } else if PRINCIPAL_MEMBERS.contains(&key.as_str()) {
                normalise_principal(member)
            } else if key == "Condition" {
                normalise_condition(member)
            } else {
                member
            };
            (key, member)
        })
        .collect();
    Value::Object(normalised)
}

/// A scalar becomes a one-element list; a list is sorted by canonical bytes and de-duplicated.
fn as_set(value: Value) -> Value {
    let items = match value {
        Value::Array(items) => items,
        Value::Object(_) => return value,
        scalar => vec![scalar],
    };
    let mut keyed: Vec<(Vec<u8>, Value)> =
        items.into_iter().map(|v| (super::encode(&v), v)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    Value::Array(keyed.into_iter().map(|(_, v)| v).collect())
}

/// `{"AWS": "x"}` ≡ `{"AWS": ["x"]}`; sets sorted. `"*"` stays distinct from `{"AWS":"*"}`.
fn normalise_principal(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, as_set(v))).collect()),
        other => other,
    }
}

/// `{operator: {key: value}}`: each value is a set (scalar ≡ one-element list).
fn normalise_condition(value: Value) -> Value {
    let Value::Object(operators) = value else {
        return value;
    };
    Value::Object(
        operators
            .into_iter()
            .map(|(operator, keys)| {
                let keys = match keys {
                    Value::Object(map) => {
                        Value::Object(map.into_iter().map(|(k, v)| (k, as_set(v))).collect())
                    }
                    other => other,
                };
                (operator, keys)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str, api_id: &str) -> String {
        match canonicalise(text, api_id) {
            Some(CanonicalPolicy::Json(value)) => value.to_string(),
            Some(CanonicalPolicy::Text(text)) => format!("TEXT:{text}"),
            None => "NONE".to_owned(),
        }
    }

    #[test]
    fn equivalent_forms_are_equal() {
        let a = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:1:api1/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}"#;
        let b = r#"{
            "Statement": [{
                "Resource": ["arn:aws:execute-api:us-east-1:1:api2/*", "arn:aws:execute-api:us-east-1:1:api2/*"],
                "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}},
                "Action": ["execute-api:Invoke"],
                "Principal": {"AWS": ["arn:aws:iam::1:root"]},
                "Effect": "Allow"
            }],
            "Version": "2012-10-17"
        }"#;
        assert_eq!(canonical(a, "api1"), canonical(b, "api2"));
        assert_eq!(
            canonical(a, "api1"),
            r#"{"Statement":[{"Action":["execute-api:Invoke"],"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]}},"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Resource":["arn:aws:execute-api:us-east-1:1:{rest_api_id}/*"]}],"Version":"2012-10-17"}"#
        );
    }

    #[test]
    fn statement_order_and_duplicates_do_not_matter() {
        let a = r#"{"Statement":[{"Effect":"Deny","Action":"x"},{"Effect":"Allow","Action":"y"}]}"#;
        let b = r#"{"Statement":[{"Effect":"Allow","Action":"y"},{"Action":"x","Effect":"Deny"},{"Effect":"Allow","Action":["y"]}]}"#;
        assert_eq!(canonical(a, "id"), canonical(b, "id"));
    }

    #[test]
    fn star_principal_differs_from_aws_star() {
        let star = r#"{"Statement":[{"Principal":"*"}]}"#;
        let aws_star = r#"{"Statement":[{"Principal":{"AWS":"*"}}]}"#;
        assert_ne!(canonical(star, "id"), canonical(aws_star, "id"));
    }

    #[test]
    fn empty_and_unparseable_policies() {
        assert_eq!(canonical("", "id"), "NONE");
        assert_eq!(canonical(" {} ", "id"), "NONE");
        assert_eq!(canonical("null", "id"), "NONE");
        assert_eq!(canonical("  {oops  ", "id"), "TEXT:{oops");
        assert_eq!(
            canonical(r#"{\"Statement\":[]}"#, "id"),
            canonical(r#"{"Statement":[]}"#, "id")
        );
    }
}
