//! The members of the native formats that travel in Kakehashi extensions (`tables/consultation-items.csv`):
//! for each member path its FHIR value type, whether it repeats or is required, its code list and its
//! narrative label. Both directions walk the native JSON with this one table, so they cannot drift apart.

use std::sync::OnceLock;

use serde::Deserialize;

const ITEMS: &str = include_str!("../../../tables/consultation-items.csv");

/// How a member is valued in FHIR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ValueType {
    /// Sub-extensions, one per member of the native object.
    Complex,
    String,
    Code,
    Boolean,
    Integer,
    DateTime,
    Date,
    /// valueReference to an Organization of the Bundle (an `Institution`).
    Organization,
    /// valueReference to a Practitioner of the Bundle (a `Doctor`).
    Practitioner,
}

impl ValueType {
    /// The `value[x]` key of an extension of this type; `None` for complex extensions.
    pub fn value_key(self) -> Option<&'static str> {
        Some(match self {
            ValueType::Complex => return None,
            ValueType::String => "valueString",
            ValueType::Code => "valueCode",
            ValueType::Boolean => "valueBoolean",
            ValueType::Integer => "valueInteger",
            ValueType::DateTime => "valueDateTime",
            ValueType::Date => "valueDate",
            ValueType::Organization | ValueType::Practitioner => "valueReference",
        })
    }
}

/// One row of the table.
#[derive(Debug, Deserialize)]
pub struct Item {
    /// `record.firstVisit.preConsultation.dateTime`: the document, then the native member names.
    pub path: String,
    #[serde(rename = "type")]
    pub value_type: ValueType,
    #[serde(default, deserialize_with = "flag")]
    pub repeats: bool,
    #[serde(default, deserialize_with = "flag")]
    pub required: bool,
    #[serde(default)]
    pub list: Option<String>,
    pub label_ja: String,
}

fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text.is_some_and(|t| t == "1"))
}

impl Item {
    /// The native member name (the last part of the path), which names the sub-extension.
    pub fn name(&self) -> &str {
        self.path.rsplit('.').next().unwrap_or_default()
    }
}

fn items() -> &'static [Item] {
    static ROWS: OnceLock<Vec<Item>> = OnceLock::new();
    ROWS.get_or_init(|| crate::tables::read("consultation-items.csv", ITEMS))
}

/// The row of `path`.
pub fn item(path: &str) -> Option<&'static Item> {
    items().iter().find(|i| i.path == path)
}

/// The rows one level below `path` (a document name or a complex member), in table order.
pub fn children(path: &str) -> impl Iterator<Item = &'static Item> + '_ {
    items().iter().filter(move |i| {
        i.path
            .strip_prefix(path)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|rest| !rest.contains('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_and_every_path_has_a_complex_parent() {
        assert!(items().len() > 90);
        for i in items() {
            let (parent, _) = i.path.rsplit_once('.').unwrap();
            if parent.contains('.') {
                let p = item(parent).unwrap_or_else(|| panic!("{} has no parent row", i.path));
                assert_eq!(p.value_type, ValueType::Complex, "{}", i.path);
            } else {
                assert!(["record", "care-plan", "consent"].contains(&parent));
            }
            assert_eq!(
                i.list.is_some(),
                i.value_type == ValueType::Code,
                "{}",
                i.path
            );
            if let Some(list) = &i.list {
                assert!(super::super::codes::list(list).count() > 0, "{list}");
            }
        }
        let first_visit: Vec<_> = children("record.firstVisit").map(Item::name).collect();
        assert_eq!(first_visit[0], "isFirstVisit");
        assert!(!first_visit.contains(&"dateTime"));
        let attendees = item("record.attendees").unwrap();
        assert!(attendees.repeats && !attendees.required);
        assert!(item("record.communication.video").unwrap().required);
    }
}
