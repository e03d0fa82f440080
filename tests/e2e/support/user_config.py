"""A user's configuration written with hashicorp/aws, for the tests that apply one on LocalStack.

support/sequence_tf/api.tf is one REST API module (every route-defining resource with for_each
over `var.spec`, a separate stage, an optional API key and usage plan); the files beside it are
added to a copy of it: a trigger_*.tf is one deployment wiring (trigger_gwtrigger.tf: what our
docs recommend; trigger_ids.tf: the seed's hand-kept id list; trigger_nodeps.tf: the hash without
depends_on), stage_check.tf the recommended `check` block. `write_config` lays one copy of the
module per entry under a root module whose providers point at an endpoint, so one apply and one
plan cover every wiring. `planned_actions` reads a `terraform plan -json`
stream: the resource changes per module (data source reads and no-ops left out);
`check_warnings` the failed `check` assertions per module.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterator

from harness import REGION, REPO_ROOT, AwsProvider, Result, aws_provider_block, required_providers_with_aws

MODULE_SOURCE = REPO_ROOT / "tests" / "e2e" / "support" / "sequence_tf"

ROOT_VARIABLES = """
variable "endpoint" { type = string }
variable "spec" { type = any }
variable "api_keys" {
  type      = map(string)
  sensitive = true
}

provider "gwtrigger" {
  region = "%(region)s"
  endpoints {
    apigateway = var.endpoint
  }
}
"""

MODULE_CALL = """
module "%(name)s" {
  source     = "./%(name)s"
  name       = "%(api_name)s"
  stage_name = "%(stage)s"
  api_key    = var.api_keys["%(name)s"]
  spec       = var.spec
}

output "%(name)s" {
  value = module.%(name)s
}
"""


def write_config(workdir: Path, aws: AwsProvider, modules: dict[str, list[str]], stage: str, prefix: str) -> None:
    """Root module in `workdir` with one copy of api.tf per module: module name -> the files of
    support/sequence_tf/ added to it (its trigger_*.tf, optionally stage_check.tf)."""
    root = required_providers_with_aws(aws) + aws_provider_block() + ROOT_VARIABLES % {"region": REGION}
    for name, files in modules.items():
        module = workdir / name
        module.mkdir(parents=True, exist_ok=True)
        for file in ["api.tf", *files]:
            shutil.copy(MODULE_SOURCE / file, module / file)
        (module / "versions.tf").write_text(required_providers_with_aws(aws))
        root += MODULE_CALL % {"name": name, "api_name": f"{prefix}-{name}", "stage": stage}
    (workdir / "main.tf").write_text(root)


def write_variables(workdir: Path, endpoint: str, spec: dict, api_keys: dict[str, str]) -> None:
    (workdir / "user.auto.tfvars.json").write_text(json.dumps({"endpoint": endpoint, "spec": spec, "api_keys": api_keys}))


def _messages(result: Result) -> Iterator[dict[str, Any]]:
    """The JSON messages of a `terraform plan -json` stream."""
    for line in result.stdout.splitlines():
        try:
            yield json.loads(line)
        except ValueError:
            continue


def _module(address: str) -> str:
    return address.split(".")[1] if address.startswith("module.") else ""


def planned_actions(result: Result, modules: list[str]) -> dict[str, list[str]]:
    """module name -> "address: action" of every resource change in a `plan -json` stream."""
    out: dict[str, list[str]] = {m: [] for m in modules}
    for msg in _messages(result):
        if msg.get("type") != "planned_change" or msg["change"]["action"] in ("noop", "read"):
            continue
        address = msg["change"]["resource"]["addr"]
        if _module(address) in out:
            out[_module(address)].append(f"{address}: {msg['change']['action']}")
    return out


def check_warnings(result: Result, modules: list[str]) -> dict[str, list[str]]:
    """module name -> the detail of each failed check assertion in a `plan -json` stream."""
    out: dict[str, list[str]] = {m: [] for m in modules}
    for msg in _messages(result):
        diagnostic = msg.get("diagnostic") or {}
        if msg.get("type") != "diagnostic" or diagnostic.get("summary") != "Check block assertion failed":
            continue
        # a diagnostic names no address: the check's file, laid out as MODULE/FILE, says whose it is
        module = ((diagnostic.get("range") or {}).get("filename") or "").split("/")[0]
        if module in out:
            out[module].append(" ".join((diagnostic.get("detail") or "").split()))
    return out
