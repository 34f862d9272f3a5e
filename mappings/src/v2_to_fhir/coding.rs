//! HL7 v2 coding-system names ↔ FHIR system URIs, from `mappings/tables/v2-coding-systems.csv`.

use std::sync::OnceLock;

use serde::Deserialize;

const TABLE: &str = include_str!("../../tables/v2-coding-systems.csv");
/// The URI prefix for a coding-system name the table does not know (kept so it maps back).
pub const UNKNOWN_PREFIX: &str = "urn:kakehashi:hl7v2:coding-system:";

#[derive(Debug, Deserialize)]
struct Row {
    v2_name: String,
    uri: String,
}

fn rows() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| crate::tables::read("v2-coding-systems.csv", TABLE))
}

/// The FHIR system for a v2 coding-system name (`HOT9` → `http://medis.or.jp/CodeSystem/master-HOT9`).
pub fn system_uri(v2_name: &str) -> String {
    rows()
        .iter()
        .find(|r| r.v2_name.eq_ignore_ascii_case(v2_name))
        .map(|r| r.uri.clone())
        .unwrap_or_else(|| format!("{UNKNOWN_PREFIX}{v2_name}"))
}

/// The v2 coding-system name for a FHIR system: the table's first name for it, the name kept in an
/// unknown-system URN, or `None` for a URI the table does not know.
pub fn v2_name(uri: &str) -> Option<String> {
    if let Some(name) = uri.strip_prefix(UNKNOWN_PREFIX) {
        return Some(name.to_string());
    }
    rows()
        .iter()
        .find(|r| r.uri == uri)
        .map(|r| r.v2_name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_uris_and_back() {
        assert!(rows().len() > 10);
        assert_eq!(
            system_uri("HOT9"),
            "http://medis.or.jp/CodeSystem/master-HOT9"
        );
        assert_eq!(
            system_uri("HOT"),
            "http://medis.or.jp/CodeSystem/master-HOT9"
        );
        assert_eq!(
            v2_name("http://medis.or.jp/CodeSystem/master-HOT9").as_deref(),
            Some("HOT9")
        );
        assert_eq!(
            system_uri("99Z01"),
            "urn:kakehashi:hl7v2:coding-system:99Z01"
        );
        assert_eq!(v2_name(&system_uri("99Z01")).as_deref(), Some("99Z01"));
        assert_eq!(v2_name("http://example.org/unknown"), None);
    }
}
