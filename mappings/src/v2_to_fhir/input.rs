//! The message as mappers read it: segments with their HL7 positions, values with escapes decoded, and a
//! record of which fields were read, so that what no mapper read is reported (`Input::unmapped`).

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::data_types::DataType;
use super::ids;
use super::output::{position, MapError};
use super::Source;
use crate::hl7v2::{escape, Component, Delimiters, Message, Repetition, Segment};
use crate::{Issue, IssueCode};

/// Segments whose every field is consumed by the pipeline itself (the header) or carries nothing to map.
const ENVELOPE_SEGMENTS: &[&str] = &["MSH"];

/// One message being mapped.
pub struct Input<'m> {
    pub message: &'m Message,
    pub source: &'m Source,
    pub data_type: &'static DataType,
    /// MSH-4.1, the sending facility (a 10-digit 医療機関コード in SS-MIX2).
    pub facility: Option<String>,
    /// MSH-10.
    pub control_id: String,
    /// PID-3.1 of the first repetition, the patient id of the sending facility.
    pub patient_id: Option<String>,
    /// Fields read, per segment (index into `message.segments()`).
    used: RefCell<Vec<BTreeSet<usize>>>,
    /// Segments looked at as a whole (every field of them counts as read).
    whole: RefCell<BTreeSet<usize>>,
}

impl<'m> Input<'m> {
    pub fn new(
        message: &'m Message,
        source: &'m Source,
        data_type: &'static DataType,
    ) -> Result<Input<'m>, MapError> {
        let value = |path: &str| {
            message
                .value(path)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let control_id = value("MSH-10").ok_or(MapError::MissingField {
            position: "MSH-10".into(),
        })?;
        Ok(Input {
            message,
            source,
            data_type,
            facility: value("MSH-4.1"),
            control_id,
            patient_id: value("PID-3.1"),
            used: RefCell::new(vec![BTreeSet::new(); message.segments().len()]),
            whole: RefCell::new(BTreeSet::new()),
        })
    }

    pub fn delimiters(&self) -> &'m Delimiters {
        self.message.delimiters()
    }

    /// Every segment called `name`, in order.
    pub fn segments(&self, name: &str) -> Vec<Seg<'_>> {
        self.all()
            .into_iter()
            .filter(|s| s.name() == name)
            .collect()
    }

    /// The first segment called `name`.
    pub fn segment(&self, name: &str) -> Option<Seg<'_>> {
        self.all().into_iter().find(|s| s.name() == name)
    }

    /// The first segment called `name`, or `MissingSegment`.
    pub fn require(&self, name: &str) -> Result<Seg<'_>, MapError> {
        self.segment(name).ok_or(MapError::MissingSegment {
            segment: name.to_string(),
        })
    }

    /// Every segment in message order (for messages whose meaning depends on segment groups, such as an
    /// ORC followed by its RXE, TQ1 and RXR).
    pub fn all(&self) -> Vec<Seg<'_>> {
        let mut occurrences: Vec<(&str, usize)> = Vec::new();
        self.message
            .segments()
            .iter()
            .enumerate()
            .map(|(index, segment)| {
                let n = match occurrences
                    .iter_mut()
                    .find(|(name, _)| *name == segment.name())
                {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        occurrences.push((segment.name(), 1));
                        1
                    }
                };
                Seg {
                    input: self,
                    segment,
                    index,
                    occurrence: n,
                }
            })
            .collect()
    }

    /// A deterministic resource id from the sending facility, the patient and `parts` (`ids::make`).
    pub fn id(&self, parts: &[&str]) -> String {
        let mut all: Vec<&str> = Vec::with_capacity(parts.len() + 2);
        all.push(self.facility.as_deref().unwrap_or("-"));
        all.extend_from_slice(parts);
        ids::make(&all)
    }

    /// The id of the message's patient: facility + PID-3.1.
    pub fn patient_id_for_fhir(&self) -> Option<String> {
        self.patient_id.as_deref().map(|p| self.id(&["patient", p]))
    }

    pub fn patient_reference(&self) -> Option<String> {
        self.patient_id_for_fhir().map(|id| format!("Patient/{id}"))
    }

    /// An information issue for every non-empty field no mapper read and every segment nobody looked at.
    pub fn unmapped(&self) -> Vec<Issue> {
        let used = self.used.borrow();
        let whole = self.whole.borrow();
        let mut issues = Vec::new();
        for seg in self.all() {
            if ENVELOPE_SEGMENTS.contains(&seg.name()) || whole.contains(&seg.index) {
                continue;
            }
            let read = &used[seg.index];
            if read.is_empty() {
                issues.push(
                    Issue::information(
                        IssueCode::Informational,
                        format!("Segment {} is not mapped (yet); its content is kept only in the stored message.", seg.name()),
                    )
                    .at(seg.position(0)),
                );
                continue;
            }
            for (i, field) in seg.segment.fields().iter().enumerate() {
                let n = i + 1;
                // Field 1 of most segments is a Set ID, which carries no data.
                if n == 1 || read.contains(&n) || is_empty_field(field) {
                    continue;
                }
                issues.push(
                    Issue::information(
                        IssueCode::Informational,
                        format!(
                            "Field {} is not mapped (yet); it is kept only in the stored message.",
                            seg.position(n)
                        ),
                    )
                    .at(seg.position(n)),
                );
            }
        }
        issues
    }
}

fn is_empty_field(field: &crate::hl7v2::Field) -> bool {
    field.repetitions().iter().all(|r| {
        r.components()
            .iter()
            .all(|c| c.subcomponents().iter().all(|s| s.trim().is_empty()))
    })
}

/// One segment of the message, with its position.
#[derive(Clone, Copy)]
pub struct Seg<'a> {
    input: &'a Input<'a>,
    segment: &'a Segment,
    /// Index into the message's segments.
    index: usize,
    /// Which occurrence of this segment name (1 = first).
    occurrence: usize,
}

impl<'a> Seg<'a> {
    pub fn name(&self) -> &'a str {
        self.segment.name()
    }

    /// Which occurrence of its name this segment is (1 = the first).
    pub fn occurrence(&self) -> usize {
        self.occurrence
    }

    /// The index of the segment in the message, for comparing order.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The HL7 position of field `n` (0 = the segment): `OBX[3]-5`.
    pub fn position(&self, field: usize) -> String {
        position(self.name(), self.occurrence, field)
    }

    /// Marks fields as read without reading them (a field whose meaning is carried elsewhere).
    pub fn mark(&self, fields: &[usize]) {
        self.input.used.borrow_mut()[self.index].extend(fields.iter().copied());
    }

    /// Marks the whole segment as handled.
    pub fn mark_all(&self) {
        self.input.whole.borrow_mut().insert(self.index);
    }

    /// The repetitions of field `n` that hold anything.
    pub fn reps(&self, field: usize) -> Vec<Rep<'a>> {
        self.mark(&[field]);
        let d = self.input.delimiters();
        self.segment
            .field(field)
            .map(|f| {
                f.repetitions()
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| !is_empty_repetition(r))
                    .map(|(i, r)| Rep {
                        repetition: r,
                        delimiters: d,
                        position: if i == 0 {
                            self.position(field)
                        } else {
                            format!("{}[{}]", self.position(field), i + 1)
                        },
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first non-empty repetition of field `n`.
    pub fn rep(&self, field: usize) -> Option<Rep<'a>> {
        self.reps(field).into_iter().next()
    }

    /// Component 1 of the first repetition of field `n`, decoded, trimmed, `None` when empty or `""`.
    pub fn text(&self, field: usize) -> Option<String> {
        self.rep(field).and_then(|r| r.text(1))
    }

    /// Component `c` of the first repetition of field `n`.
    pub fn component(&self, field: usize, c: usize) -> Option<String> {
        self.rep(field).and_then(|r| r.text(c))
    }

    /// Like `text`, but a missing value is `MissingField`.
    pub fn require(&self, field: usize) -> Result<String, MapError> {
        self.text(field).ok_or_else(|| MapError::MissingField {
            position: self.position(field),
        })
    }
}

fn is_empty_repetition(r: &Repetition) -> bool {
    r.components()
        .iter()
        .all(|c| c.subcomponents().iter().all(|s| s.trim().is_empty()))
}

/// One repetition of a field.
#[derive(Clone)]
pub struct Rep<'a> {
    repetition: &'a Repetition,
    delimiters: &'a Delimiters,
    /// `PID-5` or `PID-5[2]`.
    pub position: String,
}

impl<'a> Rep<'a> {
    /// Component `c` (1-based) decoded and trimmed; `None` when empty or the HL7 null `""`.
    pub fn text(&self, c: usize) -> Option<String> {
        self.repetition.component(c).and_then(|comp| {
            clean(&escape::decode(
                &comp.join(self.delimiters),
                self.delimiters,
            ))
        })
    }

    /// Subcomponent `s` of component `c`.
    pub fn sub(&self, c: usize, s: usize) -> Option<String> {
        self.repetition
            .component(c)
            .and_then(|comp: &Component| comp.subcomponent(s))
            .and_then(|raw| clean(&escape::decode(raw, self.delimiters)))
    }

    /// The position of component `c`: `PID-5[2].1`.
    pub fn at(&self, c: usize) -> String {
        format!("{}.{c}", self.position)
    }

    /// How many components the repetition has.
    pub fn len(&self) -> usize {
        self.repetition.components().len()
    }

    pub fn is_empty(&self) -> bool {
        is_empty_repetition(self.repetition)
    }
}

fn clean(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && v != "\"\"").then(|| v.to_string())
}
