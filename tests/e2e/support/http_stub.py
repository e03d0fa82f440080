"""The request-handler scaffolding our loopback HTTP stand-ins share (`apigw_proxy`, `fake_apigw`),
and `EchoBackend`, a loopback backend for a stage's integrations.

HTTP/1.1 with keep-alive, no request log (tests read counters, not logs), TCP_NODELAY, and
every method routed to `respond(body)` with the request body already read.
"""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any, Optional


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


class EchoBackend:
    """A loopback HTTP backend standing in for what a stage integrates with (a Lambda function, a
    service): every request is answered 200 with JSON naming this backend and what it received,
    `{"backend": NAME, "method": "GET", "path": "/orders/42"}`, so a test calling the stage sees
    which backend answered. `with EchoBackend("orders") as backend:` ... `backend.url`."""

    def __init__(self, name: str) -> None:
        self.name = name
        echo = self

        class Handler(StubHandler):
            def respond(self, body: bytes) -> None:
                payload = json.dumps({"backend": echo.name, "method": self.command, "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "EchoBackend":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
