#!/usr/bin/env python3
"""API calls (and their wall time under API Gateway's quotas) for reading an API of R resources.

For each R: build the API in moto (one method + integration per resource), then through the
counting proxy (tests/e2e/support/apigw_proxy.py, pages of at most 500 like AWS):
  - ours:  `gwtrigger hash --json` (release build) — the data source's read, counted per operation;
  - naive: a boto3 enumerator — GetResources pages (limit 500), then GetMethod + GetIntegration
           per method, plus the same 5 other calls (GetRestApi, authorizers, models,
           validators, gateway responses) — counted the same way.
The wall time under the quotas is computed from the counts (bench_support.quota_wall_time) and,
with --quota-r, measured for ours with the proxy enforcing the quotas (429 when over). Peak RSS
of the CLI read of the largest API comes from `/usr/bin/time -v`.

    .venv/bin/python scripts/bench_calls.py [--sizes 1,300,1000,5000] [--naive-max 5000]
        [--quota-r 5000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_support import (
    REGION,
    QuotaProxy,
    Stack,
    build_api,
    clean_env,
    machine_line,
    quota_wall_time,
    release_binary,
    run_cli,
)

OTHER_OPS = ("GetRestApi", "GetAuthorizers", "GetModels", "GetRequestValidators", "GetGatewayResponses")


def naive_enumerate(endpoint: str, api_id: str, retries: int = 1) -> int:
    """The baseline: resources, then each method and its integration one call at a time.
    Returns the number of methods seen."""
    import boto3
    from botocore.config import Config

    c = boto3.client(
        "apigateway", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": retries, "mode": "standard"}),
    )
    c.get_rest_api(restApiId=api_id)
    for op in (c.get_authorizers, c.get_models, c.get_request_validators, c.get_gateway_responses):
        op(restApiId=api_id, limit=500)
    resources: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"restApiId": api_id, "limit": 500}
    while True:
        page = c.get_resources(**kwargs)
        resources.extend(page.get("items", []))
        if not page.get("position"):
            break
        kwargs["position"] = page["position"]
    methods = 0
    for resource in resources:
        for verb in resource.get("resourceMethods", {}) or {}:
            c.get_method(restApiId=api_id, resourceId=resource["id"], httpMethod=verb)
            c.get_integration(restApiId=api_id, resourceId=resource["id"], httpMethod=verb)
            methods += 1
    return methods


def naive_pages_warm(endpoint: str, api_id: str) -> None:
    """One read of every collection gwtrigger reads (fills a caching proxy)."""
    import boto3

    c = boto3.client("apigateway", endpoint_url=endpoint, region_name=REGION,
                     aws_access_key_id="testing", aws_secret_access_key="testing")
    c.get_rest_api(restApiId=api_id)
    for op in (c.get_authorizers, c.get_models, c.get_request_validators, c.get_gateway_responses):
        op(restApiId=api_id, limit=500)
    c.get_resources(restApiId=api_id, limit=500, embed=["methods"])


def split_counts(by_op: dict[str, int]) -> tuple[int, int, int]:
    """(GetResources pages, other calls, total)."""
    pages = by_op.get("GetResources", 0)
    total = sum(by_op.values())
    return pages, total - pages, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,300,1000,5000")
    parser.add_argument("--naive-max", type=int, default=5000, help="largest R to run the naive enumerator for (beyond: formula)")
    parser.add_argument("--quota-r", default="1000,5000", help="R values to read with the proxy enforcing the quotas")
    parser.add_argument("--threads", type=int, default=8, help="boto3 threads creating the API")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    quota_sizes = {int(s) for s in args.quota_r.split(",") if s}
    cli = release_binary("gwtrigger")
    print(machine_line(), flush=True)

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="gwtrigger-bench-") as tmp, Stack(Path(tmp)) as stack:
        for r in sizes:
            started = time.perf_counter()
            api_id = build_api(stack.moto.url, r, threads=args.threads)
            build_s = time.perf_counter() - started
            row: dict[str, Any] = {"R": r, "methods": r, "build_s": round(build_s, 1)}

            stack.proxy.clear_counts()
            started = time.perf_counter()
            out = run_cli(cli, "hash", "--rest-api-id", api_id, "--endpoint-url", stack.proxy.url,
                          "--region", REGION, "--json")
            row["ours_loopback_s"] = round(time.perf_counter() - started, 3)
            doc = json.loads(out.stdout)
            assert doc["method_count"] == r and doc["resource_count"] == r, doc
            by_op = stack.proxy.by_operation()
            pages, others, total = split_counts(by_op)
            row["ours"] = {"by_operation": by_op, "pages": pages, "others": others, "total": total}
            row["limit_pages"] = math.ceil(r / 500)
            row["limit_total"] = math.ceil(r / 500) + 6
            row["ours_ok"] = pages <= row["limit_pages"] and total <= row["limit_total"]
            row["ours_quota_model_s"] = quota_wall_time(pages, others)

            naive_pages = math.ceil(r / 500)
            if r <= args.naive_max:
                stack.proxy.clear_counts()
                started = time.perf_counter()
                seen = naive_enumerate(stack.proxy.url, api_id)
                row["naive_loopback_s"] = round(time.perf_counter() - started, 3)
                assert seen == r, (seen, r)
                by_op = stack.proxy.by_operation()
                n_pages, n_others, n_total = split_counts(by_op)
                row["naive"] = {"by_operation": by_op, "pages": n_pages, "others": n_others, "total": n_total,
                                "source": "measured"}
            else:
                n_pages, n_others = naive_pages, 2 * r + len(OTHER_OPS)
                n_total = n_pages + n_others
                row["naive"] = {"pages": n_pages, "others": n_others, "total": n_total, "source": "formula"}
            row["naive_formula_total"] = naive_pages + 2 * r + len(OTHER_OPS)
            row["naive_quota_model_s"] = quota_wall_time(n_pages, n_others)

            if r in quota_sizes:
                # As moto serves it (slow pages), and from a cache (pages as fast as AWS's, so
                # the GetResources quota is what limits the read).
                for label, cached in (("ours_quota_measured", False), ("ours_quota_cached", True)):
                    enforced = QuotaProxy(stack.moto.url, enforce=True, cache_upstream=cached).start()
                    try:
                        if cached:  # fill the cache outside the timed read
                            naive_pages_warm(enforced.url, api_id)
                            enforced.clear_counts()
                            enforced.quota = type(enforced.quota)()
                        started = time.perf_counter()
                        run_cli(cli, "hash", "--rest-api-id", api_id, "--endpoint-url", enforced.url,
                                "--region", REGION, "--json")
                        row[f"{label}_s"] = round(time.perf_counter() - started, 3)
                        row[f"{label}_by_outcome"] = enforced.stats()["by_outcome"]
                    finally:
                        enforced.stop()

            if r == max(sizes):
                row["cli_peak_rss_kb"] = peak_rss_kb(cli, api_id, stack.proxy.url)

            rows.append(row)
            print(json.dumps(row), flush=True)

    print()
    print("| R | methods | ours: GetResources / total (limit) | naive total (source) | "
          "quota model: ours / naive | ours under quota: moto / cached pages | loopback: ours / naive |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        ours, naive = row["ours"], row["naive"]
        print(f"| {row['R']:,} | {row['methods']:,} | {ours['pages']} / {ours['total']} "
              f"(≤ {row['limit_pages']} / ≤ {row['limit_total']}) {'ok' if row['ours_ok'] else 'MISSED'} | "
              f"{naive['total']:,} ({naive['source']}) | "
              f"{row['ours_quota_model_s']:.1f} s / {row['naive_quota_model_s']:,.1f} s | "
              f"{fmt_s(row.get('ours_quota_measured_s'))} / {fmt_s(row.get('ours_quota_cached_s'))} "
              f"{throttled(row)}| "
              f"{fmt_s(row['ours_loopback_s'])} / {fmt_s(row.get('naive_loopback_s'))} |")
    for row in rows:
        if "cli_peak_rss_kb" in row:
            print(f"\nCLI `gwtrigger hash` of R={row['R']:,}: peak RSS {row['cli_peak_rss_kb'] / 1024:.1f} MiB (/usr/bin/time -v)")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine_line(), "rows": rows}, indent=2))


def throttled(row: dict[str, Any]) -> str:
    counts = [row.get(f"{label}_by_outcome", {}).get("throttle", 0) for label in ("ours_quota_measured", "ours_quota_cached")]
    return f"({counts[0]} / {counts[1]} × 429) " if "ours_quota_measured_by_outcome" in row else ""


def fmt_s(value: Any) -> str:
    return "—" if value is None else f"{value:.2f} s"


def peak_rss_kb(cli: Path, api_id: str, endpoint: str) -> int:
    proc = subprocess.run(
        ["/usr/bin/time", "-v", str(cli), "hash", "--rest-api-id", api_id, "--endpoint-url", endpoint,
         "--region", REGION, "--json"],
        env=clean_env(), capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if proc.returncode != 0 or not match:
        raise SystemExit(f"/usr/bin/time -v gwtrigger hash failed:\n{proc.stderr}")
    return int(match.group(1))


if __name__ == "__main__":
    main()
