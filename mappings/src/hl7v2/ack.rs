//! HL7 v2.5 acknowledgements (ACK^{trigger}^ACK) as JAHIS senders expect them: HL7 v2.5 §2.9 (original
//! mode AA/AE/AR; enhanced mode accept acknowledgements CA/CE/CR honouring MSH-15 AL/NE/ER/SU, table
//! 0155), §2.14.5 ERR (ERR-2 ERL, ERR-3 table 0357, ERR-4 table 0516, ERR-7 the FHIRPath of an issue
//! found in the mapped resources, ERR-8 user message).
//!
//! Pure: the control id and the time of the ACK come from the caller. The ACK uses the incoming message's
//! delimiters and copies its MSH-18 (and MSH-20), so it is answered in the sender's character set
//! ([`encode`]).

use super::charset::{self, Charset};
use super::delimiters::Delimiters;
use super::escape;
use super::message::Message;
use super::msh18::charset_from_msh18;
use super::position::Position;
use crate::{Issue, IssueCode, Severity};

/// The verdict an ACK carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckCode {
    /// AA / CA: accepted (stored).
    Accept,
    /// AE / CE: the message has errors; the sender must correct it.
    Error,
    /// AR / CR: rejected (unsupported type, or our own failure: the sender may retry).
    Reject,
}

/// When the sender wants an accept acknowledgement (MSH-15, HL7 table 0155).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Always,
    Never,
    OnError,
    OnSuccess,
}

/// Original mode (MSH-15 empty) or enhanced mode with MSH-15's condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Original,
    Enhanced(Condition),
}

impl Mode {
    /// The mode asked for by MSH-15 (`AL`, `NE`, `ER`, `SU`; an unknown value counts as `AL`).
    pub fn from_msh15(msh15: &str) -> Mode {
        match msh15.trim() {
            "" => Mode::Original,
            "NE" => Mode::Enhanced(Condition::Never),
            "ER" => Mode::Enhanced(Condition::OnError),
            "SU" => Mode::Enhanced(Condition::OnSuccess),
            _ => Mode::Enhanced(Condition::Always),
        }
    }

    /// MSA-1 for a verdict: `AA` / `CA` …
    pub fn msa1(self, code: AckCode) -> &'static str {
        match (self, code) {
            (Mode::Original, AckCode::Accept) => "AA",
            (Mode::Original, AckCode::Error) => "AE",
            (Mode::Original, AckCode::Reject) => "AR",
            (Mode::Enhanced(_), AckCode::Accept) => "CA",
            (Mode::Enhanced(_), AckCode::Error) => "CE",
            (Mode::Enhanced(_), AckCode::Reject) => "CR",
        }
    }

    /// Whether an ACK with this verdict is sent at all.
    pub fn wanted(self, code: AckCode) -> bool {
        match self {
            Mode::Original | Mode::Enhanced(Condition::Always) => true,
            Mode::Enhanced(Condition::Never) => false,
            Mode::Enhanced(Condition::OnError) => code != AckCode::Accept,
            Mode::Enhanced(Condition::OnSuccess) => code == AckCode::Accept,
        }
    }
}

/// The verdict of an MSA-1 value (`AA`, `CE`, …).
pub fn code_of_msa1(msa1: &str) -> Option<AckCode> {
    match msa1.trim() {
        "AA" | "CA" => Some(AckCode::Accept),
        "AE" | "CE" => Some(AckCode::Error),
        "AR" | "CR" => Some(AckCode::Reject),
        _ => None,
    }
}

/// MSA-1 of an ACK text as [`acknowledge`] writes it (and the store keeps it): the first field of its MSA
/// segment, read with the ACK's own field separator (MSH-1) without parsing the message; None when the
/// text has no MSH or no MSA. Every answered message needs it twice (MSH-15's verdict, the audit row).
pub fn msa1_of(ack: &str) -> Option<&str> {
    let separator = ack.strip_prefix("MSH")?.chars().next()?;
    ack.split(['\r', '\n'])
        .find_map(|segment| segment.strip_prefix("MSA")?.strip_prefix(separator))
        .map(|fields| fields.split(separator).next().unwrap_or_default())
}

/// One ERR segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckError {
    /// An HL7 position such as `PID-5.1` or `OBX[3]-5` (ERR-2); anything else is left out.
    pub position: Option<String>,
    /// HL7 table 0357 code (ERR-3), e.g. `101`.
    pub code: &'static str,
    pub severity: Severity,
    /// ERR-8, the user message (issue text; never patient data).
    pub text: String,
}

impl AckError {
    /// The ERR for an issue: its HL7 position and the table 0357 code of its kind.
    pub fn from_issue(issue: &Issue) -> AckError {
        AckError {
            position: issue.expression.clone(),
            code: error_code(issue),
            severity: issue.severity,
            text: issue.message.clone(),
        }
    }
}

/// The rule prefix naming a table 0357 code explicitly (`HL70357:201`), for issues whose kind alone
/// does not tell (an unsupported event of a supported message type).
pub const RULE_PREFIX: &str = "HL70357:";

/// The table 0357 code for an issue: the one its rule names (`HL70357:201`), else by its kind.
pub fn error_code(issue: &Issue) -> &'static str {
    let named = issue
        .rule
        .as_deref()
        .and_then(|r| r.strip_prefix(RULE_PREFIX));
    if let Some(code) = named.and_then(|c| CODES.iter().find(|known| **known == c)) {
        return code;
    }
    match issue.code {
        IssueCode::Structure => "100",
        IssueCode::Required => "101",
        IssueCode::Value | IssueCode::Invalid | IssueCode::Invariant | IssueCode::TooLong => "102",
        IssueCode::CodeInvalid => "103",
        IssueCode::NotSupported => "200",
        _ => "207",
    }
}

/// The table 0357 codes this builder writes.
const CODES: [&str; 11] = [
    "0", "100", "101", "102", "103", "200", "201", "202", "203", "206", "207",
];

/// The text of a table 0357 code.
fn error_text(code: &str) -> &'static str {
    match code {
        "0" => "Message accepted",
        "100" => "Segment sequence error",
        "101" => "Required field missing",
        "102" => "Data type error",
        "103" => "Table value not found",
        "200" => "Unsupported message type",
        "201" => "Unsupported event code",
        "202" => "Unsupported processing id",
        "203" => "Unsupported version id",
        "206" => "Application record locked",
        _ => "Application internal error",
    }
}

/// ERR-2 (ERL: segment ^ sequence ^ field ^ repetition ^ component ^ subcomponent) for an HL7 position,
/// e.g. `PID-5.1` → `PID^1^5^^1`; `None` for anything that is not an HL7 position (a FHIRPath).
pub fn erl(position: &str, d: &Delimiters) -> Option<String> {
    let p: Position = position.parse().ok()?;
    let number = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut parts = vec![p.segment.clone(), p.segment_index.to_string()];
    if p.field > 0 {
        parts.push(p.field.to_string());
        parts.push(number(p.repetition));
        parts.push(number(p.component));
        parts.push(number(p.subcomponent));
    }
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    Some(parts.join(&d.component.to_string()))
}

/// What the gateway supplies: the ACK's own MSH-10 and MSH-7 (HL7 DTM, e.g. `20261202101500+0900`).
#[derive(Debug, Clone, Copy)]
pub struct AckHeader<'a> {
    pub control_id: &'a str,
    pub timestamp: &'a str,
}

/// A built ACK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The ACK text, segments ended by CR.
    pub text: String,
    /// MSA-1 (`AA`, `CE`, …).
    pub msa1: &'static str,
    /// False when MSH-15 says not to send this ACK (NE; ER on success; SU on error).
    pub wanted: bool,
}

/// Builds the ACK for `message` (or, when there is no usable MSH at all, an AR from defaults).
pub fn acknowledge(
    message: Option<&Message>,
    code: AckCode,
    errors: &[AckError],
    header: AckHeader<'_>,
) -> Ack {
    let Some(message) = message else {
        return default_reject(errors, header);
    };
    let d = *message.delimiters();
    let raw = |path: &str| {
        message
            .get(path)
            .map(|v| v.into_owned())
            .unwrap_or_default()
    };
    let mode = Mode::from_msh15(&message.value("MSH-15").unwrap_or_default());
    let msa1 = mode.msa1(code);
    let f = d.field;
    let trigger = raw("MSH-9.2");
    let mut msh = vec![
        format!("MSH{f}{}", d.encoding_characters()),
        raw("MSH-5"),
        raw("MSH-6"),
        raw("MSH-3"),
        raw("MSH-4"),
        escape::encode(header.timestamp, &d).into_owned(),
        String::new(),
        format!("ACK{c}{trigger}{c}ACK", c = d.component),
        escape::encode(header.control_id, &d).into_owned(),
        raw("MSH-11"),
        raw("MSH-12"),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        raw("MSH-17"),
        raw("MSH-18"),
        raw("MSH-19"),
        raw("MSH-20"),
    ];
    while msh.last().is_some_and(String::is_empty) {
        msh.pop();
    }
    let mut text = msh.join(&f.to_string());
    text.push('\r');
    text.push_str(&format!("MSA{f}{msa1}{f}{}\r", raw("MSH-10")));
    for e in errors {
        text.push_str(&err_segment(e, &d));
    }
    Ack {
        text,
        msa1,
        wanted: mode.wanted(code),
    }
}

fn default_reject(errors: &[AckError], header: AckHeader<'_>) -> Ack {
    let d = Delimiters::default();
    let mut text = format!(
        "MSH|^~\\&|||||{}||ACK^^ACK|{}|P|2.5\rMSA|AR|\r",
        escape::encode(header.timestamp, &d),
        escape::encode(header.control_id, &d)
    );
    for e in errors {
        text.push_str(&err_segment(e, &d));
    }
    Ack {
        text,
        msa1: "AR",
        wanted: true,
    }
}

fn err_segment(e: &AckError, d: &Delimiters) -> String {
    let f = d.field;
    let c = d.component;
    let location = e.position.as_deref().and_then(|p| erl(p, d));
    // A location that is no HL7 position (the FHIRPath of a validation issue) goes to ERR-7.
    let diagnostic = match (&location, &e.position) {
        (None, Some(path)) => escape::encode(path, d).into_owned(),
        _ => String::new(),
    };
    let location = location.unwrap_or_default();
    let severity = match e.severity {
        Severity::Fatal | Severity::Error => "E",
        Severity::Warning => "W",
        Severity::Information => "I",
    };
    format!(
        "ERR{f}{f}{location}{f}{code}{c}{text}{c}HL70357{f}{severity}{f}{f}{f}{diagnostic}{f}{user}\r",
        code = e.code,
        text = error_text(e.code),
        user = escape::encode(&e.text, d),
    )
}

/// The ACK text as bytes in the character set its MSH-18 names (the sender's); a character that set
/// cannot hold becomes `?` (ERR-8 texts are ours, so nothing the sender wrote is lost).
pub fn encode(ack: &str) -> Vec<u8> {
    let charset = Message::parse(ack)
        .ok()
        .and_then(|m| {
            let msh18 = m.value("MSH-18").unwrap_or_default();
            charset_from_msh18(&msh18, m.delimiters().repetition).ok()
        })
        .unwrap_or(Charset::Utf8);
    charset::encode(ack, charset).unwrap_or_else(|_| {
        let plain: String = ack
            .chars()
            .map(|c| {
                if charset::encode(c.encode_utf8(&mut [0; 4]), charset).is_ok() {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        charset::encode(&plain, charset).unwrap_or_else(|_| plain.into_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msa1_is_read_without_parsing() {
        let ack = "MSH|^~\\&|GW|KH|HIS|H|20261202||ACK^R22^ACK|a1|P|2.5\rMSA|AE|MSG1\rERR||PID^1^5|101^x^HL70357|E";
        assert_eq!(msa1_of(ack), Some("AE"));
        assert_eq!(
            msa1_of(ack),
            Message::parse(ack).unwrap().value("MSA-1").as_deref()
        );
        assert_eq!(msa1_of("MSH#^~\\&#GW\rMSA#CA#1"), Some("CA"));
        assert_eq!(msa1_of("MSH|^~\\&|GW\rPID|1"), None);
        assert_eq!(msa1_of("garbage"), None);
    }

    const HEADER: AckHeader<'static> = AckHeader {
        control_id: "K0001",
        timestamp: "20261202100000+0900",
    };

    fn message(msh15: &str) -> Message {
        Message::parse(&format!(
            "MSH|^~\\&|HIS|1319999999|GW|KAKEHASHI|20261202095959||ADT^A08^ADT_A01|MSG0001|P|2.5|||{msh15}|||~ISO IR87||ISO 2022-1994\rPID|||1^^^^PI\r"
        ))
        .unwrap()
    }

    #[test]
    fn original_mode_accept_swaps_sender_and_receiver() {
        let ack = acknowledge(Some(&message("")), AckCode::Accept, &[], HEADER);
        assert_eq!(
            ack.text,
            "MSH|^~\\&|GW|KAKEHASHI|HIS|1319999999|20261202100000+0900||ACK^A08^ACK|K0001|P|2.5||||||~ISO IR87||ISO 2022-1994\rMSA|AA|MSG0001\r"
        );
        assert_eq!(ack.msa1, "AA");
        assert!(ack.wanted);
        let parsed = Message::parse(&ack.text).unwrap();
        assert_eq!(parsed.value("MSH-18").as_deref(), Some("~ISO IR87"));
    }

    #[test]
    fn errors_become_err_segments_with_their_location() {
        let issue =
            Issue::error(IssueCode::Required, "PID-5 (patient name) is empty").at("PID-5.1");
        let fhir = Issue::error(IssueCode::Invariant, "bad").at("Patient.name[0]");
        let errors = [AckError::from_issue(&issue), AckError::from_issue(&fhir)];
        let ack = acknowledge(Some(&message("")), AckCode::Error, &errors, HEADER);
        let parsed = Message::parse(&ack.text).unwrap();
        assert_eq!(parsed.value("MSA-1").as_deref(), Some("AE"));
        assert_eq!(parsed.get("ERR-2").as_deref(), Some("PID^1^5^^1"));
        assert_eq!(
            parsed.get("ERR-3").as_deref(),
            Some("101^Required field missing^HL70357")
        );
        assert_eq!(parsed.value("ERR-4").as_deref(), Some("E"));
        assert_eq!(
            parsed.value("ERR-8").as_deref(),
            Some("PID-5 (patient name) is empty")
        );
        // A FHIRPath is no HL7 position: no ERR-2.
        let second = parsed.segment("ERR", 2).unwrap();
        assert!(second
            .field(2)
            .is_none_or(|f| f.join(parsed.delimiters()).is_empty()));
        assert_eq!(parsed.get("ERR[2]-3.1").as_deref(), Some("102"));
        assert_eq!(parsed.value("ERR[2]-7").as_deref(), Some("Patient.name[0]"));
        assert_eq!(parsed.value("ERR[2]-8").as_deref(), Some("bad"));
        assert!(parsed.get("ERR-7").is_none_or(|v| v.is_empty()));
    }

    #[test]
    fn a_rule_names_the_code() {
        let issue = Issue::error(IssueCode::NotSupported, "ADT^A99").rule("HL70357:201");
        assert_eq!(error_code(&issue), "201");
        let unknown = Issue::error(IssueCode::NotSupported, "x").rule("HL70357:999");
        assert_eq!(error_code(&unknown), "200");
    }

    #[test]
    fn erl_of_positions() {
        let d = Delimiters::default();
        assert_eq!(erl("OBX[3]-5", &d).as_deref(), Some("OBX^3^5"));
        assert_eq!(erl("PID-5[2].1.2", &d).as_deref(), Some("PID^1^5^2^1^2"));
        assert_eq!(erl("PV1", &d).as_deref(), Some("PV1^1"));
        assert_eq!(erl("Patient.name", &d), None);
    }

    #[test]
    fn enhanced_mode_honours_msh15() {
        let al = acknowledge(Some(&message("AL")), AckCode::Accept, &[], HEADER);
        assert_eq!(al.msa1, "CA");
        assert!(al.wanted);
        let ne = acknowledge(Some(&message("NE")), AckCode::Error, &[], HEADER);
        assert_eq!(ne.msa1, "CE");
        assert!(!ne.wanted);
        let er = Mode::from_msh15("ER");
        assert!(!er.wanted(AckCode::Accept));
        assert!(er.wanted(AckCode::Reject));
        let su = Mode::from_msh15("SU");
        assert!(su.wanted(AckCode::Accept));
        assert!(!su.wanted(AckCode::Error));
        assert_eq!(
            acknowledge(Some(&message("SU")), AckCode::Reject, &[], HEADER).msa1,
            "CR"
        );
    }

    #[test]
    fn no_header_gives_a_default_reject() {
        let errors = [AckError {
            position: None,
            code: "100",
            severity: Severity::Error,
            text: "no MSH".into(),
        }];
        let ack = acknowledge(None, AckCode::Accept, &errors, HEADER);
        assert_eq!(ack.msa1, "AR");
        let parsed = Message::parse(&ack.text).unwrap();
        assert_eq!(parsed.value("MSA-1").as_deref(), Some("AR"));
        assert_eq!(parsed.value("MSH-10").as_deref(), Some("K0001"));
        assert_eq!(parsed.value("ERR-8").as_deref(), Some("no MSH"));
    }

    #[test]
    fn encoded_in_the_senders_charset_with_escapes() {
        let issue = Issue::error(IssueCode::Value, "値|が不正").at("PID-7");
        let ack = acknowledge(
            Some(&message("")),
            AckCode::Error,
            &[AckError::from_issue(&issue)],
            HEADER,
        );
        assert!(ack.text.contains("値\\F\\が不正"));
        let bytes = encode(&ack.text);
        assert!(bytes.contains(&0x1B), "ISO-2022-JP escapes expected");
        let decoded = charset::decode(&bytes).unwrap();
        assert_eq!(decoded.text, ack.text);
        // An ASCII-only sender gets '?' for what ASCII cannot hold.
        let ascii = "MSH|^~\\&|A||||||ACK^A08^ACK|1|P|2.5\rMSA|AE|1\rERR||||E||||値\r";
        assert!(encode(ascii).ends_with(b"||||?\r"));
    }
}
