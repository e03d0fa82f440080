output "invoke_url" {
  description = "Base URL of the stage (note the /STAGE prefix)."
  value       = aws_api_gateway_stage.main.invoke_url
}

output "redeployment_hash" {
  description = "The hash the current deployment was made from."
  value       = data.gwtrigger.api.hash
}

output "routes" {
  description = "Routes gwtrigger saw, with their content hashes."
  value       = data.gwtrigger.api.routes
}
