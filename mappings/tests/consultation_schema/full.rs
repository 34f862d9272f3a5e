//! Fully populated native documents (every `Option` set, every list non-empty, every flag true) built
//! from the models, so the schema tests see every member the models can write.

use kakehashi_mappings::consultation::model::care_plan::{
    CareContent, CarePlan, Disease, EmergencyPolicy, FaceToFaceEvaluation, PlannedDoctor,
};
use kakehashi_mappings::consultation::model::common::{Doctor, Institution, Patient, Period};
use kakehashi_mappings::consultation::model::consent::{Consent, ConsentKind, RecordingTerms};
use kakehashi_mappings::consultation::model::record::{
    Answer, Appropriateness, Attendee, Communication, ConsultationRecord, EmergencyContraception,
    EmergencyReferral, Explanations, Feasibility, FirstVisit, IdentityVerification, InsuranceCheck,
    NextAppointment, PreConsultation, Prescription, PriorInformation, Questionnaire, Recording,
    Substitute, Vital, WithDoctor, WithNurse,
};

fn text(s: &str) -> String {
    s.to_string()
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

pub fn patient() -> Patient {
    Patient {
        id: text("0123456789"),
        name: some("山田 花子"),
        name_kana: some("ヤマダ ハナコ"),
        birth_date: some("1985-04-12"),
        gender: some("female"),
    }
}

pub fn institution() -> Institution {
    Institution {
        name: text("架け橋記念病院"),
        code: some("1311234567"),
        contact: some("03-1234-5678"),
    }
}

pub fn doctor() -> Doctor {
    Doctor {
        name: text("佐藤 一郎"),
        name_kana: some("サトウ イチロウ"),
        registration_year: Some(2008),
        department: some("内科"),
        institution: Some(institution()),
    }
}

pub fn period() -> Period {
    Period {
        start: text("2026-11-30T10:00:00+09:00"),
        end: some("2026-11-30T10:18:00+09:00"),
    }
}

fn disease() -> Disease {
    Disease {
        name: text("急性上気道炎"),
        icd10: some("J06.9"),
    }
}

pub fn record() -> ConsultationRecord {
    ConsultationRecord {
        record_id: text("REC-1"),
        patient: patient(),
        doctor: doctor(),
        doctor_location: some("オンライン診療室1"),
        form: kakehashi_mappings::consultation::model::Form::DtoPwithN,
        period: period(),
        communication: Communication {
            video: true,
            audio: true,
            chat: true,
            system: some("Kakehashi Online"),
        },
        first_visit: FirstVisit {
            is_first_visit: true,
            basis: some("new-symptom"),
            by_regular_doctor: true,
            pre_consultation: Some(PreConsultation {
                date_time: text("2026-11-29T15:00:00+09:00"),
                summary: text("咽頭痛"),
            }),
            prior_information: vec![PriorInformation {
                kind: text("allergy-history"),
                source: text("phr"),
                summary: text("なし"),
            }],
            exception: some("second-opinion"),
        },
        care_content: text("対症療法"),
        diagnoses: vec![disease()],
        appropriateness: Some(Appropriateness {
            care: text("適切な診療"),
            prescription: some("適切な処方"),
        }),
        feasibility: Feasibility {
            online_appropriate: true,
            switched_to_face_to_face: true,
            reason: some("所見を確認できた"),
        },
        consent_ids: vec![text("CNS-1")],
        recording: Some(Recording {
            stored: true,
            device: some("院内サーバ"),
        }),
        attendees: vec![Attendee {
            role: text("support-person"),
            name: some("山田 太郎"),
            consented: true,
        }],
        identity_verification: IdentityVerification {
            patient_method: text("two-documents"),
            patient_documents: vec![text("insurance-card"), text("passport")],
            skip_basis: some("なし"),
            doctor_method: text("my-number-card"),
            doctor_qualification: text("medical-licence"),
        },
        insurance_check: Some(InsuranceCheck {
            method: text("medical-certificate"),
            date_time: text("2026-11-30T09:50:00Z"),
        }),
        questionnaire: Some(Questionnaire {
            answered: text("2026-11-29T14:30:00.125+09:00"),
            title: some("事前問診票"),
            answers: vec![Answer {
                id: text("q1"),
                question: text("症状"),
                answer: text("微熱"),
            }],
        }),
        vitals: vec![Vital {
            kind: text("blood-glucose"),
            value: serde_json::Number::from(112),
            unit: text("mg/dL"),
            measured: text("2026-11-30T09:45:00+09:00"),
            measured_by: some("family"),
        }],
        explanations: Some(Explanations {
            emergency: some("救急外来を受診"),
            disadvantages: some("情報が限られる"),
            medication: some("副作用"),
        }),
        prescription: Some(Prescription {
            destination: text("pharmacy"),
            pharmacy: Some(institution()),
            out_of_hospital: true,
            emergency_contraception: Some(EmergencyContraception {
                tablets: 1,
                doctor_qualification: text("obstetrics-gynecology"),
                follow_up_date: some("2026-12-21"),
            }),
        }),
        next_appointment: Some(NextAppointment {
            date_time: text("2026-12-03T10:00:00+09:00"),
            method: text("face-to-face"),
            face_to_face_destination: Some(institution()),
        }),
        emergency_referral: Some(EmergencyReferral {
            regular_institution: Some(institution()),
            reason: some("なし"),
            referral_institution: Some(institution()),
            referral_method: some("電話"),
            patient_consented: Some(true),
        }),
        care_plan_id: some("CP-1"),
        substitute: Some(Substitute {
            planned_doctor: text("高橋 美咲"),
            patient_consented: true,
            handover: text("診療録で引継ぎ"),
        }),
        with_doctor: Some(WithDoctor {
            doctor: doctor(),
            saw_patient_face_to_face: true,
            prior_information_received: true,
            prior_information: some("診療情報提供書"),
        }),
        with_nurse: Some(WithNurse {
            name: text("渡辺 由美"),
            affiliation: text("same-institution"),
            instruction_id: some("VNI-1"),
            actions: some("体温測定"),
            additional_tests_for_new_symptom: true,
        }),
    }
}

pub fn care_plan() -> CarePlan {
    CarePlan {
        care_plan_id: text("CP-1"),
        patient: patient(),
        status: text("draft"),
        created: text("2026-10-01T11:00:00+09:00"),
        author: doctor(),
        period: Some(period()),
        face_to_face_evaluation: Some(FaceToFaceEvaluation {
            date: text("2026-10-01"),
            summary: some("安定"),
        }),
        care_content: Some(CareContent {
            diseases: vec![disease()],
            treatment: text("継続処方"),
        }),
        combination: some("月1回"),
        hours: some("予約制"),
        method: some("ビデオ通話"),
        stop_conditions: some("通信障害時は対面"),
        patient_cooperation: some("協力"),
        emergency: Some(EmergencyPolicy {
            policy: text("救急要請"),
            responding_institution: Some(institution()),
        }),
        doctors: vec![PlannedDoctor {
            doctor: doctor(),
            role: text("attending"),
            when: some("常時"),
        }],
        security_responsibility: some("責任分界点"),
        accessible_to_patient: Some(true),
        note: some("備考"),
    }
}

pub fn consent() -> Consent {
    Consent {
        consent_id: text("CNS-1"),
        kind: ConsentKind::Recording,
        patient: patient(),
        status: text("inactive"),
        date_time: text("2026-11-30T09:58:00-05:00"),
        method: text("written"),
        doctor: Some(doctor()),
        explained: vec![text("responsibility-demarcation")],
        period: Some(period()),
        recording: Some(RecordingTerms {
            store: true,
            device: some("院内サーバ"),
        }),
        attendee: some("家族"),
        note: some("備考"),
    }
}
