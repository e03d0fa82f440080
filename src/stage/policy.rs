//! Resource-policy evaluation for one invocation, the way API Gateway decides it: an explicit
//! Deny wins; otherwise an Allow must match `execute-api:Invoke` on the method ARN
//! `arn:aws:execute-api:REGION:ACCOUNT:APIID/STAGE/VERB/PATH` (IAM wildcards `*` and `?`).
//!
//! Principals are not evaluated (the caller is unknown to us); statements with a `Condition`
//! are reported as conditional rather than guessed.

use serde_json::Value as Json;

/// The method ARN being invoked. `account` is `None` when unknown: then any account matches.
#[derive(Debug, Clone)]
pub struct Invocation<'a> {
    pub region: Option<&'a str>,
    pub account: Option<&'a str>,
    pub rest_api_id: &'a str,
    pub stage: &'a str,
    pub verb: &'a str,
    /// Resource path with its leading slash, e.g. `/items/{id}`.
    pub path: &'a str,
}

impl Invocation<'_> {
    /// The ARN as it appears in policies (`*` for what we do not know).
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:execute-api:{}:{}:{}/{}/{}{}",
            self.region.unwrap_or("*"),
            self.account.unwrap_or("*"),
            self.rest_api_id,
            self.stage,
            self.verb,
            self.path
        )
    }
}

/// The outcome for one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An unconditional Deny matches (statement id or index).
    Denied(String),
    /// Only a Deny with a condition matches: it denies some callers.
    MaybeDenied(String),
    /// An unconditional Allow matches.
    Allowed(String),
    /// Only an Allow with a condition matches: some callers are allowed.
    ConditionallyAllowed(String),
    /// Nothing allows it: an implicit deny for callers not allowed by IAM.
    NotAllowed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq)]
struct Statement {
    label: String,
    allow: bool,
    actions: Vec<String>,
    not_action: bool,
    resources: Vec<String>,
    not_resource: bool,
    conditional: bool,
}

/// Parses a policy as API Gateway returns it (possibly backslash-escaped JSON).
pub fn parse(text: &str) -> Result<Policy, String> {
    let json: Json = serde_json::from_str(text)
        .or_else(|_| serde_json::from_str(&unescape(text)))
        .map_err(|err| format!("the resource policy is not valid JSON: {err}"))?;
    let statements = match json.get("Statement") {
        Some(Json::Array(list)) => list.clone(),
        Some(single @ Json::Object(_)) => vec![single.clone()],
        _ => return Err("the resource policy has no Statement".into()),
    };
    let strings = |v: Option<&Json>| -> Vec<String> {
        match v {
            Some(Json::String(s)) => vec![s.clone()],
            Some(Json::Array(a)) => a
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    };
    let statements = statements
        .iter()
        .enumerate()
        .map(|(i, s)| Statement {
            label: s
                .get("Sid")
                .and_then(Json::as_str)
                .filter(|sid| !sid.is_empty())
                .map_or_else(
                    || format!("statement #{}", i + 1),
                    |sid| format!("statement {sid:?}"),
                ),
            allow: s.get("Effect").and_then(Json::as_str) == Some("Allow"),
            not_action: s.get("NotAction").is_some(),
            actions: strings(s.get("Action").or_else(|| s.get("NotAction"))),
            not_resource: s.get("NotResource").is_some(),
            resources: strings(s.get("Resource").or_else(|| s.get("NotResource"))),
            conditional: s
                .get("Condition")
                .is_some_and(|c| c.as_object().is_some_and(|o| !o.is_empty())),
        })
        .collect();
    Ok(Policy { statements })
}

/// `{\"Version\":...}` as API Gateway stores it.
fn unescape(text: &str) -> String {
    text.replace("\\\"", "\"")
        .replace("\\/", "/")
        .replace("\\\\", "\\")
}

impl Policy {
    pub fn decide(&self, invocation: &Invocation<'_>) -> Decision {
        let matching: Vec<&Statement> = self
            .statements
            .iter()
            .filter(|s| s.matches(invocation))
            .collect();
        let first = |allow: bool, conditional: bool| {
            matching
                .iter()
                .find(|s| s.allow == allow && s.conditional == conditional)
                .map(|s| s.label.clone())
        };
        if let Some(label) = first(false, false) {
            return Decision::Denied(label);
        }
        if let Some(label) = first(false, true) {
            return Decision::MaybeDenied(label);
        }
        if let Some(label) = first(true, false) {
            return Decision::Allowed(label);
        }
        if let Some(label) = first(true, true) {
            return Decision::ConditionallyAllowed(label);
        }
        Decision::NotAllowed
    }
}

impl Statement {
    fn matches(&self, invocation: &Invocation<'_>) -> bool {
        let action = self
            .actions
            .iter()
            .any(|a| wildcard_match(&a.to_ascii_lowercase(), "execute-api:invoke"));
        let resource = self
            .resources
            .iter()
            .any(|r| resource_matches(r, invocation));
        (action != self.not_action) && (resource != self.not_resource)
    }
}

/// Matches a policy resource against the invocation ARN. `execute-api:/STAGE/VERB/PATH` is the
/// shorthand API Gateway expands to this API's ARN.
fn resource_matches(pattern: &str, invocation: &Invocation<'_>) -> bool {
    let pattern = pattern.trim();
    if pattern == "*" {
        return true;
    }
    let method_part = format!(
        "{}/{}{}",
        invocation.stage, invocation.verb, invocation.path
    );
    if let Some(rest) = pattern.strip_prefix("execute-api:/") {
        return wildcard_match(rest, &method_part);
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts[..] else {
        return false;
    };
    arn == "arn"
        && wildcard_match(partition, "aws")
        && wildcard_match(service, "execute-api")
        && invocation.region.is_none_or(|r| wildcard_match(region, r))
        && invocation
            .account
            .is_none_or(|a| wildcard_match(account, a))
        && wildcard_match(
            resource,
            &format!("{}/{method_part}", invocation.rest_api_id),
        )
}

/// IAM string matching: `*` any run of characters (across `/`), `?` exactly one.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(verb: &'a str, path: &'a str) -> Invocation<'a> {
        Invocation {
            region: Some("us-east-1"),
            account: None,
            rest_api_id: "abc123",
            stage: "dev",
            verb,
            path,
        }
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("abc123/*/GET/items", "abc123/dev/GET/items"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(wildcard_match("*", ""));
        assert!(!wildcard_match("abc123/prod/*", "abc123/dev/GET/items"));
        assert!(wildcard_match("*/dev/*", "abc123/dev/GET/items/{id}"));
    }

    #[test]
    fn allow_on_the_stage_allows() {
        let p = parse(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
            "Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*"}]}"#)
        .unwrap();
        assert_eq!(
            p.decide(&call("GET", "/items")),
            Decision::Allowed("statement #1".into())
        );
        let prod = Invocation {
            stage: "prod",
            ..call("GET", "/items")
        };
        assert_eq!(p.decide(&prod), Decision::NotAllowed);
    }

    #[test]
    fn explicit_deny_wins_over_allow() {
        let p = parse(r#"{"Statement":[
            {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},
            {"Sid":"NoDelete","Effect":"Deny","Principal":"*","Action":["execute-api:*"],"Resource":"arn:aws:execute-api:*:*:*/*/DELETE/*"}]}"#)
        .unwrap();
        assert_eq!(
            p.decide(&call("GET", "/items")),
            Decision::Allowed("statement #1".into())
        );
        assert_eq!(
            p.decide(&call("DELETE", "/items")),
            Decision::Denied("statement \"NoDelete\"".into())
        );
    }

    #[test]
    fn conditions_and_escaped_policies() {
        let escaped = r#"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"arn:aws:execute-api:us-east-1:*:abc123\/*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0\/8\"}}}]}"#;
        let p = parse(escaped).unwrap();
        assert_eq!(
            p.decide(&call("GET", "/items")),
            Decision::ConditionallyAllowed("statement #1".into())
        );
        assert!(parse("not json").is_err());
    }

    #[test]
    fn other_region_or_action_does_not_match() {
        let p = parse(r#"{"Statement":{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"}}"#).unwrap();
        assert_eq!(p.decide(&call("GET", "/items")), Decision::NotAllowed);
        let p = parse(r#"{"Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:eu-west-1:*:*"}}"#).unwrap();
        assert_eq!(p.decide(&call("GET", "/items")), Decision::NotAllowed);
    }
}
