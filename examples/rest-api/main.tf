# A complete REST API whose deployment redeploys exactly when deployable content changes.
# Nothing here lists route or integration ids by hand: data "gwtrigger" hashes the live API.

data "aws_region" "current" {}

resource "aws_api_gateway_rest_api" "main" {
  name = var.name
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

# ---------------------------------------------------------------- routes
# Group every route-defining resource behind one module or resource set so the data source can
# depend on all of them at once (see docs/guides/when-terraform-reads.md).

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.main.id
  parent_id   = aws_api_gateway_rest_api.main.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_resource" "order" {
  rest_api_id = aws_api_gateway_rest_api.main.id
  parent_id   = aws_api_gateway_resource.orders.id
  path_part   = "{order_id}"
}

resource "aws_api_gateway_resource" "status" {
  rest_api_id = aws_api_gateway_rest_api.main.id
  parent_id   = aws_api_gateway_rest_api.main.root_resource_id
  path_part   = "status"
}

locals {
  # Lambda proxy routes: "VERB resource-key".
  lambda_routes = {
    "GET orders"  = aws_api_gateway_resource.orders.id
    "POST orders" = aws_api_gateway_resource.orders.id
    "GET order"   = aws_api_gateway_resource.order.id
  }
}

resource "aws_api_gateway_method" "lambda" {
  for_each         = local.lambda_routes
  rest_api_id      = aws_api_gateway_rest_api.main.id
  resource_id      = each.value
  http_method      = split(" ", each.key)[0]
  authorization    = "NONE"
  api_key_required = split(" ", each.key)[0] == "POST"
}

resource "aws_api_gateway_integration" "lambda" {
  for_each                = local.lambda_routes
  rest_api_id             = aws_api_gateway_rest_api.main.id
  resource_id             = each.value
  http_method             = aws_api_gateway_method.lambda[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = "arn:aws:apigateway:${data.aws_region.current.name}:lambda:path/2015-03-31/functions/${var.lambda_function_arn}/invocations"
}

resource "aws_api_gateway_method" "status" {
  rest_api_id   = aws_api_gateway_rest_api.main.id
  resource_id   = aws_api_gateway_resource.status.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "status" {
  rest_api_id             = aws_api_gateway_rest_api.main.id
  resource_id             = aws_api_gateway_resource.status.id
  http_method             = aws_api_gateway_method.status.http_method
  type                    = "HTTP_PROXY"
  integration_http_method = "GET"
  uri                     = "${var.backend_url}/status"
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = var.lambda_function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.main.execution_arn}/*/*"
}

# ---------------------------------------------------------------- deployment
data "gwtrigger" "api" {
  rest_api_id = aws_api_gateway_rest_api.main.id

  # Read after every route change has been applied, so the hash is unknown at plan time
  # whenever a route changes and the deployment is replaced in the same apply.
  depends_on = [
    aws_api_gateway_method.lambda,
    aws_api_gateway_integration.lambda,
    aws_api_gateway_method.status,
    aws_api_gateway_integration.status,
  ]
}

resource "aws_api_gateway_deployment" "main" {
  rest_api_id = aws_api_gateway_rest_api.main.id

  triggers = {
    redeployment = data.gwtrigger.api.hash
  }

  lifecycle {
    create_before_destroy = true
  }
}

# ---------------------------------------------------------------- stage, logging
resource "aws_cloudwatch_log_group" "access" {
  name              = "/apigateway/${var.name}/${var.stage_name}/access"
  retention_in_days = 30
}

resource "aws_api_gateway_stage" "main" {
  rest_api_id   = aws_api_gateway_rest_api.main.id
  deployment_id = aws_api_gateway_deployment.main.id
  stage_name    = var.stage_name

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId    = "$context.requestId"
      ip           = "$context.identity.sourceIp"
      method       = "$context.httpMethod"
      path         = "$context.resourcePath"
      status       = "$context.status"
      errorMessage = "$context.error.message"
      errorType    = "$context.error.responseType"
    })
  }
}

# Execution logging needs an account-level CloudWatch role (aws_api_gateway_account) once per
# region; most organisations manage that centrally.
resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.main.id
  stage_name  = aws_api_gateway_stage.main.stage_name
  method_path = "*/*"

  settings {
    logging_level      = "INFO"
    data_trace_enabled = true
    metrics_enabled    = true
  }
}

# ---------------------------------------------------------------- API key for POST /orders
resource "aws_api_gateway_usage_plan" "main" {
  name = "${var.name}-${var.stage_name}"
  api_stages {
    api_id = aws_api_gateway_rest_api.main.id
    stage  = aws_api_gateway_stage.main.stage_name
  }
}

resource "aws_api_gateway_api_key" "client" {
  name = "${var.name}-client"
}

resource "aws_api_gateway_usage_plan_key" "client" {
  key_id        = aws_api_gateway_api_key.client.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.main.id
}

# ---------------------------------------------------------------- drift check
# Ends an apply with a warning naming the routes if the stage still serves an older snapshot
# (for example after a route was removed: removals can be one apply late).
check "stage_serves_live_api" {
  data "gwtrigger_stage" "current" {
    rest_api_id = aws_api_gateway_rest_api.main.id
    stage_name  = aws_api_gateway_stage.main.stage_name
  }

  assert {
    condition     = data.gwtrigger_stage.current.in_sync
    error_message = "Stage ${var.stage_name} serves a stale deployment. Not deployed: ${join(", ", data.gwtrigger_stage.current.undeployed_routes)}. Removed but still served: ${join(", ", data.gwtrigger_stage.current.removed_routes)}. Run `gwtrigger doctor --rest-api-id ${aws_api_gateway_rest_api.main.id} --stage ${var.stage_name}`."
  }
}
