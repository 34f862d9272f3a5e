//! FHIR R4 and profile validation driven by StructureDefinition snapshots (issue #4): structure,
//! cardinality, types and primitive formats, fixed and pattern values, slicing, extensions, bindings,
//! invariants (FHIRPath), references and Bundle rules. Every finding is an `Issue` with its FHIRPath
//! location and, where one applies, the constraint key or profile element id in `rule`.
//!
//! Definitions are compiled once (on first use of each profile) and shared: a `Validator` is `Send +
//! Sync` and cheap to clone.

pub mod binding;
pub mod bundle;
pub mod compare;
pub mod core;
pub mod definitions;
pub mod invariant;
pub mod model;
pub mod primitive;
pub mod profile;
pub mod reference;
pub mod slicing;
pub mod snapshot;
pub mod terminology;
mod walk;

use std::sync::Arc;

use serde_json::Value;

use crate::issue::Issue;

pub use definitions::{Definitions, PackageId};

/// The strings of a JSON array (`meta.profile`, `type.targetProfile`); anything else gives none.
pub(crate) fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// What to validate against and how much to say.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Validate against these profiles instead of the ones the resource claims in `meta.profile`.
    pub profiles: Vec<String>,
    /// Report absent must-support elements of the profiles as information.
    pub must_support: bool,
    /// `now` for FHIRPath `now()`/`today()` (RFC 3339); mappings reads no clock.
    pub now: Option<String>,
}

/// A validator over a fixed set of definitions.
#[derive(Clone)]
pub struct Validator {
    definitions: Arc<Definitions>,
}

impl Validator {
    pub fn new(definitions: Definitions) -> Self {
        Validator {
            definitions: Arc::new(definitions),
        }
    }

    pub fn definitions(&self) -> &Definitions {
        &self.definitions
    }

    /// Validates one resource (a Bundle validates its entries too). The issues come sorted by severity,
    /// errors first, in document order within a severity.
    pub fn validate(&self, resource: &Value, options: &Options) -> Vec<Issue> {
        let mut issues = walk::validate(&self.definitions, resource, options);
        issues.sort_by_key(|i| i.severity);
        issues
    }
}
