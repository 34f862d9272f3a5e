//! The people and places of an order (ORC-10/12 XCN → JP_Practitioner, ORC-17 + ORC-21/22 →
//! JP_PractitionerRole and JP_Organization), after the JAMI ConceptMap segment-omp-01-rxe-to-medicationrequest
//! ("Practitionerへの参照を設定する") and JP Core 1.1.1 (practitioner ids: jp-standards.md §1.5).
//!
//! The doctors themselves come from `segments/xcn.rs`.

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{address, codeable};
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};
use crate::v2_to_fhir::segments::xcn::{practitioners, xcn_name};

/// The Practitioner for the XCN in field `n` of `seg` (the repetitions are representations of one
/// doctor's name; `segments::xcn` builds it), or `None` when the field is empty.
pub fn practitioner(input: &Input, out: &mut Output, seg: &Seg, n: usize) -> Option<String> {
    practitioners(input, out, seg, n)
        .into_iter()
        .next()
        .and_then(|r| r["reference"].as_str().map(str::to_string))
}

/// The ordering facility (ORC-21 XON name, ORC-22 address) as a JP_Organization, or `None` when ORC-21
/// is empty. The id is the sending facility plus the name (XON-10 when the sender gives one).
pub fn ordering_facility(input: &Input, out: &mut Output, orc: &Seg) -> Option<String> {
    let xon = orc.rep(21)?;
    let name = xon.text(1);
    let number = xon.text(10);
    let key = number.clone().or(name.clone())?;
    let mut o = Map::new();
    o.insert("resourceType".into(), build_json!("Organization"));
    o.insert("id".into(), build_json!(input.id(&["organization", &key])));
    if let Some(m) = meta("Organization", Flavour::Default) {
        o.insert("meta".into(), m);
    }
    if let Some(number) = number {
        o.insert(
            "identifier".into(),
            build_json!([{"system": "urn:kakehashi:hl7v2:organization-id", "value": number}]),
        );
    }
    if let Some(name) = name {
        o.insert("name".into(), build_json!(name));
    }
    let addresses: Vec<Value> = orc.reps(22).iter().filter_map(address).collect();
    if !addresses.is_empty() {
        o.insert("address".into(), Value::Array(addresses));
    }
    Some(out.push(Value::Object(o)))
}

/// The orderer of ORC: ORC-12 as a Practitioner; when the order also names the ordering department
/// (ORC-17 入力組織, JAHIS: 診療科) or facility (ORC-21), a PractitionerRole joining them, whose reference
/// is returned. `None` when ORC-12 is empty (ORC-17 and ORC-21 are then reported as not mapped).
pub fn orderer(input: &Input, out: &mut Output, orc: &Seg) -> Option<String> {
    let practitioner = practitioner(input, out, orc, 12)?;
    let reps = orc.reps(12);
    // The doctor's staff id, or without one the first name (as the Practitioner's id is made).
    let key = reps
        .iter()
        .find_map(|r| r.text(1))
        .or_else(|| {
            reps.iter()
                .find_map(|r| xcn_name(r)?["text"].as_str().map(str::to_string))
        })
        .unwrap_or_else(|| "-".into());
    let department = orc.rep(17).as_ref().and_then(codeable);
    let organization = ordering_facility(input, out, orc);
    if department.is_none() && organization.is_none() {
        return Some(practitioner);
    }
    let dept_code = department
        .as_ref()
        .and_then(|d| d["coding"][0]["code"].as_str())
        .unwrap_or("-")
        .to_string();
    let mut role = Map::new();
    role.insert("resourceType".into(), build_json!("PractitionerRole"));
    role.insert(
        "id".into(),
        build_json!(input.id(&["role", &key, &dept_code])),
    );
    if let Some(m) = meta("PractitionerRole", Flavour::Default) {
        role.insert("meta".into(), m);
    }
    role.insert(
        "practitioner".into(),
        build_json!({"reference": practitioner}),
    );
    if let Some(org) = organization {
        role.insert("organization".into(), build_json!({"reference": org}));
    }
    if let Some(dept) = department {
        role.insert("specialty".into(), build_json!([dept]));
    }
    Some(out.push(Value::Object(role)))
}
