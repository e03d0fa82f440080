# The stage check our docs recommend (examples/rest-api): warns when the stage serves something
# other than the live API or a live method has no integration. The stage name is the variable,
# not the stage resource's attribute, so the plan reads it even when it changes the stage.

check "stage_serves_live_api" {
  data "gwtrigger_stage" "current" {
    rest_api_id = aws_api_gateway_rest_api.api.id
    stage_name  = var.stage_name
  }

  assert {
    condition     = data.gwtrigger_stage.current.in_sync
    error_message = join("\n", data.gwtrigger_stage.current.problems)
  }
}
