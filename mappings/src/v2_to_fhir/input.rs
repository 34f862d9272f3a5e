//! The message as mappers read it: segments with their HL7 positions, values with escapes decoded, and a
//! record of which fields were read, so that what no mapper read is reported (`Input::unmapped`).

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::data_types::DataType;
use super::ids;
use super::output::{position, push_number, push_position, MapError};
use super::Source;
use crate::hl7v2::{escape, Component, Delimiters, Field, Message, Repetition, Segment};
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
    /// Which occurrence of its name each segment is (1 = the first), by index into
    /// `message.segments()`, counted once here rather than on every `segments`/`segment`/`all`.
    occurrences: Vec<usize>,
    /// Fields read, per segment (index into `message.segments()`): bit `n` for field `n` < 128, and
    /// the (rare) higher fields apart.
    used: RefCell<Vec<u128>>,
    /// Fields numbered 128 and above that were read, as (segment index, field).
    used_high: RefCell<BTreeSet<(usize, usize)>>,
    /// Segments looked at as a whole (every field of them counts as read).
    whole: RefCell<Vec<bool>>,
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
        let segments = message.segments();
        let mut counts: Vec<(&str, usize)> = Vec::new();
        let occurrences = segments
            .iter()
            .map(
                |segment| match counts.iter_mut().find(|(name, _)| *name == segment.name()) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        counts.push((segment.name(), 1));
                        1
                    }
                },
            )
            .collect();
        Ok(Input {
            message,
            source,
            data_type,
            facility: value("MSH-4.1"),
            control_id,
            patient_id: value("PID-3.1"),
            occurrences,
            used: RefCell::new(vec![0; segments.len()]),
            used_high: RefCell::new(BTreeSet::new()),
            whole: RefCell::new(vec![false; segments.len()]),
        })
    }

    pub fn delimiters(&self) -> &'m Delimiters {
        self.message.delimiters()
    }

    /// Every segment called `name`, in order.
    pub fn segments(&self, name: &str) -> Vec<Seg<'_>> {
        self.iter().filter(|s| s.name() == name).collect()
    }

    /// The first segment called `name`.
    pub fn segment(&self, name: &str) -> Option<Seg<'_>> {
        self.iter().find(|s| s.name() == name)
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
        self.iter().collect()
    }

    /// Every segment in message order, without collecting them.
    fn iter(&self) -> impl Iterator<Item = Seg<'_>> + '_ {
        self.message
            .segments()
            .iter()
            .zip(&self.occurrences)
            .enumerate()
            .map(|(index, (segment, &occurrence))| Seg {
                input: self,
                segment,
                index,
                occurrence,
            })
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
        let used_high = self.used_high.borrow();
        let whole = self.whole.borrow();
        let mut issues = Vec::new();
        for seg in self.iter() {
            if ENVELOPE_SEGMENTS.contains(&seg.name()) || whole[seg.index] {
                continue;
            }
            let read = used[seg.index];
            let read_high = |n: usize| used_high.contains(&(seg.index, n));
            let any_high = used_high
                .range((seg.index, 0)..(seg.index + 1, 0))
                .next()
                .is_some();
            if read == 0 && !any_high {
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
                let was_read = if n < 128 {
                    read & (1u128 << n) != 0
                } else {
                    read_high(n)
                };
                if n == 1 || was_read || is_empty_field(field) {
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

fn is_empty_field(field: &Field) -> bool {
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
        for &n in fields {
            self.mark_one(n);
        }
    }

    fn mark_one(&self, n: usize) {
        if n < 128 {
            self.input.used.borrow_mut()[self.index] |= 1u128 << n;
        } else {
            self.input.used_high.borrow_mut().insert((self.index, n));
        }
    }

    /// Marks the whole segment as handled.
    pub fn mark_all(&self) {
        self.input.whole.borrow_mut()[self.index] = true;
    }

    /// The repetitions of field `n` that hold anything.
    pub fn reps(&self, field: usize) -> Vec<Rep<'a>> {
        self.rep_iter(field).collect()
    }

    /// The non-empty repetitions of field `n`, lazily (marks the field as read).
    fn rep_iter(&self, field: usize) -> impl Iterator<Item = Rep<'a>> + 'a {
        self.mark_one(field);
        let d = self.input.delimiters();
        let name = self.name();
        let occurrence = self.occurrence;
        self.segment
            .field(field)
            .map(Field::repetitions)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter(|(_, r)| !is_empty_repetition(r))
            .map(move |(i, r)| Rep {
                repetition: r,
                delimiters: d,
                segment: name,
                occurrence,
                field,
                number: i + 1,
            })
    }

    /// The first non-empty repetition of field `n`.
    pub fn rep(&self, field: usize) -> Option<Rep<'a>> {
        self.rep_iter(field).next()
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

/// One repetition of a field. Its position is formatted only when asked for ([`Rep::position`],
/// [`Rep::at`]).
#[derive(Clone)]
pub struct Rep<'a> {
    repetition: &'a Repetition,
    delimiters: &'a Delimiters,
    segment: &'a str,
    occurrence: usize,
    field: usize,
    /// Which repetition of the field (1 = the first).
    number: usize,
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

    /// `PID-5` or `PID-5[2]`.
    pub fn position(&self) -> String {
        let mut text = String::with_capacity(16);
        self.push_position(&mut text);
        text
    }

    fn push_position(&self, text: &mut String) {
        push_position(text, self.segment, self.occurrence, self.field);
        if self.number > 1 {
            text.push('[');
            push_number(text, self.number);
            text.push(']');
        }
    }

    /// The position of component `c`: `PID-5[2].1`.
    pub fn at(&self, c: usize) -> String {
        let mut text = String::with_capacity(16);
        self.push_position(&mut text);
        text.push('.');
        push_number(&mut text, c);
        text
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
