# The user's REST API, written with hashicorp/aws as our docs recommend: every route-defining
# resource uses for_each over var.spec, so edits are key or value changes. Shared by both module
# copies of test_localstack_sequence.py; each copy adds its own deployment wiring (a trigger_*.tf).

variable "name" {
  type = string
}

variable "stage_name" {
  type = string
}

variable "api_key" {
  type      = string
  sensitive = true
}

variable "spec" {
  type = object({
    # key => path part under its parent (a key of this map; null: under "/")
    resources = map(object({
      parent    = optional(string)
      path_part = string
    }))
    # key => one method of one resource ("/" is the root)
    routes = map(object({
      resource           = string
      verb               = string
      authorization      = optional(string, "NONE") # NONE, AWS_IAM or CUSTOM (the token authorizer)
      api_key_required   = optional(bool, false)
      request_parameters = optional(map(bool), {})
      validate           = optional(bool, false) # the request validator (parameters and body)
      model              = optional(bool, false) # the Pet model for application/json bodies
      integration = object({
        type               = string # MOCK or HTTP_PROXY
        uri                = optional(string)
        request_parameters = optional(map(string), {})
      })
      status  = optional(string, "200")
      body    = optional(string, "")      # MOCK: the integration response template
      headers = optional(map(string), {}) # MOCK: response header => mapped static value
    }))
    authorizer          = optional(bool, false)
    policy              = optional(string)
    api_key_plan        = optional(bool, false)
    model_and_validator = optional(bool, false)
    gateway_response = optional(object({
      type   = string
      status = string
      body   = string
    }))
  })
}

resource "aws_api_gateway_rest_api" "api" {
  name = var.name
}

locals {
  level1 = { for k, r in var.spec.resources : k => r if r.parent == null }
  level2 = { for k, r in var.spec.resources : k => r if r.parent != null }
  mock   = { for k, r in var.spec.routes : k => r if r.integration.type == "MOCK" }
  resource_ids = merge(
    { "/" = aws_api_gateway_rest_api.api.root_resource_id },
    { for k, r in aws_api_gateway_resource.level1 : k => r.id },
    { for k, r in aws_api_gateway_resource.level2 : k => r.id },
  )
}

resource "aws_api_gateway_resource" "level1" {
  for_each    = local.level1
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_resource" "level2" {
  for_each    = local.level2
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_resource.level1[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_method" "route" {
  for_each             = var.spec.routes
  rest_api_id          = aws_api_gateway_rest_api.api.id
  resource_id          = local.resource_ids[each.value.resource]
  http_method          = each.value.verb
  authorization        = each.value.authorization
  authorizer_id        = each.value.authorization == "CUSTOM" ? one(aws_api_gateway_authorizer.token[*].id) : null
  api_key_required     = each.value.api_key_required
  request_parameters   = each.value.request_parameters
  request_validator_id = each.value.validate ? one(aws_api_gateway_request_validator.all[*].id) : null
  request_models       = each.value.model ? { "application/json" = one(aws_api_gateway_model.pet[*].name) } : null
}

resource "aws_api_gateway_integration" "route" {
  for_each                = var.spec.routes
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_method.route[each.key].resource_id
  http_method             = aws_api_gateway_method.route[each.key].http_method
  type                    = each.value.integration.type
  integration_http_method = each.value.integration.type == "MOCK" ? null : each.value.verb
  uri                     = each.value.integration.uri
  request_parameters      = each.value.integration.request_parameters
  request_templates = each.value.integration.type == "MOCK" ? {
    "application/json" = jsonencode({ statusCode = tonumber(each.value.status) })
  } : null
}

resource "aws_api_gateway_method_response" "route" {
  for_each            = local.mock
  rest_api_id         = aws_api_gateway_rest_api.api.id
  resource_id         = aws_api_gateway_method.route[each.key].resource_id
  http_method         = aws_api_gateway_method.route[each.key].http_method
  status_code         = each.value.status
  response_parameters = { for h in keys(each.value.headers) : "method.response.header.${h}" => true }
}

resource "aws_api_gateway_integration_response" "route" {
  for_each            = local.mock
  rest_api_id         = aws_api_gateway_rest_api.api.id
  resource_id         = aws_api_gateway_method.route[each.key].resource_id
  http_method         = aws_api_gateway_method.route[each.key].http_method
  status_code         = aws_api_gateway_method_response.route[each.key].status_code
  response_templates  = { "application/json" = each.value.body }
  response_parameters = { for h, v in each.value.headers : "method.response.header.${h}" => v }
  depends_on          = [aws_api_gateway_integration.route]
}

resource "aws_api_gateway_authorizer" "token" {
  count           = var.spec.authorizer ? 1 : 0
  name            = "token"
  rest_api_id     = aws_api_gateway_rest_api.api.id
  type            = "TOKEN"
  identity_source = "method.request.header.Authorization"
  authorizer_uri  = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:authorizer/invocations"
}

resource "aws_api_gateway_rest_api_policy" "api" {
  count       = var.spec.policy == null ? 0 : 1
  rest_api_id = aws_api_gateway_rest_api.api.id
  policy      = var.spec.policy
}

resource "aws_api_gateway_model" "pet" {
  count        = var.spec.model_and_validator ? 1 : 0
  rest_api_id  = aws_api_gateway_rest_api.api.id
  name         = "Pet"
  content_type = "application/json"
  schema = jsonencode({
    type       = "object"
    required   = ["name"]
    properties = { name = { type = "string" } }
  })
}

resource "aws_api_gateway_request_validator" "all" {
  count                       = var.spec.model_and_validator ? 1 : 0
  rest_api_id                 = aws_api_gateway_rest_api.api.id
  name                        = "all"
  validate_request_body       = true
  validate_request_parameters = true
}

resource "aws_api_gateway_gateway_response" "custom" {
  count              = var.spec.gateway_response == null ? 0 : 1
  rest_api_id        = aws_api_gateway_rest_api.api.id
  response_type      = var.spec.gateway_response.type
  status_code        = var.spec.gateway_response.status
  response_templates = { "application/json" = var.spec.gateway_response.body }
}

resource "aws_api_gateway_stage" "stage" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.main.id
  stage_name    = var.stage_name
}

# An API key in a usage plan of this stage (not deployable content: not in the hash's depends_on).
resource "aws_api_gateway_api_key" "client" {
  count = var.spec.api_key_plan ? 1 : 0
  name  = "${var.name}-client"
  value = var.api_key
}

resource "aws_api_gateway_usage_plan" "plan" {
  count = var.spec.api_key_plan ? 1 : 0
  name  = "${var.name}-plan"
  api_stages {
    api_id = aws_api_gateway_rest_api.api.id
    stage  = aws_api_gateway_stage.stage.stage_name
  }
}

resource "aws_api_gateway_usage_plan_key" "client" {
  count         = var.spec.api_key_plan ? 1 : 0
  key_id        = aws_api_gateway_api_key.client[0].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.plan[0].id
}

output "rest_api_id" {
  value = aws_api_gateway_rest_api.api.id
}

output "deployment_id" {
  value = aws_api_gateway_deployment.main.id
}
