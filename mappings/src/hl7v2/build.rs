//! Building HL7 v2.5 messages (issue #5 step 3, the `fhir_to_v2` direction): segments whose fields,
//! repetitions, components and subcomponents are set by position with plain text, escaped with the
//! message's delimiters on output (`escape::encode`, v2.5 §2.7). MSH-1 and MSH-2 are the delimiters
//! themselves and are written by the builder. `to_hl7()` ends every segment with CR, as SS-MIX2 files do.
//!
//! Written here rather than with a crate's builder for the same reasons as the splitter (parse.rs): the
//! escaping must be ours (escape.rs) and the result must read back with our parser unchanged.

use super::delimiters::Delimiters;
use super::escape;
use super::message::{Field, Message, Segment};

/// A field as text: repetitions → components → subcomponents, unescaped.
type FieldValue = Vec<Vec<Vec<String>>>;

/// A message being built: its delimiters and its segments in order.
#[derive(Debug, Clone, Default)]
pub struct MessageBuilder {
    delimiters: Delimiters,
    segments: Vec<SegmentBuilder>,
}

/// One segment being built; field `n` (1-based) of a header segment (MSH) starts at MSH-3, MSH-1 and
/// MSH-2 being the delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentBuilder {
    name: String,
    fields: Vec<FieldValue>,
}

impl MessageBuilder {
    /// A message with the standard delimiters `|^~\&`.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_delimiters(delimiters: Delimiters) -> Self {
        MessageBuilder {
            delimiters,
            segments: Vec::new(),
        }
    }

    /// Appends a segment.
    pub fn push(&mut self, segment: SegmentBuilder) -> &mut Self {
        self.segments.push(segment);
        self
    }

    /// Appends segments.
    pub fn push_all(&mut self, segments: Vec<SegmentBuilder>) -> &mut Self {
        self.segments.extend(segments);
        self
    }

    pub fn segments(&self) -> &[SegmentBuilder] {
        &self.segments
    }

    /// The message as HL7 text, every segment followed by CR.
    pub fn to_hl7(&self) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            out.push_str(&segment.to_hl7(&self.delimiters));
            out.push('\r');
        }
        out
    }

    /// The message as [`Message`] (what parsing `to_hl7()` gives).
    pub fn to_message(&self) -> Message {
        Message {
            delimiters: self.delimiters,
            segments: self
                .segments
                .iter()
                .map(|s| s.to_segment(&self.delimiters))
                .collect(),
        }
    }
}

impl SegmentBuilder {
    pub fn new(name: &str) -> Self {
        SegmentBuilder {
            name: name.to_string(),
            fields: Vec::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn is_header(&self) -> bool {
        matches!(self.name.as_str(), "MSH" | "FHS" | "BHS")
    }

    /// Sets subcomponent `sub` of component `comp` of repetition `rep` of field `field` (all 1-based);
    /// an empty value sets nothing. MSH-1 and MSH-2 cannot be set (they are the delimiters).
    pub fn set(
        &mut self,
        field: usize,
        rep: usize,
        comp: usize,
        sub: usize,
        value: &str,
    ) -> &mut Self {
        if value.is_empty() || field == 0 || rep == 0 || comp == 0 || sub == 0 {
            return self;
        }
        if self.is_header() && field <= 2 {
            return self;
        }
        let f = grow(&mut self.fields, field);
        let r = grow(f, rep);
        let c = grow(r, comp);
        *grow(c, sub) = value.to_string();
        self
    }

    /// Empties field `n`.
    pub fn clear(&mut self, n: usize) -> &mut Self {
        if let Some(f) = self.fields.get_mut(n.wrapping_sub(1)) {
            f.clear();
        }
        self
    }

    /// Field `n`, first repetition, first component.
    pub fn field(&mut self, n: usize, value: &str) -> &mut Self {
        self.set(n, 1, 1, 1, value)
    }

    /// Component `c` of the first repetition of field `n`.
    pub fn component(&mut self, n: usize, c: usize, value: &str) -> &mut Self {
        self.set(n, 1, c, 1, value)
    }

    /// Components `1..` of a new repetition appended to field `n` (empty strings leave a component
    /// empty); nothing when every value is empty.
    pub fn repetition(&mut self, n: usize, components: &[&str]) -> &mut Self {
        if components.iter().all(|c| c.is_empty()) {
            return self;
        }
        let rep = self.repetitions(n) + 1;
        for (i, value) in components.iter().enumerate() {
            self.set(n, rep, i + 1, 1, value);
        }
        self
    }

    /// How many repetitions field `n` holds.
    pub fn repetitions(&self, n: usize) -> usize {
        if self.is_header() && n <= 2 {
            return 0;
        }
        self.fields.get(n.wrapping_sub(1)).map_or(0, Vec::len)
    }

    /// The first subcomponent of every component of repetition `rep` of field `n`, unescaped.
    pub fn values(&self, n: usize, rep: usize) -> Vec<String> {
        self.fields
            .get(n.wrapping_sub(1))
            .and_then(|f| f.get(rep.wrapping_sub(1)))
            .map(|r| {
                r.iter()
                    .map(|c| c.first().cloned().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The segment as HL7 text without its terminator.
    pub fn to_hl7(&self, d: &Delimiters) -> String {
        let mut out = self.name.clone();
        let mut fields = self.fields.iter();
        if self.is_header() {
            out.push(d.field);
            out.push_str(&encoding_characters(d));
            fields.nth(1);
        }
        let rest: Vec<String> = fields.map(|f| field_text(f, d)).collect();
        let used = rest
            .iter()
            .rposition(|f| !f.is_empty())
            .map_or(0, |i| i + 1);
        for f in &rest[..used] {
            out.push(d.field);
            out.push_str(f);
        }
        out
    }

    fn to_segment(&self, d: &Delimiters) -> Segment {
        let text = self.to_hl7(d);
        let mut parts = text.split(d.field).skip(1);
        let mut fields = Vec::new();
        if self.is_header() {
            parts.next();
            fields.push(Field::value(&d.field.to_string()));
            fields.push(Field::value(&encoding_characters(d)));
        }
        fields.extend(parts.map(|raw| Field::parse(raw, d)));
        Segment {
            name: self.name.clone(),
            fields,
        }
    }
}

/// MSH-2: component, repetition, escape, subcomponent (and truncation) characters.
fn encoding_characters(d: &Delimiters) -> String {
    let mut s: String = [d.component, d.repetition, d.escape, d.subcomponent]
        .into_iter()
        .collect();
    if let Some(t) = d.truncation {
        s.push(t);
    }
    s
}

/// The vector's element `n` (1-based), growing it with defaults as needed.
fn grow<T: Default>(v: &mut Vec<T>, n: usize) -> &mut T {
    if v.len() < n {
        v.resize_with(n, T::default);
    }
    &mut v[n - 1]
}

/// One field's text: escaped values joined by the delimiters, trailing empty parts left out.
fn field_text(field: &FieldValue, d: &Delimiters) -> String {
    let reps: Vec<String> = field
        .iter()
        .map(|rep| {
            let comps: Vec<String> = rep
                .iter()
                .map(|comp| {
                    let subs: Vec<String> = comp
                        .iter()
                        .map(|s| escape::encode(s, d).into_owned())
                        .collect();
                    join_trimmed(&subs, d.subcomponent)
                })
                .collect();
            join_trimmed(&comps, d.component)
        })
        .collect();
    join_trimmed(&reps, d.repetition)
}

fn join_trimmed(parts: &[String], delimiter: char) -> String {
    let used = parts
        .iter()
        .rposition(|p| !p.is_empty())
        .map_or(0, |i| i + 1);
    parts[..used].join(&delimiter.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> MessageBuilder {
        let mut msh = SegmentBuilder::new("MSH");
        msh.field(3, "KAKEHASHI")
            .field(4, "1319999999")
            .field(7, "20161201093000")
            .component(9, 1, "ADT")
            .component(9, 2, "A08")
            .component(9, 3, "ADT_A01")
            .field(10, "KH0001")
            .field(11, "P")
            .field(12, "2.5")
            .set(18, 2, 1, 1, "ISO IR87")
            .field(20, "ISO 2022-1994");
        let mut pid = SegmentBuilder::new("PID");
        pid.field(1, "0001")
            .repetition(3, &["1000000001", "", "", "", "PI"])
            .repetition(5, &["山田", "太郎", "", "", "", "", "L", "I"])
            .repetition(5, &["ヤマダ", "タロウ", "", "", "", "", "L", "P"])
            .set(11, 1, 8, 1, "東京都渋谷区本町1&2|3^4~5\\6")
            .set(13, 1, 2, 1, "PRN")
            .set(13, 1, 12, 1, "03-1234-5678");
        let mut tq1 = SegmentBuilder::new("TQ1");
        tq1.set(3, 1, 1, 1, "1013044400000000")
            .set(3, 1, 1, 2, "内服・経口・１日３回朝昼夕食後")
            .set(3, 1, 1, 3, "JAMISDP01");
        let mut b = MessageBuilder::new();
        b.push(msh).push(pid).push(tq1);
        b
    }

    #[test]
    fn a_built_message_parses_back_to_the_same_message_and_values() {
        let b = sample();
        let text = b.to_hl7();
        assert!(text.starts_with("MSH|^~\\&|KAKEHASHI|1319999999|||20161201093000||ADT^A08^ADT_A01|KH0001|P|2.5||||||~ISO IR87||ISO 2022-1994\r"));
        assert!(
            text.contains("\rPID|0001||1000000001^^^^PI||山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P|")
        );
        assert!(text.ends_with("TQ1|||1013044400000000&内服・経口・１日３回朝昼夕食後&JAMISDP01\r"));
        let parsed = Message::parse(&text).unwrap();
        assert_eq!(parsed, b.to_message());
        assert_eq!(parsed.to_hl7(), text);
        assert_eq!(parsed.get("MSH-1").as_deref(), Some("|"));
        assert_eq!(parsed.get("MSH-2").as_deref(), Some("^~\\&"));
        assert_eq!(parsed.value("MSH-9.2").as_deref(), Some("A08"));
        assert_eq!(parsed.value("PID-5[2].1").as_deref(), Some("ヤマダ"));
        assert_eq!(
            parsed.value("PID-11.8").as_deref(),
            Some("東京都渋谷区本町1&2|3^4~5\\6")
        );
        assert_eq!(parsed.value("PID-13.12").as_deref(), Some("03-1234-5678"));
        assert_eq!(parsed.value("TQ1-3.1.3").as_deref(), Some("JAMISDP01"));
    }

    #[test]
    fn empty_values_and_header_delimiters_are_not_set() {
        let mut s = SegmentBuilder::new("MSH");
        s.field(1, "x").field(2, "y").field(3, "").field(4, "A");
        assert_eq!(s.to_hl7(&Delimiters::default()), "MSH|^~\\&||A");
        let mut p = SegmentBuilder::new("PV1");
        p.field(2, "").repetition(3, &["", ""]);
        assert_eq!(p.to_hl7(&Delimiters::default()), "PV1");
        assert_eq!(p.repetitions(3), 0);
    }

    #[test]
    fn the_message_delimiters_are_used() {
        let d = Delimiters::from_header("MSH", '#', "$*!@").unwrap();
        let mut b = MessageBuilder::with_delimiters(d);
        let mut msh = SegmentBuilder::new("MSH");
        msh.field(3, "A$B").component(9, 2, "A08");
        b.push(msh);
        assert_eq!(b.to_hl7(), "MSH#$*!@#A!S!B######$A08\r");
        let parsed = Message::parse(&b.to_hl7()).unwrap();
        assert_eq!(parsed, b.to_message());
        assert_eq!(parsed.value("MSH-3").as_deref(), Some("A$B"));
    }
}
