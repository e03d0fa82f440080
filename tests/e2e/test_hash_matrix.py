"""Mutation matrix (issue 3): which edits of a live API change `gwtrigger hash`, and which don't.

Each row builds the base API (apis.BASE_SPEC: authorizer, model, validator, six routes) in an
emulator, hashes it with the CLI through our paginating proxy (pages of 2, so every read spans
several GetResources pages), applies one edit with boto3 and hashes again. Every row runs on both
emulators: moto (freshly reset) and LocalStack (the session's; each row makes its own API).
LocalStack's control plane is moto-based, so the same calls are used on both.

moto (5.2.5) answers UpdateMethod, UpdateIntegration, UpdateResource and UpdateModel with a 500.
Those rows emulate the edit with the calls that produce the same end state, and say so in the
table printed at the end of the run:
  - method/integration edits: re-put the whole route (PutMethod, PutMethodResponse,
    PutIntegration, PutIntegrationResponse) with one field changed. The control row
    "re-put a route unchanged" shows that re-putting identical content does not change the hash.
  - model schema: DeleteModel + CreateModel with the new schema.
  - rename a path part: DeleteResource + CreateResource with the new part and the same methods.
LocalStack 2026.3.0 answers UpdateMethod, UpdateIntegration, UpdateResource and UpdateModel, so
there the rows whose note says so make the edit with the real Update* call (a PATCH, as
hashicorp/aws does); the model schema must: LocalStack, like AWS, refuses DeleteModel for a model
a method uses. The other rows use the same calls on both emulators.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional

import pytest

from apigw_proxy import ApigwProxy
from apis import BuiltApi, build_api, find_route, put_route, spec_copy
from harness import MATRIX_RESULTS, Cli, apigw_client

PAGE_SIZE_CAP = 2
REPUT = "moto lacks Update*: re-put the route with the field changed"


@dataclass
class Row:
    name: str
    expected: str  # "changed" | "unchanged"
    mutate: Callable[[Any, BuiltApi, dict[str, Any]], Optional[str]]
    note: str = ""
    setup: Optional[Callable[[Any, BuiltApi], None]] = None
    # LocalStack's own way to make the edit, where the moto emulation does not work there
    on_localstack: Optional[Callable[[Any, BuiltApi, dict[str, Any]], Optional[str]]] = None
    localstack_note: str = ""


def reput(path: str, verb: str, edit: Callable[[dict[str, Any]], None]) -> Callable[..., None]:
    def mutate(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
        route = find_route(spec, path, verb)
        edit(route)
        put_route(client, api, route)

    return mutate


def add_route(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    put_route(client, api, {
        "path": "/owners", "verb": "GET",
        "integration": {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
        "method_responses": ["200"],
    })


def delete_method(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.delete_method(restApiId=api.id, resourceId=api.resources["/pets/{petId}"], httpMethod="DELETE")


def add_method_response(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.put_method_response(restApiId=api.id, resourceId=api.resources["/health"], httpMethod="GET", statusCode="404")


def add_integration_response_template(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.put_integration_response(
        restApiId=api.id, resourceId=api.resources["/health"], httpMethod="GET", statusCode="200",
        responseTemplates={"application/json": '{"status": "ok"}'},
    )


def authorizer_config(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.update_authorizer(
        restApiId=api.id, authorizerId=api.authorizers["token-auth"],
        patchOperations=[{"op": "replace", "path": "/identitySource", "value": "method.request.header.X-Token"}],
    )


def model_schema(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.delete_model(restApiId=api.id, modelName="Pet")
    client.create_model(
        restApiId=api.id, name="Pet", contentType="application/json",
        schema='{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}',
    )


def update_model_schema(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    schema = '{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}'
    client.update_model(restApiId=api.id, modelName="Pet",
                        patchOperations=[{"op": "replace", "path": "/schema", "value": schema}])


def patch(operation: str, path: str, verb: Optional[str], op: str, member: str, value: Any = None) -> Callable[..., None]:
    """An Update* call with one patch operation on the resource at `path` (and its `verb`)."""
    def mutate(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
        args: dict[str, Any] = {"restApiId": api.id, "resourceId": api.resources[path]}
        if verb:
            args["httpMethod"] = verb
        change: dict[str, Any] = {"op": op, "path": member}
        if value is not None:
            change["value"] = value
        getattr(client, operation)(**args, patchOperations=[change])

    return mutate


def validator_by_patch(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    patch("update_method", "/pets", "POST", "replace", "/requestValidatorId", api.validators["body-only"])(client, api, spec)


def gateway_response(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.put_gateway_response(
        restApiId=api.id, responseType="UNAUTHORIZED", statusCode="401",
        responseTemplates={"application/json": '{"message": "who are you?"}'},
    )


def resource_policy(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        }],
    }
    client.update_rest_api(restApiId=api.id, patchOperations=[
        {"op": "replace", "path": "/policy", "value": json.dumps(policy)}])


def binary_media_types(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.update_rest_api(restApiId=api.id, patchOperations=[{"op": "add", "path": "/binaryMediaTypes/image~1png"}])


def rename_path_part(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.delete_resource(restApiId=api.id, resourceId=api.resources.pop("/store/inventory"))
    route = dict(find_route(spec, "/store/inventory", "GET"), path="/store/stock")
    put_route(client, api, route)


def deploy_prod(client: Any, api: BuiltApi) -> None:
    client.create_deployment(restApiId=api.id, stageName="prod", variables={"backend": "blue"})


def stage_variables(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/backend", "value": "green"}])


def new_deployment(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.create_deployment(restApiId=api.id, stageName="prod", description="another one")


def usage_plan(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    client.create_usage_plan(name="gold", apiStages=[{"apiId": api.id, "stage": "prod"}],
                             throttle={"rateLimit": 10.0, "burstLimit": 20})


def nothing(client: Any, api: BuiltApi, spec: dict[str, Any]) -> None:
    pass


def set_key(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(route: dict[str, Any]) -> None:
        route["method"][key] = value

    return edit


def set_integration(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(route: dict[str, Any]) -> None:
        route["integration"][key] = value

    return edit


def add_request_parameter(route: dict[str, Any]) -> None:
    route["method"]["requestParameters"] = {"method.request.querystring.limit": False}


CHANGES = [
    Row("add a route", "changed", add_route),
    Row("delete a method", "changed", delete_method),
    Row("integration uri", "changed",
        reput("/pets/{petId}", "GET", set_integration("uri", "https://backend-v2.example.com/pets/{petId}")), REPUT,
        on_localstack=patch("update_integration", "/pets/{petId}", "GET", "replace", "/uri",
                            "https://backend-v2.example.com/pets/{petId}"),
        localstack_note="UpdateIntegration"),
    Row("integration type", "changed", reput("/pets/{petId}", "GET", set_integration("type", "HTTP_PROXY")), REPUT),
    Row("method authorization type", "changed", reput("/pets", "GET", set_key("authorizationType", "AWS_IAM")), REPUT,
        on_localstack=patch("update_method", "/pets", "GET", "replace", "/authorizationType", "AWS_IAM"),
        localstack_note="UpdateMethod"),
    Row("apiKeyRequired", "changed", reput("/health", "GET", set_key("apiKeyRequired", True)), REPUT,
        on_localstack=patch("update_method", "/health", "GET", "replace", "/apiKeyRequired", "true"),
        localstack_note="UpdateMethod"),
    Row("add a method response", "changed", add_method_response),
    Row("add an integration response template", "changed", add_integration_response_template,
        "PutIntegrationResponse over the existing 200"),
    Row("method request parameters", "changed", reput("/pets", "GET", add_request_parameter), REPUT),
    Row("authorizer config (identitySource)", "changed", authorizer_config),
    Row("model schema", "changed", model_schema, "moto lacks UpdateModel: DeleteModel + CreateModel",
        on_localstack=update_model_schema,
        localstack_note="UpdateModel (LocalStack, like AWS, refuses to delete a model a method uses)"),
    Row("attach a request validator", "changed", reput("/pets", "POST", set_key("validator", "body-only")), REPUT,
        on_localstack=validator_by_patch, localstack_note="UpdateMethod"),
    Row("a custom gateway response", "changed", gateway_response),
    Row("the resource policy", "changed", resource_policy),
    Row("binary media types", "changed", binary_media_types),
    Row("rename a path part", "changed", rename_path_part,
        "moto lacks UpdateResource: DeleteResource + CreateResource with the same methods",
        on_localstack=patch("update_resource", "/store/inventory", None, "replace", "/pathPart", "stock"),
        localstack_note="UpdateResource"),
]

NO_CHANGES = [
    Row("stage variables", "unchanged", stage_variables, setup=deploy_prod),
    Row("a new deployment", "unchanged", new_deployment, setup=deploy_prod),
    Row("a usage plan", "unchanged", usage_plan, setup=deploy_prod),
    Row("re-reading", "unchanged", nothing),
    Row("re-put a route unchanged (control for the emulation)", "unchanged",
        reput("/pets/{petId}", "GET", lambda route: None)),
]


@dataclass
class Emulator:
    name: str
    url: str


@pytest.fixture(params=["moto", "localstack"])
def emulator(request: pytest.FixtureRequest) -> Emulator:
    """moto (reset for this test) or the session's LocalStack."""
    server = request.getfixturevalue("moto" if request.param == "moto" else "localstack")
    return Emulator(request.param, server.url)


@pytest.fixture
def apigw(emulator: Emulator) -> Any:
    return apigw_client(emulator.url)


@pytest.fixture
def paging_proxy(emulator: Emulator) -> Iterator[ApigwProxy]:
    proxy = ApigwProxy(emulator.url).start()
    proxy.configure(page_size_cap=PAGE_SIZE_CAP)
    yield proxy
    proxy.stop()


def record(emulator: Emulator, row: str, expected: str, observed: str, note: str = "") -> None:
    MATRIX_RESULTS.append({"row": f"{row} [{emulator.name}]", "expected": expected, "observed": observed, "note": note})


@pytest.mark.parametrize("row", CHANGES + NO_CHANGES, ids=lambda r: r.name)
def test_mutation(row: Row, emulator: Emulator, apigw: Any, paging_proxy: ApigwProxy, cli: Cli) -> None:
    spec = spec_copy()
    api = build_api(apigw, spec)
    if row.setup:
        row.setup(apigw, api)
    observed = "error"
    try:
        paging_proxy.clear_counts()
        before = cli.hash(paging_proxy.url, api.id)
        pages = paging_proxy.count("GetResources")
        mutate = row.on_localstack if emulator.name == "localstack" and row.on_localstack else row.mutate
        mutate(apigw, api, spec)
        after = cli.hash(paging_proxy.url, api.id)
        observed = "changed" if after["hash"] != before["hash"] else "unchanged"
    finally:
        note = row.localstack_note if emulator.name == "localstack" and row.on_localstack else row.note
        record(emulator, row.name, row.expected, observed, note)
    assert pages >= 2, f"the base API should span several pages of {PAGE_SIZE_CAP}, read {pages}"
    assert observed == row.expected, (
        f"{row.name}: expected the hash to be {row.expected}\nbefore: {before['hash']}\nafter:  {after['hash']}\n"
        f"routes before: {before.get('routes')}\nroutes after:  {after.get('routes')}"
    )


def test_same_content_in_another_api_built_in_another_order(emulator: Emulator, apigw: Any, paging_proxy: ApigwProxy,
                                                            cli: Cli) -> None:
    observed = "error"
    try:
        first = build_api(apigw, spec_copy())
        second = build_api(apigw, spec_copy(), reverse=True, name="pets-copy")
        assert first.id != second.id and first.resources["/pets"] != second.resources["/pets"]
        a = cli.hash(paging_proxy.url, first.id)
        b = cli.hash(paging_proxy.url, second.id)
        observed = "changed" if a["hash"] != b["hash"] else "unchanged"
    finally:
        record(emulator, "same content, another API, another order", "unchanged", observed, "ids and creation order differ")
    assert a["hash"] == b["hash"], f"\n{a}\n{b}"
    assert a["routes"] == b["routes"]
    assert a["ids"] != b["ids"], "ids are the API's own, so they differ"


def test_another_page_size(emulator: Emulator, apigw: Any, paging_proxy: ApigwProxy, cli: Cli) -> None:
    api = build_api(apigw, spec_copy())
    hashes: dict[str, str] = {}
    observed = "error"
    try:
        hashes["proxy pages of 2"] = cli.hash(paging_proxy.url, api.id)["hash"]
        paging_proxy.configure(page_size_cap=None)
        hashes["one page"] = cli.hash(paging_proxy.url, api.id)["hash"]
        for size in (1, 3):
            paging_proxy.clear_counts()
            hashes[f"--page-size {size}"] = cli.hash(paging_proxy.url, api.id, "--page-size", str(size))["hash"]
            resources = len(apigw.get_resources(restApiId=api.id)["items"])
            assert paging_proxy.count("GetResources") == -(-resources // size), "one GetResources per page"
        observed = "unchanged" if len(set(hashes.values())) == 1 else "changed"
    finally:
        record(emulator, "another page size", "unchanged", observed, "pages of 2 (proxy), 1 page, --page-size 1 and 3")
    assert len(set(hashes.values())) == 1, hashes
