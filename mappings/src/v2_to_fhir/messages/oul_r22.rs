//! OML-11 (OUL^R22 検体検査結果通知) → Specimen (SPM), ServiceRequest (ORC/OBR), JP_Observation_LabResult
//! (OBX) and JP_DiagnosticReport_LabResult (OBR), after the JAMI ConceptMaps message-oml-11-to-bundle and
//! segment-oml-11-{spm,orc,obr,obx}-to-*. Structure: MSH PID PV1? { SPM { OBR ORC? { OBX NTE* } } }
//! (senders also write ORC before OBR; `segments/groups.rs` takes either).

use crate::build_json;
use serde_json::Value;

use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::Flavour;
use crate::v2_to_fhir::segments::groups::{order_groups, OrderGroup};
use crate::v2_to_fhir::segments::obx;
use crate::v2_to_fhir::segments::orc::{order_key, service_request};
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::pv1::map_encounter;
use crate::v2_to_fhir::segments::results::{observations, Links};
use crate::v2_to_fhir::segments::{obr, spm};

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    let encounter = map_encounter(input, out);
    // OUL_R22 requires at least one SPM (JP_Observation_LabResult requires a specimen).
    input.require("SPM")?;
    let groups = order_groups(input);
    let mut specimens: Vec<(usize, String)> = Vec::new();
    for s in &groups.specimens {
        specimens.push((s.index(), spm::specimen(input, out, s, &patient)));
    }
    let specimen_of = |g: &OrderGroup| -> Option<String> {
        let index = g.spm?.index();
        specimens
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, r)| r.clone())
    };
    for (spm_seg, result) in &groups.specimen_results {
        let Some(mut o) = obx::build(
            input,
            out,
            &result.obx,
            &patient,
            Flavour::Lab,
            &["specimen"],
        ) else {
            continue;
        };
        if let Some((_, r)) = specimens.iter().find(|(i, _)| *i == spm_seg.index()) {
            o["specimen"] = build_json!({ "reference": r });
        }
        out.push(o);
    }
    for group in &groups.orders {
        map_group(
            input,
            out,
            group,
            &patient,
            encounter.as_deref(),
            specimen_of(group),
        );
    }
    Ok(())
}

/// One OBR/ORC group: ServiceRequest, its Observations and its DiagnosticReport.
pub fn map_group(
    input: &Input,
    out: &mut Output,
    group: &OrderGroup,
    patient: &str,
    encounter: Option<&str>,
    specimen: Option<String>,
) {
    let orc = group.orc.as_ref();
    let obr_seg = group.obr.as_ref();
    let request = service_request(input, out, orc, obr_seg, patient, encounter).map(|mut r| {
        if let Some(s) = &specimen {
            r["specimen"] = build_json!([{ "reference": s }]);
        }
        add_notes(&mut r, &obx::notes(&group.notes));
        out.push(r)
    });
    let key = vec![
        order_key(orc, obr_seg).unwrap_or_else(|| input.control_id.clone()),
        obr_seg
            .and_then(|o| o.component(4, 1))
            .unwrap_or_else(|| "-".into()),
    ];
    let links = Links {
        subject: patient,
        encounter,
        specimen: specimen.as_deref(),
        request: request.as_deref(),
        key,
        issued: None,
        time_fallback: true,
    };
    let results = observations(input, out, group, Flavour::Lab, &links);
    if let Some(obr_seg) = obr_seg {
        let mut report = obr::diagnostic_report(
            input,
            out,
            orc,
            obr_seg,
            patient,
            Flavour::Lab,
            &results,
            request.as_deref(),
        );
        if let Some(e) = encounter {
            report["encounter"] = build_json!({ "reference": e });
        }
        if let Some(s) = &specimen {
            report["specimen"] = build_json!([{ "reference": s }]);
        }
        out.push(report);
    }
}

/// Appends NTE comments to a resource's `note`.
pub fn add_notes(resource: &mut Value, notes: &[Value]) {
    if notes.is_empty() {
        return;
    }
    match resource.get_mut("note").and_then(Value::as_array_mut) {
        Some(list) => list.extend(notes.iter().cloned()),
        None => resource["note"] = Value::Array(notes.to_vec()),
    }
}
