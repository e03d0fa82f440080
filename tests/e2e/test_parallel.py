"""Terraform reads many data sources at once (issue 6): 20 `data "gwtrigger"` blocks on one
provider share one client whose concurrency is bounded, and all of them get the clean hash while
the proxy throttles every second request."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from apigw_proxy import ApigwProxy
from apis import build_api, spec_copy
from harness import Cli, Terraform
from hardening import BOUNDED, cli_hash, init_workdir, main_tf

DATA_SOURCES = 20
MAX_CONCURRENT_REQUESTS = 8  # gwtrigger::aws::ClientOptions::default().max_concurrent_requests


def test_twenty_data_sources_under_throttling_share_one_bounded_client(
        apigw: Any, proxy: ApigwProxy, cli: Cli, terraform_factory: Callable[[Path], Terraform],
        tmp_path: Path) -> None:
    api = build_api(apigw, spec_copy())
    proxy.configure(page_size_cap=2)
    clean = cli_hash(cli, proxy.url, api.id, "--max-retries", "0")[0]["hash"]
    tf = init_workdir(terraform_factory, tmp_path / "parallel", main_tf(DATA_SOURCES))
    proxy.clear_counts()
    # Half the requests are throttled; the others are slowed a little so that requests overlap
    # and the proxy sees how many the provider keeps in flight.
    proxy.add_fault("throttle", every=2, times=None)
    proxy.add_fault("slow", delay=0.05, times=None)

    # Throttled calls are retried after a short back-off (the SDK's waits up to 20 s would only
    # slow the test down: what it checks is that every read retries to the clean hash).
    tf.apply({"endpoint": proxy.url, "rest_api_id": api.id, "max_retries": 10},
             f"-parallelism={DATA_SOURCES}", timeout=2 * BOUNDED, env={"GWTRIGGER_MAX_BACKOFF_MS": "50"})

    assert tf.outputs()["hashes"] == [clean] * DATA_SOURCES
    stats = proxy.stats()
    # 20 reads of 3 resource pages + 5 other calls each, at least; every second one throttled.
    assert proxy.count(outcome="slow") >= DATA_SOURCES * 8, stats
    assert proxy.count(outcome="throttle") >= DATA_SOURCES * 7, stats
    assert 2 <= proxy.max_in_flight <= MAX_CONCURRENT_REQUESTS, \
        f"requests in flight at once: {proxy.max_in_flight} (one shared client allows {MAX_CONCURRENT_REQUESTS})"
    print(f"{DATA_SOURCES} data sources: {stats['total']} requests, {stats['by_outcome']}, "
          f"max in flight {proxy.max_in_flight}")

    # Without throttling and with every answer slow, the reads pile up: the shared client's limit
    # is reached and holds.
    proxy.reset()
    proxy.configure(page_size_cap=2)
    proxy.add_fault("slow", delay=0.3, times=None)
    tf.plan({"endpoint": proxy.url, "rest_api_id": api.id}, f"-parallelism={DATA_SOURCES}", timeout=BOUNDED)
    assert proxy.max_in_flight == MAX_CONCURRENT_REQUESTS, proxy.stats()
