//! ADT-61 (ADT^A60 allergies, IAM → AllergyIntolerance).

use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::segments::pid::map_patient;

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    // To be written (issue #5): the patient only, every other segment reported as not mapped.
    map_patient(input, out)?;
    Ok(())
}
