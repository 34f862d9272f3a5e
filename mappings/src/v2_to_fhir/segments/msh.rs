//! MSH → MessageHeader (JAMI ConceptMap segment-msh-to-messageheader) and, at the end, a Provenance
//! naming the source message (MSH-10, the SS-MIX2 file name) and every resource mapped from it.

use crate::build_json;
use serde_json::Value;

use crate::v2_to_fhir::datatypes::date_time;
use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::{reference_of, Output};

/// The system of the identifiers naming a source message: `MSH-10` qualified by the sending facility.
pub const CONTROL_ID_SYSTEM: &str = "urn:kakehashi:hl7v2:control-id";
/// The system of SS-MIX2 file names.
pub const FILE_NAME_SYSTEM: &str = "urn:kakehashi:ssmix2:file-name";

/// The MessageHeader, first resource of every mapped message.
pub fn map_header(input: &Input, out: &mut Output) {
    let Some(msh) = input.segment("MSH") else {
        return;
    };
    msh.mark_all();
    let id = input.id(&["message", &input.control_id]);
    let mut header = build_json!({
        "resourceType": "MessageHeader",
        "id": id,
        "eventCoding": {
            "system": "http://terminology.hl7.org/CodeSystem/v2-0003",
            "code": &input.data_type.trigger,
        },
        "source": {
            "name": msh.text(3).unwrap_or_default(),
            "endpoint": format!("urn:kakehashi:hl7v2:application:{}", msh.text(3).unwrap_or_else(|| "-".into())),
        },
    });
    if let Some(receiver) = msh.text(5) {
        header["destination"] = build_json!([{
            "name": &receiver,
            "endpoint": format!("urn:kakehashi:hl7v2:application:{receiver}"),
        }]);
    }
    if let Some(facility) = &input.facility {
        header["sender"] = build_json!({"display": facility});
    }
    out.push(header);
}

/// The Provenance, last resource: target = every other resource, recorded = MSH-7 (or the time of
/// receipt), entity = the source message.
pub fn map_provenance(input: &Input, out: &mut Output) {
    let targets: Vec<Value> = out
        .resources()
        .iter()
        .map(|r| build_json!({"reference": reference_of(r)}))
        .collect();
    let recorded = input
        .message
        .value("MSH-7")
        .and_then(|ts| date_time(&ts).ok())
        .filter(|t| t.contains('T'))
        .unwrap_or_else(|| input.source.received.clone());
    let mut what = vec![build_json!({
        "identifier": {"system": CONTROL_ID_SYSTEM, "value": &input.control_id},
        "display": format!("HL7 v2 {} (MSH-10 {})", input.data_type.data_type, input.control_id),
    })];
    if let Some(file) = &input.source.file_name {
        what.push(build_json!({
            "identifier": {"system": FILE_NAME_SYSTEM, "value": file},
            "display": "SS-MIX2 file",
        }));
    }
    let provenance = build_json!({
        "resourceType": "Provenance",
        "id": input.id(&["provenance", &input.control_id]),
        "target": targets,
        "recorded": recorded,
        "activity": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
            "code": "CREATE",
        }]},
        "agent": [{
            "type": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                "code": "author",
            }]},
            "who": {"display": input.facility.clone().unwrap_or_else(|| "unknown sender".into())},
        }],
        "entity": what.into_iter().map(|w| build_json!({"role": "source", "what": w})).collect::<Vec<_>>(),
    });
    out.push(provenance);
}
