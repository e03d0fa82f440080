"""Builders shared by the stage tests (drift, doctor): a small REST API on moto, made through
fake_apigw so that every deployment's snapshot is recorded, plus the mutations that make a stage
stale. Everything goes through boto3 with the documented API Gateway calls."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

import pytest

from fake_apigw import FakeApigw
from harness import REGION, apigw_client

BACKEND = "https://backend.example.com"
LAMBDA_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:items"
LAMBDA_URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{LAMBDA_ARN}/invocations"


@pytest.fixture
def fake(moto: Any) -> Iterator[FakeApigw]:
    """fake_apigw in front of this test's (reset) moto."""
    f = FakeApigw(moto.url, region=REGION).start()
    yield f
    f.stop()


@dataclass
class Api:
    client: Any
    id: str
    root: str
    resources: dict[str, str]  # path -> resource id

    def resource(self, path: str) -> str:
        if path in self.resources:
            return self.resources[path]
        parent, _, part = path.rpartition("/")
        parent_id = self.resource(parent or "/")
        rid = self.client.create_resource(restApiId=self.id, parentId=parent_id, pathPart=part)["id"]
        self.resources[path] = rid
        return rid

    def route(self, verb: str, path: str, *, uri: str = "", auth: str = "NONE", api_key: bool = False,
              kind: str = "HTTP_PROXY", integration: bool = True, authorizer_id: str = "") -> None:
        rid = self.resource(path)
        self.client.put_method(restApiId=self.id, resourceId=rid, httpMethod=verb, authorizationType=auth,
                               apiKeyRequired=api_key, **({"authorizerId": authorizer_id} if authorizer_id else {}))
        if integration:
            self.client.put_integration(restApiId=self.id, resourceId=rid, httpMethod=verb, type=kind,
                                        integrationHttpMethod="POST" if kind.startswith("AWS") else verb,
                                        uri=uri or f"{BACKEND}{path}")

    def mock_route(self, verb: str, path: str, body: str, *, api_key: bool = False) -> None:
        """A MOCK integration answering 200 with `body` (what a stage serves without a backend)."""
        rid = self.resource(path)
        self.client.put_method(restApiId=self.id, resourceId=rid, httpMethod=verb, authorizationType="NONE",
                               apiKeyRequired=api_key)
        self.client.put_integration(restApiId=self.id, resourceId=rid, httpMethod=verb, type="MOCK",
                                    requestTemplates={"application/json": '{"statusCode": 200}'})
        self.client.put_method_response(restApiId=self.id, resourceId=rid, httpMethod=verb, statusCode="200")
        self.client.put_integration_response(restApiId=self.id, resourceId=rid, httpMethod=verb, statusCode="200",
                                             responseTemplates={"application/json": body})

    def delete_route(self, verb: str, path: str) -> None:
        self.client.delete_method(restApiId=self.id, resourceId=self.resources[path], httpMethod=verb)

    def deploy(self, stage: str = "dev") -> str:
        return self.client.create_deployment(restApiId=self.id, stageName=stage)["id"]

    def patch_stage(self, stage: str, *ops: tuple[str, str]) -> None:
        self.client.update_stage(restApiId=self.id, stageName=stage,
                                 patchOperations=[{"op": "replace", "path": p, "value": v} for p, v in ops])

    def set_policy(self, policy: dict[str, Any]) -> None:
        self.client.update_rest_api(restApiId=self.id, patchOperations=[
            {"op": "replace", "path": "/policy", "value": json.dumps(policy)}])


def new_api(fake: FakeApigw, name: str, **create: Any) -> Api:
    """An empty REST API made through `fake` (`create`: more CreateRestApi arguments)."""
    client = apigw_client(fake.url)
    api_id = client.create_rest_api(name=name, **create)["id"]
    root = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    return Api(client, api_id, root, {"/": root})


def make_api(fake: FakeApigw, name: str = "items") -> Api:
    """`GET /items` (HTTP proxy) and `GET /items/{id}` (Lambda proxy), deployed to stage dev."""
    api = new_api(fake, name)
    api.route("GET", "/items")
    api.route("GET", "/items/{id}", kind="AWS_PROXY", uri=LAMBDA_URI)
    api.deploy("dev")
    return api


def invoke_policy(effect: str, resource: str, sid: str = "Rule") -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": sid, "Effect": effect, "Principal": "*", "Action": "execute-api:Invoke", "Resource": resource}]}
