"""A real headless browser for the e2e tests: Debian's `chromium`, run once per page with
`--dump-dom`, plus a loopback HTTPS stand-in for the CDN that FastAPI's Swagger UI page loads its
script and stylesheet from (`cdn.jsdelivr.net`), serving the Swagger UI 5 files of the pinned
`swagger-ui-py` wheel (this machine reaches no CDN).

`chromium()` finds the browser or fails the test saying how to install it (scripts/bootstrap.sh
does, as root on Debian). `dump_dom(url, hosts=...)` loads one page with host names mapped to
loopback ports (`--host-resolver-rules`) and returns the DOM after the page's scripts ran
(`--virtual-time-budget`: the browser's clock runs until the page's fetches have settled).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

import pytest

from http_stub import LoopbackServer, StubHandler

INSTALL_HINT = (
    "Debian's chromium is needed for the browser tests: run scripts/bootstrap.sh as root (it runs "
    "`apt-get install chromium`), or `apt-get install chromium` yourself, or put a Chromium/Chrome "
    "executable on PATH as `chromium`."
)
CDN_HOSTS = ("cdn.jsdelivr.net", "fastapi.tiangolo.com")  # FastAPI's Swagger UI page: script/css, favicon
# The browser flags that keep a headless Chromium off the network it has no access to.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--ignore-certificate-errors",
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"no chromium on PATH. {INSTALL_HINT}", pytrace=False)


def dump_dom(url: str, hosts: dict[str, str], budget_ms: int = 15000, timeout: float = 90.0) -> str:
    """The page's DOM once its scripts and fetches have run; `hosts` maps names to `IP[:port]`."""
    rules = ", ".join(f"MAP {name} {target}" for name, target in hosts.items())
    with tempfile.TemporaryDirectory(prefix="gwtrigger-chromium-") as profile:
        proc = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--host-resolver-rules={rules}",
             f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
        )
    assert proc.returncode == 0 and "<html" in proc.stdout, (
        f"chromium --dump-dom {url} failed (exit {proc.returncode})\n--- stderr ---\n{proc.stderr[-3000:]}")
    return proc.stdout


def swagger_ui_static() -> Path:
    try:
        import swagger_ui  # the swagger-ui-py wheel, pinned in requirements-dev.txt
    except ImportError:
        pytest.fail("swagger-ui-py is missing from .venv: run scripts/bootstrap.sh", pytrace=False)
    return Path(swagger_ui.__file__).parent / "static"


class CdnStandIn(LoopbackServer):
    """HTTPS on loopback answering `/npm/swagger-ui-dist@5/<file>` from swagger-ui-py's files
    (404 for anything else, e.g. the favicon). `served` lists the paths answered 200."""

    def __init__(self, workdir: Path) -> None:
        self.static = swagger_ui_static()
        self.served: list[str] = []
        self.handler = _CdnHandler
        super().__init__()
        self.use_tls(workdir, CDN_HOSTS)  # chromium runs with --ignore-certificate-errors

    def host_rules(self) -> dict[str, str]:
        """`--host-resolver-rules` entries sending the CDN's names to this server."""
        return {name: f"127.0.0.1:{self.port}" for name in CDN_HOSTS}

    def file_for(self, path: str) -> Optional[Path]:
        prefix = "/npm/swagger-ui-dist@5/"
        if not path.startswith(prefix):
            return None
        candidate = self.static / path[len(prefix):]
        return candidate if candidate.parent == self.static and candidate.is_file() else None


class _CdnHandler(StubHandler):
    def respond(self, body: bytes) -> None:
        cdn: CdnStandIn = self.server.owner  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        found = cdn.file_for(path)
        data = found.read_bytes() if found else b"not found"
        kind = "text/css" if path.endswith(".css") else "application/javascript" if found else "text/plain"
        if found:
            cdn.served.append(path)
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
