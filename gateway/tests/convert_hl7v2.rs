//! `kakehashi convert` between HL7 v2 (SS-MIX2) and FHIR, run as the real binary: both directions, the
//! character sets, the Bundle kinds and the exit codes (issue #5 steps 2 and 3).

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::text;
use kakehashi_mappings::hl7v2::{charset, Charset};
use serde_json::Value;

/// Runs `kakehashi` with `args`, `stdin` written to its standard input.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kakehashi"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("binary ends")
}

const ADT_A08: &str = "MSH|^~\\&|HIS|1319999999|GW|1319999999|20161201093000||ADT^A08^ADT_A01|KH00001|P|2.5||||||~ISO IR87||ISO 2022-1994\r\
EVN||20161201093000\r\
PID|0001||1000000001^^^^PI||山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P||19791101|M|||^^渋谷区^東京都^1510071^JPN^H^東京都渋谷区本町三丁目１２ー１||^PRN^PH^^^^^^^^^03-1234-5678\r\
PV1|0001|N\r";

fn iso2022jp(text: &str) -> Vec<u8> {
    charset::encode(text, Charset::Iso2022Jp).expect("encodable")
}

fn from_iso2022jp(bytes: &[u8]) -> String {
    charset::decode_as(bytes, Charset::Iso2022Jp).expect("ISO-2022-JP")
}

#[test]
fn an_ss_mix2_message_becomes_a_transaction_bundle_and_back() {
    let out = run(
        &["convert", "--from", "hl7v2", "--to", "fhir", "-"],
        &iso2022jp(ADT_A08),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let bundle: Value = serde_json::from_slice(&out.stdout).expect("one Bundle");
    assert_eq!(bundle["type"], "transaction");
    let patient = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .expect("a Patient");
    assert_eq!(patient["request"]["method"], "PUT");
    assert_eq!(patient["resource"]["name"][1]["family"], "ヤマダ");
    // The issues are one a line, `severity position: text`.
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .lines()
            .all(|l| l.starts_with("information ") || l.starts_with("warning ")),
        "{stderr}"
    );

    let back = run(
        &["convert", "--from", "fhir", "--to", "hl7v2", "-"],
        &out.stdout,
    );
    assert_eq!(back.status.code(), Some(0), "{}", text(&back.stderr));
    // ISO-2022-JP by default: escapes, no raw UTF-8.
    assert!(back.stdout.windows(3).any(|w| w == b"\x1b$B"));
    let message = from_iso2022jp(&back.stdout);
    let segments: Vec<&str> = message.split_terminator('\r').collect();
    assert_eq!(segments.len(), 4, "{message}");
    assert!(
        segments[0].starts_with("MSH|^~\\&|KAKEHASHI|1319999999|"),
        "{message}"
    );
    assert!(segments[0].contains("||ADT^A08^ADT_A01|"), "{message}");
    assert!(
        segments[0].ends_with("|P|2.5||||||~ISO IR87||ISO 2022-1994"),
        "{message}"
    );
    assert_eq!(
        segments[2],
        "PID|0001||1000000001^^^^PI||山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P||19791101|M|||^^渋谷区^東京都^1510071^JPN^H^東京都渋谷区本町三丁目１２ー１||^PRN^PH^^^^^^^^^03-1234-5678"
    );
    assert!(!message.contains('\n'));

    let utf8 = run(
        &[
            "convert",
            "--from",
            "fhir",
            "--to",
            "hl7v2",
            "--charset",
            "utf-8",
            "-",
        ],
        &out.stdout,
    );
    assert_eq!(utf8.status.code(), Some(0));
    let message = String::from_utf8(utf8.stdout).expect("UTF-8");
    assert!(message.contains("|UNICODE UTF-8\rEVN|"), "{message}");
    assert!(message.contains("山田^太郎"), "{message}");
}

#[test]
fn the_message_bundle_is_available() {
    let out = run(
        &[
            "convert", "--from", "hl7v2", "--to", "fhir", "--bundle", "message", "-",
        ],
        ADT_A08.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let bundle: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bundle["type"], "message");
    assert_eq!(
        bundle["entry"][0]["resource"]["resourceType"],
        "MessageHeader"
    );
    assert_eq!(bundle["identifier"]["value"], "KH00001");
}

#[test]
fn bad_messages_exit_65_with_the_reason() {
    // An unsupported message type.
    let out = run(
        &["convert", "--from", "hl7v2", "--to", "fhir", "-"],
        b"MSH|^~\\&|HIS|1319999999|GW|1319999999|20161201093000||ZZZ^Z99|1|P|2.5\r",
    );
    assert_eq!(out.status.code(), Some(65));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error MSH-9: message type ZZZ^Z99 is not supported"),
        "{stderr}"
    );
    // No PID-3.
    let no_id = ADT_A08.replace("1000000001^^^^PI", "");
    let out = run(
        &["convert", "--from", "hl7v2", "--to", "fhir", "-"],
        no_id.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(65));
    assert!(text(&out.stderr).contains("PID-3"), "{}", text(&out.stderr));
    // Not HL7 at all.
    let out = run(
        &["convert", "--from", "hl7v2", "--to", "fhir", "-"],
        b"hello",
    );
    assert_eq!(out.status.code(), Some(65));
    assert!(
        text(&out.stderr).contains("not an HL7 v2 message"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn resources_that_cannot_be_written_in_v2_exit_65() {
    // A MedicationRequest whose Patient is not in the input.
    let bundle = serde_json::json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Encounter", "id": "e1", "status": "arrived",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "subject": {"reference": "Patient/missing"}}}]});
    let out = run(
        &["convert", "--from", "fhir", "--to", "hl7v2", "-"],
        bundle.to_string().as_bytes(),
    );
    assert_eq!(out.status.code(), Some(65));
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("error Bundle.entry[0].resource.subject: The Encounter refers to no Patient"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    // Only unsupported resources: nothing to write.
    let out = run(
        &["convert", "--from", "fhir", "--to", "hl7v2", "-"],
        br#"{"resourceType": "Basic", "id": "b"}"#,
    );
    assert_eq!(out.status.code(), Some(65));
    assert!(
        text(&out.stderr).contains("information Basic: A Basic is not mapped"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn several_records_become_several_messages_one_after_another() {
    let patient = serde_json::json!({"resourceType": "Patient", "id": "p1",
        "identifier": [{"system": "urn:oid:1.2.392.100495.20.3.51.11319999999", "value": "1000000001"}],
        "name": [{"family": "山田", "given": ["太郎"]}]});
    let bundle = serde_json::json!({"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:p1", "resource": patient},
        {"resource": {"resourceType": "Condition", "id": "c1",
            "code": {"coding": [{"system": "http://medis.or.jp/CodeSystem/master-disease-keyNumber", "code": "20054946", "display": "高血圧症"}]},
            "verificationStatus": {"coding": [{"code": "confirmed"}]},
            "onsetDateTime": "2026-11-30", "subject": {"reference": "urn:uuid:p1"}}},
        {"resource": {"resourceType": "AllergyIntolerance", "id": "a1",
            "identifier": [{"value": "AL1"}], "category": ["food"],
            "code": {"coding": [{"code": "J0130", "display": "そば"}]},
            "patient": {"reference": "urn:uuid:p1"}}}]});
    let out = run(
        &[
            "convert",
            "--from",
            "fhir",
            "--to",
            "hl7v2",
            "--charset",
            "utf-8",
            "-",
        ],
        bundle.to_string().as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stream = String::from_utf8(out.stdout).unwrap();
    let headers: Vec<&str> = stream
        .split('\r')
        .filter(|s| s.starts_with("MSH|"))
        .collect();
    assert_eq!(headers.len(), 2, "{stream}");
    assert!(headers[0].contains("|PPR^ZD1^PPR_ZD1|"), "{stream}");
    assert!(headers[1].contains("|ADT^A60^ADT_A60|"), "{stream}");
    // Distinct control ids, one prefix.
    let ids: Vec<&str> = headers
        .iter()
        .map(|h| h.split('|').nth(9).unwrap())
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert_eq!(ids[0][..16], ids[1][..16]);
    assert!(stream.contains("\rPRB|AD|"), "{stream}");
    assert!(stream.contains("|20054946^高血圧症^MDCDX2|"), "{stream}");
    assert!(stream.contains("\rIAM|1|FA|J0130^そば|"), "{stream}");
}
