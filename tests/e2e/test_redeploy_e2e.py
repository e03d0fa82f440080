"""The redeployment story with real Terraform (issue 3, end to end).

A `terraform_data.route` adds a route to the emulator during apply (local-exec running
support/route_tool.py; a destroy-time provisioner removes it again), `data "gwtrigger"` reads the API and
`terraform_data.deployment` has `triggers_replace = data.gwtrigger.api.hash`.

- With `depends_on = [terraform_data.route]` the data source is read during apply, after the
  route exists: changing the route in config gives ONE apply that adds the route and replaces
  the deployment, and the next plan is empty.
- Without it the data source is read at plan time, before the route exists: the deployment is
  replaced one apply late (the next plan shows it), which is what this test documents.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

import route_tool
from apis import build_api, spec_copy
from harness import REQUIRED_PROVIDERS_TF, Cli, MotoServer, Terraform, Tools

CONFIG = REQUIRED_PROVIDERS_TF + """
variable "endpoint" { type = string }
variable "rest_api_id" { type = string }
variable "route" { type = string }
variable "python" { type = string }
variable "route_tool" { type = string }

provider "gwtrigger" {
  region = "us-east-1"
  endpoints {
    apigateway = var.endpoint
  }
}

resource "terraform_data" "route" {
  triggers_replace = var.route
  # destroy-time provisioners may only use self: keep what they need in input
  input = {
    cmd = "\\"${var.python}\\" \\"${var.route_tool}\\" --endpoint ${var.endpoint} --rest-api-id ${var.rest_api_id} --path ${var.route}"
  }

  provisioner "local-exec" {
    command = "${self.input.cmd} add"
  }
  provisioner "local-exec" {
    when    = destroy
    command = "${self.input.cmd} delete"
  }
}

data "gwtrigger" "api" {
  rest_api_id = var.rest_api_id
  %(depends_on)s
}

resource "terraform_data" "deployment" {
  triggers_replace = data.gwtrigger.api.hash
}

output "hash" { value = data.gwtrigger.api.hash }
output "routes" { value = data.gwtrigger.api.routes }
output "deployment_id" { value = terraform_data.deployment.id }
"""


def make_workdir(factory: Callable[[Path], Terraform], base: Path, depends_on: bool) -> Terraform:
    tf = factory(base)
    (tf.workdir / "main.tf").write_text(CONFIG % {
        "depends_on": "depends_on = [terraform_data.route]" if depends_on else "",
    })
    tf.init()
    return tf


@pytest.fixture(scope="module")
def tf_with_depends_on(terraform_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    return make_workdir(terraform_factory, tmp_path_factory.mktemp("redeploy-depends-on"), True)


@pytest.fixture(scope="module")
def tf_without_depends_on(terraform_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    return make_workdir(terraform_factory, tmp_path_factory.mktemp("redeploy-no-depends-on"), False)


def reset_state(tf: Terraform) -> Terraform:
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        (tf.workdir / name).unlink(missing_ok=True)
    return tf


def variables(moto: MotoServer, api_id: str, tools: Tools, route: str) -> dict[str, Any]:
    return {
        "endpoint": moto.url,
        "rest_api_id": api_id,
        "route": route,
        "python": tools.python,
        "route_tool": Path(route_tool.__file__),
    }


def resources_summary(result: Any) -> tuple[int, int, int]:
    m = re.search(r"Resources: (\d+) added, (\d+) changed, (\d+) destroyed", result.stdout)
    assert m, result.describe()
    return int(m[1]), int(m[2]), int(m[3])


def test_one_apply_adds_the_route_and_redeploys(tf_with_depends_on: Terraform, moto: MotoServer, apigw: Any,
                                                 cli: Cli, tools: Tools) -> None:
    tf = reset_state(tf_with_depends_on)
    api = build_api(apigw, spec_copy())

    first = tf.apply(variables(moto, api.id, tools, "alpha"))
    assert "added route GET /alpha" in first.stdout, first.describe()
    out1 = tf.outputs()
    assert "GET /alpha" in out1["routes"]
    assert out1["hash"] == cli.hash(moto.url, api.id)["hash"], "state hash is the live API's"
    tf.plan(variables(moto, api.id, tools, "alpha"), "-detailed-exitcode", expect=0)

    # change the route in config: ONE apply swaps the route and replaces the deployment
    second = tf.apply(variables(moto, api.id, tools, "beta"))
    assert resources_summary(second) == (2, 0, 2), "route and deployment both replaced\n" + second.describe()
    out2 = tf.outputs()
    assert "GET /beta" in out2["routes"] and "GET /alpha" not in out2["routes"]
    assert out2["deployment_id"] != out1["deployment_id"]
    assert out2["hash"] != out1["hash"]
    assert out2["hash"] == cli.hash(moto.url, api.id)["hash"]

    tf.plan(variables(moto, api.id, tools, "beta"), "-detailed-exitcode", expect=0)


def test_without_depends_on_the_redeploy_is_one_apply_late(tf_without_depends_on: Terraform, moto: MotoServer,
                                                           apigw: Any, cli: Cli, tools: Tools) -> None:
    tf = reset_state(tf_without_depends_on)
    api = build_api(apigw, spec_copy())

    tf.apply(variables(moto, api.id, tools, "alpha"))
    # the data source was read at plan time, before the provisioner added /alpha
    assert "GET /alpha" not in tf.outputs()["routes"]
    tf.apply(variables(moto, api.id, tools, "alpha"))  # catches up
    out1 = tf.outputs()
    assert "GET /alpha" in out1["routes"]
    tf.plan(variables(moto, api.id, tools, "alpha"), "-detailed-exitcode", expect=0)

    late = tf.apply(variables(moto, api.id, tools, "beta"))
    assert resources_summary(late) == (1, 0, 1), "only the route is replaced\n" + late.describe()
    stale = tf.outputs()
    assert stale["deployment_id"] == out1["deployment_id"], "deployment not replaced: one apply late"
    assert stale["hash"] == out1["hash"]
    assert stale["hash"] != cli.hash(moto.url, api.id)["hash"], "the live API moved on"

    plan = tf.plan(variables(moto, api.id, tools, "beta"), "-detailed-exitcode", expect=2)
    assert "terraform_data.deployment must be replaced" in plan.stdout, plan.describe()
    tf.apply(variables(moto, api.id, tools, "beta"))
    assert tf.outputs()["deployment_id"] != out1["deployment_id"]
    tf.plan(variables(moto, api.id, tools, "beta"), "-detailed-exitcode", expect=0)
