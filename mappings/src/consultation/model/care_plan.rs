//! The care-plan format (診療計画): the nine required items P1–P9 of requirements.md §2.2, the doctors
//! named with their roles (§2.4), and its dates (made after a face-to-face evaluation, kept 2 years).

use serde::{Deserialize, Serialize};

use super::common::{Doctor, Institution, Patient, Period};

/// 診療計画.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CarePlan {
    /// 診療計画ID: the platform's identifier of this plan.
    pub care_plan_id: String,
    /// 患者.
    pub patient: Patient,
    /// 状態: `active`, `completed`, `revoked`, `draft`.
    pub status: String,
    /// 作成日時 (the 2-year retention counts from here).
    pub created: String,
    /// 作成した医師.
    pub author: Doctor,
    /// 計画期間.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// 対面診療による評価 (the face-to-face evaluation the plan is based on); absent for a plan made at a
    /// first online visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_to_face_evaluation: Option<FaceToFaceEvaluation>,
    /// P1 オンライン診療で行う具体的な診療内容（疾病名、治療内容等）.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_content: Option<CareContent>,
    /// P2 オンライン診療と直接の対面診療、検査の組み合わせ（頻度やタイミング等）.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combination: Option<String>,
    /// P3 診療時間に関する事項（予約制等）.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// P4 オンライン診療の方法（使用する情報通信機器等）.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// P5 オンライン診療を行わないと判断する条件と、対面診療に切り替える旨（通信障害の場合を含む）.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_conditions: Option<String>,
    /// P6 患者が診察に積極的に協力する必要がある旨.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_cooperation: Option<String>,
    /// P7 急病急変時の対応方針（対応できる医療機関の明示）.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<EmergencyPolicy>,
    /// P8 オンライン診療を行う医師の氏名と、どの場合にどの医師が行うか.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doctors: Vec<PlannedDoctor>,
    /// P9 セキュリティリスクに関する責任の範囲（責任分界点）及びそのとぎれがないこと.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_responsibility: Option<String>,
    /// 患者が文書又は電磁的記録で閲覧できること (P5 of §9.2, 推奨).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessible_to_patient: Option<bool>,
    /// 備考.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// 対面診療による評価.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaceToFaceEvaluation {
    /// 対面診療の日.
    pub date: String,
    /// 評価の要旨.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// P1: the diseases and the treatment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CareContent {
    /// 疾病名.
    pub diseases: Vec<Disease>,
    /// 治療内容.
    pub treatment: String,
}

/// 疾病: a name, with an ICD-10 code (ICD10 対応標準病名マスター) when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Disease {
    /// 病名.
    pub name: String,
    /// ICD-10 code, e.g. `E11.9`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icd10: Option<String>,
}

/// P7: what happens on sudden illness or deterioration, and who responds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmergencyPolicy {
    /// 対応方針.
    pub policy: String,
    /// 対応できる医療機関 (named when the doctor cannot respond).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responding_institution: Option<Institution>,
}

/// P8: a doctor who may do online care under this plan, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlannedDoctor {
    /// 医師.
    pub doctor: Doctor,
    /// 役割: `primary` (主治医), `rotation` (交代で担当), `specialist` (専門医), `attending` (患者側の主治医,
    /// DtoPwithD).
    pub role: String,
    /// どのような場合にこの医師が行うか.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}
