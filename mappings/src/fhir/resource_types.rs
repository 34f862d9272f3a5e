//! The resource types the gateway stores, and the rules for logical ids.

/// Resource types the FHIR REST store supports (issue #2); the CapabilityStatement lists exactly these.
pub const SUPPORTED_RESOURCE_TYPES: &[&str] = &[
    "AllergyIntolerance",
    "AuditEvent",
    "Bundle",
    "CarePlan",
    "CareTeam",
    "Composition",
    "Condition",
    "Consent",
    "Coverage",
    "DetectedIssue",
    "DiagnosticReport",
    "DocumentReference",
    "Encounter",
    "ImagingStudy",
    "Location",
    "Medication",
    "MedicationAdministration",
    "MedicationDispense",
    "MedicationRequest",
    "MessageHeader",
    "NutritionOrder",
    "Observation",
    "Organization",
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Procedure",
    "Provenance",
    "QuestionnaireResponse",
    "ServiceRequest",
    "Specimen",
];

/// The R4 conformance resource types (definitions, not instance data); in a FHIR package every other
/// resource is an example.
pub const CONFORMANCE_RESOURCE_TYPES: &[&str] = &[
    "CapabilityStatement",
    "CodeSystem",
    "CompartmentDefinition",
    "ConceptMap",
    "ExampleScenario",
    "GraphDefinition",
    "ImplementationGuide",
    "MessageDefinition",
    "NamingSystem",
    "OperationDefinition",
    "SearchParameter",
    "StructureDefinition",
    "StructureMap",
    "TerminologyCapabilities",
    "ValueSet",
];

/// True for a resource type the store supports.
pub fn is_known_resource_type(name: &str) -> bool {
    SUPPORTED_RESOURCE_TYPES.binary_search(&name).is_ok()
}

/// FHIR's `id` rule: 1–64 characters from `A-Z a-z 0-9 - .`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        let mut sorted = SUPPORTED_RESOURCE_TYPES.to_vec();
        sorted.sort();
        assert_eq!(sorted, SUPPORTED_RESOURCE_TYPES);
        assert!(is_known_resource_type("Patient"));
        assert!(!is_known_resource_type("Patien"));
    }

    #[test]
    fn ids_follow_the_fhir_rule() {
        assert!(is_valid_id("example-1.a"));
        assert!(!is_valid_id("a/b"));
        assert!(!is_valid_id(&"x".repeat(65)));
    }
}
