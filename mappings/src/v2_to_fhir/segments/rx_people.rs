//! The people and places of an order (ORC-10/12 XCN → JP_Practitioner, ORC-17 + ORC-21/22 →
//! JP_PractitionerRole and JP_Organization), after the JAMI ConceptMap segment-omp-01-rxe-to-medicationrequest
//! ("Practitionerへの参照を設定する") and JP Core 1.1.1 (practitioner ids: jp-standards.md §1.5).
//!
//! A local helper of the pharmacy and diet mappers: the lead's shared `segments/xcn.rs` was not on main
//! when these were written; once it is, these functions can forward to it.

use serde_json::{json, Map, Value};

use crate::v2_to_fhir::datatypes::{address, codeable, NAME_REPRESENTATION};
use crate::v2_to_fhir::input::{Input, Rep, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};

/// The Practitioner for the XCN in field `n` of `seg` (every repetition is one representation of the
/// name; the id is XCN-1 of the first repetition that has one), or `None` when the field is empty.
pub fn practitioner(input: &Input, out: &mut Output, seg: &Seg, n: usize) -> Option<String> {
    let reps = seg.reps(n);
    let number = reps.iter().find_map(|r| r.text(1));
    let names: Vec<Value> = reps.iter().filter_map(xcn_name).collect();
    let key = practitioner_key(&number, &names)?;
    let mut p = Map::new();
    p.insert("resourceType".into(), json!("Practitioner"));
    p.insert("id".into(), json!(input.id(&["practitioner", &key])));
    if let Some(m) = meta("Practitioner", Flavour::Default) {
        p.insert("meta".into(), m);
    }
    if let Some(number) = number {
        p.insert(
            "identifier".into(),
            json!([{"system": practitioner_system(input), "value": number}]),
        );
    }
    if !names.is_empty() {
        p.insert("name".into(), Value::Array(names));
    }
    Some(out.push(Value::Object(p)))
}

/// What identifies a practitioner: XCN-1, or without a staff number the first (kanji) name.
fn practitioner_key(number: &Option<String>, names: &[Value]) -> Option<String> {
    number.clone().or_else(|| {
        names
            .first()
            .and_then(|n| n["text"].as_str())
            .map(str::to_string)
    })
}

/// JP Core's 医師 id system: `urn:oid:1.2.392.100495.20.3.41.1` + 医療機関コード (10 digits).
fn practitioner_system(input: &Input) -> String {
    match input.facility.as_deref() {
        Some(f) if f.len() == 10 && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("urn:oid:1.2.392.100495.20.3.41.1{f}")
        }
        Some(f) => format!("urn:kakehashi:hl7v2:practitioner-id:{f}"),
        None => "urn:kakehashi:hl7v2:practitioner-id:unknown-facility".into(),
    }
}

/// A HumanName from an XCN repetition (id^family^given^middle^suffix^prefix^…^name type (10)^…^
/// representation (15)): the XPN layout shifted by one, name type and representation further on.
fn xcn_name(rep: &Rep) -> Option<Value> {
    let family = rep.text(2);
    let given: Vec<String> = [rep.text(3), rep.text(4)].into_iter().flatten().collect();
    if family.is_none() && given.is_empty() {
        return None;
    }
    let mut name = Map::new();
    if let Some(code) = rep.text(15).and_then(|r| match r.as_str() {
        "I" => Some("IDE"),
        "P" => Some("SYL"),
        "A" => Some("ABC"),
        _ => None,
    }) {
        name.insert(
            "extension".into(),
            json!([{"url": NAME_REPRESENTATION, "valueCode": code}]),
        );
    }
    name.insert("use".into(), json!("official"));
    let text: Vec<&str> = family
        .iter()
        .map(String::as_str)
        .chain(given.iter().map(String::as_str))
        .collect();
    name.insert("text".into(), json!(text.join(" ")));
    if let Some(family) = family {
        name.insert("family".into(), json!(family));
    }
    if !given.is_empty() {
        name.insert("given".into(), json!(given));
    }
    Some(Value::Object(name))
}

/// The ordering facility (ORC-21 XON name, ORC-22 address) as a JP_Organization, or `None` when ORC-21
/// is empty. The id is the sending facility plus the name (XON-10 when the sender gives one).
pub fn ordering_facility(input: &Input, out: &mut Output, orc: &Seg) -> Option<String> {
    let xon = orc.rep(21)?;
    let name = xon.text(1);
    let number = xon.text(10);
    let key = number.clone().or(name.clone())?;
    let mut o = Map::new();
    o.insert("resourceType".into(), json!("Organization"));
    o.insert("id".into(), json!(input.id(&["organization", &key])));
    if let Some(m) = meta("Organization", Flavour::Default) {
        o.insert("meta".into(), m);
    }
    if let Some(number) = number {
        o.insert(
            "identifier".into(),
            json!([{"system": "urn:kakehashi:hl7v2:organization-id", "value": number}]),
        );
    }
    if let Some(name) = name {
        o.insert("name".into(), json!(name));
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
    let names: Vec<Value> = reps.iter().filter_map(xcn_name).collect();
    let key = practitioner_key(&reps.iter().find_map(|r| r.text(1)), &names)
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
    role.insert("resourceType".into(), json!("PractitionerRole"));
    role.insert("id".into(), json!(input.id(&["role", &key, &dept_code])));
    if let Some(m) = meta("PractitionerRole", Flavour::Default) {
        role.insert("meta".into(), m);
    }
    role.insert("practitioner".into(), json!({"reference": practitioner}));
    if let Some(org) = organization {
        role.insert("organization".into(), json!({"reference": org}));
    }
    if let Some(dept) = department {
        role.insert("specialty".into(), json!([dept]));
    }
    Some(out.push(Value::Object(role)))
}
