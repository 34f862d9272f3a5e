//! [`StoragePath`]: one file of an SS-MIX2 storage tree, relative to the storage root
//! (SS-MIX2 標準化ストレージ 構成の説明と構築ガイドライン 1.2 §2, 拡張ストレージ ガイドライン 1.2 §2.2):
//!
//! - standard: `ID[1-3]/ID[4-6]/ID/診療日|-/データ種別/ID_診療日_データ種別_オーダNo_発生日時_診療科_フラグ`
//! - extended: `ID[1-3]/ID[4-6]/ID/診療日|-/文書種別/ID_診療日_文書種別_特定キー_発生日時[_診療科]_フラグ/main_document.*`
//!
//! Patient ids shorter than 6 characters: the guideline only says "characters 1–3" and "4–6". The NHO
//! checking tool (nhoHQ/SSMIX2DataTestingTool `src/lib/checkFilePath.py`, jp-standards.md §4.1) and the
//! ssmixtwins generator both build the folders with Python slices `id[0:3]` and `id[3:6]`, which give a
//! shorter second folder for 4–5 characters (`12345` → `123/45/12345`) and an *empty* one for 1–3
//! characters, which a file system cannot hold (the NHO tool then joins the empty name away and
//! checks a path one level short). We follow the slices, so trees written by those tools parse, and
//! reject ids of 1–3 characters with [`PathError::PatientIdTooShort`] instead of guessing a padding
//! that no tool writes (ssmixtwins itself refuses ids of 6 characters or fewer).

use super::error::PathError;
use super::fields;

/// The order number of data without an order (ADT, PPR-01): fifteen `9`s, as in every NHO sample
/// (`9999013_-_ADT-00_999999999999999_20111220224447339_-_1`).
pub const NO_ORDER_NUMBER: &str = "999999999999999";

/// コンディションフラグ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConditionFlag {
    /// `1` 有効: the current version.
    Current,
    /// `2` 更新により無効: an older version, replaced by a newer `_1` file.
    Superseded,
    /// `0` 削除: deleted (the renamed file, and the delete message).
    Deleted,
}

impl ConditionFlag {
    pub fn as_char(self) -> char {
        match self {
            ConditionFlag::Current => '1',
            ConditionFlag::Superseded => '2',
            ConditionFlag::Deleted => '0',
        }
    }
}

/// The six parts of an extended storage data type folder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentType {
    pub local_code: String,
    pub local_name: String,
    pub local_system: String,
    /// Empty when the folder has the three local parts only (`L-OBSERVATIONS^OBSERVATIONS^99ZL01`).
    pub standard_code: String,
    pub standard_name: String,
    pub standard_system: String,
}

/// What only extended storage has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extended {
    pub document: DocumentType,
    /// The file inside the content folder: `main_document.hl7`, `main_document.xml`.
    pub main_file: String,
    /// Whether the content folder's name has the 診療科 part: the guideline's has (7 parts), the NHO
    /// vital-sign samples have not (`…_000000020160101_201601011500321_1`, 6 parts).
    pub has_department: bool,
}

/// One stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoragePath {
    pub patient_id: String,
    /// 診療日 `YYYYMMDD`; `None` for `-` (data without a care date: ADT-00, ADT-61, PPR-01 …).
    pub care_date: Option<String>,
    /// データ種別 as written (`OMP-01`, or the extended folder name).
    pub data_type: String,
    /// オーダNo (extended storage: 特定キー) as written.
    pub order_number: String,
    /// 発生日時 digits as written (17 from us, 14–17 accepted).
    pub timestamp: String,
    /// 診療科コード; `None` for `-` or an extended name without it.
    pub department: Option<String>,
    pub flag: ConditionFlag,
    /// `Some` for extended storage.
    pub extended: Option<Extended>,
}

impl StoragePath {
    /// Parses a path relative to the storage root, `/` separated (a leading `./` or `/` is ignored).
    pub fn parse(relative_path: &str) -> Result<StoragePath, PathError> {
        let trimmed = relative_path
            .trim_start_matches("./")
            .trim_start_matches('/');
        let parts: Vec<&str> = trimmed.split('/').collect();
        if parts.len() != 6 && parts.len() != 7 {
            return Err(PathError::WrongDepth { found: parts.len() });
        }
        if let Some(index) = parts.iter().position(|p| p.is_empty()) {
            return Err(PathError::EmptyPart { index: index + 1 });
        }
        let extended = parts.len() == 7;
        let (first, second, id_folder, date_folder, type_folder, name) =
            (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);

        let document = if extended {
            Some(fields::extended_type(type_folder)?)
        } else {
            fields::standard_type(type_folder)?;
            None
        };
        let name = split_name(name, type_folder, extended)?;

        let patient_id = fields::patient_id(name.patient)?;
        if id_folder != patient_id {
            return Err(PathError::PatientMismatch {
                folder: id_folder.into(),
                file: patient_id,
            });
        }
        let (expected_first, expected_second) = id_folders(&patient_id);
        if first != expected_first {
            return Err(PathError::PatientFolder {
                level: 1,
                range: "1–3",
                found: first.into(),
                expected: expected_first.into(),
            });
        }
        if second != expected_second {
            return Err(PathError::PatientFolder {
                level: 2,
                range: "4–6",
                found: second.into(),
                expected: expected_second.into(),
            });
        }
        let care_date = fields::care_date(name.date)?;
        if date_folder != name.date {
            fields::care_date(date_folder)?;
            return Err(PathError::DateMismatch {
                folder: date_folder.into(),
                file: name.date.into(),
            });
        }
        if name.file_type != type_folder {
            return Err(PathError::TypeMismatch {
                folder: type_folder.into(),
                file: name.file_type.into(),
            });
        }
        let order_number = fields::order_number(name.order)?;
        let timestamp = fields::timestamp(name.timestamp)?;
        let department = match name.department {
            Some(d) => fields::department(d)?,
            None => None,
        };
        let flag = fields::flag(name.flag)?;
        let extended = match document {
            Some(document) => {
                let main_file = parts[6];
                if !main_file.starts_with("main_document.") {
                    return Err(PathError::NotMainDocument {
                        file: main_file.into(),
                    });
                }
                Some(Extended {
                    document,
                    main_file: main_file.into(),
                    has_department: name.department.is_some(),
                })
            }
            None => None,
        };
        Ok(StoragePath {
            patient_id,
            care_date,
            data_type: type_folder.into(),
            order_number,
            timestamp,
            department,
            flag,
            extended,
        })
    }

    /// The file (or extended content folder) name.
    pub fn file_name(&self) -> String {
        let mut parts = vec![
            self.patient_id.clone(),
            self.care_date.clone().unwrap_or_else(|| "-".into()),
            self.data_type.clone(),
            self.order_number.clone(),
            self.timestamp.clone(),
        ];
        let has_department = self.extended.as_ref().is_none_or(|e| e.has_department);
        if has_department {
            parts.push(self.department.clone().unwrap_or_else(|| "-".into()));
        }
        parts.push(self.flag.as_char().to_string());
        parts.join("_")
    }

    /// The path relative to the storage root, `/` separated; `parse` of it gives `self` back.
    pub fn to_relative_path(&self) -> String {
        let (first, second) = id_folders(&self.patient_id);
        let mut parts = vec![
            first.to_string(),
            second.to_string(),
            self.patient_id.clone(),
            self.care_date.clone().unwrap_or_else(|| "-".into()),
            self.data_type.clone(),
            self.file_name(),
        ];
        if let Some(extended) = &self.extended {
            parts.push(extended.main_file.clone());
        }
        parts.join("/")
    }

    /// The same file with another condition flag (a current file renamed `_2` when superseded).
    pub fn with_flag(&self, flag: ConditionFlag) -> StoragePath {
        StoragePath {
            flag,
            ..self.clone()
        }
    }
}

/// Characters 1–3 and 4–6 of a patient id, by the slices of the NHO tool (see the module comment).
fn id_folders(id: &str) -> (&str, &str) {
    let cut = |n: usize| id.char_indices().nth(n).map_or(id.len(), |(i, _)| i);
    (&id[..cut(3)], &id[cut(3)..cut(6)])
}

/// The parts of a file name.
struct Name<'a> {
    patient: &'a str,
    file_type: &'a str,
    date: &'a str,
    order: &'a str,
    timestamp: &'a str,
    department: Option<&'a str>,
    flag: &'a str,
}

/// Splits a file name at `_`. The data type is taken as the folder's when the name has it in third
/// place, so a mismatch is reported as such and not as a wrong number of parts.
fn split_name<'a>(name: &'a str, folder_type: &str, extended: bool) -> Result<Name<'a>, PathError> {
    let expected = if extended { "6 or 7" } else { "7" };
    let mut head = name.splitn(3, '_');
    let (Some(patient), Some(date), Some(rest)) = (head.next(), head.next(), head.next()) else {
        return Err(PathError::FileNameParts {
            found: name.split('_').count(),
            expected,
        });
    };
    let (file_type, tail) = match rest
        .strip_prefix(folder_type)
        .and_then(|t| t.strip_prefix('_'))
    {
        Some(tail) => (&rest[..folder_type.len()], tail),
        None => rest.split_once('_').unwrap_or((rest, "")),
    };
    let tail: Vec<&str> = tail.split('_').collect();
    let found = 3 + tail.len();
    let (order, timestamp, department, flag) = match tail.as_slice() {
        [o, t, d, f] => (*o, *t, Some(*d), *f),
        [o, t, f] if extended => (*o, *t, None, *f),
        _ => return Err(PathError::FileNameParts { found, expected }),
    };
    Ok(Name {
        patient,
        file_type,
        date,
        order,
        timestamp,
        department,
        flag,
    })
}
