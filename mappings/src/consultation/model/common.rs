//! Parts shared by the platform's native formats: the patient, a doctor, an institution, a period.

use serde::{Deserialize, Serialize};

/// The patient as the platform knows them (requirements.md §1.2, §4.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Patient {
    /// 患者ID: the patient's identifier at the hospital (the same number SS-MIX2 stores under).
    pub id: String,
    /// 氏名 (漢字), e.g. `山田 太郎`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 氏名 (カナ), e.g. `ヤマダ タロウ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_kana: Option<String>,
    /// 生年月日 (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// 性別: `male`, `female`, `other`, `unknown` (FHIR administrative-gender).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
}

/// 医療機関: an institution with its 医療機関コード and contact point (問い合わせ先).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Institution {
    /// 医療機関名称.
    pub name: String,
    /// 医療機関コード (10 digits: 都道府県番号 2 + 点数表番号 1 + 医療機関コード 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// 問い合わせ先 (telephone number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// 医師: a doctor named in a record or a care plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Doctor {
    /// 氏名, as on the HPKI certificate (its subject's common name).
    pub name: String,
    /// 氏名 (カナ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_kana: Option<String>,
    /// 医籍登録年 (the year of registration in the medical register, shown to patients; rule ID2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_year: Option<u16>,
    /// 診療科 (department), free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// 所属医療機関 (affiliation; rule C14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<Institution>,
}

/// 期間: start and end date-times (ISO 8601 with offset, e.g. `2026-12-01T10:00:00+09:00`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Period {
    /// 開始時刻.
    pub start: String,
    /// 終了時刻.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}
