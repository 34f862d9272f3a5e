//! What the FHIR → v2 mappers share: the caller's header values, the input's resources with their
//! positions and full URLs (for resolving references), the issues, and the MSH of each new message.

use serde_json::Value;

use crate::hl7v2::{Charset, MessageBuilder, SegmentBuilder};
use crate::{Issue, IssueCode};

/// What the caller gives every message (`mappings` reads no clock: the gateway passes the time).
#[derive(Debug, Clone)]
pub struct Header {
    /// MSH-3.
    pub sending_application: String,
    /// MSH-4 (the 10-digit 医療機関コード in SS-MIX2).
    pub sending_facility: String,
    /// MSH-5.
    pub receiving_application: String,
    /// MSH-6.
    pub receiving_facility: String,
    /// MSH-10 is this prefix plus the message's number in the output (1, 2, …).
    pub control_id_prefix: String,
    /// MSH-7 and EVN-2, an HL7 TS (`20261202093000`).
    pub timestamp: String,
    /// The character set the text will be encoded in, named in MSH-18 (ISO-2022-JP: `~ISO IR87` with
    /// MSH-20 `ISO 2022-1994`; UTF-8: `UNICODE UTF-8`). The text itself is always a Rust string.
    pub charset: Charset,
}

impl Default for Header {
    fn default() -> Self {
        Header {
            sending_application: "KAKEHASHI".into(),
            sending_facility: String::new(),
            receiving_application: String::new(),
            receiving_facility: String::new(),
            control_id_prefix: "KH".into(),
            timestamp: String::new(),
            charset: Charset::Iso2022Jp,
        }
    }
}

/// One message produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutMessage {
    /// The SS-MIX2 data type, e.g. `ADT-00`.
    pub data_type: String,
    /// The message in HL7 with CR after every segment.
    pub text: String,
}

/// The messages and every issue.
#[derive(Debug, Clone)]
pub struct Converted {
    pub messages: Vec<OutMessage>,
    pub issues: Vec<Issue>,
}

/// One input resource.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub resource: &'a Value,
    pub full_url: Option<&'a str>,
    /// Where it is in the input: `Bundle.entry[2].resource`, or `Patient` for a lone resource.
    pub position: String,
}

impl Entry<'_> {
    pub fn kind(&self) -> &str {
        self.resource
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// `Type/id`.
    pub fn reference(&self) -> String {
        format!(
            "{}/{}",
            self.kind(),
            self.resource
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
        )
    }

    /// The position of an element of the resource: `Bundle.entry[2].resource.subject`.
    pub fn at(&self, path: &str) -> String {
        format!("{}.{path}", self.position)
    }
}

pub struct Context<'a> {
    pub header: &'a Header,
    pub entries: Vec<Entry<'a>>,
    pub issues: Vec<Issue>,
    messages: usize,
}

impl<'a> Context<'a> {
    pub fn new(input: &'a [Value], header: &'a Header) -> Self {
        let mut entries = Vec::new();
        for (i, value) in input.iter().enumerate() {
            let prefix = if input.len() == 1 {
                String::new()
            } else {
                format!("[{i}]")
            };
            if value.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
                let list = value.get("entry").and_then(Value::as_array);
                for (j, e) in list.into_iter().flatten().enumerate() {
                    if let Some(resource) = e.get("resource").filter(|r| r.is_object()) {
                        entries.push(Entry {
                            resource,
                            full_url: e.get("fullUrl").and_then(Value::as_str),
                            position: format!("{prefix}Bundle.entry[{j}].resource"),
                        });
                    }
                }
            } else {
                let kind = value
                    .get("resourceType")
                    .and_then(Value::as_str)
                    .unwrap_or("Resource");
                entries.push(Entry {
                    resource: value,
                    full_url: None,
                    position: format!("{prefix}{kind}"),
                });
            }
        }
        Context {
            header,
            entries,
            issues: Vec::new(),
            messages: 0,
        }
    }

    /// The resource a reference (`Patient/1`, a full URL, `urn:uuid:…`) names in the input.
    pub fn resolve(&self, reference: &str) -> Option<Entry<'a>> {
        self.entries
            .iter()
            .find(|e| {
                e.full_url == Some(reference) || {
                    let own = e.reference();
                    reference == own || reference.ends_with(&format!("/{own}"))
                }
            })
            .cloned()
    }

    /// The resource `element.reference` names, when it is in the input.
    pub fn resolve_element(&self, element: Option<&Value>) -> Option<Entry<'a>> {
        let reference = element?.get("reference")?.as_str()?;
        self.resolve(reference)
    }

    /// Whether another resource of the input refers to this one through one of `keys` (`subject`,
    /// `patient` for a Patient; `encounter` for an Encounter).
    pub fn is_referenced(&self, target: &Entry, keys: &[&str]) -> bool {
        let own = target.reference();
        self.entries.iter().any(|e| {
            e.reference() != own
                && keys.iter().any(|k| {
                    self.resolve_element(e.resource.get(*k))
                        .is_some_and(|p| p.reference() == own)
                })
        })
    }

    /// The Patient a resource is about (`subject` or `patient`): its `Type/id` when it is in the input,
    /// else the reference as written.
    pub fn patient_key(&self, entry: &Entry) -> String {
        let element = entry
            .resource
            .get("subject")
            .or_else(|| entry.resource.get("patient"));
        match self.resolve_element(element) {
            Some(p) => p.reference(),
            None => element
                .and_then(|e| e.get("reference"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        }
    }

    /// The resources of the entry's type about the entry's patient, in input order.
    pub fn same_patient(&self, entry: &Entry) -> Vec<Entry<'a>> {
        let key = self.patient_key(entry);
        self.of_kind(entry.kind())
            .into_iter()
            .filter(|e| self.patient_key(e) == key)
            .collect()
    }

    /// Whether the entry is the first of its type about its patient.
    pub fn first_of_patient(&self, entry: &Entry) -> bool {
        self.same_patient(entry)
            .first()
            .is_some_and(|first| first.position == entry.position)
    }

    /// The entries of one resource type.
    pub fn of_kind(&self, kind: &str) -> Vec<Entry<'a>> {
        self.entries
            .iter()
            .filter(|e| e.kind() == kind)
            .cloned()
            .collect()
    }

    pub fn info(&mut self, position: &str, message: impl Into<String>) {
        self.issues
            .push(Issue::information(IssueCode::Informational, message).at(position));
    }

    pub fn warn(&mut self, position: &str, message: impl Into<String>) {
        self.issues
            .push(Issue::warning(IssueCode::Value, message).at(position));
    }

    pub fn error(&mut self, position: &str, code: IssueCode, message: impl Into<String>) {
        self.issues.push(Issue::error(code, message).at(position));
    }

    /// A new message starting with its MSH (`ADT`, `A08`, `ADT_A01`).
    pub fn message(&mut self, kind: &str, trigger: &str, structure: &str) -> MessageBuilder {
        self.messages += 1;
        let h = self.header;
        let mut msh = SegmentBuilder::new("MSH");
        msh.field(3, &h.sending_application)
            .field(4, &h.sending_facility)
            .field(5, &h.receiving_application)
            .field(6, &h.receiving_facility)
            .field(7, &h.timestamp)
            .component(9, 1, kind)
            .component(9, 2, trigger)
            .component(9, 3, structure)
            .field(10, &format!("{}{}", h.control_id_prefix, self.messages))
            .field(11, "P")
            .field(12, "2.5");
        match h.charset {
            Charset::Iso2022Jp => {
                msh.set(18, 2, 1, 1, "ISO IR87").field(20, "ISO 2022-1994");
            }
            Charset::Utf8 => {
                msh.field(18, "UNICODE UTF-8");
            }
            Charset::ShiftJis => {
                msh.field(18, "SHIFT_JIS");
            }
            Charset::Latin1 => {
                msh.field(18, "8859/1");
            }
            Charset::Ascii => {}
        }
        let mut message = MessageBuilder::new();
        message.push(msh);
        message
    }

    /// An EVN with EVN-2 (記録日時) = the header's time.
    pub fn evn(&self) -> SegmentBuilder {
        let mut evn = SegmentBuilder::new("EVN");
        evn.field(2, &self.header.timestamp);
        evn
    }
}
