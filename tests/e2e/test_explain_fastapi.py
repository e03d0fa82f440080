"""examples/fastapi end to end, the seed's docs-page 403: the example's app under uvicorn on a
loopback port, examples/fastapi/terraform applied unchanged with hashicorp/aws against LocalStack
(its backend URL pointed at the loopback app), and the docs page `/dev/docs` loaded through the
stage in a real headless chromium.

- Without a root path the page loads but its OpenAPI document does not: Swagger UI asks the stage
  host for `/openapi.json`, outside the stage, and shows "Failed to load API definition"; the app
  never sees that request. `gwtrigger explain` on it names `stage_prefix` and the fix (`root_path`).
- With the stage as root path (`STAGE_NAME=dev`, as the README says) the page renders the API's
  title and operations from `/dev/openapi.json`.

The control plane goes through fake_apigw (deployments recorded, as the other stage tests do).
Swagger UI's script comes from browser.CdnStandIn: this machine reaches no CDN.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

import pytest

from browser import CdnStandIn, dump_dom
from explain_cli import assert_layer, explain
from fake_apigw import FakeApigw
from fake_gateway import FakeLogs
from harness import REGION, REPO_ROOT, Cli, Terraform, Tools, aws_provider_block, clean_env, free_port
from localstack_server import LocalStack

EXAMPLE = REPO_ROOT / "examples" / "fastapi"
STAGE = "dev"

# Our additions to the example's configuration: provider blocks for the emulator. The example's
# own files are copied unchanged.
PROVIDERS_TF = aws_provider_block("var.endpoint") + f"""
provider "gwtrigger" {{
  region = "{REGION}"
  endpoints {{
    apigateway = var.endpoint
  }}
}}

variable "endpoint" {{
  type = string
}}
"""


class App:
    """examples/fastapi/app.py run as its README says (`STAGE_NAME=dev python app.py`), on one
    loopback port across restarts; its access log is kept to show which paths reached it."""

    def __init__(self, python: Path, workdir: Path) -> None:
        self.python = python
        self.port = free_port()
        self.log_path = workdir / "uvicorn.log"
        self.proc: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, stage_name: str) -> "App":
        self.stop()
        env = clean_env({"HOST": "127.0.0.1", "PORT": str(self.port), "STAGE_NAME": stage_name})
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([str(self.python), "app.py"], cwd=EXAMPLE, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"app.py exited:\n{self.log()}"
            try:
                urllib.request.urlopen(f"{self.url}/status", timeout=2).read()
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        pytest.fail(f"app.py did not answer on {self.url} within 30 s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@dataclass
class Deployed:
    localstack: LocalStack
    fake: FakeApigw
    logs: FakeLogs
    app: App
    cdn: CdnStandIn
    rest_api_id: str

    @property
    def host(self) -> str:
        return f"{self.rest_api_id}.execute-api.localhost.localstack.cloud"

    def stage_host_url(self, path: str) -> str:
        """A URL on the stage's own host name, as a browser uses it (chromium maps the name to LocalStack)."""
        return f"http://{self.host}:{self.localstack.port}{path}"

    def browse(self, path: str) -> str:
        dom = dump_dom(self.stage_host_url(path),
                       {"*.localhost.localstack.cloud": "127.0.0.1", **self.cdn.host_rules()})
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))  # the page's text


@pytest.fixture(scope="module")
def deployed(localstack: LocalStack, tools: Tools, aws_terraform_factory: Callable[[Path], Terraform],
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    workdir = tmp_path_factory.mktemp("fastapi")
    app = App(tools.python, workdir).start(stage_name="")
    fake = FakeApigw(localstack.url, region=REGION).start()
    logs = FakeLogs().start()
    cdn = CdnStandIn(workdir).start()
    try:
        config = workdir / "terraform"
        shutil.copytree(EXAMPLE / "terraform", config, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
        (config / "emulator_providers.tf").write_text(PROVIDERS_TF)
        tf = aws_terraform_factory(config)
        tf.init()
        tf.apply({"endpoint": fake.url, "backend_url": app.url})
        docs_url = tf.outputs()["docs_url"]
        m = re.match(r"https://([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com/dev/docs$", docs_url)
        assert m, f"unexpected docs_url output {docs_url!r}"
        yield Deployed(localstack, fake, logs, app, cdn, m[1])
    finally:
        app.stop()
        cdn.stop()
        logs.stop()
        fake.stop()


def test_the_stage_answers_through_the_proxy(deployed: Deployed) -> None:
    deployed.app.start(stage_name=STAGE)
    request = urllib.request.Request(deployed.localstack.url + "/dev/orders/1", headers={"Host": deployed.host})
    with urllib.request.urlopen(request, timeout=30) as resp:
        assert resp.status == 200
        assert b'"item":"coffee"' in resp.read().replace(b" ", b"")


def test_docs_page_without_root_path_fails_to_load_its_openapi_document(deployed: Deployed) -> None:
    deployed.app.start(stage_name="")
    page = deployed.browse("/dev/docs")
    assert "Failed to load API definition" in page, page
    assert "/openapi.json" in page, page  # Swagger UI's fetch error names the URL it asked for
    assert "List Orders" not in page, page
    assert "GET /docs " in deployed.app.log(), "the page itself is served through the stage"
    assert "/openapi.json" not in deployed.app.log(), "the failing request must stop at the gateway"
    assert any(p.endswith("swagger-ui-bundle.js") for p in deployed.cdn.served), "Swagger UI never loaded"


def test_explain_names_the_stage_prefix_and_root_path(deployed: Deployed, cli: Cli) -> None:
    got = explain(cli, f"{deployed.localstack.url}/openapi.json", "-H", f"Host: {deployed.host}",
                  "--logs-wait", "0", endpoint=deployed.fake.url, logs_url=deployed.logs.url)
    assert_layer(got, "stage_prefix", "/dev/openapi.json", "root_path")
    assert got.doc["rest_api_id"] == deployed.rest_api_id, got.doc


def test_docs_page_with_root_path_renders_the_api(deployed: Deployed) -> None:
    deployed.app.start(stage_name=STAGE)
    page = deployed.browse("/dev/docs")
    assert "Failed to load API definition" not in page, page
    for shown in ("orders", "1.0.0", "/dev/openapi.json", "List Orders", "Get Order", "{order_id}", "GET /status"):
        assert shown in page, f"{shown!r} not on the page:\n{page}"
    assert "GET /dev/openapi.json" in deployed.app.log(), deployed.app.log()
