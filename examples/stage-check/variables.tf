variable "rest_api_id" {
  type        = string
  description = "Id of the REST API (aws_api_gateway_rest_api.main.id)."
}

variable "stage_name" {
  type        = string
  default     = "dev"
  description = "Stage to check (its name, not a reference to the aws_api_gateway_stage resource)."
}

variable "region" {
  type        = string
  default     = null
  description = "AWS region; null uses AWS_REGION / the profile."
}

variable "apigateway_endpoint" {
  type        = string
  default     = null
  description = "API Gateway endpoint override for local emulators; null uses AWS."
}
