//! The transaction Bundle of one native document (issue #6 bundle rules): the Patient as a conditional
//! create (`POST Patient`, `ifNoneExist` on its identifier) under a `urn:uuid:` made from the patient id;
//! every other resource a `PUT Type/id` with an id from `v2_to_fhir::ids::make`, under a `urn:uuid:` made
//! from that id, and referred to by it. Institutions and doctors named twice with the same details
//! become one Organization / Practitioner.

use serde_json::Value;

use super::MapContext;
use super::{organization, patient, practitioner};
use crate::build_json;
use crate::consultation::model::{Doctor, Institution, Patient};
use crate::v2_to_fhir::ids::{fnv1a, make};

/// The entries of one document's Bundle, built up resource by resource.
pub struct Transaction {
    /// `record`, `care-plan` or `consent`: the first part of every id below the document's own.
    document: &'static str,
    document_id: String,
    patient: String,
    entries: Vec<Value>,
    organizations: Vec<(Institution, String)>,
    practitioners: Vec<(Doctor, String)>,
}

impl Transaction {
    /// A Bundle for `document` `document_id`, holding the Patient already.
    pub fn new(
        document: &'static str,
        document_id: &str,
        patient: &Patient,
        ctx: &MapContext,
    ) -> Self {
        let system = ctx.patient_id_system.as_str();
        let full_url = format!(
            "urn:uuid:{}",
            uuid(&format!("kakehashi:patient:{system}|{}", patient.id))
        );
        let entry = build_json!({
            "fullUrl": &full_url,
            "resource": prune(patient::patient(patient, system)),
            "request": {
                "method": "POST",
                "url": "Patient",
                "ifNoneExist": format!("identifier={}|{}", query_escape(system), query_escape(&patient.id)),
            },
        });
        Transaction {
            document,
            document_id: document_id.to_string(),
            patient: full_url,
            entries: vec![entry],
            organizations: Vec::new(),
            practitioners: Vec::new(),
        }
    }

    /// The reference to the Patient.
    pub fn patient(&self) -> String {
        self.patient.clone()
    }

    /// The id of a resource the document owns: `consultation.<document>.<id>.<what>[.<n>]`.
    pub fn id(&self, what: &str, n: Option<usize>) -> String {
        let n = n.map(|n| n.to_string());
        let mut parts = vec!["consultation", self.document, &self.document_id, what];
        parts.extend(n.as_deref());
        make(&parts)
    }

    /// Adds `resource` (which has its type and id) as `PUT Type/id`; returns the reference to it.
    pub fn put(&mut self, resource: Value) -> String {
        let kind = resource["resourceType"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let id = resource["id"].as_str().unwrap_or_default().to_string();
        let full_url = full_url(&kind, &id);
        self.entries.push(build_json!({
            "fullUrl": &full_url,
            "resource": prune(resource),
            "request": {"method": "PUT", "url": format!("{kind}/{id}")},
        }));
        full_url
    }

    /// The Organization of `institution` (one per distinct institution); returns the reference.
    pub fn organization(&mut self, institution: &Institution) -> String {
        if let Some((_, r)) = self.organizations.iter().find(|(i, _)| i == institution) {
            return r.clone();
        }
        let id = self.id("organization", Some(self.organizations.len()));
        let reference = self.put(organization::organization(institution, &id));
        self.organizations
            .push((institution.clone(), reference.clone()));
        reference
    }

    /// The Practitioner of `doctor` (one per distinct doctor), with a PractitionerRole for the
    /// department and institution when either is known; returns the Practitioner's reference.
    pub fn practitioner(&mut self, doctor: &Doctor) -> String {
        if let Some((_, r)) = self.practitioners.iter().find(|(d, _)| d == doctor) {
            return r.clone();
        }
        let n = Some(self.practitioners.len());
        let id = self.id("practitioner", n);
        let reference = self.put(practitioner::practitioner(doctor, &id));
        if doctor.department.is_some() || doctor.institution.is_some() {
            let organization = doctor
                .institution
                .as_ref()
                .map(|i| (self.organization(i), i.name.clone()));
            let role_id = self.id("practitioner-role", n);
            let role = practitioner::role(doctor, &role_id, &reference, organization);
            self.put(role);
        }
        self.practitioners.push((doctor.clone(), reference.clone()));
        reference
    }

    /// Every entry's fullUrl, in entry order (what a Provenance targets).
    pub fn full_urls(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter_map(|e| e["fullUrl"].as_str().map(str::to_string))
            .collect()
    }

    /// The transaction Bundle, its entries ordered by resource type (document resources first).
    pub fn finish(mut self) -> Value {
        self.entries
            .sort_by_key(|e| rank(e["resource"]["resourceType"].as_str().unwrap_or_default()));
        build_json!({"resourceType": "Bundle", "type": "transaction", "entry": self.entries})
    }
}

/// The `urn:uuid:` under which resource `kind`/`id` is entered.
pub fn full_url(kind: &str, id: &str) -> String {
    format!("urn:uuid:{}", uuid(&format!("kakehashi:{kind}/{id}")))
}

const ORDER: [&str; 13] = [
    "Patient",
    "Encounter",
    "Composition",
    "CarePlan",
    "CareTeam",
    "Consent",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Condition",
    "Observation",
    "QuestionnaireResponse",
    "Provenance",
];

fn rank(kind: &str) -> usize {
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}

/// A name-based UUID (RFC 9562 version 8) of `text`: two FNV-1a hashes, each mixed by MurmurHash3's
/// 64-bit finaliser (so near names give unlike UUIDs), version and variant bits set. Fixed forever: the
/// fullUrls of documents already sent depend on it.
fn uuid(text: &str) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&mix(fnv1a(text)).to_be_bytes());
    bytes[8..].copy_from_slice(&mix(fnv1a(&format!("{text}\u{1}"))).to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Percent-encodes what would end or split a search parameter value (and the token separator `|`).
fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `value` without nulls, empty arrays and empty objects (FHIR JSON has none), at any depth.
pub fn prune(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, prune(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(prune)
                .filter(|v| !is_empty(v))
                .collect(),
        ),
        other => other,
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uuids_are_stable_well_formed_and_distinct() {
        let a = uuid("kakehashi:Encounter/x");
        assert_eq!(a, uuid("kakehashi:Encounter/x"));
        let b = uuid("kakehashi:Encounter/y");
        assert_ne!(a, b);
        // Near names share no leading digits.
        assert_ne!(a[..4], b[..4]);
        // A known value, so fullUrls never change between releases.
        assert_eq!(a, "33f5718a-dbe8-8469-a60d-862491c75cf1");
        let re = regex::Regex::new(
            "^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        assert!(re.is_match(&a), "{a}");
    }

    #[test]
    fn prune_drops_nulls_and_empties_only() {
        let v = prune(
            json!({"a": null, "b": [], "c": {"d": null}, "e": [null, 1], "f": false, "g": ""}),
        );
        assert_eq!(v, json!({"e": [1], "f": false, "g": ""}));
    }

    #[test]
    fn search_values_are_escaped() {
        assert_eq!(query_escape("urn:oid:1.2|x&y z"), "urn:oid:1.2%7Cx%26y%20z");
    }
}
