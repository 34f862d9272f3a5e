//! The OBX results of one order group → Observations (`obx.rs`) tied to their order (`basedOn` the
//! ServiceRequest), their specimen, the NTE comments after each OBX (`note`), and, when OBX-14 is
//! empty, the time of the order (OBR-7) or of the specimen collection (SPM-17), since
//! JP_Observation_LabResult requires `effective[x]`.

use crate::build_json;
use serde_json::Value;

use crate::v2_to_fhir::datatypes::date_time;
use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::Output;
use crate::v2_to_fhir::profiles::Flavour;
use crate::v2_to_fhir::segments::groups::OrderGroup;
use crate::v2_to_fhir::segments::obx;

/// Where the Observations of a group point.
pub struct Links<'r> {
    pub subject: &'r str,
    /// The message's Encounter (PV1), if any.
    pub encounter: Option<&'r str>,
    pub specimen: Option<&'r str>,
    pub request: Option<&'r str>,
    /// Prefix of the Observation ids (the order number and OBR-4.1, or the patient id).
    pub key: Vec<String>,
    /// `issued` for every Observation (OBR-22 of an ORU^R30), if known.
    pub issued: Option<String>,
    /// Whether an OBX without OBX-14 takes the time of the order or specimen (results: yes; order
    /// information such as 身長・体重, measured at another time: no).
    pub time_fallback: bool,
}

/// Maps and adds every result of `group`; returns `(reference, status)` per Observation.
pub fn observations(
    input: &Input,
    out: &mut Output,
    group: &OrderGroup,
    flavour: Flavour,
    links: &Links,
) -> Vec<(String, String)> {
    let fallback_time = if links.time_fallback {
        group
            .obr
            .and_then(|o| o.text(7))
            .or_else(|| group.spm.and_then(|s| s.component(17, 1)))
            .and_then(|t| date_time(&t).ok())
    } else {
        None
    };
    let key: Vec<&str> = links.key.iter().map(String::as_str).collect();
    let mut mapped = Vec::new();
    for result in &group.results {
        let Some(mut o) = obx::build(input, out, &result.obx, links.subject, flavour, &key) else {
            continue;
        };
        if o.get("effectiveDateTime").is_none() {
            if let Some(t) = &fallback_time {
                o["effectiveDateTime"] = build_json!(t);
            }
        }
        if let Some(e) = links.encounter {
            o["encounter"] = build_json!({ "reference": e });
        }
        if let Some(issued) = &links.issued {
            o["issued"] = build_json!(issued);
        }
        if let Some(request) = links.request {
            o["basedOn"] = build_json!([{ "reference": request }]);
        }
        if let Some(specimen) = links.specimen {
            o["specimen"] = build_json!({ "reference": specimen });
        }
        let notes = obx::notes(&result.notes);
        if !notes.is_empty() {
            o["note"] = Value::Array(notes);
        }
        let status = o["status"].as_str().unwrap_or("unknown").to_string();
        mapped.push((out.push(o), status));
    }
    mapped
}
