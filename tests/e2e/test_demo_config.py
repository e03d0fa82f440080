"""examples/local, the configuration `make demo` applies, applied with hashicorp/aws on LocalStack,
with the demo's routes and edits (scripts/demo_api.py tfvars) and the story the demo tells:

1. the seed with the hand-kept id list as the deployment's trigger: the stage serves it;
2. edit 1 (a new route, a new body) with the hand-kept trigger: nothing is redeployed, the new
   route answers 403 Missing Authentication Token, the edited one its old body, and
   `gwtrigger drift` names the route the stage lacks;
3. edit 2 with data "gwtrigger" as the trigger: one apply, and the stage serves every route with
   its new body.

The control plane goes through the deployment recorder (fake_apigw), as in the demo: drift needs
GetDeployment's apiSummary, which LocalStack lacks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

from fake_apigw import FakeApigw
from harness import REGION, REPO_ROOT, Cli, Terraform, run
from localstack_server import LocalStack, call_stage

EXAMPLE = REPO_ROOT / "examples" / "local"
STAGE = "demo"  # examples/local's stage
MISSING_TOKEN = (403, {"message": "Missing Authentication Token"})


def answers(localstack: LocalStack, api_id: str, *routes: str) -> dict[str, tuple[int, Any]]:
    out = {}
    for route in routes:
        verb, path = route.split(" ", 1)
        status, body, _ = call_stage(localstack.stage_url(api_id, STAGE, path), verb)
        out[route] = (status, json.loads(body))
    return out


def test_demo_configuration_applies_and_tells_the_demo_story(
        aws_terraform_factory: Callable[[Path], Terraform], localstack: LocalStack, localstack_recorder: FakeApigw,
        cli: Cli, venv_python: Path, tmp_path: Path) -> None:
    tf = aws_terraform_factory(tmp_path / "demo")
    for f in EXAMPLE.glob("*.tf"):  # the demo copies the top directory only (stand-in/ is its fallback)
        shutil.copy(f, tf.workdir)

    def apply(step: int, trigger: str) -> str:
        # the routes of that step, written as the demo writes them
        run([venv_python, REPO_ROOT / "scripts" / "demo_api.py", "tfvars", "--step", step,
             "--out", tf.workdir / "terraform.tfvars.json"])
        return tf.apply({"endpoint": localstack_recorder.url, "trigger": trigger}).stdout

    tf.init()
    apply(0, "hand_kept")
    api_id = tf.outputs()["rest_api_id"]
    assert answers(localstack, api_id, "GET /pets", "GET /pets/7") == {
        "GET /pets": (200, {"pets": ["Rex", "Tom"]}), "GET /pets/7": (200, {"id": "7"})}

    out = apply(1, "hand_kept")
    assert "aws_api_gateway_deployment.demo: Creating" not in out, out  # the ids did not change
    assert answers(localstack, api_id, "GET /owners", "GET /pets") == {
        "GET /owners": MISSING_TOKEN, "GET /pets": (200, {"pets": ["Rex", "Tom"]})}
    drift = cli.run("drift", "--rest-api-id", api_id, "--stage", STAGE, "--endpoint-url", localstack_recorder.url,
                    "--region", REGION, "--json", expect=2)
    assert json.loads(drift.stdout)["undeployed_routes"] == ["GET /owners"], drift.describe()

    out = apply(2, "gwtrigger")
    assert "aws_api_gateway_deployment.demo must be replaced" in out, out
    assert answers(localstack, api_id, "GET /owners", "GET /vets", "GET /pets") == {
        "GET /owners": (200, {"owners": ["Ann"]}),
        "GET /vets": (200, {"vets": ["Dr. Lee"]}),
        "GET /pets": (200, {"pets": ["Rex", "Tom", "Kit", "Max"]}),
    }
    assert set(tf.outputs()["routes"]) == {"GET /pets", "GET /pets/{petId}", "GET /owners", "GET /vets"}
