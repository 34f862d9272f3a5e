//! The SS-MIX2 data types (データ種別) and the messages that carry them, from
//! `mappings/tables/ssmix2-data-types.csv` (SS-MIX2 仕様書 1.2g 表1-1), plus the extended-storage style
//! names of messages SS-MIX2 has no data type for (ORU^R30 vital signs, RDS^O13 dispenses).

use std::sync::OnceLock;

use serde::Deserialize;

use super::output::MapError;
use crate::hl7v2::Message;

const TABLE: &str = include_str!("../../tables/ssmix2-data-types.csv");

/// One row: a data type and one trigger event of it.
#[derive(Debug, Clone, Deserialize)]
pub struct DataType {
    pub data_type: String,
    pub message_type: String,
    pub trigger: String,
    /// The field giving the storage folder's 診療日 (`PV1-44`), or `-`.
    pub care_date: String,
    /// Whether this trigger cancels (A23, A27, A11, …).
    pub cancel: bool,
    /// Whether the message withdraws the record itself (A23): what earlier messages stored is deleted.
    pub retires: bool,
    /// The resource types this data type is the record of (space-separated).
    pub records: String,
    pub meaning: String,
}

/// Every row of the table, in table order.
pub fn table() -> &'static [DataType] {
    static ROWS: OnceLock<Vec<DataType>> = OnceLock::new();
    ROWS.get_or_init(|| crate::tables::read("ssmix2-data-types.csv", TABLE))
}

/// The rows of one data type (`OMP-01`), usually an event and its cancel.
pub fn rows_of(data_type: &str) -> Vec<&'static DataType> {
    table()
        .iter()
        .filter(|r| r.data_type == data_type)
        .collect()
}

/// The data type of a message, from MSH-9 and, when one message type serves several data types
/// (RDE^O11 for OMP-01 and OMP-02, OMG^O19 for OMG-01/02/03, RAS^O17, OMI^Z23), the storage path's
/// data type (`hint`) or the message's content.
pub fn data_type_of(message: &Message, hint: Option<&str>) -> Result<&'static DataType, MapError> {
    let value = |path: &str| {
        message
            .value(path)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let (message_type, trigger) = (value("MSH-9.1"), value("MSH-9.2"));
    let candidates: Vec<&'static DataType> = table()
        .iter()
        .filter(|r| r.message_type == message_type && r.trigger == trigger)
        .collect();
    if candidates.is_empty() {
        return Err(MapError::Unsupported {
            message_type: format!("{message_type}^{trigger}"),
        });
    }
    if let Some(hint) = hint {
        if let Some(row) = candidates.iter().find(|r| r.data_type == hint) {
            return Ok(row);
        }
    }
    if candidates.len() == 1 {
        return Ok(candidates[0]);
    }
    let wanted = guess(message, &message_type);
    Ok(candidates
        .iter()
        .find(|r| Some(r.data_type.as_str()) == wanted)
        .unwrap_or(&candidates[0]))
}

/// Tells apart the data types that share a message type, by content (SS-MIX2 仕様書 1.2g: 注射 orders
/// carry RXC components and 注射 RXE-2 codes; 内視鏡 orders are coded in LENDO, 生理 in JJ1017 `6` ranges
/// is not reliable, so without a storage path OMG^O19 defaults to 放射線).
fn guess(message: &Message, message_type: &str) -> Option<&'static str> {
    let has = |name: &str| message.segments_named(name).next().is_some();
    match message_type {
        "RDE" => Some(if has("RXC") { "OMP-02" } else { "OMP-01" }),
        "RAS" => Some(if has("RXC") { "OMP-12" } else { "OMP-11" }),
        "OMG" | "OMI" => {
            let coded_in = |system: &str| {
                message.segments_named("OBR").any(|obr| {
                    obr.field(4)
                        .map(|f| f.join(message.delimiters()).contains(system))
                        .unwrap_or(false)
                })
            };
            let endoscopy = coded_in("LENDO");
            Some(match (message_type, endoscopy) {
                ("OMG", true) => "OMG-02",
                ("OMG", false) => "OMG-01",
                (_, true) => "OMG-12",
                _ => "OMG-11",
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_and_names_every_standard_data_type() {
        let names: std::collections::BTreeSet<&str> =
            table().iter().map(|r| r.data_type.as_str()).collect();
        for expected in [
            "ADT-00", "ADT-01", "ADT-12", "ADT-21", "ADT-22", "ADT-31", "ADT-32", "ADT-41",
            "ADT-42", "ADT-51", "ADT-52", "ADT-61", "PPR-01", "OMD", "OMP-01", "OMP-02", "OMP-11",
            "OMP-12", "OML-01", "OML-11", "OMG-01", "OMG-02", "OMG-03", "OMG-11", "OMG-12",
            "OMG-13",
        ] {
            assert!(names.contains(expected), "{expected} missing");
        }
        assert!(rows_of("ADT-22")
            .iter()
            .any(|r| r.trigger == "A11" && r.cancel));
    }

    #[test]
    fn shared_message_types_are_told_apart_by_hint_and_content() {
        let rde = "MSH|^~\\&|A|B|C|D|20200101||RDE^O11^RDE_O11|1|P|2.5\rPID|||1^^^^PI\rRXC|B|1\r";
        let m = Message::parse(rde).unwrap();
        assert_eq!(data_type_of(&m, None).unwrap().data_type, "OMP-02");
        assert_eq!(
            data_type_of(&m, Some("OMP-01")).unwrap().data_type,
            "OMP-01"
        );
        // RDS^O13 is no SS-MIX2 data type: one row under a local extended-storage style name.
        let rds = Message::parse("MSH|^~\\&|A|B|C|D|20200101||RDS^O13^RDS_O13|1|P|2.5\r").unwrap();
        let row = data_type_of(&rds, Some("RDS-O13")).unwrap();
        assert_eq!(row.data_type, "L-DISPENSE^DISPENSE^99ZKH");
        assert_eq!(row.records, "MedicationDispense");
        assert_eq!(row.care_date, "RXD-3");
        let unknown = Message::parse("MSH|^~\\&|A|B|C|D|20200101||ZZZ^Z99|1|P|2.5\r").unwrap();
        assert_eq!(
            data_type_of(&unknown, None).unwrap_err(),
            MapError::Unsupported {
                message_type: "ZZZ^Z99".into()
            }
        );
    }
}
