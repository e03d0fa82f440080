"""The harness' own proxy (apigw_proxy.py) against moto, driven with boto3 and raw HTTP.

These tests check the test tool, not gwtrigger: pagination must be exact (every item once, in
order, on every page size) and each fault must look like the real thing, or the provider tests
built on top of it prove nothing.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from typing import Any

import botocore.exceptions
import pytest
from botocore.config import Config

from apigw_proxy import ApigwProxy, classify, decode_position, encode_position
from apis import build_api, spec_copy
from harness import REGION, apigw_client


def proxied_client(proxy: ApigwProxy, **config: Any) -> Any:
    import boto3

    return boto3.client(
        "apigateway",
        endpoint_url=proxy.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, **config),
    )


# moto picks the service from the SigV4 credential scope; unsigned requests would reach its S3.
APIGW_AUTH = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/apigateway/aws4_request, "
    "SignedHeaders=host, Signature=0"
}


def raw_get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=APIGW_AUTH), timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def add_flat_resources(client: Any, api_id: str, count: int) -> None:
    root = client.get_resources(restApiId=api_id)["items"][0]["id"]
    for i in range(count):
        client.create_resource(restApiId=api_id, parentId=root, pathPart=f"r{i:03d}")


def all_paths_direct(client: Any, api_id: str) -> list[str]:
    return [item["path"] for item in client.get_resources(restApiId=api_id)["items"]]


def test_position_token_round_trip() -> None:
    for offset in (0, 1, 25, 499, 12345):
        assert decode_position(encode_position(offset)) == offset
    assert decode_position("not-a-token") is None
    assert decode_position(encode_position(3)[:-1] + "!") is None


def test_classify_operations() -> None:
    assert classify("GET", "/restapis/abc/resources") == ("GetResources", True)
    assert classify("GET", "/restapis/abc") == ("GetRestApi", False)
    assert classify("GET", "/restapis/abc/authorizers") == ("GetAuthorizers", True)
    assert classify("GET", "/restapis/abc/gatewayresponses") == ("GetGatewayResponses", True)
    assert classify("PUT", "/restapis/abc/resources/r1/methods/GET/integration") == ("PutIntegration", False)
    assert classify("POST", "/restapis/abc/resources/r1") == ("CreateResource", False)
    assert classify("GET", "/restapis/abc/stages/prod") == ("GetStage", False)


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 500])
def test_paginates_resources_exactly(apigw: Any, proxy: ApigwProxy, limit: int) -> None:
    api = build_api(apigw, spec_copy())
    expected = all_paths_direct(apigw, api.id)
    assert len(expected) >= 6

    client = proxied_client(proxy)
    pages = list(client.get_paginator("get_resources").paginate(
        restApiId=api.id, embed=["methods"], PaginationConfig={"PageSize": limit}))
    got = [item["path"] for page in pages for item in page["items"]]

    assert got == expected, "every resource exactly once, in upstream order"
    assert len(pages) == math.ceil(len(expected) / limit)
    assert all(len(page["items"]) <= limit for page in pages)
    assert proxy.count("GetResources") == len(pages)
    # embed=methods is still passed upstream: methods arrive with their integrations
    with_methods = [i for page in pages for i in page["items"] if i.get("resourceMethods")]
    assert with_methods and all("methodIntegration" in m for i in with_methods for m in i["resourceMethods"].values())


def test_default_limit_is_25_like_aws(apigw: Any, proxy: ApigwProxy) -> None:
    api_id = apigw.create_rest_api(name="many")["id"]
    add_flat_resources(apigw, api_id, 30)  # 31 with "/"
    status, _, body = raw_get(f"{proxy.url}/restapis/{api_id}/resources")
    doc = json.loads(body)
    assert status == 200 and len(doc["item"]) == 25 and "position" in doc
    status, _, body = raw_get(f"{proxy.url}/restapis/{api_id}/resources?position={doc['position']}")
    doc2 = json.loads(body)
    assert len(doc2["item"]) == 6 and "position" not in doc2


def test_page_size_cap_overrides_a_large_limit(apigw: Any, proxy: ApigwProxy) -> None:
    api = build_api(apigw, spec_copy())
    expected = all_paths_direct(apigw, api.id)
    proxy.configure(page_size_cap=2)
    client = proxied_client(proxy)
    pages = list(client.get_paginator("get_resources").paginate(
        restApiId=api.id, PaginationConfig={"PageSize": 500}))
    assert [i["path"] for p in pages for i in p["items"]] == expected
    assert len(pages) == math.ceil(len(expected) / 2)


def test_other_collections_paginate(apigw: Any, proxy: ApigwProxy) -> None:
    api_id = apigw.create_rest_api(name="models")["id"]
    for i in range(5):
        apigw.create_model(restApiId=api_id, name=f"M{i}", contentType="application/json", schema="{}")
    expected = sorted(m["name"] for m in apigw.get_models(restApiId=api_id)["items"])
    proxy.configure(page_size_cap=2)
    pages = list(proxied_client(proxy).get_paginator("get_models").paginate(restApiId=api_id))
    assert sorted(m["name"] for p in pages for m in p["items"]) == expected
    assert proxy.count("GetModels") == math.ceil(len(expected) / 2)


def test_rejects_a_position_it_did_not_issue(apigw: Any, proxy: ApigwProxy) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    with pytest.raises(botocore.exceptions.ClientError) as err:
        proxied_client(proxy).get_resources(restApiId=api_id, position="bogus")
    assert err.value.response["Error"]["Code"] == "BadRequestException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_rejects_limit_out_of_range(apigw: Any, proxy: ApigwProxy) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    status, _, _ = raw_get(f"{proxy.url}/restapis/{api_id}/resources?limit=501")
    assert status == 400


@pytest.mark.parametrize("retry_after", [None, 2])
def test_throttle_looks_like_api_gateway(apigw: Any, proxy: ApigwProxy, retry_after: Any) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    proxy.add_fault("throttle", op="GetRestApi", retry_after=retry_after)
    status, headers, body = raw_get(f"{proxy.url}/restapis/{api_id}")
    assert status == 429
    assert headers.get("x-amzn-ErrorType") == "TooManyRequestsException"
    assert json.loads(body)["message"]
    assert headers.get("x-amzn-RequestId")
    assert headers.get("Retry-After") == (None if retry_after is None else str(retry_after))
    # boto3 maps it to the modelled exception; the fault fired once, then traffic flows again
    proxy.add_fault("throttle", op="GetRestApi")
    client = proxied_client(proxy)
    with pytest.raises(client.exceptions.TooManyRequestsException):
        client.get_rest_api(restApiId=api_id)
    assert client.get_rest_api(restApiId=api_id)["id"] == api_id
    assert proxy.count("GetRestApi", outcome="throttle") == 2
    assert proxy.count("GetRestApi", outcome="ok") == 1


def test_every_second_request_throttled(apigw: Any, proxy: ApigwProxy) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    proxy.add_fault("throttle", every=2, times=None)
    statuses = [raw_get(f"{proxy.url}/restapis/{api_id}")[0] for _ in range(10)]
    assert statuses == [429, 200] * 5


def test_5xx_burst_then_recovery(apigw: Any, proxy: ApigwProxy) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    proxy.add_fault("error", status=500, times=3)
    proxy.add_fault("error", status=503, skip=5, times=1)
    statuses = [raw_get(f"{proxy.url}/restapis/{api_id}")[0] for _ in range(5)]
    assert statuses == [500, 500, 500, 200, 200]
    # the second rule saw the 2 requests the first did not answer; it fires on its 6th
    statuses = [raw_get(f"{proxy.url}/restapis/{api_id}")[0] for _ in range(5)]
    assert statuses == [200, 200, 200, 503, 200]


def test_connection_reset(apigw: Any, proxy: ApigwProxy) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    proxy.add_fault("reset", op="GetRestApi")
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(urllib.request.Request(f"{proxy.url}/restapis/{api_id}", headers=APIGW_AUTH), timeout=10).read()
    with pytest.raises((botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
        proxy.add_fault("reset", op="GetRestApi")
        proxied_client(proxy).get_rest_api(restApiId=api_id)
    assert proxy.count("GetRestApi", outcome="reset") == 2


def test_slow_response_trips_a_client_timeout(apigw: Any, proxy: ApigwProxy) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]
    proxy.add_fault("slow", op="GetRestApi", delay=1.5)
    client = proxied_client(proxy, read_timeout=0.3, connect_timeout=2)
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        client.get_rest_api(restApiId=api_id)


@pytest.mark.parametrize("kind", ["truncate", "garble"])
def test_broken_json_bodies(apigw: Any, proxy: ApigwProxy, kind: str) -> None:
    api = build_api(apigw, spec_copy())
    proxy.add_fault(kind, op="GetResources")
    status, headers, body = raw_get(f"{proxy.url}/restapis/{api.id}/resources?embed=methods")
    assert status == 200
    assert int(headers["Content-Length"]) == len(body)
    with pytest.raises(ValueError):
        json.loads(body)


def test_repeating_position_token(apigw: Any, proxy: ApigwProxy) -> None:
    api = build_api(apigw, spec_copy())
    proxy.configure(page_size_cap=2)
    status, _, body = raw_get(f"{proxy.url}/restapis/{api.id}/resources")
    first = json.loads(body)
    proxy.add_fault("repeat_position", op="GetResources", times=None)
    status, _, body = raw_get(f"{proxy.url}/restapis/{api.id}/resources?position={first['position']}")
    second = json.loads(body)
    status, _, body = raw_get(f"{proxy.url}/restapis/{api.id}/resources?position={second['position']}")
    third = json.loads(body)
    assert second["position"] == first["position"], "the token points back at the page it came from"
    assert third == second


def test_page_n_fails_after_earlier_pages(apigw: Any, proxy: ApigwProxy) -> None:
    api = build_api(apigw, spec_copy())
    proxy.configure(page_size_cap=2)
    proxy.add_fault("error", op="GetResources", page=3, status=500)
    client = proxied_client(proxy)
    seen = []
    with pytest.raises(botocore.exceptions.ClientError) as err:
        for page in client.get_paginator("get_resources").paginate(restApiId=api.id):
            seen.append(page)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert len(seen) == 2
    assert [r.page for r in proxy.requests if r.op == "GetResources"] == [1, 2, 3]


def test_admin_endpoint(apigw: Any, proxy: ApigwProxy) -> None:
    api_id = apigw.create_rest_api(name="x")["id"]

    def post(path: str, payload: Any) -> Any:
        req = urllib.request.Request(f"{proxy.url}{path}", data=json.dumps(payload).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    assert post("/__proxy/faults", [{"kind": "throttle", "op": "GetRestApi"}])["rules"] == 1
    assert raw_get(f"{proxy.url}/restapis/{api_id}")[0] == 429
    assert raw_get(f"{proxy.url}/restapis/{api_id}")[0] == 200
    stats = json.loads(raw_get(f"{proxy.url}/__proxy/stats")[2])
    assert stats["by_operation"] == {"GetRestApi": 2}
    assert stats["by_outcome"] == {"throttle": 1, "ok": 1}
    post("/__proxy/config", {"page_size_cap": 1})
    assert proxy.config.page_size_cap == 1
    assert raw_get(f"{proxy.url}/__proxy/nope")[0] == 404
    with pytest.raises(urllib.error.HTTPError):
        post("/__proxy/faults", [{"kind": "meteor"}])
    post("/__proxy/reset", {})
    assert json.loads(raw_get(f"{proxy.url}/__proxy/stats")[2])["total"] == 0
    assert proxy.config.page_size_cap is None


def test_writes_pass_through(apigw: Any, proxy: ApigwProxy) -> None:
    client = proxied_client(proxy)
    api = build_api(client, spec_copy())
    direct = apigw_client(proxy.url.replace(str(proxy.port), str(proxy.upstream_port)))
    assert all_paths_direct(direct, api.id) == all_paths_direct(apigw, api.id)
    assert proxy.count("PutMethod") == len(spec_copy()["routes"])
    assert proxy.count("PutIntegration") == len(spec_copy()["routes"])
