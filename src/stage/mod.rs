//! Stage diagnostics as pure functions over plain data: what a stage serves (the deployed
//! snapshot), how it differs from the live API ([`drift`]), live methods API Gateway refuses to
//! deploy ([`no_integration`]), both together ([`status`]), and the 403 checklist ([`doctor`]).
//!
//! IO lives in `crate::aws::stage`, which fills the plain structs in [`model`]; nothing here
//! talks to AWS, so every check is unit-tested on hand-built data.

pub mod doctor;
pub mod drift;
pub mod export;
pub mod model;
pub mod no_integration;
pub mod policy;
pub mod routes;
pub mod status;

pub use doctor::{diagnose, Check, CheckId, Report, Status};
pub use drift::{compute as compute_drift, Drift};
pub use model::{DeployedRoutes, DeployedStage, MethodSetting, StageContext, UsagePlan};
pub use routes::{route_key, IntegrationTarget, RouteAuth};
pub use status::StageStatus;
