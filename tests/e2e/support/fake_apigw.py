"""A fake API Gateway control plane for what moto lacks: the deployed snapshot of a stage.

It is a forwarding proxy in front of moto (or any API Gateway emulator). Everything is forwarded
unchanged except:

CreateDeployment  ``POST /restapis/{id}/deployments``
    Before forwarding, the fake reads the live API (``GET /restapis/{id}/resources?embed=methods``,
    following ``position``) and, once upstream has answered with the new deployment's ``id``,
    records that content as the deployment's snapshot: what a real deployment freezes.

GetDeployment  ``GET /restapis/{id}/deployments/{deployment_id}?embed=apisummary``
    Upstream's answer plus ``apiSummary`` in the documented shape
    ``{"/path": {"VERB": {"authorizationType": "NONE", "apiKeyRequired": false}}}``, built from
    the recorded snapshot (only when ``embed`` asks for ``apisummary``).

GetExport  ``GET /restapis/{id}/stages/{stage}/exports/oas30?extensions=integrations,authorizers``
    The stage's deployed snapshot (the stage's ``deploymentId`` is read from upstream) as an
    OpenAPI 3.0.1 document: ``paths`` keyed by resource path, operations keyed by lower-case verb
    (``x-amazon-apigateway-any-method`` for ANY), ``x-amazon-apigateway-integration`` with
    ``type`` in lower case, ``httpMethod``, ``uri`` and ``passthroughBehavior`` when
    ``extensions`` contains ``integrations`` or ``apigateway``; API-key methods get
    ``security: [{"api_key": []}]`` with the ``api_key`` scheme (header ``x-api-key``).
    ``Accept: application/json`` (or none) → JSON with ``Content-Type: application/json`` and
    ``Content-Disposition: attachment; filename="..."``; other export types or ``Accept`` values
    → 400 ``BadRequestException``; unknown stage → 404 ``NotFoundException``.

GetStage / GetStages  ``GET /restapis/{id}/stages/{stage}``, ``GET /restapis/{id}/stages``
    Upstream's answer plus the members a test set with ``.stage_members[(api, stage)]``, e.g. the
    ``webAclArn`` that WAF's AssociateWebACL writes (moto keeps none).

Besides the routes, CreateDeployment records the whole deployable content of the API as it was
(``deployable_content``: resources with methods, the REST API's settings and policy, authorizers,
models, request validators, gateway responses, as upstream answers them), so a test can tell
whether the deployment a stage serves holds what the live API holds where the data plane cannot
show it (``contents``, keyed like ``snapshots``).

Usage plans and usage-plan keys (``GET /usageplans``, ``GET /usageplans/{id}/keys``) are answered by
moto, whose shapes (``{"item": [...]}``) match the documented ones.

Control: ``FakeApigw(upstream).start()``, ``.url``, ``.stop()``, ``.forget(api, deployment)``
(make a deployment look as if it was created before the fake existed: no apiSummary),
``.fail_export = True`` (GetExport answers 500), ``.requests`` (``(method, path)`` seen).
Out of process: ``python tests/e2e/support/fake_apigw.py --upstream URL [--port N]``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import http.client
import json
import re
import urllib.parse
from typing import Any, Optional

from http_stub import LoopbackServer, StubHandler

DEPLOYMENTS = re.compile(r"^/restapis/([^/]+)/deployments/?$")
DEPLOYMENT = re.compile(r"^/restapis/([^/]+)/deployments/([^/]+)/?$")
STAGE = re.compile(r"^/restapis/([^/]+)/stages/([^/]+)/?$")
STAGES = re.compile(r"^/restapis/([^/]+)/stages/?$")
EXPORT = re.compile(r"^/restapis/([^/]+)/stages/([^/]+)/exports/([^/]+)/?$")
VERBS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class FakeApigw(LoopbackServer):
    def __init__(self, upstream: str, port: int = 0, region: str = "us-east-1") -> None:
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream_host = parsed.hostname or "127.0.0.1"
        self.upstream_port = parsed.port or 80
        self.region = region
        # (rest_api_id, deployment_id) -> {path: {VERB: method json}}
        self.snapshots: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        # (rest_api_id, deployment_id) -> deployable_content() when the deployment was created
        self.contents: dict[tuple[str, str], Any] = {}
        self.fail_export = False
        self.stage_members: dict[tuple[str, str], dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.handler = _Handler
        super().__init__(port)

    def forget(self, rest_api_id: str, deployment_id: str) -> None:
        with self._lock:
            self.snapshots.pop((rest_api_id, deployment_id), None)

    # -- upstream -----------------------------------------------------------------------------

    def forward(self, method: str, path_qs: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
        try:
            conn.request(method, path_qs, body=body or None,
                         headers={k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k: v for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP}, data
        finally:
            conn.close()

    def get_json(self, path_qs: str, headers: dict[str, str]) -> tuple[int, Any]:
        status, _, data = self.forward("GET", path_qs, b"", headers)
        try:
            return status, json.loads(data or b"null")
        except ValueError:
            return status, None

    def live_routes(self, rest_api_id: str, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
        routes: dict[str, dict[str, Any]] = {}
        position: Optional[str] = None
        while True:
            qs = {"embed": "methods", "limit": "500"}
            if position:
                qs["position"] = position
            status, page = self.get_json(f"/restapis/{rest_api_id}/resources?{urllib.parse.urlencode(qs)}", headers)
            if status != 200 or not isinstance(page, dict):
                return routes
            for resource in page.get("item") or []:
                methods = resource.get("resourceMethods") or {}
                routes[resource["path"]] = {verb.upper(): m or {} for verb, m in methods.items()}
            position = page.get("position")
            if not position:
                return routes

    def deployable_content(self, rest_api_id: str, headers: Optional[dict[str, str]] = None) -> Any:
        """What a deployment freezes, as upstream answers it (lists sorted). Without the caller's
        headers, a SigV4-shaped Authorization with test keys names the account and region (LocalStack
        finds neither otherwise)."""
        headers = headers or {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/"
                                               f"{self.region}/apigateway/aws4_request, SignedHeaders=host, Signature=0"}

        def items(path: str) -> list[Any]:
            _, page = self.get_json(f"/restapis/{rest_api_id}/{path}", headers)
            return sorted((page or {}).get("item") or [], key=lambda i: json.dumps(i, sort_keys=True))

        _, api = self.get_json(f"/restapis/{rest_api_id}", headers)
        api = {k: v for k, v in (api or {}).items() if k not in ("tags",)}
        return {
            "api": api,
            "resources": items("resources?embed=methods&limit=500"),
            "authorizers": items("authorizers"),
            "models": items("models"),
            "requestvalidators": items("requestvalidators"),
            "gatewayresponses": items("gatewayresponses"),
        }

    # -- documented shapes -------------------------------------------------------------------

    @staticmethod
    def api_summary(snapshot: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            path: {
                verb: {
                    "authorizationType": m.get("authorizationType") or "NONE",
                    "apiKeyRequired": bool(m.get("apiKeyRequired")),
                }
                for verb, m in verbs.items()
            }
            for path, verbs in snapshot.items()
            if verbs
        }

    def export(self, rest_api_id: str, stage: str, snapshot: dict[str, dict[str, Any]],
               extensions: set[str], created: Any) -> dict[str, Any]:
        with_integrations = bool(extensions & {"integrations", "apigateway"})
        paths: dict[str, Any] = {}
        uses_key = False
        for path, verbs in sorted(snapshot.items()):
            item: dict[str, Any] = {}
            for verb, m in sorted(verbs.items()):
                op: dict[str, Any] = {"responses": {
                    code: {"description": f"{code} response", "content": {}}
                    for code in sorted((m.get("methodResponses") or {}).keys())
                }}
                if m.get("apiKeyRequired"):
                    op["security"] = [{"api_key": []}]
                    uses_key = True
                integration = m.get("methodIntegration")
                if with_integrations and integration:
                    ext = {"type": (integration.get("type") or "").lower()}
                    for key in ("httpMethod", "uri", "passthroughBehavior", "connectionType", "timeoutInMillis"):
                        if integration.get(key) not in (None, ""):
                            ext[key] = integration[key]
                    op["x-amazon-apigateway-integration"] = ext
                item["x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()] = op
            paths[path] = item
        version = _dt.datetime.fromtimestamp(float(created or 0), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        doc: dict[str, Any] = {
            "openapi": "3.0.1",
            "info": {"title": rest_api_id, "version": version},
            "servers": [{
                "url": f"https://{rest_api_id}.execute-api.{self.region}.amazonaws.com/{{basePath}}",
                "variables": {"basePath": {"default": f"/{stage}"}},
            }],
            "paths": paths,
            "components": {},
        }
        if uses_key:
            doc["components"]["securitySchemes"] = {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}
        return doc


def error(status: int, kind: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"message": message}).encode()
    return status, {"Content-Type": "application/json", "x-amzn-ErrorType": kind}, body


class _Handler(StubHandler):
    def respond(self, body: bytes) -> None:
        fake: FakeApigw = self.server.owner  # type: ignore[attr-defined]
        split = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(split.path)
        query = dict(urllib.parse.parse_qsl(split.query))
        headers = dict(self.headers.items())
        with fake._lock:
            fake.requests.append((self.command, path))
        try:
            status, out_headers, data = self._route(fake, path, query, body, headers)
        except Exception as exc:  # an emulator bug must show up as a 500, not a hang
            status, out_headers, data = error(500, "InternalFailure", f"fake_apigw: {exc!r}")
        self.send_response(status)
        for k, v in out_headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, fake: FakeApigw, path: str, query: dict[str, str], body: bytes,
               headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.command == "POST" and (m := DEPLOYMENTS.match(path)):
            api = m.group(1)
            snapshot = fake.live_routes(api, headers)
            content = fake.deployable_content(api, headers)
            status, out_headers, data = fake.forward(self.command, self.path, body, headers)
            if 200 <= status < 300:
                deployment_id = json.loads(data).get("id")
                if deployment_id:
                    with fake._lock:
                        fake.snapshots[(api, deployment_id)] = snapshot
                        fake.contents[(api, deployment_id)] = content
            return status, out_headers, data

        if self.command == "GET" and (m := DEPLOYMENT.match(path)):
            api, deployment_id = m.groups()
            upstream_qs = urllib.parse.urlencode({k: v for k, v in query.items() if k != "embed"})
            status, out_headers, data = fake.forward("GET", path + (f"?{upstream_qs}" if upstream_qs else ""), b"", headers)
            embeds = {e.strip().lower() for e in query.get("embed", "").split(",")}
            with fake._lock:
                snapshot = fake.snapshots.get((api, deployment_id))
            if status == 200 and "apisummary" in embeds and snapshot is not None:
                doc = json.loads(data)
                doc["apiSummary"] = fake.api_summary(snapshot)
                data = json.dumps(doc).encode()
                out_headers["Content-Type"] = "application/json"
            return status, out_headers, data

        if self.command == "GET" and (m := EXPORT.match(path)):
            api, stage, export_type = m.groups()
            if fake.fail_export:
                return error(500, "InternalFailure", "export failed (injected by the test)")
            if export_type != "oas30":
                return error(400, "BadRequestException", f"fake_apigw exports only oas30, not {export_type}")
            accept = (headers.get("Accept") or headers.get("accept") or "application/json").lower()
            if "application/json" not in accept and accept not in ("*/*", ""):
                return error(400, "BadRequestException", f"unsupported Accept {accept}")
            status, stage_doc = fake.get_json(f"/restapis/{api}/stages/{stage}", headers)
            if status != 200 or not isinstance(stage_doc, dict):
                return error(404, "NotFoundException", "Invalid stage identifier specified")
            deployment_id = stage_doc.get("deploymentId") or ""
            with fake._lock:
                snapshot = fake.snapshots.get((api, deployment_id))
            if snapshot is None:
                return error(404, "NotFoundException", f"deployment {deployment_id} was not recorded by fake_apigw")
            _, deployment = fake.get_json(f"/restapis/{api}/deployments/{deployment_id}", headers)
            created = (deployment or {}).get("createdDate")
            extensions = {e.strip().lower() for e in query.get("extensions", "").split(",") if e.strip()}
            doc = fake.export(api, stage, snapshot, extensions, created)
            return 200, {
                "Content-Type": "application/json",
                "Content-Disposition": f'attachment; filename="{api}-{stage}-oas30.json"',
            }, json.dumps(doc).encode()

        if self.command == "GET" and (STAGE.match(path) or STAGES.match(path)) and fake.stage_members:
            api = path.split("/")[2]
            status, out_headers, data = fake.forward(self.command, self.path, body, headers)
            if status == 200:
                doc = json.loads(data)
                for stage in doc["item"] if STAGES.match(path) else [doc]:
                    stage.update(fake.stage_members.get((api, stage.get("stageName", "")), {}))
                data = json.dumps(doc).encode()
                out_headers["Content-Type"] = "application/json"
            return status, out_headers, data

        return fake.forward(self.command, self.path, body, headers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    fake = FakeApigw(args.upstream, args.port)
    print(fake.url, flush=True)
    fake.serve_forever()


if __name__ == "__main__":
    main()
