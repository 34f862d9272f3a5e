//! Tests of the fault messages: their wording, and that patient data is not echoed.

use serde_json::{json, Value};

use super::super::{check, is_primitive, FaultKind};

fn message(type_code: &str, value: Value) -> String {
    match check(type_code, &value) {
        Ok(()) => panic!("{type_code} {value} should be invalid"),
        Err(fault) => fault.message,
    }
}

#[test]
fn wrong_json_type_names_both_types() {
    assert_eq!(
        message("integer", json!("1")),
        "The integer value must be a JSON number, not a string."
    );
    assert_eq!(
        message("boolean", json!("true")),
        "The boolean value must be a JSON boolean, not a string."
    );
    assert_eq!(
        message("string", json!(["a"])),
        "The string value must be a JSON string, not an array."
    );
    assert!(message("date", Value::Null).contains("null is never a valid date"));
    // The FHIRPath system types are named by their FHIR counterparts.
    assert_eq!(
        message("http://hl7.org/fhirpath/System.String", json!(1)),
        "The string value must be a JSON string, not a number."
    );
}

#[test]
fn format_messages_quote_the_value() {
    assert_eq!(
        message("date", json!("2023-13-01")),
        "'2023-13-01' is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)."
    );
    assert_eq!(
        message("date", json!("2023-02-29")),
        "'2023-02-29' is not a valid date: 2023-02 has only 28 days."
    );
    assert!(message("dateTime", json!("2023-04-01T09:30:00")).contains("requires a timezone"));
    assert!(
        message("integer", json!(2_147_483_648_u64)).starts_with("'2147483648' is out of range")
    );
    let one_point_oh: Value = serde_json::from_str("1.0").expect("JSON");
    assert!(message("integer", one_point_oh).starts_with("'1.0' is not a valid integer"));
    assert!(message("code", json!("a  b")).starts_with("'a  b' is not a valid code"));
}

#[test]
fn long_values_are_cut_to_64_characters() {
    let long = format!("urn:oid:1.2.{}x", "3".repeat(200));
    let text = message("oid", json!(long));
    let quoted = &long[..64];
    assert!(text.starts_with(&format!("'{quoted}…'")), "{text}");
    assert!(!text.contains(&long[..65]), "{text}");
    // Multi-byte characters are cut on a character boundary.
    let code = format!("{}  x", "患".repeat(100));
    let text = message("code", json!(code));
    assert!(
        text.starts_with(&format!("'{}…'", "患".repeat(64))),
        "{text}"
    );
}

#[test]
fn string_values_are_not_echoed() {
    let secret = "山田 太郎\u{1}";
    for type_code in ["string", "markdown", "xhtml", "base64Binary"] {
        let text = message(type_code, json!(secret));
        assert!(!text.contains("山田"), "{type_code}: {text}");
        assert!(text.contains("U+0001"), "{type_code}: {text}");
    }
    let text = message("base64Binary", json!("山田太郎"));
    assert!(!text.contains("山田"), "{text}");
    let text = message("xhtml", json!("山田太郎"));
    assert!(!text.contains("山田"), "{text}");
}

#[test]
fn primitive_type_codes() {
    let primitives = [
        "boolean",
        "integer",
        "string",
        "decimal",
        "uri",
        "url",
        "canonical",
        "base64Binary",
        "instant",
        "date",
        "dateTime",
        "time",
        "code",
        "oid",
        "id",
        "markdown",
        "unsignedInt",
        "positiveInt",
        "uuid",
        "xhtml",
        "http://hl7.org/fhirpath/System.String",
        "http://hl7.org/fhirpath/System.Boolean",
        "http://hl7.org/fhirpath/System.Integer",
        "http://hl7.org/fhirpath/System.Decimal",
        "http://hl7.org/fhirpath/System.Date",
        "http://hl7.org/fhirpath/System.DateTime",
        "http://hl7.org/fhirpath/System.Time",
        "System.String",
    ];
    for code in primitives {
        assert!(is_primitive(code), "{code}");
    }
    for code in [
        "Coding",
        "CodeableConcept",
        "Patient",
        "Extension",
        "Date",
        "String",
        "",
        "http://hl7.org/fhirpath/string",
        "http://hl7.org/fhirpath/System.Quantity",
    ] {
        assert!(!is_primitive(code), "{code}");
    }
    // A non-primitive type code is not this module's concern.
    assert_eq!(check("Coding", &json!({"code": "x"})), Ok(()));
}

#[test]
fn fault_kind_is_reported() {
    let fault = check("positiveInt", &json!(0)).expect_err("0 is not positive");
    assert_eq!(fault.kind, FaultKind::Range);
    assert_eq!(fault.to_string(), fault.message);
}

#[test]
fn echoed_whitespace_is_escaped() {
    assert_eq!(
        message("code", json!("a\t\nb")),
        "'a\\t\\nb' is not a valid code: it contains two or more whitespace characters in a row."
    );
}
