//! OML-01 (OML^O33 検体検査オーダ) → Specimen (SPM, `segments/spm.rs`) and one ServiceRequest per
//! ORC/OBR (`segments/request.rs`) pointing at it; the OBX of an order (身長・体重 for eGFR and the
//! like) → Observations in `supportingInfo`. Structure (HL7 v2.5 OML_O33, as in SS-MIX2):
//! MSH PID PV1? { SPM OBX* { ORC TQ1* OBR NTE* DG1* { OBX NTE* } } }. No JAMI ConceptMap covers
//! OML-01; the field mappings are those of OML-11 and the HL7 v2-to-FHIR IG.

use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::segments::groups::order_groups;
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::pv1::map_encounter;
use crate::v2_to_fhir::segments::request::order_request;
use crate::v2_to_fhir::segments::spm;

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    let encounter = map_encounter(input, out);
    let groups = order_groups(input);
    let mut specimens = Vec::new();
    for s in &groups.specimens {
        specimens.push((s.index(), spm::specimen(input, out, s, &patient)));
    }
    if groups.orders.is_empty() {
        return Err(MapError::MissingSegment {
            segment: "ORC".into(),
        });
    }
    for group in &groups.orders {
        let specimen = group.spm.and_then(|s| {
            specimens
                .iter()
                .find(|(i, _)| *i == s.index())
                .map(|(_, r)| r.clone())
        });
        order_request(
            input,
            out,
            group,
            &patient,
            encounter.as_deref(),
            specimen.as_deref(),
            true,
        );
    }
    Ok(())
}
