"""The scaffolding our loopback HTTP stand-ins share (`apigw_proxy`, `fake_apigw`, `fake_gateway`,
`browser`), and `EchoBackend`, a loopback backend for a stage's integrations.

StubHandler: HTTP/1.1 with keep-alive, no request log (tests read counters, not logs),
TCP_NODELAY, and every method routed to `respond(body)` with the request body already read.
LoopbackServer: a threading server on a free 127.0.0.1 port, served from a daemon thread, whose
handler reaches the owning object as `self.server.owner`; `use_tls` makes it HTTPS with a fresh
self-signed certificate (for the names given and 127.0.0.1) that clients can be told to trust.
"""

from __future__ import annotations

import datetime as _dt
import http.server
import ipaddress
import json
import ssl
import threading
from pathlib import Path
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
        self.scheme = "http"

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def use_tls(self, directory: Path, names: tuple[str, ...] = ("localhost",)) -> Path:
        """Serve HTTPS (call before `start`); returns the PEM certificate clients must trust."""
        cert, key = self_signed_cert(directory, names)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https"
        return cert

    def start(self) -> Any:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread (a stand-in run as its own process)."""
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def self_signed_cert(directory: Path, names: tuple[str, ...]) -> tuple[Path, Path]:
    """A one-day self-signed certificate for `names` and 127.0.0.1, and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = _dt.datetime.now(_dt.timezone.utc)
    alt_names = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .sign(key, hashes.SHA256())
    )
    stem = names[0].replace("*", "wildcard")
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class EchoBackend(LoopbackServer):
    """A loopback HTTP backend standing in for what a stage integrates with (a Lambda function, a
    service): every request is answered 200 with JSON naming this backend and what it received,
    `{"backend": NAME, "method": "GET", "path": "/orders/42"}`, so a test calling the stage sees
    which backend answered. `with EchoBackend("orders") as backend:` ... `backend.url`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handler = _EchoHandler
        super().__init__()

    def __enter__(self) -> "EchoBackend":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class _EchoHandler(StubHandler):
    def respond(self, body: bytes) -> None:
        echo: EchoBackend = self.server.owner  # type: ignore[attr-defined]
        payload = json.dumps({"backend": echo.name, "method": self.command, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
