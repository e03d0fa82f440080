"""Stage drift end to end: `gwtrigger drift` and data "gwtrigger_stage" in a Terraform `check`
block, against moto plus fake_apigw (which supplies apiSummary and the stage export)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from harness import REGION, REPO_ROOT
from stage_apis import LAMBDA_URI, fake, make_api  # noqa: F401 - `fake` is a fixture

EXAMPLE = REPO_ROOT / "examples" / "stage-check"


def drift(cli: Any, fake: Any, api_id: str, *extra: str, stage: str = "dev", expect: int = 0) -> dict[str, Any]:
    result = cli.run("drift", "--rest-api-id", api_id, "--stage", stage, "--endpoint-url", fake.url,
                     "--region", REGION, "--json", *extra, expect=expect)
    return json.loads(result.stdout)


def test_fake_follows_the_documented_shapes(fake: Any) -> None:
    api = make_api(fake)
    stage = api.client.get_stage(restApiId=api.id, stageName="dev")
    deployment = api.client.get_deployment(restApiId=api.id, deploymentId=stage["deploymentId"], embed=["apisummary"])
    assert deployment["apiSummary"] == {
        "/items": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}},
        "/items/{id}": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}},
    }
    export = api.client.get_export(restApiId=api.id, stageName="dev", exportType="oas30",
                                   parameters={"extensions": "integrations,authorizers"}, accepts="application/json")
    doc = json.loads(export["body"].read())
    assert doc["openapi"].startswith("3.0")
    integration = doc["paths"]["/items/{id}"]["get"]["x-amazon-apigateway-integration"]
    assert (integration["type"], integration["httpMethod"], integration["uri"]) == ("aws_proxy", "POST", LAMBDA_URI)
    assert export["contentType"] == "application/json"
    plain = api.client.get_export(restApiId=api.id, stageName="dev", exportType="oas30", accepts="application/json")
    assert "x-amazon-apigateway-integration" not in json.dumps(json.loads(plain["body"].read()))


def test_drift_in_sync_exits_0(cli: Any, fake: Any) -> None:
    api = make_api(fake)
    doc = drift(cli, fake, api.id)
    assert doc["in_sync"] is True
    assert doc["export_compared"] is True
    assert doc["undeployed_routes"] == doc["removed_routes"] == doc["changed_routes"] == doc["changed_integrations"] == []
    assert doc["deployed_at"].endswith("Z")
    text = cli.run("drift", "--rest-api-id", api.id, "--stage", "dev", "--endpoint-url", fake.url, "--region", REGION)
    assert text.stdout.startswith("in sync")


def test_drift_names_every_kind_of_change_and_exits_2(cli: Any, fake: Any) -> None:
    api = make_api(fake)
    api.route("POST", "/items")                        # undeployed
    api.route("DELETE", "/orders")                     # undeployed, new resource
    api.delete_route("GET", "/items/{id}")             # removed
    api.route("GET", "/items/{id}", kind="AWS_PROXY", uri=LAMBDA_URI, api_key=True)  # ... back, now with a key: changed
    api.route("GET", "/items", uri="https://other.example.com/items")               # integration uri changed
    doc = drift(cli, fake, api.id, expect=2)
    assert doc["in_sync"] is False
    assert doc["undeployed_routes"] == ["DELETE /orders", "POST /items"]
    assert doc["removed_routes"] == []
    assert doc["changed_routes"] == ["GET /items/{id}"]
    assert doc["changed_integrations"] == ["GET /items"]
    text = cli.run("drift", "--rest-api-id", api.id, "--stage", "dev", "--endpoint-url", fake.url, "--region", REGION, expect=2)
    assert "DRIFT" in text.stdout and "POST /items" in text.stdout

    api.delete_route("DELETE", "/orders")
    api.delete_route("POST", "/items")
    api.deploy("dev")
    api.delete_route("GET", "/items/{id}")
    assert drift(cli, fake, api.id, expect=2)["removed_routes"] == ["GET /items/{id}"]
    api.deploy("dev")
    assert drift(cli, fake, api.id)["in_sync"] is True


def test_without_the_export_integrations_are_not_compared(cli: Any, fake: Any) -> None:
    api = make_api(fake)
    api.route("GET", "/items", uri="https://other.example.com/items")
    fake.fail_export = True
    # The export answers 500 every time: retrying it only waits (10 attempts, ~90 s of back-off).
    doc = drift(cli, fake, api.id, "--max-retries", "0")
    assert doc == {**doc, "in_sync": True, "export_compared": False, "changed_integrations": []}
    assert "GetExport" in doc["export_problem"]


def test_drift_errors_exit_1(cli: Any, fake: Any) -> None:
    api = make_api(fake)
    result = cli.run("drift", "--rest-api-id", api.id, "--stage", "nope", "--endpoint-url", fake.url,
                     "--region", REGION, "--json", expect=1)
    assert "Stage nope not found" in result.stderr
    assert "Check --stage (case-sensitive), --rest-api-id and --region." in " ".join(result.stderr.split())
    assert result.stdout == ""


def write_example(tmp_path: Path) -> Path:
    work = tmp_path / "stage-check"
    shutil.copytree(EXAMPLE, work)
    return work


def test_check_block_warns_with_the_undeployed_routes(terraform_factory: Any, fake: Any, tmp_path: Path) -> None:
    api = make_api(fake)
    tf = terraform_factory(write_example(tmp_path))
    tf.init()
    variables = {"rest_api_id": api.id, "stage_name": "dev", "region": REGION, "apigateway_endpoint": fake.url}

    in_sync = tf.apply(variables)
    assert "Check block assertion failed" not in in_sync.output, in_sync.describe()

    api.route("POST", "/items")
    api.route("PUT", "/items/{id}")
    stale = tf.apply(variables)  # a check block never fails the run
    out = " ".join(stale.output.split())
    assert "Warning: Check block assertion failed" in out, stale.describe()
    assert "which differs from the live API; not deployed: POST /items, PUT /items/{id}." in out, stale.describe()

    api.deploy("dev")
    fixed = tf.apply(variables)
    assert "Check block assertion failed" not in fixed.output, fixed.describe()


def test_check_block_reports_an_unknown_stage_as_a_warning(terraform_factory: Any, fake: Any, tmp_path: Path) -> None:
    api = make_api(fake)
    tf = terraform_factory(write_example(tmp_path))
    tf.init()
    result = tf.apply({"rest_api_id": api.id, "stage_name": "nope", "region": REGION, "apigateway_endpoint": fake.url})
    out = " ".join(result.output.split())
    assert "Stage nope not found" in out, result.describe()
