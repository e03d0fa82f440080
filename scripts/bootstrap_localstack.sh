#!/usr/bin/env bash
# Creates .venv-localstack: LocalStack (the API Gateway emulator with a stage data plane) on
# Python 3.13, pinned by requirements-localstack.txt and locked by requirements-localstack-lock.txt.
# Called by scripts/bootstrap.sh; the tests and the demo start LocalStack through
# tests/e2e/localstack.py.
#
# Python 3.13 is found at run time: $PYTHON313 when set, else pyenv's newest 3.13.x
# ($(pyenv root)/versions/3.13*/bin/python3.13), else python3.13 on PATH if it really is 3.13.
#
# Exit 0: ready. Exit 3: no Python 3.13 on this machine (one line on stderr says so). Other: the
# install failed. Idempotent: a stamp keyed on the requirement files and this script.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.venv-localstack"
requirements="$repo_root/requirements-localstack.txt"
constraints="$repo_root/requirements-localstack-lock.txt"
stamp="$venv/.gwtrigger-bootstrap"

log() { printf '[bootstrap-localstack] %s\n' "$*" >&2; }

is_313() { [[ -x "$1" ]] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; }

find_python313() {
  if [[ -n "${PYTHON313:-}" ]]; then
    is_313 "$PYTHON313" && { echo "$PYTHON313"; return; }
    return 1
  fi
  if command -v pyenv >/dev/null 2>&1; then
    local candidate
    # newest 3.13.x first
    while IFS= read -r candidate; do
      is_313 "$candidate" && { echo "$candidate"; return; }
    done < <(ls -d "$(pyenv root)"/versions/3.13*/bin/python3.13 2>/dev/null | sort -rV)
  fi
  local on_path
  on_path="$(command -v python3.13 || true)"
  [[ -n "$on_path" ]] && is_313 "$on_path" && { echo "$on_path"; return; }
  return 1
}

want_stamp="$(cat "$requirements" "$constraints" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]] && is_313 "$venv/bin/python"; then
  exit 0
fi

if ! python313="$(find_python313)"; then
  log "Python 3.13 not found (LocalStack needs it; install it, e.g. pyenv install 3.13, or set PYTHON313=/path/to/python3.13): LocalStack is unavailable"
  exit 3
fi

if ! is_313 "$venv/bin/python"; then
  log "creating virtualenv $venv with $python313"
  rm -rf "$venv"
  "$python313" -m venv "$venv"
fi

log "installing LocalStack from requirements-localstack.txt, locked by requirements-localstack-lock.txt (first run takes about two minutes)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" -c "$constraints"
# A broken import shows only as "No component plugins found" when LocalStack starts: check here.
if ! "$venv/bin/python" -c 'import localstack.aws.components' >/dev/null; then
  log "error: LocalStack does not import; see: $venv/bin/python -c 'import localstack.aws.components'"
  exit 1
fi

printf '%s\n' "$want_stamp" >"$stamp"
log "done: $("$venv/bin/python" -m pip show localstack-core 2>/dev/null | sed -n 's/^Version: /localstack-core /p') on $("$venv/bin/python" --version)"
