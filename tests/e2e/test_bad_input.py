"""Bad input (issue 6): each case gives an exact diagnostic — summary, a detail that says how to
fix it, and the attribute Terraform points at — or, for unusual but valid APIs, the right hash.

Terraform runs share one working directory initialised once; the CLI covers the same cases where
its message differs only in form. Protocol-level bad input (malformed DynamicValues, attributes
outside the schema, unknown values) is in tests/protocol.rs; fuzzing in tests/hardening_fuzz.rs.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Callable

import pytest

from apigw_proxy import ApigwProxy
from apis import BuiltApi, build_api, put_route, spec_copy
from harness import Cli, Terraform, run
from hardening import BOUNDED, HEX40, assert_diagnostic, cli_error, cli_hash, forget_state, init_workdir, main_tf

ID_LINE = r"rest_api_id = var\.rest_api_id"


@pytest.fixture(scope="module")
def tf(terraform_factory: Callable[[Path], Terraform], tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    return init_workdir(terraform_factory, tmp_path_factory.mktemp("bad-input"), main_tf(1))


def tf_vars(endpoint: str, api_id: str, **extra: Any) -> dict[str, Any]:
    return {"endpoint": endpoint, "rest_api_id": api_id, **extra}


# ----- rest_api_id ---------------------------------------------------------------------------------

@pytest.mark.parametrize("bad, problem", [
    ("", "is empty"),
    ("my api", "contains characters other than letters and digits"),
    ("arn:aws:apigateway:us-east-1::/restapis/abc", "contains characters other than letters and digits"),
])
def test_malformed_rest_api_id(tf: Terraform, proxy: ApigwProxy, cli: Cli, bad: str, problem: str) -> None:
    """One check (src/aws/fetch.rs `validate_rest_api_id`) for both data sources and the CLI: one
    message per front end, naming `rest_api_id` in Terraform and --rest-api-id in the CLI."""
    result = forget_state(tf).plan(tf_vars(proxy.url, bad), expect=1)
    assert_diagnostic(result, "Invalid rest_api_id", f"`rest_api_id` {problem} ({bad!r}".replace("'", '"'),
                      'Use the REST API\'s id, e.g. "a1b2c3d4e5" (aws_api_gateway_rest_api.NAME.id), not its name, ARN or URL.',
                      source_line=ID_LINE)
    for command in (["hash"], ["drift", "--stage", "dev"], ["doctor", "--stage", "dev"]):
        run = cli.run(command[0], "--rest-api-id", bad, *command[1:], "--endpoint-url", proxy.url,
                      "--region", "us-east-1", expect=1)
        assert run.stdout == "", run.describe()
        assert run.stderr.startswith("Error: Invalid --rest-api-id\n\n"), run.describe()
        detail = " ".join(run.stderr.split("\n\n", 1)[1].split())
        assert detail.startswith(f"--rest-api-id {problem} ("), detail
        assert detail.endswith("(aws apigateway get-rest-apis lists them), not its name, ARN or URL."), detail
    assert proxy.count() == 0, "no request for an invalid id"


def test_an_api_that_does_not_exist(tf: Terraform, proxy: ApigwProxy, cli: Cli) -> None:
    result = forget_state(tf).plan(tf_vars(proxy.url, "nosuchapi1"), expect=1)
    assert_diagnostic(result, "REST API nosuchapi1 not found", 'No REST API with id "nosuchapi1" exists in region us-east-1',
                      f"at endpoint {proxy.url}", "HTTP 404 NotFoundException",
                      "Check `rest_api_id`, `region` (or AWS_REGION)", "and `endpoints.apigateway`.",
                      source_line=ID_LINE)
    summary, detail, _ = cli_error(cli, proxy.url, "nosuchapi1")
    assert summary == "REST API nosuchapi1 not found" and "region us-east-1" in detail and proxy.url in detail
    # The CLI's message names its own flags.
    assert "Check --rest-api-id, --region (or AWS_REGION)" in detail and "and --endpoint-url." in detail, detail


def test_the_wrong_region(tf: Terraform, apigw: Any, proxy: ApigwProxy, cli: Cli) -> None:
    """moto keeps APIs per region, like AWS: an API of us-east-1 is not found from eu-west-1."""
    api_id = apigw.create_rest_api(name="east")["id"]
    result = forget_state(tf).plan(tf_vars(proxy.url, api_id, region="eu-west-1"), expect=1)
    assert_diagnostic(result, f"REST API {api_id} not found", f'"{api_id}" exists in region eu-west-1',
                      source_line=ID_LINE)
    summary, detail, _ = cli_error(cli, proxy.url, api_id, region="eu-west-1")
    assert "region eu-west-1" in detail, detail


# ----- credentials -----------------------------------------------------------------------------

def no_credentials_env(base: dict[str, str], home: Path) -> dict[str, str]:
    """No credentials anywhere and nothing that could reach IMDS or a network source."""
    env = {k: v for k, v in base.items() if not k.startswith("AWS_")}
    home.mkdir(parents=True, exist_ok=True)
    (home / "config").write_text("")
    (home / "credentials").write_text("")
    env.update(HOME=str(home), AWS_EC2_METADATA_DISABLED="true", AWS_REGION="us-east-1",
               AWS_CONFIG_FILE=str(home / "config"), AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"))
    return env


def test_no_credentials_say_which_sources_were_tried(
        tf: Terraform, apigw: Any, proxy: ApigwProxy, cli: Cli, tmp_path: Path) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    forget_state(tf)
    env = no_credentials_env(tf.env(), tmp_path / "home")
    result = run([tf.binary, "plan", "-no-color", "-input=false",
                  *tf.var_args(tf_vars(proxy.url, api_id))], expect=1, cwd=tf.workdir, env=env, timeout=BOUNDED)
    sources = ("the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)",
               "the shared config and credentials files", "web identity", "EC2 instance metadata",
               "export AWS_PROFILE=name")
    assert_diagnostic(result, "No AWS credentials found", *sources)
    assert proxy.count() == 0, "nothing is sent unsigned"

    cli_env = no_credentials_env(os.environ.copy(), tmp_path / "cli-home")
    cli_run = run([cli.binary, "hash", "--rest-api-id", api_id, "--endpoint-url", proxy.url],
                  expect=1, env=cli_env, timeout=BOUNDED)
    assert cli_run.stderr.startswith("Error: No AWS credentials found"), cli_run.describe()
    assert all(" ".join(s.split()) in " ".join(cli_run.stderr.split()) for s in sources), cli_run.describe()


@pytest.mark.parametrize("code", ["UnrecognizedClientException", "ExpiredTokenException"])
def test_invalid_or_expired_credentials(tf: Terraform, apigw: Any, proxy: ApigwProxy, cli: Cli, code: str) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    proxy.add_fault("error", status=403, code=code, times=None,
                    message="The security token included in the request is invalid.")
    fix = "Refresh the credentials (e.g. `aws sso login`, new temporary keys)"
    summary, detail, _ = cli_error(cli, proxy.url, api_id, "--max-retries", "1")
    assert summary == "AWS rejected the credentials" and f"HTTP 403 {code}" in detail and fix in detail, detail
    result = forget_state(tf).plan(tf_vars(proxy.url, api_id, max_retries=1), expect=1)
    assert_diagnostic(result, "AWS rejected the credentials", f"HTTP 403 {code}", fix, "(request id ")


def test_access_denied_names_the_action_and_resource(tf: Terraform, apigw: Any, proxy: ApigwProxy, cli: Cli) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    proxy.add_fault("error", op="GetResources", status=403, code="AccessDeniedException", times=None,
                    message=f"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: apigateway:GET")
    result = forget_state(tf).plan(tf_vars(proxy.url, api_id, max_retries=0), expect=1)
    assert_diagnostic(result, "Access denied calling GetResources", "Allow the IAM action `apigateway:GET`",
                      f"`arn:aws:apigateway:us-east-1::/restapis/{api_id}/resources`",
                      f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/*", "HTTP 403 AccessDeniedException")
    summary, detail, _ = cli_error(cli, proxy.url, api_id, "--max-retries", "0")
    assert summary == "Access denied calling GetResources" and "apigateway:GET" in detail


# ----- unusual but valid APIs: the right hash ------------------------------------------------------

def test_an_api_with_only_the_root(tf: Terraform, apigw: Any, proxy: ApigwProxy, cli: Cli) -> None:
    api_id = apigw.create_rest_api(name="empty")["id"]
    doc, _ = cli_hash(cli, proxy.url, api_id)
    assert HEX40.match(doc["hash"]) and doc["routes"] == {} and doc["resource_count"] == 1
    assert doc["method_count"] == 0 and len(doc["ids"]) == 1
    forget_state(tf).apply(tf_vars(proxy.url, api_id))
    out = tf.outputs()
    assert out["hashes"] == [doc["hash"]] and out["routes"] == {} and out["resource_count"] == 1


def synthetic_resources(count: int) -> list[dict[str, Any]]:
    """`count` resources below the root (in 50 groups), each with a MOCK GET, as GetResources
    with embed=methods returns them."""
    items: list[dict[str, Any]] = [{"id": "root000000", "path": "/"}]
    groups = 50
    for g in range(groups):
        items.append({"id": f"grp{g:07d}", "parentId": "root000000", "path": f"/g{g}", "pathPart": f"g{g}"})
    for i in range(count - groups):
        g = i % groups
        items.append({
            "id": f"res{i:07d}", "parentId": f"grp{g:07d}", "path": f"/g{g}/item{i}", "pathPart": f"item{i}",
            "resourceMethods": {"GET": {
                "httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": False,
                "methodResponses": {"200": {"statusCode": "200"}},
                "methodIntegration": {"type": "MOCK", "passthroughBehavior": "WHEN_NO_MATCH",
                                      "requestTemplates": {"application/json": '{"statusCode": 200}'},
                                      "integrationResponses": {"200": {"statusCode": "200"}}},
            }},
        })
    return items


def test_an_api_with_5000_resources(tf: Terraform, apigw: Any, proxy: ApigwProxy, cli: Cli) -> None:
    api_id = apigw.create_rest_api(name="big")["id"]
    items = synthetic_resources(5000)
    proxy.synthesize_resources(api_id, items)
    doc, took = cli_hash(cli, proxy.url, api_id)
    assert doc["resource_count"] == 5001 and doc["method_count"] == 4950 and len(doc["routes"]) == 4950
    assert proxy.count("GetResources") == math.ceil(5001 / 500), proxy.stats()
    print(f"5,000 resources: {proxy.count('GetResources')} pages, CLI {took:.1f}s")
    # another page size, another order: the same hash
    proxy.synthesize_resources(api_id, list(reversed(items)))
    again, _ = cli_hash(cli, proxy.url, api_id, "--page-size", "137")
    assert again["hash"] == doc["hash"]
    forget_state(tf).apply(tf_vars(proxy.url, api_id), timeout=BOUNDED)
    assert tf.outputs()["hashes"] == [doc["hash"]]


ODD_ROUTES = [
    {"path": "/{proxy+}", "verb": "ANY",
     "integration": {"type": "HTTP_PROXY", "integrationHttpMethod": "ANY", "uri": "https://backend.example.com/{proxy}",
                     "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"}},
     "method": {"requestParameters": {"method.request.path.proxy": True}}},
    # API Gateway (and moto) only allow [a-zA-Z0-9._-] in path parts; unicode goes in templates
    {"path": "/caf.e/ja_JP/u-n", "verb": "GET",
     "integration": {"type": "MOCK", "requestTemplates": {"application/json": '{"msg": "café 日本語 ✓ \\u00e9"}'}}},
    {"path": "/" + "/".join(f"level{i}" for i in range(25)), "verb": "POST", "integration": {"type": "MOCK"}},
    {"path": "/users/{id}/items/{item+}", "verb": "DELETE", "integration": {"type": "MOCK"}},
]


def test_proxy_unicode_and_deeply_nested_paths(tf: Terraform, apigw: Any, proxy: ApigwProxy, cli: Cli) -> None:
    spec = {"name": "odd", "routes": ODD_ROUTES}
    first = build_api(apigw, spec)
    doc, _ = cli_hash(cli, proxy.url, first.id)
    assert set(doc["routes"]) == {f"{r['verb']} {r['path']}" for r in ODD_ROUTES}, doc["routes"]
    assert doc["resource_count"] == 1 + 1 + 3 + 25 + 4
    # stable: read again, and the same content built in reverse order in another API
    assert cli_hash(cli, proxy.url, first.id)[0]["hash"] == doc["hash"]
    second = build_api(apigw, spec, reverse=True)
    assert cli_hash(cli, proxy.url, second.id)[0]["hash"] == doc["hash"]
    proxy.configure(page_size_cap=3)
    assert cli_hash(cli, proxy.url, second.id)[0]["hash"] == doc["hash"]
    forget_state(tf).apply(tf_vars(proxy.url, first.id))
    out = tf.outputs()
    assert out["hashes"] == [doc["hash"]] and out["routes"] == doc["routes"]


def test_unicode_paths_from_a_compatible_implementation(tf: Terraform, apigw: Any, proxy: ApigwProxy, cli: Cli) -> None:
    """AWS rejects non-ASCII path parts, but an emulator or a future AWS might not: the client and
    the canonical form carry them unchanged (served by the proxy, as moto rejects them too)."""
    api_id = apigw.create_rest_api(name="unicode")["id"]
    paths = ["/café", "/café/日本語", "/café/日本語/{ид+}", "/emoji-🚀", "/quote\"back\\slash"]
    items: list[dict[str, Any]] = [{"id": "root", "path": "/"}]
    for n, path in enumerate(paths):
        items.append({"id": f"u{n}", "path": path, "pathPart": path.rsplit("/", 1)[1],
                      "resourceMethods": {"GET": {"httpMethod": "GET", "authorizationType": "NONE",
                                                  "methodIntegration": {"type": "MOCK"}}}})
    proxy.synthesize_resources(api_id, items)
    doc, _ = cli_hash(cli, proxy.url, api_id)
    assert set(doc["routes"]) == {f"GET {p}" for p in paths}, doc["routes"]
    proxy.synthesize_resources(api_id, list(reversed(items)))
    assert cli_hash(cli, proxy.url, api_id, "--page-size", "2")[0]["hash"] == doc["hash"]
    forget_state(tf).apply(tf_vars(proxy.url, api_id))
    out = tf.outputs()
    assert out["hashes"] == [doc["hash"]] and out["routes"] == doc["routes"]
