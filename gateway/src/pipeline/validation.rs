//! Validation on write (issue #4): the validator built once at start from the embedded R4 core
//! definitions and the configured packages, and each zone's mode (`enforce`: 422 with the
//! OperationOutcome; `warn`: stored, issue counts logged; `off`).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use kakehashi_mappings::validate::{Definitions, Options, PackageId, Validator};
use kakehashi_mappings::Issue;
use serde_json::Value;

use crate::config::ValidationMode;
use crate::packages::{self, PackageLimits};
use crate::pipeline::FhirError;

/// Why the validator cannot be built (a configuration problem: exit 78).
#[derive(Debug, thiserror::Error)]
pub enum ValidationSetupError {
    #[error("the embedded R4 core definitions cannot be read: {0}")]
    Core(String),
    #[error("FHIR package {path}: {why}")]
    Package { path: PathBuf, why: String },
}

/// Builds a validator from the embedded R4 core definitions and `packages` (files or folders). The
/// core-only validator is built once per process and shared (it is immutable).
pub fn build_validator(packages: &[PathBuf]) -> Result<Validator, ValidationSetupError> {
    static CORE_ONLY: OnceLock<Validator> = OnceLock::new();
    if packages.is_empty() {
        if let Some(v) = CORE_ONLY.get() {
            return Ok(v.clone());
        }
    }
    let validator = load(packages)?;
    if packages.is_empty() {
        return Ok(CORE_ONLY.get_or_init(|| validator).clone());
    }
    Ok(validator)
}

fn load(packages: &[PathBuf]) -> Result<Validator, ValidationSetupError> {
    let mut definitions =
        Definitions::with_r4_core().map_err(|e| ValidationSetupError::Core(e.to_string()))?;
    for path in packages {
        let loaded = packages::load(path, &PackageLimits::default()).map_err(|e| {
            ValidationSetupError::Package {
                path: path.clone(),
                why: e.to_string(),
            }
        })?;
        definitions.add_package(
            PackageId {
                name: loaded.name,
                version: loaded.version,
            },
            loaded.resources.into_iter().map(|f| f.resource),
        );
    }
    Ok(Validator::new(definitions))
}

/// A zone's validation on write.
#[derive(Clone)]
pub struct Validation {
    pub validator: Validator,
    pub mode: ValidationMode,
    pub options: Arc<Options>,
}

impl Validation {
    /// Checks a resource about to be stored; `Err` (422) in enforce mode when it has error issues.
    pub fn check(&self, resource: &Value) -> Result<(), FhirError> {
        if self.mode == ValidationMode::Off {
            return Ok(());
        }
        let issues = self.validator.validate(resource, &self.options);
        let errors = issues.iter().filter(|i| i.is_error()).count();
        if errors == 0 {
            return Ok(());
        }
        match self.mode {
            // Called after the typed R4 check (`prepare`), so malformed FHIR has had its 400 already;
            // what fails here is well-formed but breaks its definitions or profiles: 422.
            ValidationMode::Enforce => Err(FhirError {
                status: 422,
                issues,
            }),
            _ => {
                tracing::warn!(
                    errors,
                    "Storing a resource that fails validation (validation = warn)."
                );
                Ok(())
            }
        }
    }

    /// `$validate`: every issue, whatever the mode.
    pub fn validate(&self, resource: &Value, profile: Option<&str>) -> Vec<Issue> {
        match profile {
            Some(url) => {
                let options = Options {
                    profiles: vec![url.to_string()],
                    ..(*self.options).clone()
                };
                self.validator.validate(resource, &options)
            }
            None => self.validator.validate(resource, &self.options),
        }
    }
}
