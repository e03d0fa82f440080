# The stage check our docs recommend: warns at the end of a plan or apply whose stage serves
# something other than the live API (it reads after the stage changed: it references it).

check "stage_serves_live_api" {
  data "gwtrigger_stage" "current" {
    rest_api_id = aws_api_gateway_rest_api.api.id
    stage_name  = aws_api_gateway_stage.stage.stage_name
  }

  assert {
    condition     = data.gwtrigger_stage.current.in_sync
    error_message = <<-EOT
      Stage ${aws_api_gateway_stage.stage.stage_name} serves deployment ${data.gwtrigger_stage.current.deployment_id}, which differs from the live API.
      Not deployed:        ${join(", ", data.gwtrigger_stage.current.undeployed_routes)}
      Removed but served:  ${join(", ", data.gwtrigger_stage.current.removed_routes)}
      Auth/API key differ: ${join(", ", data.gwtrigger_stage.current.changed_routes)}
      Integration differs: ${join(", ", data.gwtrigger_stage.current.changed_integrations)}
    EOT
  }
}
