//! The online-consultation platform's native JSON formats (designed by Kakehashi; schemas in
//! mappings/schemas/): consultation records, care plans and consents.

pub mod care_plan;
pub mod common;
pub mod consent;
pub mod record;

pub use care_plan::{
    CareContent, CarePlan, Disease, EmergencyPolicy, FaceToFaceEvaluation, PlannedDoctor,
};
pub use common::{Doctor, Institution, Patient, Period};
pub use consent::{Consent, ConsentKind, RecordingTerms};
pub use record::{ConsultationRecord, Form};

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/consultation/ok");

    fn read<T: serde::de::DeserializeOwned + serde::Serialize>(
        name: &str,
    ) -> (T, serde_json::Value) {
        let text = std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        (serde_json::from_value(value.clone()).unwrap(), value)
    }

    #[test]
    fn the_examples_read_and_write_back_unchanged() {
        let (record, value): (ConsultationRecord, _) = read("record-dtop-first-visit.json");
        assert_eq!(record.form, Form::DtoP);
        assert_eq!(serde_json::to_value(&record).unwrap(), value);
        let (plan, value): (CarePlan, _) = read("care-plan-hypertension.json");
        assert_eq!(plan.doctors.len(), 2);
        assert_eq!(serde_json::to_value(&plan).unwrap(), value);
        for kind in ConsentKind::ALL {
            let (consent, value): (Consent, _) = read(&format!("consent-{}.json", kind.code()));
            assert_eq!(consent.kind, kind);
            assert_eq!(serde_json::to_value(&consent).unwrap(), value);
        }
    }

    #[test]
    fn unknown_members_are_refused() {
        let err = serde_json::from_str::<Patient>(r#"{"id":"1","nmae":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("nmae"), "{err}");
    }
}
