"""The read's timing decides the redeployment (docs/guides/when-terraform-reads.md), with the user's
own resources: hashicorp/aws on LocalStack, the stage called after each apply.

One configuration, two copies of support/sequence_tf/api.tf (one route, `GET /{path part}`):
- `module.with_depends_on`: `data "gwtrigger"` with depends_on on the route resources (the
  documented wiring; test_localstack_sequence.py measures it edit by edit);
- `module.without_depends_on`: the same hash as the trigger, the data source without depends_on.
Renaming the route's path part is ONE apply with depends_on: the stage serves the new path and the
next plan is empty. Without it the data source is read during plan, before the rename: the
deployment is not replaced, the stage answers 403 for the new path, and only the next plan (and
apply) redeploys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness import AwsProvider
from localstack_server import LocalStack, call_stage
from user_config import planned_actions, write_config, write_variables

STAGE = "dev"
MODULES = {"with_depends_on": ["trigger_gwtrigger.tf"], "without_depends_on": ["trigger_nodeps.tf"]}
KEYS = {name: f"{name}-unused-key-0001" for name in MODULES}
MISSING_TOKEN = (403, '{"message": "Missing Authentication Token"}')


def spec(path_part: str) -> dict[str, Any]:
    return {"resources": {"r": {"path_part": path_part}},
            "routes": {"GET r": {"resource": "r", "verb": "GET", "integration": {"type": "MOCK"},
                                 "body": '{"route": "%s"}' % path_part}}}


def answer(ls: LocalStack, api_id: str, path: str) -> tuple[int, str]:
    status, body, _ = call_stage(ls.stage_url(api_id, STAGE, path))
    return status, body


def test_depends_on_redeploys_in_the_same_apply_and_without_it_one_apply_late(
        localstack: LocalStack, aws_provider: AwsProvider, aws_terraform_factory: Any, tmp_path: Path) -> None:
    work = tmp_path / "redeploy"
    write_config(work, aws_provider, MODULES, STAGE, "redeploy")
    tf = aws_terraform_factory(work)
    tf.init()

    write_variables(work, localstack.url, spec("alpha"), KEYS)
    tf.apply()
    # without depends_on the first read ran before the route existed; the second apply catches up
    tf.apply()
    before = tf.outputs()
    assert planned_actions(tf.plan(None, "-json"), list(MODULES)) == {m: [] for m in MODULES}
    for name in MODULES:
        assert answer(localstack, before[name]["rest_api_id"], "alpha") == (200, '{"route": "alpha"}'), name

    write_variables(work, localstack.url, spec("beta"), KEYS)
    renamed = tf.apply()
    after = tf.outputs()
    ok, late = after["with_depends_on"], after["without_depends_on"]

    assert ok["hash"] != before["with_depends_on"]["hash"], renamed.stdout
    assert ok["deployment_id"] != before["with_depends_on"]["deployment_id"], renamed.stdout
    assert answer(localstack, ok["rest_api_id"], "beta") == (200, '{"route": "beta"}')
    assert answer(localstack, ok["rest_api_id"], "alpha") == MISSING_TOKEN

    assert late["hash"] == before["without_depends_on"]["hash"], "read during plan, before the rename"
    assert late["deployment_id"] == before["without_depends_on"]["deployment_id"], renamed.stdout
    assert answer(localstack, late["rest_api_id"], "beta") == MISSING_TOKEN, "the stage is stale"
    assert answer(localstack, late["rest_api_id"], "alpha") == (200, '{"route": "alpha"}')

    actions = planned_actions(tf.plan(None, "-json"), list(MODULES))
    assert actions["with_depends_on"] == [], actions
    assert "module.without_depends_on.aws_api_gateway_deployment.main: replace" in actions["without_depends_on"], actions

    tf.apply()
    assert answer(localstack, tf.outputs()["without_depends_on"]["rest_api_id"], "beta") == (200, '{"route": "beta"}')
    assert planned_actions(tf.plan(None, "-json"), list(MODULES)) == {m: [] for m in MODULES}
