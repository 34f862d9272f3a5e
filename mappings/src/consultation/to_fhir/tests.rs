//! Round trips of documents that set every member the formats have (so every row of
//! tables/consultation-items.csv is exercised, which the examples alone do not) and of minimal ones.

use serde_json::{json, Value};

use super::items::children;
use super::*;
use crate::consultation::from_fhir::{care_plan_from_fhir, consent_from_fhir, record_from_fhir};

fn ctx() -> MapContext {
    MapContext {
        patient_id_system: "urn:example:patient".into(),
    }
}

fn institution(name: &str, code: &str) -> Value {
    json!({"name": name, "code": code, "contact": "03-0000-0000"})
}

/// A record with every member set (D to P with D and with N at once, which no real session is).
fn full_record() -> Value {
    json!({
        "recordId": "REC-全項目/1",
        "patient": {"id": "P1", "name": "山田 花子", "nameKana": "ヤマダ ハナコ", "birthDate": "1985-04-12", "gender": "female"},
        "doctor": {"name": "佐藤 一郎", "nameKana": "サトウ イチロウ", "registrationYear": 2008, "department": "内科",
                   "institution": institution("架け橋記念病院", "1311234567")},
        "doctorLocation": "自宅（登録済み）",
        "form": "DtoPwithD",
        "period": {"start": "2026-11-30T10:00:00+09:00", "end": "2026-11-30T10:18:00+09:00"},
        "communication": {"video": true, "audio": true, "chat": true, "system": "Kakehashi <Online> & co"},
        "firstVisit": {
            "isFirstVisit": true, "basis": "new-symptom", "byRegularDoctor": true,
            "preConsultation": {"dateTime": "2026-11-29T15:00:00+09:00", "summary": "要旨"},
            "priorInformation": [{"kind": "other", "source": "phr", "summary": "PHRの記録"}],
            "exception": "second-opinion"
        },
        "careContent": "診療内容",
        "diagnoses": [{"name": "急性上気道炎", "icd10": "J06.9"}, {"name": "病名のみ"}],
        "appropriateness": {"care": "適切", "prescription": "適切な処方"},
        "feasibility": {"onlineAppropriate": false, "switchedToFaceToFace": true, "reason": "対面が必要"},
        "consentIds": ["CNS-1"],
        "recording": {"stored": true, "device": "院内サーバ"},
        "attendees": [{"role": "nurse", "consented": true}, {"role": "support-person", "name": "支援 者", "consented": false}],
        "identityVerification": {"patientMethod": "obvious", "patientDocuments": ["passport"], "skipBasis": "再診",
                                 "doctorMethod": "obvious", "doctorQualification": "medical-licence"},
        "insuranceCheck": {"method": "self-pay", "dateTime": "2026-11-30T09:50:00+09:00"},
        "questionnaire": {"answered": "2026-11-29T14:30:00+09:00", "answers": [{"id": "q1", "question": "症状", "answer": "咳"}]},
        "vitals": [
            {"kind": "systolic-blood-pressure", "value": 128, "unit": "mm[Hg]", "measured": "2026-11-30T09:45:00+09:00"},
            {"kind": "blood-glucose", "value": 0, "unit": "mg/dL", "measured": "2026-11-30T09:45:00+09:00", "measuredBy": "nurse"}
        ],
        "explanations": {"emergency": "救急", "disadvantages": "不利益", "medication": "薬"},
        "prescription": {"destination": "pharmacy", "pharmacy": {"name": "薬局"}, "outOfHospital": false,
                         "emergencyContraception": {"tablets": 1, "doctorQualification": "trained", "followUpDate": "2026-12-21"}},
        "nextAppointment": {"dateTime": "2026-12-03T10:00:00+09:00", "method": "face-to-face",
                            "faceToFaceDestination": institution("架け橋記念病院", "1311234567")},
        "emergencyReferral": {"regularInstitution": institution("かかりつけ医院", "1319999999"), "reason": "理由",
                              "referralInstitution": institution("紹介先病院", "1318888888"), "referralMethod": "電話", "patientConsented": false},
        "carePlanId": "CP-1",
        "substitute": {"plannedDoctor": "高橋 美咲", "patientConsented": true, "handover": "診療録で引継ぎ"},
        "withDoctor": {"doctor": {"name": "主治 医", "institution": institution("かかりつけ医院", "1319999999")},
                       "sawPatientFaceToFace": true, "priorInformationReceived": true, "priorInformation": "診療情報提供書"},
        "withNurse": {"name": "看護 師", "affiliation": "visiting-nursing", "instructionId": "VN-1", "actions": "血圧測定",
                      "additionalTestsForNewSymptom": true}
    })
}

fn full_care_plan() -> Value {
    json!({
        "carePlanId": "CP-1",
        "patient": {"id": "P1"},
        "status": "draft",
        "created": "2026-10-01T11:00:00+09:00",
        "author": {"name": "佐藤 一郎", "department": "内科"},
        "period": {"start": "2026-10-01T00:00:00+09:00"},
        "faceToFaceEvaluation": {"date": "2026-10-01", "summary": "評価"},
        "careContent": {"diseases": [], "treatment": "治療"},
        "combination": "P2", "hours": "P3", "method": "P4", "stopConditions": "P5", "patientCooperation": "P6",
        "emergency": {"policy": "P7", "respondingInstitution": institution("救急病院", "1317777777")},
        "doctors": [
            {"doctor": {"name": "佐藤 一郎", "department": "内科"}, "role": "specialist"},
            {"doctor": {"name": "主治 医"}, "role": "attending", "when": "常に"}
        ],
        "securityResponsibility": "P9",
        "accessibleToPatient": false,
        "note": "備考"
    })
}

fn full_consent() -> Value {
    json!({
        "consentId": "CNS-1",
        "kind": "recording",
        "patient": {"id": "P1", "nameKana": "ヤマダ"},
        "status": "rejected",
        "dateTime": "2026-11-30T09:58:00+09:00",
        "method": "written",
        "doctor": {"name": "佐藤 一郎", "registrationYear": 2008, "institution": institution("架け橋記念病院", "1311234567")},
        "explained": ["limited-information", "security-risks"],
        "period": {"start": "2026-11-30T10:00:00+09:00", "end": "2026-11-30T10:18:00+09:00"},
        "recording": {"store": false, "device": "なし"},
        "attendee": "家族",
        "note": "備考"
    })
}

/// Every table path of `document` that `native` does not set.
fn unset_paths(document: &str, native: &Value) -> Vec<String> {
    fn walk(path: &str, value: &Value, out: &mut Vec<String>) {
        for row in children(path) {
            let set: Vec<&Value> = match value {
                Value::Array(items) => items.iter().filter_map(|i| i.get(row.name())).collect(),
                other => other.get(row.name()).into_iter().collect(),
            };
            if set.is_empty() {
                out.push(row.path.clone());
            }
            for v in set {
                walk(&row.path, v, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(document, native, &mut out);
    out
}

#[test]
fn a_record_with_every_member_maps_back_unchanged() {
    let mut native = full_record();
    assert_eq!(unset_paths("record", &native), Vec::<String>::new());
    // A decimal written with a trailing zero (json! would read it as a float).
    native["vitals"][1]["value"] = serde_json::from_str("102.50").unwrap();
    let record: ConsultationRecord = serde_json::from_value(native).unwrap();
    let bundle = record_to_fhir(&record, &ctx());
    assert_eq!(record_from_fhir(&bundle), Ok(record.clone()));
    let encounter = &bundle["entry"][1]["resource"];
    assert_eq!(encounter["id"], record_encounter_id("REC-全項目/1"));
    assert!(crate::fhir::is_valid_id(encounter["id"].as_str().unwrap()));
    assert_eq!(
        encounter["participant"][1]["type"][0]["text"],
        "同席者（看護師）"
    );
    assert!(encounter["participant"][1].get("individual").is_none());
    for entry in bundle["entry"].as_array().unwrap() {
        crate::fhir::canonicalise(&entry["resource"])
            .unwrap_or_else(|e| panic!("{}: {e:?}", entry["resource"]["resourceType"]));
    }
    // The same institution named twice is one Organization; the doctors are two Practitioners.
    let count = |kind: &str| {
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["resource"]["resourceType"] == kind)
            .count()
    };
    assert_eq!(count("Organization"), 4);
    assert_eq!(count("Practitioner"), 2);
    // The decimal keeps its text as sent.
    let glucose = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["code"]["coding"][0]["code"] == "2339-0")
        .unwrap();
    assert_eq!(
        glucose["resource"]["valueQuantity"]["value"].to_string(),
        "102.50"
    );
}

#[test]
fn a_record_with_only_the_required_members_maps_back_unchanged() {
    let mut native = full_record();
    let object = native.as_object_mut().unwrap();
    object.retain(|k, _| {
        [
            "recordId",
            "patient",
            "doctor",
            "form",
            "period",
            "communication",
            "firstVisit",
            "careContent",
            "feasibility",
            "identityVerification",
        ]
        .contains(&k.as_str())
    });
    native["patient"] = json!({"id": "P2"});
    native["doctor"] = json!({"name": "佐藤"});
    native["period"] = json!({"start": "2026-11-30T10:00:00+09:00"});
    native["firstVisit"] = json!({"isFirstVisit": false, "byRegularDoctor": false});
    let record: ConsultationRecord = serde_json::from_value(native).unwrap();
    let bundle = record_to_fhir(&record, &ctx());
    assert_eq!(record_from_fhir(&bundle), Ok(record));
    assert_eq!(bundle["entry"][1]["resource"]["status"], "in-progress");
    assert!(bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["resource"]["resourceType"] != "PractitionerRole"));
}

#[test]
fn a_care_plan_with_every_member_and_a_bare_one_map_back_unchanged() {
    let native = full_care_plan();
    assert_eq!(unset_paths("care-plan", &native), Vec::<String>::new());
    let plan: CarePlan = serde_json::from_value(native.clone()).unwrap();
    let bundle = care_plan_to_fhir(&plan, &ctx());
    assert_eq!(care_plan_from_fhir(&bundle), Ok(plan));
    let mut bare = native;
    bare.as_object_mut().unwrap().retain(|k, _| {
        ["carePlanId", "patient", "status", "created", "author"].contains(&k.as_str())
    });
    let plan: CarePlan = serde_json::from_value(bare).unwrap();
    let bundle = care_plan_to_fhir(&plan, &ctx());
    assert_eq!(care_plan_from_fhir(&bundle), Ok(plan));
    assert!(bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["resource"]["resourceType"] != "CareTeam"));
}

#[test]
fn a_consent_with_every_member_maps_back_unchanged_with_its_scope() {
    let native = full_consent();
    assert_eq!(unset_paths("consent", &native), Vec::<String>::new());
    let consent: Consent = serde_json::from_value(native).unwrap();
    let bundle = consent_to_fhir(&consent, &ctx());
    assert_eq!(consent_from_fhir(&bundle), Ok(consent.clone()));
    let resource = &bundle["entry"][1]["resource"];
    assert_eq!(resource["resourceType"], "Consent");
    assert_eq!(resource["scope"]["coding"][0]["code"], "patient-privacy");
    assert_eq!(
        resource["provision"]["extension"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        resource["organization"][0]["reference"],
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["resource"]["resourceType"] == "Organization")
            .unwrap()["fullUrl"]
    );
    for kind in crate::consultation::model::ConsentKind::ALL {
        let mut c = consent.clone();
        c.kind = kind;
        let scope =
            &consent_to_fhir(&c, &ctx())["entry"][1]["resource"]["scope"]["coding"][0]["code"];
        assert_eq!(
            scope == "treatment",
            kind.code() == "online-consultation",
            "{kind:?}"
        );
    }
}
