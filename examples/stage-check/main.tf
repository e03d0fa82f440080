# Warn at the end of every plan/apply when a stage serves a stale deployment or the API cannot be
# deployed.
#
# A `check` block (Terraform >= 1.5) never fails the run: when its assertion is false, Terraform
# finishes and prints a warning. data "gwtrigger_stage" compares the stage's deployment
# (apiSummary + stage export) with the live API, so a route added without a redeployment (for
# example because the deployment's triggers missed it) is named in that warning, and names live
# methods without an integration (API Gateway refuses to deploy the API); `problems` says each
# with its cause and fix.
#
# Drop the check block into the configuration that owns the API, with
#   rest_api_id = aws_api_gateway_rest_api.main.id
#   stage_name  = "dev" (a literal or variable)
# Terraform reads it during apply once every create and update is done, and at plan time when
# nothing it depends on changes: a reference to aws_api_gateway_stage would put off the plan-time
# read whenever the stage changes (docs/data-sources/gwtrigger_stage.md).

terraform {
  required_version = ">= 1.5"
  required_providers {
    gwtrigger = {
      source = "gwtrigger/gwtrigger"
    }
  }
}

provider "gwtrigger" {
  region = var.region
  endpoints {
    apigateway = var.apigateway_endpoint
  }
}

check "stage_in_sync" {
  data "gwtrigger_stage" "dev" {
    rest_api_id = var.rest_api_id
    stage_name  = var.stage_name
  }

  assert {
    condition     = data.gwtrigger_stage.dev.in_sync
    error_message = join("\n", data.gwtrigger_stage.dev.problems)
  }
}
