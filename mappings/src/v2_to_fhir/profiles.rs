//! The JP Core 1.1.x profile each mapped resource claims (`meta.profile`), jp-standards.md §1.2. JP Core
//! 1.1.1 has no ServiceRequest, Specimen, MessageHeader, Provenance or NutritionOrder profile: those claim none.

const BASE: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/";

/// The JP Core profile URL for a resource type, when JP Core has one; `lab` picks
/// JP_Observation_LabResult / JP_DiagnosticReport_LabResult, `vital` JP_Observation_VitalSigns.
pub fn profile_for(resource_type: &str, flavour: Flavour) -> Option<String> {
    let name = match (resource_type, flavour) {
        ("Patient", _) => "JP_Patient",
        ("Encounter", _) => "JP_Encounter",
        ("AllergyIntolerance", _) => "JP_AllergyIntolerance",
        ("Condition", _) => "JP_Condition",
        ("Coverage", _) => "JP_Coverage",
        ("Practitioner", _) => "JP_Practitioner",
        ("Organization", _) => "JP_Organization",
        ("Location", _) => "JP_Location",
        ("MedicationRequest", Flavour::Injection) => "JP_MedicationRequest_Injection",
        ("MedicationRequest", _) => "JP_MedicationRequest",
        ("MedicationDispense", Flavour::Injection) => "JP_MedicationDispense_Injection",
        ("MedicationDispense", _) => "JP_MedicationDispense",
        ("MedicationAdministration", Flavour::Injection) => "JP_MedicationAdministration_Injection",
        ("MedicationAdministration", _) => "JP_MedicationAdministration",
        ("Observation", Flavour::Lab) => "JP_Observation_LabResult",
        ("Observation", Flavour::Vital) => "JP_Observation_VitalSigns",
        ("Observation", _) => "JP_Observation_Common",
        ("DiagnosticReport", Flavour::Lab) => "JP_DiagnosticReport_LabResult",
        ("DiagnosticReport", Flavour::Radiology) => "JP_DiagnosticReport_Radiology",
        ("DiagnosticReport", _) => "JP_DiagnosticReport_Common",
        ("ImagingStudy", Flavour::Radiology) => "JP_ImagingStudy_Radiology",
        ("Procedure", _) => "JP_Procedure",
        _ => return None,
    };
    Some(format!("{BASE}{name}"))
}

/// Which of a type's JP Core profiles applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Default,
    Injection,
    Lab,
    Vital,
    Radiology,
}

/// `{"profile": [url]}` for `meta`, or `None`.
pub fn meta(resource_type: &str, flavour: Flavour) -> Option<serde_json::Value> {
    profile_for(resource_type, flavour).map(|url| crate::build_json!({ "profile": [url] }))
}
