# Warn at the end of every plan/apply when a stage serves a stale deployment.
#
# A `check` block (Terraform >= 1.5) never fails the run: when its assertion is false, Terraform
# finishes and prints a warning. data "gwtrigger_stage" compares the stage's deployment
# (apiSummary + stage export) with the live API, so a route added without a redeployment (for
# example because the deployment's triggers missed it) is named in that warning.
#
# Drop the check block into the configuration that owns the API, with
#   rest_api_id = aws_api_gateway_rest_api.main.id
#   stage_name  = aws_api_gateway_stage.dev.stage_name
# Referencing the stage makes Terraform read the data source after the stage (and the
# deployment it depends on) changed in the same apply.

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
    error_message = "Stage ${var.stage_name} serves a stale deployment (${data.gwtrigger_stage.dev.deployment_id}); undeployed: ${join(", ", data.gwtrigger_stage.dev.undeployed_routes)}; removed: ${join(", ", data.gwtrigger_stage.dev.removed_routes)}; changed: ${join(", ", concat(data.gwtrigger_stage.dev.changed_routes, data.gwtrigger_stage.dev.changed_integrations))}. Redeploy the stage (let data \"gwtrigger\" drive the deployment triggers)."
  }
}
