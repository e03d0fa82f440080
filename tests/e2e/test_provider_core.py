"""Real Terraform 1.15 with our provider from a filesystem mirror, against moto (issue 2).

One working directory per module, initialised once; each test creates its API in a freshly reset
moto and passes its id and the endpoint as variables.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

from apis import build_api, find_route, put_route, spec_copy, BuiltApi
from harness import PROVIDER_VERSION, REQUIRED_PROVIDERS_TF, Cli, MotoServer, Terraform

HEX40 = re.compile(r"^[0-9a-f]{40}$")

MAIN_TF = REQUIRED_PROVIDERS_TF + """
variable "endpoint" { type = string }
variable "rest_api_id" { type = string }
variable "retry_mode" {
  type    = string
  default = "standard"
}

provider "gwtrigger" {
  region = "us-east-1"
  endpoints {
    apigateway = var.endpoint
  }
  retry_mode = var.retry_mode
}

data "gwtrigger" "api" {
  rest_api_id = var.rest_api_id
}

resource "terraform_data" "deployment" {
  triggers_replace = data.gwtrigger.api.hash
}

output "hash" { value = data.gwtrigger.api.hash }
output "routes" { value = data.gwtrigger.api.routes }
output "ids" { value = data.gwtrigger.api.ids }
output "id" { value = data.gwtrigger.api.id }
output "resource_count" { value = data.gwtrigger.api.resource_count }
output "method_count" { value = data.gwtrigger.api.method_count }
output "integration_count" { value = data.gwtrigger.api.integration_count }
output "deployment_id" { value = terraform_data.deployment.id }
"""

EXPECTED_ROUTES = {f"{r['verb']} {r['path']}" for r in spec_copy()["routes"]}


@pytest.fixture(scope="module")
def tf(terraform_factory: Callable[[Path], Terraform], tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    """A working directory with the config above, `terraform init`-ed once from the mirror."""
    runner = terraform_factory(tmp_path_factory.mktemp("core"))
    (runner.workdir / "main.tf").write_text(MAIN_TF)
    runner.init_result = runner.init()  # type: ignore[attr-defined]
    return runner


@pytest.fixture
def fresh_state(tf: Terraform) -> Terraform:
    """Each test starts without state (moto was reset, old ids are gone)."""
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        (tf.workdir / name).unlink(missing_ok=True)
    return tf


def tf_vars(moto: MotoServer, api: BuiltApi, **extra: Any) -> dict[str, Any]:
    return {"endpoint": moto.url, "rest_api_id": api.id, **extra}


def test_init_installs_from_the_filesystem_mirror(tf: Terraform) -> None:
    out = tf.init_result.output  # type: ignore[attr-defined]
    assert f"Installed gwtrigger/gwtrigger v{PROVIDER_VERSION}" in out, out
    assert "Terraform has been successfully initialized" in out, out
    lock = (tf.workdir / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/gwtrigger/gwtrigger"' in lock
    assert re.search(r'"h1:[A-Za-z0-9+/=]{44}"', lock), lock
    installed = tf.workdir / ".terraform" / "providers" / "registry.terraform.io" / "gwtrigger" / "gwtrigger"
    assert (installed / PROVIDER_VERSION / "linux_amd64").exists()


def test_plan_and_apply_read_the_live_api(fresh_state: Terraform, moto: MotoServer, apigw: Any) -> None:
    tf = fresh_state
    api = build_api(apigw, spec_copy())
    resources = apigw.get_resources(restApiId=api.id)["items"]

    plan = tf.plan(tf_vars(moto, api), "-detailed-exitcode", expect=2)
    assert "terraform_data.deployment will be created" in plan.stdout, plan.describe()
    assert re.search(r"data\.gwtrigger\.api: Read complete", plan.stdout), plan.describe()

    tf.apply(tf_vars(moto, api))
    out = tf.outputs()
    assert HEX40.match(out["hash"]), out
    assert out["id"] == api.id
    assert set(out["routes"]) == EXPECTED_ROUTES
    assert all(HEX40.match(v) for v in out["routes"].values()), out["routes"]
    assert len(set(out["routes"].values())) == len(EXPECTED_ROUTES), "distinct routes, distinct hashes"

    ids = out["ids"]
    assert ids == sorted(ids)
    for item in resources:
        assert item["id"] in ids
    for route in spec_copy()["routes"]:
        rid = api.resources[route["path"]]
        assert f"agm-{api.id}-{rid}-{route['verb']}" in ids
        assert f"agi-{api.id}-{rid}-{route['verb']}" in ids
    assert out["resource_count"] == len(resources)
    assert out["method_count"] == len(EXPECTED_ROUTES)
    assert out["integration_count"] == len(EXPECTED_ROUTES)

    # Nothing changed: an empty plan. Then an edit that keeps every id: the deployment must go.
    tf.plan(tf_vars(moto, api), "-detailed-exitcode", expect=0)
    route = find_route(spec_copy(), "/pets/{petId}", "GET")
    route["integration"]["uri"] = "https://backend-v2.example.com/pets/{petId}"
    put_route(apigw, api, route)
    plan = tf.plan(tf_vars(moto, api), "-detailed-exitcode", expect=2)
    assert "terraform_data.deployment must be replaced" in plan.stdout, plan.describe()


def test_cli_hash_equals_the_data_source_hash(fresh_state: Terraform, moto: MotoServer, apigw: Any, cli: Cli) -> None:
    tf = fresh_state
    api = build_api(apigw, spec_copy())
    tf.apply(tf_vars(moto, api))
    out = tf.outputs()
    doc = cli.hash(moto.url, api.id)
    assert doc["hash"] == out["hash"]
    assert doc["routes"] == out["routes"]
    assert doc["ids"] == out["ids"]


def test_invalid_retry_mode_fails_plan_with_the_attribute(fresh_state: Terraform, moto: MotoServer, apigw: Any) -> None:
    tf = fresh_state
    api = build_api(apigw, spec_copy())
    plan = tf.plan(tf_vars(moto, api, retry_mode="fast"), expect=1)
    err = plan.stderr
    assert "Error:" in err, plan.describe()
    assert "retry_mode" in err and "fast" in err, plan.describe()
    assert "standard" in err and "adaptive" in err, "the detail names the valid values\n" + plan.describe()
    # the diagnostic points at the attribute, so Terraform quotes that line of the config
    assert re.search(r"(?m)^[│ ]*\d+:\s+retry_mode\s*=\s*var\.retry_mode", err), plan.describe()
    assert "panic" not in plan.output.lower()


def test_tf_log_debug_shows_provider_hclog_lines(fresh_state: Terraform, moto: MotoServer, apigw: Any) -> None:
    tf = fresh_state
    api = build_api(apigw, spec_copy())
    plan = tf.plan(tf_vars(moto, api), env={"TF_LOG": "DEBUG"}, expect=0)
    ours = [line for line in plan.stderr.splitlines()
            if re.search(r"\] +provider\.terraform-provider-gwtrigger_v[0-9.]+: ", line)]
    assert ours, "no log line from our provider under TF_LOG=DEBUG\n" + plan.stderr[-4000:]
    raw_json = [line for line in ours if '"@level"' in line or '"@message"' in line]
    assert not raw_json, "hclog JSON was not parsed by Terraform (not hclog format?):\n" + "\n".join(raw_json[:5])
    # go-plugin re-logs parsed hclog JSON at the entry's own level and appends its timestamp
    parsed = [line for line in ours if "timestamp=" in line]
    assert parsed, "no parsed hclog line from our provider:\n" + "\n".join(ours[:20])
    levels = {m.group(1) for line in parsed if (m := re.search(r"\[(TRACE|DEBUG|INFO|WARN|ERROR)\]", line))}
    assert levels & {"DEBUG", "INFO"}, levels
    assert "TRACE" not in levels, "TF_LOG=DEBUG must filter out TRACE lines"
    # The read says what it cost, at DEBUG, with its fields parsed by Terraform.
    reads = [line for line in parsed if "read REST API" in line]
    assert reads, "\n".join(ours[-20:])
    assert re.search(r"resources=\d+", reads[0]) and "rest_api_id=" + api.id in reads[0], reads[0]


CORS_PREFLIGHT = {
    "path": "/pets",
    "verb": "OPTIONS",
    "method_responses": ["200"],
    "integration": {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
    "integration_responses": [{
        "statusCode": "200",
        "responseParameters": {"method.response.header.Access-Control-Allow-Origin": "'*'"},
        "responseTemplates": {"application/json": ""},
    }],
}


def test_a_cors_preflight_with_an_empty_template_hashes_alike_in_terraform_and_the_cli(
        fresh_state: Terraform, moto: MotoServer, apigw: Any, cli: Cli) -> None:
    """The empty template AWS answers as null: the read works, and the template is content."""
    tf = fresh_state
    spec = spec_copy()
    spec["routes"].append(CORS_PREFLIGHT)
    api = build_api(apigw, spec)
    answered = apigw.get_integration_response(restApiId=api.id, resourceId=api.resources["/pets"],
                                              httpMethod="OPTIONS", statusCode="200")
    assert answered["responseTemplates"] == {"application/json": None}, "the emulator answers as AWS does"

    def both() -> tuple[str, str]:
        tf.apply(tf_vars(moto, api))
        terraform_hash = tf.outputs()["hash"]
        assert cli.hash(moto.url, api.id)["hash"] == terraform_hash
        return terraform_hash, tf.outputs()["routes"]["OPTIONS /pets"]

    empty, empty_route = both()
    hashes = {empty}
    for templates in ({"application/json": "{}"}, {}):
        response = dict(CORS_PREFLIGHT["integration_responses"][0], responseTemplates=templates)
        apigw.put_integration_response(restApiId=api.id, resourceId=api.resources["/pets"],
                                       httpMethod="OPTIONS", **response)
        changed, changed_route = both()
        assert changed_route != empty_route, templates
        hashes.add(changed)
    assert len(hashes) == 3, "an empty template, `{}` and no template hash apart"
    apigw.put_integration_response(restApiId=api.id, resourceId=api.resources["/pets"],
                                   httpMethod="OPTIONS", **CORS_PREFLIGHT["integration_responses"][0])
    assert both()[0] == empty
