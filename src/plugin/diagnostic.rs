//! Diagnostics: what a provider reports to Terraform (severity, summary, detail, attribute path).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One step of an attribute path, as in tfplugin6 `AttributePath.Step`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Attribute(String),
    ElementKeyString(String),
    ElementKeyInt(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    /// Empty when the diagnostic is not about one attribute.
    pub path: Vec<PathStep>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path: Vec::new(),
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    /// Points the diagnostic at a top-level attribute (or nested block) by name.
    pub fn at(mut self, attribute: &str) -> Diagnostic {
        self.path.push(PathStep::Attribute(attribute.to_string()));
        self
    }

    /// Replaces the whole path.
    pub fn with_path(mut self, path: Vec<PathStep>) -> Diagnostic {
        self.path = path;
        self
    }

    /// Appends a step (e.g. a nested attribute or list index) to the path.
    pub fn then(mut self, step: PathStep) -> Diagnostic {
        self.path.push(step);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
