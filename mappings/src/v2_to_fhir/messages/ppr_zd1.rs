//! PPR-01 (PPR^ZD1 病名（歴）情報の登録／更新): each PRB with the ZPR and ORC that follow it →
//! JP_Condition (JAMI ConceptMaps message-ppr-01-to-bundle, segment-ppr-01-prb-to-condition).
//!
//! - PRB-1 action code: `AD` 追加 / `UP` 更新 map the problem; `DE` 削除 → verificationStatus
//!   `entered-in-error` (JAMI: 誤入力) without clinicalStatus (con-5).
//! - PRB-3 病名 (MEDIS 病名管理番号 `MDCDX2`, ICD-10 `I10` as the alternate code) → code; PRB-4 → identifier
//!   and id (else the PRB-3 code); PRB-7 → recordedDate; PRB-9 (else PRB-15) → abatementDateTime with
//!   clinicalStatus `resolved` (con-4), else `active`; PRB-13 確認状態 → verificationStatus (`C` 確定,
//!   `S` / `P` 疑い → provisional, `U`, `D`, `R`); PRB-16 → onsetDateTime; ORC-12 → recorder.
//! - ZPR (JAHIS 病名の拡張): JAMI maps none of its fields; they are kept as extra codings of
//!   Condition.code so that the MEDIS codes survive: ZPR-2 病名管理番号 / ZPR-5 病名交換用コード (the same
//!   disease), ZPR-1 / ZPR-3 修飾語管理番号 (接頭語 / 接尾語) and ZPR-4 / ZPR-6 修飾語交換用コード in the
//!   MEDIS modifier systems (a reader tells a modifier from the disease by the system); ZPR-7 → note.
//! - ZI1 (保険) is left reported as not mapped.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{codeable, date_time};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::{meta, Flavour};
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::pv1::map_encounter;
use crate::v2_to_fhir::segments::xcn::practitioners;

pub const DISEASE_KEY: &str = "http://medis.or.jp/CodeSystem/master-disease-keyNumber";
pub const DISEASE_EXCHANGE: &str = "http://medis.or.jp/CodeSystem/master-disease-exCode";
pub const MODIFIER_KEY: &str = "http://medis.or.jp/CodeSystem/master-disease-modKeyNumber";
pub const MODIFIER_EXCHANGE: &str = "http://medis.or.jp/CodeSystem/master-disease-modExCode";
const CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
const VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/condition-ver-status";

/// verificationStatus for a PRB-13 confirmation status code.
pub fn verification_of(code: &str) -> Option<&'static str> {
    match code {
        "C" => Some("confirmed"),
        "S" | "P" => Some("provisional"),
        "U" => Some("unconfirmed"),
        "D" => Some("differential"),
        "R" => Some("refuted"),
        _ => None,
    }
}

/// One PRB and the ZPR / ORC that belong to it (those before the next PRB).
struct Problem<'a> {
    prb: Seg<'a>,
    zpr: Option<Seg<'a>>,
    orc: Option<Seg<'a>>,
}

fn problems<'a>(input: &'a Input<'a>) -> Vec<Problem<'a>> {
    let mut list: Vec<Problem> = Vec::new();
    for seg in input.all() {
        match seg.name() {
            "PRB" => list.push(Problem {
                prb: seg,
                zpr: None,
                orc: None,
            }),
            "ZPR" => {
                if let Some(p) = list.last_mut().filter(|p| p.zpr.is_none()) {
                    p.zpr = Some(seg);
                }
            }
            "ORC" => {
                if let Some(p) = list.last_mut().filter(|p| p.orc.is_none()) {
                    p.orc = Some(seg);
                }
            }
            _ => {}
        }
    }
    list
}

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    let encounter = map_encounter(input, out);
    for problem in problems(input) {
        map_problem(input, out, &patient, encounter.as_deref(), &problem);
    }
    Ok(())
}

fn push_coding(code: &mut Value, system: &str, value: Option<String>, display: Option<String>) {
    let Some(value) = value else {
        return;
    };
    if code.get("coding").is_none() {
        code["coding"] = build_json!([]);
    }
    let Some(codings) = code["coding"].as_array_mut() else {
        return;
    };
    if codings
        .iter()
        .any(|c| c["system"] == system && c["code"] == value.as_str())
    {
        return;
    }
    let mut coding = build_json!({"system": system, "code": value});
    if let Some(d) = display {
        coding["display"] = build_json!(d);
    }
    codings.push(coding);
}

fn map_problem(
    input: &Input,
    out: &mut Output,
    patient: &str,
    encounter: Option<&str>,
    problem: &Problem,
) {
    let prb = &problem.prb;
    let action = prb.text(1);
    let Some(problem_code) = prb.rep(3) else {
        out.warn(
            prb.position(3),
            "PRB-3 (病名) is empty; the PRB is not mapped.",
        );
        return;
    };
    let Some(mut code) = codeable(&problem_code) else {
        out.warn(
            prb.position(3),
            "PRB-3 (病名) is empty; the PRB is not mapped.",
        );
        return;
    };
    let instance = prb.text(4);
    let key = instance
        .clone()
        .or_else(|| problem_code.text(1))
        .or_else(|| problem_code.text(2))
        .unwrap_or_default();
    let mut condition = Map::new();
    condition.insert("resourceType".into(), build_json!("Condition"));
    condition.insert(
        "id".into(),
        build_json!(input.id(&[
            "condition",
            input.patient_id.as_deref().unwrap_or("-"),
            &key
        ])),
    );
    if let Some(m) = meta("Condition", Flavour::Default) {
        condition.insert("meta".into(), m);
    }
    if let Some(id) = &instance {
        condition.insert(
            "identifier".into(),
            build_json!([{
                "system": format!("urn:kakehashi:hl7v2:problem-id:{}", input.facility.as_deref().unwrap_or("unknown-facility")),
                "value": id,
            }]),
        );
    }
    let deleted = match action.as_deref() {
        Some("DE") => true,
        Some("AD" | "UP" | "CO" | "UC" | "LI" | "UN") | None => false,
        Some(other) => {
            out.warn(
                prb.position(1),
                format!("PRB-1 '{other}' is not an HL7 table 0287 action code."),
            );
            false
        }
    };
    let mut abatement = None;
    for field in [9, 15] {
        if abatement.is_some() {
            break;
        }
        if let Some(raw) = prb.text(field) {
            match date_time(&raw) {
                Ok(t) => abatement = Some(t),
                Err(why) => out.warn(prb.position(field), why),
            }
        }
    }
    let mut verification = None;
    if let Some(status) = prb.rep(13).and_then(|r| r.text(1)) {
        match verification_of(&status) {
            Some(v) => verification = Some(v),
            None => out.warn(
                prb.position(13),
                format!(
                    "PRB-13 '{status}' is not a problem confirmation status (C, S, P, U, D, R)."
                ),
            ),
        }
    }
    if deleted {
        verification = Some("entered-in-error");
    } else {
        let clinical = if abatement.is_some() {
            "resolved"
        } else {
            "active"
        };
        condition.insert(
            "clinicalStatus".into(),
            build_json!({"coding": [{"system": CLINICAL, "code": clinical}]}),
        );
    }
    if let Some(v) = verification {
        condition.insert(
            "verificationStatus".into(),
            build_json!({"coding": [{"system": VERIFICATION, "code": v}]}),
        );
    }
    condition.insert(
        "category".into(),
        build_json!([{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
            "code": "problem-list-item",
        }]}]),
    );
    let mut notes = Vec::new();
    if let Some(zpr) = &problem.zpr {
        push_coding(&mut code, DISEASE_KEY, zpr.text(2), None);
        push_coding(&mut code, DISEASE_EXCHANGE, zpr.text(5), None);
        for (field, system) in [
            (1, MODIFIER_KEY),
            (3, MODIFIER_KEY),
            (4, MODIFIER_EXCHANGE),
            (6, MODIFIER_EXCHANGE),
        ] {
            for rep in zpr.reps(field) {
                push_coding(&mut code, system, rep.text(1), rep.text(2));
            }
        }
        if let Some(comment) = zpr.text(7) {
            notes.push(build_json!({ "text": comment }));
        }
    }
    condition.insert("code".into(), code);
    condition.insert("subject".into(), build_json!({ "reference": patient }));
    if let Some(encounter) = encounter {
        condition.insert("encounter".into(), build_json!({ "reference": encounter }));
    }
    if let Some(raw) = prb.text(16) {
        match date_time(&raw) {
            Ok(t) => {
                condition.insert("onsetDateTime".into(), build_json!(t));
            }
            Err(why) => out.warn(prb.position(16), why),
        }
    }
    if let Some(t) = abatement {
        condition.insert("abatementDateTime".into(), build_json!(t));
    }
    if let Some(raw) = prb.text(7) {
        match date_time(&raw) {
            Ok(t) => {
                condition.insert("recordedDate".into(), build_json!(t));
            }
            Err(why) => out.warn(prb.position(7), why),
        }
    }
    if let Some(recorder) = problem
        .orc
        .as_ref()
        .and_then(|orc| practitioners(input, out, orc, 12).into_iter().next())
    {
        condition.insert("recorder".into(), recorder);
    }
    if !notes.is_empty() {
        condition.insert("note".into(), Value::Array(notes));
    }
    out.push(Value::Object(condition));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_status_codes() {
        assert_eq!(verification_of("C"), Some("confirmed"));
        assert_eq!(verification_of("S"), Some("provisional"));
        assert_eq!(verification_of("X"), None);
    }
}
