//! JP_Patient → PID (the reverse of `v2_to_fhir::segments::pid`, JAMI ConceptMap
//! segment-pid-to-patient), and a lone Patient → ADT^A08 (SS-MIX2 ADT-00 患者基本情報の更新: MSH, EVN,
//! PID, PV1 with PV1-2 `N`).

use serde_json::Value;

use super::allergy::{al1, al1_compatible, al1_only};
use super::context::{Context, Entry, OutMessage};
use super::datatypes::{cwe, items, s, ts, xad, xpn, xtn};
use super::observation::{is_lab, obx};
use crate::hl7v2::SegmentBuilder;
use crate::IssueCode;

/// The JP Core 患者番号 system prefix; the 10-digit 医療機関コード follows it.
const PATIENT_ID_PREFIX: &str = "urn:oid:1.2.392.100495.20.3.51.1";
/// The contact role system `v2_to_fhir` adds to NK1-3 (`N` Next-of-Kin).
const CONTACT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/v2-0131";
/// The system `v2_to_fhir` gives patient ids of a facility without a 医療機関コード.
const LOCAL_PATIENT_ID_PREFIX: &str = "urn:kakehashi:hl7v2:patient-id:";

/// The Observations of a patient that go into its ADT^A08 (not laboratory results).
fn own_observations<'a>(ctx: &Context<'a>, patient: &Entry) -> Vec<Entry<'a>> {
    ctx.of_kind("Observation")
        .into_iter()
        .filter(|o| !is_lab(o.resource))
        .filter(|o| ctx.patient_key(o) == patient.reference())
        .collect()
}

/// Whether a Patient gets an ADT^A08: when nothing else of the input refers to it, or when it has
/// records only ADT-00 carries (OBX 身長, 体重, 血液型; an AL1-only allergy).
pub fn needs_own_message(ctx: &Context, patient: &Entry) -> bool {
    !ctx.is_referenced(patient, &["subject", "patient"])
        || !own_observations(ctx, patient).is_empty()
        || allergies_of(ctx, patient)
            .iter()
            .any(|a| al1_only(a.resource))
}

fn allergies_of<'a>(ctx: &Context<'a>, patient: &Entry) -> Vec<Entry<'a>> {
    ctx.of_kind("AllergyIntolerance")
        .into_iter()
        .filter(|a| ctx.patient_key(a) == patient.reference())
        .collect()
}

/// Whether an AllergyIntolerance is written as an AL1 in its patient's ADT^A08 rather than as an IAM in
/// an ADT^A60: when only an AL1 can have said it, or when the patient gets an ADT^A08 anyway and an
/// AL1 can carry all of it.
pub fn goes_into_a08(ctx: &Context, allergy: &Entry) -> bool {
    if al1_only(allergy.resource) {
        return true;
    }
    if !al1_compatible(allergy.resource) {
        return false;
    }
    ctx.resolve_element(allergy.resource.get("patient"))
        .is_some_and(|p| needs_own_message(ctx, &p))
}

/// ADT^A08 for a Patient (`needs_own_message`), with an OBX per Observation of its own.
pub fn map(ctx: &mut Context, entry: &Entry) -> Vec<OutMessage> {
    let Some(pid) = pid(ctx, entry) else {
        return Vec::new();
    };
    let mut message = ctx.message("ADT", "A08", "ADT_A01");
    let mut pv1 = SegmentBuilder::new("PV1");
    pv1.field(1, "0001").field(2, "N");
    message.push(ctx.evn()).push_all(pid).push(pv1);
    for (i, observation) in own_observations(ctx, entry).iter().enumerate() {
        let (obx, _) = obx(ctx, observation, i + 1, false, None);
        message.push(obx);
    }
    let allergies: Vec<Entry> = allergies_of(ctx, entry)
        .into_iter()
        .filter(|a| goes_into_a08(ctx, a))
        .collect();
    for (i, allergy) in allergies.iter().enumerate() {
        message.push(al1(allergy.resource, i + 1));
    }
    vec![OutMessage {
        data_type: "ADT-00".into(),
        text: message.to_hl7(),
    }]
}

/// The PID of the Patient that `resource.<key>` (`subject`, `patient`) refers to; an error issue when
/// the reference is missing or the Patient is not in the input.
pub fn pid_of(ctx: &mut Context, entry: &Entry, key: &str) -> Option<Vec<SegmentBuilder>> {
    let Some(patient) = ctx.resolve_element(entry.resource.get(key)) else {
        ctx.error(
            &entry.at(key),
            IssueCode::NotFound,
            format!(
                "The {} refers to no Patient of the input; an HL7 v2 message needs the patient's PID.",
                entry.kind()
            ),
        );
        return None;
    };
    if patient.kind() != "Patient" {
        ctx.error(
            &entry.at(key),
            IssueCode::Value,
            "The reference does not name a Patient.",
        );
        return None;
    }
    pid(ctx, &patient)
}

/// The PID of a Patient: PID-3 `id^^^^PI` (the facility's patient ids), PID-5 names (kanji `^L^I`, kana
/// `^L^P`), PID-7, PID-8, PID-11, PID-13 (home) / PID-14 (work), PID-29/30; then an NK1 per contact.
pub fn pid(ctx: &mut Context, entry: &Entry) -> Option<Vec<SegmentBuilder>> {
    let patient = entry.resource;
    let mut seg = SegmentBuilder::new("PID");
    seg.field(1, "0001");
    let ids = patient_ids(patient, &ctx.header.sending_facility);
    if ids.is_empty() {
        ctx.error(
            &entry.at("identifier"),
            IssueCode::Required,
            "The Patient has no identifier for PID-3 (患者ID).",
        );
        return None;
    }
    for id in ids {
        seg.repetition(3, &[id, "", "", "", "PI"]);
    }
    for (i, name) in items(patient, "name").iter().enumerate() {
        xpn(&mut seg, 5, i + 1, 1, name);
    }
    if let Some(birth) = s(patient, "birthDate") {
        match ts(birth) {
            Ok(t) => {
                seg.field(7, &t);
            }
            Err(why) => ctx.warn(&entry.at("birthDate"), why),
        }
    }
    let gender = match s(patient, "gender") {
        Some("male") => "M",
        Some("female") => "F",
        Some("other") => "O",
        Some(_) => "U",
        None => "",
    };
    seg.field(8, gender);
    for (i, address) in items(patient, "address").iter().enumerate() {
        xad(&mut seg, 11, i + 1, address);
    }
    let (mut home, mut work) = (0, 0);
    for point in items(patient, "telecom") {
        if s(point, "use") == Some("work") {
            work += 1;
            xtn(&mut seg, 14, work, point);
        } else {
            home += 1;
            xtn(&mut seg, 13, home, point);
        }
    }
    if let Some(death) = s(patient, "deceasedDateTime") {
        match ts(death) {
            Ok(t) => {
                seg.field(29, &t);
            }
            Err(why) => ctx.warn(&entry.at("deceasedDateTime"), why),
        }
    } else if let Some(flag) = patient.get("deceasedBoolean").and_then(Value::as_bool) {
        seg.field(30, if flag { "Y" } else { "N" });
    }
    let mut segments = vec![seg];
    for (i, contact) in items(patient, "contact").iter().enumerate() {
        segments.push(nk1(contact, i + 1));
    }
    Some(segments)
}

/// An NK1 from a Patient.contact (the reverse of `v2_to_fhir::segments::nk1`): NK1-2 name, NK1-3
/// relationship (without the v2-0131 `N` coding `v2_to_fhir` adds), NK1-4 address, NK1-5 / NK1-6
/// telecom, NK1-13 organization.
fn nk1(contact: &Value, set_id: usize) -> SegmentBuilder {
    let mut seg = SegmentBuilder::new("NK1");
    seg.field(1, &set_id.to_string());
    if let Some(name) = contact.get("name") {
        xpn(&mut seg, 2, 1, 1, name);
    }
    if let Some(relationship) = items(contact, "relationship").first() {
        let mut concept = relationship.clone();
        if let Some(list) = concept.get_mut("coding").and_then(Value::as_array_mut) {
            list.retain(|c| s(c, "system") != Some(CONTACT_ROLE));
        }
        cwe(&mut seg, 3, 1, &concept);
    }
    if let Some(address) = contact.get("address") {
        xad(&mut seg, 4, 1, address);
    }
    let (mut home, mut work) = (0, 0);
    for point in items(contact, "telecom") {
        if s(point, "use") == Some("work") {
            work += 1;
            xtn(&mut seg, 6, work, point);
        } else {
            home += 1;
            xtn(&mut seg, 5, home, point);
        }
    }
    if let Some(org) = contact.get("organization").and_then(|o| s(o, "display")) {
        seg.field(13, org);
    }
    seg
}

/// The patient ids for PID-3: those of the sending facility's 患者番号 system, else those of any
/// 患者番号 or Kakehashi patient-id system, else every identifier's value.
fn patient_ids<'v>(patient: &'v Value, facility: &str) -> Vec<&'v str> {
    let ids = items(patient, "identifier");
    let own = format!("{PATIENT_ID_PREFIX}{facility}");
    let pick = |keep: &dyn Fn(&str) -> bool| -> Vec<&'v str> {
        ids.iter()
            .filter(|i| keep(s(i, "system").unwrap_or_default()))
            .filter_map(|i| s(i, "value"))
            .collect()
    };
    let mut found = pick(&|system| system == own);
    if found.is_empty() {
        found = pick(&|system| {
            system.starts_with(PATIENT_ID_PREFIX) || system.starts_with(LOCAL_PATIENT_ID_PREFIX)
        });
    }
    if found.is_empty() {
        found = pick(&|_| true);
    }
    found
}

/// The 10-digit 医療機関コード in a Patient's JP Core 患者番号 system, for MSH-4 when the caller gives
/// no sending facility.
pub fn facility_of(patient: &Value) -> Option<String> {
    items(patient, "identifier").iter().find_map(|i| {
        let code = s(i, "system")?.strip_prefix(PATIENT_ID_PREFIX)?;
        (code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit())).then(|| code.to_string())
    })
}
