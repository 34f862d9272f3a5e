//! The names the consultation mappings share in both directions: Kakehashi's code and identifier
//! systems, the extension URLs (`http://kakehashi.invalid/fhir/StructureDefinition/<name>`), and the
//! FHIR and JP Core systems they use (issue #6; JP Core 1.1.1).

/// Where every Kakehashi extension lives.
pub const EXTENSION_BASE: &str = "http://kakehashi.invalid/fhir/StructureDefinition/";

/// Kakehashi's code systems: `urn:kakehashi:consultation:<list>` for each list of
/// `tables/consultation-codes.csv`.
pub fn code_system(list: &str) -> String {
    format!("urn:kakehashi:consultation:{list}")
}

/// The identifier system of the platform's record ids (Encounter.identifier, Composition.identifier).
pub const RECORD_ID_SYSTEM: &str = "urn:kakehashi:consultation:record-id";
/// The identifier system of the platform's care-plan ids.
pub const CARE_PLAN_ID_SYSTEM: &str = "urn:kakehashi:consultation:care-plan-id";
/// The identifier system of the platform's consent ids.
pub const CONSENT_ID_SYSTEM: &str = "urn:kakehashi:consultation:consent-id";

/// Kakehashi extensions outside the item table (tables/consultation-items.csv).
pub const REGISTRATION_YEAR: &str = "practitioner-registration-year";
pub const CARE_PLAN_OF_ENCOUNTER: &str = "consultation-care-plan";
pub const QUESTIONNAIRE_TITLE: &str = "questionnaire-title";
pub const VITAL_MEASURED_BY: &str = "vital-measured-by";
pub const PLANNED_DOCTOR_WHEN: &str = "care-plan-doctor-when";

/// The full URL of the Kakehashi extension `name`.
pub fn extension_url(name: &str) -> String {
    format!("{EXTENSION_BASE}{name}")
}

/// The extension name of a top-level native member: `record` + `firstVisit` → `record-first-visit`.
pub fn member_extension(document: &str, member: &str) -> String {
    format!("{document}-{}", kebab(member))
}

/// `firstVisit` → `first-visit`.
pub fn kebab(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub const V3_ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
pub const V3_PARTICIPATION_TYPE: &str =
    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
pub const CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
pub const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
pub const NAME_REPRESENTATION: &str =
    "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";
/// JP Core's 医療機関コード system (JP_Organization.identifier:medicalInstitutionCode).
pub const MEDICAL_INSTITUTION_CODE: &str =
    "http://jpfhir.jp/fhir/core/IdSystem/insurance-medical-institution-no";
/// JP_PractitionerRole, which `v2_to_fhir::profiles` does not list (the HL7 v2 mappings make none).
pub const JP_PRACTITIONER_ROLE: &str =
    "http://jpfhir.jp/fhir/core/StructureDefinition/JP_PractitionerRole";

/// The document types (list `document-type`).
pub const RECORD_DOCUMENT: &str = "online-consultation-record";
pub const CARE_PLAN_DOCUMENT: &str = "online-consultation-plan";

/// What a consent policy rule names: the guideline the consents of the platform follow.
pub const CONSENT_POLICY: &str = "オンライン診療の適切な実施に関する指針";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_become_kebab_case_extension_names() {
        assert_eq!(
            member_extension("record", "firstVisit"),
            "record-first-visit"
        );
        assert_eq!(kebab("careContent"), "care-content");
        assert_eq!(kebab("recording"), "recording");
        assert_eq!(
            extension_url(REGISTRATION_YEAR),
            "http://kakehashi.invalid/fhir/StructureDefinition/practitioner-registration-year"
        );
    }
}
