//! Resource-policy evaluation for one invocation, the way API Gateway decides it: an explicit
//! Deny wins; otherwise an Allow must match `execute-api:Invoke` on the method ARN
//! `arn:aws:execute-api:REGION:ACCOUNT:APIID/STAGE/VERB/PATH` (IAM wildcards `*` and `?`).
//!
//! Principals are not evaluated (the caller is unknown to us). Conditions are evaluated for
//! what the caller told us ([`Caller`]: `aws:SourceIp` with `IpAddress`/`NotIpAddress`,
//! `aws:SourceVpce` with the `String…` operators); a condition on anything else, or on a fact
//! we were not told, leaves its statement conditional rather than guessed.

use std::net::IpAddr;

use serde_json::Value as Json;

/// Facts about the caller that resource-policy conditions test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// `aws:SourceIp`.
    pub source_ip: Option<IpAddr>,
    /// `aws:SourceVpce` (a VPC endpoint id, `vpce-…`).
    pub vpce: Option<String>,
}

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
    /// The `Condition` block, when it has any entry.
    condition: Option<Json>,
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
            condition: s
                .get("Condition")
                .filter(|c| c.as_object().is_some_and(|o| !o.is_empty()))
                .cloned(),
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
    /// The decision for any caller: every condition counts as unknown.
    pub fn decide(&self, invocation: &Invocation<'_>) -> Decision {
        self.decide_for(invocation, &Caller::default())
    }

    /// The decision for a caller: conditions on facts it gave are evaluated; a statement whose
    /// condition is false for it does not apply.
    pub fn decide_for(&self, invocation: &Invocation<'_>, caller: &Caller) -> Decision {
        // (statement, conditional for this caller)
        let matching: Vec<(&Statement, bool)> = self
            .statements
            .iter()
            .filter(|s| s.matches(invocation))
            .filter_map(|s| match &s.condition {
                None => Some((s, false)),
                Some(condition) => match condition_holds(condition, caller) {
                    Some(true) => Some((s, false)),
                    Some(false) => None,
                    None => Some((s, true)),
                },
            })
            .collect();
        let first = |allow: bool, conditional: bool| {
            matching
                .iter()
                .find(|(s, c)| s.allow == allow && *c == conditional)
                .map(|(s, _)| s.label.clone())
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

/// Whether a `Condition` block holds for the caller: `None` when it tests something unknown.
/// Entries are ANDed: one false entry makes it false.
fn condition_holds(condition: &Json, caller: &Caller) -> Option<bool> {
    let mut result = Some(true);
    for (operator, entries) in condition.as_object()? {
        let entries = entries.as_object()?;
        for (key, values) in entries {
            let values: Vec<&str> = match values {
                Json::String(v) => vec![v.as_str()],
                Json::Array(list) => list.iter().filter_map(Json::as_str).collect(),
                _ => return None,
            };
            match condition_entry(operator, key, &values, caller) {
                Some(false) => return Some(false),
                Some(true) => {}
                None => result = None,
            }
        }
    }
    result
}

fn condition_entry(operator: &str, key: &str, values: &[&str], caller: &Caller) -> Option<bool> {
    if operator.contains(':') {
        return None; // ForAnyValue:/ForAllValues: are for multi-valued keys we never know
    }
    let operator = operator.strip_suffix("IfExists").unwrap_or(operator);
    match key.to_ascii_lowercase().as_str() {
        "aws:sourceip" => {
            let ip = caller.source_ip?;
            let inside = values.iter().any(|cidr| cidr_contains(cidr, ip));
            match operator {
                "IpAddress" => Some(inside),
                "NotIpAddress" => Some(!inside),
                _ => None,
            }
        }
        "aws:sourcevpce" => {
            let vpce = caller.vpce.as_deref()?;
            let equal = values.contains(&vpce);
            let equal_ci = values.iter().any(|v| v.eq_ignore_ascii_case(vpce));
            let like = values.iter().any(|v| wildcard_match(v, vpce));
            match operator {
                "StringEquals" => Some(equal),
                "StringNotEquals" => Some(!equal),
                "StringEqualsIgnoreCase" => Some(equal_ci),
                "StringNotEqualsIgnoreCase" => Some(!equal_ci),
                "StringLike" => Some(like),
                "StringNotLike" => Some(!like),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether `cidr` (`10.0.0.0/8`, `2001:db8::/32`, or one address) contains `ip`.
fn cidr_contains(cidr: &str, ip: IpAddr) -> bool {
    let (net, bits) = match cidr.trim().split_once('/') {
        Some((net, bits)) => (net, bits.parse::<u32>().ok()),
        None => (cidr.trim(), None),
    };
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    let (net, ip, width) = match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => (u32::from(n) as u128, u32::from(i) as u128, 32),
        (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
        _ => return false,
    };
    let bits = bits.unwrap_or(width).min(width);
    if bits == 0 {
        return true;
    }
    let shift = width - bits;
    (net >> shift) == (ip >> shift)
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
    fn conditions_are_evaluated_for_what_the_caller_told() {
        let p = parse(r#"{"Statement":[
            {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"},
            {"Sid":"OfficeOnly","Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*",
             "Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}}]}"#)
        .unwrap();
        let outside = Caller {
            source_ip: Some("198.51.100.7".parse().unwrap()),
            vpce: None,
        };
        let inside = Caller {
            source_ip: Some("203.0.113.9".parse().unwrap()),
            vpce: None,
        };
        let v6 = Caller {
            source_ip: Some("2001:db8::1".parse().unwrap()),
            vpce: None,
        };
        assert_eq!(
            p.decide_for(&call("GET", "/a"), &outside),
            Decision::Denied("statement \"OfficeOnly\"".into())
        );
        assert_eq!(
            p.decide_for(&call("GET", "/a"), &inside),
            Decision::Allowed("statement #1".into())
        );
        assert_eq!(
            p.decide_for(&call("GET", "/a"), &v6),
            Decision::Allowed("statement #1".into())
        );
        assert_eq!(
            p.decide(&call("GET", "/a")),
            Decision::MaybeDenied("statement \"OfficeOnly\"".into())
        );

        let vpce = parse(r#"{"Statement":[{"Sid":"FromVpce","Effect":"Allow","Principal":"*","Action":"execute-api:Invoke",
             "Resource":"execute-api:/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0abc"}},"Extra":1},
             {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*",
              "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"aws:SourceVpc":"vpc-1"}}}]}"#)
        .unwrap();
        let right = Caller {
            source_ip: None,
            vpce: Some("vpce-0abc".into()),
        };
        let wrong = Caller {
            source_ip: Some("192.0.2.1".parse().unwrap()),
            vpce: Some("vpce-9999".into()),
        };
        assert_eq!(
            vpce.decide_for(&call("GET", "/a"), &right),
            Decision::Allowed("statement \"FromVpce\"".into())
        );
        // The second statement's IP test fails, so its unknown aws:SourceVpc does not matter.
        assert_eq!(
            vpce.decide_for(&call("GET", "/a"), &wrong),
            Decision::NotAllowed
        );
        assert!(cidr_contains("0.0.0.0/0", "8.8.8.8".parse().unwrap()));
        assert!(!cidr_contains("10.0.0.1", "10.0.0.2".parse().unwrap()));
    }

    #[test]
    fn other_region_or_action_does_not_match() {
        let p = parse(r#"{"Statement":{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"}}"#).unwrap();
        assert_eq!(p.decide(&call("GET", "/items")), Decision::NotAllowed);
        let p = parse(r#"{"Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:eu-west-1:*:*"}}"#).unwrap();
        assert_eq!(p.decide(&call("GET", "/items")), Decision::NotAllowed);
    }
}
