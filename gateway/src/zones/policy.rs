//! The zone policy (design.md §2, seed rules S2/S7/ID5): declarative rules saying which client identity
//! (an HPKI role, a named service certificate, the hospital network) may do which FHIR operation on which
//! resource kinds in which zone. Anything no rule allows is refused (403 with an OperationOutcome).

use serde::{Deserialize, Serialize};

use super::identity::Identity;
use crate::pipeline::consultation::Document;

/// The zones a rule can name.
pub const ZONES: [&str; 2] = ["consultation", "hospital"];

/// The operations a rule can name (FHIR RESTful interactions, `hl7v2` for `POST /hl7v2`, the
/// consultation API's `submit` (a native document), `fetch` (a document submitted through the zone) and
/// `summary` (the first-visit named query), the e-prescription hub's `prescribe` (a signed prescription
/// in), `retrieve` (a pharmacy's look-up by exchange number) and `dispense` (its result back), plus `*`).
pub const OPERATIONS: [&str; 19] = [
    "capabilities",
    "create",
    "read",
    "vread",
    "update",
    "delete",
    "search",
    "history",
    "transaction",
    "batch",
    "operation",
    "hl7v2",
    "submit",
    "fetch",
    "summary",
    "prescribe",
    "retrieve",
    "dispense",
    "*",
];

/// The document kinds of the consultation API (`/consultation/...`), as a rule's `resources` name them.
pub const DOCUMENTS: [&str; 3] = ["ConsultationRecord", "CarePlan", "Consent"];

/// What the e-prescription hub's operations act on, as a rule's `resources` names it.
pub const PRESCRIPTION: &str = "Prescription";

/// Operations that read stored data: never granted to the consultation zone, which may read hospital
/// data only through named queries (a later release).
const READS: [&str; 4] = ["read", "vread", "search", "history"];

/// One rule: `who` may do `operations` on `resources` in `zone`.
///
/// `who` entries: `role:<hcRole>` (an HPKI certificate carrying that hcRole, e.g. `role:Medical Doctor`),
/// `service:<name>` (a pinned service certificate; `service:*` any of them), `network` (a peer of the
/// hospital zone's plain listener) or `*` (any authenticated identity of the zone).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PolicyRule {
    pub zone: String,
    pub who: Vec<String>,
    pub operations: Vec<String>,
    /// Resource types, or `*`.
    pub resources: Vec<String>,
}

/// The rules in force when the configuration names none.
pub fn default_rules() -> Vec<PolicyRule> {
    let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        PolicyRule {
            zone: "hospital".into(),
            who: strings(&["network"]),
            operations: strings(&["*"]),
            resources: strings(&["*"]),
        },
        PolicyRule {
            zone: "consultation".into(),
            who: strings(&["role:Medical Doctor", "role:Dentist", "service:*"]),
            operations: strings(&["capabilities", "create", "transaction"]),
            // What a consultation document is made of (issue #6), sent as FHIR; Patient as the
            // conditional create that finds the hospital's patient.
            resources: strings(&[
                "AllergyIntolerance",
                "CarePlan",
                "CareTeam",
                "Composition",
                "Condition",
                "Consent",
                "DetectedIssue",
                "DocumentReference",
                "Encounter",
                "Medication",
                "MedicationRequest",
                "Observation",
                "Organization",
                "Patient",
                "Practitioner",
                "PractitionerRole",
                "Provenance",
                "QuestionnaireResponse",
            ]),
        },
        PolicyRule {
            zone: "consultation".into(),
            who: strings(&["role:Medical Doctor", "role:Dentist"]),
            operations: strings(&["submit", "fetch", "summary"]),
            resources: strings(&["ConsultationRecord", "CarePlan", "Consent", "Patient"]),
        },
        // Issue #7: doctors (or the platform relaying their signed prescriptions) prescribe; pharmacies
        // retrieve by exchange number and post the dispensing result.
        PolicyRule {
            zone: "consultation".into(),
            who: strings(&["role:Medical Doctor", "role:Dentist", "service:*"]),
            operations: strings(&["prescribe"]),
            resources: strings(&[PRESCRIPTION]),
        },
        PolicyRule {
            zone: "consultation".into(),
            who: strings(&["role:Pharmacist"]),
            operations: strings(&["retrieve", "dispense"]),
            resources: strings(&[PRESCRIPTION]),
        },
    ]
}

/// Refuses rules that name unknown zones or operations, and reads in the consultation zone.
pub fn check_rules(rules: &[PolicyRule]) -> Result<(), String> {
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("policy[{i}]");
        if !ZONES.contains(&rule.zone.as_str()) {
            return Err(format!(
                "{at}.zone must be one of {ZONES:?}; got {:?}",
                rule.zone
            ));
        }
        if rule.who.is_empty() || rule.operations.is_empty() || rule.resources.is_empty() {
            return Err(format!(
                "{at}: who, operations and resources must not be empty"
            ));
        }
        for who in &rule.who {
            let ok = who == "*"
                || who == "network"
                || who.strip_prefix("role:").is_some_and(|r| !r.is_empty())
                || who.strip_prefix("service:").is_some_and(|s| !s.is_empty());
            if !ok {
                return Err(format!(
                    "{at}.who: {who:?} is not role:NAME, service:NAME, network or *"
                ));
            }
        }
        for op in &rule.operations {
            if !OPERATIONS.contains(&op.as_str()) {
                return Err(format!("{at}.operations: unknown operation {op:?}"));
            }
            if rule.zone == "consultation" && (op == "*" || READS.contains(&op.as_str())) {
                return Err(format!(
                    "{at}: the consultation zone cannot be granted {op:?}; it never reads hospital data directly"
                ));
            }
        }
    }
    Ok(())
}

/// The rules of one zone, ready to be asked.
#[derive(Debug, Clone)]
pub struct Policy {
    zone: &'static str,
    rules: Vec<PolicyRule>,
}

impl Policy {
    /// The rules for `zone` from the configured ones (or the defaults when none are configured).
    pub fn for_zone(zone: &'static str, configured: &[PolicyRule]) -> Policy {
        let all = if configured.is_empty() {
            default_rules()
        } else {
            configured.to_vec()
        };
        Policy {
            zone,
            rules: all.into_iter().filter(|r| r.zone == zone).collect(),
        }
    }

    pub fn zone(&self) -> &'static str {
        self.zone
    }

    /// True when some rule lets `who` do `operation` on `resource_type` (None: no resource type, as for
    /// `capabilities` or a whole transaction).
    pub fn allows(&self, who: &Identity, operation: &str, resource_type: Option<&str>) -> bool {
        self.permits(Some(who), operation, resource_type)
    }

    /// True when some rule lets some identity do `operation` on `resource_type` (what the zone's
    /// CapabilityStatement lists).
    pub fn grants(&self, operation: &str, resource_type: Option<&str>) -> bool {
        self.permits(None, operation, resource_type)
    }

    /// `who` None: any identity.
    fn permits(
        &self,
        who: Option<&Identity>,
        operation: &str,
        resource_type: Option<&str>,
    ) -> bool {
        if self.zone == "consultation" && READS.contains(&operation) {
            return false;
        }
        self.rules.iter().any(|rule| {
            who.is_none_or(|who| rule.who.iter().any(|w| matches_who(w, who)))
                && rule.operations.iter().any(|o| o == "*" || o == operation)
                && resource_type.is_none_or(|t| rule.resources.iter().any(|r| r == "*" || r == t))
        })
    }
}

fn matches_who(entry: &str, who: &Identity) -> bool {
    match who {
        Identity::Unidentified => false,
        Identity::Network => entry == "network" || entry == "*",
        Identity::Service { name, .. } => {
            entry == "*"
                || entry == "service:*"
                || entry.strip_prefix("service:") == Some(name.as_str())
        }
        Identity::Person { roles, .. } => {
            entry == "*"
                || entry
                    .strip_prefix("role:")
                    .is_some_and(|role| roles.iter().any(|r| r == role))
        }
    }
}

/// The FHIR interaction of a request under `/fhir`, and its resource type when the path names one.
pub fn classify(method: &axum::http::Method, path: &str) -> (&'static str, Option<String>) {
    use axum::http::Method;
    if path == "/hl7v2" {
        // An HL7 v2 message posted to the hospital zone (channels/hl7v2_http.rs).
        return ("hl7v2", None);
    }
    if let Some(rest) = path.strip_prefix("/consultation/") {
        return classify_consultation(method, rest);
    }
    if let Some(rest) = path.strip_prefix("/eprescriptions") {
        return classify_eprescription(method, rest);
    }
    let rest = path.strip_prefix("/fhir").unwrap_or(path);
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let typ = parts.first().map(|t| t.to_string());
    let op = match (method, parts.as_slice()) {
        (&Method::GET, ["metadata"]) => return ("capabilities", None),
        (&Method::POST, []) => return ("transaction", None),
        (&Method::POST, [op]) if op.starts_with('$') => return ("operation", None),
        (&Method::GET, [_]) | (&Method::POST, [_, "_search"]) => "search",
        (&Method::POST, [_]) => "create",
        (&Method::GET, [_, "_history"]) => "history",
        (&Method::GET, [t, _]) if t.starts_with('$') => "operation",
        (&Method::GET, [_, _]) => "read",
        (&Method::PUT, [_, _]) => "update",
        (&Method::DELETE, [_, _]) => "delete",
        (&Method::GET, [_, _, "_history"]) => "history",
        (&Method::GET, [_, _, "_history", _]) => "vread",
        (_, [_, op, ..]) if op.starts_with('$') => "operation",
        _ => "unknown",
    };
    (op, typ)
}

/// The consultation API (channels/consultation_api): `POST /consultation/{records|care-plans|consents}`,
/// `GET` of one by id, `GET /consultation/patients/{id}/summary`.
fn classify_consultation(
    method: &axum::http::Method,
    rest: &str,
) -> (&'static str, Option<String>) {
    use axum::http::Method;
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let document =
        |segment: &str| Document::from_segment(segment).map(|d| d.policy_name().to_string());
    match (method, parts.as_slice()) {
        (&Method::GET, ["patients", _, "summary"]) => ("summary", Some("Patient".into())),
        (&Method::POST, [kind]) if document(kind).is_some() => ("submit", document(kind)),
        (&Method::GET, [kind, _]) if document(kind).is_some() => ("fetch", document(kind)),
        _ => ("unknown", None),
    }
}

/// The e-prescription hub (channels/eprescription_api): `POST /eprescriptions`, `GET /eprescriptions?…`,
/// `POST /eprescriptions/{exchange-number}/dispensing`.
fn classify_eprescription(
    method: &axum::http::Method,
    rest: &str,
) -> (&'static str, Option<String>) {
    use axum::http::Method;
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let op = match (method, parts.as_slice()) {
        (&Method::POST, []) => "prescribe",
        (&Method::GET, []) => "retrieve",
        (&Method::POST, [_, "dispensing"]) => "dispense",
        _ => return ("unknown", None),
    };
    (op, Some(PRESCRIPTION.into()))
}

/// The operation of one transaction/batch entry from its `request.method` and `request.url`.
pub fn classify_entry(method: &str, url: &str) -> (&'static str, Option<String>) {
    let path = url.split('?').next().unwrap_or(url);
    let path = format!("/fhir/{}", path.trim_start_matches('/'));
    match axum::http::Method::from_bytes(method.as_bytes()) {
        Ok(m) => classify(&m, &path),
        Err(_) => ("unknown", None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    fn doctor(role: &str) -> Identity {
        Identity::Person {
            subject: "CN=Test".into(),
            serial: "01".into(),
            issuer: "CN=CA".into(),
            roles: vec![role.into()],
            names: vec!["Test".into()],
        }
    }

    #[test]
    fn defaults_let_doctors_create_consents_but_not_read_or_touch_other_kinds() {
        let p = Policy::for_zone("consultation", &[]);
        assert!(p.allows(&doctor("Medical Doctor"), "create", Some("Consent")));
        assert!(p.allows(&doctor("Dentist"), "create", Some("CarePlan")));
        assert!(!p.allows(&doctor("Pharmacist"), "create", Some("Consent")));
        assert!(!p.allows(&doctor("Medical Doctor"), "read", Some("Patient")));
        assert!(!p.allows(&doctor("Medical Doctor"), "update", Some("Patient")));
        assert!(!p.allows(&doctor("Medical Doctor"), "delete", Some("Consent")));
        let service = Identity::Service {
            name: "platform".into(),
            fingerprint: String::new(),
        };
        assert!(p.allows(&service, "create", Some("Consent")));
        assert!(!p.allows(&Identity::Unidentified, "capabilities", None));
        let h = Policy::for_zone("hospital", &[]);
        let lan = Identity::Network;
        assert!(h.allows(&lan, "read", Some("Patient")));
        assert!(!h.allows(&doctor("Medical Doctor"), "read", Some("Patient")));
    }

    #[test]
    fn rules_are_checked() {
        let mut rule = default_rules().remove(1);
        assert!(check_rules(std::slice::from_ref(&rule)).is_ok());
        rule.operations.push("search".into());
        assert!(check_rules(std::slice::from_ref(&rule))
            .unwrap_err()
            .contains("cannot be granted"));
        rule.operations.pop();
        rule.who.push("doctor".into());
        assert!(check_rules(std::slice::from_ref(&rule)).is_err());
        rule.who.pop();
        rule.zone = "internet".into();
        assert!(check_rules(&[rule]).is_err());
    }

    #[test]
    fn requests_are_classified() {
        assert_eq!(classify(&Method::GET, "/fhir/metadata").0, "capabilities");
        assert_eq!(
            classify(&Method::POST, "/fhir/Consent"),
            ("create", Some("Consent".into()))
        );
        assert_eq!(classify(&Method::GET, "/fhir/Patient/1").0, "read");
        assert_eq!(classify(&Method::GET, "/fhir/Patient").0, "search");
        assert_eq!(classify(&Method::POST, "/fhir/Patient/_search").0, "search");
        assert_eq!(
            classify(&Method::GET, "/fhir/Patient/1/_history/2").0,
            "vread"
        );
        assert_eq!(
            classify(&Method::GET, "/fhir/Patient/_history").0,
            "history"
        );
        assert_eq!(classify(&Method::PUT, "/fhir/Patient/1").0, "update");
        assert_eq!(classify(&Method::POST, "/fhir").0, "transaction");
        assert_eq!(classify(&Method::POST, "/fhir/").0, "transaction");
        assert_eq!(classify_entry("GET", "Patient?identifier=x").0, "search");
        assert_eq!(
            classify_entry("POST", "Consent"),
            ("create", Some("Consent".into()))
        );
        assert_eq!(classify_entry("DELETE", "Consent/1").0, "delete");
        assert_eq!(
            classify(&Method::POST, "/consultation/records"),
            ("submit", Some("ConsultationRecord".into()))
        );
        assert_eq!(
            classify(&Method::GET, "/consultation/care-plans/CP-1"),
            ("fetch", Some("CarePlan".into()))
        );
        assert_eq!(
            classify(&Method::GET, "/consultation/patients/T1/summary"),
            ("summary", Some("Patient".into()))
        );
        assert_eq!(
            classify(&Method::DELETE, "/consultation/records/1").0,
            "unknown"
        );
        assert_eq!(classify(&Method::POST, "/consultation/other").0, "unknown");
    }

    #[test]
    fn pharmacists_retrieve_prescriptions_and_doctors_prescribe_them() {
        let p = Policy::for_zone("consultation", &[]);
        let rx = Some(PRESCRIPTION);
        assert!(p.allows(&doctor("Medical Doctor"), "prescribe", rx));
        assert!(p.allows(&doctor("Dentist"), "prescribe", rx));
        assert!(!p.allows(&doctor("Pharmacist"), "prescribe", rx));
        assert!(p.allows(&doctor("Pharmacist"), "retrieve", rx));
        assert!(p.allows(&doctor("Pharmacist"), "dispense", rx));
        assert!(!p.allows(&doctor("Medical Doctor"), "retrieve", rx));
        assert!(!p.allows(&doctor("Nurse"), "retrieve", rx));
        assert_eq!(
            classify(&Method::GET, "/eprescriptions"),
            ("retrieve", Some(PRESCRIPTION.into()))
        );
        assert_eq!(classify(&Method::POST, "/eprescriptions").0, "prescribe");
        assert_eq!(
            classify(&Method::POST, "/eprescriptions/123456/dispensing").0,
            "dispense"
        );
        assert_eq!(classify(&Method::DELETE, "/eprescriptions/1").0, "unknown");
    }

    #[test]
    fn doctors_may_use_the_consultation_api_and_pharmacists_may_not() {
        let p = Policy::for_zone("consultation", &[]);
        for document in DOCUMENTS {
            assert!(p.allows(&doctor("Medical Doctor"), "submit", Some(document)));
            assert!(p.allows(&doctor("Medical Doctor"), "fetch", Some(document)));
            assert!(!p.allows(&doctor("Pharmacist"), "submit", Some(document)));
        }
        assert!(p.allows(&doctor("Dentist"), "summary", Some("Patient")));
        assert!(!p.allows(&doctor("Pharmacist"), "summary", Some("Patient")));
        let service = Identity::Service {
            name: "platform".into(),
            fingerprint: String::new(),
        };
        assert!(!p.allows(&service, "summary", Some("Patient")));
    }
}
