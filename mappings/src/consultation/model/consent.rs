//! The consent format (同意): online-consultation consent, security-risk agreement, recording agreement,
//! third-party attendance, sharing of regional-network data (requirements.md §1.2, rules C4–C7).

use serde::{Deserialize, Serialize};

use super::common::{Doctor, Patient};

/// What was agreed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentKind {
    /// オンライン診療の同意 (explicit confirmation that the patient wants online care; C4).
    OnlineConsultation,
    /// セキュリティリスクについての合意 (C5).
    SecurityRisk,
    /// 録画・録音の合意: whether to store and on which device (C6).
    Recording,
    /// 同席者の同意 (per session; C7).
    ThirdPartyAttendance,
    /// 地域医療情報ネットワークの情報共有への同意 (the first-visit summary query).
    RegionalNetworkSharing,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 5] = [
        ConsentKind::OnlineConsultation,
        ConsentKind::SecurityRisk,
        ConsentKind::Recording,
        ConsentKind::ThirdPartyAttendance,
        ConsentKind::RegionalNetworkSharing,
    ];

    /// The kebab-case name used in the native format and as the FHIR category code.
    pub fn code(self) -> &'static str {
        match self {
            ConsentKind::OnlineConsultation => "online-consultation",
            ConsentKind::SecurityRisk => "security-risk",
            ConsentKind::Recording => "recording",
            ConsentKind::ThirdPartyAttendance => "third-party-attendance",
            ConsentKind::RegionalNetworkSharing => "regional-network-sharing",
        }
    }

    pub fn from_code(code: &str) -> Option<ConsentKind> {
        ConsentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The Japanese name, for display and the FHIR category's display.
    pub fn display(self) -> &'static str {
        match self {
            ConsentKind::OnlineConsultation => "オンライン診療の同意",
            ConsentKind::SecurityRisk => "セキュリティリスクについての合意",
            ConsentKind::Recording => "録画・録音についての合意",
            ConsentKind::ThirdPartyAttendance => "同席者についての同意",
            ConsentKind::RegionalNetworkSharing => "地域医療情報ネットワークの情報共有への同意",
        }
    }
}

/// 同意: one consent or agreement, given or refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Consent {
    /// 同意ID: the platform's identifier of this consent.
    pub consent_id: String,
    /// 同意の種類.
    pub kind: ConsentKind,
    /// 患者.
    pub patient: Patient,
    /// 同意の状態: `active` (given), `rejected` (refused), `inactive` (withdrawn).
    pub status: String,
    /// 同意日時.
    pub date_time: String,
    /// 同意の方法: `written` (書面), `electronic` (電子署名等の電磁的記録), `verbal` (口頭).
    pub method: String,
    /// 説明した医師.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctor: Option<Doctor>,
    /// 同意前に説明した事項: `limited-information`, `per-session-judgment`, `care-plan-items`,
    /// `security-risks`, `responsibility-demarcation`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explained: Vec<String>,
    /// 有効期間 (the session for per-session consents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<super::common::Period>,
    /// 録画・録音: what was agreed about storing (kind `recording`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<RecordingTerms>,
    /// 同席者: who may attend (kind `third-party-attendance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendee: Option<String>,
    /// 備考.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// 録画・録音の取り決め (保存の要否, 保存端末等).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordingTerms {
    /// 保存の要否.
    pub store: bool,
    /// 保存端末等 (where it may be stored), when `store` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}
