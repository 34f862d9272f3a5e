//! FHIR R4 type knowledge used without a model: choice-type suffixes, resource types, and `is`/`as`.

use serde_json::Value;

use super::ast::TypeSpec;
use super::temporal::Temporal;
use super::value::{Item, Node};
use super::Env;

/// Choice-element suffixes of the R4 data types and the type each stands for (primitives
/// lower-camel), sorted by suffix.
const CHOICE_SUFFIXES: &[(&str, &str)] = &[
    ("Address", "Address"),
    ("Age", "Age"),
    ("Annotation", "Annotation"),
    ("Attachment", "Attachment"),
    ("Base64Binary", "base64Binary"),
    ("Boolean", "boolean"),
    ("Canonical", "canonical"),
    ("Code", "code"),
    ("CodeableConcept", "CodeableConcept"),
    ("Coding", "Coding"),
    ("ContactDetail", "ContactDetail"),
    ("ContactPoint", "ContactPoint"),
    ("Contributor", "Contributor"),
    ("Count", "Count"),
    ("DataRequirement", "DataRequirement"),
    ("Date", "date"),
    ("DateTime", "dateTime"),
    ("Decimal", "decimal"),
    ("Distance", "Distance"),
    ("Dosage", "Dosage"),
    ("Duration", "Duration"),
    ("Expression", "Expression"),
    ("HumanName", "HumanName"),
    ("Id", "id"),
    ("Identifier", "Identifier"),
    ("Instant", "instant"),
    ("Integer", "integer"),
    ("Markdown", "markdown"),
    ("Meta", "Meta"),
    ("Money", "Money"),
    ("Oid", "oid"),
    ("ParameterDefinition", "ParameterDefinition"),
    ("Period", "Period"),
    ("PositiveInt", "positiveInt"),
    ("Quantity", "Quantity"),
    ("Range", "Range"),
    ("Ratio", "Ratio"),
    ("Reference", "Reference"),
    ("RelatedArtifact", "RelatedArtifact"),
    ("SampledData", "SampledData"),
    ("Signature", "Signature"),
    ("String", "string"),
    ("Time", "time"),
    ("Timing", "Timing"),
    ("TriggerDefinition", "TriggerDefinition"),
    ("UnsignedInt", "unsignedInt"),
    ("Uri", "uri"),
    ("Url", "url"),
    ("UsageContext", "UsageContext"),
    ("Uuid", "uuid"),
];

/// The type a choice-element suffix stands for (`"DateTime"` → `"dateTime"`), if it is an R4 data type.
pub fn choice_suffix_type(suffix: &str) -> Option<&'static str> {
    CHOICE_SUFFIXES
        .binary_search_by(|(s, _)| s.cmp(&suffix))
        .ok()
        .map(|i| CHOICE_SUFFIXES[i].1)
}

/// The R4 resource types, sorted.
const RESOURCE_TYPES: &[&str] = &[
    "Account",
    "ActivityDefinition",
    "AdverseEvent",
    "AllergyIntolerance",
    "Appointment",
    "AppointmentResponse",
    "AuditEvent",
    "Basic",
    "Binary",
    "BiologicallyDerivedProduct",
    "BodyStructure",
    "Bundle",
    "CapabilityStatement",
    "CarePlan",
    "CareTeam",
    "CatalogEntry",
    "ChargeItem",
    "ChargeItemDefinition",
    "Claim",
    "ClaimResponse",
    "ClinicalImpression",
    "CodeSystem",
    "Communication",
    "CommunicationRequest",
    "CompartmentDefinition",
    "Composition",
    "ConceptMap",
    "Condition",
    "Consent",
    "Contract",
    "Coverage",
    "CoverageEligibilityRequest",
    "CoverageEligibilityResponse",
    "DetectedIssue",
    "Device",
    "DeviceDefinition",
    "DeviceMetric",
    "DeviceRequest",
    "DeviceUseStatement",
    "DiagnosticReport",
    "DocumentManifest",
    "DocumentReference",
    "EffectEvidenceSynthesis",
    "Encounter",
    "Endpoint",
    "EnrollmentRequest",
    "EnrollmentResponse",
    "EpisodeOfCare",
    "EventDefinition",
    "Evidence",
    "EvidenceVariable",
    "ExampleScenario",
    "ExplanationOfBenefit",
    "FamilyMemberHistory",
    "Flag",
    "Goal",
    "GraphDefinition",
    "Group",
    "GuidanceResponse",
    "HealthcareService",
    "ImagingStudy",
    "Immunization",
    "ImmunizationEvaluation",
    "ImmunizationRecommendation",
    "ImplementationGuide",
    "InsurancePlan",
    "Invoice",
    "Library",
    "Linkage",
    "List",
    "Location",
    "Measure",
    "MeasureReport",
    "Media",
    "Medication",
    "MedicationAdministration",
    "MedicationDispense",
    "MedicationKnowledge",
    "MedicationRequest",
    "MedicationStatement",
    "MedicinalProduct",
    "MedicinalProductAuthorization",
    "MedicinalProductContraindication",
    "MedicinalProductIndication",
    "MedicinalProductIngredient",
    "MedicinalProductInteraction",
    "MedicinalProductManufactured",
    "MedicinalProductPackaged",
    "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect",
    "MessageDefinition",
    "MessageHeader",
    "MolecularSequence",
    "NamingSystem",
    "NutritionOrder",
    "Observation",
    "ObservationDefinition",
    "OperationDefinition",
    "OperationOutcome",
    "Organization",
    "OrganizationAffiliation",
    "Parameters",
    "Patient",
    "PaymentNotice",
    "PaymentReconciliation",
    "Person",
    "PlanDefinition",
    "Practitioner",
    "PractitionerRole",
    "Procedure",
    "Provenance",
    "Questionnaire",
    "QuestionnaireResponse",
    "RelatedPerson",
    "RequestGroup",
    "ResearchDefinition",
    "ResearchElementDefinition",
    "ResearchStudy",
    "ResearchSubject",
    "RiskAssessment",
    "RiskEvidenceSynthesis",
    "Schedule",
    "SearchParameter",
    "ServiceRequest",
    "Slot",
    "Specimen",
    "SpecimenDefinition",
    "StructureDefinition",
    "StructureMap",
    "Subscription",
    "Substance",
    "SubstanceNucleicAcid",
    "SubstancePolymer",
    "SubstanceProtein",
    "SubstanceReferenceInformation",
    "SubstanceSourceMaterial",
    "SubstanceSpecification",
    "SupplyDelivery",
    "SupplyRequest",
    "Task",
    "TerminologyCapabilities",
    "TestReport",
    "TestScript",
    "ValueSet",
    "VerificationResult",
    "VisionPrescription",
];

/// True for an R4 resource type name.
pub fn is_resource_type(name: &str) -> bool {
    RESOURCE_TYPES.binary_search(&name).is_ok()
}

/// FHIR primitive types whose JSON form is a string.
const STRING_PRIMITIVES: &[&str] = &[
    "base64Binary",
    "canonical",
    "code",
    "date",
    "dateTime",
    "id",
    "instant",
    "markdown",
    "oid",
    "string",
    "time",
    "uri",
    "url",
    "uuid",
    "xhtml",
];

/// The built-in subtype rules used without a model: resources are Resources (and DomainResources except
/// Bundle, Binary and Parameters), the Quantity profiles are Quantities. FHIR primitives are exact:
/// a `code` is not a `string` for `is` (it still compares as a string).
pub fn builtin_is_a(type_name: &str, ancestor: &str) -> bool {
    type_name == ancestor
        || match ancestor {
            "Resource" => is_resource_type(type_name),
            "DomainResource" => {
                is_resource_type(type_name)
                    && !matches!(type_name, "Bundle" | "Binary" | "Parameters")
            }
            "Quantity" => matches!(
                type_name,
                "Age" | "Count" | "Distance" | "Duration" | "MoneyQuantity" | "SimpleQuantity"
            ),
            _ => false,
        }
}

fn is_a(env: &Env<'_>, type_name: &str, ancestor: &str) -> bool {
    match env.model {
        Some(model) => model.is_a(type_name, ancestor),
        None => builtin_is_a(type_name, ancestor),
    }
}

/// Whether `item` is of the type `spec` (FHIRPath `is`). System types match system values and the
/// FHIR primitives they map to; FHIR types match the node's type (subtypes through the model or the
/// built-in rules). A JSON primitive of unknown FHIR type matches every FHIR primitive its JSON form
/// could be (documented leniency: exact answers need a model).
pub fn item_is(env: &Env<'_>, item: &Item<'_>, spec: &TypeSpec) -> bool {
    let name = spec.name.as_str();
    let system = spec.namespace.as_deref() == Some("System");
    let fhir = spec.namespace.as_deref() == Some("FHIR");
    match item {
        Item::Node(n) => {
            if !fhir && system_matches_node(n, name) {
                return true;
            }
            !system && node_is(env, n, name)
        }
        _ if fhir => false,
        Item::Boolean(_) => name == "Boolean",
        Item::String(_) => name == "String",
        Item::Integer(_) => name == "Integer",
        Item::Decimal(_) => name == "Decimal",
        Item::Date(_) => name == "Date",
        Item::DateTime(_) => name == "DateTime",
        Item::Time(_) => name == "Time",
        Item::Quantity { .. } => name == "Quantity",
    }
}

/// System type names matched by FHIR primitive nodes (System.Boolean ← boolean, …).
fn system_matches_node(n: &Node<'_>, name: &str) -> bool {
    let prims: &[&str] = match name {
        "Boolean" => &["boolean"],
        "String" => &[
            "string",
            "code",
            "id",
            "markdown",
            "uri",
            "url",
            "canonical",
            "oid",
            "uuid",
            "base64Binary",
        ],
        "Integer" => &["integer", "positiveInt", "unsignedInt"],
        "Decimal" => &["decimal"],
        "Date" => &["date"],
        "DateTime" => &["dateTime", "instant"],
        "Time" => &["time"],
        _ => return false,
    };
    match n.type_name {
        Some(t) => prims.contains(&t),
        None => prims.iter().any(|p| json_could_be(n, p)),
    }
}

fn node_is(env: &Env<'_>, n: &Node<'_>, name: &str) -> bool {
    match n.type_name {
        Some(t) => is_a(env, t, name),
        None => json_could_be(n, name),
    }
}

/// Whether a node of unknown FHIR type could be of the primitive type `name`, judging by its JSON.
fn json_could_be(n: &Node<'_>, name: &str) -> bool {
    match n.value {
        Some(Value::String(s)) => match name {
            "date" => Temporal::parse_date(s).is_some(),
            "dateTime" | "instant" => Temporal::parse_date_or_date_time(s).is_some(),
            "time" => Temporal::parse_time(s).is_some(),
            _ => STRING_PRIMITIVES.contains(&name),
        },
        Some(Value::Bool(_)) => name == "boolean",
        Some(Value::Number(num)) => match name {
            "decimal" => true,
            "integer" | "unsignedInt" | "positiveInt" => num.as_i64().is_some(),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(CHOICE_SUFFIXES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(RESOURCE_TYPES.windows(2).all(|w| w[0] < w[1]));
        assert!(CHOICE_SUFFIXES
            .iter()
            .all(|(s, t)| choice_suffix_type(s) == Some(*t)));
        assert!(RESOURCE_TYPES.iter().all(|r| is_resource_type(r)));
        assert_eq!(RESOURCE_TYPES.len(), 146);
        assert_eq!(choice_suffix_type("Set"), None);
    }
}
