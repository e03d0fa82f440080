"""`gwtrigger explain` on LocalStack's data plane, with real requests: a stale deployment, a typo
route, the wrong verb, a missing stage prefix (host-style URL), an API key missing / unknown / in
no usage plan of the stage, and a backend that answers 403 (an HTTP proxy integration to a
loopback server). Each names its layer with evidence and a fix; no key value is ever printed.

One API on the session's LocalStack, built with boto3 (only its shape matters here) through
fake_apigw, which records each deployment's routes and answers GetDeployment's apiSummary as AWS
does (LocalStack keeps none): that is how explain tells a route that is not deployed from one that
does not exist. LocalStack writes no execution logs; the empty FakeLogs keeps every call local.
"""

from __future__ import annotations

import secrets as _secrets
from dataclasses import dataclass
from typing import Any, Iterator

import pytest

from explain_cli import Explained, assert_layer, explain
from fake_apigw import FakeApigw
from fake_gateway import FakeLogs
from harness import REGION, Cli
from http_stub import LoopbackServer, StubHandler
from localstack_server import LocalStack
from stage_apis import Api, new_api

BACKEND_BODY = '{"error": "orders service: caller not allowed"}'


class ForbiddingBackend(LoopbackServer):
    """The integration's backend: answers every request 403 with BACKEND_BODY."""

    def __init__(self) -> None:
        self.handler = _BackendHandler
        super().__init__()


class _BackendHandler(StubHandler):
    def respond(self, body: bytes) -> None:
        data = BACKEND_BODY.encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@dataclass
class Shop:
    localstack: LocalStack
    fake: FakeApigw
    logs: FakeLogs
    api: Api
    backend_url: str
    key_in_plan: str
    key_without_plan: str

    def url(self, path: str) -> str:
        return self.localstack.stage_url(self.api.id, "dev", path)

    def explain(self, cli: Cli, url: str, *flags: Any, **kw: Any) -> Explained:
        return explain(cli, url, *flags, "--logs-wait", "0", endpoint=self.fake.url, logs_url=self.logs.url, **kw)


@pytest.fixture(scope="module")
def shop(localstack: LocalStack) -> Iterator[Shop]:
    backend = ForbiddingBackend().start()
    backend_url = f"{backend.url}/orders-service"
    fake = FakeApigw(localstack.url, region=REGION).start()
    logs = FakeLogs().start()
    try:
        api = new_api(fake, "explain-shop")
        api.mock_route("GET", "/orders", '[{"id": "1"}]')
        api.mock_route("GET", "/private", '{"secret": "plans"}', api_key=True)
        api.route("GET", "/backend", uri=backend_url)
        api.deploy("dev")
        api.mock_route("GET", "/reports", '{"reports": []}')  # added after the deployment: not served

        c = api.client
        key_in_plan, key_without_plan = (f"k{_secrets.token_hex(16)}" for _ in range(2))
        plan = c.create_usage_plan(name="explain-gold", apiStages=[{"apiId": api.id, "stage": "dev"}])["id"]
        in_plan = c.create_api_key(name="explain-partner", value=key_in_plan, enabled=True)["id"]
        c.create_usage_plan_key(usagePlanId=plan, keyId=in_plan, keyType="API_KEY")
        c.create_api_key(name="explain-orphan", value=key_without_plan, enabled=True)

        yield Shop(localstack, fake, logs, api, backend_url, key_in_plan, key_without_plan)
    finally:
        logs.stop()
        fake.stop()
        backend.stop()


def test_stale_deployment(shop: Shop, cli: Cli) -> None:
    got = shop.explain(cli, shop.url("/reports"))
    assert_layer(got, "stale_deployment", "/reports", "gwtrigger")
    assert got.doc["status"] == 403 and got.doc["error_type"] == "MissingAuthenticationTokenException"


def test_typo_route(shop: Shop, cli: Cli) -> None:
    got = shop.explain(cli, shop.url("/order"))
    assert_layer(got, "no_such_route", "/order")


def test_wrong_verb(shop: Shop, cli: Cli) -> None:
    got = shop.explain(cli, shop.url("/orders"), "-X", "OPTIONS")
    assert_layer(got, "wrong_method", "GET")


def test_missing_stage_prefix_on_the_stage_host(shop: Shop, cli: Cli) -> None:
    host = f"{shop.api.id}.execute-api.localhost.localstack.cloud"
    got = shop.explain(cli, f"{shop.localstack.url}/orders", "-H", f"Host: {host}")
    assert_layer(got, "stage_prefix", "/dev/orders")
    assert got.doc["rest_api_id"] == shop.api.id, got.doc


def test_api_key_missing_unknown_or_in_no_usage_plan(shop: Shop, cli: Cli) -> None:
    unknown = f"k{_secrets.token_hex(16)}"
    never_print = [shop.key_in_plan, shop.key_without_plan, unknown]
    verdicts = {}
    for case, key in (("none sent", None), ("unknown", unknown), ("in no usage plan", shop.key_without_plan)):
        headers = ["-H", f"x-api-key: {key}"] if key else []
        got = shop.explain(cli, shop.url("/private"), *headers, secrets=never_print)
        assert_layer(got, "api_key", "usage plan")
        assert got.doc["error_type"] == "ForbiddenException", got.doc
        verdicts[case] = got.doc["verdict"]
    assert len(set(verdicts.values())) == 3, f"the three key failures need three verdicts: {verdicts}"


def test_api_key_in_the_stages_usage_plan_passes(shop: Shop, cli: Cli) -> None:
    got = shop.explain(cli, shop.url("/private"), "-H", f"x-api-key: {shop.key_in_plan}", expect=0,
                       secrets=[shop.key_in_plan])
    assert got.doc["layer"] == "none" and got.doc["status"] == 200, got.doc


def test_backend_answering_403(shop: Shop, cli: Cli) -> None:
    got = shop.explain(cli, shop.url("/backend"))
    assert_layer(got, "integration", shop.backend_url)
    assert got.doc["error_type"] in (None, ""), got.doc


def test_the_stage_answers_each_case_as_aws_does(shop: Shop) -> None:
    """The scenario itself, without explain: what a client of this stage sees."""
    import urllib.error
    import urllib.request

    def call(path: str, method: str = "GET", headers: dict[str, str] | None = None,
             base: str | None = None) -> tuple[int, str, str]:
        req = urllib.request.Request((base + path) if base else shop.url(path), method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.headers.get("x-amzn-ErrorType") or "", resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.headers.get("x-amzn-ErrorType") or "", err.read().decode()

    missing = (403, "MissingAuthenticationTokenException", '{"message": "Missing Authentication Token"}')
    assert call("/orders")[0] == 200
    assert call("/reports") == missing
    assert call("/order") == missing
    assert call("/orders", "OPTIONS") == missing
    assert call("/private")[:2] == (403, "ForbiddenException")
    assert call("/private", headers={"x-api-key": shop.key_without_plan})[:2] == (403, "ForbiddenException")
    assert call("/private", headers={"x-api-key": shop.key_in_plan})[0] == 200
    assert call("/backend") == (403, "", BACKEND_BODY)
    # host-style without the stage: LocalStack answers 404 where AWS answers 403 missing token
    host = {"Host": f"{shop.api.id}.execute-api.localhost.localstack.cloud"}
    assert call("/dev/orders", headers=host, base=shop.localstack.url)[0] == 200
    assert call("/orders", headers=host, base=shop.localstack.url)[0] in (403, 404)
