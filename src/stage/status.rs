//! What `gwtrigger drift` and `data "gwtrigger_stage"` report about a stage: the drift against
//! the deployment it serves (or why that cannot be compared) and the live methods without an
//! integration, which are named even when the stage cannot be compared.

use super::drift::{compute, Drift};
use super::model::DeployedStage;
use super::no_integration;
use crate::snapshot::Snapshot;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageStatus {
    /// The drift, or why the deployed routes are unknown.
    pub drift: Result<Drift, String>,
    /// Sorted live routes whose method has no integration ([`no_integration::find`]).
    pub methods_without_integration: Vec<String>,
}

impl StageStatus {
    pub fn check(live: &Snapshot, stage: &DeployedStage) -> StageStatus {
        StageStatus {
            drift: compute(live, stage),
            methods_without_integration: no_integration::find(live),
        }
    }

    /// True when the stage serves the live API and every live method can be deployed.
    pub fn in_sync(&self) -> bool {
        self.methods_without_integration.is_empty() && self.drift.as_ref().is_ok_and(Drift::in_sync)
    }

    /// Why nothing can be reported: the stage cannot be compared and nothing else was found.
    pub fn unknown(&self) -> Option<&str> {
        match &self.drift {
            Err(why) if self.methods_without_integration.is_empty() => Some(why),
            _ => None,
        }
    }

    /// One paragraph per problem, each with its fix: the drift, then the methods without an
    /// integration. Empty when in sync.
    pub fn problems(&self, rest_api_id: &str, stage: &DeployedStage) -> Vec<String> {
        let drift = self
            .drift
            .as_ref()
            .ok()
            .and_then(|d| d.problem(rest_api_id, stage));
        drift
            .into_iter()
            .chain(no_integration::message(&self.methods_without_integration))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::drift::tests::{api, deployed, method};
    use crate::stage::model::DeployedRoutes;

    fn lost_integration() -> Snapshot {
        let mut lost = method("NONE", false, "http://a");
        lost.integration = None;
        api(&[
            ("GET", "/items", lost),
            ("POST", "/items", method("NONE", false, "http://a")),
        ])
    }

    #[test]
    fn a_method_without_integration_is_reported_with_an_in_sync_deployment() {
        let before = api(&[
            ("GET", "/items", method("NONE", false, "http://a")),
            ("POST", "/items", method("NONE", false, "http://a")),
        ]);
        let live = lost_integration();
        let status = StageStatus::check(&live, &deployed(&before));
        assert!(status.drift.as_ref().unwrap().in_sync());
        assert!(!status.in_sync());
        assert_eq!(status.methods_without_integration, ["GET /items"]);
        let problems = status.problems("abc123", &deployed(&before));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("1 live method(s) without an integration: GET /items."));
    }

    #[test]
    fn a_method_without_integration_is_reported_when_the_stage_cannot_be_compared() {
        let live = lost_integration();
        let mut stage = deployed(&live);
        stage.routes = DeployedRoutes::Unknown("no apiSummary".into());
        let status = StageStatus::check(&live, &stage);
        assert!(status.drift.is_err());
        assert_eq!(status.unknown(), None, "something is known: report it");
        assert!(!status.in_sync());
        assert_eq!(status.problems("abc123", &stage).len(), 1);

        let healthy = api(&[("GET", "/items", method("NONE", false, "http://a"))]);
        let status = StageStatus::check(&healthy, &stage);
        assert_eq!(status.unknown(), Some("no apiSummary"));
        assert!(!status.in_sync() && status.problems("abc123", &stage).is_empty());
    }

    #[test]
    fn drift_and_a_missing_integration_are_two_problems() {
        let before = api(&[("GET", "/items", method("NONE", false, "http://a"))]);
        let live = lost_integration();
        let status = StageStatus::check(&live, &deployed(&before));
        let problems = status.problems("abc123", &deployed(&before));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("not deployed: POST /items"));
        assert!(problems[1].contains("without an integration: GET /items"));
        assert!(StageStatus::check(&before, &deployed(&before)).in_sync());
    }
}
