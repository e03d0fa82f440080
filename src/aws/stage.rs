//! Stage-side reads for drift and doctor: GetStage, GetDeployment `embed=apisummary`, the stage
//! export (`oas30`, `extensions=integrations,authorizers`), usage plans and their keys. Converts
//! SDK types into the plain structs of [`crate::stage::model`]; key values are never kept.
//!
//! The deployed routes come from `apiSummary`, else from the export (LocalStack's GetDeployment
//! has no `apiSummary`); [`DeployedRoutes::choose`] decides, and says when neither will do.

use std::collections::BTreeMap;

use aws_sdk_apigateway::operation::get_deployment::GetDeploymentOutput;
use aws_sdk_apigateway::operation::get_stage::GetStageOutput;
use aws_smithy_types::date_time::Format;

use super::error::from_sdk;
// Usage plans and keys are read in pages of the API maximum.
use super::fetch::{context, paginate, validate_rest_api_id, MAX_PAGE_SIZE as PAGE_SIZE};
use super::{fetch_snapshot, ApiGateway, AwsError, AwsErrorKind, FetchOptions, Setting};
use crate::stage::export;
use crate::stage::model::{DeployedRoutes, DeployedStage, MethodSetting, StageContext, UsagePlan};
use crate::stage::routes::{route_key, RouteAuth};

/// The stage, the deployment it serves, its routes (from `apiSummary` or the export) and, when
/// available, the integrations of its export.
pub async fn fetch_deployed_stage(
    api: &ApiGateway,
    rest_api_id: &str,
    stage_name: &str,
) -> Result<DeployedStage, AwsError> {
    validate_rest_api_id(rest_api_id, api.front_end())?;
    let stage = {
        let _permit = api.permit().await?;
        api.sdk()
            .get_stage()
            .rest_api_id(rest_api_id)
            .stage_name(stage_name)
            .send()
            .await
            .map_err(|err| {
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_not_found_exception())
                {
                    stage_not_found(api, rest_api_id, stage_name)
                } else {
                    from_sdk(
                        err,
                        &context(
                            api,
                            rest_api_id,
                            "GetStage",
                            format!("/stages/{stage_name}"),
                            None,
                        ),
                    )
                }
            })?
    };
    let deployment_id = stage.deployment_id().unwrap_or_default().to_string();
    if deployment_id.is_empty() {
        return Err(AwsError::new(
            AwsErrorKind::MalformedResponse,
            format!("Stage {stage_name} has no deployment"),
            format!("GetStage for REST API {rest_api_id} returned no deploymentId, so there is nothing deployed to compare with."),
        ));
    }
    let (deployment, exported) = futures::join!(
        get_deployment(api, rest_api_id, &deployment_id),
        get_export(api, rest_api_id, stage_name)
    );
    let deployment = deployment?;
    let mut deployed = convert_stage(stage_name, &stage, &deployment);
    match exported {
        Ok(integrations) => deployed.exported_integrations = integrations,
        Err(problem) => deployed.export_problem = Some(problem),
    }
    if deployed.exported_integrations.is_none() && deployed.export_problem.is_none() {
        deployed.export_problem =
            Some("the stage export carried no x-amazon-apigateway-integration".into());
    }
    deployed.routes = DeployedRoutes::choose(
        api_summary(&deployment),
        deployed.exported_integrations.as_ref(),
        deployed.export_problem.as_deref(),
    );
    Ok(deployed)
}

async fn get_deployment(
    api: &ApiGateway,
    id: &str,
    deployment_id: &str,
) -> Result<GetDeploymentOutput, AwsError> {
    let _permit = api.permit().await?;
    api.sdk()
        .get_deployment()
        .rest_api_id(id)
        .deployment_id(deployment_id)
        .embed("apisummary")
        .send()
        .await
        .map_err(|err| {
            from_sdk(
                err,
                &context(
                    api,
                    id,
                    "GetDeployment",
                    format!("/deployments/{deployment_id}"),
                    None,
                ),
            )
        })
}

/// The export's integrations, or why they are unavailable (never an error: the export only
/// refines drift).
async fn get_export(
    api: &ApiGateway,
    id: &str,
    stage_name: &str,
) -> Result<Option<BTreeMap<String, crate::stage::IntegrationTarget>>, String> {
    let _permit = api.permit().await.map_err(|e| e.summary().to_string())?;
    let output = api
        .sdk()
        .get_export()
        .rest_api_id(id)
        .stage_name(stage_name)
        .export_type("oas30")
        .parameters("extensions", "integrations,authorizers")
        .accepts("application/json")
        .send()
        .await
        .map_err(|err| {
            let err = from_sdk(
                err,
                &context(
                    api,
                    id,
                    "GetExport",
                    format!("/stages/{stage_name}/exports/oas30"),
                    None,
                ),
            );
            format!("GetExport failed: {}", err.summary())
        })?;
    let body = output.body().map(|b| b.as_ref()).unwrap_or_default();
    export::integrations(body)
}

/// The deployment's `apiSummary` as `"VERB /path"` → auth; `None` when the answer has none.
pub fn api_summary(deployment: &GetDeploymentOutput) -> Option<BTreeMap<String, RouteAuth>> {
    let paths = deployment.api_summary()?;
    let routes = paths.iter().flat_map(|(path, verbs)| {
        verbs.iter().map(move |(verb, m)| {
            let auth = RouteAuth::new(m.authorization_type(), Some(m.api_key_required()));
            (route_key(verb, path), auth)
        })
    });
    Some(routes.collect())
}

/// Plain data from GetStage + GetDeployment (pure). The routes are set by the caller, which
/// also knows the export.
pub fn convert_stage(
    stage_name: &str,
    stage: &GetStageOutput,
    deployment: &GetDeploymentOutput,
) -> DeployedStage {
    let method_settings = stage
        .method_settings()
        .map(|settings| {
            settings
                .iter()
                .map(|(key, s)| {
                    let setting = MethodSetting {
                        logging_level: s.logging_level().map(str::to_string),
                        data_trace_enabled: Some(s.data_trace_enabled()),
                    };
                    (key.clone(), setting)
                })
                .collect()
        })
        .unwrap_or_default();
    DeployedStage {
        stage_name: stage_name.to_string(),
        deployment_id: stage.deployment_id().unwrap_or_default().to_string(),
        deployed_at: deployment
            .created_date()
            .and_then(|d| d.fmt(Format::DateTime).ok()),
        routes: DeployedRoutes::default(),
        exported_integrations: None,
        export_problem: None,
        method_settings,
        access_log_destination: stage
            .access_log_settings()
            .and_then(|a| a.destination_arn())
            .filter(|d| !d.is_empty())
            .map(str::to_string),
    }
}

fn stage_not_found(api: &ApiGateway, rest_api_id: &str, stage_name: &str) -> AwsError {
    AwsError::new(
        AwsErrorKind::NotFound,
        format!("Stage {stage_name} not found"),
        format!(
            "REST API {rest_api_id} in {} has no stage named {stage_name:?} (or the API does not exist). \
             Check {} (case-sensitive), {} and {}.",
            api.region(),
            Setting::StageName.name(api.front_end()),
            Setting::RestApiId.name(api.front_end()),
            Setting::Region.name(api.front_end())
        ),
    )
    .with_attribute(Setting::StageName.attribute())
}

/// Usage plans that include `rest_api_id` (any stage), with the names of the keys of those
/// that include `stage_name`.
pub async fn fetch_usage_plans(
    api: &ApiGateway,
    rest_api_id: &str,
    stage_name: &str,
) -> Result<Vec<UsagePlan>, AwsError> {
    let (all_plans, _pages) = paginate(
        context(api, rest_api_id, "GetUsagePlans", String::new(), None),
        |position, ctx| async move {
            let _permit = api.permit().await?;
            let page = api
                .sdk()
                .get_usage_plans()
                .limit(PAGE_SIZE)
                .set_position(position)
                .send()
                .await
                .map_err(|err| from_sdk(err, &ctx))?;
            let plans = page
                .items()
                .iter()
                .map(|plan| UsagePlan {
                    id: plan.id().unwrap_or_default().to_string(),
                    name: plan.name().unwrap_or_default().to_string(),
                    api_stages: plan
                        .api_stages()
                        .iter()
                        .map(|s| {
                            (
                                s.api_id().unwrap_or_default().to_string(),
                                s.stage().unwrap_or_default().to_string(),
                            )
                        })
                        .collect(),
                    key_names: Vec::new(),
                })
                .collect();
            Ok((plans, page.position().map(str::to_owned)))
        },
    )
    .await?;
    let mut plans: Vec<UsagePlan> = all_plans
        .into_iter()
        .filter(|plan| {
            plan.api_stages
                .iter()
                .any(|(api_id, _)| api_id == rest_api_id)
        })
        .collect();
    for plan in plans
        .iter_mut()
        .filter(|p| p.covers(rest_api_id, stage_name))
    {
        plan.key_names = usage_plan_key_names(api, rest_api_id, &plan.id).await?;
    }
    Ok(plans)
}

async fn usage_plan_key_names(
    api: &ApiGateway,
    rest_api_id: &str,
    plan_id: &str,
) -> Result<Vec<String>, AwsError> {
    let (names, _pages) = paginate(
        context(api, rest_api_id, "GetUsagePlanKeys", String::new(), None),
        |position, ctx| async move {
            let _permit = api.permit().await?;
            let page = api
                .sdk()
                .get_usage_plan_keys()
                .usage_plan_id(plan_id)
                .limit(PAGE_SIZE)
                .set_position(position)
                .send()
                .await
                .map_err(|err| from_sdk(err, &ctx))?;
            let names = page
                .items()
                .iter()
                .map(|k| k.name().or(k.id()).unwrap_or("unnamed key").to_string())
                .collect();
            Ok((names, page.position().map(str::to_owned)))
        },
    )
    .await?;
    Ok(names)
}

/// Everything `doctor` needs, read concurrently.
pub async fn fetch_stage_context(
    api: &ApiGateway,
    rest_api_id: &str,
    stage_name: &str,
    fetch: &FetchOptions,
) -> Result<StageContext, AwsError> {
    validate_rest_api_id(rest_api_id, api.front_end())?;
    let (live, stage, usage_plans) = futures::try_join!(
        fetch_snapshot(api, rest_api_id, fetch),
        fetch_deployed_stage(api, rest_api_id, stage_name),
        fetch_usage_plans(api, rest_api_id, stage_name),
    )?;
    Ok(StageContext {
        rest_api_id: rest_api_id.to_string(),
        region: Some(api.region().to_string()),
        live,
        stage,
        usage_plans,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_apigateway::types::{AccessLogSettings, MethodSnapshot};

    #[test]
    fn converts_stage_and_deployment_into_plain_data() {
        let stage = GetStageOutput::builder()
            .deployment_id("d1")
            .method_settings(
                "*/*",
                aws_sdk_apigateway::types::MethodSetting::builder()
                    .logging_level("INFO")
                    .build(),
            )
            .access_log_settings(
                AccessLogSettings::builder()
                    .destination_arn("arn:aws:logs:x")
                    .build(),
            )
            .build();
        let mut verbs = std::collections::HashMap::new();
        verbs.insert(
            "get".to_string(),
            MethodSnapshot::builder()
                .authorization_type("AWS_IAM")
                .api_key_required(true)
                .build(),
        );
        let deployment = GetDeploymentOutput::builder()
            .created_date(aws_smithy_types::DateTime::from_secs(1_700_000_000))
            .api_summary("/items", verbs)
            .build();
        let plain = convert_stage("dev", &stage, &deployment);
        assert_eq!(plain.deployment_id, "d1");
        assert_eq!(plain.deployed_at.as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(
            api_summary(&deployment).unwrap()["GET /items"],
            RouteAuth::new(Some("AWS_IAM"), Some(true))
        );
        assert_eq!(api_summary(&GetDeploymentOutput::builder().build()), None);
        assert_eq!(
            plain.method_settings["*/*"].logging_level.as_deref(),
            Some("INFO")
        );
        assert_eq!(
            plain.access_log_destination.as_deref(),
            Some("arn:aws:logs:x")
        );
    }
}
