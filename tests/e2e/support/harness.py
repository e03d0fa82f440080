"""Helpers shared by gwtrigger's end-to-end tests: clean environments, a process runner, a
Terraform runner bound to a filesystem mirror, moto_server lifecycle, a boto3 client, a CLI runner.

Fixtures wrapping these live in conftest.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import pytest

import aws_provider
from aws_provider import AwsProvider

REPO_ROOT = Path(__file__).resolve().parents[3]  # tests/e2e/support/<this file>
PROVIDER_HOST = "registry.terraform.io"
PROVIDER_NAMESPACE = "gwtrigger"
PROVIDER_TYPE = "gwtrigger"
PROVIDER_SOURCE = f"{PROVIDER_HOST}/{PROVIDER_NAMESPACE}/{PROVIDER_TYPE}"
REGION = "us-east-1"
COMMAND_TIMEOUT = 300  # seconds; a hung terraform/cli run fails the test instead of the suite

# Collected by test_hash_matrix and printed by pytest_terminal_summary.
MATRIX_RESULTS: list[dict[str, Any]] = []
# (title, lines) that tests measured, printed by pytest_terminal_summary (e.g. the sequence table).
REPORT_SECTIONS: list[tuple[str, list[str]]] = []


def crate_version() -> str:
    for line in (REPO_ROOT / "Cargo.toml").read_text().splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    raise RuntimeError("no version in Cargo.toml")


PROVIDER_VERSION = crate_version()

# The `terraform` block that starts every test configuration: our provider, at the version
# under test (from the filesystem mirror the harness writes).
REQUIRED_PROVIDERS_TF = f"""
terraform {{
  required_providers {{
    gwtrigger = {{
      source  = "gwtrigger/gwtrigger"
      version = "{PROVIDER_VERSION}"
    }}
  }}
}}
"""


def empty_aws_files(home: Optional[Path] = None) -> tuple[Path, Path]:
    """Empty AWS config and credentials files (the SDKs warn about missing ones)."""
    base = home or Path(tempfile.gettempdir()) / f"gwtrigger-e2e-{os.getuid()}"
    base.mkdir(parents=True, exist_ok=True)
    files = (base / "aws-config", base / "aws-credentials")
    for f in files:
        if not f.exists():
            f.write_text("")
    return files


def clean_env(extra: Optional[dict[str, str]] = None, home: Optional[Path] = None) -> dict[str, str]:
    """A clean environment for terraform, the CLI and helper scripts."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("TF_", "AWS_", "CHECKPOINT_", "SSL_CERT_")) and k not in ("GWTRIGGER_LOG",)
    }
    if os.environ.get("TF_BIN"):
        env["TF_BIN"] = os.environ["TF_BIN"]
    aws_config, aws_credentials = empty_aws_files(home)
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(aws_config),
        AWS_SHARED_CREDENTIALS_FILE=str(aws_credentials),
        CHECKPOINT_DISABLE="1",
    )
    if home is not None:
        env["HOME"] = str(home)
    env.update(extra or {})
    return env


@dataclass
class Result:
    args: Sequence[str]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        return (
            f"$ {' '.join(map(str, self.args))}\nexit code {self.code}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )


def run(args: Sequence[Any], *, expect: Optional[int | Sequence[int]] = 0, cwd: Optional[Path] = None,
        env: Optional[dict[str, str]] = None, timeout: float = COMMAND_TIMEOUT) -> Result:
    """Run a command, capture its output and (unless expect is None) assert its exit code."""
    args = [str(a) for a in args]
    try:
        proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"$ {' '.join(args)}\ntimed out after {timeout}s\n--- stdout ---\n{err.stdout}\n--- stderr ---\n{err.stderr}")
    result = Result(args, proc.returncode, proc.stdout, proc.stderr)
    if expect is not None:
        allowed = [expect] if isinstance(expect, int) else list(expect)
        assert result.code in allowed, f"expected exit code {allowed}\n{result.describe()}"
    return result


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Tools:
    venv: Path
    terraform: Path
    moto_server: Path
    python: Path


@dataclass
class Mirror:
    """What a `Terraform` runs with: `tfrc`, the CLI config that says where our provider is
    installed from, and `home`, the HOME of every run; `root` is the directory the provider is
    installed from (`write_mirror`) or the workspace holding the CLI config (mirror tests)."""

    root: Path
    tfrc: Path
    home: Path


def find_aws_provider() -> AwsProvider:
    """hashicorp/aws for tests standing for a user's configuration (support/aws_provider.py), or
    pytest.fail with how to provide it (never a skip)."""
    try:
        return aws_provider.find()
    except aws_provider.AwsProviderUnavailable as err:
        pytest.fail(str(err), pytrace=False)


def required_providers_with_aws(aws: AwsProvider) -> str:
    """The `terraform` block of a user's configuration: hashicorp/aws and gwtrigger."""
    return f"""
terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{aws.version_constraint}"
    }}
    gwtrigger = {{
      source  = "gwtrigger/gwtrigger"
      version = "{PROVIDER_VERSION}"
    }}
  }}
}}
"""


def aws_provider_block(endpoint_var: str = "var.endpoint", region: str = REGION,
                       services: Sequence[str] = ()) -> str:
    """A hashicorp/aws provider block for an emulator: test keys and no STS/IAM/IMDS calls at start.
    API Gateway goes to `endpoint_var`; each of `services` (e.g. "iam", "logs") to the same URL."""
    others = "".join(f"\n    {service} = {endpoint_var}" for service in services)
    return f"""
provider "aws" {{
  region                      = "{region}"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  endpoints {{
    apigateway = {endpoint_var}{others}
  }}
}}
"""


def write_mirror(base: Path, provider_binary: Path, version: str = PROVIDER_VERSION,
                 aws: Optional[AwsProvider] = None) -> Mirror:
    """Lay the provider into an unpacked filesystem mirror under `base` and write a .tfrc for it
    (with `aws`, also hashicorp/aws from its mirror, or from the registry when it has none)."""
    root = base / "mirror"
    dest = root / PROVIDER_HOST / PROVIDER_NAMESPACE / PROVIDER_TYPE / version / "linux_amd64"
    dest.mkdir(parents=True, exist_ok=True)
    exe = dest / f"terraform-provider-{PROVIDER_TYPE}_v{version}"
    # Debug binaries are ~400 MB: hard-link when on the same filesystem, copy otherwise.
    exe.unlink(missing_ok=True)
    try:
        os.link(provider_binary, exe)
    except OSError:
        shutil.copy2(provider_binary, exe)
        exe.chmod(0o755)
    home = base / "home"
    home.mkdir(exist_ok=True)
    tfrc = base / "terraform.tfrc"
    origin = " (and hashicorp/aws)" if aws else ", nothing else"
    tfrc.write_text(f"# Written by the gwtrigger test harness: our provider from a local mirror{origin}.\n"
                    + aws_provider.cli_config(root, f"{PROVIDER_HOST}/{PROVIDER_NAMESPACE}/*", aws))
    return Mirror(root, tfrc, home)


class Terraform:
    """Runs terraform in one working directory with the harness' CLI config and environment."""

    def __init__(self, binary: Path, workdir: Path, mirror: Mirror) -> None:
        self.binary = binary
        self.workdir = workdir
        self.mirror = mirror

    def env(self, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
        env = clean_env(
            {
                "TF_CLI_CONFIG_FILE": str(self.mirror.tfrc),
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
            },
            home=self.mirror.home,
        )
        env.update(extra or {})
        return env

    def run(self, *args: Any, expect: Optional[int | Sequence[int]] = 0,
            env: Optional[dict[str, str]] = None, timeout: float = COMMAND_TIMEOUT) -> Result:
        return run([self.binary, *args], expect=expect, cwd=self.workdir, env=self.env(env), timeout=timeout)

    @staticmethod
    def var_args(variables: Optional[dict[str, Any]]) -> list[str]:
        return [f"-var={k}={v}" for k, v in (variables or {}).items()]

    def init(self, **kw: Any) -> Result:
        return self.run("init", "-no-color", "-input=false", **kw)

    def plan(self, variables: Optional[dict[str, Any]] = None, *extra: str, **kw: Any) -> Result:
        return self.run("plan", "-no-color", "-input=false", *self.var_args(variables), *extra, **kw)

    def apply(self, variables: Optional[dict[str, Any]] = None, *extra: str, **kw: Any) -> Result:
        return self.run("apply", "-no-color", "-input=false", "-auto-approve", *self.var_args(variables), *extra, **kw)

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json", "-no-color").stdout)
        return {k: v["value"] for k, v in raw.items()}


class MotoServer:
    def __init__(self, binary: Path, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [str(binary), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=clean_env(), start_new_session=True,
        )
        self._wait_ready(log_path)

    def _wait_ready(self, log_path: Path) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.proc.returncode}:\n{log_path.read_text()}")
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.url} within 60s")

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(req, timeout=10).read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def apigw_client(endpoint_url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "apigateway",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


class Cli:
    """Runs the `gwtrigger` CLI with the test environment."""

    def __init__(self, binary: Path, home: Path) -> None:
        self.binary = binary
        self.home = home

    def run(self, *args: Any, expect: Optional[int | Sequence[int]] = 0,
            env: Optional[dict[str, str]] = None, timeout: float = COMMAND_TIMEOUT) -> Result:
        return run([self.binary, *args], expect=expect, env=clean_env(env, home=self.home), timeout=timeout)

    def hash(self, endpoint: str, rest_api_id: str, *extra: Any, **kw: Any) -> dict[str, Any]:
        """`gwtrigger hash --json`; returns the parsed document (asserts exit 0 and valid JSON)."""
        result = self.run("hash", "--rest-api-id", rest_api_id, "--endpoint-url", endpoint,
                          "--region", REGION, "--json", *extra, **kw)
        try:
            doc = json.loads(result.stdout)
        except ValueError:
            pytest.fail(f"gwtrigger hash --json did not print JSON\n{result.describe()}")
        assert isinstance(doc, dict) and "hash" in doc, f"no 'hash' in CLI output\n{result.describe()}"
        return doc
