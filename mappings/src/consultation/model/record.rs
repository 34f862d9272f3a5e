//! The consultation-record format (オンライン診療記録): every item of requirements.md §1.2 and the
//! form-specific items of §1.3.

use serde::{Deserialize, Serialize};

use super::common::{Doctor, Institution, Patient, Period};

/// 診療形態 (000 L264–266).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Form {
    /// D to P: doctor and patient.
    DtoP,
    /// D to P with D: a remote doctor, the patient with their 主治医.
    DtoPwithD,
    /// D to P with N: the patient with a nurse.
    DtoPwithN,
}

impl Form {
    pub fn code(self) -> &'static str {
        match self {
            Form::DtoP => "DtoP",
            Form::DtoPwithD => "DtoPwithD",
            Form::DtoPwithN => "DtoPwithN",
        }
    }

    pub fn from_code(code: &str) -> Option<Form> {
        [Form::DtoP, Form::DtoPwithD, Form::DtoPwithN]
            .into_iter()
            .find(|f| f.code() == code)
    }
}

/// オンライン診療記録: one online consultation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsultationRecord {
    /// 記録ID: the platform's identifier of this record.
    pub record_id: String,
    /// 患者.
    pub patient: Patient,
    /// 診療を行った医師 (must be the holder of the HPKI certificate that submits the record).
    pub doctor: Doctor,
    /// 医師の所在 (事後的に確認可能な場所).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doctor_location: Option<String>,
    /// 診療形態.
    pub form: Form,
    /// 開始時刻・終了時刻 (the access log that proves one doctor, one patient; C3).
    pub period: Period,
    /// 通信手段: video and audio in real time (C1).
    pub communication: Communication,
    /// 初診: the first-visit flag, its basis and the first-visit items (C11, C12).
    pub first_visit: FirstVisit,
    /// 診療内容 (concrete content of care; C8).
    pub care_content: String,
    /// 診断 and expected course.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnoses: Vec<super::care_plan::Disease>,
    /// 当該診療及び処方が適切である旨 (C9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appropriateness: Option<Appropriateness>,
    /// 実施可否の判断 (judged at every session; a switch to face-to-face care is recorded).
    pub feasibility: Feasibility,
    /// 同意: the consents this session relies on (by the platform's consent ids; C4–C7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consent_ids: Vec<String>,
    /// 録画・録音: whether the session's media were stored, and where (C6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<Recording>,
    /// 同席者 (C7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<Attendee>,
    /// 本人確認 (ID1, ID2, ID4).
    pub identity_verification: IdentityVerification,
    /// 保険資格確認 (C18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance_check: Option<InsuranceCheck>,
    /// 事前問診 (questionnaire answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questionnaire: Option<Questionnaire>,
    /// バイタルデータ.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vitals: Vec<Vital>,
    /// 説明した事項: 急変時の対応・受診先, 不利益, 処方薬.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanations: Option<Explanations>,
    /// 処方 (the prescription's destination; C17 for emergency contraception).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescription: Option<Prescription>,
    /// 次回予約 and the face-to-face destination if symptoms worsen (C13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_appointment: Option<NextAppointment>,
    /// 緊急時の紹介先 (C10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_referral: Option<EmergencyReferral>,
    /// 診療計画ID: the plan this session follows (P1, P4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_plan_id: Option<String>,
    /// 代診 (a doctor not named in the plan; P4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<Substitute>,
    /// D to P with D: the doctor beside the patient (P8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_doctor: Option<WithDoctor>,
    /// D to P with N: the nurse beside the patient (P7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_nurse: Option<WithNurse>,
}

/// 通信手段.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Communication {
    /// リアルタイムの映像.
    pub video: bool,
    /// リアルタイムの音声.
    pub audio: bool,
    /// チャット等の補助的な利用.
    #[serde(default)]
    pub chat: bool,
    /// 使用したシステム・機器.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
}

/// 初診.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FirstVisit {
    /// 初診か.
    pub is_first_visit: bool,
    /// 初診の根拠: `first-examination`, `new-symptom`, `recurrence-after-cure`, `after-interruption`
    /// (000 L376–380).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// かかりつけの医師か.
    #[serde(default)]
    pub by_regular_doctor: bool,
    /// 診療前相談 was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_consultation: Option<PreConsultation>,
    /// 事前に得た医学的情報 (既往歴, 服薬歴, アレルギー歴 and their sources).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prior_information: Vec<PriorInformation>,
    /// 適用した初診の例外: `regular-doctor-unavailable`, `no-regular-doctor`, `referred-by-regular-doctor`,
    /// `second-opinion` (000 L1813–1843).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
}

/// 診療前相談.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreConsultation {
    /// 実施日時.
    pub date_time: String,
    /// 要旨.
    pub summary: String,
}

/// 事前に得た医学的情報.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriorInformation {
    /// 種類: `medical-history` (既往歴), `medication-history` (服薬歴), `allergy-history` (アレルギー歴),
    /// `other`.
    pub kind: String,
    /// 情報源: `past-record` (過去の診療録), `referral-letter` (診療情報提供書), `health-check` (健康診断の結果),
    /// `regional-network` (地域医療情報ネットワーク), `medication-notebook` (お薬手帳), `phr`.
    pub source: String,
    /// 内容.
    pub summary: String,
}

/// 適切である旨.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Appropriateness {
    /// 当該診療が適切な診療である旨.
    pub care: String,
    /// 当該処方が適切な処方である旨 (when prescribing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescription: Option<String>,
}

/// 実施可否の判断.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Feasibility {
    /// オンライン診療が可能と判断したか.
    pub online_appropriate: bool,
    /// 対面診療へ切り替えたか.
    #[serde(default)]
    pub switched_to_face_to_face: bool,
    /// 判断の根拠・理由.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// 録画・録音.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recording {
    /// 保存したか.
    pub stored: bool,
    /// 保存端末等.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

/// 同席者.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Attendee {
    /// 立場: `nurse`, `doctor`, `other-medical`, `family`, `support-person`, `other`.
    pub role: String,
    /// 氏名.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 同意を得たか (per session).
    pub consented: bool,
}

/// 本人確認.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityVerification {
    /// 患者の本人確認の方法: `photo-id`, `two-documents`, `one-document-with-questions`, `obvious`
    /// (社会通念上明らか, e.g. a second visit with the regular doctor).
    pub patient_method: String,
    /// 用いた書類: `my-number-card`, `driver-licence`, `passport`, `insurance-card`, `other`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patient_documents: Vec<String>,
    /// 確認を省略した根拠 (patientMethod `obvious`; ID4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_basis: Option<String>,
    /// 医師の本人証明: `hpki-card`, `my-number-card`, `driver-licence`, `passport`, `obvious`.
    pub doctor_method: String,
    /// 医師の資格証明: `hpki-card`, `medical-licence`, `obvious`.
    pub doctor_qualification: String,
}

/// 保険資格確認.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InsuranceCheck {
    /// 方法: `online-qualification` (オンライン資格確認), `insurance-card`, `medical-certificate`, `self-pay`.
    pub method: String,
    /// 確認日時.
    pub date_time: String,
}

/// 事前問診.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Questionnaire {
    /// 回答日時.
    pub answered: String,
    /// 問診票の名前.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// 回答.
    pub answers: Vec<Answer>,
}

/// 問診の一項目.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Answer {
    /// 項目ID.
    pub id: String,
    /// 質問.
    pub question: String,
    /// 回答.
    pub answer: String,
}

/// バイタルデータ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Vital {
    /// 種類: `body-temperature`, `systolic-blood-pressure`, `diastolic-blood-pressure`, `heart-rate`,
    /// `respiratory-rate`, `oxygen-saturation`, `body-weight`, `body-height`, `blood-glucose`.
    pub kind: String,
    /// 値 (a JSON number; its text is kept as sent, as FHIR decimals are).
    pub value: serde_json::Number,
    /// 単位 (UCUM), e.g. `Cel`, `mm[Hg]`, `/min`, `%`, `kg`, `cm`, `mg/dL`.
    pub unit: String,
    /// 測定日時.
    pub measured: String,
    /// 測定者: `patient`, `nurse`, `family`, `device`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_by: Option<String>,
}

/// 説明した事項.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Explanations {
    /// 急変時の対応や受診先.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<String>,
    /// 情報通信機器を用いた診療の不利益.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disadvantages: Option<String>,
    /// 処方薬について.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medication: Option<String>,
}

/// 処方.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prescription {
    /// 処方箋の送付先: `patient` or `pharmacy` (the patient's chosen pharmacy).
    pub destination: String,
    /// 薬局 (destination `pharmacy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pharmacy: Option<Institution>,
    /// 院外処方か.
    pub out_of_hospital: bool,
    /// 緊急避妊 (C17): the drugs of this prescription are emergency contraception.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_contraception: Option<EmergencyContraception>,
}

/// 緊急避妊の処方 (000 L1934–1964).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmergencyContraception {
    /// 処方錠数.
    pub tablets: u32,
    /// 医師の要件: `obstetrics-gynecology` (産婦人科医) or `trained` (研修を受けた医師).
    pub doctor_qualification: String,
    /// 産婦人科医による対面診療の予定日 (about three weeks later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_date: Option<String>,
}

/// 次回予約.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NextAppointment {
    /// 次回の日時.
    pub date_time: String,
    /// 方法: `online` or `face-to-face`.
    pub method: String,
    /// 症状の増悪があった場合の対面診療の受診先.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_to_face_destination: Option<Institution>,
}

/// 緊急時の紹介先 (001 L485–495).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmergencyReferral {
    /// かかりつけの医療機関 (when the patient has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regular_institution: Option<Institution>,
    /// 対面診療ができない理由 (no regular institution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// 紹介先医療機関.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_institution: Option<Institution>,
    /// 紹介方法.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_method: Option<String>,
    /// 患者の同意.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_consented: Option<bool>,
}

/// 代診.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Substitute {
    /// 計画上の医師 (the doctor substituted for).
    pub planned_doctor: String,
    /// 患者の同意.
    pub patient_consented: bool,
    /// 診療録の記載を含む引継ぎ.
    pub handover: String,
}

/// D to P with D: the doctor beside the patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WithDoctor {
    /// 主治医.
    pub doctor: Doctor,
    /// 主治医が対面で診察済みか.
    pub saw_patient_face_to_face: bool,
    /// 診療情報提供書等を事前に受け取ったか.
    pub prior_information_received: bool,
    /// 受け取った情報の種類 (診療情報提供書 etc.).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_information: Option<String>,
}

/// D to P with N: the nurse beside the patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WithNurse {
    /// 看護師の氏名.
    pub name: String,
    /// 所属: `same-institution` or `visiting-nursing` (訪問看護事業所).
    pub affiliation: String,
    /// 訪問看護指示書の番号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction_id: Option<String>,
    /// 看護師が行った行為.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<String>,
    /// 計画外の新たな症状に対し医師が追加で指示した検査か.
    #[serde(default)]
    pub additional_tests_for_new_symptom: bool,
}
