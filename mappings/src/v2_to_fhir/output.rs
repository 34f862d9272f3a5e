//! What a mapper produces: resources with their ids, issues, and the result of one message.

use crate::build_json;
use std::collections::HashMap;

use serde_json::Value;

use super::input::Input;
use crate::{Issue, IssueCode};

/// Why a message cannot be mapped at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// MSH-9 names a message this gateway does not map (AR / table 0357 code 200 or 201).
    #[error("message type {message_type} is not supported")]
    Unsupported { message_type: String },
    /// A segment the message type requires is missing (AE / table 0357 code 100).
    #[error("required segment {segment} is missing")]
    MissingSegment { segment: String },
    /// A field the mapping cannot do without is empty (AE / table 0357 code 101).
    #[error("required field {position} is empty")]
    MissingField { position: String },
}

impl MapError {
    /// The HL7 position the error is about, for ERR-2.
    pub fn position(&self) -> Option<String> {
        match self {
            MapError::Unsupported { .. } => Some("MSH-9".into()),
            MapError::MissingSegment { segment } => Some(segment.clone()),
            MapError::MissingField { position } => Some(position.clone()),
        }
    }

    /// The HL7 table 0357 message error condition code.
    pub fn hl7_error_code(&self) -> &'static str {
        match self {
            MapError::Unsupported { .. } => "200",
            MapError::MissingSegment { .. } => "100",
            MapError::MissingField { .. } => "101",
        }
    }

    pub fn to_issue(&self) -> Issue {
        let code = match self {
            MapError::Unsupported { .. } => IssueCode::NotSupported,
            MapError::MissingSegment { .. } => IssueCode::Structure,
            MapError::MissingField { .. } => IssueCode::Required,
        };
        let issue = Issue::error(code, self.to_string());
        match self.position() {
            Some(p) => issue.at(p),
            None => issue,
        }
    }
}

/// Resources and issues collected while mapping one message.
#[derive(Debug, Default)]
pub struct Output {
    resources: Vec<Value>,
    /// `Type/id` → index into `resources`, so that `push` and `has` need not rebuild every reference.
    index: HashMap<String, usize>,
    issues: Vec<Issue>,
}

impl Output {
    /// Adds a resource (which must have `resourceType` and `id`) and returns its reference `Type/id`. A
    /// second resource with the same type and id replaces the first (a message that names the same
    /// practitioner twice yields one Practitioner).
    pub fn push(&mut self, resource: Value) -> String {
        let reference = reference_of(&resource);
        match self.index.get(&reference) {
            Some(&i) => self.resources[i] = resource,
            None => {
                self.index.insert(reference.clone(), self.resources.len());
                self.resources.push(resource);
            }
        }
        reference
    }

    /// Whether a resource `Type/id` was produced already.
    pub fn has(&self, reference: &str) -> bool {
        self.index.contains_key(reference)
    }

    /// Sets `element` on every resource of `resource_type` that does not have it yet (the visit an
    /// order message's PV1 names, known only once its segments are read).
    pub fn set_where_absent(&mut self, resource_type: &str, element: &str, value: &Value) {
        for r in self.resources.iter_mut() {
            if r["resourceType"] == resource_type && r.get(element).is_none() {
                r[element] = value.clone();
            }
        }
    }

    pub fn resources(&self) -> &[Value] {
        &self.resources
    }

    pub fn issue(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    /// A warning about a value at an HL7 position (a date that is not a date, a code out of its table).
    pub fn warn(&mut self, position: impl Into<String>, message: impl Into<String>) {
        self.issues
            .push(Issue::warning(IssueCode::Value, message).at(position));
    }

    /// An error about a value at an HL7 position: the message must not be stored.
    pub fn error(&mut self, position: impl Into<String>, message: impl Into<String>) {
        self.issues
            .push(Issue::error(IssueCode::Value, message).at(position));
    }

    pub(super) fn finish(mut self, input: &Input) -> Mapped {
        self.issues.extend(input.unmapped());
        Mapped {
            data_type: input.data_type.data_type.clone(),
            event: input.data_type.trigger.clone(),
            cancel: input.data_type.cancel,
            retire: input.data_type.retires,
            records: input
                .data_type
                .records
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            control_id: input.control_id.clone(),
            patient: input.patient_reference(),
            resources: self.resources,
            issues: self.issues,
        }
    }
}

/// The result of mapping one message.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The SS-MIX2 data type, e.g. `OMP-01`.
    pub data_type: String,
    /// The trigger event, e.g. `O11`.
    pub event: String,
    /// Whether the message cancels what an earlier one said (A23, A27, A11, …).
    pub cancel: bool,
    /// Whether the message withdraws the record (A23): the resources it names are to be deleted. A
    /// visit cancel (`cancel` without `retire`) is stored as an update: its mapping carries the status.
    pub retire: bool,
    /// The resource types the data type is the record of (`MedicationRequest` for OMP-01); see
    /// [`Mapped::retires`].
    pub records: Vec<String>,
    /// MSH-10.
    pub control_id: String,
    /// `Patient/{id}` of the message's patient, when it has one.
    pub patient: Option<String>,
    /// The resources, MessageHeader first and Provenance last.
    pub resources: Vec<Value>,
    pub issues: Vec<Issue>,
}

impl Mapped {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(Issue::is_error)
    }

    /// Whether storing the message deletes resources of `resource_type` rather than writing them: when
    /// the message withdraws its record (`retire`, A23) or its SS-MIX2 file is flagged deleted
    /// (`file_deleted`), the types it is the record of are deleted; the patient, doctors, places and
    /// visits it only refers to, and the MessageHeader and Provenance, are written as usual.
    pub fn retires(&self, resource_type: &str, file_deleted: bool) -> bool {
        (self.retire || file_deleted) && self.records.iter().any(|r| r == resource_type)
    }

    /// A `transaction` Bundle that stores every resource at its deterministic id (PUT), so that posting
    /// it twice changes nothing; with `file_deleted` (or for a message that withdraws its record), the
    /// resources it is the record of are deleted instead ([`Mapped::retires`]).
    pub fn transaction(&self, file_deleted: bool) -> Value {
        let entries: Vec<Value> = self
            .resources
            .iter()
            .map(|r| {
                let reference = reference_of(r);
                let kind = r["resourceType"].as_str().unwrap_or_default();
                if self.retires(kind, file_deleted) {
                    build_json!({"request": {"method": "DELETE", "url": reference}})
                } else {
                    build_json!({
                        "fullUrl": format!("urn:kakehashi:{reference}"),
                        "resource": r,
                        "request": {"method": "PUT", "url": reference},
                    })
                }
            })
            .collect();
        build_json!({"resourceType": "Bundle", "type": "transaction", "entry": entries})
    }

    /// A FHIR `message` Bundle, MessageHeader first, as the JAMI SS-MIX2→FHIR IG shapes its output.
    pub fn message_bundle(&self) -> Value {
        let entries: Vec<Value> = self
            .resources
            .iter()
            .map(
                |r| build_json!({"fullUrl": format!("urn:kakehashi:{}", reference_of(r)), "resource": r}),
            )
            .collect();
        build_json!({
            "resourceType": "Bundle",
            "type": "message",
            "identifier": {"system": "urn:kakehashi:hl7v2:control-id", "value": &self.control_id},
            "entry": entries,
        })
    }
}

/// `Type/id` of a resource.
pub fn reference_of(resource: &Value) -> String {
    format!(
        "{}/{}",
        resource
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or_default(),
        resource
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    )
}

/// `OBX[3]-5` for field 5 of the third OBX.
pub fn position(segment: &str, occurrence: usize, field: usize) -> String {
    let mut text = String::with_capacity(segment.len() + 8);
    push_position(&mut text, segment, occurrence, field);
    text
}

/// Appends what [`position`] returns (the `Display` of [`crate::hl7v2::Position`], without building one).
pub(super) fn push_position(text: &mut String, segment: &str, occurrence: usize, field: usize) {
    text.push_str(segment);
    if occurrence > 1 {
        text.push('[');
        push_number(text, occurrence);
        text.push(']');
    }
    if field != 0 {
        text.push('-');
        push_number(text, field);
    }
}

/// Appends a decimal number.
pub(super) fn push_number(text: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        text.push(d as char);
    }
}
