"""`gwtrigger doctor` end to end against moto plus fake_apigw: every check has a passing and a
failing case, the --json report is parsed, and exit codes are asserted (0 pass/warn, 2 fail,
1 error)."""

from __future__ import annotations

import json
from typing import Any, Optional

from harness import REGION
from stage_apis import LAMBDA_URI, Api, fake, invoke_policy, make_api  # noqa: F401 - `fake` is a fixture

ORDER = ["execution_logging", "resource_policy", "api_key", "stale_deployment", "route_path", "integrations"]


def doctor(cli: Any, fake: Any, api: Api, route: Optional[str] = None, expect: int = 0,
           stage: str = "dev") -> dict[str, Any]:
    args = ["doctor", "--rest-api-id", api.id, "--stage", stage, "--endpoint-url", fake.url, "--region", REGION, "--json"]
    if route:
        args += ["--route", route]
    report = json.loads(cli.run(*args, expect=expect).stdout)
    assert [c["id"] for c in report["checks"]] == ORDER
    for c in report["checks"]:
        assert c["status"] in ("PASS", "WARN", "FAIL") and c["summary"]
        assert (c["fix"] is None) == (c["status"] == "PASS"), c
    return report


def status(report: dict[str, Any], check: str) -> str:
    return next(c["status"] for c in report["checks"] if c["id"] == check)


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


def healthy(fake: Any) -> Api:
    api = make_api(fake)
    api.patch_stage("dev", ("/*/*/logging/loglevel", "INFO"), ("/*/*/logging/dataTrace", "true"),
                    ("/accessLogSettings/destinationArn", f"arn:aws:logs:{REGION}:123456789012:log-group:api-access"))
    return api


def test_a_healthy_stage_passes_everything(cli: Any, fake: Any) -> None:
    api = healthy(fake)
    report = doctor(cli, fake, api, route="GET /items/42")
    assert [c["status"] for c in report["checks"]] == ["PASS"] * 6, json.dumps(report, indent=1)
    assert report["result"] == "PASS"
    assert check(report, "route_path")["summary"] == "GET /items/42 is served by stage dev as GET /items/{id}"
    text = cli.run("doctor", "--rest-api-id", api.id, "--stage", "dev", "--endpoint-url", fake.url, "--region", REGION)
    assert "1. PASS  Execution logging" in text.stdout and "Result: PASS" in text.stdout


def test_execution_logging_off_warns_but_exits_0(cli: Any, fake: Any) -> None:
    api = make_api(fake)
    report = doctor(cli, fake, api, expect=0)
    c = check(report, "execution_logging")
    assert c["status"] == "WARN"
    assert 'method_path = "*/*"' in c["fix"] and "access_log_settings" in c["fix"]
    assert report["result"] == "WARN"


def test_resource_policy_deny_fails_and_allow_passes(cli: Any, fake: Any) -> None:
    api = healthy(fake)
    api.set_policy(invoke_policy("Deny", f"arn:aws:execute-api:{REGION}:*:{api.id}/dev/GET/items", sid="BlockItems"))
    api.deploy("dev")
    report = doctor(cli, fake, api, route="GET /items", expect=2)
    c = check(report, "resource_policy")
    assert c["status"] == "FAIL" and '"BlockItems"' in c["fix"]
    assert any("explicitly denied" in d for d in c["details"])

    api.set_policy(invoke_policy("Allow", f"arn:aws:execute-api:{REGION}:*:{api.id}/prod/*"))
    api.deploy("dev")
    c = check(doctor(cli, fake, api, route="GET /items", expect=2), "resource_policy")
    assert c["status"] == "FAIL" and any("implicit deny" in d for d in c["details"])
    assert f"{api.id}/dev/GET/items" in c["fix"]

    api.set_policy(invoke_policy("Allow", "execute-api:/*"))
    api.deploy("dev")
    assert status(doctor(cli, fake, api, route="GET /items"), "resource_policy") == "PASS"


def test_api_key_needs_a_usage_plan_for_the_stage_and_a_key(cli: Any, fake: Any) -> None:
    api = healthy(fake)
    api.route("GET", "/items", api_key=True)
    api.deploy("dev")
    c = check(doctor(cli, fake, api, route="GET /items", expect=2), "api_key")
    assert c["status"] == "FAIL" and "aws_api_gateway_usage_plan" in c["fix"]

    plan = api.client.create_usage_plan(name="dev-plan", apiStages=[{"apiId": api.id, "stage": "dev"}])["id"]
    c = check(doctor(cli, fake, api, route="GET /items", expect=2), "api_key")
    assert c["status"] == "FAIL" and f'usage_plan_id = "{plan}"' in c["fix"]

    key = api.client.create_api_key(name="client", enabled=True)
    api.client.create_usage_plan_key(usagePlanId=plan, keyId=key["id"], keyType="API_KEY")
    report = doctor(cli, fake, api, route="GET /items")
    c = check(report, "api_key")
    assert c["status"] == "PASS" and "1 API key(s)" in c["summary"]
    assert key["value"] not in json.dumps(report)  # never print a key value


def test_stale_deployment_fails_until_redeployed(cli: Any, fake: Any) -> None:
    api = healthy(fake)
    api.route("POST", "/items")
    c = check(doctor(cli, fake, api, route="POST /items", expect=2), "stale_deployment")
    assert c["status"] == "FAIL" and "POST /items: not deployed" in c["details"]
    assert "data.gwtrigger.api.hash" in c["fix"]
    api.deploy("dev")
    assert status(doctor(cli, fake, api, route="POST /items"), "stale_deployment") == "PASS"


def test_route_path_finds_undeployed_unknown_and_stage_prefixed_routes(cli: Any, fake: Any) -> None:
    api = healthy(fake)
    c = check(doctor(cli, fake, api, route="GET /dev/items", expect=2), "route_path")
    assert c["status"] == "FAIL" and "Missing Authentication Token" in c["summary"]
    assert any("the route is GET /items" in d for d in c["details"]), c
    c = check(doctor(cli, fake, api, route="DELETE /items", expect=2), "route_path")
    assert c["status"] == "FAIL" and any("served for GET, not DELETE" in d for d in c["details"]), c
    assert status(doctor(cli, fake, api, route="GET /items"), "route_path") == "PASS"


def test_docs_endpoints_warn_about_the_stage_prefix(cli: Any, fake: Any) -> None:
    api = healthy(fake)
    api.route("GET", "/docs")
    api.route("GET", "/openapi.json")
    api.deploy("dev")
    report = doctor(cli, fake, api, route="GET /docs")
    c = check(report, "route_path")
    assert c["status"] == "WARN" and "/dev/openapi.json" in c["fix"]
    assert report["result"] == "WARN"


def test_integrations_missing_and_region_mismatch_fail(cli: Any, fake: Any) -> None:
    api = healthy(fake)
    api.route("GET", "/bare", integration=False)
    wrong_region = LAMBDA_URI.replace(f"lambda:{REGION}:", "lambda:eu-west-1:")
    api.route("GET", "/other", kind="AWS_PROXY", uri=wrong_region)
    api.deploy("dev")
    c = check(doctor(cli, fake, api, expect=2), "integrations")
    assert c["status"] == "FAIL"
    assert any(d.startswith("GET /bare: no integration") for d in c["details"]), c
    assert any("GET /other" in d and "eu-west-1" in d for d in c["details"]), c
    assert "invoke_arn" in c["fix"]
    assert status(doctor(cli, fake, api, route="GET /items/{id}"), "integrations") == "PASS"


def test_errors_exit_1(cli: Any, fake: Any) -> None:
    api = make_api(fake)
    result = cli.run("doctor", "--rest-api-id", api.id, "--stage", "dev", "--route", "items",
                     "--endpoint-url", fake.url, "--region", REGION, expect=1)
    assert "Invalid --route" in result.stderr
    result = cli.run("doctor", "--rest-api-id", api.id, "--stage", "nope", "--endpoint-url", fake.url,
                     "--region", REGION, "--json", expect=1)
    assert "Stage nope not found" in result.stderr
