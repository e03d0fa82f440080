output "rest_api_id" {
  description = "Id of the REST API (for gwtrigger drift / doctor)."
  value       = aws_api_gateway_rest_api.main.id
}

output "invoke_url" {
  description = "Base URL of the stage. Note the /STAGE prefix: every route is under it."
  value       = aws_api_gateway_stage.main.invoke_url
}

output "redeployment_hash" {
  description = "The hash the current deployment was made from."
  value       = data.gwtrigger.api.hash
}

output "routes" {
  description = "Routes gwtrigger saw (\"VERB /path\"), with their content hashes."
  value       = data.gwtrigger.api.routes
}

output "deployment_id" {
  description = "The deployment the stage serves; changes exactly when the hash changes."
  value       = aws_api_gateway_deployment.main.id
}

output "api_key_id" {
  description = "Id of the API key for the routes that require one; its value: aws apigateway get-api-key --api-key ID --include-value."
  value       = aws_api_gateway_api_key.client.id
}
