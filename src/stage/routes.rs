//! The route model shared by drift and doctor: `"VERB /path"` keys (verb upper-case, path as API
//! Gateway writes it — the same keys as the hash's `routes`), and the per-route facts compared
//! between the live API and what a stage serves.

use std::collections::BTreeMap;

use super::no_integration::integration_of;
use crate::snapshot::{Integration, Method, Snapshot};

/// `"VERB /path"`, the key used by the hash's `routes` map and every stage attribute.
pub fn route_key(verb: &str, path: &str) -> String {
    format!("{} {}", verb.trim().to_ascii_uppercase(), path)
}

/// Splits a `"VERB /path"` key; `None` when it is not of that form.
pub fn split_route(route: &str) -> Option<(String, String)> {
    let (verb, path) = route.trim().split_once(' ')?;
    let path = path.trim();
    if verb.is_empty() || !path.starts_with('/') {
        return None;
    }
    Some((verb.to_ascii_uppercase(), path.to_string()))
}

/// What decides whether a caller gets past the method: the part of a method the deployment's
/// `apiSummary` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteAuth {
    /// `NONE`, `AWS_IAM`, `CUSTOM` or `COGNITO_USER_POOLS`.
    pub authorization_type: String,
    pub api_key_required: bool,
}

impl RouteAuth {
    /// Normalises absent values the way API Gateway defaults them.
    pub fn new(authorization_type: Option<&str>, api_key_required: Option<bool>) -> RouteAuth {
        RouteAuth {
            authorization_type: authorization_type
                .map(|t| t.trim().to_ascii_uppercase())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "NONE".to_string()),
            api_key_required: api_key_required.unwrap_or(false),
        }
    }
}

/// The integration fields compared between the live API and the stage export.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IntegrationTarget {
    /// Upper-case: `AWS`, `AWS_PROXY`, `HTTP`, `HTTP_PROXY`, `MOCK` (exports write it lower-case).
    pub integration_type: Option<String>,
    pub uri: Option<String>,
    /// Upper-case.
    pub http_method: Option<String>,
}

impl IntegrationTarget {
    pub fn new(
        integration_type: Option<&str>,
        uri: Option<&str>,
        http_method: Option<&str>,
    ) -> Self {
        let upper = |v: Option<&str>| {
            v.map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty())
        };
        IntegrationTarget {
            integration_type: upper(integration_type),
            uri: uri
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            http_method: upper(http_method),
        }
    }

    pub fn from_integration(integration: &Integration) -> Self {
        IntegrationTarget::new(
            integration.integration_type.as_deref(),
            integration.uri.as_deref(),
            integration.http_method.as_deref(),
        )
    }
}

/// Every live method with its `"VERB /path"` key: the one walk over the API's routes.
pub fn live_methods(snapshot: &Snapshot) -> impl Iterator<Item = (String, &Method)> {
    snapshot.resources.iter().flat_map(|resource| {
        resource
            .methods
            .iter()
            .map(move |(verb, method)| (route_key(verb, &resource.path), method))
    })
}

/// Every live route with its auth facts.
pub fn live_auth(snapshot: &Snapshot) -> BTreeMap<String, RouteAuth> {
    live_methods(snapshot)
        .map(|(route, method)| {
            let auth = RouteAuth::new(
                method.authorization_type.as_deref(),
                method.api_key_required,
            );
            (route, auth)
        })
        .collect()
}

/// Every live route with its integration (`None` for a method without one).
pub fn live_integrations(snapshot: &Snapshot) -> BTreeMap<String, Option<IntegrationTarget>> {
    live_methods(snapshot)
        .map(|(route, method)| {
            let target = integration_of(method).map(IntegrationTarget::from_integration);
            (route, target)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Method, Resource, SortedMap};

    #[test]
    fn keys_upper_case_verbs_and_keep_paths() {
        assert_eq!(route_key("get", "/items/{id}"), "GET /items/{id}");
        assert_eq!(split_route("post /a"), Some(("POST".into(), "/a".into())));
        assert_eq!(split_route("GET items"), None);
    }

    #[test]
    fn defaults_absent_auth_like_api_gateway() {
        assert_eq!(
            RouteAuth::new(None, None),
            RouteAuth {
                authorization_type: "NONE".into(),
                api_key_required: false
            }
        );
        assert_eq!(
            RouteAuth::new(Some("aws_iam"), Some(true)).authorization_type,
            "AWS_IAM"
        );
    }

    #[test]
    fn live_routes_cover_every_method() {
        let mut methods = SortedMap::new();
        methods.insert(
            "GET".to_string(),
            Method {
                api_key_required: Some(true),
                ..Method::default()
            },
        );
        methods.insert("POST".to_string(), Method::default());
        let snapshot = Snapshot {
            resources: vec![Resource {
                path: "/items".into(),
                methods,
                ..Resource::default()
            }],
            ..Snapshot::default()
        };
        let auth = live_auth(&snapshot);
        assert_eq!(
            auth.keys().collect::<Vec<_>>(),
            ["GET /items", "POST /items"]
        );
        assert!(auth["GET /items"].api_key_required);
        assert_eq!(live_integrations(&snapshot)["POST /items"], None);
    }
}
