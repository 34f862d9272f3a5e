//! XCN (a doctor named in PV1-7/8/9/17, IAM-18, ORC-12 …) → JP_Practitioner. The id is the sending
//! facility plus XCN-1 (the facility's staff id), so every message naming the same doctor updates one
//! Practitioner; XCN-1 gets JP Core's 医師 id system `urn:oid:1.2.392.100495.20.3.41.1` + 医療機関コード
//! (jp-standards.md §1.5). Name: XCN-2.1 family, XCN-3 given, XCN-15 representation (`I` kanji → `IDE`,
//! `P` kana → `SYL`, JAMI ConceptMap table-v2-0465-to-iso-21090).

use crate::build_json;
use serde_json::{Map, Value};

use crate::v2_to_fhir::datatypes::{name_representation, NAME_REPRESENTATION};
use crate::v2_to_fhir::input::{Input, Rep, Seg};
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::{meta, Flavour};

/// The Identifier system of the sending facility's staff ids.
pub fn practitioner_id_system(input: &Input) -> String {
    match input.facility.as_deref() {
        Some(f) if f.len() == 10 && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("urn:oid:1.2.392.100495.20.3.41.1{f}")
        }
        Some(f) => format!("urn:kakehashi:hl7v2:practitioner-id:{f}"),
        None => "urn:kakehashi:hl7v2:practitioner-id:unknown-facility".to_string(),
    }
}

/// The HumanName of an XCN (components 2–7 and 15), `None` without family and given name.
pub fn xcn_name(rep: &Rep) -> Option<Value> {
    // XCN-2 is FN (surname&own surname prefix&…): its first subcomponent is the family name.
    let family = rep.sub(2, 1);
    let given: Vec<String> = [rep.text(3), rep.text(4)].into_iter().flatten().collect();
    if family.is_none() && given.is_empty() {
        return None;
    }
    let mut name = Map::new();
    if let Some(code) = rep.text(15).and_then(|r| name_representation(&r)) {
        name.insert(
            "extension".into(),
            build_json!([{ "url": NAME_REPRESENTATION, "valueCode": code }]),
        );
    }
    name.insert("use".into(), build_json!("official"));
    let text: Vec<&str> = family
        .iter()
        .chain(given.iter())
        .map(String::as_str)
        .collect();
    name.insert("text".into(), build_json!(text.join(" ")));
    if let Some(family) = family {
        name.insert("family".into(), build_json!(family));
    }
    if !given.is_empty() {
        name.insert("given".into(), build_json!(given));
    }
    if let Some(suffix) = rep.text(5) {
        name.insert("suffix".into(), build_json!([suffix]));
    }
    if let Some(prefix) = rep.text(6) {
        name.insert("prefix".into(), build_json!([prefix]));
    }
    Some(Value::Object(name))
}

/// Adds the Practitioner an XCN repetition names and returns `Practitioner/{id}`; `None` when the
/// repetition holds neither an id nor a name. A doctor without an id gets an id from the name.
pub fn practitioner(input: &Input, out: &mut Output, rep: &Rep) -> Option<String> {
    practitioner_of(input, out, std::slice::from_ref(rep))
}

/// The Practitioner of one doctor written as several repetitions (the kanji name with the staff id,
/// then the kana name without it: `110^医師^一郎^^^^^^^L^^^^^I~^イシ^イチロウ^^^^^^^L^^^^^P`).
fn practitioner_of(input: &Input, out: &mut Output, reps: &[Rep]) -> Option<String> {
    let staff_id = reps.iter().find_map(|r| r.text(1));
    let names: Vec<Value> = reps.iter().filter_map(xcn_name).collect();
    let id = match (&staff_id, names.first()) {
        (Some(staff), _) => input.id(&["practitioner", staff]),
        (None, Some(name)) => input.id(&[
            "practitioner",
            "name",
            name["text"].as_str().unwrap_or_default(),
        ]),
        (None, None) => return None,
    };
    let mut resource = Map::new();
    resource.insert("resourceType".into(), build_json!("Practitioner"));
    resource.insert("id".into(), build_json!(id));
    if let Some(m) = meta("Practitioner", Flavour::Default) {
        resource.insert("meta".into(), m);
    }
    if let Some(staff) = staff_id {
        resource.insert(
            "identifier".into(),
            build_json!([{"system": practitioner_id_system(input), "value": staff}]),
        );
    }
    if !names.is_empty() {
        resource.insert("name".into(), Value::Array(names));
    }
    Some(out.push(Value::Object(resource)))
}

/// A Reference to the Practitioner of an XCN repetition, with the doctor's name as display.
pub fn practitioner_reference(input: &Input, out: &mut Output, rep: &Rep) -> Option<Value> {
    let reference = practitioner(input, out, rep)?;
    Some(with_display(reference, std::slice::from_ref(rep)))
}

/// References to the doctors field `n` of `seg` names. A repetition without XCN-1 that follows one is
/// another representation of the same doctor (SS-MIX2 writes the kanji name with the id, then the kana).
pub fn practitioners(input: &Input, out: &mut Output, seg: &Seg, n: usize) -> Vec<Value> {
    let mut groups: Vec<Vec<Rep>> = Vec::new();
    for rep in seg.reps(n) {
        match groups.last_mut() {
            Some(group) if rep.text(1).is_none() => group.push(rep),
            _ => groups.push(vec![rep]),
        }
    }
    groups
        .iter()
        .filter_map(|group| {
            practitioner_of(input, out, group).map(|reference| with_display(reference, group))
        })
        .collect()
}

fn with_display(reference: String, reps: &[Rep]) -> Value {
    let mut r = build_json!({ "reference": reference });
    if let Some(text) = reps
        .iter()
        .find_map(|rep| xcn_name(rep).and_then(|n| n["text"].as_str().map(str::to_string)))
    {
        r["display"] = build_json!(text);
    }
    r
}
