//! OMG-11/12 (OMI^Z23 imaging and endoscopy done → ImagingStudy / Procedure).

use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::segments::pid::map_patient;

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    // To be written (issue #5): the patient only, every other segment reported as not mapped.
    map_patient(input, out)?;
    Ok(())
}
