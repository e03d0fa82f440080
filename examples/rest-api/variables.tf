variable "name" {
  description = "Name of the REST API."
  type        = string
  default     = "orders"
}

variable "stage_name" {
  description = "Stage that serves the API (the first path segment of every URL)."
  type        = string
  default     = "dev"
}

variable "lambda_function_arn" {
  description = "ARN of the Lambda function behind /orders (Lambda proxy integration)."
  type        = string
}

variable "lambda_function_name" {
  description = "Name of that Lambda function, for the invoke permission."
  type        = string
}

variable "backend_url" {
  description = "Base URL of the HTTP backend behind /status (HTTP proxy integration)."
  type        = string
  default     = "https://status.example.com"
}
