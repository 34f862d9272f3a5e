//! OMG-01/02/03 (OMG^O19 放射線 / 内視鏡 / 生理検査オーダ) → one ServiceRequest per ORC/OBR
//! (`segments/request.rs`): category by the data type (Imaging / Diagnostic procedure), OBR-4 →
//! code (a JJ1017 code for radiology, the sender's exam code otherwise), OBX of the order (身長, 体重,
//! 妊娠 …) → Observations in `supportingInfo`. Structure (HL7 v2.5 OMG_O19 as SS-MIX2 uses it):
//! MSH PID PV1? { ORC TQ1+ OBR NTE* DG1* { OBX NTE* } }. No JAMI ConceptMap covers OMG-0x; the field
//! mappings follow OML-11 and the HL7 v2-to-FHIR IG.

use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::segments::groups::order_groups;
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::pv1::map_encounter;
use crate::v2_to_fhir::segments::request::order_request;

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient = map_patient(input, out)?;
    let encounter = map_encounter(input, out);
    let groups = order_groups(input);
    if groups.orders.is_empty() {
        return Err(MapError::MissingSegment {
            segment: "ORC".into(),
        });
    }
    for group in &groups.orders {
        order_request(
            input,
            out,
            group,
            &patient,
            encounter.as_deref(),
            None,
            true,
        );
    }
    Ok(())
}
