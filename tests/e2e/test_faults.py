"""Faults between gwtrigger and API Gateway (issue 6), injected by our proxy in front of moto.

Every test reads the same sample API through the proxy with small pages (so every collection
takes several pages) and expects either the hash of a clean read or an error that names the call,
the page, the HTTP status and the request id, within a bounded time. A hash is never printed
after a failed read. The CLI (`gwtrigger hash`) drives most cases; the Terraform tests check that
the data source behaves the same (the same hash under faults, the same error as a diagnostic).

The in-process fake (tests/aws_fake.rs) covers the same paths against `fetch_snapshot` directly;
these tests check them through real HTTP, the SDK's retry machinery, the binaries and Terraform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from apigw_proxy import ApigwProxy
from apis import BuiltApi, build_api, spec_copy
from harness import Cli, Terraform
from hardening import BOUNDED, assert_diagnostic, cli_error, cli_hash, forget_state, init_workdir, main_tf

PAGE = 2  # items per page: the sample API's 6 resources take 3 GetResources pages


@pytest.fixture
def sample(apigw: Any, proxy: ApigwProxy, cli: Cli) -> tuple[BuiltApi, str]:
    """The sample API behind a small-page proxy, and the hash of a clean read."""
    api = build_api(apigw, spec_copy())
    proxy.configure(page_size_cap=PAGE)
    clean, _ = cli_hash(cli, proxy.url, api.id, "--max-retries", "0")
    assert proxy.count("GetResources") == 3, proxy.stats()
    proxy.clear_counts()
    return api, clean["hash"]


# ----- recovered faults: the same hash as a clean read ------------------------------------------

@pytest.mark.parametrize("retry_after", [None, 1])
def test_throttling_half_the_requests_gives_the_clean_hash(
        sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli, retry_after: Any) -> None:
    api, clean = sample
    proxy.add_fault("throttle", every=2, times=None, retry_after=retry_after)
    doc, took = cli_hash(cli, proxy.url, api.id, "--max-retries", "6")
    assert doc["hash"] == clean
    throttled, served = proxy.count(outcome="throttle"), proxy.count(outcome="ok")
    assert served >= 8 and throttled >= served - 1, proxy.stats()
    assert took < BOUNDED


def test_a_5xx_burst_is_retried(sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, clean = sample
    proxy.add_fault("error", status=500, times=3)
    proxy.add_fault("error", status=503, op="GetResources", page=2, times=2)
    doc, _ = cli_hash(cli, proxy.url, api.id, "--max-retries", "3")
    assert doc["hash"] == clean
    assert proxy.count(outcome="error") == 5, proxy.stats()


def test_connection_resets_are_retried(sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, clean = sample
    proxy.add_fault("reset", every=3, times=4)
    doc, _ = cli_hash(cli, proxy.url, api.id, "--max-retries", "3")
    assert doc["hash"] == clean
    assert proxy.count(outcome="reset") == 4, proxy.stats()


def test_a_slow_answer_past_the_attempt_timeout_is_retried(
        sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, clean = sample
    proxy.add_fault("slow", op="GetResources", page=2, delay=4, times=1)
    doc, took = cli_hash(cli, proxy.url, api.id, "--max-retries", "2",
                         env={"GWTRIGGER_ATTEMPT_TIMEOUT_MS": "700"})
    assert doc["hash"] == clean
    assert proxy.count("GetResources", outcome="slow") == 1
    assert took < 4, f"the slow attempt was not cut at 0.7 s ({took:.1f}s)"


def test_a_transient_failure_of_a_later_page_is_retried(
        sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, clean = sample
    proxy.add_fault("error", op="GetResources", page=3, status=500, times=1)
    doc, _ = cli_hash(cli, proxy.url, api.id, "--max-retries", "1")
    assert doc["hash"] == clean
    assert [r.page for r in proxy.requests if r.op == "GetResources"] == [1, 2, 3, 3]


# ----- persistent faults: an error naming call, page, status and request id -------------------

def test_a_later_page_that_keeps_failing_fails_the_read(
        sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, _ = sample
    proxy.add_fault("error", op="GetResources", page=3, status=500, times=None)
    summary, detail, took = cli_error(cli, proxy.url, api.id, "--max-retries", "1")
    assert summary == "GetResources failed: API Gateway returned HTTP 500"
    for fragment in ("GetResources (page 3)", f"REST API {api.id}", "HTTP 500 InternalFailure",
                     "Injected server error", "(request id ", "on each of 2 attempts over", "kept failing"):
        assert fragment in detail, detail
    assert "--max-retries" not in detail, "no advice to retry more after every retry failed"
    assert [r.page for r in proxy.requests if r.op == "GetResources"] == [1, 2, 3, 3]
    assert took < BOUNDED


def test_persistent_throttling_is_an_error_after_max_retries(
        sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, _ = sample
    proxy.add_fault("throttle", op="GetResources", times=None)
    summary, detail, took = cli_error(cli, proxy.url, api.id, "--max-retries", "2")
    assert summary == "GetResources was throttled"
    for fragment in ("GetResources (page 1)", "HTTP 429 TooManyRequestsException", "(request id ",
                     "on each of 3 attempts over", "Raise --max-retries", 'set --retry-mode to "adaptive"'):
        assert fragment in detail, detail
    assert proxy.count("GetResources", outcome="throttle") == 3, "1 attempt + max_retries 2"
    assert took < 60


def test_persistent_5xx_is_an_error(sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, _ = sample
    proxy.add_fault("error", op="GetRestApi", status=503, times=None)
    summary, detail, _ = cli_error(cli, proxy.url, api.id, "--max-retries", "1")
    assert summary == "GetRestApi failed: API Gateway returned HTTP 503"
    assert "ServiceUnavailableException" in detail and "(request id " in detail, detail
    assert proxy.count("GetRestApi", outcome="error") == 2


def test_persistent_resets_are_a_network_error(sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, _ = sample
    proxy.add_fault("reset", op="GetResources", page=2, times=None)
    summary, detail, _ = cli_error(cli, proxy.url, api.id, "--max-retries", "1")
    assert summary == f"GetResources (page 2) could not reach API Gateway at {proxy.url}", summary
    assert "Check the network" in detail, detail


def test_slow_answers_time_out_within_the_budget(sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, _ = sample
    proxy.add_fault("slow", op="GetResources", page=1, delay=6, times=None)
    summary, detail, took = cli_error(cli, proxy.url, api.id, "--max-retries", "1",
                                      env={"GWTRIGGER_ATTEMPT_TIMEOUT_MS": "600"})
    assert summary == "GetResources (page 1) timed out", summary
    assert proxy.url in detail, detail
    assert took < 6, f"two 0.6 s attempts took {took:.1f}s"


def test_the_operation_timeout_bounds_all_retries(sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, _ = sample
    proxy.add_fault("slow", op="GetRestApi", delay=3, times=None)
    summary, _, took = cli_error(cli, proxy.url, api.id, "--max-retries", "50",
                                 env={"GWTRIGGER_ATTEMPT_TIMEOUT_MS": "500",
                                      "GWTRIGGER_OPERATION_TIMEOUT_MS": "2000"})
    assert summary == "GetRestApi timed out", summary
    assert took < 8, f"the 2 s operation budget was not enforced ({took:.1f}s)"


@pytest.mark.parametrize("kind", ["truncate", "garble"])
def test_broken_json_is_an_error_never_a_hash(
        sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli, kind: str) -> None:
    api, _ = sample
    proxy.add_fault(kind, op="GetResources", page=2, times=None)
    summary, detail, _ = cli_error(cli, proxy.url, api.id, "--max-retries", "1")
    assert summary == "GetResources (page 2) returned an unusable response", summary
    for fragment in ("HTTP 200", "(request id ", "Nothing was hashed", f"REST API {api.id}"):
        assert fragment in detail, detail


def test_a_repeating_position_token_is_an_error_not_a_loop(
        sample: tuple[BuiltApi, str], proxy: ApigwProxy, cli: Cli) -> None:
    api, _ = sample
    proxy.add_fault("repeat_position", op="GetResources", page=2, times=None)
    summary, detail, took = cli_error(cli, proxy.url, api.id, "--max-retries", "0")
    assert summary == "GetResources (page 2) returned an unusable response", summary
    assert "pagination loop" in detail, detail
    assert proxy.count("GetResources") == 2, "stopped at the first repeated token"
    assert took < 30


# ----- retry modes and the GetResources quota ----------------------------------------------------

@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_retry_modes_finish_under_the_get_resources_quota(
        apigw: Any, proxy: ApigwProxy, cli: Cli, mode: str) -> None:
    """API Gateway allows GetResources 5 requests per 2 s; the proxy enforces that and throttles
    the rest. 25 resources on pages of 2 need 13 GetResources pages (about 5 s of quota)."""
    api = build_api(apigw, spec_copy())
    root = apigw.get_resources(restApiId=api.id)["items"][0]["id"]
    for i in range(19):
        apigw.create_resource(restApiId=api.id, parentId=root, pathPart=f"extra{i:02d}")
    proxy.configure(page_size_cap=PAGE)
    clean = cli_hash(cli, proxy.url, api.id, "--max-retries", "0")[0]["hash"]
    proxy.clear_counts()
    proxy.add_fault("quota", op="GetResources", rate=5, per=2.0, times=None)
    doc, took = cli_hash(cli, proxy.url, api.id, "--retry-mode", mode, "--max-retries", "20")
    assert doc["hash"] == clean
    pages = proxy.count("GetResources", outcome="ok")
    assert pages == 13, proxy.stats()
    throttled = proxy.count("GetResources", outcome="quota")
    print(f"{mode}: {pages} pages, {throttled} throttled by the quota, {took:.1f}s")
    assert took < BOUNDED


# ----- the data source in Terraform ---------------------------------------------------------------

@pytest.fixture(scope="module")
def tf(terraform_factory: Callable[[Path], Terraform], tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    return init_workdir(terraform_factory, tmp_path_factory.mktemp("faults"), main_tf(1))


def test_terraform_gets_the_clean_hash_through_mixed_faults(
        sample: tuple[BuiltApi, str], proxy: ApigwProxy, tf: Terraform) -> None:
    api, clean = sample
    proxy.add_fault("throttle", every=3, times=None)
    proxy.add_fault("error", status=502, op="GetResources", page=2, times=2)
    proxy.add_fault("reset", op="GetAuthorizers", times=1)
    forget_state(tf).apply({"endpoint": proxy.url, "rest_api_id": api.id, "max_retries": 8}, timeout=BOUNDED)
    assert tf.outputs()["hashes"] == [clean]
    assert proxy.count(outcome="throttle") > 0 and proxy.count(outcome="reset") == 1, proxy.stats()


def test_terraform_reports_a_failing_page_and_keeps_no_state(
        sample: tuple[BuiltApi, str], proxy: ApigwProxy, tf: Terraform) -> None:
    api, _ = sample
    proxy.add_fault("error", op="GetResources", page=3, status=500, times=None)
    forget_state(tf)
    result = tf.apply({"endpoint": proxy.url, "rest_api_id": api.id, "max_retries": 1}, expect=1,
                      timeout=BOUNDED)
    assert_diagnostic(result, "GetResources failed: API Gateway returned HTTP 500",
                      "GetResources (page 3)", f"REST API {api.id} in us-east-1", "HTTP 500 InternalFailure",
                      "(request id ", source_line=r'data "gwtrigger" "api0"')
    state = tf.workdir / "terraform.tfstate"
    assert not state.exists() or '"hash"' not in state.read_text(), "a hash was stored after a failed read"


def test_terraform_reports_a_pagination_loop(sample: tuple[BuiltApi, str], proxy: ApigwProxy, tf: Terraform) -> None:
    api, _ = sample
    proxy.add_fault("repeat_position", op="GetResources", page=3, times=None)
    result = forget_state(tf).plan({"endpoint": proxy.url, "rest_api_id": api.id}, expect=1, timeout=BOUNDED)
    assert_diagnostic(result, "GetResources (page 3) returned an unusable response", "pagination loop",
                      "Nothing was hashed")
