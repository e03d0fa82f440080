"""`gwtrigger` on a terminal: retries are shown on stderr as they happen, so an endpoint that keeps
failing is not a long silence. (Off a terminal the same run prints only the error; see
tests/cli_messages.rs.)"""

from __future__ import annotations

import http.server
import os
import pty
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

from harness import REGION, clean_env


class _AlwaysFailing(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(500)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_endpoint() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AlwaysFailing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def run_with_terminal_stderr(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Runs a command with stderr on a pseudo-terminal; returns (exit code, stdout, stderr)."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=terminal, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    return proc.wait(timeout=60), stdout, b"".join(chunks).decode(errors="replace")


def test_retries_are_shown_as_they_happen(cli_binary: Path, failing_endpoint: str) -> None:
    code, stdout, stderr = run_with_terminal_stderr(
        [str(cli_binary), "hash", "--rest-api-id", "abc", "--region", REGION,
         "--endpoint-url", failing_endpoint, "--max-retries", "2"],
        clean_env({"GWTRIGGER_MAX_BACKOFF_MS": "10"}),
    )
    assert (code, stdout) == (1, ""), stderr
    lines = stderr.replace("\r\n", "\n").splitlines()
    retries = [line for line in lines if "attempt" in line and "so far" in line]
    # One line per operation and retry: attempts 2 and 3 of 3, after an HTTP 500.
    assert any("HTTP 500, retrying (attempt 2 of 3" in line for line in retries), stderr
    assert any("HTTP 500, retrying (attempt 3 of 3" in line for line in retries), stderr
    assert "on each of 3 attempts over" in " ".join(stderr.split()), stderr
