"""The request-handler scaffolding our loopback HTTP stand-ins share (`apigw_proxy`, `fake_apigw`).

HTTP/1.1 with keep-alive, no request log (tests read counters, not logs), TCP_NODELAY, and
every method routed to `respond(body)` with the request body already read.
"""

from __future__ import annotations

import http.server
from typing import Any


class StubHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Handlers write headers and body separately; with Nagle's algorithm on, the body then
    # waits for the client's delayed ACK (~40 ms per request on Linux loopback).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.respond(self.rfile.read(length) if length else b"")

    def respond(self, body: bytes) -> None:
        """Answers the request (`self.command`, `self.path`, `self.headers`) whose body is `body`."""
        raise NotImplementedError
