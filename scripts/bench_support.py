"""Shared pieces of gwtrigger's benchmark scripts (scripts/bench_*.py; see BENCHMARKS.md).

- `machine()`: nproc, CPU model and load average, printed with every result.
- `build_api(endpoint, resources, ...)`: a REST API in moto with `resources` resources, one
  method with an integration on each (the root included), created with boto3 from a thread
  pool (level by level, so parents exist before their children).
- `QuotaProxy`: the e2e proxy (tests/e2e/support/apigw_proxy.py) that also enforces API Gateway's
  control-plane quotas: GetResources 5 requests per 2 s, all calls 10 rps with a burst of 40.
  A request over quota gets 429 TooManyRequestsException, as AWS answers it. Optionally it
  caches moto's answers, so pages come back about as fast as API Gateway serves them (moto
  ignores `limit` and renders the whole collection for every page, so a page of a large API
  costs what the whole API costs).
- `quota_wall_time(...)`: the least wall time a call sequence needs under those quotas.
- `Stack`: moto_server + proxy on loopback, stopped on exit.

Not part of `make test`: benchmarks are slow and their numbers depend on the machine.
"""

from __future__ import annotations

import collections
import concurrent.futures
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Optional

REPO_ROOT = Path(__file__).resolve().parents[1]
# The e2e helpers (moto_server, the proxy, clean environments), imported by module name as the
# tests do (tests/e2e/conftest.py puts the same directory on the path).
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e" / "support"))

from apigw_proxy import ApigwProxy, FaultRule  # noqa: E402
from harness import REGION, MotoServer, apigw_client, clean_env  # noqa: E402

VENV = REPO_ROOT / ".venv"
VERBS = ["GET", "POST", "PUT", "DELETE"]

# API Gateway control-plane quotas (per account): GetResources 5 requests / 2 s; every call
# together 10 requests/s with a burst of 40.
GET_RESOURCES_WINDOW = (5, 2.0)
ACCOUNT_RATE, ACCOUNT_BURST = 10.0, 40


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return {"nproc": os.cpu_count(), "cpu": model, "load": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"}


def machine_line() -> str:
    m = machine()
    return f"machine: nproc={m['nproc']}, CPU {m['cpu']!r}, load average {m['load']}"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def release_dir() -> Path:
    target = os.environ.get("CARGO_TARGET_DIR") or str(REPO_ROOT / "target")
    return Path(target) / "release"


def release_binary(name: str) -> Path:
    path = release_dir() / name
    if not path.exists():
        raise SystemExit(f"{path} missing: run `cargo build --release --bins` first (scripts/bench.sh does)")
    return path


# ----- building APIs -------------------------------------------------------------------------

def _integration(i: int) -> dict[str, Any]:
    kind = i % 3
    if kind == 0:
        return {
            "type": "AWS_PROXY",
            "integrationHttpMethod": "POST",
            "uri": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
                   f"arn:aws:lambda:{REGION}:123456789012:function:fn-{i % 50}/invocations",
        }
    if kind == 1:
        return {"type": "HTTP_PROXY", "integrationHttpMethod": "ANY", "uri": f"https://backend.example.com/r{i}"}
    return {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}}


def _layout(resources: int) -> list[list[tuple[int, int, str]]]:
    """Levels of (index, parent index, path part): about sqrt(R) top-level groups, the rest
    below them, every fourth of those with an `{id}` child."""
    if resources <= 1:
        return []
    rest = resources - 1
    groups = max(1, min(rest, int(math.sqrt(rest))))
    levels: list[list[tuple[int, int, str]]] = [[], [], []]
    index = 1
    for g in range(groups):
        levels[0].append((index, 0, f"g{g}"))
        index += 1
    level1_parents = [i for i, _, _ in levels[0]]
    k = 0
    while index < resources:
        parent = level1_parents[k % len(level1_parents)]
        levels[1].append((index, parent, f"r{index}"))
        index += 1
        k += 1
        if index < resources and k % 4 == 0:
            levels[2].append((index, index - 1, "{id}"))
            index += 1
    return [level for level in levels if level]


def build_api(endpoint: str, resources: int, threads: int = 8, name: Optional[str] = None) -> str:
    """Creates the API; returns its id. Every resource (root included) gets one method with an
    integration, so methods = integrations = resources."""
    local = threading.local()

    def client() -> Any:
        if not hasattr(local, "client"):
            local.client = apigw_client(endpoint)
        return local.client

    main = apigw_client(endpoint)
    api_id = main.create_rest_api(name=name or f"bench-{resources}")["id"]
    root_id = next(r["id"] for r in main.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    ids: dict[int, str] = {0: root_id}

    def add_method(index: int, resource_id: str) -> None:
        c = client()
        verb = VERBS[index % len(VERBS)]
        c.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE")
        c.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb, **_integration(index))

    def add_resource(item: tuple[int, int, str]) -> tuple[int, str]:
        index, parent, part = item
        created = client().create_resource(restApiId=api_id, parentId=ids[parent], pathPart=part)
        add_method(index, created["id"])
        return index, created["id"]

    add_method(0, root_id)
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        for level in _layout(resources):
            for index, resource_id in pool.map(add_resource, level):
                ids[index] = resource_id
    return api_id


# ----- quotas ----------------------------------------------------------------------------------

class _Quota:
    """Sliding window for GetResources plus a token bucket for all calls (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recent: collections.deque[float] = collections.deque()
        self.tokens = float(ACCOUNT_BURST)
        self.stamp = time.monotonic()
        self.throttled = 0

    def admit(self, op: str) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(ACCOUNT_BURST, self.tokens + (now - self.stamp) * ACCOUNT_RATE)
            self.stamp = now
            limit, window = GET_RESOURCES_WINDOW
            while self.recent and now - self.recent[0] >= window:
                self.recent.popleft()
            if self.tokens < 1 or (op == "GetResources" and len(self.recent) >= limit):
                self.throttled += 1
                return False
            self.tokens -= 1
            if op == "GetResources":
                self.recent.append(now)
            return True


class QuotaProxy(ApigwProxy):
    """ApigwProxy that answers over-quota requests with 429, like API Gateway, and can serve
    pages from a cache of moto's answers (`cache_upstream`)."""

    def __init__(self, upstream: str, enforce: bool = False, cache_upstream: bool = False, **config: Any) -> None:
        super().__init__(upstream, **config)
        self.enforce = enforce
        self.quota = _Quota()
        self._cache_lock = threading.Lock()
        self.upstream_cache: Optional[dict[str, tuple[int, dict[str, str], bytes]]] = (
            {} if cache_upstream else None
        )

    def pick_fault(self, op: str, page: Optional[int]) -> Optional[FaultRule]:
        if self.enforce and not self.quota.admit(op):
            return FaultRule(kind="throttle")
        return super().pick_fault(op, page)

    def forward(self, method: str, target: str, headers: dict[str, str],
                body: bytes) -> tuple[int, dict[str, str], bytes]:
        # With `cache_upstream`, each GET target (limit/position already stripped, so every page
        # of a collection shares one entry) is fetched from moto once: pages then cost what
        # slicing costs, not moto re-serialising the whole collection per page.
        if self.upstream_cache is None or method != "GET":
            return super().forward(method, target, headers, body)
        with self._cache_lock:
            hit = self.upstream_cache.get(target)
        if hit is None:
            hit = super().forward(method, target, headers, body)
            with self._cache_lock:
                self.upstream_cache[target] = hit
        return hit

    def by_operation(self) -> dict[str, int]:
        return dict(self.stats()["by_operation"])


def quota_wall_time(resource_pages: int, other_calls: int, sequential_pages: bool = True) -> float:
    """Least seconds (network time excluded) to make `resource_pages` GetResources calls and
    `other_calls` other calls under the quotas, for a client that never wastes a call: the k-th
    GetResources call (0-based) cannot start before 2 s * floor(k / 5), and the n-th call
    overall not before (n - 40) / 10 s."""
    limit, window = GET_RESOURCES_WINDOW
    pages_done = window * ((resource_pages - 1) // limit) if resource_pages > 0 else 0.0
    total = resource_pages + other_calls
    bucket = max(0.0, (total - ACCOUNT_BURST) / ACCOUNT_RATE)
    return max(pages_done, bucket)


# ----- processes ------------------------------------------------------------------------------

class Stack:
    """moto_server and a QuotaProxy in front of it; use as a context manager."""

    def __init__(self, log_dir: Path, enforce_quota: bool = False) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.moto = MotoServer(VENV / "bin" / "moto_server", log_dir / "moto.log")
        self.proxy = QuotaProxy(self.moto.url, enforce=enforce_quota).start()

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.proxy.stop()
        self.moto.stop()


def run_cli(binary: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(binary), *args], env=clean_env(), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise SystemExit(f"$ {binary} {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc
