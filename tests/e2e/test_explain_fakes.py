"""`gwtrigger explain` where LocalStack neither enforces nor logs: resource policies, Lambda and
Cognito authorizers, WAF and private endpoints, AWS_IAM routes, customised gateway responses, an
AWS-service backend passing its own error type, execution logs, saved answers and unsafe verbs.

The control plane is moto behind fake_apigw (deployments recorded, GetDeployment's apiSummary and
the stage export as AWS answers them). The data plane is fake_gateway.FakeStage answering each
route as AWS's gateway-response documentation says; execution logs come from
fake_gateway.FakeLogs (CloudWatch Logs FilterLogEvents) through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.
One module-wide world of three APIs: `shop` (regional, stage logging at INFO), `intranet`
(private, with a resource policy, logging off) and `custom` (a customised gateway response).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from explain_cli import assert_layer, explain, run_explain
from fake_apigw import FakeApigw
from fake_gateway import (
    Answer,
    FakeLogs,
    FakeStage,
    MISSING_TOKEN,
    authorizer_denied,
    backend,
    forbidden,
    missing_token,
    policy_denied,
)
from harness import REGION, Cli, MotoServer
from stage_apis import Api, new_api

ACCOUNT = "123456789012"
AUTHORIZER_FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orders-auth"
AUTHORIZER_URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{AUTHORIZER_FUNCTION}/invocations"
USER_POOL = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_Ab12Cd34"
TABLE_URI = f"arn:aws:apigateway:{REGION}:dynamodb:action/GetItem"
OFFICE_VPCE = "vpce-0a1b2c3d4e5f60718"
BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2VuLXZhbHVl.sig-0f9e8d"  # must never be printed

WEB_ACL = f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/shop-acl/3f8a2c1e-5b6d-4e7f-9a0b-1c2d3e4f5a6b"
ALLOW_FROM_OFFICE = "AllowFromOfficeEndpoint"
DENY_ADMIN = "DenyAdminOutsideOfficeNetwork"


def intranet_policy() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": ALLOW_FROM_OFFICE, "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*", "Condition": {"StringEquals": {"aws:SourceVpce": OFFICE_VPCE}}},
        {"Sid": DENY_ADMIN, "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*/GET/admin", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    ]}


def authorizer_log_lines(authorizer_id: str, resource_arn: str) -> list[str]:
    """What a stage logging at INFO writes for a TOKEN authorizer that returned a Deny policy."""
    result = {"principalId": "user-17", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": resource_arn}]}}
    return [
        "Extended Request Id: Fq3xYHd2oAMEb7Q=",
        "Starting authorizer: " + authorizer_id + " for request: {request_id}",
        "Incoming identity: **************************************8d",
        f"Endpoint request URI: https://lambda.{REGION}.amazonaws.com/2015-03-31/functions/{AUTHORIZER_FUNCTION}/invocations",
        "Authorizer result body before parsing: " + json.dumps(result, separators=(",", ":")),
        "Using valid authorizer policy for principal: user-17",
        "Successfully completed authorizer execution",
        "The client is not authorized to perform this operation.",
    ]


@dataclass
class World:
    fake: FakeApigw
    logs: FakeLogs
    shop: Api
    shop_stage: FakeStage
    authorizer_id: str
    intranet: Api
    intranet_stage: FakeStage
    custom_stage: FakeStage

    def run(self, cli: Cli, url: str, *flags: Any, **kw: Any) -> Any:
        return explain(cli, url, *flags, "--logs-wait", "1", endpoint=self.fake.url, logs_url=self.logs.url, **kw)


def arn(api: Api, verb: str, path: str) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api.id}/dev/{verb}{path}"


@pytest.fixture(scope="module")
def world(moto_server: MotoServer) -> Iterator[World]:
    moto_server.reset()
    fake = FakeApigw(moto_server.url, region=REGION).start()
    logs = FakeLogs().start()
    stages: list[FakeStage] = []
    try:
        shop = new_api(fake, "shop")
        authorizer_id = shop.client.create_authorizer(
            restApiId=shop.id, name="orders-auth", type="TOKEN", authorizerUri=AUTHORIZER_URI,
            identitySource="method.request.header.Authorization")["id"]
        pool_id = shop.client.create_authorizer(
            restApiId=shop.id, name="shop-users", type="COGNITO_USER_POOLS", providerARNs=[USER_POOL],
            identitySource="method.request.header.Authorization")["id"]
        shop.route("GET", "/orders")
        shop.route("GET", "/iam", auth="AWS_IAM")
        shop.route("GET", "/authorized", auth="CUSTOM", authorizer_id=authorizer_id)
        shop.route("GET", "/profile", auth="COGNITO_USER_POOLS", authorizer_id=pool_id)
        shop.route("GET", "/waf")
        shop.route("GET", "/table", kind="AWS", uri=TABLE_URI)
        shop.deploy("dev")
        shop.patch_stage("dev", ("/*/*/logging/loglevel", "INFO"))
        fake.stage_members[(shop.id, "dev")] = {"webAclArn": WEB_ACL}  # what AssociateWebACL writes
        shop_stage = FakeStage(shop.id, "dev", logs, logging=True).start()
        stages.append(shop_stage)
        shop_stage.on("GET", "/orders", backend(200, '[{"id": "1"}]'))
        shop_stage.on("GET", "/iam", missing_token())
        shop_stage.on("GET", "/authorized", authorizer_denied(
            True, authorizer_log_lines(authorizer_id, arn(shop, "GET", "/authorized"))))
        shop_stage.on("GET", "/profile", authorizer_denied(False))
        shop_stage.on("GET", "/waf", forbidden())
        # DynamoDB's own AccessDeniedException, passed through by an AWS integration's mapping
        shop_stage.on("GET", "/table", backend(403, json.dumps({
            "__type": "com.amazon.coral.service#AccessDeniedException",
            "Message": f"User: arn:aws:sts::{ACCOUNT}:assumed-role/shop-api/APIGateway is not authorized to "
                       f"perform: dynamodb:GetItem on resource: arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"}),
            headers={"x-amzn-ErrorType": "AccessDeniedException"}))

        intranet = new_api(fake, "intranet", endpointConfiguration={"types": ["PRIVATE"]},
                           policy=json.dumps(intranet_policy()))
        intranet.route("GET", "/admin")
        intranet.route("GET", "/orders")
        intranet.route("GET", "/status")
        intranet.deploy("dev")
        intranet_stage = FakeStage(intranet.id, "dev", logs, logging=False).start()
        stages.append(intranet_stage)
        intranet_stage.on("GET", "/admin", policy_denied(arn(intranet, "GET", "/admin"), explicit=True))
        intranet_stage.on("GET", "/orders", policy_denied(arn(intranet, "GET", "/orders"), explicit=False))
        intranet_stage.on("GET", "/status", forbidden())

        custom = new_api(fake, "custom")
        custom.route("GET", "/orders")
        custom.client.put_gateway_response(
            restApiId=custom.id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
            responseTemplates={"application/json": '{"error": "no such page"}'})
        custom.deploy("dev")
        custom_stage = FakeStage(custom.id, "dev", logs).start()
        stages.append(custom_stage)
        custom_stage.default = Answer(404, '{"error": "no such page"}', MISSING_TOKEN)

        yield World(fake, logs, shop, shop_stage, authorizer_id, intranet, intranet_stage, custom_stage)
    finally:
        for stage in stages:
            stage.stop()
        logs.stop()
        fake.stop()


def test_resource_policy_explicit_deny_names_the_statement(world: World, cli: Cli) -> None:
    got = world.run(cli, world.intranet_stage.invoke_url("/admin"), "--source-ip", "203.0.113.9",
                    "--vpce", OFFICE_VPCE)
    assert_layer(got, "resource_policy", DENY_ADMIN)
    assert got.doc["error_type"] == "AccessDeniedException" and got.doc["status"] == 403


def test_resource_policy_without_a_matching_allow(world: World, cli: Cli) -> None:
    got = world.run(cli, world.intranet_stage.invoke_url("/orders"), "--source-ip", "203.0.113.9",
                    "--vpce", "vpce-0ffffffffffffffff")
    assert_layer(got, "resource_policy", "allow", "vpce-0ffffffffffffffff")
    assert DENY_ADMIN not in got.evidence, "the Deny statement covers GET /admin only"


# (stage, path, sent with, layer, what the diagnosis must name)
ONE_REQUEST_CASES = {
    "private API through the wrong endpoint": ("intranet", "/status", [], "waf_or_private_endpoint", ["private"]),
    "Forbidden on a route without an API key, stage behind WAF": ("shop", "/waf", [], "waf_or_private_endpoint",
                                                                  ["waf", "shop-acl"]),
    "Cognito authorizer deny": ("shop", "/profile", ["-H", f"Authorization: {BEARER}"], "authorizer", ["cognito"]),
    # DynamoDB's own AccessDeniedException: the integration, not the gateway's resource policy
    "AWS-service backend passing its own error type": ("shop", "/table", [], "integration", ["dynamodb"]),
}


@pytest.mark.parametrize("case", list(ONE_REQUEST_CASES))
def test_one_request(world: World, cli: Cli, case: str) -> None:
    stage, path, flags, layer, named = ONE_REQUEST_CASES[case]
    got = world.run(cli, getattr(world, f"{stage}_stage").invoke_url(path), *flags,
                    secrets=[BEARER, BEARER.split()[1]])
    assert_layer(got, layer, *named)


def test_lambda_authorizer_deny_with_this_requests_execution_log(world: World, cli: Cli) -> None:
    # an earlier request writes its own lines: only the explained request's lines may be shown
    earlier = urllib.request.Request(world.shop_stage.invoke_url("/authorized"), headers={"Authorization": BEARER})
    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(earlier, timeout=10)
    earlier_id = failed.value.headers["x-amzn-RequestId"]

    got = world.run(cli, world.shop_stage.invoke_url("/authorized"), "-H", f"Authorization: {BEARER}",
                    secrets=[BEARER, BEARER.split()[1]])
    assert_layer(got, "authorizer", "orders-auth")
    request_id = got.doc["request_id"]
    lines = got.doc["execution_log"]["lines"]
    assert any("The client is not authorized to perform this operation." in line for line in lines), got.doc
    assert all(request_id in line for line in lines), lines
    assert not any(earlier_id in line for line in lines), lines
    assert "not authorized to perform this operation" in got.text, got.text
    group = f"API-Gateway-Execution-Logs_{world.shop.id}/dev"
    assert any(op == "FilterLogEvents" and body.get("logGroupName") == group for op, body in world.logs.calls), \
        world.logs.calls


def test_unsigned_call_to_an_aws_iam_route(world: World, cli: Cli) -> None:
    got = world.run(cli, world.shop_stage.invoke_url("/iam"))
    assert_layer(got, "iam_auth", "sig")  # SigV4 / signed
    assert got.doc["execution_log"]["lines"] == [], "a missing-token answer never reaches the execution log"
    assert got.doc["execution_log"]["note"], got.doc


def test_customised_gateway_response_is_read_by_its_error_type(world: World, cli: Cli) -> None:
    got = world.run(cli, world.custom_stage.invoke_url("/ordres"))
    assert_layer(got, "no_such_route", "gateway response")
    assert got.doc["status"] == 404 and got.doc["error_type"] == MISSING_TOKEN


def test_logging_off_is_said(world: World, cli: Cli) -> None:
    got = world.run(cli, world.intranet_stage.invoke_url("/admin"), "--source-ip", "203.0.113.9",
                    "--vpce", OFFICE_VPCE, text=False)
    log = got.doc["execution_log"]
    assert log["lines"] == [], log
    assert "off" in json.dumps(log).lower(), log


def test_request_that_succeeds_names_no_layer(world: World, cli: Cli) -> None:
    got = world.run(cli, world.shop_stage.invoke_url("/orders"), expect=0)
    assert got.doc["layer"] == "none" and got.doc["status"] == 200, got.doc


def test_unsafe_verb_is_sent_only_when_asked(world: World, cli: Cli) -> None:
    stage = world.shop_stage
    before = len(stage.requests)
    refused = run_explain(cli, [stage.invoke_url("/orders"), "-X", "POST", "--no-logs"], endpoint=world.fake.url,
                          logs_url=world.logs.url, expect=1)
    assert "--send-unsafe" in refused.output, refused.describe()
    assert len(stage.requests) == before, "a POST was sent without --send-unsafe"
    got = world.run(cli, stage.invoke_url("/orders"), "-X", "POST", "--send-unsafe", text=False)
    assert ("POST", f"{stage.prefix}/orders") in [(m, p) for m, p, _ in stage.requests]
    assert_layer(got, "wrong_method", "GET")


def saved(status_line: str, headers: dict[str, str], body: str) -> str:
    """A `curl -si` answer as saved to a file."""
    lines = [status_line] + [f"{k}: {v}" for k, v in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n" + body


def test_saved_answers_are_explained_without_sending(world: World, cli: Cli, tmp_path: Path) -> None:
    stage = world.shop_stage
    denied = tmp_path / "denied.txt"
    denied.write_text(saved("HTTP/2 403", {
        "content-type": "application/json", "x-amzn-requestid": "5f0d1c7e-8a43-4b59-9d2a-3e1c6f7b8a90",
        "x-amzn-errortype": "AccessDeniedException"},
        '{"message":"User is not authorized to access this resource with an explicit deny"}'))
    ok = tmp_path / "ok.txt"
    ok.write_text(saved("HTTP/1.1 200 OK", {"Content-Type": "application/json",
                                             "x-amzn-RequestId": "0b5c1d2e-3f40-4a51-8b62-7c83d94ea5fb"}, "[]"))
    before = len(stage.requests)
    got = world.run(cli, stage.invoke_url("/authorized"), "--response", denied)
    assert_layer(got, "authorizer", "orders-auth")
    assert got.doc["request_id"] == "5f0d1c7e-8a43-4b59-9d2a-3e1c6f7b8a90"
    fine = world.run(cli, stage.invoke_url("/orders"), "--response", ok, expect=0, text=False)
    assert fine.doc["layer"] == "none", fine.doc
    assert len(stage.requests) == before, "--response must not send the request"


def test_the_stand_ins_answer_as_aws_documents(world: World) -> None:
    """The fakes themselves: the stage's documented default answer, and FilterLogEvents as the AWS
    SDK (botocore's model of CloudWatch Logs) reads it."""
    import boto3

    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(world.shop_stage.invoke_url("/no/such/route"), timeout=10)
    answer = failed.value
    assert answer.code == 403 and answer.headers["x-amzn-ErrorType"] == MISSING_TOKEN
    assert json.loads(answer.read()) == {"message": "Missing Authentication Token"}
    assert answer.headers["x-amzn-RequestId"]

    logs = boto3.client("logs", endpoint_url=world.logs.url, region_name=REGION)
    request = urllib.request.Request(world.shop_stage.invoke_url("/authorized"))
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(request, timeout=10)
    request_id = denied.value.headers["x-amzn-RequestId"]
    group = f"API-Gateway-Execution-Logs_{world.shop.id}/dev"
    events = logs.filter_log_events(logGroupName=group, filterPattern=f'"{request_id}"')["events"]
    assert events and all(e["message"].startswith(f"({request_id}) ") for e in events), events
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.filter_log_events(logGroupName=f"API-Gateway-Execution-Logs_{world.intranet.id}/dev")


def test_https_stage_with_a_ca_bundle_of_its_own(world: World, cli: Cli, tmp_path: Path) -> None:
    """--cacert: a stage behind a certificate the system does not trust (a corporate proxy's CA)."""
    stage = FakeStage(world.shop.id, "dev")
    cert = stage.use_tls(tmp_path)
    stage.start()
    try:
        stage.on("GET", "/waf", forbidden())
        url = stage.invoke_url("/waf")
        assert url.startswith("https://")
        untrusted = run_explain(cli, [url, "--no-logs"], endpoint=world.fake.url, logs_url=world.logs.url, expect=1)
        assert "--cacert" in untrusted.output, untrusted.describe()
        got = world.run(cli, url, "--cacert", cert, text=False)
        assert_layer(got, "waf_or_private_endpoint", "waf")
    finally:
        stage.stop()
