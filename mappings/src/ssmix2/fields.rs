//! The checks of the single elements of an SS-MIX2 path (SS-MIX2 構築ガイドライン 1.2 §2.2–2.3):
//! care date, occurrence time, order number, department code, condition flag, data types.
//!
//! Calendar checks are written here (a dozen lines) rather than with chrono: the element is a bare
//! digit string that must also be rejected for a wrong length, and chrono's parsers accept widths and
//! signs we do not want.

use super::error::PathError;
use super::path::DocumentType;
use crate::v2_to_fhir::data_types::table;

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

fn number(digits: &str) -> u32 {
    digits
        .bytes()
        .fold(0, |n, b| n * 10 + u32::from(b.wrapping_sub(b'0')))
}

fn all_digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYYMMDD` of a real day.
pub(crate) fn is_calendar_date(value: &str) -> bool {
    if value.len() != 8 || !all_digits(value) {
        return false;
    }
    let (year, month, day) = (
        number(&value[0..4]),
        number(&value[4..6]),
        number(&value[6..8]),
    );
    year > 0 && (1..=days_in_month(year, month)).contains(&day)
}

/// The 診療日 part: `None` for `-`.
pub(crate) fn care_date(value: &str) -> Result<Option<String>, PathError> {
    match value {
        "-" => Ok(None),
        v if is_calendar_date(v) => Ok(Some(v.to_string())),
        v => Err(PathError::BadDate { value: v.into() }),
    }
}

/// 発生日時: the guideline writes 17 digits (YYYYMMDDHHMMSSFFF); the NHO support-documents samples
/// have 15 (`200802031630123`), so 14 to 17 digits of a real time are accepted and kept as written.
pub(crate) fn timestamp(value: &str) -> Result<String, PathError> {
    let bad = || PathError::BadTimestamp {
        value: value.into(),
    };
    if !(14..=17).contains(&value.len()) || !all_digits(value) || !is_calendar_date(&value[..8]) {
        return Err(bad());
    }
    let (h, m, s) = (
        number(&value[8..10]),
        number(&value[10..12]),
        number(&value[12..14]),
    );
    if h > 23 || m > 59 || s > 60 {
        return Err(bad());
    }
    Ok(value.to_string())
}

/// オーダNo: 15 characters in the guideline, zero-padded in every sample (`000000011000185`); one NHO
/// sample has 13 (`2011122000300`), so 1 to 15 ASCII letters or digits are accepted as written.
pub(crate) fn order_number(value: &str) -> Result<String, PathError> {
    if (1..=15).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(value.to_string())
    } else {
        Err(PathError::BadOrderNumber {
            value: value.into(),
        })
    }
}

/// 診療科コード (HL7 0069 / local codes, `01`, `10`) or `-` (none, as in the NHO ADT-00 sample).
pub(crate) fn department(value: &str) -> Result<Option<String>, PathError> {
    match value {
        "-" => Ok(None),
        v if (1..=10).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Ok(Some(v.to_string()))
        }
        v => Err(PathError::BadDepartment { value: v.into() }),
    }
}

/// A patient id usable in folder and file names.
pub(crate) fn patient_id(value: &str) -> Result<String, PathError> {
    if value.is_empty()
        || !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(PathError::PatientIdChars { id: value.into() });
    }
    if value.chars().count() < 4 {
        return Err(PathError::PatientIdTooShort { id: value.into() });
    }
    Ok(value.to_string())
}

/// A standard storage data type: a row of `ssmix2-data-types.csv` without `^`.
pub(crate) fn standard_type(value: &str) -> Result<String, PathError> {
    if value.contains('^') {
        return Err(PathError::WrongStorage {
            value: value.into(),
        });
    }
    if table().iter().any(|r| r.data_type == value) {
        Ok(value.to_string())
    } else {
        Err(PathError::UnknownDataType {
            value: value.into(),
        })
    }
}

/// An extended storage data type folder (拡張ストレージ ガイドライン 1.2 §2.2(4)):
/// `[ローカル文書コード]^ローカル文書名称^[ローカルコード体系]^標準文書コード^標準文書名称^標準コード体系`; the
/// NHO vital-sign type `L-OBSERVATIONS^OBSERVATIONS^99ZL01` has the three local parts only.
pub(crate) fn extended_type(value: &str) -> Result<DocumentType, PathError> {
    let bad = |reason| PathError::BadExtendedType {
        value: value.into(),
        reason,
    };
    let parts: Vec<&str> = value.split('^').collect();
    if parts.len() != 3 && parts.len() != 6 {
        return Err(bad("it has neither 3 nor 6 `^`-separated parts"));
    }
    if parts.iter().any(|p| p.contains('_')) {
        return Err(bad("`_` separates the parts of the content folder's name"));
    }
    let part = |i: usize| parts.get(i).map(|p| p.to_string()).unwrap_or_default();
    let document = DocumentType {
        local_code: part(0),
        local_name: part(1),
        local_system: part(2),
        standard_code: part(3),
        standard_name: part(4),
        standard_system: part(5),
    };
    if document.local_name.is_empty() {
        return Err(bad("the local document name is empty"));
    }
    if !document.local_code.is_empty() && document.local_system.is_empty() {
        return Err(bad("a local code needs its local code system"));
    }
    if parts.len() == 6
        && (document.standard_code.is_empty() || document.standard_system.is_empty())
    {
        return Err(bad(
            "the standard document code and its system are required",
        ));
    }
    Ok(document)
}

/// The condition flag (コンディションフラグ).
pub(crate) fn flag(value: &str) -> Result<super::path::ConditionFlag, PathError> {
    use super::path::ConditionFlag::*;
    match value {
        "1" => Ok(Current),
        "2" => Ok(Superseded),
        "0" => Ok(Deleted),
        v => Err(PathError::BadFlag { value: v.into() }),
    }
}
