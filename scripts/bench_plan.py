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

Peak RSS: a third directory reads an API of --rss-r resources (default 5,000) during `terraform
plan`; a thread polls /proc/PID/status VmHWM of every terraform-provider-gwtrigger process
every 2 ms and keeps the largest (VmHWM is the kernel's high-water mark, so polling only has
to see the process once after its peak).

    .venv/bin/python scripts/bench_plan.py [--routes 1000] [--pairs 15] [--rss-r 5000]
        [--via-proxy] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from statistics import median
from typing import Any

from bench_support import VENV, Stack, build_api, machine_line, percentile, release_binary
from harness import PROVIDER_VERSION, Mirror, Terraform, write_mirror

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


def timed_plan(tf: Terraform, variables: dict[str, str]) -> float:
    started = time.perf_counter()
    result = tf.plan(variables, "-lock=false")
    elapsed = time.perf_counter() - started
    if "No changes." not in result.stdout:
        raise SystemExit(f"expected a no-op plan in {tf.workdir}:\n{result.describe()}")
    return elapsed


class HwmPoller:
    """Polls VmHWM of every process whose executable is the mirrored provider."""

    def __init__(self, exe_name: str, interval: float = 0.002) -> None:
        self.exe_name = exe_name
        self.interval = interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "HwmPoller":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    if not os.readlink(f"/proc/{pid}/exe").endswith(self.exe_name):
                        continue
                    with open(f"/proc/{pid}/status") as status:
                        for line in status:
                            if line.startswith("VmHWM:"):
                                kb = int(line.split()[1])
                                self.peaks[int(pid)] = max(kb, self.peaks.get(int(pid), 0))
                except OSError:
                    continue
            time.sleep(self.interval)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routes", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--rss-r", type=int, default=5000, help="resources of the API read for peak RSS (0: skip)")
    parser.add_argument("--via-proxy", action="store_true", help="read through the paginating proxy instead of moto directly")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json", type=Path)
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
        variables = {"endpoint": endpoint, "rest_api_id": api_id}
        with_tf = workdir(tmp, "with", terraform, mirror, WITH)
        without_tf = workdir(tmp, "without", terraform, mirror, WITHOUT)
        for tf in (with_tf, without_tf):
            tf.init()
            tf.apply(variables)
        for tf in (with_tf, without_tf):  # warm-up, not counted
            timed_plan(tf, variables)

        pairs: list[tuple[float, float]] = []
        for i in range(args.pairs):
            order = (with_tf, without_tf) if i % 2 == 0 else (without_tf, with_tf)
            times = {tf.workdir.name: timed_plan(tf, variables) for tf in order}
            pairs.append((times["with"], times["without"]))
            print(f"pair {i + 1}: with {times['with']:.3f} s, without {times['without']:.3f} s, "
                  f"ratio {times['with'] / times['without']:.3f}", flush=True)
        ratios = [w / wo for w, wo in pairs]
        results["plan"] = {
            "pairs": len(pairs),
            "median_ratio": round(median(ratios), 3),
            "p95_ratio": round(percentile(ratios, 95), 3),
            "median_with_s": round(median(w for w, _ in pairs), 3),
            "median_without_s": round(median(wo for _, wo in pairs), 3),
            "median_extra_ms": round(median((w - wo) * 1000 for w, wo in pairs), 1),
        }
        print(json.dumps(results["plan"]), flush=True)

        if args.rss_r:
            big_id = build_api(stack.moto.url, args.rss_r, threads=args.threads)
            rss_tf = workdir(tmp, "rss", terraform, mirror, WITH)
            rss_vars = {"endpoint": endpoint, "rest_api_id": big_id}
            rss_tf.init()
            exe_name = f"terraform-provider-gwtrigger_v{PROVIDER_VERSION}"
            with HwmPoller(exe_name) as poller:
                started = time.perf_counter()
                result = rss_tf.plan(rss_vars, "-lock=false")
                plan_s = time.perf_counter() - started
            if "hash" not in result.stdout:
                raise SystemExit(f"plan of the R={args.rss_r} API did not read it:\n{result.describe()}")
            peaks = sorted(poller.peaks.values())
            results["rss"] = {"resources": args.rss_r, "provider_processes": len(peaks),
                              "peak_vmhwm_kb": max(peaks) if peaks else None, "all_vmhwm_kb": peaks,
                              "plan_s": round(plan_s, 2)}
            print(json.dumps(results["rss"]), flush=True)

    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
