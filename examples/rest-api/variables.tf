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

variable "lambda_function_arn" {
  description = "ARN of the Lambda function behind /orders (Lambda proxy integration), e.g. aws_lambda_function.orders.arn."
  type        = string
}

variable "lambda_function_name" {
  description = "Name of that Lambda function, for the invoke permission."
  type        = string
}

variable "backend_url" {
  description = "Base URL of the HTTP backend behind /status and /docs (HTTP proxy integration), without a trailing slash."
  type        = string
  default     = "https://status.example.com"
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
