"""AWS-shaped stand-ins for what LocalStack neither enforces nor logs: a REST API stage's data plane
answering as AWS's gateway-response documentation says, and CloudWatch Logs' FilterLogEvents over
the execution-log lines that stage writes.

FakeStage (stdlib http.server on loopback)
    Serves LocalStack's path form ``/restapis/{id}/{stage}/_user_request_/{path}``. Each route the
    test declares (``on("GET", "/orders", answer)``) answers the declared status, body and headers;
    every answer carries ``x-amzn-RequestId`` (a fresh UUID) and, when the gateway answered rather
    than the backend, ``x-amzn-ErrorType``. A request that matches no declared route gets AWS's
    MISSING_AUTHENTICATION_TOKEN response: 403, ``MissingAuthenticationTokenException``,
    ``{"message":"Missing Authentication Token"}`` — never written to the execution log, as on AWS.
    ``default`` is that answer unless a test customises it (a gateway response of the API's).
    When the stage logs (``logs`` given and ``logging=True``), the answer's ``log_lines`` are
    written to ``API-Gateway-Execution-Logs_{apiId}/{stage}`` with AWS's ``(requestId) `` prefix
    (``{request_id}`` in a line becomes the request's id).
    ``requests`` lists ``(method, path, headers)`` as received (tests assert what was sent).

FakeLogs (stdlib http.server on loopback; ``AWS_ENDPOINT_URL_CLOUDWATCH_LOGS``)
    The awsJson1.1 protocol: ``POST /`` with ``X-Amz-Target: Logs_20140328.<Operation>``.
    FilterLogEvents: ``{"events":[{"logStreamName","timestamp","message","ingestionTime",
    "eventId"}],"searchedLogStreams":[]}``; ``filterPattern`` as AWS documents its simplest forms
    (a quoted phrase must appear as is; unquoted terms must all appear). DescribeLogGroups with
    ``logGroupNamePrefix``. An unknown group: 400 ``ResourceNotFoundException`` "The specified log
    group does not exist.". ``calls`` lists ``(operation, request JSON)``.

The answer builders below return the documented defaults of each gateway response type.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

from http_stub import LoopbackServer, StubHandler

MISSING_TOKEN = "MissingAuthenticationTokenException"
FORBIDDEN = "ForbiddenException"
ACCESS_DENIED = "AccessDeniedException"


@dataclass
class Answer:
    status: int
    body: str
    error_type: Optional[str] = None  # x-amzn-ErrorType; None: the backend answered
    headers: dict[str, str] = field(default_factory=dict)
    log_lines: list[str] = field(default_factory=list)  # without the "(requestId) " prefix


def json_message(message: str) -> str:
    return json.dumps({"message": message})


def missing_token() -> Answer:
    return Answer(403, json_message("Missing Authentication Token"), MISSING_TOKEN)


def forbidden(log_lines: Optional[list[str]] = None) -> Answer:
    return Answer(403, json_message("Forbidden"), FORBIDDEN, log_lines=log_lines or [])


def policy_denied(resource_arn: str, explicit: bool) -> Answer:
    message = f"User: anonymous is not authorized to perform: execute-api:Invoke on resource: {resource_arn}"
    return Answer(403, json_message(message + (" with an explicit deny" if explicit else "")), ACCESS_DENIED)


def authorizer_denied(explicit: bool, log_lines: Optional[list[str]] = None) -> Answer:
    message = "User is not authorized to access this resource" + (" with an explicit deny" if explicit else "")
    return Answer(403, json_message(message), ACCESS_DENIED, log_lines=log_lines or [])


def backend(status: int, body: str, headers: Optional[dict[str, str]] = None,
            log_lines: Optional[list[str]] = None) -> Answer:
    return Answer(status, body, None, headers=headers or {}, log_lines=log_lines or [])


# ------------------------------------------------------------------------------ CloudWatch Logs

def matches_filter(message: str, pattern: str) -> bool:
    pattern = (pattern or "").strip()
    if not pattern:
        return True
    if pattern.startswith('"') and pattern.endswith('"') and len(pattern) >= 2:
        return pattern[1:-1] in message
    return all(term.strip('"') in message for term in pattern.split())


class FakeLogs(LoopbackServer):
    def __init__(self) -> None:
        self.groups: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.handler = _LogsHandler
        super().__init__()

    def create_group(self, name: str) -> None:
        with self._lock:
            self.groups.setdefault(name, [])

    def write(self, group: str, stream: str, message: str) -> None:
        now = int(time.time() * 1000)
        with self._lock:
            events = self.groups.setdefault(group, [])
            events.append({"logStreamName": stream, "timestamp": now, "message": message,
                           "ingestionTime": now, "eventId": str(len(events) + 1).zfill(56)})

    def answer(self, operation: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls.append((operation, request))
            if operation == "FilterLogEvents":
                group = request.get("logGroupName") or ""
                if group not in self.groups:
                    return 400, {"__type": "ResourceNotFoundException",
                                 "message": "The specified log group does not exist."}
                start, end = request.get("startTime"), request.get("endTime")
                events = [
                    e for e in self.groups[group]
                    if matches_filter(e["message"], request.get("filterPattern") or "")
                    and (start is None or e["timestamp"] >= start) and (end is None or e["timestamp"] <= end)
                    and (not request.get("logStreamNames") or e["logStreamName"] in request["logStreamNames"])
                ]
                return 200, {"events": events[: int(request.get("limit") or 10000)], "searchedLogStreams": []}
            if operation == "DescribeLogGroups":
                prefix = request.get("logGroupNamePrefix") or ""
                return 200, {"logGroups": [
                    {"logGroupName": name, "arn": f"arn:aws:logs:us-east-1:123456789012:log-group:{name}:*",
                     "creationTime": 0, "storedBytes": 0}
                    for name in sorted(self.groups) if name.startswith(prefix)]}
            return 400, {"__type": "UnknownOperationException", "message": f"fake_gateway: {operation}"}


class _LogsHandler(StubHandler):

    def respond(self, body: bytes) -> None:
        target = self.headers.get("X-Amz-Target") or ""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        status, doc = self.server.owner.answer(target.rpartition(".")[2], request)
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# ------------------------------------------------------------------------------ the data plane

class FakeStage(LoopbackServer):
    def __init__(self, rest_api_id: str, stage: str, logs: Optional[FakeLogs] = None, logging: bool = False) -> None:
        self.rest_api_id = rest_api_id
        self.stage = stage
        self.logs = logs
        self.logging = logging
        self.routes: dict[tuple[str, str], Answer] = {}
        self.default = missing_token()  # what no declared route gets; a customised gateway response may change it
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.handler = _StageHandler
        super().__init__()
        if logs is not None and logging:
            logs.create_group(self.log_group)

    @property
    def log_group(self) -> str:
        return f"API-Gateway-Execution-Logs_{self.rest_api_id}/{self.stage}"

    @property
    def prefix(self) -> str:
        return f"/restapis/{self.rest_api_id}/{self.stage}/_user_request_"

    def invoke_url(self, path: str) -> str:
        return f"{self.url}{self.prefix}/{path.lstrip('/')}"

    def on(self, method: str, path: str, answer: Answer) -> "FakeStage":
        self.routes[(method.upper(), path)] = answer
        return self

    def answer(self, method: str, raw_path: str, headers: dict[str, str]) -> tuple[Answer, str]:
        request_id = str(uuid.uuid4())
        path = urllib.parse.unquote(urllib.parse.urlsplit(raw_path).path)
        with self._lock:
            self.requests.append((method, path, headers))
        route = path[len(self.prefix):] or "/" if path.startswith(self.prefix) else None
        answer = self.routes.get((method, route or ""), self.default)
        if self.logs is not None and self.logging and answer.error_type != MISSING_TOKEN:
            stream = uuid.uuid4().hex
            for line in answer.log_lines:
                line = line.replace("{request_id}", request_id)
                self.logs.write(self.log_group, stream, f"({request_id}) {line}")
        return answer, request_id


class _StageHandler(StubHandler):

    def respond(self, body: bytes) -> None:
        answer, request_id = self.server.owner.answer(self.command, self.path, dict(self.headers.items()))
        data = answer.body.encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-RequestId", request_id)
        if answer.error_type:
            self.send_header("x-amzn-ErrorType", answer.error_type)
        for k, v in answer.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
