variable "name" {
  description = "Name of the REST API."
  type        = string
  default     = "orders"
}

variable "stage_name" {
  description = "Stage that serves the API: the first path segment of every URL (https://ID.execute-api.REGION.amazonaws.com/STAGE/orders)."
  type        = string
  default     = "dev"
}

variable "routes" {
  description = "Every route: \"VERB /path\" (at most two path parts, e.g. /orders/{order_id}) => the backend that serves it (a key of the backends: \"lambda\", \"http\" or one of var.backends) and whether it needs an API key."
  type = map(object({
    backend          = string
    api_key_required = optional(bool, false)
  }))
  default = {
    "GET /orders"            = { backend = "lambda" }
    "POST /orders"           = { backend = "lambda", api_key_required = true }
    "GET /orders/{order_id}" = { backend = "lambda" }
    "GET /status"            = { backend = "http" }
  }

  validation {
    condition     = alltrue([for key in keys(var.routes) : can(regex("^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) /([^/ ]+(/[^/ ]+)?)?$", key))])
    error_message = "Route keys are \"VERB /path\" with an upper-case verb (or ANY) and at most two path parts, e.g. \"GET /orders/{order_id}\"."
  }
}

variable "lambda_function" {
  description = "The Lambda function behind the \"lambda\" routes (Lambda proxy), e.g. aws_lambda_function.orders (or an alias): its invoke_arn and function_name are used. null when no route uses it."
  type = object({
    function_name = string
    invoke_arn    = string
  })
  default = null
}

variable "backend_url" {
  description = "Base URL of the HTTP backend behind the \"http\" routes (HTTP proxy to this URL + the route's path), without a trailing slash."
  type        = string
  default     = "https://status.example.com"
}

variable "backends" {
  description = "More backends, or replacements of \"lambda\" and \"http\": name => { type (AWS_PROXY, HTTP_PROXY, HTTP, AWS, MOCK), uri, http_method (default: the route's verb), append_path (true: uri + the route's path, path parameters passed on) }. The tests point every route at loopback servers this way."
  type = map(object({
    type        = string
    uri         = string
    http_method = optional(string)
    append_path = optional(bool, false)
  }))
  default = {}
}

variable "data_trace_enabled" {
  description = "Log full request and response bodies in the execution logs. Useful while diagnosing; bodies may contain personal data, so turn it off in production."
  type        = bool
  default     = true
}

variable "manage_account_logging_role" {
  description = "Create the IAM role API Gateway uses to write CloudWatch logs and set it in the account settings (aws_api_gateway_account). That setting is one per account and region: enable it in exactly one stack, or leave it false if your platform team already set it."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the access and execution log groups."
  type        = number
  default     = 30
}

variable "region" {
  description = "AWS region of the API. null: AWS_REGION / AWS_DEFAULT_REGION / the profile's region."
  type        = string
  default     = null
}
