//! ORU^R01 (OMG-13 生理検査結果通知) → the ServiceRequest of the order (`segments/request.rs`),
//! JP_Observation_Common per OBX (category `procedure`) and a JP_DiagnosticReport_Common per OBR
//! (`segments/obr.rs`), OBX of type ED (the tracing as PDF or image) → its presentedForm; ORU^R30 (vital signs in SS-MIX2 extended storage,
//! `L-OBSERVATIONS^OBSERVATIONS^99ZL01`, NHO convention) → JP_Observation_VitalSigns per OBX (category
//! `vital-signs`, the JLAC10 code with the LOINC vital-sign code beside it when the table knows it,
//! `segments/obx.rs`). An R30 is a point-of-care record, not an order: its ORC/OBR give only the
//! fallback time (OBR-7) and `issued` (OBR-22); their other fields are reported as not mapped. Structures (HL7 v2.5):
//! ORU_R01 { ORC? OBR NTE* TQ1* { OBX NTE* } }, ORU_R30 ORC OBR NTE* TQ1* { OBX NTE* }.

use crate::build_json;
use serde_json::Value;

use crate::v2_to_fhir::datatypes::date_time;
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::Flavour;
use crate::v2_to_fhir::segments::groups::{order_groups, OrderGroup};
use crate::v2_to_fhir::segments::obr;
use crate::v2_to_fhir::segments::orc::order_key;
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::pv1::map_encounter;
use crate::v2_to_fhir::segments::request::order_request;
use crate::v2_to_fhir::segments::results::{observations, Links};

const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    let encounter = map_encounter(input, out);
    if input.data_type.trigger == "R30" {
        return vital_signs(input, out, &patient, encounter.as_deref());
    }
    let groups = order_groups(input);
    if groups.orders.is_empty() {
        return Err(MapError::MissingSegment {
            segment: "OBR".into(),
        });
    }
    for all in &groups.orders {
        // ED results (a PDF or an image of the tracing) are the report's presentedForm, not Observations.
        let (documents, results): (Vec<_>, Vec<_>) = all
            .results
            .iter()
            .cloned()
            .partition(|r| r.obx.text(2).as_deref() == Some("ED"));
        let group = &OrderGroup {
            results,
            ..all.clone()
        };
        let request = order_request(
            input,
            out,
            group,
            &patient,
            encounter.as_deref(),
            None,
            false,
        );
        let links = Links {
            subject: &patient,
            encounter: encounter.as_deref(),
            specimen: None,
            request: request.as_deref(),
            key: vec![
                order_key(group.orc.as_ref(), group.obr.as_ref())
                    .unwrap_or_else(|| input.control_id.clone()),
                group
                    .obr
                    .and_then(|o| o.component(4, 1))
                    .unwrap_or_else(|| "-".into()),
            ],
            issued: None,
            time_fallback: true,
        };
        let results = observations(input, out, group, Flavour::Default, &links);
        // 生理検査 results are procedure observations (FHIR observation-category).
        for (reference, _) in &results {
            if let Some(mut o) = out
                .resources()
                .iter()
                .find(|r| crate::v2_to_fhir::output::reference_of(r) == *reference)
                .cloned()
            {
                o["category"] = build_json!([{"coding": [{"system": OBSERVATION_CATEGORY, "code": "procedure", "display": "Procedure"}]}]);
                out.push(o);
            }
        }
        if let Some(obr_seg) = &group.obr {
            let mut report = obr::diagnostic_report(
                input,
                out,
                group.orc.as_ref(),
                obr_seg,
                &patient,
                Flavour::Default,
                &results,
                request.as_deref(),
            );
            if let Some(e) = &encounter {
                report["encounter"] = build_json!({ "reference": e });
            }
            let forms: Vec<Value> = documents
                .iter()
                .filter_map(|d| attachment(out, &d.obx))
                .collect();
            if !forms.is_empty() {
                report["presentedForm"] = Value::Array(forms);
            }
            out.push(report);
        }
    }
    Ok(())
}

/// An OBX of type ED (source^type^subtype^encoding^data) → an Attachment: ED-2/ED-3 → contentType
/// (`AP^PDF` → application/pdf, `IM^JPEG` → image/jpeg …), Base64 ED-5 → data, OBX-3 text → title, OBX-14 → creation.
fn attachment(out: &mut Output, obx: &Seg) -> Option<Value> {
    let ed = obx.rep(5)?;
    let kind = ed.text(2).unwrap_or_default().to_ascii_uppercase();
    let subtype = ed.text(3).unwrap_or_default().to_ascii_uppercase();
    let content_type = match (kind.as_str(), subtype.as_str()) {
        (_, "PDF") => "application/pdf",
        ("IM", "JPEG") | ("IM", "JPG") => "image/jpeg",
        ("IM", "PNG") => "image/png",
        ("IM", "TIFF") => "image/tiff",
        (_, "XML") => "application/xml",
        (_, "HTML") => "text/html",
        (_, "RTF") => "application/rtf",
        ("TEXT", _) | ("TX", _) => "text/plain",
        _ => "application/octet-stream",
    };
    if !ed.text(4).is_some_and(|e| e.eq_ignore_ascii_case("Base64")) {
        out.warn(
            obx.position(5),
            "OBX-5 ED data is not Base64 encoded (ED-4); not mapped.",
        );
        return None;
    }
    let data = ed.text(5)?;
    let mut a = build_json!({"contentType": content_type, "data": data});
    if let Some(title) = obx.component(3, 2).or_else(|| obx.component(3, 1)) {
        a["title"] = build_json!(title);
    }
    if let Some(t) = obx.text(14) {
        match date_time(&t) {
            Ok(t) => a["creation"] = build_json!(t),
            Err(why) => out.warn(obx.position(14), why),
        }
    }
    Some(a)
}

/// OBR-22 (results reported) as an instant, for `Observation.issued`.
fn issued(out: &mut Output, obr: &Seg) -> Option<String> {
    let text = obr.text(22)?;
    match date_time(&text) {
        Ok(t) if t.contains('T') => Some(t),
        Ok(_) => {
            out.warn(
                obr.position(22),
                "OBR-22 has no time of day; Observation.issued (an instant) is left empty.",
            );
            None
        }
        Err(why) => {
            out.warn(obr.position(22), why);
            None
        }
    }
}

/// ORU^R30: every OBX → JP_Observation_VitalSigns, ids keyed by the patient (a measurement sent again
/// in a later R30 is the same resource).
fn vital_signs(
    input: &Input,
    out: &mut Output,
    patient: &str,
    encounter: Option<&str>,
) -> Result<(), MapError> {
    let groups = order_groups(input);
    if groups.orders.iter().all(|g| g.results.is_empty()) {
        return Err(MapError::MissingSegment {
            segment: "OBX".into(),
        });
    }
    for group in &groups.orders {
        let links = Links {
            subject: patient,
            encounter,
            specimen: None,
            request: None,
            key: vec![input.patient_id.clone().unwrap_or_else(|| "-".into())],
            issued: group.obr.and_then(|obr| issued(out, &obr)),
            time_fallback: true,
        };
        observations(input, out, group, Flavour::Vital, &links);
    }
    Ok(())
}
