//! Terminology for binding checks: value set membership and code lookups over the loaded packages.
//!
//! `Terminology` holds the ValueSets and CodeSystems of the loaded FHIR packages. It answers "is this
//! code in that value set?" with `Member`, `NotMember` or `Unknown` (with a reason) — `Unknown` whenever
//! the answer depends on something not loaded or not supported: a code system that is absent (LOINC,
//! SNOMED CT, UCUM, ...) or only partly present (`content` other than `complete`), a value set that is
//! absent, an unsupported filter, or a cycle of value set imports.
//!
//! Value sets are evaluated lazily, once, on first use (a `OnceLock` per value set); a check after that
//! is a hash lookup. Adding a resource after checks have run discards the cached evaluations.

mod code_system;
mod expand;
mod filter;
mod set;
mod value_set;
mod versions;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_packages;
#[cfg(test)]
mod tests_sources;

use foldhash::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use serde_json::Value;

use code_system::CodeSystemData;
use set::Tri;
use value_set::ValueSetData;
use versions::{Versioned, Versions};

/// The answer to a membership question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    Member,
    NotMember,
    /// The terminology at hand cannot decide; the text says why (for an information issue).
    Unknown(String),
}

/// The ValueSets and CodeSystems of the loaded packages. Build once with `add`, then share (`Sync`).
#[derive(Debug, Default)]
pub struct Terminology {
    value_sets: HashMap<String, Versions<ValueSetData>>,
    code_systems: HashMap<String, Versions<CodeSystemData>>,
    /// `CodeSystem.valueSet` canonical → code system url.
    implicit: HashMap<String, String>,
    /// Set once any evaluation has been cached, so that `add` knows to discard them.
    computed: AtomicBool,
}

/// A value set: a ValueSet resource or the "all codes" value set a CodeSystem declares.
#[derive(Clone, Copy)]
pub(crate) enum ValueSetRef<'a> {
    Explicit(&'a ValueSetData),
    Implicit(&'a CodeSystemData),
}

impl Versioned for ValueSetData {
    fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
}

impl Versioned for CodeSystemData {
    fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
}

impl Terminology {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a ValueSet or CodeSystem resource; other resources and ones without a `url` are ignored.
    /// A later add of the same `url|version` replaces the earlier one; all versions are kept and the
    /// newest answers a versionless lookup.
    pub fn add(&mut self, resource: &Value) {
        match resource.get("resourceType").and_then(Value::as_str) {
            Some("ValueSet") => {
                if let Some(vs) = ValueSetData::parse(resource) {
                    self.forget_cached();
                    self.value_sets
                        .entry(vs.url.clone())
                        .or_insert_with(Versions::new)
                        .insert(vs);
                }
            }
            Some("CodeSystem") => {
                if let Some(cs) = CodeSystemData::parse(resource) {
                    self.forget_cached();
                    if let Some(vs) = &cs.value_set {
                        self.implicit.insert(vs.clone(), cs.url.clone());
                    }
                    self.code_systems
                        .entry(cs.url.clone())
                        .or_insert_with(Versions::new)
                        .insert(cs);
                }
            }
            _ => {}
        }
    }

    /// Whether a ValueSet (or a CodeSystem's declared all-codes value set) answers `canonical`,
    /// which may carry `|version`.
    pub fn has_value_set(&self, canonical: &str) -> bool {
        self.resolve_value_set(canonical).is_some()
    }

    /// Whether a CodeSystem with this url (which may carry `|version`) is loaded, whatever its content.
    pub fn has_code_system(&self, url: &str) -> bool {
        let (url, version) = split_canonical(url);
        self.code_systems
            .get(url)
            .is_some_and(|v| v.get(version).is_some())
    }

    /// Is (`system`, `code`) in the value set? `system` `None` is a bare `code` element: it is a member
    /// if any system of the value set has the code.
    pub fn check(&self, value_set: &str, system: Option<&str>, code: &str) -> Membership {
        let Some(vs) = self.resolve_value_set(value_set) else {
            return Membership::Unknown(self.missing_value_set(value_set));
        };
        let set = self.expansion_of(vs);
        let answer = match system {
            Some(system) => set.get(system, code),
            None => set.get_any(code),
        };
        match answer {
            Tri::Yes => Membership::Member,
            Tri::No => Membership::NotMember,
            Tri::Maybe(why) => Membership::Unknown(why.to_string()),
        }
    }

    /// The display of `code` in the newest loaded version of code system `system`, if known.
    pub fn display(&self, system: &str, code: &str) -> Option<&str> {
        let cs = self.code_systems.get(system)?.newest()?;
        cs.concepts[cs.find(code)?].display.as_deref()
    }

    /// Whether the newest loaded version of `system` defines `code`: `Some(true)` when it lists the
    /// code, `Some(false)` when it does not and its content is `complete`, `None` when the system is
    /// not loaded or is incomplete (`fragment`, `example`, `not-present`, `supplement`).
    pub fn code_system_has(&self, system: &str, code: &str) -> Option<bool> {
        let cs = self.code_systems.get(system)?.newest()?;
        if cs.find(code).is_some() {
            Some(true)
        } else if cs.is_complete() {
            Some(false)
        } else {
            None
        }
    }

    /// Finds the ValueSet for `canonical`, else a CodeSystem declaring it as its `valueSet`.
    pub(crate) fn resolve_value_set(&self, canonical: &str) -> Option<ValueSetRef<'_>> {
        let (url, version) = split_canonical(canonical);
        if let Some(vs) = self.value_sets.get(url).and_then(|v| v.get(version)) {
            return Some(ValueSetRef::Explicit(vs));
        }
        let cs_url = self.implicit.get(url)?;
        let versions = self.code_systems.get(cs_url)?;
        match version {
            None => versions.newest(),
            Some(_) => versions.get(version),
        }
        .filter(|cs| cs.value_set.as_deref() == Some(url))
        .map(ValueSetRef::Implicit)
    }

    fn missing_value_set(&self, canonical: &str) -> String {
        let (url, version) = split_canonical(canonical);
        match (version, self.value_sets.get(url)) {
            (Some(v), Some(loaded)) => format!(
                "value set `{url}` version `{v}` is not loaded (loaded: {})",
                loaded.list()
            ),
            _ => format!("value set `{canonical}` is not loaded"),
        }
    }

    /// Discards cached evaluations, which may depend on what is being added.
    fn forget_cached(&mut self) {
        if !std::mem::take(self.computed.get_mut()) {
            return;
        }
        for vs in self.value_sets.values_mut().flat_map(Versions::iter_mut) {
            vs.cache = OnceLock::new();
        }
        for cs in self.code_systems.values_mut().flat_map(Versions::iter_mut) {
            cs.all_codes = OnceLock::new();
        }
    }

    fn mark_computed(&self) {
        self.computed.store(true, Ordering::Relaxed);
    }
}

/// Splits `url|version`.
fn split_canonical(canonical: &str) -> (&str, Option<&str>) {
    match canonical.split_once('|') {
        Some((url, version)) if !version.is_empty() => (url, Some(version)),
        Some((url, _)) => (url, None),
        None => (canonical, None),
    }
}
