//! The search-parameter table (mappings/tables/search-parameters.csv), loaded once.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const TABLE: &str = include_str!("../../../tables/search-parameters.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    Token,
    Reference,
    Date,
}

/// One row of the table: a parameter of a resource type and one path it is indexed from.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchParam {
    pub resource: String,
    pub param: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    pub path: String,
    pub target: Option<String>,
}

/// All rows, grouped by resource type.
#[derive(Debug, Default)]
pub struct Registry {
    by_resource: BTreeMap<String, Vec<SearchParam>>,
}

impl Registry {
    /// The rows (one per path) of every parameter of `resource_type`.
    pub fn for_resource(&self, resource_type: &str) -> &[SearchParam] {
        self.by_resource
            .get(resource_type)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The type of `param` on `resource_type`, if the store indexes it.
    pub fn kind(&self, resource_type: &str, param: &str) -> Option<ParamType> {
        self.for_resource(resource_type)
            .iter()
            .find(|p| p.param == param)
            .map(|p| p.kind)
    }

    /// Distinct parameter names of `resource_type` with their types, in table order.
    pub fn names(&self, resource_type: &str) -> Vec<(&str, ParamType)> {
        let mut out: Vec<(&str, ParamType)> = Vec::new();
        for p in self.for_resource(resource_type) {
            if !out.iter().any(|(n, _)| *n == p.param) {
                out.push((p.param.as_str(), p.kind));
            }
        }
        out
    }
}

/// The table, parsed on first use. The table is compiled in, so a malformed row is a build defect that
/// the unit test below catches.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = Registry::default();
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(TABLE.as_bytes());
        for row in reader.deserialize::<SearchParam>().flatten() {
            registry
                .by_resource
                .entry(row.resource.clone())
                .or_default()
                .push(row);
        }
        registry
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_parses() {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(TABLE.as_bytes());
        let rows: Vec<SearchParam> = reader
            .deserialize()
            .collect::<Result<_, _>>()
            .expect("table parses");
        assert!(rows.len() > 50);
        assert_eq!(
            registry().kind("Observation", "date"),
            Some(ParamType::Date)
        );
        assert_eq!(
            registry().kind("MedicationRequest", "medication"),
            Some(ParamType::Reference)
        );
        assert_eq!(registry().kind("Patient", "date"), None);
    }
}
