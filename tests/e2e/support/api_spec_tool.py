#!/usr/bin/env python3
"""Makes a live REST API equal to a small route spec, and deploys it: the API set-up of tests
whose subject is not the user's Terraform (test_localstack_stage.py: a stale stage for drift and
doctor) and of `make demo`'s stand-in path. A user's configuration is applied with hashicorp/aws
instead (test_localstack_sequence.py).

A spec is JSON, route key -> what a MOCK integration answers:

  {"GET /pets":         {"status": 200, "body": "{\\"v\\": 1}"},
   "GET /pets/{petId}": {"status": 200, "body": "{\\"id\\": \\"$input.params('petId')\\"}"},
   "OPTIONS /pets":     {"status": 200, "body": "", "headers": {"Access-Control-Allow-Origin": "'*'"}}}

  tests/e2e/support/api_spec_tool.py apply  --endpoint URL --rest-api-id ID   # spec in $API_SPEC
  tests/e2e/support/api_spec_tool.py deploy --endpoint URL --rest-api-id ID --stage NAME

`apply` rewrites every method of the spec (DeleteMethod + PutMethod, PutMethodResponse,
PutIntegration, PutIntegrationResponse: the end state of any edit), deletes methods the spec does
not name, and deletes resources left without methods or children. Resource ids of kept paths stay.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any

import boto3


def client(endpoint: str) -> Any:
    return boto3.client("apigateway", endpoint_url=endpoint, region_name="us-east-1")


def resources(c: Any, api: str) -> dict[str, dict[str, Any]]:
    """path -> resource (with resourceMethods)."""
    return {r["path"]: r for r in c.get_resources(restApiId=api, limit=500)["items"]}


def ensure_resource(c: Any, api: str, by_path: dict[str, dict[str, Any]], path: str) -> str:
    if path in by_path:
        return by_path[path]["id"]
    parent, _, part = path.rpartition("/")
    parent_id = ensure_resource(c, api, by_path, parent or "/")
    by_path[path] = c.create_resource(restApiId=api, parentId=parent_id, pathPart=part)
    return by_path[path]["id"]


def put_route(c: Any, api: str, resource_id: str, verb: str, path: str, route: dict[str, Any]) -> None:
    status = str(route["status"])
    headers = route.get("headers", {})
    path_params = {f"method.request.path.{name}": True for name in re.findall(r"\{(\w+)\+?\}", path)}
    c.put_method(restApiId=api, resourceId=resource_id, httpMethod=verb, authorizationType="NONE",
                 requestParameters=path_params)
    c.put_method_response(restApiId=api, resourceId=resource_id, httpMethod=verb, statusCode=status,
                          responseParameters={f"method.response.header.{h}": False for h in headers})
    c.put_integration(restApiId=api, resourceId=resource_id, httpMethod=verb, type="MOCK",
                      requestTemplates={"application/json": json.dumps({"statusCode": int(status)})})
    c.put_integration_response(restApiId=api, resourceId=resource_id, httpMethod=verb, statusCode=status,
                               responseTemplates={"application/json": route["body"]},
                               responseParameters={f"method.response.header.{h}": v for h, v in headers.items()})


def apply(c: Any, api: str, spec: dict[str, dict[str, Any]]) -> None:
    by_path = resources(c, api)
    wanted: dict[str, dict[str, dict[str, Any]]] = {}
    for key, route in spec.items():
        verb, path = key.split(" ", 1)
        wanted.setdefault(path, {})[verb] = route
    for path, item in list(by_path.items()):
        for verb in item.get("resourceMethods", {}):
            c.delete_method(restApiId=api, resourceId=item["id"], httpMethod=verb)
    for path, verbs in sorted(wanted.items()):
        resource_id = ensure_resource(c, api, by_path, path)
        for verb, route in sorted(verbs.items()):
            put_route(c, api, resource_id, verb, path, route)
    # deepest first, so a parent is empty of children when it is looked at
    for path in sorted(by_path, key=lambda p: p.count("/"), reverse=True):
        needed = path == "/" or any(w == path or w.startswith(path.rstrip("/") + "/") for w in wanted)
        if not needed:
            c.delete_resource(restApiId=api, resourceId=by_path.pop(path)["id"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["apply", "deploy"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--rest-api-id", required=True)
    parser.add_argument("--stage", default="dev")
    args = parser.parse_args()
    c = client(args.endpoint)
    if args.action == "apply":
        spec = json.loads(os.environ["API_SPEC"])
        apply(c, args.rest_api_id, spec)
        print(f"API {args.rest_api_id} now has: {', '.join(sorted(spec)) or 'no routes'}")
    else:
        deployment = c.create_deployment(restApiId=args.rest_api_id, stageName=args.stage)
        print(f"deployed {deployment['id']} to stage {args.stage}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
