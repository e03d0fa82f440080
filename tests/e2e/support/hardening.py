"""Helpers shared by the hardening tests (test_faults, test_bad_input, test_secrets,
test_parallel): a Terraform configuration with N `data "gwtrigger"` blocks on one provider,
diagnostics read back from Terraform's and the CLI's output, and time-bounded CLI runs.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any, Callable, Optional

from harness import REGION, REQUIRED_PROVIDERS_TF, Cli, Result, Terraform

HEX40 = re.compile(r"^[0-9a-f]{40}$")

# Every test run of a CLI or Terraform command that may retry or wait is bounded by this.
BOUNDED = 120  # seconds


def main_tf(data_sources: int = 1, provider_extra: str = "") -> str:
    """A configuration with `data_sources` blocks `data "gwtrigger" "api<N>"` reading the same
    API through one provider, and an output `hashes` listing their hashes in order."""
    blocks = "\n".join(
        f'data "gwtrigger" "api{i}" {{\n  rest_api_id = var.rest_api_id\n}}\n' for i in range(data_sources)
    )
    hashes = ", ".join(f"data.gwtrigger.api{i}.hash" for i in range(data_sources))
    return REQUIRED_PROVIDERS_TF + f"""
variable "endpoint" {{ type = string }}
variable "rest_api_id" {{ type = string }}
variable "region" {{
  type    = string
  default = "{REGION}"
}}
variable "max_retries" {{
  type    = number
  default = null
}}
variable "retry_mode" {{
  type    = string
  default = null
}}

provider "gwtrigger" {{
  region = var.region
  endpoints {{
    apigateway = var.endpoint
  }}
  max_retries = var.max_retries
  retry_mode  = var.retry_mode
{provider_extra}
}}

{blocks}
output "hashes" {{ value = [{hashes}] }}
output "routes" {{ value = data.gwtrigger.api0.routes }}
output "resource_count" {{ value = data.gwtrigger.api0.resource_count }}
output "method_count" {{ value = data.gwtrigger.api0.method_count }}
"""


def init_workdir(factory: Callable[[Path], Terraform], workdir: Path, config: str) -> Terraform:
    tf = factory(workdir)
    (tf.workdir / "main.tf").write_text(config)
    tf.init()
    return tf


def forget_state(tf: Terraform) -> Terraform:
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        (tf.workdir / name).unlink(missing_ok=True)
    return tf


def flat(text: str) -> str:
    """Terraform's diagnostic box and line wrapping removed: one space-separated line."""
    lines = (re.sub(r"^[│╷╵]\s?", "", line) for line in text.splitlines())
    return " ".join(" ".join(lines).split())


def assert_diagnostic(result: Result, summary: str, *detail: str, source_line: Optional[str] = None) -> None:
    """Terraform failed with `Error: <summary>`, the detail holds every `detail` fragment and,
    when the diagnostic has an attribute path, Terraform quotes that configuration line."""
    assert result.code != 0, result.describe()
    text = flat(result.stderr)
    assert f"Error: {summary}" in text, f"summary {summary!r} missing\n{result.describe()}"
    for fragment in detail:
        assert " ".join(fragment.split()) in text, f"{fragment!r} missing from the diagnostic\n{result.describe()}"
    if source_line is not None:
        assert re.search(rf"(?m)^[│ ]*\d+:\s+{source_line}", result.stderr), \
            f"Terraform does not point at {source_line!r}\n{result.describe()}"
    assert "panic" not in result.output.lower(), result.describe()


def cli_hash(cli: Cli, endpoint: str, api_id: str, *extra: Any, env: Optional[dict[str, str]] = None,
             bound: float = BOUNDED) -> tuple[dict[str, Any], float]:
    """`gwtrigger hash --json` (see Cli.hash) and how long it took."""
    started = time.monotonic()
    doc = cli.hash(endpoint, api_id, *extra, env=env, timeout=bound)
    return doc, time.monotonic() - started


def cli_error(cli: Cli, endpoint: str, api_id: str, *extra: Any, env: Optional[dict[str, str]] = None,
              bound: float = BOUNDED, region: str = REGION) -> tuple[str, str, float]:
    """Runs `gwtrigger hash` expecting exit 1; returns (summary, detail, seconds). Asserts that
    nothing was printed on stdout (no hash from partial data) and the error format."""
    started = time.monotonic()
    result = cli.run("hash", "--rest-api-id", api_id, "--endpoint-url", endpoint, "--region", region,
                     "--json", *extra, expect=1, env=env, timeout=bound)
    took = time.monotonic() - started
    assert result.stdout == "", f"a failed read printed something on stdout\n{result.describe()}"
    match = re.search(r"(?m)^Error: (.*)\n\n((?s:.*))$", result.stderr)
    assert match, f"not an 'Error: summary\\n\\ndetail' message\n{result.describe()}"
    assert "panic" not in result.stderr.lower(), result.describe()
    return match.group(1), " ".join(match.group(2).split()), took
