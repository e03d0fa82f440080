//! `fetch_snapshot` against a real `moto_server` (the local API Gateway emulator).
//!
//! moto_server is found via GWTRIGGER_MOTO_SERVER, else `.venv/bin/moto_server` in the repo
//! (what `scripts/bootstrap.sh` installs). Without either the tests fail and say how to get it:
//! a test that cannot reach its emulator has checked nothing, so it must not pass.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_apigateway::types::{
    ApiKeySourceType, AuthorizerType, ContentHandlingStrategy, EndpointConfiguration, EndpointType,
    GatewayResponseType, IntegrationType, Op, PatchOperation, TlsConfig,
};
use gwtrigger::aws::{self, ApiGateway, AwsErrorKind, AwsSettings, FetchOptions};

struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GWTRIGGER_MOTO_SERVER, else the project venv's moto_server; panics (failing the test) with
/// what to do when neither exists.
fn moto_path() -> PathBuf {
    if let Some(path) = std::env::var_os("GWTRIGGER_MOTO_SERVER") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "GWTRIGGER_MOTO_SERVER={} does not exist; run scripts/bootstrap.sh or point it at a \
             moto_server",
            path.display()
        );
        return path;
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    assert!(
        local.is_file(),
        "no moto_server: run scripts/bootstrap.sh (creates {}) or set GWTRIGGER_MOTO_SERVER",
        local.display()
    );
    local
}

fn start_moto() -> Moto {
    let path = moto_path();
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(&path)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

fn settings(endpoint: &str) -> AwsSettings {
    AwsSettings {
        region: Some("us-east-1".into()),
        access_key: Some("testing".into()),
        secret_key: Some("testing".into()),
        endpoint_apigateway: Some(endpoint.into()),
        max_retries: Some(1),
        ..Default::default()
    }
}

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"*"}]}"#;
const SCHEMA: &str = r#"{"type":"object","properties":{"name":{"type":"string"}}}"#;

/// Builds an API with every kind of content the snapshot holds; returns its id.
async fn build_api(api: &ApiGateway) -> String {
    let sdk = api.sdk();
    let created = sdk
        .create_rest_api()
        .name("fixture")
        .policy(POLICY)
        .binary_media_types("image/png")
        .minimum_compression_size(1024)
        .api_key_source(ApiKeySourceType::Authorizer)
        .endpoint_configuration(
            EndpointConfiguration::builder()
                .types(EndpointType::Regional)
                .build(),
        )
        .disable_execute_api_endpoint(true)
        .send()
        .await
        .unwrap();
    let id = created.id().unwrap().to_string();
    // moto ignores binaryMediaTypes on CreateRestApi; it takes them from a patch (and reads the
    // value from `value`, where AWS reads it from the path).
    sdk.update_rest_api()
        .rest_api_id(&id)
        .patch_operations(
            PatchOperation::builder()
                .op(Op::Add)
                .path("/binaryMediaTypes/image~1png")
                .value("image/png")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let root = sdk
        .get_resources()
        .rest_api_id(&id)
        .send()
        .await
        .unwrap()
        .items()
        .iter()
        .find(|r| r.path() == Some("/"))
        .and_then(|r| r.id().map(str::to_owned))
        .unwrap();
    let items = sdk
        .create_resource()
        .rest_api_id(&id)
        .parent_id(&root)
        .path_part("items")
        .send()
        .await
        .unwrap();
    let items_id = items.id().unwrap().to_string();
    let item = sdk
        .create_resource()
        .rest_api_id(&id)
        .parent_id(&items_id)
        .path_part("{id}")
        .send()
        .await
        .unwrap();
    let item_id = item.id().unwrap().to_string();

    let authorizer = sdk
        .create_authorizer()
        .rest_api_id(&id)
        .name("token-auth")
        .r#type(AuthorizerType::Token)
        .authorizer_uri("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")
        .identity_source("method.request.header.Authorization")
        .identity_validation_expression("^Bearer .+$")
        .authorizer_result_ttl_in_seconds(120)
        .send()
        .await
        .unwrap();
    let authorizer_id = authorizer.id().unwrap().to_string();
    // moto drops identityValidationExpression on create (a typo in its kwargs); patch it in.
    sdk.update_authorizer()
        .rest_api_id(&id)
        .authorizer_id(&authorizer_id)
        .patch_operations(
            PatchOperation::builder()
                .op(Op::Replace)
                .path("/identityValidationExpression")
                .value("^Bearer .+$")
                .build(),
        )
        .send()
        .await
        .unwrap();
    sdk.create_model()
        .rest_api_id(&id)
        .name("Item")
        .content_type("application/json")
        .schema(SCHEMA)
        .send()
        .await
        .unwrap();
    let validator = sdk
        .create_request_validator()
        .rest_api_id(&id)
        .name("body-only")
        .validate_request_body(true)
        .validate_request_parameters(false)
        .send()
        .await
        .unwrap();
    let validator_id = validator.id().unwrap().to_string();

    // GET /items/{id}: custom authorizer, HTTP integration with templates and responses.
    sdk.put_method()
        .rest_api_id(&id)
        .resource_id(&item_id)
        .http_method("GET")
        .authorization_type("CUSTOM")
        .authorizer_id(&authorizer_id)
        .api_key_required(true)
        .operation_name("getItem")
        .request_parameters("method.request.path.id", true)
        .request_models("application/json", "Item")
        .request_validator_id(&validator_id)
        .send()
        .await
        .unwrap();
    sdk.put_method_response()
        .rest_api_id(&id)
        .resource_id(&item_id)
        .http_method("GET")
        .status_code("200")
        .response_parameters("method.response.header.X-Trace", false)
        .response_models("application/json", "Item")
        .send()
        .await
        .unwrap();
    sdk.put_integration()
        .rest_api_id(&id)
        .resource_id(&item_id)
        .http_method("GET")
        .r#type(IntegrationType::Http)
        .integration_http_method("GET")
        .uri("https://backend.example.com/items/{id}")
        .request_parameters("integration.request.path.id", "method.request.path.id")
        .request_templates("application/json", r#"{"id": "$input.params('id')"}"#)
        .passthrough_behavior("WHEN_NO_TEMPLATES")
        .content_handling(ContentHandlingStrategy::ConvertToText)
        .timeout_in_millis(5000)
        .cache_namespace("items-ns")
        .cache_key_parameters("method.request.path.id")
        .tls_config(
            TlsConfig::builder()
                .insecure_skip_verification(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    sdk.put_integration_response()
        .rest_api_id(&id)
        .resource_id(&item_id)
        .http_method("GET")
        .status_code("200")
        .selection_pattern("2\\d{2}")
        .response_parameters(
            "method.response.header.X-Trace",
            "integration.response.header.X-Trace",
        )
        .response_templates("application/json", "$input.json('$')")
        .send()
        .await
        .unwrap();

    // POST /items: MOCK integration. DELETE /items: a method without any integration.
    sdk.put_method()
        .rest_api_id(&id)
        .resource_id(&items_id)
        .http_method("POST")
        .authorization_type("NONE")
        .send()
        .await
        .unwrap();
    sdk.put_integration()
        .rest_api_id(&id)
        .resource_id(&items_id)
        .http_method("POST")
        .r#type(IntegrationType::Mock)
        .request_templates("application/json", r#"{"statusCode": 200}"#)
        .send()
        .await
        .unwrap();
    sdk.put_method()
        .rest_api_id(&id)
        .resource_id(&items_id)
        .http_method("DELETE")
        .authorization_type("AWS_IAM")
        .send()
        .await
        .unwrap();

    sdk.put_gateway_response()
        .rest_api_id(&id)
        .response_type(GatewayResponseType::Default4Xx)
        .status_code("400")
        .response_parameters("gatewayresponse.header.Access-Control-Allow-Origin", "'*'")
        .response_templates(
            "application/json",
            r#"{"error": $context.error.messageString}"#,
        )
        .send()
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn fetch_reads_every_field_back_from_moto() {
    let moto = start_moto();
    let api = aws::client(&settings(&moto.endpoint)).await.unwrap();
    let id = build_api(&api).await;

    let (snap, stats) = aws::fetch_snapshot_with_stats(&api, &id, &FetchOptions::default())
        .await
        .unwrap();
    eprintln!("stats: {stats:?}");

    // RestApi settings.
    let rest = &snap.rest_api;
    assert_eq!(rest.id, id);
    let policy: serde_json::Value = serde_json::from_str(
        &rest
            .policy
            .as_deref()
            .expect("policy")
            .replace("\\\"", "\""),
    )
    .expect("policy is JSON (possibly escaped)");
    assert_eq!(
        policy,
        serde_json::from_str::<serde_json::Value>(POLICY).unwrap()
    );
    assert_eq!(rest.binary_media_types, vec!["image/png"]);
    assert_eq!(rest.minimum_compression_size, Some(1024));
    assert_eq!(rest.api_key_source.as_deref(), Some("AUTHORIZER"));
    assert_eq!(rest.endpoint_configuration.types, vec!["REGIONAL"]);
    assert_eq!(rest.disable_execute_api_endpoint, Some(true));

    // Resources and paths.
    let mut paths: Vec<&str> = snap.resources.iter().map(|r| r.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(paths, vec!["/", "/items", "/items/{id}"]);
    let res = |p: &str| snap.resources.iter().find(|r| r.path == p).unwrap();
    assert_eq!(res("/items/{id}").path_part.as_deref(), Some("{id}"));
    assert_eq!(
        res("/items/{id}").parent_id.as_deref(),
        Some(res("/items").id.as_str())
    );

    // Authorizer, model, validator.
    assert_eq!(snap.authorizers.len(), 1);
    let auth = &snap.authorizers[0];
    assert_eq!(auth.name, "token-auth");
    assert_eq!(auth.authorizer_type.as_deref(), Some("TOKEN"));
    assert!(auth
        .authorizer_uri
        .as_deref()
        .unwrap()
        .ends_with("function:auth/invocations"));
    assert_eq!(
        auth.identity_source.as_deref(),
        Some("method.request.header.Authorization")
    );
    assert_eq!(
        auth.identity_validation_expression.as_deref(),
        Some("^Bearer .+$")
    );
    assert_eq!(auth.authorizer_result_ttl_in_seconds, Some(120));
    let model = snap
        .models
        .iter()
        .find(|m| m.name == "Item")
        .expect("model Item");
    assert_eq!(model.content_type.as_deref(), Some("application/json"));
    assert_eq!(model.schema.as_deref(), Some(SCHEMA));
    let validator = snap
        .request_validators
        .iter()
        .find(|v| v.name == "body-only")
        .expect("validator");
    assert_eq!(validator.validate_request_body, Some(true));
    assert_eq!(validator.validate_request_parameters, Some(false));

    // GET /items/{id}: method, method response, integration, integration response.
    let get = &res("/items/{id}").methods["GET"];
    assert_eq!(get.http_method, "GET");
    assert_eq!(get.authorization_type.as_deref(), Some("CUSTOM"));
    assert_eq!(get.authorizer_id.as_deref(), Some(auth.id.as_str()));
    assert_eq!(get.api_key_required, Some(true));
    assert_eq!(get.operation_name.as_deref(), Some("getItem"));
    assert_eq!(
        get.request_parameters.get("method.request.path.id"),
        Some(&true)
    );
    assert_eq!(
        get.request_models
            .get("application/json")
            .map(String::as_str),
        Some("Item")
    );
    assert_eq!(
        get.request_validator_id.as_deref(),
        Some(validator.id.as_str())
    );
    let mr = &get.method_responses["200"];
    assert_eq!(mr.status_code, "200");
    assert_eq!(
        mr.response_parameters.get("method.response.header.X-Trace"),
        Some(&false)
    );
    assert_eq!(
        mr.response_models
            .get("application/json")
            .map(String::as_str),
        Some("Item")
    );
    let integ = get.integration.as_ref().expect("GET integration");
    assert_eq!(integ.integration_type.as_deref(), Some("HTTP"));
    assert_eq!(integ.http_method.as_deref(), Some("GET"));
    assert_eq!(
        integ.uri.as_deref(),
        Some("https://backend.example.com/items/{id}")
    );
    assert_eq!(
        integ
            .request_parameters
            .get("integration.request.path.id")
            .map(String::as_str),
        Some("method.request.path.id")
    );
    assert_eq!(
        integ
            .request_templates
            .get("application/json")
            .map(String::as_str),
        Some(r#"{"id": "$input.params('id')"}"#)
    );
    assert_eq!(
        integ.passthrough_behavior.as_deref(),
        Some("WHEN_NO_TEMPLATES")
    );
    assert_eq!(integ.content_handling.as_deref(), Some("CONVERT_TO_TEXT"));
    assert_eq!(integ.timeout_in_millis, Some(5000));
    assert_eq!(integ.cache_namespace.as_deref(), Some("items-ns"));
    // moto drops cacheKeyParameters on PutIntegration (not parsed), so they are not checked here;
    // the conversion is covered by the unit tests.
    assert_eq!(integ.tls_config.insecure_skip_verification, Some(true));
    let ir = &integ.integration_responses["200"];
    assert_eq!(ir.selection_pattern.as_deref(), Some("2\\d{2}"));
    assert_eq!(
        ir.response_templates
            .get("application/json")
            .map(String::as_str),
        Some("$input.json('$')")
    );
    assert_eq!(
        ir.response_parameters
            .get("method.response.header.X-Trace")
            .map(String::as_str),
        Some("integration.response.header.X-Trace")
    );

    // POST /items: MOCK; DELETE /items: no integration at all (the fallback confirmed it).
    let items = res("/items");
    let post = items.methods["POST"]
        .integration
        .as_ref()
        .expect("POST integration");
    assert_eq!(post.integration_type.as_deref(), Some("MOCK"));
    assert_eq!(
        items.methods["DELETE"].authorization_type.as_deref(),
        Some("AWS_IAM")
    );
    assert!(items.methods["DELETE"].integration.is_none());
    assert_eq!(snap.method_count(), 3);
    assert_eq!(snap.integration_count(), 2);
    assert!(
        stats.method_fallbacks >= 1,
        "DELETE /items lacks an integration, so GetIntegration is asked"
    );

    // Gateway responses: the custom one, not flagged as a default.
    let custom = snap
        .gateway_responses
        .iter()
        .find(|g| g.response_type == "DEFAULT_4XX")
        .expect("DEFAULT_4XX gateway response");
    assert!(!custom.default_response);
    assert_eq!(custom.status_code.as_deref(), Some("400"));
    assert_eq!(
        custom
            .response_parameters
            .get("gatewayresponse.header.Access-Control-Allow-Origin")
            .map(String::as_str),
        Some("'*'")
    );
    assert!(custom.response_templates["application/json"].contains("messageString"));

    // Re-reading gives the same snapshot (modulo order of pages, which moto keeps stable).
    let again = aws::fetch_snapshot(&api, &id, &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(again, snap);
}

#[tokio::test]
async fn missing_api_is_not_found_naming_id_region_and_endpoint() {
    let moto = start_moto();
    let api = aws::client(&settings(&moto.endpoint)).await.unwrap();
    let err = aws::fetch_snapshot(&api, "nosuchapi1", &FetchOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), AwsErrorKind::NotFound, "{err}");
    assert_eq!(err.summary(), "REST API nosuchapi1 not found");
    assert_eq!(err.attribute(), Some("rest_api_id"));
    assert!(err.detail().contains("us-east-1"), "{}", err.detail());
    assert!(err.detail().contains(&moto.endpoint), "{}", err.detail());
    assert!(
        !err.to_string().contains("testing"),
        "no secret in messages: {err}"
    );
}

#[tokio::test]
async fn an_api_with_only_the_root_resource() {
    let moto = start_moto();
    let api = aws::client(&settings(&moto.endpoint)).await.unwrap();
    let id = api
        .sdk()
        .create_rest_api()
        .name("empty")
        .send()
        .await
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let (snap, stats) = aws::fetch_snapshot_with_stats(&api, &id, &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(snap.resources.len(), 1);
    assert_eq!(snap.resources[0].path, "/");
    assert!(snap.resources[0].methods.is_empty());
    assert!(snap.authorizers.is_empty() && snap.request_validators.is_empty());
    assert!(snap.gateway_responses.iter().all(|g| g.default_response));
    assert_eq!(stats.method_fallbacks, 0);
    assert_eq!(stats.resource_pages, 1);
}

/// A method whose integration was deleted after the deployment (what an integration replaced
/// with create_before_destroy leaves, hashicorp/terraform-provider-aws#21907). moto answers it
/// with `"methodIntegration": null` (AWS leaves the member out: tests/aws_fake.rs); the stage
/// status names it, next to the fixture's DELETE /items that never had one.
#[tokio::test]
async fn a_method_whose_integration_was_deleted_is_named() {
    let moto = start_moto();
    let api = aws::client(&settings(&moto.endpoint)).await.unwrap();
    let id = build_api(&api).await;
    let sdk = api.sdk();
    sdk.create_deployment()
        .rest_api_id(&id)
        .stage_name("dev")
        .send()
        .await
        .unwrap();
    let resources = sdk.get_resources().rest_api_id(&id).send().await.unwrap();
    let items = resources
        .items()
        .iter()
        .find(|r| r.path() == Some("/items"))
        .and_then(|r| r.id())
        .expect("/items")
        .to_string();
    sdk.delete_integration()
        .rest_api_id(&id)
        .resource_id(&items)
        .http_method("POST")
        .send()
        .await
        .unwrap();

    let (live, stats) = aws::fetch_snapshot_with_stats(&api, &id, &FetchOptions::default())
        .await
        .unwrap();
    assert_eq!(stats.method_fallbacks, 2, "GetMethod asked for both");
    let missing = ["DELETE /items", "POST /items"];
    assert_eq!(gwtrigger::stage::no_integration::find(&live), missing);
    let stage = aws::fetch_deployed_stage(&api, &id, "dev").await.unwrap();
    let status = gwtrigger::stage::StageStatus::check(&live, &stage);
    assert!(!status.in_sync());
    assert_eq!(status.unknown(), None);
    assert_eq!(status.methods_without_integration, missing);
}
