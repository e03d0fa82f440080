#!/usr/bin/env python3
"""Sample REST API for `make demo`, created in the local API Gateway emulator with boto3.

  demo_api.py create --endpoint URL      create the "petstore" API, print its id
  demo_api.py change --endpoint URL --rest-api-id ID
                                         point GET /pets at a new Lambda (a change that needs a
                                         redeployment, but keeps every id the same)
  demo_api.py routes --endpoint URL --rest-api-id ID
                                         print the live routes
"""

from __future__ import annotations

import argparse
import sys

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"


def lambda_uri(function: str) -> str:
    return (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}/invocations"
    )


def client(endpoint: str):
    return boto3.client(
        "apigateway",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def resource_id(c, api_id: str, path: str) -> str:
    for item in c.get_resources(restApiId=api_id, limit=500)["items"]:
        if item["path"] == path:
            return item["id"]
    raise SystemExit(f"no resource {path} in API {api_id}")


def create(c) -> str:
    api_id = c.create_rest_api(name="petstore", description="gwtrigger demo")["id"]
    root = resource_id(c, api_id, "/")
    pets = c.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    pet = c.create_resource(restApiId=api_id, parentId=pets, pathPart="{petId}")["id"]
    routes = [
        # (resource, verb, integration)
        (pets, "GET", dict(type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri("list-pets"))),
        (pets, "POST", dict(type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri("create-pet"))),
        (pet, "GET", dict(type="HTTP_PROXY", integrationHttpMethod="GET",
                          uri="https://backend.example.com/pets/{petId}",
                          requestParameters={"integration.request.path.petId": "method.request.path.petId"})),
    ]
    for rid, verb, integration in routes:
        params = {"method.request.path.petId": True} if rid == pet else {}
        c.put_method(restApiId=api_id, resourceId=rid, httpMethod=verb, authorizationType="NONE",
                     requestParameters=params)
        c.put_method_response(restApiId=api_id, resourceId=rid, httpMethod=verb, statusCode="200")
        c.put_integration(restApiId=api_id, resourceId=rid, httpMethod=verb, **integration)
    return api_id


def change(c, api_id: str) -> None:
    rid = resource_id(c, api_id, "/pets")
    c.put_integration(restApiId=api_id, resourceId=rid, httpMethod="GET", type="AWS_PROXY",
                      integrationHttpMethod="POST", uri=lambda_uri("list-pets-v2"))


def routes(c, api_id: str) -> list[str]:
    out = []
    for item in c.get_resources(restApiId=api_id, limit=500, embed=["methods"])["items"]:
        for verb, method in sorted((item.get("resourceMethods") or {}).items()):
            integration = method.get("methodIntegration") or {}
            out.append(f"{verb:6} {item['path']:16} -> {integration.get('type', '?')} {integration.get('uri', '')}")
    return sorted(out, key=lambda line: line.split()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["create", "change", "routes"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--rest-api-id")
    args = parser.parse_args()
    c = client(args.endpoint)
    if args.command == "create":
        print(create(c))
        return 0
    if not args.rest_api_id:
        parser.error("--rest-api-id is required")
    if args.command == "change":
        change(c, args.rest_api_id)
    else:
        print("\n".join(routes(c, args.rest_api_id)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
