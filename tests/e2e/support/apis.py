"""Sample REST APIs for the end-to-end tests, built in moto with boto3 from a declarative spec.

`build_api(client, spec, reverse=False)` creates the same content in any order: `reverse=True`
creates authorizers/models/validators and routes in the opposite order, so ids and creation order
differ while the deployable content is equal (the hash must not change).
"""

from __future__ import annotations

import copy
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"


def lambda_uri(function: str) -> str:
    return (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}/invocations"
    )


PET_SCHEMA = '{"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}'

# The matrix' base API: every aspect the hash covers is present at least once.
BASE_SPEC: dict[str, Any] = {
    "name": "pets",
    "authorizers": [
        {
            "name": "token-auth",
            "type": "TOKEN",
            "authorizerUri": lambda_uri("auth"),
            "identitySource": "method.request.header.Authorization",
            "authorizerResultTtlInSeconds": 300,
        }
    ],
    "models": [{"name": "Pet", "contentType": "application/json", "schema": PET_SCHEMA}],
    "validators": [{"name": "body-only", "validateRequestBody": True, "validateRequestParameters": False}],
    "routes": [
        {
            "path": "/pets",
            "verb": "GET",
            "method": {"authorizationType": "NONE"},
            "integration": {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": lambda_uri("list-pets")},
            "method_responses": ["200"],
        },
        {
            "path": "/pets",
            "verb": "POST",
            "method": {
                "authorizationType": "CUSTOM",
                "authorizer": "token-auth",
                "requestModels": {"application/json": "Pet"},
            },
            "integration": {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": lambda_uri("create-pet")},
            "method_responses": ["200"],
        },
        {
            "path": "/pets/{petId}",
            "verb": "GET",
            "method": {"authorizationType": "NONE", "requestParameters": {"method.request.path.petId": True}},
            "integration": {
                "type": "HTTP",
                "integrationHttpMethod": "GET",
                "uri": "https://backend.example.com/pets/{petId}",
                "requestParameters": {"integration.request.path.petId": "method.request.path.petId"},
            },
            "method_responses": ["200"],
            "integration_responses": [{"statusCode": "200", "selectionPattern": ""}],
        },
        {
            "path": "/pets/{petId}",
            "verb": "DELETE",
            "method": {"authorizationType": "AWS_IAM"},
            "integration": {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 204}'}},
            "method_responses": ["204"],
            "integration_responses": [{"statusCode": "204"}],
        },
        {
            "path": "/health",
            "verb": "GET",
            "method": {"authorizationType": "NONE"},
            "integration": {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
            "method_responses": ["200"],
            "integration_responses": [{"statusCode": "200"}],
        },
        {
            "path": "/store/inventory",
            "verb": "GET",
            "method": {"authorizationType": "NONE", "apiKeyRequired": True},
            "integration": {"type": "HTTP_PROXY", "integrationHttpMethod": "GET", "uri": "https://backend.example.com/inventory"},
            "method_responses": ["200"],
        },
    ],
}


def spec_copy() -> dict[str, Any]:
    return copy.deepcopy(BASE_SPEC)


class BuiltApi:
    """Ids of what build_api created, for later mutations."""

    def __init__(self, api_id: str) -> None:
        self.id = api_id
        self.resources: dict[str, str] = {}  # path -> resource id
        self.authorizers: dict[str, str] = {}  # name -> id
        self.validators: dict[str, str] = {}  # name -> id


def ensure_resource(client: Any, api: BuiltApi, path: str) -> str:
    """The id of `path`, creating it and its parents as needed."""
    if not api.resources:
        for item in client.get_resources(restApiId=api.id)["items"]:
            api.resources[item["path"]] = item["id"]
    if path in api.resources:
        return api.resources[path]
    parent_path, _, part = path.rpartition("/")
    parent_id = ensure_resource(client, api, parent_path or "/")
    created = client.create_resource(restApiId=api.id, parentId=parent_id, pathPart=part)
    api.resources[path] = created["id"]
    return created["id"]


def put_route(client: Any, api: BuiltApi, route: dict[str, Any]) -> None:
    """Create (or overwrite) one method with its integration and responses."""
    resource_id = ensure_resource(client, api, route["path"])
    verb = route["verb"]
    method = dict(route.get("method", {}))
    authorizer = method.pop("authorizer", None)
    if authorizer:
        method["authorizerId"] = api.authorizers[authorizer]
    validator = method.pop("validator", None)
    if validator:
        method["requestValidatorId"] = api.validators[validator]
    method.setdefault("authorizationType", "NONE")
    client.put_method(restApiId=api.id, resourceId=resource_id, httpMethod=verb, **method)
    for status in route.get("method_responses", []):
        client.put_method_response(restApiId=api.id, resourceId=resource_id, httpMethod=verb, statusCode=status)
    if "integration" in route:
        client.put_integration(restApiId=api.id, resourceId=resource_id, httpMethod=verb, **route["integration"])
    for response in route.get("integration_responses", []):
        client.put_integration_response(restApiId=api.id, resourceId=resource_id, httpMethod=verb, **response)


def build_api(client: Any, spec: dict[str, Any], reverse: bool = False, name: str | None = None) -> BuiltApi:
    order = (lambda xs: list(reversed(xs))) if reverse else list
    created = client.create_rest_api(name=name or spec["name"], description="gwtrigger e2e sample")
    api = BuiltApi(created["id"])
    for auth in order(spec.get("authorizers", [])):
        api.authorizers[auth["name"]] = client.create_authorizer(restApiId=api.id, **auth)["id"]
    for model in order(spec.get("models", [])):
        client.create_model(restApiId=api.id, **model)
    for validator in order(spec.get("validators", [])):
        api.validators[validator["name"]] = client.create_request_validator(restApiId=api.id, **validator)["id"]
    for route in order(spec["routes"]):
        put_route(client, api, route)
    return api


def find_route(spec: dict[str, Any], path: str, verb: str) -> dict[str, Any]:
    for route in spec["routes"]:
        if route["path"] == path and route["verb"] == verb:
            return route
    raise KeyError(f"{verb} {path}")
