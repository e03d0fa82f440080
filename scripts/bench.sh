#!/usr/bin/env bash
# Runs every gwtrigger benchmark (issue 7) and writes the raw results to build/bench/:
#
#   1. scripts/bootstrap.sh                 project venv (Terraform shim, moto, boto3)
#   2. cargo build --release --bins         the binaries users get (LTO; takes minutes)
#   3. cargo bench --bench hash             canonicalise + hash, 1k/10k/100k methods, one core
#   4. scripts/bench_startup.py             provider start → handshake line (mTLS and plain)
#   5. scripts/bench_calls.py               API calls + quota wall time for R = 1..5,000, CLI RSS
#   6. scripts/bench_plan.py                terraform plan with/without data "gwtrigger", CPU per plan, provider RSS
#
# `make bench` calls this. It is NOT part of `make test`/CI: it takes 15-30 minutes and its
# numbers depend on the machine. BENCHMARKS.md says how to read the output.
#
# Options (environment): BENCH_ONLY="hash startup calls plan" (a subset), BENCH_CPU=0 (core the
# hash bench is pinned to), BENCH_RUNS, BENCH_PAIRS, BENCH_SIZES (comma list of R).
# CARGO_TARGET_DIR is honoured.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
out="$repo_root/build/bench"
mkdir -p "$out"
only="${BENCH_ONLY:-hash startup calls plan}"
python="$repo_root/.venv/bin/python"

banner() { printf '\n==== %s ====\n' "$*"; }
wants() { [[ " $only " == *" $1 "* ]]; }

banner "machine"
echo "nproc=$(nproc), CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/machine.txt"

banner "bootstrap"
bash scripts/bootstrap.sh

banner "cargo build --release --bins"
cargo build --release --bins

if wants hash; then
  banner "cargo bench --bench hash (pinned to CPU ${BENCH_CPU:-0})"
  taskset -c "${BENCH_CPU:-0}" cargo bench --bench hash -- --noplot 2>&1 | tee "$out/hash.txt"
fi

if wants startup; then
  banner "provider start-up"
  (cd scripts && "$python" bench_startup.py --runs "${BENCH_RUNS:-200}" --json "$out/startup.json") | tee "$out/startup.txt"
fi

if wants calls; then
  banner "API calls"
  (cd scripts && "$python" bench_calls.py --sizes "${BENCH_SIZES:-1,300,1000,5000}" --json "$out/calls.json") | tee "$out/calls.txt"
fi

if wants plan; then
  banner "terraform plan with / without data \"gwtrigger\""
  (cd scripts && "$python" bench_plan.py --pairs "${BENCH_PAIRS:-21}" --trace --json "$out/plan.json") | tee "$out/plan.txt"
fi

banner "done: raw results in $out"
