"""The examples and the claims the docs make, checked.

- `terraform fmt -check` on every example directory; `terraform validate` of examples/local/stand-in,
  stage-check and rest-api, with gwtrigger from the test mirror and hashicorp/aws from where
  support/aws_provider.py finds it. examples/rest-api and examples/local are applied on
  LocalStack by test_example_rest_api.py and test_demo_config.py.
- examples/fastapi: the docs page and "Try it out" work behind a stand-in for API Gateway's
  stage routing when the stage is the root path, and hit the classic 403 when it is not.
- docs/guides/when-terraform-reads.md and migrating-from-triggers-list.md: the Terraform
  behaviour they describe (when a data source with depends_on is read, what ignore_changes does
  to `triggers`), with Terraform's built-in `terraform_remote_state` and `terraform_data` only.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin

import pytest

from harness import REPO_ROOT, Terraform, Tools, run

EXAMPLES = REPO_ROOT / "examples"
# Directories whose providers all install from the test mirror (gwtrigger + built-ins), and those
# that also need hashicorp/aws (examples/local is applied by test_demo_config.py; rest-api is
# validated as the root module it can be, with its providers.tf, and applied as a child module).
VALIDATABLE = ["local/stand-in", "stage-check"]
VALIDATABLE_WITH_AWS = ["rest-api"]


def example_dirs() -> list[Path]:
    return sorted({p.parent for p in EXAMPLES.rglob("*.tf") if ".terraform" not in p.parts})


# ------------------------------------------------------------------------------ fmt / validate

def test_every_example_directory_is_checked() -> None:
    names = {str(d.relative_to(EXAMPLES)) for d in example_dirs()}
    assert {"local", "local/stand-in", "stage-check", "rest-api", "fastapi/terraform"} <= names, names


def test_terraform_fmt_check_on_every_example(tools: Tools) -> None:
    result = run([tools.terraform, "fmt", "-check", "-recursive", "-diff", "-no-color", EXAMPLES],
                 expect=None, cwd=REPO_ROOT)
    assert result.code == 0, "run `terraform fmt -recursive examples`\n" + result.describe()


def validate(tf: Terraform, name: str) -> None:
    # only this directory's files: a subdirectory is another configuration
    shutil.copytree(EXAMPLES / name, tf.workdir, dirs_exist_ok=True,
                    ignore=lambda d, names: [n for n in names if (Path(d) / n).is_dir() or n.startswith(".terraform")])
    tf.init()
    result = tf.run("validate", "-no-color")
    assert "Success! The configuration is valid." in result.stdout, result.describe()


@pytest.mark.parametrize("name", VALIDATABLE)
def test_terraform_validate(name: str, terraform_factory: Callable[[Path], Terraform],
                            tmp_path: Path) -> None:
    validate(terraform_factory(tmp_path / name), name)


@pytest.mark.parametrize("name", VALIDATABLE_WITH_AWS)
def test_terraform_validate_with_hashicorp_aws(name: str, aws_terraform_factory: Callable[[Path], Terraform],
                                               tmp_path: Path) -> None:
    validate(aws_terraform_factory(tmp_path / name), name)


# ------------------------------------------------------------------------------ examples/fastapi

def load_fastapi_example() -> Any:
    spec = importlib.util.spec_from_file_location("fastapi_example_app", EXAMPLES / "fastapi" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stage_gateway(backend: Any, stage: str, backend_root_path: str) -> Any:
    """An ASGI stand-in for a REST API stage with `ANY /{proxy+}` → HTTP_PROXY: requests under
    /STAGE are forwarded with the prefix stripped; anything else is API Gateway's 403.

    `backend_root_path` is what the backend server was started with (uvicorn --root-path):
    uvicorn puts it in front of the forwarded path and sets scope["root_path"], as here."""
    prefix = f"/{stage}"

    async def gateway(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await backend(scope, receive, send)
            return
        path = scope["path"]
        if path != prefix and not path.startswith(prefix + "/"):
            body = b'{"message":"Missing Authentication Token"}'
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"x-amzn-errortype", b"MissingAuthenticationTokenException")]})
            await send({"type": "http.response.body", "body": body})
            return
        forwarded = (path[len(prefix):] or "/")
        full = backend_root_path + forwarded
        await backend(dict(scope, path=full, raw_path=full.encode(), root_path=backend_root_path),
                      receive, send)

    return gateway


def browse_docs(client: Any, page: str) -> tuple[str, Any]:
    """Load the docs page, then the openapi.json it references, as a browser would."""
    html = client.get(page)
    assert html.status_code == 200, html.text
    m = re.search(r"url: '([^']+)'", html.text)
    assert m, f"no openapi url in the docs page:\n{html.text}"
    openapi_url = urljoin(f"http://testserver{page}", m[1])
    return openapi_url, client.get(openapi_url)


@pytest.fixture(scope="module")
def fastapi_example() -> Any:
    return load_fastapi_example()


def test_fastapi_docs_and_try_it_out_work_behind_the_stage(fastapi_example: Any) -> None:
    from fastapi.testclient import TestClient

    root = fastapi_example.root_path_for_stage("dev")
    assert root == "/dev"
    client = TestClient(stage_gateway(fastapi_example.app, "dev", root))

    openapi_url, spec = browse_docs(client, "/dev/docs")
    assert openapi_url == "http://testserver/dev/openapi.json"
    assert spec.status_code == 200, spec.text
    doc = spec.json()
    assert doc["servers"] == [{"url": "/dev"}]
    # "Try it out": server URL + operation path, resolved against the page
    call = client.get(urljoin(openapi_url, doc["servers"][0]["url"] + "/orders/1"))
    assert call.status_code == 200 and call.json()["id"] == "1"


def test_fastapi_without_root_path_is_the_classic_403(fastapi_example: Any) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(stage_gateway(fastapi_example.app, "dev", ""))
    openapi_url, spec = browse_docs(client, "/dev/docs")  # the page itself is reachable
    assert openapi_url == "http://testserver/openapi.json", "absolute URL without the stage"
    assert spec.status_code == 403
    assert spec.json() == {"message": "Missing Authentication Token"}
    assert "servers" not in client.get("/dev/openapi.json").json()


def test_fastapi_relative_docs_url_from_the_readme_works_under_any_prefix() -> None:
    from fastapi import FastAPI
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.testclient import TestClient

    app = FastAPI(docs_url=None)

    @app.get("/docs", include_in_schema=False)
    def docs() -> Any:
        return get_swagger_ui_html(openapi_url="openapi.json", title="orders")

    for stage in ("dev", "prod"):
        client = TestClient(stage_gateway(app, stage, ""))  # no root path configured
        openapi_url, spec = browse_docs(client, f"/{stage}/docs")
        assert openapi_url == f"http://testserver/{stage}/openapi.json"
        assert spec.status_code == 200
    # the trailing-slash caveat from the README: Starlette redirects /docs/ to /docs, built
    # without the stage prefix when no root path is configured -> outside the stage -> 403
    client = TestClient(stage_gateway(app, "dev", ""))
    redirect = client.get("/dev/docs/", follow_redirects=False)
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "http://testserver/docs"
    assert client.get(redirect.headers["location"]).status_code == 403


# ------------------------------------------------------------------------------ Terraform behaviour the guides rely on

def write_state(path: Path, marker: str) -> None:
    path.write_text(json.dumps({"version": 4, "terraform_version": "1.5.0", "serial": 1, "lineage": "docs",
                                "outputs": {"marker": {"value": marker, "type": "string"}}, "resources": []}))


# A destroy-time provisioner that rewrites the state file the data sources read, after a delay
# that any unordered read would win.
MARK_ON_DESTROY = """
  provisioner "local-exec" {
    when    = destroy
    command = "sleep 2 && printf '%%s' '{\\"version\\":4,\\"terraform_version\\":\\"1.5.0\\",\\"serial\\":2,\\"lineage\\":\\"docs\\",\\"outputs\\":{\\"marker\\":{\\"value\\":\\"%s\\",\\"type\\":\\"string\\"}},\\"resources\\":[]}' > marker.tfstate"
  }
"""

READS_CONFIG = """
variable "keys" {
  type    = list(string)
  default = ["k1", "k2"]
}

module "routes" {
  source = "./routes"
}

resource "terraform_data" "route" {
  for_each = toset(var.keys)
  input    = each.key
%(mark_route)s
}

%(top_level)s

data "terraform_remote_state" "via_module" {
  backend    = "local"
  config     = { path = "marker.tfstate" }
  depends_on = [module.routes]
}

data "terraform_remote_state" "via_for_each" {
  backend    = "local"
  config     = { path = "marker.tfstate" }
  depends_on = [terraform_data.route]
}

data "terraform_remote_state" "via_list" {
  backend    = "local"
  config     = { path = "marker.tfstate" }
  depends_on = [%(list)s]
}

output "via_module" { value = data.terraform_remote_state.via_module.outputs.marker }
output "via_for_each" { value = data.terraform_remote_state.via_for_each.outputs.marker }
"""


def reads_workdir(workdir: Path, *, top_level: bool, module_b: bool) -> None:
    (workdir / "routes").mkdir(parents=True, exist_ok=True)
    module = 'resource "terraform_data" "a" { input = "a" }\n'
    if module_b:
        module += 'resource "terraform_data" "b" { input = "b" }\n'
    (workdir / "routes" / "main.tf").write_text(module)
    (workdir / "main.tf").write_text(READS_CONFIG % {
        "mark_route": MARK_ON_DESTROY % "route-${self.input}-destroyed",
        "top_level": 'resource "terraform_data" "legacy" { input = "legacy" }' if top_level else "",
        "list": "terraform_data.legacy" if top_level else "",
    })


def deferred(plan_stdout: str) -> set[str]:
    return set(re.findall(r"# data\.terraform_remote_state\.(\w+) will be read during apply", plan_stdout))


def test_when_terraform_reads_a_data_source_with_depends_on(terraform_factory: Callable[[Path], Terraform],
                                                           tmp_path: Path) -> None:
    """docs/guides/when-terraform-reads.md, the table: for_each key removal is ordered, a removed
    resource block is not (directly listed: read at plan; inside a depends_on module: deferred
    but not ordered after the destroy)."""
    tf = terraform_factory(tmp_path / "reads")
    write_state(tf.workdir / "marker.tfstate", "initial")
    reads_workdir(tf.workdir, top_level=True, module_b=True)
    tf.init()
    tf.apply()

    # a whole top-level block removed (and so dropped from depends_on): read at plan time
    reads_workdir(tf.workdir, top_level=False, module_b=True)
    plan = tf.plan()
    assert "terraform_data.legacy will be destroyed" in plan.stdout, plan.describe()
    assert deferred(plan.stdout) == set(), plan.describe()
    tf.apply()

    # a block removed inside a depends_on module: deferred, but the apply graph has no edge from
    # the read to the removed block's destroy (so the read may see the API before the removal)
    reads_workdir(tf.workdir, top_level=False, module_b=False)
    plan = tf.plan(None, "-out=module.plan")
    assert deferred(plan.stdout) == {"via_module"}, plan.describe()
    graph = tf.run("graph", "-plan=module.plan").stdout
    assert '"[root] module.routes.terraform_data.b (destroy)"' in graph, graph
    assert not re.search(r'"\[root\] data\.terraform_remote_state\.via_module" -> "\[root\] module\.routes\.terraform_data\.b \(destroy\)"', graph), graph
    tf.apply()

    # a for_each key removed: deferred AND ordered after the instance's destroy (the destroy
    # provisioner rewrites the file after 2 s; the read sees its result)
    write_state(tf.workdir / "marker.tfstate", "initial")
    plan = tf.plan({"keys": '["k1"]'}, "-out=for_each.plan")
    assert deferred(plan.stdout) == {"via_for_each"}, plan.describe()
    graph = tf.run("graph", "-plan=for_each.plan").stdout
    assert '"[root] data.terraform_remote_state.via_for_each" -> "[root] terraform_data.route[\\"k2\\"] (destroy)"' in graph, graph
    tf.run("apply", "-no-color", "-input=false", "for_each.plan")
    assert tf.outputs()["via_for_each"] == "route-k2-destroyed"


def test_ignore_changes_only_postpones_the_migration_redeploy(terraform_factory: Callable[[Path], Terraform],
                                                              tmp_path: Path) -> None:
    """docs/guides/migrating-from-triggers-list.md: ignore_changes keeps the old trigger in the
    state (the replacement comes back when it is removed); writing the new value into the state
    avoids it."""
    tf = terraform_factory(tmp_path / "migrate")

    def config(lifecycle: str) -> None:
        (tf.workdir / "main.tf").write_text(
            'variable "trigger" { type = string }\n'
            'resource "terraform_data" "deployment" {\n'
            '  triggers_replace = { redeployment = var.trigger }\n'
            f"  {lifecycle}\n}}\n")

    config("")
    tf.init()
    tf.apply({"trigger": "sha1-of-id-list"})
    config("lifecycle { ignore_changes = [triggers_replace] }")
    tf.apply({"trigger": "gwtrigger-hash"})
    config("")
    plan = tf.plan({"trigger": "gwtrigger-hash"})
    assert "terraform_data.deployment must be replaced" in plan.stdout, plan.describe()

    state = json.loads(tf.run("state", "pull").stdout)
    state["serial"] += 1
    for resource in state["resources"]:
        if resource["type"] == "terraform_data" and resource["name"] == "deployment":
            resource["instances"][0]["attributes"]["triggers_replace"]["value"]["redeployment"] = "gwtrigger-hash"
    (tf.workdir / "edited.tfstate").write_text(json.dumps(state))
    tf.run("state", "push", "edited.tfstate")
    tf.plan({"trigger": "gwtrigger-hash"}, "-detailed-exitcode", expect=0)


def test_docs_link_to_files_that_exist() -> None:
    """Relative links in docs/, README.md and the example READMEs point at existing files."""
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md")),
             *sorted(EXAMPLES.rglob("README.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if re.match(r"^[a-z]+:", target):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(REPO_ROOT)}: {target}")
    assert not broken, "broken links:\n" + "\n".join(broken)
