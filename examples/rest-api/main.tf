# A complete REST API whose deployment is re-created exactly when deployable content changes.
# Nothing here lists route or integration ids by hand: data "gwtrigger" hashes the live API.
#
# Every route-defining resource uses for_each over var.routes, so adding and changing a route are
# key or value changes of resources listed in the data source's depends_on: the route change and
# the redeployment land in the same apply. Removing a route, or replacing an integration (a
# changed `type`), takes a second apply (docs/guides/when-terraform-reads.md).

data "aws_partition" "current" {}

resource "aws_api_gateway_rest_api" "main" {
  name = var.name

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

# ---------------------------------------------------------------------------------- routes
locals {
  # var.routes keys are "VERB /path"; paths are at most two parts deep (a variable validation).
  route_paths = toset([for key in keys(var.routes) : split(" ", key)[1]])

  # Path parts directly under "/", and one level deeper ("orders/{order_id}" => parent "orders").
  level1 = toset([for path in local.route_paths : split("/", path)[1] if path != "/"])
  level2 = {
    for path in local.route_paths : trimprefix(path, "/") => {
      parent    = split("/", path)[1]
      path_part = split("/", path)[2]
    } if length(split("/", path)) == 3
  }

  resource_ids = merge(
    { "/" = aws_api_gateway_rest_api.main.root_resource_id },
    { for part, r in aws_api_gateway_resource.level1 : "/${part}" => r.id },
    { for path, r in aws_api_gateway_resource.level2 : "/${path}" => r.id },
  )

  # How each backend named in var.routes is reached. "lambda": Lambda proxy (AWS_PROXY) to the
  # function's invoke_arn (Lambda is always invoked with POST); "http": HTTP proxy to
  # var.backend_url + the route's path. var.backends adds backends or replaces these.
  backends = merge(
    {
      lambda = { type = "AWS_PROXY", uri = try(var.lambda_function.invoke_arn, null), http_method = "POST", append_path = false }
      http   = { type = "HTTP_PROXY", uri = var.backend_url, http_method = null, append_path = true }
    },
    var.backends,
  )

  # "VERB /path" => the path's parameters ("order_id" for /orders/{order_id}; "proxy" for {proxy+})
  path_parameters = { for key in keys(var.routes) : key => [for m in regexall("\\{([^}+]+)\\+?\\}", split(" ", key)[1]) : m[0]] }
}

resource "aws_api_gateway_resource" "level1" {
  for_each = local.level1

  rest_api_id = aws_api_gateway_rest_api.main.id
  parent_id   = aws_api_gateway_rest_api.main.root_resource_id
  path_part   = each.key
}

resource "aws_api_gateway_resource" "level2" {
  for_each = local.level2

  rest_api_id = aws_api_gateway_rest_api.main.id
  parent_id   = aws_api_gateway_resource.level1[each.value.parent].id
  path_part   = each.value.path_part
}

resource "aws_api_gateway_method" "route" {
  for_each = var.routes

  rest_api_id      = aws_api_gateway_rest_api.main.id
  resource_id      = local.resource_ids[split(" ", each.key)[1]]
  http_method      = split(" ", each.key)[0]
  authorization    = "NONE"
  api_key_required = each.value.api_key_required
  # Declared path parameters, so an HTTP backend can be given them (below).
  request_parameters = { for name in local.path_parameters[each.key] : "method.request.path.${name}" => true }

  lifecycle {
    precondition {
      condition     = contains(keys(local.backends), each.value.backend)
      error_message = "Route \"${each.key}\" names backend \"${each.value.backend}\", which is not one of: ${join(", ", keys(local.backends))}."
    }
  }
}

resource "aws_api_gateway_integration" "route" {
  for_each = var.routes

  rest_api_id = aws_api_gateway_rest_api.main.id
  resource_id = aws_api_gateway_method.route[each.key].resource_id
  http_method = aws_api_gateway_method.route[each.key].http_method

  type                    = local.backends[each.value.backend].type
  integration_http_method = coalesce(local.backends[each.value.backend].http_method, split(" ", each.key)[0])
  uri = (local.backends[each.value.backend].append_path
    ? "${local.backends[each.value.backend].uri}${split(" ", each.key)[1]}"
    : local.backends[each.value.backend].uri
  )
  # A backend that gets the route's path also gets its path parameters' values.
  request_parameters = local.backends[each.value.backend].append_path ? {
    for name in local.path_parameters[each.key] : "integration.request.path.${name}" => "method.request.path.${name}"
  } : {}

  lifecycle {
    precondition {
      condition     = local.backends[each.value.backend].uri != null
      error_message = "Route \"${each.key}\" uses backend \"${each.value.backend}\", which has no URI: set var.lambda_function (e.g. = aws_lambda_function.orders) or give the backend a uri in var.backends."
    }
  }
}

resource "aws_lambda_permission" "api" {
  count = var.lambda_function == null ? 0 : 1

  statement_id  = "AllowApiGatewayInvoke-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.lambda_function.function_name
  principal     = "apigateway.amazonaws.com"
  # any stage, any method, any path of this API
  source_arn = "${aws_api_gateway_rest_api.main.execution_arn}/*/*"
}

# ---------------------------------------------------------------------------------- deployment
data "gwtrigger" "api" {
  rest_api_id = aws_api_gateway_rest_api.main.id

  # Read during apply, after any route change, so the same apply redeploys. List what defines
  # routes, nothing else: not the stage or the deployment (a cycle), not the Lambda permission,
  # usage plan or logging (they would defer the read and force a redeploy for nothing).
  depends_on = [
    aws_api_gateway_resource.level1,
    aws_api_gateway_resource.level2,
    aws_api_gateway_method.route,
    aws_api_gateway_integration.route,
  ]
}

resource "aws_api_gateway_deployment" "main" {
  rest_api_id = aws_api_gateway_rest_api.main.id

  triggers = {
    redeployment = data.gwtrigger.api.hash
  }

  # The stage points at this deployment: create the new one, move the stage, then delete the old.
  lifecycle {
    create_before_destroy = true
  }
}

# ---------------------------------------------------------------------------------- logging
# API Gateway writes execution and access logs to CloudWatch with ONE IAM role per account and
# region, set in the account settings. Without it, enabling logging fails with "CloudWatch Logs
# role ARN must be set in account settings to enable logging".
resource "aws_iam_role" "apigateway_cloudwatch" {
  count = var.manage_account_logging_role ? 1 : 0

  # IAM names are account-wide and this role is made once per region: a prefix keeps two
  # regions' stacks of one account from colliding.
  name_prefix = "apigateway-cloudwatch-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "apigateway.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "apigateway_cloudwatch" {
  count = var.manage_account_logging_role ? 1 : 0

  role       = aws_iam_role.apigateway_cloudwatch[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "main" {
  count = var.manage_account_logging_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.apigateway_cloudwatch[0].arn
  depends_on          = [aws_iam_role_policy_attachment.apigateway_cloudwatch]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/apigateway/${var.name}/${var.stage_name}/access"
  retention_in_days = var.log_retention_days
}

# API Gateway creates this group itself on the first logged request, with no retention.
# Creating it first sets the retention (and it must exist before API Gateway writes to it).
resource "aws_cloudwatch_log_group" "execution" {
  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.main.id}/${var.stage_name}"
  retention_in_days = var.log_retention_days
}

# ---------------------------------------------------------------------------------- stage
resource "aws_api_gateway_stage" "main" {
  rest_api_id   = aws_api_gateway_rest_api.main.id
  deployment_id = aws_api_gateway_deployment.main.id
  stage_name    = var.stage_name

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      ip                 = "$context.identity.sourceIp"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      path               = "$context.path"
      resourcePath       = "$context.resourcePath"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      errorMessage       = "$context.error.message"
      errorType          = "$context.error.responseType"
      integrationStatus  = "$context.integration.status"
      integrationLatency = "$context.integration.latency"
    })
  }

  depends_on = [aws_api_gateway_account.main]
}

# Execution logging for every method of the stage ("*/*"): INFO logs each request's
# authorization, integration and response steps, which says which check answered a 403.
resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.main.id
  stage_name  = aws_api_gateway_stage.main.stage_name
  method_path = "*/*"

  settings {
    logging_level      = "INFO"
    data_trace_enabled = var.data_trace_enabled
    metrics_enabled    = true
  }

  depends_on = [aws_api_gateway_account.main, aws_cloudwatch_log_group.execution]
}

# ---------------------------------------------------------------------------------- API key
# POST /orders requires an API key: the key must be in a usage plan that includes THIS stage.
resource "aws_api_gateway_usage_plan" "main" {
  name = "${var.name}-${var.stage_name}"

  api_stages {
    api_id = aws_api_gateway_rest_api.main.id
    stage  = aws_api_gateway_stage.main.stage_name
  }
}

resource "aws_api_gateway_api_key" "client" {
  name = "${var.name}-${var.stage_name}-client"
}

resource "aws_api_gateway_usage_plan_key" "client" {
  key_id        = aws_api_gateway_api_key.client.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.main.id
}

# ---------------------------------------------------------------------------------- drift check
# Ends a plan/apply with a warning when the stage serves something other than the live API (for
# example after a resource block was deleted: that is one apply late) or a method has no
# integration (left by an integration replacement: the next plan says so, with the cure). The
# stage name is the variable, not aws_api_gateway_stage.main.stage_name, so the plan can read it
# (docs/data-sources/gwtrigger_stage.md, "When Terraform reads it").
check "stage_serves_live_api" {
  data "gwtrigger_stage" "current" {
    rest_api_id = aws_api_gateway_rest_api.main.id
    stage_name  = var.stage_name
  }

  assert {
    condition     = data.gwtrigger_stage.current.in_sync
    error_message = <<-EOT
      ${join("\n", data.gwtrigger_stage.current.problems)}
      Run: gwtrigger doctor --rest-api-id ${aws_api_gateway_rest_api.main.id} --stage ${var.stage_name}
    EOT
  }
}
