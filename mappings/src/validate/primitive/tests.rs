//! Table-driven tests of the R4 primitive checks: valid and invalid values of every type.

use super::*;
use FaultKind::*;

mod dates;
mod equivalence;
mod messages;

/// One row: the type code, the value as JSON text (so that numbers keep their text), and the expected
/// outcome (None for valid, else the fault kind).
pub(super) type Row = (&'static str, &'static str, Option<FaultKind>);

/// Runs the rows and reports every mismatch at once.
pub(super) fn run(rows: &[Row]) {
    let mut failures = Vec::new();
    for &(type_code, json, expected) in rows {
        let value: Value = match serde_json::from_str(json) {
            Ok(value) => value,
            Err(e) => panic!("row {type_code} {json}: bad JSON in the test table: {e}"),
        };
        let got = check(type_code, &value);
        let got_kind = got.as_ref().err().map(|fault| fault.kind);
        if got_kind != expected {
            failures.push(format!(
                "{type_code} {json}: expected {expected:?}, got {got:?}"
            ));
        }
        if let Err(fault) = &got {
            let m = &fault.message;
            if !m.ends_with('.')
                || m.contains('\n')
                || !m
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c == '\'')
            {
                failures.push(format!(
                    "{type_code} {json}: message is not one sentence: {m:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_types() {
    run(&[
        ("boolean", "true", None),
        ("boolean", "false", None),
        ("boolean", r#""true""#, Some(WrongJsonType)),
        ("boolean", "1", Some(WrongJsonType)),
        ("boolean", "null", Some(WrongJsonType)),
        ("integer", r#""1""#, Some(WrongJsonType)),
        ("positiveInt", r#""1""#, Some(WrongJsonType)),
        ("unsignedInt", "true", Some(WrongJsonType)),
        ("decimal", r#""1.5""#, Some(WrongJsonType)),
        ("decimal", "[1.5]", Some(WrongJsonType)),
        ("string", "1", Some(WrongJsonType)),
        ("string", "true", Some(WrongJsonType)),
        ("string", "null", Some(WrongJsonType)),
        ("string", r#"["a"]"#, Some(WrongJsonType)),
        ("string", r#"{"value":"a"}"#, Some(WrongJsonType)),
        ("code", "1", Some(WrongJsonType)),
        ("date", "20230101", Some(WrongJsonType)),
        ("dateTime", "null", Some(WrongJsonType)),
        ("uri", "false", Some(WrongJsonType)),
        ("xhtml", "null", Some(WrongJsonType)),
        (
            "http://hl7.org/fhirpath/System.String",
            "1",
            Some(WrongJsonType),
        ),
        (
            "http://hl7.org/fhirpath/System.Boolean",
            r#""false""#,
            Some(WrongJsonType),
        ),
    ]);
}

#[test]
fn integers() {
    run(&[
        ("integer", "0", None),
        ("integer", "-0", None),
        ("integer", "1", None),
        ("integer", "-1", None),
        ("integer", "2147483647", None),
        ("integer", "-2147483648", None),
        ("integer", "2147483648", Some(Range)),
        ("integer", "-2147483649", Some(Range)),
        ("integer", "99999999999999999999999", Some(Range)),
        ("integer", "1.0", Some(Format)),
        ("integer", "1.5", Some(Format)),
        ("integer", "1e2", Some(Format)),
        ("integer", "-1E0", Some(Format)),
        ("positiveInt", "1", None),
        ("positiveInt", "2147483647", None),
        ("positiveInt", "0", Some(Range)),
        ("positiveInt", "-5", Some(Range)),
        ("positiveInt", "2147483648", Some(Range)),
        ("positiveInt", "1.0", Some(Format)),
        ("unsignedInt", "0", None),
        ("unsignedInt", "2147483647", None),
        ("unsignedInt", "-1", Some(Range)),
        ("unsignedInt", "2147483648", Some(Range)),
        ("unsignedInt", "0.0", Some(Format)),
        ("http://hl7.org/fhirpath/System.Integer", "7", None),
        (
            "http://hl7.org/fhirpath/System.Integer",
            "7.0",
            Some(Format),
        ),
    ]);
}

#[test]
fn decimals() {
    run(&[
        ("decimal", "0", None),
        ("decimal", "-0.0", None),
        ("decimal", "1.0", None),
        ("decimal", "3.14159265358979323846264338327950288", None),
        ("decimal", "1e-10", None),
        ("decimal", "6.02E+23", None),
        ("decimal", "100000000000000000000000000000", None),
        ("http://hl7.org/fhirpath/System.Decimal", "2.50", None),
    ]);
}

#[test]
fn strings() {
    run(&[
        ("string", r#""a""#, None),
        ("string", r#""山田 太郎""#, None),
        ("string", r#""ヤマダ タロウ""#, None),
        ("string", r#""line one\nline two\r\n\tindented""#, None),
        (
            "string",
            r#""  leading and trailing spaces are only a warning  ""#,
            None,
        ),
        ("string", r#""emoji 😀 and ¥ and ©""#, None),
        ("string", r#""""#, Some(Format)),
        ("string", r#""bad \u0001 char""#, Some(Format)),
        ("string", r#""nul \u0000""#, Some(Format)),
        ("string", r#""del \u007f""#, None),
        ("string", r#""c1 \u0085""#, None),
        ("markdown", r#""**bold**\n\n- item""#, None),
        ("markdown", r#""""#, Some(Format)),
        ("markdown", r#""\u0002""#, Some(Format)),
        (
            "http://hl7.org/fhirpath/System.String",
            r#""http://example.org/ext""#,
            None,
        ),
        (
            "http://hl7.org/fhirpath/System.String",
            r#""""#,
            Some(Format),
        ),
        ("System.String", r#""a""#, None),
    ]);
}

#[test]
fn string_length_limit() {
    let at_limit = Value::String("あ".repeat(MAX_STRING_BYTES / 3) + "a");
    assert_eq!(check("string", &at_limit), Ok(()));
    let over = Value::String("a".repeat(MAX_STRING_BYTES + 1));
    let fault = check("string", &over).expect_err("over 1 MB");
    assert_eq!(fault.kind, TooLong);
    assert!(fault.message.contains("1048577 bytes"), "{}", fault.message);
    assert_eq!(check("markdown", &over).map_err(|f| f.kind), Err(TooLong));
    // Only string and markdown have the 1 MB limit; a large attachment is fine.
    let base64 = Value::String("QUJD".repeat(MAX_STRING_BYTES / 2));
    assert_eq!(check("base64Binary", &base64), Ok(()));
}

#[test]
fn codes_and_ids() {
    run(&[
        ("code", r#""final""#, None),
        ("code", r#""entered-in-error""#, None),
        ("code", r#""a b c""#, None),
        ("code", r#""J12.8""#, None),
        ("code", r#""日本語""#, None),
        ("code", r#""a  b""#, Some(Whitespace)),
        ("code", r#""a\t\nb""#, Some(Whitespace)),
        ("code", r#"" final""#, Some(Whitespace)),
        ("code", r#""final ""#, Some(Whitespace)),
        ("code", r#""\n""#, Some(Whitespace)),
        ("code", r#""""#, Some(Format)),
        ("code", r#""a\u0001""#, Some(Format)),
        ("id", r#""example""#, None),
        ("id", r#""a-B.9""#, None),
        (
            "id",
            r#""0123456789012345678901234567890123456789012345678901234567890123""#,
            None,
        ),
        (
            "id",
            r#""01234567890123456789012345678901234567890123456789012345678901234""#,
            Some(TooLong),
        ),
        ("id", r#"" example""#, Some(Whitespace)),
        ("id", r#""example ""#, Some(Whitespace)),
        ("id", r#""ex ample""#, Some(Format)),
        ("id", r#""ex_ample""#, Some(Format)),
        ("id", r#""患者1""#, Some(Format)),
        ("id", r#""""#, Some(Format)),
    ]);
}

#[test]
fn uris() {
    run(&[
        ("uri", r#""http://hl7.org/fhir""#, None),
        ("uri", r#""urn:oid:1.2.3""#, None),
        ("uri", r#""Patient/123""#, None),
        ("uri", r##""#p1""##, None),
        ("uri", r#""http://example.org/a b""#, Some(Format)),
        ("uri", r#""http://example.org/\u3000""#, Some(Format)),
        ("uri", r#"" http://example.org""#, Some(Format)),
        ("uri", r#""""#, Some(Format)),
        ("url", r#""https://example.org/fhir/Patient""#, None),
        ("url", r#""mailto:someone@example.org""#, None),
        (
            "url",
            r#""urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7""#,
            None,
        ),
        ("url", r#""Patient/123""#, None),
        ("url", r#""//example.org""#, None),
        ("url", r#""1http://example.org""#, None),
        ("url", r#""""#, Some(Format)),
        (
            "canonical",
            r#""http://hl7.org/fhir/ValueSet/my-valueset""#,
            None,
        ),
        (
            "canonical",
            r#""http://hl7.org/fhir/ValueSet/my-valueset|0.8""#,
            None,
        ),
        (
            "canonical",
            r#""http://example.org/Questionnaire/q|1.0#item""#,
            None,
        ),
        (
            "canonical",
            r#""http://example.org/Questionnaire/q#item""#,
            None,
        ),
        ("canonical", r#""http://example.org/vs|""#, Some(Format)),
        ("canonical", r#""|1.0""#, Some(Format)),
        ("canonical", r#""http://example.org/vs|1|2""#, Some(Format)),
        ("canonical", r#""http://example.org/vs |1""#, Some(Format)),
        ("canonical", r#""""#, Some(Format)),
    ]);
}

#[test]
fn oids_and_uuids() {
    run(&[
        (
            "oid",
            r#""urn:oid:1.2.392.100495.20.3.51.11311234567""#,
            None,
        ),
        ("oid", r#""urn:oid:2.16.840.1.113883.6.1""#, None),
        ("oid", r#""urn:oid:0.0""#, None),
        ("oid", r#""urn:oid:1""#, Some(Format)),
        ("oid", r#""urn:oid:3.1""#, Some(Format)),
        ("oid", r#""urn:oid:12.1""#, Some(Format)),
        ("oid", r#""urn:oid:1.02""#, Some(Format)),
        ("oid", r#""urn:oid:1..2""#, Some(Format)),
        ("oid", r#""urn:oid:1.2.""#, Some(Format)),
        ("oid", r#""urn:oid:1.2a""#, Some(Format)),
        ("oid", r#""1.2.392.100495""#, Some(Format)),
        ("oid", r#""URN:OID:1.2""#, Some(Format)),
        ("oid", r#""""#, Some(Format)),
        (
            "uuid",
            r#""urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7""#,
            None,
        ),
        (
            "uuid",
            r#""urn:uuid:53FEFA32-FCBB-4FF8-8A92-55EE120877B7""#,
            Some(Format),
        ),
        (
            "uuid",
            r#""53fefa32-fcbb-4ff8-8a92-55ee120877b7""#,
            Some(Format),
        ),
        (
            "uuid",
            r#""urn:uuid:53fefa32fcbb4ff88a9255ee120877b7""#,
            Some(Format),
        ),
        (
            "uuid",
            r#""urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b""#,
            Some(Format),
        ),
        (
            "uuid",
            r#""urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7a""#,
            Some(Format),
        ),
        (
            "uuid",
            r#""urn:uuid:g3fefa32-fcbb-4ff8-8a92-55ee120877b7""#,
            Some(Format),
        ),
        ("uuid", r#""""#, Some(Format)),
    ]);
}

#[test]
fn base64_and_xhtml() {
    run(&[
        ("base64Binary", r#""QUJD""#, None),
        ("base64Binary", r#""QUI=""#, None),
        ("base64Binary", r#""QQ==""#, None),
        ("base64Binary", r#""aGVsbG8gd29ybGQh""#, None),
        ("base64Binary", r#""aGVs bG8g\nd29y\r\nbGQh""#, None),
        ("base64Binary", r#""  aGVsbG8g  ""#, None),
        ("base64Binary", r#""a+b/""#, None),
        ("base64Binary", r#""QUJ""#, Some(Format)),
        ("base64Binary", r#""QU JD""#, Some(Format)),
        ("base64Binary", r#""QUJD!""#, Some(Format)),
        ("base64Binary", r#""QUJD-_""#, Some(Format)),
        ("base64Binary", r#""   ""#, Some(Format)),
        ("base64Binary", r#""""#, Some(Format)),
        (
            "xhtml",
            r#""<div xmlns=\"http://www.w3.org/1999/xhtml\">text</div>""#,
            None,
        ),
        ("xhtml", r#""\n  <div>text</div>""#, None),
        ("xhtml", r#""<div/>""#, None),
        ("xhtml", r#""<p>text</p>""#, Some(Format)),
        ("xhtml", r#""text""#, Some(Format)),
        ("xhtml", r#""<divx>text</divx>""#, Some(Format)),
        ("xhtml", r#""<div""#, Some(Format)),
        ("xhtml", r#""""#, Some(Format)),
    ]);
}
