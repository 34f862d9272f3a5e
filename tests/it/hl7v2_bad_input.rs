//! Bad HL7 v2 input over `POST /hl7v2` (issue #5 tests): truncated, wrong delimiters, wrong character set,
//! a missing MSH, an unknown message type, binary garbage and an oversized body each get a NAK with a
//! precise reason (MSA-1, ERR-2, ERR-3, ERR-8) or the HTTP limit, and nothing is stored.

use crate::helpers::TestApp;
use crate::mllp::rows;
use kakehashi_mappings::hl7v2::Message;

/// A valid SS-MIX2 ADT^A08 with an ISO-2022-JP name (山田 太郎).
const GOOD: &[u8] = b"MSH|^~\\&|HIS|1319999999|GW|1319999999|20261202093015||ADT^A08^ADT_A01|BAD-0001|P|2.5||||||~ISO IR87||ISO 2022-1994\rEVN||20261202093015\rPID|||7000000001^^^^PI||\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B^^^^^L^I||19800101|M\r";

fn replaced(from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = GOOD
        .windows(from.len())
        .position(|w| w == from)
        .expect("the part to replace");
    [&GOOD[..at], to, &GOOD[at + from.len()..]].concat()
}

/// One bad input: its name, the body, and the NAK's MSA-1, ERR-2, ERR-3 and a word of ERR-8.
type Case = (
    &'static str,
    Vec<u8>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

async fn bad_input_gets_a_precise_nak_and_nothing_is_stored(app: &TestApp) {
    let url = format!("{}/hl7v2", app.hospital);
    let shift_jis_name: &[u8] = &[0x8e, 0x52, 0x93, 0x63]; // 山田 in Shift_JIS, labelled ~ISO IR87
    let garbage: Vec<u8> = (0u32..600).map(|i| (i * 7919 % 251) as u8).collect();
    let cases: Vec<Case> = vec![
        (
            "truncated",
            GOOD[..40].to_vec(),
            "AR",
            "MSH^1^9",
            "101",
            "MSH-9",
        ),
        (
            "repeated encoding character",
            replaced(b"MSH|^~\\&|", b"MSH|^^\\&|"),
            "AR",
            "MSH^1^2",
            "102",
            "differ",
        ),
        (
            "wrong character set",
            replaced(b"\x1b$B;3ED\x1b(B", shift_jis_name),
            "AE",
            "",
            "102",
            "ISO-2022-JP",
        ),
        (
            "missing MSH",
            GOOD[GOOD.windows(3).position(|w| w == b"EVN").unwrap()..].to_vec(),
            "AR",
            "",
            "100",
            "missing MSH",
        ),
        (
            "unknown message type",
            replaced(b"ADT^A08^ADT_A01", b"ZZZ^Z01"),
            "AR",
            "MSH^1^9",
            "200",
            "not supported",
        ),
        ("binary garbage", garbage, "AR", "", "100", "binary"),
    ];
    for (case, body, msa1, err2, err3, reason) in cases {
        let response = app
            .client
            .post(&url)
            .header("content-type", "x-application/hl7-v2+er7")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{case}");
        let bytes = response.bytes().await.unwrap();
        let text = kakehashi_mappings::hl7v2::parse_bytes(&bytes, &Default::default())
            .map(|p| p.decoded.text)
            .unwrap_or_else(|e| panic!("{case}: the NAK does not parse: {e}"));
        let ack = Message::parse(&text).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(ack.value("MSA-1").as_deref(), Some(msa1), "{case}: {text}");
        assert_eq!(ack.get("ERR-2").unwrap_or_default(), err2, "{case}: {text}");
        assert_eq!(ack.get("ERR-3.1").as_deref(), Some(err3), "{case}: {text}");
        let message = ack.value("ERR-8").unwrap_or_default();
        assert!(message.contains(reason), "{case}: ERR-8 is '{message}'");
    }
    // Over the size limit: refused before it is read as HL7.
    let huge = [GOOD, &vec![b'X'; 17 * 1024 * 1024][..]].concat();
    let response = app
        .client
        .post(&url)
        .header("content-type", "x-application/hl7-v2+er7")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 0);
    assert_eq!(rows(app, "SELECT COUNT(*) FROM resources").await, 0);
    // The good message itself is accepted, so the cases above failed for their own reason.
    let response = app
        .client
        .post(&url)
        .header("content-type", "x-application/hl7-v2+er7")
        .body(GOOD.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(rows(app, "SELECT COUNT(*) FROM hl7v2_messages").await, 1);
}

crate::on_both_databases!(bad_input_gets_a_precise_nak_and_nothing_is_stored);
