//! [`StoragePath::for_message`]: the storage path of a message, from its content (SS-MIX2 構築ガイド
//! ライン 1.2 §2.2–2.3; NHO tool `include/SSMIX_CAREDATE.json` for the care-date fields):
//!
//! - 患者ID: PID-3 (first repetition), component 1.
//! - 診療日: the first 8 digits of the field that `ssmix2-data-types.csv` names for the message's data type
//!   and trigger (`PV1-44`, `ORC-9`, `SPM-17`, `OBR-7` …), `-` when the table says `-`.
//! - オーダNo: ORC-2 (placer order number) of the first ORC for every data type that has an ORC (orders,
//!   results, administrations: the NHO OML-11 sample's name carries its ORC-2 `081251234567800`), left-
//!   padded with `0` to the guideline's 15 characters as ssmixtwins does (the NHO samples copy ORC-2 as
//!   written: `000000011000185` was padded by the sender, OMG-11's `2011122000300` has 13; `parse`
//!   accepts both); data without an ORC (ADT, PPR-01, the NHO ORU^R01 OMG-13 sample) get
//!   [`NO_ORDER_NUMBER`], as in the NHO samples.
//! - 発生日時: MSH-7's digits (no `.`, no time zone), cut or right-padded with `0` to 17. The guideline
//!   makes it the time the file was written, which a pure function does not know; MSH-7 is the time the
//!   sender made the message, which is what the NHO samples carry (`20111220224447.3399` →
//!   `20111220224447339`).
//! - 診療科: ORC-17.1 (entering organization, HL7 0069 `01^内科^HL70069`; the NHO OML-11 sample's `01`),
//!   else PV1-10 (hospital service; the NHO ADT-42 sample's `10`), else `-` (the NHO ADT-00 sample).
//! - extended storage (a data type with `^`): the same name as a content folder holding
//!   `main_document.hl7`, with the 診療科 part (the guideline's 7-part form).

use thiserror::Error;

use super::error::PathError;
use super::fields;
use super::path::{ConditionFlag, Extended, StoragePath, NO_ORDER_NUMBER};
use crate::hl7v2::Message;
use crate::v2_to_fhir::data_types::data_type_of;
use crate::v2_to_fhir::MapError;

/// What the caller knows beside the message.
#[derive(Debug, Clone, Copy)]
pub struct MessageFacts<'a> {
    /// The data type, when known (it tells OMP-01 from OMP-02); else guessed from the message.
    pub data_type: Option<&'a str>,
    pub flag: ConditionFlag,
}

/// Why no path can be built for a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BuildError {
    #[error("no SS-MIX2 data type: {0}")]
    DataType(#[from] MapError),
    #[error("{field} is empty, but it gives the care date (診療日) of {data_type}")]
    NoCareDate { field: String, data_type: String },
    #[error("{field} `{value}` does not start with a date YYYYMMDD")]
    BadCareDate { field: String, value: String },
    #[error("ORC-2 is longer than 15 characters, the length of an order number")]
    LongOrderNumber,
    #[error("MSH-7 is not a date and time: {0}")]
    Timestamp(PathError),
    #[error("{0}")]
    Path(#[from] PathError),
}

impl StoragePath {
    /// The path of a message; `parse(to_relative_path())` of the result gives it back.
    pub fn for_message(message: &Message, facts: &MessageFacts) -> Result<StoragePath, BuildError> {
        let row = data_type_of(message, facts.data_type)?;
        let data_type = facts.data_type.unwrap_or(&row.data_type).to_string();
        let value = |path: &str| {
            message
                .value(path)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };

        let patient_id = fields::patient_id(&value("PID-3[1].1"))?;

        let care_date = if row.care_date == "-" {
            None
        } else {
            let raw = value(&format!("{}.1", row.care_date));
            if raw.is_empty() {
                return Err(BuildError::NoCareDate {
                    field: row.care_date.clone(),
                    data_type,
                });
            }
            let date = raw.get(..8).filter(|d| fields::is_calendar_date(d));
            match date {
                Some(d) => Some(d.to_string()),
                None => {
                    return Err(BuildError::BadCareDate {
                        field: row.care_date.clone(),
                        value: raw,
                    })
                }
            }
        };

        let order_number = match message.segment("ORC", 1) {
            Some(_) if !value("ORC-2.1").is_empty() => {
                let orc2 = value("ORC-2.1");
                if orc2.len() > 15 {
                    return Err(BuildError::LongOrderNumber);
                }
                fields::order_number(&format!("{orc2:0>15}"))?
            }
            _ => NO_ORDER_NUMBER.to_string(),
        };

        let msh7 = value("MSH-7.1");
        let digits: String = msh7
            .split(['+', '-'])
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_digit())
            .take(17)
            .collect();
        let timestamp = if digits.len() >= 8 {
            fields::timestamp(&format!("{digits:0<17}")).map_err(BuildError::Timestamp)?
        } else {
            return Err(BuildError::Timestamp(PathError::BadTimestamp {
                value: msh7,
            }));
        };

        let department = [value("ORC-17.1"), value("PV1-10.1")]
            .into_iter()
            .find(|d| !d.is_empty());
        let department = match department {
            Some(d) => fields::department(&d)?,
            None => None,
        };

        let extended = if data_type.contains('^') {
            Some(Extended {
                document: fields::extended_type(&data_type)?,
                main_file: "main_document.hl7".into(),
                has_department: true,
            })
        } else {
            fields::standard_type(&data_type)?;
            None
        };
        Ok(StoragePath {
            patient_id,
            care_date,
            data_type,
            order_number,
            timestamp,
            department,
            flag: facts.flag,
            extended,
        })
    }
}
