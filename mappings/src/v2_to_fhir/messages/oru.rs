//! ORU^R01 (OMG-13 生理検査結果通知) → the ServiceRequest of the order (`segments/request.rs`),
//! JP_Observation_Common per OBX (category `procedure`) and a JP_DiagnosticReport_Common per OBR
//! (`segments/obr.rs`); ORU^R30 (vital signs in SS-MIX2 extended storage,
//! `L-OBSERVATIONS^OBSERVATIONS^99ZL01`, NHO convention) → JP_Observation_VitalSigns per OBX (category
//! `vital-signs`, the JLAC10 code with the LOINC vital-sign code beside it when the table knows it,
//! `segments/obx.rs`). An R30 is a point-of-care record, not an order: its ORC/OBR give only the
//! fallback time (OBR-7) and `issued` (OBR-22); their other fields are reported as not mapped. Structures (HL7 v2.5):
//! ORU_R01 { ORC? OBR NTE* TQ1* { OBX NTE* } }, ORU_R30 ORC OBR NTE* TQ1* { OBX NTE* }.

use serde_json::json;

use crate::v2_to_fhir::datatypes::date_time;
use crate::v2_to_fhir::input::{Input, Seg};
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::profiles::Flavour;
use crate::v2_to_fhir::segments::groups::order_groups;
use crate::v2_to_fhir::segments::obr;
use crate::v2_to_fhir::segments::orc::order_key;
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::request::order_request;
use crate::v2_to_fhir::segments::results::{observations, Links};

const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    if input.data_type.trigger == "R30" {
        return vital_signs(input, out, &patient);
    }
    let groups = order_groups(input);
    if groups.orders.is_empty() {
        return Err(MapError::MissingSegment {
            segment: "OBR".into(),
        });
    }
    for group in &groups.orders {
        let request = order_request(input, out, group, &patient, None, false);
        let links = Links {
            subject: &patient,
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
                o["category"] = json!([{"coding": [{"system": OBSERVATION_CATEGORY, "code": "procedure", "display": "Procedure"}]}]);
                out.push(o);
            }
        }
        if let Some(obr_seg) = &group.obr {
            let report = obr::diagnostic_report(
                input,
                out,
                group.orc.as_ref(),
                obr_seg,
                &patient,
                Flavour::Default,
                &results,
                request.as_deref(),
            );
            out.push(report);
        }
    }
    Ok(())
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
fn vital_signs(input: &Input, out: &mut Output, patient: &str) -> Result<(), MapError> {
    let groups = order_groups(input);
    if groups.orders.iter().all(|g| g.results.is_empty()) {
        return Err(MapError::MissingSegment {
            segment: "OBX".into(),
        });
    }
    for group in &groups.orders {
        let links = Links {
            subject: patient,
            specimen: None,
            request: None,
            key: vec![input.patient_id.clone().unwrap_or_else(|| "-".into())],
            issued: group.obr.and_then(|obr| issued(out, &obr)),
        };
        observations(input, out, group, Flavour::Vital, &links);
    }
    Ok(())
}
