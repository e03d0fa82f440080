# gwtrigger against a local API Gateway emulator (used by `make demo`).
#
# In a real stack the deployment is an aws_api_gateway_deployment:
#   resource "aws_api_gateway_deployment" "this" {
#     rest_api_id = var.rest_api_id
#     triggers    = { redeployment = data.gwtrigger.api.hash }
#     lifecycle { create_before_destroy = true }
#   }
# Here a terraform_data stands in for it, so the example needs no AWS provider: it is replaced
# exactly when the hash changes, which is when a real deployment would be re-created.

terraform {
  required_version = ">= 1.5"
  required_providers {
    gwtrigger = {
      source  = "gwtrigger/gwtrigger"
      version = "0.1.0"
    }
  }
}

variable "endpoint" {
  description = "Base URL of the API Gateway emulator, e.g. http://127.0.0.1:5000"
  type        = string
}

variable "rest_api_id" {
  description = "Id of the REST API to hash"
  type        = string
}

provider "gwtrigger" {
  region = "us-east-1"
  endpoints {
    apigateway = var.endpoint
  }
  # Credentials come from the environment (the demo exports fake AWS_ACCESS_KEY_ID/SECRET).
  max_retries = 3
}

data "gwtrigger" "api" {
  rest_api_id = var.rest_api_id
}

resource "terraform_data" "deployment" {
  triggers_replace = data.gwtrigger.api.hash
}

output "hash" {
  description = "Canonical sha1 of everything in the API that needs a redeployment"
  value       = data.gwtrigger.api.hash
}

output "routes" {
  description = "\"VERB /path\" => sha1 of that route"
  value       = data.gwtrigger.api.routes
}

output "ids" {
  description = "Resource, method (agm-...) and integration (agi-...) ids"
  value       = data.gwtrigger.api.ids
}

output "deployment_id" {
  description = "Changes whenever the deployment stand-in is replaced"
  value       = terraform_data.deployment.id
}
