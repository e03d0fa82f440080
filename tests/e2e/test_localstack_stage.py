"""`gwtrigger drift` / `doctor` on LocalStack, whose GetDeployment has no `apiSummary` and whose
stage export describes the live API (not the deployment) without the integration extensions.

Neither source tells which routes the stage serves, so both commands must say they cannot tell:
drift exits 1 with "Cannot compare", doctor's stale-deployment and route-path checks WARN. No
route, deployed or not, is accused, and no stale stage is called in sync. The stage itself shows
what the commands cannot see: the undeployed route answers 403.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from harness import REGION, REPO_ROOT, apigw_client
from localstack_server import LocalStack, call_stage

SPEC = {"GET /served": {"status": 200, "body": "served"}}


def make_stale_api(ls: LocalStack) -> str:
    """GET /served deployed to stage dev; GET /undeployed added after."""
    from api_spec_tool import apply

    client = apigw_client(ls.url)
    api_id = client.create_rest_api(name="stage-checks")["id"]
    apply(client, api_id, SPEC)
    client.create_deployment(restApiId=api_id, stageName="dev")
    apply(client, api_id, {**SPEC, "GET /undeployed": {"status": 200, "body": "new"}})
    return api_id


def test_drift_and_doctor_say_they_cannot_tell(localstack: LocalStack, cli: Any) -> None:
    api_id = make_stale_api(localstack)
    assert call_stage(localstack.stage_url(api_id, "dev", "undeployed"))[0] == 403
    assert call_stage(localstack.stage_url(api_id, "dev", "served"))[:2] == (200, "served")
    common = ["--rest-api-id", api_id, "--stage", "dev", "--endpoint-url", localstack.url, "--region", REGION]

    drift = cli.run("drift", *common, "--json", expect=1)
    assert drift.stdout == "", drift.describe()
    assert "Cannot compare stage dev" in drift.stderr and "no apiSummary" in drift.stderr, drift.describe()

    report = json.loads(cli.run("doctor", *common, "--route", "GET /served", "--json", expect=0).stdout)
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["stale_deployment"]["status"] == "WARN", checks["stale_deployment"]
    assert checks["stale_deployment"]["summary"].startswith("cannot tell"), checks["stale_deployment"]
    assert checks["route_path"]["status"] == "WARN", checks["route_path"]
    assert "FAIL" not in {c["status"] for c in report["checks"]}, report
    assert "GET /served" not in json.dumps(checks["stale_deployment"]), "a served route is never accused"

    apigw_client(localstack.url).create_deployment(restApiId=api_id, stageName="dev")
    fresh = cli.run("drift", *common, expect=1)
    assert "Cannot compare" in fresh.stderr and "in sync" not in fresh.stdout, fresh.describe()


def test_the_stage_check_example_warns_that_it_cannot_compare(localstack: LocalStack, terraform_factory: Any,
                                                              tmp_path: Path) -> None:
    api_id = make_stale_api(localstack)
    work = tmp_path / "stage-check"
    shutil.copytree(REPO_ROOT / "examples" / "stage-check", work)
    tf = terraform_factory(work)
    tf.init()
    result = tf.apply({"rest_api_id": api_id, "stage_name": "dev", "region": REGION,
                       "apigateway_endpoint": localstack.url})
    out = " ".join(result.output.split())
    # the read's error, reported as a warning by the check block; the apply goes on (exit 0)
    assert "Warning: Cannot compare stage dev with the live API" in out, result.describe()
    assert "serves a stale deployment" not in out, "no drift is claimed\n" + result.describe()


def test_with_the_deployment_recorded_drift_names_exactly_what_the_stage_does_not_serve(
        localstack: LocalStack, cli: Any) -> None:
    """LocalStack behind fake_apigw, which records each deployment's routes at CreateDeployment and
    answers `apiSummary` as AWS does. Drift's verdict is then checked against the stage itself:
    the route it names answers 403, the routes it does not name answer as configured."""
    from api_spec_tool import apply
    from fake_apigw import FakeApigw

    fake = FakeApigw(localstack.url).start()
    try:
        client = apigw_client(fake.url)
        api_id = client.create_rest_api(name="recorded-stage")["id"]
        apply(client, api_id, SPEC)
        client.create_deployment(restApiId=api_id, stageName="dev")
        apply(client, api_id, {**SPEC, "GET /undeployed": {"status": 200, "body": "new"}})
        common = ["--rest-api-id", api_id, "--stage", "dev", "--endpoint-url", fake.url, "--region", REGION]

        stale = json.loads(cli.run("drift", *common, "--json", expect=2).stdout)
        assert stale["undeployed_routes"] == ["GET /undeployed"], stale
        assert stale["removed_routes"] == [], stale
        assert call_stage(localstack.stage_url(api_id, "dev", "undeployed"))[0] == 403
        assert call_stage(localstack.stage_url(api_id, "dev", "served"))[:2] == (200, "served")

        client.create_deployment(restApiId=api_id, stageName="dev")
        fresh = json.loads(cli.run("drift", *common, "--json", expect=0).stdout)
        assert fresh["in_sync"] is True, fresh
        assert call_stage(localstack.stage_url(api_id, "dev", "undeployed"))[:2] == (200, "new")
        assert call_stage(localstack.stage_url(api_id, "dev", "served"))[:2] == (200, "served")
    finally:
        fake.stop()
