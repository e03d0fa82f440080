# The stand-in of examples/local for machines where hashicorp/aws cannot be installed (no
# registry, no filesystem mirror): `make demo` runs this instead, and says so. The REST API is
# made and edited with boto3 by scripts/demo_api.py, and a terraform_data stands in for
# aws_api_gateway_deployment: it is replaced when its trigger changes, and its create-time
# provisioner creates a deployment of the stage (var.deploy_command), which is what a new
# aws_api_gateway_deployment does.
#
# var.trigger picks what replaces it:
#   "hand_kept" - var.hand_kept_ids, the resource ids someone listed once (the usual hand-kept
#                 triggers list): edits that keep ids, and routes nobody added to the list,
#                 never redeploy;
#   "gwtrigger" - data.gwtrigger.api.hash: any deployable change of the live API redeploys.

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
  description = "Base URL of the API Gateway emulator, e.g. http://127.0.0.1:4566"
  type        = string
}

variable "rest_api_id" {
  description = "Id of the REST API to hash"
  type        = string
}

variable "deploy_command" {
  description = "Shell command that creates a deployment of the stage (run when the deployment stand-in is created)"
  type        = string
}

variable "trigger" {
  description = "\"gwtrigger\" (redeploy when the live API's hash changes) or \"hand_kept\" (when var.hand_kept_ids changes)"
  type        = string
  default     = "gwtrigger"
  validation {
    condition     = contains(["gwtrigger", "hand_kept"], var.trigger)
    error_message = "trigger must be \"gwtrigger\" or \"hand_kept\"."
  }
}

variable "hand_kept_ids" {
  description = "The hand-kept trigger list (resource ids), used when trigger = \"hand_kept\""
  type        = list(string)
  default     = []
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
  triggers_replace = var.trigger == "gwtrigger" ? [data.gwtrigger.api.hash] : var.hand_kept_ids

  provisioner "local-exec" {
    command = var.deploy_command
  }
}

output "rest_api_id" {
  value = var.rest_api_id
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
