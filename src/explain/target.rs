//! Which API, stage and resource path a URL calls (pure). Forms:
//! `https://{id}.execute-api.{region}.amazonaws.com/{stage}/…`, LocalStack's
//! `http://HOST:PORT/restapis/{id}/{stage}/_user_request_/…` and host-style
//! `{id}.execute-api.localhost.localstack.cloud[:port]/{stage}/…` (also a loopback address with
//! that name in a `Host` header), and custom domains, resolved by their base path mappings.

use url::Url;

/// How the URL names the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// `{id}.execute-api.{region}.amazonaws.com` (also `.amazonaws.com.cn`, VPC endpoint
    /// names `{id}-{vpce}.execute-api…`).
    ExecuteApi {
        region: Option<String>,
        /// The VPC endpoint id of a `{id}-{vpce}.execute-api.{region}.vpce.amazonaws.com` host.
        vpce: Option<String>,
    },
    /// LocalStack's `/restapis/{id}/{stage}/_user_request_/…`.
    LocalStackPath,
    /// LocalStack's `{id}.execute-api.localhost.localstack.cloud`.
    LocalStackHost,
    /// Any other host: a custom domain name, mapped by base path mappings.
    CustomDomain { domain: String },
}

/// What the URL implies; `stage` is the first path segment for host-style forms (it may not be
/// a stage at all: see [`Target::path_with_stage`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub form: Form,
    pub rest_api_id: Option<String>,
    pub stage: Option<String>,
    /// The resource path after the stage (`/` at least).
    pub path: String,
    /// The path as the URL has it after the API part (stage segment included).
    pub path_with_stage: String,
}

/// Parses the URL; `host_header` (from `-H 'Host: …'`) names the API when the URL is a
/// loopback address.
pub fn parse(url: &str, host_header: Option<&str>) -> Result<Target, String> {
    let parsed = Url::parse(url).map_err(|err| {
        format!("{url:?} is not a URL ({err}); give the full URL, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/dev/items")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("{url:?} is not an http(s) URL"));
    }
    let url_host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
    let host = host_header
        .map(|h| h.trim().to_ascii_lowercase())
        .map(|h| {
            h.rsplit_once(':')
                .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
                .map_or(h.clone(), |(n, _)| n.to_string())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or(url_host);
    let path = parsed.path().to_string();
    let segments: Vec<&str> = path.split('/').skip(1).collect();

    if segments.first() == Some(&"restapis") && segments.get(3) == Some(&"_user_request_") {
        let rest = format!("/{}", segments[4..].join("/"));
        return Ok(Target {
            form: Form::LocalStackPath,
            rest_api_id: Some(segments[1].to_string()).filter(|s| !s.is_empty()),
            stage: Some(segments[2].to_string()).filter(|s| !s.is_empty()),
            path: rest.clone(),
            path_with_stage: format!("/{}{rest}", segments[2]),
        });
    }
    if let Some((first, rest_of_host)) = host.split_once(".execute-api.") {
        let (rest_api_id, vpce) = match first.split_once('-') {
            Some((id, vpce)) => (id.to_string(), Some(vpce.to_string())),
            None => (first.to_string(), None),
        };
        let form = if rest_of_host.starts_with("localhost.localstack.cloud") {
            Form::LocalStackHost
        } else {
            Form::ExecuteApi {
                region: rest_of_host
                    .split('.')
                    .next()
                    .filter(|r| !r.is_empty() && *r != "amazonaws")
                    .map(str::to_string),
                vpce,
            }
        };
        let (stage, path) = split_stage(&path);
        return Ok(Target {
            form,
            rest_api_id: Some(rest_api_id).filter(|s| !s.is_empty()),
            stage,
            path,
            path_with_stage: path_or_root(&parsed),
        });
    }
    Ok(Target {
        form: Form::CustomDomain { domain: host },
        rest_api_id: None,
        stage: None,
        path: path_or_root(&parsed),
        path_with_stage: path_or_root(&parsed),
    })
}

fn path_or_root(url: &Url) -> String {
    let path = url.path();
    if path.is_empty() {
        "/".into()
    } else {
        path.to_string()
    }
}

/// `/dev/items/1` → (`dev`, `/items/1`); `/` → (none, `/`).
fn split_stage(path: &str) -> (Option<String>, String) {
    let trimmed = path.trim_start_matches('/');
    let (stage, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let stage = Some(stage.to_string()).filter(|s| !s.is_empty());
    (stage, format!("/{rest}"))
}

/// A custom domain's base path mapping: `base_path` `(none)` or empty maps the whole domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasePathMapping {
    pub base_path: String,
    pub rest_api_id: String,
    /// `None`: the mapping leaves the stage to the URL's first segment.
    pub stage: Option<String>,
}

impl Target {
    /// Applies a custom domain's mappings: the longest base path that prefixes the path wins.
    /// `None` when no mapping matches (the domain answers 403 for it).
    pub fn through_mappings(&self, mappings: &[BasePathMapping]) -> Option<Target> {
        let segments: Vec<&str> = self
            .path_with_stage
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let mapping = mappings
            .iter()
            .filter(|m| {
                let base: Vec<&str> = base_segments(&m.base_path);
                segments.len() >= base.len() && segments[..base.len()] == base[..]
            })
            .max_by_key(|m| base_segments(&m.base_path).len())?;
        let after = segments[base_segments(&mapping.base_path).len()..].join("/");
        let after = format!("/{after}");
        let (stage, path) = match &mapping.stage {
            Some(stage) => (Some(stage.clone()), after.clone()),
            None => split_stage(&after),
        };
        Some(Target {
            form: self.form.clone(),
            rest_api_id: Some(mapping.rest_api_id.clone()),
            stage,
            path,
            path_with_stage: after,
        })
    }

    /// Sets what flags override. A `--stage` that is not the URL's first segment makes the
    /// whole path the resource path (the URL then lacks the stage prefix).
    pub fn with_overrides(mut self, rest_api_id: Option<&str>, stage: Option<&str>) -> Target {
        if let Some(id) = rest_api_id {
            self.rest_api_id = Some(id.to_string());
        }
        if let Some(stage) = stage {
            if self.stage.as_deref() != Some(stage) {
                if !matches!(self.form, Form::LocalStackPath) && self.stage.is_some() {
                    self.path = self.path_with_stage.clone();
                }
                self.stage = Some(stage.to_string());
            }
        }
        self
    }

    /// The custom domain name the URL calls; `None` for the execute-api forms and for an IP
    /// address or `localhost` (which no custom domain can be).
    pub fn custom_domain(&self) -> Option<&str> {
        match &self.form {
            Form::CustomDomain { domain }
                if domain.contains('.')
                    && domain.parse::<std::net::IpAddr>().is_err()
                    && !domain.starts_with('[') =>
            {
                Some(domain)
            }
            _ => None,
        }
    }

    /// The VPC endpoint a `…vpce.amazonaws.com` host goes through.
    pub fn vpce(&self) -> Option<&str> {
        match &self.form {
            Form::ExecuteApi { vpce, .. } => vpce.as_deref(),
            _ => None,
        }
    }

    /// Region named by an `execute-api` host.
    pub fn region(&self) -> Option<&str> {
        match &self.form {
            Form::ExecuteApi { region, .. } => region.as_deref(),
            _ => None,
        }
    }
}

fn base_segments(base_path: &str) -> Vec<&str> {
    if base_path == "(none)" {
        return Vec::new();
    }
    base_path.split('/').filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn execute_api_urls_name_api_region_stage_and_path() {
        let t = parse(
            "https://abc123.execute-api.eu-west-1.amazonaws.com/dev/pets/42?x=1",
            None,
        )
        .unwrap();
        assert_eq!(
            t.form,
            Form::ExecuteApi {
                region: Some("eu-west-1".into()),
                vpce: None
            }
        );
        assert_eq!(
            (
                t.rest_api_id.as_deref(),
                t.stage.as_deref(),
                t.path.as_str()
            ),
            (Some("abc123"), Some("dev"), "/pets/42")
        );
        let t = parse(
            "https://abc123-vpce-0a1b2c.execute-api.us-east-1.vpce.amazonaws.com/prod",
            None,
        )
        .unwrap();
        assert_eq!(
            (
                t.rest_api_id.as_deref(),
                t.stage.as_deref(),
                t.path.as_str()
            ),
            (Some("abc123"), Some("prod"), "/")
        );
        assert_eq!(t.vpce(), Some("vpce-0a1b2c"));
        assert!(parse("not a url", None).unwrap_err().contains("not a URL"));
    }

    #[test]
    fn localstack_path_and_host_forms() {
        let t = parse(
            "http://127.0.0.1:4566/restapis/abc123/dev/_user_request_/items/1",
            None,
        )
        .unwrap();
        assert_eq!(t.form, Form::LocalStackPath);
        assert_eq!(
            (
                t.rest_api_id.as_deref(),
                t.stage.as_deref(),
                t.path.as_str()
            ),
            (Some("abc123"), Some("dev"), "/items/1")
        );
        let t = parse(
            "http://abc123.execute-api.localhost.localstack.cloud:4566/openapi.json",
            None,
        )
        .unwrap();
        assert_eq!(t.form, Form::LocalStackHost);
        // The first segment is taken for the stage; correlation finds it is none.
        assert_eq!(
            (
                t.stage.as_deref(),
                t.path.as_str(),
                t.path_with_stage.as_str()
            ),
            (Some("openapi.json"), "/", "/openapi.json")
        );
        let t = parse(
            "http://127.0.0.1:4566/dev/items",
            Some("abc123.execute-api.localhost.localstack.cloud:4566"),
        )
        .unwrap();
        assert_eq!(
            (t.form, t.rest_api_id.as_deref(), t.stage.as_deref()),
            (Form::LocalStackHost, Some("abc123"), Some("dev"))
        );
    }

    #[test]
    fn custom_domains_use_the_longest_base_path() {
        let t = parse("https://api.example.com/v2/dev/items", None).unwrap();
        assert_eq!(
            t.form,
            Form::CustomDomain {
                domain: "api.example.com".into()
            }
        );
        let mappings = [
            BasePathMapping {
                base_path: "(none)".into(),
                rest_api_id: "root1".into(),
                stage: Some("prod".into()),
            },
            BasePathMapping {
                base_path: "v2".into(),
                rest_api_id: "two222".into(),
                stage: None,
            },
        ];
        let mapped = t.through_mappings(&mappings).unwrap();
        assert_eq!(
            (
                mapped.rest_api_id.as_deref(),
                mapped.stage.as_deref(),
                mapped.path.as_str()
            ),
            (Some("two222"), Some("dev"), "/items")
        );
        let root = parse("https://api.example.com/items", None)
            .unwrap()
            .through_mappings(&mappings)
            .unwrap();
        assert_eq!(
            (
                root.rest_api_id.as_deref(),
                root.stage.as_deref(),
                root.path.as_str()
            ),
            (Some("root1"), Some("prod"), "/items")
        );
        assert_eq!(
            t.through_mappings(&mappings[1..2])
                .unwrap()
                .rest_api_id
                .as_deref(),
            Some("two222")
        );
        assert!(parse("https://api.example.com/other", None)
            .unwrap()
            .through_mappings(&mappings[1..])
            .is_none());
    }

    #[test]
    fn a_stage_override_that_the_url_lacks_keeps_the_whole_path() {
        let t = parse(
            "https://abc123.execute-api.us-east-1.amazonaws.com/openapi.json",
            None,
        )
        .unwrap();
        let t = t.with_overrides(None, Some("dev"));
        assert_eq!(
            (t.stage.as_deref(), t.path.as_str()),
            (Some("dev"), "/openapi.json")
        );
        let same = parse(
            "https://abc123.execute-api.us-east-1.amazonaws.com/dev/x",
            None,
        )
        .unwrap()
        .with_overrides(Some("zzz"), Some("dev"));
        assert_eq!(
            (same.rest_api_id.as_deref(), same.path.as_str()),
            (Some("zzz"), "/x")
        );
    }
}
