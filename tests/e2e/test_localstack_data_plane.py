"""The product's promise on a stage's data plane (issue 15), on LocalStack with real Terraform.

LocalStack serves each stage from its deployment, as AWS does: a route added after the last
deployment answers 403 Missing Authentication Token, an edited template answers the old way until
the next deployment. One Terraform working dir goes through a sequence of API edits; the edits are
made by `terraform_data.api` (local-exec running api_spec_tool.py: hashicorp/aws cannot be
installed offline), `data "gwtrigger"` depends on it (so it is read during apply, after the edit,
as users wire it), and `terraform_data.deployment` has `triggers_replace = data.gwtrigger.api.hash`
with a create-time local-exec that calls CreateDeployment. After ONE apply per edit the stage
answers every route of the spec exactly (status, body, CORS header), routes no longer in the spec
answer 403, and the next plan is empty.

The contrast: the same edits with a hand-kept id list as the trigger leave the stage serving the
old deployment (403 for the new route, the old body for the edited template), and Terraform's
plan is still empty: nothing tells the user.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

import api_spec_tool
from harness import REGION, REQUIRED_PROVIDERS_TF, Terraform, Tools, apigw_client
from localstack_server import LocalStack, call_stage

STAGE = "dev"
TOOL = Path(api_spec_tool.__file__)
MISSING_TOKEN = (403, '{"message": "Missing Authentication Token"}')

CONFIG = REQUIRED_PROVIDERS_TF + """
variable "endpoint" { type = string }
variable "rest_api_id" { type = string }
variable "stage" { type = string }
variable "python" { type = string }
variable "tool" { type = string }
variable "spec" { type = string }
# "gwtrigger": redeploy when data.gwtrigger.api.hash moves; "hand_kept": the seed's id list
variable "trigger" { type = string }
variable "hand_kept_ids" {
  type    = list(string)
  default = []
}

provider "gwtrigger" {
  region = "%(region)s"
  endpoints {
    apigateway = var.endpoint
  }
}

locals {
  tool = "\\"${var.python}\\" \\"${var.tool}\\" --endpoint ${var.endpoint} --rest-api-id ${var.rest_api_id}"
}

# Stands in for the aws_api_gateway_* resources: makes the live API equal to var.spec.
resource "terraform_data" "api" {
  triggers_replace = var.spec
  provisioner "local-exec" {
    command     = "${local.tool} apply"
    environment = { API_SPEC = var.spec }
  }
}

data "gwtrigger" "api" {
  rest_api_id = var.rest_api_id
  # read during apply, after the API's edits (docs/guides/when-terraform-reads.md)
  depends_on = [terraform_data.api]
}

# Stands in for aws_api_gateway_deployment (+ its stage): a new deployment when the trigger moves.
resource "terraform_data" "deployment" {
  triggers_replace = var.trigger == "gwtrigger" ? [data.gwtrigger.api.hash] : var.hand_kept_ids
  provisioner "local-exec" {
    command = "${local.tool} deploy --stage ${var.stage}"
  }
  depends_on = [terraform_data.api]
}

output "hash" { value = data.gwtrigger.api.hash }
output "routes" { value = data.gwtrigger.api.routes }
output "deployment" { value = terraform_data.deployment.id }
"""


def cors(body: str) -> dict[str, Any]:
    return {"status": 200, "body": body, "headers": {"Access-Control-Allow-Origin": "'*'"}}


PETS_V1 = {"status": 200, "body": '{"pets": "v1"}'}
PETS_V3 = {"status": 200, "body": '{"pets": "v3"}'}

# (name of the edit, the spec after it). Each step is ONE apply.
EDITS: list[tuple[str, dict[str, dict[str, Any]]]] = [
    ("first apply", {"GET /pets": PETS_V1, "GET /health": {"status": 200, "body": '{"ok": true}'}}),
    ("add a route", {"GET /pets": PETS_V1, "GET /health": {"status": 200, "body": '{"ok": true}'},
                     "GET /owners": {"status": 200, "body": '{"owners": []}'}}),
    ("change a mapping template", {"GET /pets": {"status": 200, "body": '{"pets": "v2"}'},
                                   "GET /health": {"status": 200, "body": '{"ok": true}'},
                                   "GET /owners": {"status": 200, "body": '{"owners": []}'}}),
    ("add and remove methods", {"GET /pets": {"status": 200, "body": '{"pets": "v2"}'},
                                "POST /pets": {"status": 201, "body": '{"created": true}'},
                                "GET /owners": {"status": 200, "body": '{"owners": []}'}}),
    ("a path-parameter route", {"GET /pets": {"status": 200, "body": '{"pets": "v2"}'},
                                "POST /pets": {"status": 201, "body": '{"created": true}'},
                                "GET /pets/{petId}": {"status": 200, "body": '{"id": "$input.params(\'petId\')"}'},
                                "GET /owners": {"status": 200, "body": '{"owners": []}'}}),
    ("a CORS preflight (OPTIONS, MOCK, empty template)",
     {"GET /pets": {"status": 200, "body": '{"pets": "v2"}'},
      "OPTIONS /pets": cors(""),
      "POST /pets": {"status": 201, "body": '{"created": true}'},
      "GET /pets/{petId}": {"status": 200, "body": '{"id": "$input.params(\'petId\')"}'},
      "GET /owners": {"status": 200, "body": '{"owners": []}'}}),
    ("a change next to the preflight", {"GET /pets": PETS_V3,
                                        "OPTIONS /pets": cors(""),
                                        "POST /pets": {"status": 201, "body": '{"created": true}'},
                                        "GET /pets/{petId}": {"status": 200, "body": '{"id": "$input.params(\'petId\')"}'},
                                        "GET /owners": {"status": 200, "body": '{"owners": []}'}}),
    ("the preflight's empty template gets a body", {"GET /pets": PETS_V3,
                                                    "OPTIONS /pets": cors("{}"),
                                                    "POST /pets": {"status": 201, "body": '{"created": true}'},
                                                    "GET /pets/{petId}": {"status": 200, "body": '{"id": "$input.params(\'petId\')"}'},
                                                    "GET /owners": {"status": 200, "body": '{"owners": []}'}}),
]
# Routes any step ever had, so a step also checks that dropped ones are gone from the stage.
EVER = sorted({key for _, spec in EDITS for key in spec})


def concrete(path: str) -> str:
    """The path to call for a route path (path parameters filled in)."""
    return path.replace("{petId}", "7")


def expected_body(route: dict[str, Any], path: str) -> str:
    return route["body"].replace("$input.params('petId')", "7") if "{petId}" in path else route["body"]


def stage_answers(ls: LocalStack, api_id: str, keys: list[str]) -> dict[str, tuple[int, str]]:
    answers = {}
    for key in keys:
        verb, path = key.split(" ", 1)
        answers[key] = call_stage(ls.stage_url(api_id, STAGE, concrete(path)), verb)[:2]
    return answers


def wanted_answers(spec: dict[str, dict[str, Any]]) -> dict[str, tuple[int, str]]:
    out = {}
    for key in EVER:
        path = key.split(" ", 1)[1]
        out[key] = (spec[key]["status"], expected_body(spec[key], path)) if key in spec else MISSING_TOKEN
    return out


@pytest.fixture(scope="module")
def workdir_factory(terraform_factory: Callable[[Path], Terraform],
                    tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Terraform]:
    def make(name: str) -> Terraform:
        tf = terraform_factory(tmp_path_factory.mktemp(name))
        (tf.workdir / "main.tf").write_text(CONFIG % {"region": REGION})
        tf.init()
        return tf

    return make


@pytest.fixture
def new_api(localstack: LocalStack) -> Iterator[Callable[[str], str]]:
    client = apigw_client(localstack.url)
    made: list[str] = []

    def make(name: str) -> str:
        made.append(client.create_rest_api(name=name)["id"])
        return made[-1]

    yield make
    for api_id in made:
        client.delete_rest_api(restApiId=api_id)


def variables(ls: LocalStack, tools: Tools, api_id: str, spec: dict[str, Any], trigger: str,
              hand_kept_ids: list[str] | None = None) -> dict[str, Any]:
    v = {"endpoint": ls.url, "rest_api_id": api_id, "stage": STAGE, "python": tools.python, "tool": TOOL,
         "spec": json.dumps(spec, sort_keys=True), "trigger": trigger}
    if hand_kept_ids is not None:
        v["hand_kept_ids"] = json.dumps(hand_kept_ids)
    return v


def test_one_apply_per_edit_and_the_stage_serves_it(localstack: LocalStack, workdir_factory: Any,
                                                     new_api: Any, tools: Tools) -> None:
    tf = workdir_factory("data-plane")
    api_id = new_api("data-plane")
    previous: dict[str, Any] = {}
    for name, spec in EDITS:
        v = variables(localstack, tools, api_id, spec, "gwtrigger")
        applied = tf.apply(v)
        out = tf.outputs()
        assert sorted(out["routes"]) == sorted(spec), f"{name}: data.gwtrigger read the API before the edit\n{applied.describe()}"
        if previous:
            assert out["hash"] != previous["hash"], f"{name}: the hash did not move"
            assert out["deployment"] != previous["deployment"], f"{name}: no new deployment\n{applied.describe()}"
        assert stage_answers(localstack, api_id, EVER) == wanted_answers(spec), f"{name}: the stage does not serve the spec"
        if any(r.get("headers") for r in spec.values()):
            preflight = call_stage(localstack.stage_url(api_id, STAGE, "pets"), "OPTIONS")
            assert preflight[2].get("Access-Control-Allow-Origin") == "*", f"{name}: {preflight}"
        plan = tf.plan(v, "-detailed-exitcode", expect=None)
        assert plan.code == 0, f"{name}: the next plan is not empty\n{plan.describe()}"
        previous = out


def test_a_hand_kept_id_trigger_leaves_the_stage_stale(localstack: LocalStack, workdir_factory: Any,
                                                       new_api: Any, tools: Tools) -> None:
    tf = workdir_factory("hand-kept")
    api_id = new_api("hand-kept")
    ids = ["seed-resource-ids"]  # what someone listed by hand once; edits that keep ids never touch it
    first, added, edited = EDITS[0][1], EDITS[1][1], EDITS[2][1]

    tf.apply(variables(localstack, tools, api_id, first, "hand_kept", ids))
    assert stage_answers(localstack, api_id, sorted(first)) == {k: (r["status"], r["body"]) for k, r in first.items()}

    tf.apply(variables(localstack, tools, api_id, added, "hand_kept", ids))
    assert stage_answers(localstack, api_id, ["GET /owners"]) == {"GET /owners": MISSING_TOKEN}
    tf.plan(variables(localstack, tools, api_id, added, "hand_kept", ids), "-detailed-exitcode", expect=0)

    tf.apply(variables(localstack, tools, api_id, edited, "hand_kept", ids))
    assert stage_answers(localstack, api_id, ["GET /pets"]) == {"GET /pets": (200, PETS_V1["body"])}, "the old body"
    tf.plan(variables(localstack, tools, api_id, edited, "hand_kept", ids), "-detailed-exitcode", expect=0)

    # The same config with the gwtrigger hash as the trigger: one apply, and the stage catches up.
    tf.apply(variables(localstack, tools, api_id, edited, "gwtrigger"))
    assert stage_answers(localstack, api_id, ["GET /owners", "GET /pets"]) == {
        "GET /owners": (200, '{"owners": []}'), "GET /pets": (200, '{"pets": "v2"}')}
