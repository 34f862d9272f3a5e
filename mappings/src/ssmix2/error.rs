//! Why a relative path is not a valid SS-MIX2 storage path (SS-MIX2 構築ガイドライン 1.2 §2: folder
//! levels, file name `患者ID_診療日_データ種別_オーダNo_発生日時_診療科_コンディションフラグ`).

use thiserror::Error;

/// One precise reason; the path itself is the caller's to print (it names a patient).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PathError {
    #[error("a storage path has 6 parts (patient 1–3/patient 4–6/patient/date/type/file) or 7 in extended storage (…/type/content folder/main_document.*), found {found}")]
    WrongDepth { found: usize },
    #[error("part {index} of the path is empty")]
    EmptyPart { index: usize },
    #[error("the file name has {found} parts separated by `_`, expected {expected}")]
    FileNameParts {
        found: usize,
        expected: &'static str,
    },
    #[error("patient id `{id}` contains a character outside ASCII letters, digits and `-`")]
    PatientIdChars { id: String },
    #[error("patient id `{id}` is shorter than 4 characters: its 4–6 folder would be empty (see ssmix2/path.rs)")]
    PatientIdTooShort { id: String },
    #[error("the patient id folder `{folder}` differs from the file name's patient id `{file}`")]
    PatientMismatch { folder: String, file: String },
    #[error("folder {level} is `{found}`, but characters {range} of patient id are `{expected}`")]
    PatientFolder {
        level: usize,
        range: &'static str,
        found: String,
        expected: String,
    },
    #[error("the date folder `{folder}` differs from the file name's date `{file}`")]
    DateMismatch { folder: String, file: String },
    #[error("`{value}` is not a care date (YYYYMMDD, a real calendar day, or `-`)")]
    BadDate { value: String },
    #[error("the data type folder `{folder}` differs from the file name's data type `{file}`")]
    TypeMismatch { folder: String, file: String },
    #[error("`{value}` is not an SS-MIX2 standard storage data type (ssmix2-data-types.csv)")]
    UnknownDataType { value: String },
    #[error("`{value}` is not an extended storage data type (`[local code]^local name^[local system]` optionally followed by `^standard code^standard name^standard system`): {reason}")]
    BadExtendedType { value: String, reason: &'static str },
    #[error("`{value}` is not an order number (1–15 ASCII letters or digits)")]
    BadOrderNumber { value: String },
    #[error(
        "`{value}` is not an occurrence time (14–17 digits YYYYMMDDHHMMSS[FFF] of a real time)"
    )]
    BadTimestamp { value: String },
    #[error("`{value}` is not a department code (1–10 ASCII letters or digits, or `-`)")]
    BadDepartment { value: String },
    #[error("`{value}` is not a condition flag (1 有効, 2 更新により無効, 0 削除)")]
    BadFlag { value: String },
    #[error("extended storage content folders hold `main_document.*`, found `{file}`")]
    NotMainDocument { file: String },
    #[error("the data type `{value}` of a standard storage path is an extended storage type (it has `^`) or the other way round")]
    WrongStorage { value: String },
}
