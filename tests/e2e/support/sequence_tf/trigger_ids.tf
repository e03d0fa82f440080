# The seed's hand-kept trigger (the hashicorp/aws documentation's example): the ids of the
# resources, methods and integrations.

resource "aws_api_gateway_deployment" "main" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers = {
    redeployment = sha1(jsonencode([
      values(aws_api_gateway_resource.level1)[*].id,
      values(aws_api_gateway_resource.level2)[*].id,
      values(aws_api_gateway_method.route)[*].id,
      values(aws_api_gateway_integration.route)[*].id,
    ]))
  }
  lifecycle {
    create_before_destroy = true
  }
}
