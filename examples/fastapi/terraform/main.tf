# The FastAPI backend behind a REST API stage: every path under /STAGE/ is proxied to the
# backend with the stage prefix stripped (https://…/dev/docs → BACKEND/docs). Run the backend
# with the stage as its root path (STAGE_NAME=dev), see ../README.md.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
    gwtrigger = {
      source  = "gwtrigger/gwtrigger"
      version = "~> 0.1"
    }
  }
}

variable "backend_url" {
  description = "Base URL of the FastAPI backend, no trailing slash, e.g. http://orders.internal:8000."
  type        = string
}

variable "stage_name" {
  description = "Stage name = the backend's root path without the slash (STAGE_NAME)."
  type        = string
  default     = "dev"
}

resource "aws_api_gateway_rest_api" "app" {
  name = "orders-fastapi"
}

# "/{proxy+}" matches every path below the root; the root itself needs its own method.
resource "aws_api_gateway_resource" "proxy" {
  rest_api_id = aws_api_gateway_rest_api.app.id
  parent_id   = aws_api_gateway_rest_api.app.root_resource_id
  path_part   = "{proxy+}"
}

# ANY on the root ("/") and on "/{proxy+}" (every path below it), proxied to the backend.
resource "aws_api_gateway_method" "root" {
  rest_api_id   = aws_api_gateway_rest_api.app.id
  resource_id   = aws_api_gateway_rest_api.app.root_resource_id
  http_method   = "ANY"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "root" {
  rest_api_id             = aws_api_gateway_rest_api.app.id
  resource_id             = aws_api_gateway_method.root.resource_id
  http_method             = aws_api_gateway_method.root.http_method
  type                    = "HTTP_PROXY"
  integration_http_method = "ANY"
  uri                     = "${var.backend_url}/"
}

resource "aws_api_gateway_method" "proxy" {
  rest_api_id        = aws_api_gateway_rest_api.app.id
  resource_id        = aws_api_gateway_resource.proxy.id
  http_method        = "ANY"
  authorization      = "NONE"
  request_parameters = { "method.request.path.proxy" = true }
}

resource "aws_api_gateway_integration" "proxy" {
  rest_api_id             = aws_api_gateway_rest_api.app.id
  resource_id             = aws_api_gateway_method.proxy.resource_id
  http_method             = aws_api_gateway_method.proxy.http_method
  type                    = "HTTP_PROXY"
  integration_http_method = "ANY"
  # the path below the stage, without the stage prefix
  uri                = "${var.backend_url}/{proxy}"
  request_parameters = { "integration.request.path.proxy" = "method.request.path.proxy" }
}

data "gwtrigger" "api" {
  rest_api_id = aws_api_gateway_rest_api.app.id
  depends_on = [
    aws_api_gateway_resource.proxy,
    aws_api_gateway_method.root,
    aws_api_gateway_integration.root,
    aws_api_gateway_method.proxy,
    aws_api_gateway_integration.proxy,
  ]
}

resource "aws_api_gateway_deployment" "app" {
  rest_api_id = aws_api_gateway_rest_api.app.id
  triggers    = { redeployment = data.gwtrigger.api.hash }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "app" {
  rest_api_id   = aws_api_gateway_rest_api.app.id
  deployment_id = aws_api_gateway_deployment.app.id
  stage_name    = var.stage_name
}

output "docs_url" {
  description = "The Swagger UI, through the stage."
  value       = "${aws_api_gateway_stage.app.invoke_url}/docs"
}
