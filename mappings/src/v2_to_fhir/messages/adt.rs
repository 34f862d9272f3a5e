//! ADT-00 … ADT-52 (SS-MIX2 仕様書 1.2g 表1-1; JAMI ConceptMaps message-adt-00-to-bundle,
//! message-adt-22-to-bundle): the patient, and
//! - ADT-00 (A08 更新 / A23 削除): JP_Patient with NK1 → Patient.contact, AL1 → JP_AllergyIntolerance
//!   (`segments/al1.rs`), IN1 → JP_Coverage (`adt/in1.rs`), OBX 身長・体重・血液型 … →
//!   JP_Observation_Common (`adt/obx.rs`), a PV1 naming a visit → JP_Encounter.
//!   A23 (患者基本情報の削除) is mapped exactly like A08: the data type table marks it as a cancel, so
//!   `Mapped::cancel` is true and the gateway retires the patient's resources (`Mapped::transaction(true)`
//!   deletes what this mapping names) instead of storing them.
//! - every other ADT data type (担当医 A54/A55, 外来受付 A04, 入院予定 A14/A27, 入院 A01/A11, 外出泊
//!   A21/A52, 帰院 A22/A53, 転科・転棟 A15/A26, A02/A12, 退院 A16/A25, A03/A13): PV1 (required) / PV2 /
//!   EVN-6 → JP_Encounter with its doctors and locations (`segments/pv1.rs`; status by trigger event).

mod in1;
mod obx;

use crate::v2_to_fhir::input::Input;
use crate::v2_to_fhir::output::{MapError, Output};
use crate::v2_to_fhir::segments::al1::map_allergies;
use crate::v2_to_fhir::segments::pid::map_patient;
use crate::v2_to_fhir::segments::pv1::map_encounter;

pub fn map(input: &Input, out: &mut Output) -> Result<(), MapError> {
    let patient_record = input.data_type.data_type == "ADT-00";
    if !patient_record {
        let pv1 = input.require("PV1")?;
        map_patient(input, out)?;
        if map_encounter(input, out).is_none() {
            out.warn(
                pv1.position(0),
                "This ADT event needs a visit (PV1-2 O, I or E); no Encounter was mapped.",
            );
        }
        return Ok(());
    }
    let patient = map_patient(input, out)?;
    map_allergies(input, out, &patient);
    in1::map_coverages(input, out, &patient);
    obx::map_observations(input, out, &patient);
    map_encounter(input, out);
    Ok(())
}
