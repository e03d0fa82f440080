"""Secrets (issue 6): `secret_key` and `token` never appear in anything the provider or the CLI
prints — Terraform's output and TRACE log, the state, the CLI's stdout/stderr at trace level —
on success and on error paths. Also: the plugin listens on loopback only (with mTLS, checked in
tests/protocol.rs) and TLS verification is never turned off by configuration.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from apigw_proxy import ApigwProxy
from apis import build_api, spec_copy
from harness import Cli, Terraform
from hardening import BOUNDED, cli_hash, init_workdir, main_tf

ACCESS_KEY = "AKIDHARDENING00001"
SECRET_KEY = "s3cr3t-HARDENING-sk-7f1e2d"
TOKEN = "t0k3n-HARDENING-st-9a2b4c"
SECRETS = (SECRET_KEY, TOKEN)

STATIC_CREDENTIALS = f"""
  access_key = "{ACCESS_KEY}"
  secret_key = "{SECRET_KEY}"
  token      = "{TOKEN}"
"""


def assert_no_secret(where: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a secret ({secret[:10]}...) appears in {where}"
        # nor a recognisable part of it
        assert secret[-12:] not in text, f"part of a secret appears in {where}"


def test_terraform_trace_logs_output_and_state_hold_no_secret(
        apigw: Any, proxy: ApigwProxy, terraform_factory: Callable[[Path], Terraform], tmp_path: Path) -> None:
    api = build_api(apigw, spec_copy())
    tf = init_workdir(terraform_factory, tmp_path / "secrets", main_tf(1, STATIC_CREDENTIALS))
    log = tmp_path / "tf-trace.log"
    env = {"TF_LOG": "TRACE", "TF_LOG_PATH": str(log)}
    vars_ok = {"endpoint": proxy.url, "rest_api_id": api.id, "max_retries": 1}
    printed = [tf.apply(vars_ok, env=env, timeout=BOUNDED)]
    assert tf.outputs()["hashes"][0], "the read with static credentials worked"
    # error paths: an unknown API, a throttled read, an invalid setting next to the secrets
    printed.append(tf.plan({**vars_ok, "rest_api_id": "nosuchapi1"}, env=env, expect=1, timeout=BOUNDED))
    proxy.add_fault("throttle", times=None)
    printed.append(tf.plan(vars_ok, env=env, expect=1, timeout=BOUNDED))
    proxy.clear_faults()
    printed.append(tf.plan({**vars_ok, "retry_mode": "fast"}, env=env, expect=1, timeout=BOUNDED))

    for result in printed:
        assert_no_secret(f"terraform {result.args[1]} output", result.output)
    trace = log.read_text()
    assert_no_secret("the TF_LOG=TRACE log", trace)
    provider_lines = [line for line in trace.splitlines() if "provider.terraform-provider-gwtrigger" in line]
    assert len(provider_lines) > 10, "the trace log holds the provider's own log lines"
    assert any("ReadDataSource" in line for line in provider_lines)
    # where the plugin listened (its handshake address; tests/protocol.rs parses the handshake
    # line itself): loopback only, with AutoMTLS
    addresses = re.findall(r"serving tfplugin6 with AutoMTLS: .*?address=(\S+)", trace)
    assert addresses, "no listening address in the trace log"
    assert all(addr.startswith("127.0.0.1:") for addr in addresses), addresses
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        state = tf.workdir / name
        if state.exists():
            assert_no_secret(name, state.read_text())
    assert_no_secret("terraform show -json", tf.run("show", "-json", "-no-color").output)


def test_cli_at_trace_level_prints_no_secret(apigw: Any, proxy: ApigwProxy, cli: Cli) -> None:
    api = build_api(apigw, spec_copy())
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
           "AWS_SESSION_TOKEN": TOKEN, "GWTRIGGER_LOG": "trace"}
    args = ["--endpoint-url", proxy.url, "--region", "us-east-1", "--max-retries", "1"]
    ok = cli.run("hash", "--rest-api-id", api.id, "--json", *args, env=env, timeout=BOUNDED)
    assert '"hash"' in ok.stdout
    assert "TRACE" in ok.stderr or "DEBUG" in ok.stderr, "GWTRIGGER_LOG=trace logs something"
    not_found = cli.run("hash", "--rest-api-id", "nosuchapi1", *args, env=env, expect=1, timeout=BOUNDED)
    proxy.add_fault("error", status=403, code="ExpiredTokenException", times=None, message="token expired")
    expired = cli.run("hash", "--rest-api-id", api.id, "--document", *args, env=env, expect=1, timeout=BOUNDED)
    for name, result in (("ok", ok), ("not found", not_found), ("expired", expired)):
        assert_no_secret(f"gwtrigger hash ({name}) stdout", result.stdout)
        assert_no_secret(f"gwtrigger hash ({name}) stderr", result.stderr)
    # the session token really was sent (so the test is not vacuous): moto saw signed requests
    assert proxy.count() > 0


def test_secret_settings_are_never_echoed_in_validation_errors(
        proxy: ApigwProxy, cli: Cli, terraform_factory: Callable[[Path], Terraform], tmp_path: Path) -> None:
    """A secret without its pair is an error naming the attribute, not the value."""
    config = main_tf(1, f'  secret_key = "{SECRET_KEY}"\n  token = "{TOKEN}"\n')
    tf = init_workdir(terraform_factory, tmp_path / "half", config)
    result = tf.plan({"endpoint": proxy.url, "rest_api_id": "abc123defg"}, expect=1, timeout=BOUNDED)
    assert "Incomplete static credentials" in result.stderr, result.describe()
    assert_no_secret("the validation error", result.output)
