# gwtrigger against a local API Gateway emulator (what `make demo` runs): the configuration a user
# writes, with hashicorp/aws resources for the REST API, its deployment and its stage, and
# data "gwtrigger" as the deployment's trigger.
#
# var.routes is the API: "VERB /path" => the JSON body its MOCK integration answers (the demo
# edits it between applies, in terraform.tfvars.json). var.trigger picks what redeploys:
#   "hand_kept" - the ids of the resources, methods and integrations someone listed once (the
#                 usual hand-kept triggers list): edits that keep ids, and routes nobody added
#                 to the list, never redeploy;
#   "gwtrigger" - data.gwtrigger.api.hash: any deployable change of the live API redeploys.
#
# Without hashicorp/aws (no registry, no mirror) the demo runs stand-in/ instead.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
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

variable "routes" {
  description = "\"VERB /path\" (at most two path parts) => the body its MOCK integration answers"
  type        = map(string)
}

variable "trigger" {
  description = "\"gwtrigger\" (redeploy when the live API's hash changes) or \"hand_kept\" (when the listed ids change)"
  type        = string
  default     = "gwtrigger"
  validation {
    condition     = contains(["gwtrigger", "hand_kept"], var.trigger)
    error_message = "trigger must be \"gwtrigger\" or \"hand_kept\"."
  }
}

# An emulator takes any keys; the skip_* flags keep the provider from calling STS, IAM and EC2
# metadata, which the emulator does not need to answer.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  endpoints {
    apigateway = var.endpoint
  }
}

provider "gwtrigger" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"
  endpoints {
    apigateway = var.endpoint
  }
  max_retries = 3
}

resource "aws_api_gateway_rest_api" "petstore" {
  name        = "petstore"
  description = "gwtrigger demo"
}

locals {
  paths = toset([for key in keys(var.routes) : split(" ", key)[1]])
  # path parts under "/", and one level deeper ("pets/{petId}" => parent "pets")
  level1 = toset([for path in local.paths : split("/", path)[1] if path != "/"])
  level2 = {
    for path in local.paths : trimprefix(path, "/") => { parent = split("/", path)[1], part = split("/", path)[2] }
    if length(split("/", path)) == 3
  }
  resource_ids = merge(
    { "/" = aws_api_gateway_rest_api.petstore.root_resource_id },
    { for part, r in aws_api_gateway_resource.level1 : "/${part}" => r.id },
    { for path, r in aws_api_gateway_resource.level2 : "/${path}" => r.id },
  )
}

resource "aws_api_gateway_resource" "level1" {
  for_each    = local.level1
  rest_api_id = aws_api_gateway_rest_api.petstore.id
  parent_id   = aws_api_gateway_rest_api.petstore.root_resource_id
  path_part   = each.key
}

resource "aws_api_gateway_resource" "level2" {
  for_each    = local.level2
  rest_api_id = aws_api_gateway_rest_api.petstore.id
  parent_id   = aws_api_gateway_resource.level1[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_method" "route" {
  for_each      = var.routes
  rest_api_id   = aws_api_gateway_rest_api.petstore.id
  resource_id   = local.resource_ids[split(" ", each.key)[1]]
  http_method   = split(" ", each.key)[0]
  authorization = "NONE"
}

resource "aws_api_gateway_method_response" "ok" {
  for_each    = var.routes
  rest_api_id = aws_api_gateway_rest_api.petstore.id
  resource_id = aws_api_gateway_method.route[each.key].resource_id
  http_method = aws_api_gateway_method.route[each.key].http_method
  status_code = "200"
}

resource "aws_api_gateway_integration" "route" {
  for_each          = var.routes
  rest_api_id       = aws_api_gateway_rest_api.petstore.id
  resource_id       = aws_api_gateway_method.route[each.key].resource_id
  http_method       = aws_api_gateway_method.route[each.key].http_method
  type              = "MOCK"
  request_templates = { "application/json" = jsonencode({ statusCode = 200 }) }
}

# What the route answers: an edit of the body keeps every id above.
resource "aws_api_gateway_integration_response" "ok" {
  for_each           = var.routes
  rest_api_id        = aws_api_gateway_rest_api.petstore.id
  resource_id        = aws_api_gateway_integration.route[each.key].resource_id
  http_method        = aws_api_gateway_integration.route[each.key].http_method
  status_code        = aws_api_gateway_method_response.ok[each.key].status_code
  response_templates = { "application/json" = each.value }
}

data "gwtrigger" "api" {
  rest_api_id = aws_api_gateway_rest_api.petstore.id
  # read during apply, after the routes changed (docs/guides/when-terraform-reads.md)
  depends_on = [
    aws_api_gateway_resource.level1,
    aws_api_gateway_resource.level2,
    aws_api_gateway_method.route,
    aws_api_gateway_method_response.ok,
    aws_api_gateway_integration.route,
    aws_api_gateway_integration_response.ok,
  ]
}

locals {
  # The usual hand-kept trigger: the ids of what the API had when someone wrote the list.
  hand_kept_ids = [
    aws_api_gateway_resource.level1["pets"].id,
    aws_api_gateway_resource.level2["pets/{petId}"].id,
    aws_api_gateway_method.route["GET /pets"].id,
    aws_api_gateway_method.route["GET /pets/{petId}"].id,
    aws_api_gateway_integration.route["GET /pets"].id,
    aws_api_gateway_integration.route["GET /pets/{petId}"].id,
  ]
}

resource "aws_api_gateway_deployment" "demo" {
  rest_api_id = aws_api_gateway_rest_api.petstore.id
  triggers = {
    redeployment = var.trigger == "gwtrigger" ? data.gwtrigger.api.hash : sha1(jsonencode(local.hand_kept_ids))
  }
  # the first deployment needs every route in place (the hand-kept list names only some)
  depends_on = [aws_api_gateway_integration_response.ok]
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "demo" {
  rest_api_id   = aws_api_gateway_rest_api.petstore.id
  deployment_id = aws_api_gateway_deployment.demo.id
  stage_name    = "demo"
}

output "rest_api_id" {
  value = aws_api_gateway_rest_api.petstore.id
}

output "hash" {
  description = "Canonical sha1 of everything in the API that needs a redeployment"
  value       = data.gwtrigger.api.hash
}

output "routes" {
  description = "\"VERB /path\" => sha1 of that route"
  value       = data.gwtrigger.api.routes
}

output "deployment_id" {
  description = "The deployment the stage serves; replaced when the trigger changes"
  value       = aws_api_gateway_deployment.demo.id
}
