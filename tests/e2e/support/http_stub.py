"""The scaffolding our loopback HTTP stand-ins share (`apigw_proxy`, `fake_apigw`, `fake_gateway`,
`browser`).

StubHandler: HTTP/1.1 with keep-alive, no request log (tests read counters, not logs),
TCP_NODELAY, and every method routed to `respond(body)` with the request body already read.
LoopbackServer: a threading server on a free 127.0.0.1 port, served from a daemon thread, whose
handler reaches the owning object as `self.server.owner`.
"""

from __future__ import annotations

import http.server
import threading
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

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.respond(self.rfile.read(length) if length else b"")

    def respond(self, body: bytes) -> None:
        """Answers the request (`self.command`, `self.path`, `self.headers`) whose body is `body`."""
        raise NotImplementedError


class _OwnedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, handler: type, owner: Any) -> None:
        super().__init__(("127.0.0.1", port), handler)
        self.owner = owner


class LoopbackServer:
    """Subclasses set `handler` (a StubHandler subclass) before calling `__init__`; `port` 0 takes
    a free one."""

    handler: type

    def __init__(self, port: int = 0) -> None:
        self._lock = threading.Lock()
        self._server = _OwnedServer(port, self.handler, self)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Any:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread (a stand-in run as its own process)."""
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
