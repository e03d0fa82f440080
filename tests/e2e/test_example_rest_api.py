"""examples/rest-api applied as a user calls it: a root configuration with hashicorp/aws and
gwtrigger calls the module (its providers.tf left out, as its README says for a child module) on
LocalStack, and the stage's routes answer.

LocalStack cannot run Lambda functions here, so the module's "lambda" backend is replaced
through its `backends` input by an HTTP proxy to a loopback server, and `backend_url` points the
"http" routes at another: the module's resources stay what production gets. Its logging parts
(IAM role, account setting, CloudWatch log groups) are applied too: the LocalStack launcher runs
IAM and CloudWatch Logs next to API Gateway. The control plane goes through the deployment
recorder (fake_apigw: LocalStack's GetDeployment has no apiSummary), so the module's `check`
block compares the stage with the live API as it does on AWS.

Three Terraform runs after init: apply; apply after adding a route to `routes` (the stage serves
it after that one apply); a plan with no resource action.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any, Callable

from fake_apigw import FakeApigw
from harness import (REGION, REPO_ROOT, AwsProvider, Terraform, apigw_client, aws_provider_block,
                     required_providers_with_aws)
from http_stub import EchoBackend
from localstack_server import LocalStack, call_stage

EXAMPLE = REPO_ROOT / "examples" / "rest-api"
STAGE = "dev"
MISSING_TOKEN = (403, "MissingAuthenticationTokenException")

ROOT_CONFIG = """
variable "endpoint" { type = string }
variable "routes" { type = any }
variable "backends" { type = any }
variable "backend_url" { type = string }

provider "gwtrigger" {
  region = "%(region)s"
  endpoints {
    apigateway = var.endpoint
  }
}

module "api" {
  source = "./rest-api"

  name                        = "orders-e2e"
  stage_name                  = "%(stage)s"
  routes                      = var.routes
  backends                    = var.backends
  backend_url                 = var.backend_url
  manage_account_logging_role = true
}

output "rest_api_id" { value = module.api.rest_api_id }
output "api_key_id" { value = module.api.api_key_id }
output "routes" { value = module.api.routes }
"""

# The module's default routes, plus the one the edit adds.
ROUTES = {
    "GET /orders": {"backend": "lambda"},
    "POST /orders": {"backend": "lambda", "api_key_required": True},
    "GET /orders/{order_id}": {"backend": "lambda"},
    "GET /status": {"backend": "http"},
}
ADDED = {"GET /customers": {"backend": "lambda"}}


def workdir_for(tf: Terraform, aws: AwsProvider) -> None:
    shutil.copytree(EXAMPLE, tf.workdir / "rest-api",
                    ignore=shutil.ignore_patterns("providers.tf", ".terraform*", "*.tfstate*", "*.md"))
    (tf.workdir / "main.tf").write_text(
        required_providers_with_aws(aws) + aws_provider_block(services=("iam", "logs"))
        + ROOT_CONFIG % {"region": REGION, "stage": STAGE})


def set_routes(tf: Terraform, routes: dict[str, Any], lambda_url: str, http_url: str) -> None:
    # The "lambda" routes go to a loopback server with their path appended, so its answer
    # shows which route (and path parameter) reached it.
    (tf.workdir / "terraform.tfvars.json").write_text(json.dumps({
        "routes": routes,
        "backends": {"lambda": {"type": "HTTP_PROXY", "uri": lambda_url, "append_path": True}},
        "backend_url": http_url,
    }, indent=2))


def call(localstack: LocalStack, api_id: str, verb: str, path: str, api_key: str = "") -> tuple[int, Any]:
    url = localstack.stage_url(api_id, STAGE, path)
    status, body, headers = call_stage(url, verb, headers={"x-api-key": api_key} if api_key else None)
    if status == 403:
        return status, headers.get("x-amzn-ErrorType", body)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def test_rest_api_example_serves_its_routes_and_a_new_one_after_one_apply(
        aws_terraform_factory: Callable[[Path], Terraform], aws_provider: AwsProvider,
        localstack: LocalStack, localstack_recorder: FakeApigw, tmp_path: Path) -> None:
    tf = aws_terraform_factory(tmp_path / "rest-api-root")
    workdir_for(tf, aws_provider)
    with EchoBackend("lambda-stand-in") as lam, EchoBackend("status-service") as http:
        set_routes(tf, ROUTES, f"{lam.url}/fn", http.url)
        tf.init()
        applied = tf.apply({"endpoint": localstack_recorder.url})
        assert "Check block assertion" not in applied.output, applied.describe()
        out = tf.outputs()
        api_id = out["rest_api_id"]
        assert set(out["routes"]) == set(ROUTES), out["routes"]
        key = apigw_client(localstack.url).get_api_key(apiKey=out["api_key_id"], includeValue=True)["value"]

        assert call(localstack, api_id, "GET", "/orders") == (
            200, {"backend": "lambda-stand-in", "method": "GET", "path": "/fn/orders"})
        assert call(localstack, api_id, "GET", "/orders/42") == (
            200, {"backend": "lambda-stand-in", "method": "GET", "path": "/fn/orders/42"})
        assert call(localstack, api_id, "GET", "/status") == (
            200, {"backend": "status-service", "method": "GET", "path": "/status"})
        # POST /orders requires the API key of the module's usage plan for this stage
        assert call(localstack, api_id, "POST", "/orders") == (403, "ForbiddenException")
        assert call(localstack, api_id, "POST", "/orders", api_key=key) == (
            200, {"backend": "lambda-stand-in", "method": "POST", "path": "/fn/orders"})
        assert call(localstack, api_id, "GET", "/customers") == MISSING_TOKEN

        # One edit: a route added to `routes`. One apply, and the stage serves it.
        set_routes(tf, {**ROUTES, **ADDED}, f"{lam.url}/fn", http.url)
        applied = tf.apply({"endpoint": localstack_recorder.url})
        assert "aws_api_gateway_deployment.main: Creation complete" in applied.stdout, applied.describe()
        assert "Check block assertion" not in applied.output, applied.describe()
        assert call(localstack, api_id, "GET", "/customers") == (
            200, {"backend": "lambda-stand-in", "method": "GET", "path": "/fn/customers"})
        assert call(localstack, api_id, "GET", "/orders/42")[0] == 200

        # Nothing is left to do: the next plan has no resource action. (Terraform plans a check
        # block's data source to be read again during apply, so -detailed-exitcode says 2 even
        # then; its plan shows the stage in sync with the live API.)
        plan = tf.plan({"endpoint": localstack_recorder.url})
        assert "Plan: 0 to add, 0 to change, 0 to destroy." in plan.stdout or "No changes." in plan.stdout, plan.describe()
        assert re.search(r"\bin_sync\s+= true\b", plan.stdout), plan.describe()
