# The hash as the trigger, but the data source without depends_on: Terraform reads it during plan,
# before the apply changes the routes (docs/guides/when-terraform-reads.md). The deployment itself
# waits for the integrations (AWS refuses a deployment of an API without methods).

data "gwtrigger" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
}

resource "aws_api_gateway_deployment" "main" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers    = { redeployment = data.gwtrigger.api.hash }
  depends_on  = [aws_api_gateway_integration_response.route]
  lifecycle {
    create_before_destroy = true
  }
}

output "hash" {
  value = data.gwtrigger.api.hash
}
