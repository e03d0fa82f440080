#!/usr/bin/env python3
"""Starts and stops LocalStack (API Gateway with a stage data plane) on a free loopback port: the
one launcher of the e2e tests (fixture `localstack` in conftest.py) and of `make demo`.

LocalStack runs from .venv-localstack (scripts/bootstrap_localstack.sh, Python 3.13) with only
API Gateway, STS, IAM and CloudWatch Logs (IAM and Logs for examples/rest-api's logging parts;
LocalStack loads a service on its first call), no persistence and its files in a directory of
the caller's. Ready when /_localstack/health lists apigateway as available. Stopped with SIGTERM
to its process group, then SIGKILL after a grace period; `with LocalStack(...)` and the `serve` command always stop it.

  tests/e2e/support/localstack_server.py serve --dir DIR --url-file FILE
      # start, write the URL to FILE, run until SIGTERM/SIGINT, then stop LocalStack
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

REPO_ROOT = Path(__file__).resolve().parents[3]  # tests/e2e/support/<this file>
VENV = REPO_ROOT / ".venv-localstack"
STARTUP_TIMEOUT = 120.0  # seconds; 2-30 s is usual
STOP_GRACE = 15.0


class LocalStackUnavailable(RuntimeError):
    """LocalStack is not installed or did not start; the message says why and what to do."""


# Written by scripts/bootstrap_localstack.sh once LocalStack is installed and imports.
STAMP = VENV / ".gwtrigger-bootstrap"


def installed() -> bool:
    return STAMP.exists() and (VENV / "bin" / "python").exists()


def python() -> Path:
    """The interpreter of .venv-localstack, or LocalStackUnavailable explaining its absence."""
    if not installed():
        raise LocalStackUnavailable(
            f"{VENV} is missing or incomplete: LocalStack needs Python 3.13 (scripts/bootstrap_localstack.sh "
            "says whether it found one and whether the install worked; install Python 3.13, e.g. "
            "`pyenv install 3.13`, then run scripts/bootstrap.sh)"
        )
    return VENV / "bin" / "python"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStack:
    """One LocalStack process. `url` is the control-plane endpoint; `stage_url` the data plane."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "localstack.log"
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.startup_seconds: Optional[float] = None

    def start(self) -> "LocalStack":
        exe = python()
        state = self.workdir / "state"
        state.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))}
        env.update(
            SERVICES="apigateway,sts,iam,logs",
            GATEWAY_LISTEN=f"127.0.0.1:{self.port}",
            SKIP_SSL_CERT_DOWNLOAD="1",
            PERSISTENCE="0",
            LOCALSTACK_VOLUME_DIR=str(state),
            FILESYSTEM_ROOT=str(state),
            DISABLE_EVENTS="1",  # no usage analytics calls
        )
        began = time.monotonic()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [str(exe), "-m", "localstack.runtime.main"], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=env, cwd=self.workdir, start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise LocalStackUnavailable(
                    f"LocalStack exited with {self.proc.returncode} while starting; its log:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_localstack/health", timeout=2) as resp:
                    services = json.load(resp).get("services", {})
                if services.get("apigateway") in ("available", "running"):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            time.sleep(0.25)
        raise LocalStackUnavailable(
            f"LocalStack did not report apigateway available within {STARTUP_TIMEOUT:.0f}s; its log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL after STOP_GRACE seconds. Idempotent."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def stage_url(self, rest_api_id: str, stage: str, path: str = "") -> str:
        """The invoke URL of `path` on a stage (LocalStack's path-style data plane)."""
        return f"{self.url}/restapis/{rest_api_id}/{stage}/_user_request_/{path.lstrip('/')}"

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def call_stage(url: str, method: str = "GET", timeout: float = 30.0,
               headers: Optional[dict[str, str]] = None) -> tuple[int, str, dict[str, str]]:
    """One plain HTTP call to a stage: (status, body, headers), error statuses included."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), dict(err.headers)


def serve(workdir: Path, url_file: Path) -> int:
    """Start LocalStack, publish its URL, stay up until SIGTERM/SIGINT, then stop it."""
    stop = {"now": False}

    def on_signal(signum: int, frame: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    workdir.mkdir(parents=True, exist_ok=True)
    ls = LocalStack(workdir)
    try:
        ls.start()
    except LocalStackUnavailable as err:
        print(err, file=sys.stderr)
        return 1
    try:
        url_file.write_text(json.dumps({"url": ls.url, "startup_seconds": round(ls.startup_seconds or 0, 1)}))
        while not stop["now"] and ls.proc is not None and ls.proc.poll() is None:
            time.sleep(0.2)
    finally:
        ls.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="start LocalStack and run until SIGTERM")
    s.add_argument("--dir", type=Path, required=True, help="LocalStack's state and log directory")
    s.add_argument("--url-file", type=Path, required=True, help="written as JSON {url, startup_seconds} once ready")
    args = parser.parse_args()
    return serve(args.dir, args.url_file)


if __name__ == "__main__":
    sys.exit(main())
