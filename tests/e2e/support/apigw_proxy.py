"""A paginating, fault-injecting, request-counting HTTP proxy for the API Gateway control plane.

It sits on loopback in front of an emulator (moto_server) and makes the emulator behave more like
the real API Gateway for the parts gwtrigger depends on, and less reliably when a test asks it to.

Pagination
    moto ignores ``limit``/``position``. For collection GETs (``/restapis/{id}/resources``,
    ``/authorizers``, ``/models``, ``/requestvalidators``, ``/gatewayresponses``,
    ``/deployments``, ``/restapis``, ...) the proxy strips both, fetches the full ``item`` list
    from upstream and returns one page of it. The page size is
    ``min(limit or default_limit, max_limit, page_size_cap)`` (AWS: default 25, max 500;
    ``page_size_cap`` lets a test force small pages even when the client asks for 500). When more
    items remain the response carries an opaque ``position`` token (urlsafe base64 of
    ``"gwt:<offset>"``); a token the proxy did not issue gets 400 ``BadRequestException``.
    Other requests are forwarded unchanged.

Counting
    Every request is recorded with its operation name (``GetResources``, ``GetRestApi``, ...,
    ``PutMethod``; ``Other`` when unknown), its 1-based page number for collection GETs and the
    outcome (``ok``, a fault kind). ``proxy.count("GetResources")``, ``proxy.requests``.

Faults
    ``proxy.add_fault(kind, op=None, page=None, skip=0, times=1, every=1, **args)`` schedules a
    fault. A rule matches requests whose operation is ``op`` (any when None) and, when ``page`` is
    given, whose page number equals it. Of the matching requests the rule skips the first
    ``skip``, then fires on every ``every``-th one until it has fired ``times`` times
    (``times=None``: forever). The first rule that fires wins. Kinds:

    - ``throttle``: 429 with ``x-amzn-ErrorType: TooManyRequestsException`` and a JSON body;
      ``retry_after=<seconds>`` adds a ``Retry-After`` header.
    - ``error``: a 5xx (``status``, default 503) with an AWS-style JSON error body; ``code`` and
      ``message`` override the error type and message, so ``status=403,
      code="AccessDeniedException"`` or ``code="ExpiredTokenException"`` answer like IAM/STS would.
    - ``quota``: a server-side rate limit: of the matching requests at most ``rate`` per ``per``
      seconds (sliding window; API Gateway's GetResources quota is 5 per 2 s) are served, the
      others get the ``throttle`` answer. Use ``times=None``.
    - ``reset``: the TCP connection is reset (SO_LINGER 0) without any response.
    - ``slow``: sleep ``delay`` seconds (default 5), then answer normally.
    - ``truncate``: the real response body cut to ``fraction`` (default 0.5) of its length,
      with a matching Content-Length (so the HTTP layer is fine and the JSON is not).
    - ``garble``: a 200 with a body that is not JSON.
    - ``repeat_position``: a collection page whose ``position`` points back at itself, so a
      client that follows it blindly loops forever.

    Also recorded: the most requests the proxy was serving at once (``proxy.max_in_flight``), to
    check a client's concurrency limit.

Synthetic resources
    ``proxy.synthesize_resources(api_id, items)`` serves ``items`` (GetResources ``item`` objects,
    methods embedded) for that API instead of asking upstream, paginated like the rest: a 5,000
    resource API without creating 5,000 resources in the emulator.

    ``times``/``every``/``skip`` express bursts ("5xx on the first 3 calls"), rates ("429 on
    every second request", i.e. half) and "page N fails after earlier pages succeeded"
    (``op="GetResources", page=3``). Rules are checked in order; the first that fires
    answers the request and later rules do not see it.

Control
    In-process (pytest): ``ApigwProxy(upstream).start()``, ``.url``, ``.add_fault(...)``,
    ``.clear_faults()``, ``.reset()`` (faults + counters), ``.count(op)``, ``.stop()``; also a
    context manager. Out of process: ``python tests/e2e/support/apigw_proxy.py --upstream URL
    [--port N]`` and the admin endpoint on the same port: ``GET /__proxy/stats`` (counters as
    JSON), ``POST /__proxy/reset``, ``POST /__proxy/faults`` (JSON list of add_fault keyword
    objects), ``POST /__proxy/config`` (``{"page_size_cap": 2, "default_limit": 25,
    "max_limit": 500}``).

Extending
    Two methods are meant to be overridden by subclasses (scripts/bench_support.py's
    ``QuotaProxy`` uses both): ``pick_fault(op, page)`` chooses the fault that answers a request
    (None: serve it), and ``forward(method, target, headers, body)`` sends a request upstream
    and returns ``(status, headers, body)``. Both are called from the server's threads.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import http.server
import json
import re
import socket
import struct
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

from http_stub import StubHandler

# Collection GETs that API Gateway paginates with limit/position, and their operation names.
_COLLECTIONS = [
    (re.compile(r"^/restapis/?$"), "GetRestApis"),
    (re.compile(r"^/restapis/[^/]+/resources/?$"), "GetResources"),
    (re.compile(r"^/restapis/[^/]+/authorizers/?$"), "GetAuthorizers"),
    (re.compile(r"^/restapis/[^/]+/models/?$"), "GetModels"),
    (re.compile(r"^/restapis/[^/]+/requestvalidators/?$"), "GetRequestValidators"),
    (re.compile(r"^/restapis/[^/]+/gatewayresponses/?$"), "GetGatewayResponses"),
    (re.compile(r"^/restapis/[^/]+/deployments/?$"), "GetDeployments"),
    (re.compile(r"^/restapis/[^/]+/documentation/parts/?$"), "GetDocumentationParts"),
    (re.compile(r"^/restapis/[^/]+/documentation/versions/?$"), "GetDocumentationVersions"),
    (re.compile(r"^/apikeys/?$"), "GetApiKeys"),
    (re.compile(r"^/usageplans/?$"), "GetUsagePlans"),
    (re.compile(r"^/domainnames/?$"), "GetDomainNames"),
    (re.compile(r"^/vpclinks/?$"), "GetVpcLinks"),
]

# Single-object paths: (pattern, {HTTP method: operation name}).
_SINGLES = [
    (re.compile(r"^/restapis/[^/]+/?$"), {"GET": "GetRestApi", "PATCH": "UpdateRestApi", "DELETE": "DeleteRestApi", "PUT": "PutRestApi"}),
    (re.compile(r"^/restapis/[^/]+/resources/[^/]+/methods/[^/]+/integration/responses/[^/]+/?$"),
     {"GET": "GetIntegrationResponse", "PUT": "PutIntegrationResponse", "DELETE": "DeleteIntegrationResponse", "PATCH": "UpdateIntegrationResponse"}),
    (re.compile(r"^/restapis/[^/]+/resources/[^/]+/methods/[^/]+/integration/?$"),
     {"GET": "GetIntegration", "PUT": "PutIntegration", "DELETE": "DeleteIntegration", "PATCH": "UpdateIntegration"}),
    (re.compile(r"^/restapis/[^/]+/resources/[^/]+/methods/[^/]+/responses/[^/]+/?$"),
     {"GET": "GetMethodResponse", "PUT": "PutMethodResponse", "DELETE": "DeleteMethodResponse", "PATCH": "UpdateMethodResponse"}),
    (re.compile(r"^/restapis/[^/]+/resources/[^/]+/methods/[^/]+/?$"),
     {"GET": "GetMethod", "PUT": "PutMethod", "DELETE": "DeleteMethod", "PATCH": "UpdateMethod"}),
    (re.compile(r"^/restapis/[^/]+/resources/[^/]+/?$"),
     {"GET": "GetResource", "POST": "CreateResource", "DELETE": "DeleteResource", "PATCH": "UpdateResource"}),
    (re.compile(r"^/restapis/[^/]+/stages/?$"), {"GET": "GetStages", "POST": "CreateStage"}),
    (re.compile(r"^/restapis/[^/]+/stages/[^/]+/exports/[^/]+/?$"), {"GET": "GetExport"}),
    (re.compile(r"^/restapis/[^/]+/stages/[^/]+/?$"), {"GET": "GetStage", "PATCH": "UpdateStage", "DELETE": "DeleteStage"}),
    (re.compile(r"^/restapis/[^/]+/deployments/[^/]+/?$"), {"GET": "GetDeployment", "DELETE": "DeleteDeployment"}),
    (re.compile(r"^/restapis/[^/]+/authorizers/[^/]+/?$"), {"GET": "GetAuthorizer", "PATCH": "UpdateAuthorizer", "DELETE": "DeleteAuthorizer"}),
    (re.compile(r"^/restapis/[^/]+/models/[^/]+/?$"), {"GET": "GetModel", "PATCH": "UpdateModel", "DELETE": "DeleteModel"}),
    (re.compile(r"^/restapis/[^/]+/requestvalidators/[^/]+/?$"),
     {"GET": "GetRequestValidator", "PATCH": "UpdateRequestValidator", "DELETE": "DeleteRequestValidator"}),
    (re.compile(r"^/restapis/[^/]+/gatewayresponses/[^/]+/?$"),
     {"GET": "GetGatewayResponse", "PUT": "PutGatewayResponse", "DELETE": "DeleteGatewayResponse"}),
]

_CREATE_OPS = {
    "GetRestApis": "CreateRestApi",
    "GetResources": "CreateResource",
    "GetAuthorizers": "CreateAuthorizer",
    "GetModels": "CreateModel",
    "GetRequestValidators": "CreateRequestValidator",
    "GetDeployments": "CreateDeployment",
    "GetApiKeys": "CreateApiKey",
    "GetUsagePlans": "CreateUsagePlan",
    "GetDomainNames": "CreateDomainName",
    "GetVpcLinks": "CreateVpcLink",
}

_HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
    "transfer-encoding", "upgrade", "host", "content-length",
}

FAULT_KINDS = ("throttle", "error", "reset", "slow", "truncate", "garble", "repeat_position", "quota")
_TOKEN_PREFIX = "gwt:"


def encode_position(offset: int) -> str:
    """The opaque position token for a page starting at `offset`."""
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_position(token: str) -> Optional[int]:
    """The offset in a token issued by this proxy, or None when it is not one of ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not text.startswith(_TOKEN_PREFIX) or not text[len(_TOKEN_PREFIX):].isdigit():
        return None
    return int(text[len(_TOKEN_PREFIX):])


def classify(method: str, path: str) -> tuple[str, bool]:
    """(operation name, is a paginated collection GET) for a request."""
    for pattern, op in _COLLECTIONS:
        if pattern.match(path):
            if method == "GET":
                return op, True
            if method == "POST" and op in _CREATE_OPS:
                return _CREATE_OPS[op], False
            return f"{method.title()}{op[3:]}", False
    for pattern, ops in _SINGLES:
        if pattern.match(path):
            return ops.get(method, "Other"), False
    return "Other", False


@dataclass
class FaultRule:
    """One scheduled fault; see the module docstring for the meaning of each field."""

    kind: str
    op: Optional[str] = None
    page: Optional[int] = None
    skip: int = 0
    times: Optional[int] = 1
    every: int = 1
    status: int = 503
    retry_after: Optional[float] = None
    delay: float = 5.0
    fraction: float = 0.5
    code: Optional[str] = None
    message: Optional[str] = None
    rate: int = 5
    per: float = 2.0
    seen: int = 0
    fired: int = 0
    served_at: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; valid: {', '.join(FAULT_KINDS)}")
        if self.every < 1:
            raise ValueError("every must be >= 1")

    def matches(self, op: str, page: Optional[int]) -> bool:
        if self.op is not None and self.op != op:
            return False
        if self.page is not None and self.page != page:
            return False
        return True

    def should_fire(self) -> bool:
        """Called once per matching request (under the proxy lock)."""
        self.seen += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.kind == "quota":
            now = time.monotonic()
            self.served_at = [t for t in self.served_at if now - t < self.per]
            if len(self.served_at) < self.rate:
                self.served_at.append(now)
                return False
            self.fired += 1
            return True
        index = self.seen - self.skip  # 1-based among requests after the skipped ones
        if index < 1 or (index - 1) % self.every != 0:
            return False
        self.fired += 1
        return True


@dataclass
class RequestRecord:
    method: str
    path: str
    query: str
    op: str
    page: Optional[int]
    outcome: str
    status: Optional[int]


@dataclass
class ProxyConfig:
    default_limit: int = 25
    max_limit: int = 500
    page_size_cap: Optional[int] = None
    upstream_timeout: float = 30.0


class ApigwProxy:
    """The proxy server; runs its ThreadingHTTPServer in a daemon thread on 127.0.0.1."""

    def __init__(self, upstream: str, port: int = 0, **config: Any) -> None:
        parsed = urllib.parse.urlsplit(upstream)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"upstream must be an http:// URL, got {upstream!r}")
        self.upstream_host = parsed.hostname
        self.upstream_port = parsed.port or 80
        self.config = ProxyConfig(**config)
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self.requests: list[RequestRecord] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._synthetic: dict[str, list[dict[str, Any]]] = {}
        self._server = _Server(("127.0.0.1", port), _Handler, self)
        self._thread: Optional[threading.Thread] = None

    # ----- lifecycle -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ApigwProxy":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="apigw-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "ApigwProxy":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ----- control ---------------------------------------------------------------------------
    def configure(self, **config: Any) -> None:
        with self._lock:
            for key, value in config.items():
                if not hasattr(self.config, key):
                    raise ValueError(f"unknown proxy setting {key!r}")
                setattr(self.config, key, value)

    def add_fault(self, kind: str, **kwargs: Any) -> FaultRule:
        rule = FaultRule(kind=kind, **kwargs)
        with self._lock:
            self._rules.append(rule)
        return rule

    def synthesize_resources(self, api_id: str, items: list[dict[str, Any]]) -> None:
        with self._lock:
            self._synthetic[api_id] = items

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    def reset(self) -> None:
        """Forget faults, counters and settings."""
        with self._lock:
            self._rules.clear()
            self.requests.clear()
            self._synthetic.clear()
            self.in_flight = self.max_in_flight = 0
            self.config = ProxyConfig()

    def clear_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.in_flight = self.max_in_flight = 0

    def count(self, op: Optional[str] = None, outcome: Optional[str] = None) -> int:
        with self._lock:
            return sum(
                1 for r in self.requests
                if (op is None or r.op == op) and (outcome is None or r.outcome == outcome)
            )

    def stats(self) -> dict[str, Any]:
        with self._lock:
            by_op: dict[str, int] = {}
            by_outcome: dict[str, int] = {}
            for r in self.requests:
                by_op[r.op] = by_op.get(r.op, 0) + 1
                by_outcome[r.outcome] = by_outcome.get(r.outcome, 0) + 1
            return {
                "total": len(self.requests),
                "by_operation": by_op,
                "by_outcome": by_outcome,
                "max_in_flight": self.max_in_flight,
                "faults": [
                    {"kind": r.kind, "op": r.op, "page": r.page, "fired": r.fired, "seen": r.seen}
                    for r in self._rules
                ],
            }

    # ----- hooks (see "Extending") -------------------------------------------------------------
    def pick_fault(self, op: str, page: Optional[int]) -> Optional[FaultRule]:
        """The fault that answers a request for operation `op` (`page`: its 1-based page for a
        collection GET, else None), or None to serve it. Counts the request for the rules it
        matches, so it is called once per request."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(op, page) and rule.should_fire():
                    return rule
            return None

    def forward(self, method: str, target: str, headers: dict[str, str],
                body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Sends `method target` (path and query, pagination parameters already removed) with
        `headers` (hop-by-hop ones already removed) and `body` upstream; returns the answer's
        status, headers (hop-by-hop ones removed) and body. Raises OSError when upstream is
        unreachable."""
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port,
                                          timeout=self.config.upstream_timeout)
        try:
            headers = dict(headers, Host=f"{self.upstream_host}:{self.upstream_port}")
            conn.request(method, target, body=body or None, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            out_headers = {k: v for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP}
            return resp.status, out_headers, payload
        finally:
            conn.close()

    # ----- used by the handler ---------------------------------------------------------------

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _synthetic_items(self, op: str, path: str) -> Optional[list[dict[str, Any]]]:
        if op != "GetResources":
            return None
        with self._lock:
            return self._synthetic.get(path.strip("/").split("/")[1])


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, proxy: ApigwProxy) -> None:
        self.proxy = proxy
        super().__init__(address, handler)


class _Reset(Exception):
    """Raised to drop the connection with a TCP reset."""


class _Handler(StubHandler):
    server: _Server

    def respond(self, body: bytes) -> None:
        proxy = self.server.proxy
        split = urllib.parse.urlsplit(self.path)
        if split.path.startswith("/__proxy/"):
            self._admin(split.path, body)
            return

        op, paginated = classify(self.command, split.path)
        query = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        page_size = offset = page = None
        if paginated:
            params = dict(query)
            try:
                page_size, offset = self._page_window(params)
            except ValueError as err:
                proxy._record(RequestRecord(self.command, split.path, split.query, op, None, "bad_request", 400))
                self._send_aws_error(400, "BadRequestException", str(err))
                return
            page = offset // page_size + 1
            query = [(k, v) for k, v in query if k not in ("limit", "position")]

        rule = proxy.pick_fault(op, page)
        # Recorded before answering, so a client that got its response always sees it counted.
        record = RequestRecord(self.command, split.path, split.query, op, page, rule.kind if rule else "ok", None)
        proxy._record(record)
        proxy._enter()
        self._counted_in_flight = True
        try:
            record.status = self._serve(split.path, query, body, op, paginated, page_size, offset, rule)
        except _Reset:
            self._reset_connection()
        finally:
            self._leave_in_flight()

    def _leave_in_flight(self) -> None:
        """Stops counting this request as in flight, once. Called before the answer is written:
        a client that has read the answer may send its next request before this thread runs
        again, and counting both would report one more in flight than the client allowed."""
        if getattr(self, "_counted_in_flight", False):
            self._counted_in_flight = False
            self.server.proxy._leave()

    def _page_window(self, params: dict[str, str]) -> tuple[int, int]:
        cfg = self.server.proxy.config
        limit = cfg.default_limit
        if "limit" in params:
            try:
                limit = int(params["limit"])
            except ValueError:
                raise ValueError(f"Invalid limit: {params['limit']!r}") from None
            if limit < 1 or limit > cfg.max_limit:
                raise ValueError(f"limit must be between 1 and {cfg.max_limit}")
        if cfg.page_size_cap:
            limit = min(limit, cfg.page_size_cap)
        offset = 0
        if "position" in params:
            decoded = decode_position(params["position"])
            if decoded is None:
                raise ValueError(f"Invalid position parameter: {params['position']!r}")
            offset = decoded
        return limit, offset

    def _serve(self, path: str, query: list[tuple[str, str]], body: bytes, op: str, paginated: bool,
               page_size: Optional[int], offset: Optional[int], rule: Optional[FaultRule]) -> Optional[int]:
        if rule is not None:
            if rule.kind in ("throttle", "quota"):
                headers = {"x-amzn-ErrorType": "TooManyRequestsException"}
                if rule.retry_after is not None:
                    headers["Retry-After"] = f"{rule.retry_after:g}"
                self._send_aws_error(429, "TooManyRequestsException", "Too Many Requests", headers)
                return 429
            if rule.kind == "error":
                error_type = rule.code or ("ServiceUnavailableException" if rule.status == 503 else "InternalFailure")
                self._send_aws_error(rule.status, error_type, rule.message or "Injected server error")
                return rule.status
            if rule.kind == "reset":
                raise _Reset()
            if rule.kind == "slow":
                time.sleep(rule.delay)
            if rule.kind == "garble":
                self._send(200, b'{"item": [{"id": "abc", "path": "/\x00\xff not json', {"Content-Type": "application/json"})
                return 200

        synthetic = self.server.proxy._synthetic_items(op, path) if paginated else None
        if synthetic is not None:
            status, headers = 200, {"Content-Type": "application/json"}
            payload = json.dumps({"item": synthetic}).encode()
        else:
            upstream_query = urllib.parse.urlencode(query)
            target = path + (f"?{upstream_query}" if upstream_query else "")
            try:
                forwarded = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                status, headers, payload = self.server.proxy.forward(self.command, target, forwarded, body)
            except OSError as err:
                self._send_aws_error(502, "BadGatewayException", f"upstream unreachable: {err}")
                return 502

        if paginated and status == 200 and page_size is not None and offset is not None:
            payload = self._paginate(payload, page_size, offset, rule)
        if rule is not None and rule.kind == "truncate":
            payload = payload[: max(1, int(len(payload) * rule.fraction))]
        self._send(status, payload, headers)
        return status

    def _paginate(self, payload: bytes, page_size: int, offset: int, rule: Optional[FaultRule]) -> bytes:
        try:
            doc = json.loads(payload or b"{}")
        except ValueError:
            return payload
        items = doc.get("item") or []
        page_items = items[offset: offset + page_size]
        out: dict[str, Any] = {k: v for k, v in doc.items() if k not in ("item", "position")}
        out["item"] = page_items
        if rule is not None and rule.kind == "repeat_position":
            out["position"] = encode_position(offset)
        elif offset + page_size < len(items):
            out["position"] = encode_position(offset + page_size)
        return json.dumps(out).encode()

    def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        self._leave_in_flight()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if not any(k.lower() == "x-amzn-requestid" for k in headers):
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _send_aws_error(self, status: int, error_type: str, message: str,
                        headers: Optional[dict[str, str]] = None) -> None:
        all_headers = {"Content-Type": "application/json", "x-amzn-ErrorType": error_type}
        all_headers.update(headers or {})
        body = json.dumps({"message": message, "__type": error_type}).encode()
        self._send(status, body, all_headers)

    def _reset_connection(self) -> None:
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def _admin(self, path: str, body: bytes) -> None:
        proxy = self.server.proxy
        try:
            args = json.loads(body) if body else None
            if path == "/__proxy/stats" and self.command == "GET":
                result: Any = proxy.stats()
            elif path == "/__proxy/reset" and self.command == "POST":
                proxy.reset()
                result = {"ok": True}
            elif path == "/__proxy/faults" and self.command == "POST":
                for spec in args or []:
                    proxy.add_fault(**spec)
                result = {"ok": True, "rules": len(args or [])}
            elif path == "/__proxy/config" and self.command == "POST":
                proxy.configure(**(args or {}))
                result = {"ok": True}
            else:
                self._send(404, b'{"message": "unknown admin endpoint"}', {"Content-Type": "application/json"})
                return
        except (ValueError, TypeError) as err:
            self._send(400, json.dumps({"message": str(err)}).encode(), {"Content-Type": "application/json"})
            return
        self._send(200, json.dumps(result).encode(), {"Content-Type": "application/json"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="emulator base URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--port", type=int, default=0, help="listen port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--page-size-cap", type=int, default=None, help="force pages of at most N items")
    args = parser.parse_args()
    proxy = ApigwProxy(args.upstream, port=args.port, page_size_cap=args.page_size_cap)
    print(f"apigw proxy listening on {proxy.url} -> {args.upstream}", flush=True)
    try:
        proxy._server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
