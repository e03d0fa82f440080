#!/usr/bin/env python3
"""`terraform plan` with `data "gwtrigger"` versus the same plan without it, and the provider's
peak RSS while it reads a large API during a plan.

Ratio: two working directories share a realistic configuration (terraform_data resources for
functions, routes and a deployment); `with` adds the gwtrigger provider and `data "gwtrigger"`
reading an R-route API (default 1,000) in moto on loopback and feeds its hash into the
deployment's triggers, `without` feeds a constant. Both are initialised and applied first, so
each plan is the steady-state "no changes" plan a CI pipeline runs. Then N pairs, alternating
which of the two runs first, each plan timed as a whole (`terraform plan` process wall time);
the result is the median of the per-pair ratios with / without.

Floor: a third directory has the `with` configuration but reads an API with only its root
resource, so it pays what any external provider costs a plan (Terraform checks the plugin's
checksum, starts it three times with AutoMTLS) plus a trivial read. It is timed in the same
rounds, so `with` / `floor` is what reading 1,000 routes adds above that floor.

CPU (`--cpu-runs`, default 7): more plans of each directory; the plan process's RUSAGE_CHILDREN
delta is Terraform + the provider processes it waited for, and the provider's own share is read
from outside, by polling /proc/PID/task/*/schedstat of every provider process (see
`ProviderPoller`, `cpu_of_plan`).

Breakdown (`--trace`): one more plan of each directory with TF_LOG=trace; the log's timestamps
say where the extra time goes (lock-file checksum, plugin launches, ConfigureProvider, the
read and Terraform's handling of its result). See `trace_breakdown`.

Peak RSS: another directory reads an API of --rss-r resources (default 5,000) during `terraform
plan`; the same poller reads /proc/PID/status VmHWM of every terraform-provider-gwtrigger
process every 2 ms and keeps the largest (VmHWM is the kernel's high-water mark, so polling only
has to see the process once after its peak).

Both are measured from outside the provider, so they need Linux's /proc. Provider CPU is the
sum over its threads of the on-CPU nanoseconds (schedstat) last seen before each thread ended:
it misses at most the CPU of the last poll interval (2 ms) of each thread, a small downward
bias; the poller's own CPU counts in neither number (it is this process, not a child).

    .venv/bin/python scripts/bench_plan.py [--routes 1000] [--pairs 15] [--rss-r 5000]
        [--cpu-runs 7] [--via-proxy] [--trace [--trace-dir DIR]] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from statistics import median
from typing import Any, Optional

from bench_support import VENV, Stack, build_api, machine_line, percentile, release_binary
from harness import PROVIDER_VERSION, Mirror, Terraform, write_mirror

# The provider executable's name in the mirror, which is how the poller finds its processes.
PROVIDER_EXE = f"terraform-provider-gwtrigger_v{PROVIDER_VERSION}"

COMMON = """
variable "functions" {
  type    = list(string)
  default = ["orders", "items", "users", "carts", "payments", "invoices", "reports", "search"]
}

resource "terraform_data" "function" {
  for_each = toset(var.functions)
  input = {
    name    = each.key
    runtime = "provided.al2023"
    memory  = 256
  }
}

resource "terraform_data" "route" {
  count = 20
  input = {
    path     = "/route${count.index}"
    function = terraform_data.function[var.functions[count.index % length(var.functions)]].output.name
  }
}

resource "terraform_data" "stage" {
  input = { name = "prod", deployment = terraform_data.deployment.id }
}
"""

WITH = """
terraform {
  required_providers {
    gwtrigger = { source = "gwtrigger/gwtrigger" }
  }
}

variable "endpoint" { type = string }
variable "rest_api_id" { type = string }

provider "gwtrigger" {
  region = "us-east-1"
  endpoints {
    apigateway = var.endpoint
  }
}

data "gwtrigger" "api" {
  rest_api_id = var.rest_api_id
}

resource "terraform_data" "deployment" {
  triggers_replace = [data.gwtrigger.api.hash]
  input            = { routes = length(terraform_data.route) }
}

output "hash" { value = data.gwtrigger.api.hash }
"""

WITHOUT = """
variable "endpoint" { type = string }
variable "rest_api_id" { type = string }

resource "terraform_data" "deployment" {
  triggers_replace = ["${var.rest_api_id}-v1"]
  input            = { routes = length(terraform_data.route) }
}

output "hash" { value = "none" }
"""


def workdir(base: Path, name: str, terraform: Path, mirror: Mirror, body: str) -> Terraform:
    path = base / name
    path.mkdir(parents=True)
    (path / "main.tf").write_text(COMMON + body)
    return Terraform(terraform, path, mirror)


_STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:(\d\d\.\d+))Z ")


def _seconds(line: str) -> Optional[float]:
    match = _STAMP.match(line)
    if not match:
        return None
    hours_minutes = match.group(1)[11:16]
    return int(hours_minutes[:2]) * 3600 + int(hours_minutes[3:]) * 60 + float(match.group(2))


def trace_breakdown(log: Path) -> dict[str, Any]:
    """Milliseconds spent in each phase of one traced plan, from TF_LOG=trace timestamps
    (millisecond resolution; phases may overlap Terraform's other work, as in real plans)."""
    lines = [(t, line) for line in log.read_text(errors="replace").splitlines()
             if (t := _seconds(line)) is not None]
    if not lines:
        return {}

    def first(pattern: str, after: float = 0.0) -> Optional[float]:
        for t, line in lines:
            if t >= after and pattern in line:
                return t
        return None

    def ms(start: Optional[float], end: Optional[float]) -> Optional[float]:
        return None if start is None or end is None else round((end - start) * 1000, 1)

    out: dict[str, Any] = {"total_ms": ms(lines[0][0], lines[-1][0])}
    meta = first("fillMetaCache: including")
    out["lock_checksum_ms"] = ms(meta, first("checking for provisioner", meta or 0.0))
    launches = []
    for t, line in lines:
        if "provider: configuring client automatic mTLS" in line:
            started = first("provider: starting plugin:", t)
            handshake = first("provider: using plugin:", t)
            exited = first("provider: plugin exited", t)
            launches.append({"client_cert_ms": ms(t, started), "exec_to_handshake_ms": ms(started, handshake),
                             "alive_ms": ms(started, exited)})
    out["launches"] = launches
    configure = first("GRPCProvider.v6: ConfigureProvider")
    # The provider node's visit ends when ConfigureProvider has answered.
    out["configure_ms"] = ms(configure, first('gwtrigger/gwtrigger\\"]": visit complete', configure or 0.0))
    read = first("GRPCProvider.v6: ReadDataSource")
    fetched = first("read REST API:", read or 0.0)
    out["read_until_fetched_ms"] = ms(read, fetched)
    out["fetched_until_state_ms"] = ms(fetched, first("writeResourceInstanceState to workingState for data.gwtrigger",
                                                      fetched or 0.0))
    return out


def cpu_of_plan(tf: Terraform, variables: dict[str, str], exe_name: str,
                expect_provider: bool = True) -> dict[str, Any]:
    """CPU time of one plan, in ms: the whole (Terraform runs inside the shim process, and the
    provider processes it starts and waits for count as its children) and the provider's own
    share, per launch, from `ProviderPoller`. A configuration without the provider
    (`expect_provider=False`) has a share of 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ProviderPoller(exe_name) as poller:
        tf.plan(variables, "-lock=false")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total_ms = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000
    launches = [poller.cpu_ms(pid) for pid in sorted(poller.pids())]
    if expect_provider and not launches:
        raise SystemExit(f"no {exe_name} process was seen during the plan in {tf.workdir}")
    return {"total_cpu_ms": total_ms, "provider_cpu_ms": sum(launches), "launches": len(launches),
            "provider_cpu_per_launch_ms": [round(ms, 1) for ms in launches]}


def timed_plan(tf: Terraform, variables: dict[str, str]) -> float:
    started = time.perf_counter()
    result = tf.plan(variables, "-lock=false")
    elapsed = time.perf_counter() - started
    if "No changes." not in result.stdout:
        raise SystemExit(f"expected a no-op plan in {tf.workdir}:\n{result.describe()}")
    return elapsed


class ProviderPoller:
    """Polls every process whose executable is the mirrored provider: its peak RSS (VmHWM) and
    the on-CPU time of each of its threads (/proc/PID/task/TID/schedstat, nanoseconds)."""

    def __init__(self, exe_name: str, interval: float = 0.002) -> None:
        self.exe_name = exe_name
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._thread_ns: dict[tuple[int, int], int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "ProviderPoller":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    def pids(self) -> set[int]:
        return {pid for pid, _ in self._thread_ns} | set(self.peaks)

    def cpu_ms(self, pid: int) -> float:
        return sum(ns for (p, _), ns in self._thread_ns.items() if p == pid) / 1e6

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    try:
                        if os.readlink(f"/proc/{pid}/exe").endswith(self.exe_name):
                            self._sample(int(pid))
                    except OSError:
                        continue
            time.sleep(self.interval)

    def _sample(self, pid: int) -> None:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    self.peaks[pid] = max(int(line.split()[1]), self.peaks.get(pid, 0))
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as schedstat:
                    ns = int(schedstat.read().split()[0])
            except (OSError, ValueError, IndexError):
                continue
            key = (pid, int(tid))
            self._thread_ns[key] = max(ns, self._thread_ns.get(key, 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routes", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--rss-r", type=int, default=5000, help="resources of the API read for peak RSS (0: skip)")
    parser.add_argument("--via-proxy", action="store_true", help="read through the paginating proxy instead of moto directly")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--trace", action="store_true", help="also time one TF_LOG=trace plan of each and break it down")
    parser.add_argument("--cpu-runs", type=int, default=7, help="plans per directory for the CPU accounting")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--trace-dir", type=Path, help="keep the TF_LOG=trace logs of --trace here")
    args = parser.parse_args()
    provider = release_binary("terraform-provider-gwtrigger")
    terraform = VENV / "bin" / "terraform"
    print(machine_line(), flush=True)

    results: dict[str, Any] = {"machine": machine_line(), "routes": args.routes, "via_proxy": args.via_proxy}
    with tempfile.TemporaryDirectory(prefix="gwtrigger-plan-") as tmp_name, Stack(Path(tmp_name) / "logs") as stack:
        tmp = Path(tmp_name)
        mirror = write_mirror(tmp / "tf", provider)
        endpoint = stack.proxy.url if args.via_proxy else stack.moto.url
        api_id = build_api(stack.moto.url, args.routes, threads=args.threads)
        root_only_id = build_api(stack.moto.url, 1, threads=1)
        variables = {"endpoint": endpoint, "rest_api_id": api_id}
        floor_variables = {"endpoint": endpoint, "rest_api_id": root_only_id}
        with_tf = workdir(tmp, "with", terraform, mirror, WITH)
        without_tf = workdir(tmp, "without", terraform, mirror, WITHOUT)
        floor_tf = workdir(tmp, "floor", terraform, mirror, WITH)
        runs = [(with_tf, variables), (without_tf, variables), (floor_tf, floor_variables)]
        for tf, tf_vars in runs:
            tf.init()
            tf.apply(tf_vars)
        for tf, tf_vars in runs:  # warm-up, not counted
            timed_plan(tf, tf_vars)

        pairs: list[tuple[float, float]] = []
        floors: list[float] = []
        for i in range(args.pairs):
            order = runs[i % 3:] + runs[:i % 3]  # rotate which directory runs first
            times = {tf.workdir.name: timed_plan(tf, tf_vars) for tf, tf_vars in order}
            pairs.append((times["with"], times["without"]))
            floors.append(times["floor"])
            print(f"round {i + 1}: with {times['with']:.3f} s, without {times['without']:.3f} s, "
                  f"floor {times['floor']:.3f} s, ratio {times['with'] / times['without']:.3f}", flush=True)
        ratios = [w / wo for w, wo in pairs]
        results["plan"] = {
            "pairs": len(pairs),
            "median_ratio": round(median(ratios), 3),
            "p95_ratio": round(percentile(ratios, 95), 3),
            "median_with_s": round(median(w for w, _ in pairs), 3),
            "median_without_s": round(median(wo for _, wo in pairs), 3),
            "median_extra_ms": round(median((w - wo) * 1000 for w, wo in pairs), 1),
            "median_floor_s": round(median(floors), 3),
            "median_floor_ratio": round(median(f / wo for f, (_, wo) in zip(floors, pairs)), 3),
            "median_with_over_floor": round(median(w / f for f, (w, _) in zip(floors, pairs)), 3),
        }
        print(json.dumps(results["plan"]), flush=True)

        # CPU per plan: the same plans again (not timed), with the provider processes polled.
        results["cpu"] = {}
        for tf, tf_vars in runs:
            samples = [cpu_of_plan(tf, tf_vars, PROVIDER_EXE, expect_provider=tf is not without_tf)
                       for _ in range(args.cpu_runs)]
            results["cpu"][tf.workdir.name] = {
                "plans": len(samples),
                "median_total_cpu_ms": round(median(x["total_cpu_ms"] for x in samples), 1),
                "median_provider_cpu_ms": round(median(x["provider_cpu_ms"] for x in samples), 1),
                "launches": sorted({x["launches"] for x in samples}),
                "provider_cpu_per_launch_ms": samples[len(samples) // 2]["provider_cpu_per_launch_ms"],
            }
            print(f"cpu {tf.workdir.name}: {json.dumps(results['cpu'][tf.workdir.name])}", flush=True)

        if args.trace:
            results["trace"] = {}
            for tf, tf_vars in runs:
                log = tmp / f"{tf.workdir.name}.trace.log"
                tf.plan(tf_vars, "-lock=false", env={"TF_LOG": "trace", "TF_LOG_PATH": str(log)})
                results["trace"][tf.workdir.name] = trace_breakdown(log)
                if args.trace_dir:
                    args.trace_dir.mkdir(parents=True, exist_ok=True)
                    (args.trace_dir / log.name).write_bytes(log.read_bytes())
                print(f"trace {tf.workdir.name}: {json.dumps(results['trace'][tf.workdir.name])}", flush=True)

        if args.rss_r:
            big_id = build_api(stack.moto.url, args.rss_r, threads=args.threads)
            rss_tf = workdir(tmp, "rss", terraform, mirror, WITH)
            rss_tf.init()
            results["rss"] = {}
            # Pages of 500 through the proxy, as AWS serves them; then moto's one 5,000-item page.
            for label, rss_endpoint in (("pages_of_500", stack.proxy.url), ("one_page", stack.moto.url)):
                rss_vars = {"endpoint": rss_endpoint, "rest_api_id": big_id}
                with ProviderPoller(PROVIDER_EXE) as poller:
                    started = time.perf_counter()
                    result = rss_tf.plan(rss_vars, "-lock=false")
                    plan_s = time.perf_counter() - started
                if "hash" not in result.stdout:
                    raise SystemExit(f"plan of the R={args.rss_r} API did not read it:\n{result.describe()}")
                peaks = sorted(poller.peaks.values())
                results["rss"][label] = {"resources": args.rss_r, "provider_processes": len(peaks),
                                         "peak_vmhwm_kb": max(peaks) if peaks else None, "all_vmhwm_kb": peaks,
                                         "plan_s": round(plan_s, 2)}
                print(f"rss {label}: {json.dumps(results['rss'][label])}", flush=True)

    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
