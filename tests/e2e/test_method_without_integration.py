"""A live method left without an integration, made the way users make it: hashicorp/aws on
LocalStack, wired as the docs recommend (`data "gwtrigger"` with `depends_on` on the routes'
resources, the deployment with `create_before_destroy`, a separate stage, and the stage check in a
`check` block). Changing the integration's `type` (MOCK → HTTP_PROXY) forces its replacement;
create_before_destroy reaches it through the data source, so Terraform puts the new integration,
takes the deployment, then destroys the deposed old one, which deletes the new one
(hashicorp/terraform-provider-aws#21907).

The `check` block's data source names the method, with its cause and fix, at the next plan
(Terraform reads check blocks after creates and updates, not after the destroy of deposed
objects, so the breaking apply's own check may read too early), although LocalStack's stage
cannot be compared with its deployment (no apiSummary); `gwtrigger drift` and `gwtrigger doctor`
name it with the same words. A second apply re-creates the integration. Three applies and one
plan: the real provider's starts are the cost here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import boto3

from harness import Cli, Terraform, aws_provider_block, required_providers_with_aws
from hardening import flat
from localstack_server import LocalStack

REGION = "us-east-1"

CONFIG = """
variable "endpoint" { type = string }
variable "integration_type" { type = string }

resource "aws_api_gateway_rest_api" "api" {
  name = "lost-integration"
}

resource "aws_api_gateway_resource" "items" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "items"
}

resource "aws_api_gateway_method" "items_get" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.items.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "items_get" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_resource.items.id
  http_method             = aws_api_gateway_method.items_get.http_method
  type                    = var.integration_type
  integration_http_method = var.integration_type == "MOCK" ? null : "GET"
  uri                     = var.integration_type == "MOCK" ? null : "http://127.0.0.1:9/items"
  request_templates       = var.integration_type == "MOCK" ? { "application/json" = "{\\"statusCode\\": 200}" } : null
}

data "gwtrigger" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  depends_on  = [aws_api_gateway_method.items_get, aws_api_gateway_integration.items_get]
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers    = { redeployment = data.gwtrigger.api.hash }
  lifecycle { create_before_destroy = true }
}

resource "aws_api_gateway_stage" "dev" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = "dev"
}

check "stage_in_sync" {
  data "gwtrigger_stage" "dev" {
    # Only the API: read at plan time too (a reference to the stage would defer the read of a
    # plan that changes the stage to apply time, after the integration is re-created).
    rest_api_id = aws_api_gateway_rest_api.api.id
    stage_name  = "dev"
  }

  assert {
    condition     = data.gwtrigger_stage.dev.in_sync
    error_message = join("\\n", data.gwtrigger_stage.dev.problems)
  }
}

output "rest_api_id" { value = aws_api_gateway_rest_api.api.id }
"""

GWTRIGGER_PROVIDER = """
provider "gwtrigger" {
  region = "%s"
  endpoints {
    apigateway = var.endpoint
  }
}
""" % REGION


def test_a_replaced_integration_left_missing_is_named_by_the_check_drift_and_doctor(
        aws_terraform_factory: Callable[[Path], Terraform], aws_provider, localstack: LocalStack,
        cli: Cli, tmp_path: Path) -> None:
    tf = aws_terraform_factory(tmp_path / "tf")
    (tf.workdir / "main.tf").write_text(
        required_providers_with_aws(aws_provider) + aws_provider_block() + GWTRIGGER_PROVIDER + CONFIG)
    tf.init()
    variables = {"endpoint": localstack.url, "integration_type": "MOCK"}

    first = tf.apply(variables)
    assert "Check block assertion failed" not in first.output, first.describe()
    api_id = tf.outputs()["rest_api_id"]
    apigw = boto3.client("apigateway", endpoint_url=localstack.url, region_name=REGION,
                         aws_access_key_id="test", aws_secret_access_key="test")
    items = next(r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/items")

    # The replacement: the apply succeeds and leaves GET /items without an integration.
    broken = tf.apply({**variables, "integration_type": "HTTP_PROXY"})
    text = flat(broken.output)
    assert "aws_api_gateway_integration.items_get (deposed object" in text, broken.describe()
    method = apigw.get_method(restApiId=api_id, resourceId=items["id"], httpMethod="GET")
    assert "methodIntegration" not in method, f"the deposed destroy did not delete the new integration: {method}"
    # Terraform reads a check block's data sources once every create and update is done, but
    # does not wait for deposed objects to be destroyed: the check of this apply may read before
    # the delete. The next plan reads the live API as it is and names the method, with the cure.
    plan = tf.plan({**variables, "integration_type": "HTTP_PROXY"})
    text = flat(plan.output)
    assert "aws_api_gateway_integration.items_get will be created" in text, plan.describe()
    assert "Check block assertion failed" in text, plan.describe()
    for part in ("1 live method(s) without an integration: GET /items",
                 "No integration defined for method",
                 "hashicorp/terraform-provider-aws#21907",
                 "Run `terraform apply` again"):
        assert part in text, f"{part!r} missing\n{plan.describe()}"
    # LocalStack keeps no apiSummary: the routes are not compared, and a warning says so.
    assert "Routes of stage dev not compared" in text, plan.describe()

    # drift: exit 2, the same words; --json lists the method.
    endpoint = ["--rest-api-id", api_id, "--stage", "dev", "--endpoint-url", localstack.url, "--region", REGION]
    drift = cli.run("drift", *endpoint, expect=2)
    assert drift.stdout.startswith(f"PROBLEM: the live API of REST API {api_id} cannot be deployed"), drift.describe()
    assert "    GET /items\n" in drift.stdout and "terraform-provider-aws#21907" in drift.stdout, drift.describe()
    report = json.loads(cli.run("drift", *endpoint, "--json", expect=2).stdout)
    assert report["in_sync"] is False and report["routes_compared"] is False, report
    assert report["methods_without_integration"] == ["GET /items"], report
    # doctor: the integrations check fails with the same cause and fix.
    doctor = json.loads(cli.run("doctor", *endpoint, "--json", expect=2).stdout)
    integrations = next(c for c in doctor["checks"] if c["id"] == "integrations")
    assert integrations["status"] == "FAIL", integrations
    assert integrations["details"][0].startswith("GET /items: no integration"), integrations
    assert any("terraform-provider-aws#21907" in d for d in integrations["details"]), integrations
    assert integrations["fix"].startswith("Run `terraform apply` again"), integrations

    # The cure the message names: a second apply re-creates the integration.
    cured = tf.apply({**variables, "integration_type": "HTTP_PROXY"})
    assert "Check block assertion failed" not in cured.output, cured.describe()
    method = apigw.get_method(restApiId=api_id, resourceId=items["id"], httpMethod="GET")
    assert method.get("methodIntegration", {}).get("type") == "HTTP_PROXY", method
    cli.run("drift", *endpoint, expect=1)  # in sync as far as can be seen: nothing to report but "cannot compare"
