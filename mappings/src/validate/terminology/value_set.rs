//! A loaded ValueSet: its `compose` rules and any stored `expansion`, plus the cached evaluation.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::filter::Filter;
use super::set::TriSet;

/// One `compose.include` or `compose.exclude` entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConceptSet {
    pub(crate) system: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) concepts: Vec<String>,
    pub(crate) filters: Vec<Filter>,
    /// Canonicals of imported value sets (all of which a code must be in).
    pub(crate) value_sets: Vec<String>,
}

impl ConceptSet {
    fn parse(item: &Value) -> ConceptSet {
        let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
        let list = |key: &str| {
            item.get(key)
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
        };
        ConceptSet {
            system: text("system"),
            version: text("version"),
            concepts: list("concept")
                .iter()
                .filter_map(|c| c.get("code").and_then(Value::as_str))
                .map(str::to_string)
                .collect(),
            filters: list("filter").iter().map(Filter::parse).collect(),
            value_sets: list("valueSet")
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        }
    }
}

/// `ValueSet.compose`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Compose {
    pub(crate) include: Vec<ConceptSet>,
    pub(crate) exclude: Vec<ConceptSet>,
}

/// `ValueSet.expansion.contains`, flattened.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoredExpansion {
    /// (system, code) pairs; entries without a code (grouping headers) are left out.
    pub(crate) codes: Vec<(String, String)>,
    /// False when `expansion.total` says there are more codes than are listed.
    pub(crate) complete: bool,
}

/// A ValueSet reduced to what membership checks need.
#[derive(Debug)]
pub(crate) struct ValueSetData {
    pub(crate) url: String,
    pub(crate) version: Option<String>,
    pub(crate) compose: Option<Compose>,
    pub(crate) expansion: Option<StoredExpansion>,
    /// The evaluated set, computed on first use.
    pub(crate) cache: OnceLock<Arc<TriSet>>,
}

impl ValueSetData {
    /// Reads a ValueSet resource; `None` when it has no `url`.
    pub(crate) fn parse(resource: &Value) -> Option<ValueSetData> {
        let url = resource.get("url")?.as_str()?.to_string();
        let version = resource
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_string);
        let compose = resource.get("compose").map(|c| {
            let part = |key: &str| {
                c.get(key)
                    .and_then(Value::as_array)
                    .map(|items| items.iter().map(ConceptSet::parse).collect())
                    .unwrap_or_default()
            };
            Compose {
                include: part("include"),
                exclude: part("exclude"),
            }
        });
        let expansion = resource.get("expansion").map(parse_expansion);
        Some(ValueSetData {
            url,
            version,
            compose,
            expansion,
            cache: OnceLock::new(),
        })
    }

    /// `url|version` (or the bare url), for messages and cycle detection.
    pub(crate) fn key(&self) -> String {
        match &self.version {
            Some(v) => format!("{}|{v}", self.url),
            None => self.url.clone(),
        }
    }

    /// Every value set canonical this one imports, in include and exclude.
    pub(crate) fn imports(&self) -> impl Iterator<Item = &str> {
        self.compose
            .iter()
            .flat_map(|c| c.include.iter().chain(c.exclude.iter()))
            .flat_map(|s| s.value_sets.iter().map(String::as_str))
    }
}

fn parse_expansion(expansion: &Value) -> StoredExpansion {
    let mut codes = Vec::new();
    if let Some(list) = expansion.get("contains").and_then(Value::as_array) {
        flatten_contains(list, &mut codes);
    }
    let total = expansion.get("total").and_then(Value::as_u64);
    let complete = total.is_none_or(|t| t <= codes.len() as u64);
    StoredExpansion { codes, complete }
}

fn flatten_contains(list: &[Value], out: &mut Vec<(String, String)>) {
    for item in list {
        let system = item.get("system").and_then(Value::as_str);
        let code = item.get("code").and_then(Value::as_str);
        if let (Some(system), Some(code)) = (system, code) {
            out.push((system.to_string(), code.to_string()));
        }
        if let Some(nested) = item.get("contains").and_then(Value::as_array) {
            flatten_contains(nested, out);
        }
    }
}
