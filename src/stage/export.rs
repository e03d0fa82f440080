//! Reads the integrations out of a stage export (OpenAPI 3.0 with
//! `x-amazon-apigateway-integration` extensions): the deployed snapshot's integration side.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::routes::{route_key, IntegrationTarget};

const HTTP_VERBS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];
const ANY_METHOD: &str = "x-amazon-apigateway-any-method";
const INTEGRATION: &str = "x-amazon-apigateway-integration";

/// Integrations per route. `Err` when the document is not an OpenAPI export; `Ok(None)` when it
/// is one but carries no integration extension at all (exported without `extensions`).
pub fn integrations(
    document: &[u8],
) -> Result<Option<BTreeMap<String, IntegrationTarget>>, String> {
    let json: Json =
        serde_json::from_slice(document).map_err(|err| format!("the export is not JSON: {err}"))?;
    let paths = json
        .get("paths")
        .and_then(Json::as_object)
        .ok_or_else(|| "the export has no \"paths\" object".to_string())?;
    let mut routes = BTreeMap::new();
    let mut saw_extension = false;
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (name, operation) in item {
            let verb = if name == ANY_METHOD {
                "ANY".to_string()
            } else if HTTP_VERBS.contains(&name.as_str()) {
                name.to_ascii_uppercase()
            } else {
                continue;
            };
            let integration = operation.get(INTEGRATION);
            saw_extension |= integration.is_some();
            let field = |key: &str| integration.and_then(|i| i.get(key)).and_then(Json::as_str);
            routes.insert(
                route_key(&verb, path),
                IntegrationTarget::new(field("type"), field("uri"), field("httpMethod")),
            );
        }
    }
    Ok(saw_extension.then_some(routes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_integrations_and_any_method() {
        let doc = br#"{"openapi":"3.0.1","paths":{
            "/items":{"get":{"x-amazon-apigateway-integration":{"type":"aws_proxy","httpMethod":"POST",
                "uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"}},
              "parameters":[]},
            "/{proxy+}":{"x-amazon-apigateway-any-method":{"x-amazon-apigateway-integration":{"type":"mock"}}}}}"#;
        let routes = integrations(doc).unwrap().unwrap();
        assert_eq!(
            routes.keys().collect::<Vec<_>>(),
            ["ANY /{proxy+}", "GET /items"]
        );
        assert_eq!(
            routes["GET /items"].integration_type.as_deref(),
            Some("AWS_PROXY")
        );
        assert_eq!(
            routes["ANY /{proxy+}"],
            IntegrationTarget::new(Some("MOCK"), None, None)
        );
    }

    #[test]
    fn an_export_without_extensions_compares_nothing() {
        assert_eq!(integrations(br#"{"paths":{"/a":{"get":{}}}}"#), Ok(None));
        assert!(integrations(b"<html>").is_err());
        assert!(integrations(b"{}").is_err());
    }
}
