# The wiring our docs recommend: the hash of the live API, read during apply after the API's parts
# changed (depends_on on every route-defining resource), as the deployment's trigger.

data "gwtrigger" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  depends_on = [
    aws_api_gateway_resource.level1,
    aws_api_gateway_resource.level2,
    aws_api_gateway_method.route,
    aws_api_gateway_integration.route,
    aws_api_gateway_method_response.route,
    aws_api_gateway_integration_response.route,
    aws_api_gateway_authorizer.token,
    aws_api_gateway_rest_api_policy.api,
    aws_api_gateway_model.pet,
    aws_api_gateway_request_validator.all,
    aws_api_gateway_gateway_response.custom,
  ]
}

resource "aws_api_gateway_deployment" "main" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers    = { redeployment = data.gwtrigger.api.hash }
  lifecycle {
    create_before_destroy = true
  }
}

output "hash" {
  value = data.gwtrigger.api.hash
}
