//! Unit tests of `Terminology` over small ValueSets and CodeSystems modelled on the R4 core ones:
//! enumerated and hierarchical code systems, filters, imports; the fixtures shared with `tests_sources`.

use serde_json::{json, Value};

use super::{Membership, Terminology};

pub(super) const GENDER_CS: &str = "http://hl7.org/fhir/administrative-gender";
pub(super) const GENDER_VS: &str = "http://hl7.org/fhir/ValueSet/administrative-gender";
pub(super) const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

pub(super) fn gender_cs() -> Value {
    json!({
        "resourceType": "CodeSystem", "url": GENDER_CS, "version": "4.0.1",
        "caseSensitive": true, "content": "complete",
        "valueSet": "http://hl7.org/fhir/ValueSet/administrative-gender-all",
        "concept": [
            {"code": "male", "display": "Male"},
            {"code": "female", "display": "Female"},
            {"code": "other", "display": "Other"},
            {"code": "unknown", "display": "Unknown"}
        ]
    })
}

pub(super) fn gender_vs() -> Value {
    json!({
        "resourceType": "ValueSet", "url": GENDER_VS, "version": "4.0.1",
        "compose": {"include": [{"system": GENDER_CS}]}
    })
}

/// A cut-down v3-ActCode: nested concepts, plus a `child` property adding a second parent.
pub(super) fn act_code_cs() -> Value {
    json!({
        "resourceType": "CodeSystem", "url": ACT_CODE, "version": "2018-08-12",
        "caseSensitive": true, "hierarchyMeaning": "is-a", "content": "complete",
        "property": [
            {"code": "notSelectable", "type": "boolean"},
            {"code": "child", "type": "code"}
        ],
        "concept": [
            {"code": "_ActAccountCode", "property": [{"code": "notSelectable", "valueBoolean": true}],
             "concept": [{"code": "CASH"}, {"code": "CC", "concept": [{"code": "AE"}, {"code": "V"}]}]},
            {"code": "_ActEncounterCode", "display": "ActEncounterCode",
             "property": [{"code": "notSelectable", "valueBoolean": true},
                          {"code": "child", "valueCode": "VR"}],
             "concept": [
                {"code": "AMB", "display": "ambulatory"},
                {"code": "EMER", "display": "emergency"},
                {"code": "IMP", "display": "inpatient encounter",
                 "concept": [{"code": "ACUTE"}, {"code": "NONAC"}]}
             ]},
            {"code": "VR", "display": "virtual"}
        ]
    })
}

pub(super) fn act_encounter_vs() -> Value {
    json!({
        "resourceType": "ValueSet", "url": "http://terminology.hl7.org/ValueSet/v3-ActEncounterCode",
        "compose": {
            "include": [{"system": ACT_CODE,
                         "filter": [{"property": "concept", "op": "is-a", "value": "_ActEncounterCode"}]}],
            "exclude": [{"system": ACT_CODE, "concept": [{"code": "_ActEncounterCode"}]}]
        }
    })
}

pub(super) fn value_set(url: &str, compose: Value) -> Value {
    json!({"resourceType": "ValueSet", "url": url, "compose": compose})
}

pub(super) fn filter_vs(url: &str, system: &str, property: &str, op: &str, value: &str) -> Value {
    value_set(
        url,
        json!({"include": [{"system": system,
                            "filter": [{"property": property, "op": op, "value": value}]}]}),
    )
}

pub(super) fn load(resources: &[Value]) -> Terminology {
    let mut t = Terminology::new();
    for r in resources {
        t.add(r);
    }
    t
}

/// The reason of an `Unknown`, or a panic naming what came instead.
pub(super) fn unknown(m: Membership) -> String {
    match m {
        Membership::Unknown(why) => why,
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn required_binding_to_an_enumerated_code_system() {
    let t = load(&[gender_cs(), gender_vs()]);
    assert_eq!(
        t.check(GENDER_VS, Some(GENDER_CS), "female"),
        Membership::Member
    );
    assert_eq!(
        t.check(GENDER_VS, Some(GENDER_CS), "woman"),
        Membership::NotMember
    );
    assert_eq!(
        t.check(GENDER_VS, Some(GENDER_CS), "Female"),
        Membership::NotMember
    );
    assert_eq!(
        t.check(GENDER_VS, Some("http://example.org/other"), "female"),
        Membership::NotMember
    );
    assert_eq!(t.check(GENDER_VS, None, "male"), Membership::Member);
    assert_eq!(t.check(GENDER_VS, None, "man"), Membership::NotMember);
    assert_eq!(
        t.check(&format!("{GENDER_VS}|4.0.1"), None, "male"),
        Membership::Member
    );
    assert!(t.has_value_set(GENDER_VS) && t.has_value_set(&format!("{GENDER_VS}|4.0.1")));
    assert!(!t.has_value_set(&format!("{GENDER_VS}|5.0.0")));
    assert!(t.has_code_system(GENDER_CS) && !t.has_code_system("http://loinc.org"));
    assert_eq!(t.display(GENDER_CS, "other"), Some("Other"));
    assert_eq!(t.display(GENDER_CS, "nope"), None);
    assert_eq!(t.code_system_has(GENDER_CS, "unknown"), Some(true));
    assert_eq!(t.code_system_has(GENDER_CS, "nope"), Some(false));
    assert_eq!(t.code_system_has("http://loinc.org", "1234-5"), None);
}

#[test]
fn is_a_filter_over_nested_concepts_and_child_property_with_exclude() {
    let t = load(&[act_code_cs(), act_encounter_vs()]);
    let vs = "http://terminology.hl7.org/ValueSet/v3-ActEncounterCode";
    for code in ["AMB", "IMP", "ACUTE", "NONAC", "VR"] {
        assert_eq!(
            t.check(vs, Some(ACT_CODE), code),
            Membership::Member,
            "{code}"
        );
    }
    for code in ["_ActEncounterCode", "CASH", "AE", "XYZ"] {
        assert_eq!(
            t.check(vs, Some(ACT_CODE), code),
            Membership::NotMember,
            "{code}"
        );
    }
}

#[test]
fn hierarchy_filters() {
    let t = load(&[
        act_code_cs(),
        filter_vs("urn:vs:desc", ACT_CODE, "concept", "descendent-of", "IMP"),
        filter_vs("urn:vs:gen", ACT_CODE, "concept", "generalizes", "ACUTE"),
        filter_vs(
            "urn:vs:not",
            ACT_CODE,
            "concept",
            "is-not-a",
            "_ActEncounterCode",
        ),
        filter_vs("urn:vs:parent", ACT_CODE, "parent", "=", "_ActAccountCode"),
    ]);
    let m = |vs: &str, code: &str| t.check(vs, Some(ACT_CODE), code);
    assert_eq!(m("urn:vs:desc", "ACUTE"), Membership::Member);
    assert_eq!(m("urn:vs:desc", "IMP"), Membership::NotMember);
    assert_eq!(m("urn:vs:gen", "_ActEncounterCode"), Membership::Member);
    assert_eq!(m("urn:vs:gen", "ACUTE"), Membership::Member);
    assert_eq!(m("urn:vs:gen", "AMB"), Membership::NotMember);
    assert_eq!(m("urn:vs:not", "V"), Membership::Member);
    assert_eq!(m("urn:vs:not", "VR"), Membership::NotMember);
    assert_eq!(m("urn:vs:parent", "CC"), Membership::Member);
    assert_eq!(m("urn:vs:parent", "AE"), Membership::NotMember);
}

#[test]
fn property_filters() {
    let sys = "http://unstats.un.org/unsd/methods/m49/m49.htm";
    let cs = json!({
        "resourceType": "CodeSystem", "url": sys, "content": "complete",
        "property": [{"code": "class", "type": "code"}, {"code": "note", "type": "string"}],
        "concept": [
            {"code": "001", "display": "World", "property": [{"code": "class", "valueCode": "region"}]},
            {"code": "002", "display": "Africa", "property": [{"code": "class", "valueCode": "region"},
                                                             {"code": "note", "valueString": "x"}]},
            {"code": "392", "display": "Japan", "property": [{"code": "class", "valueCode": "country"}]}
        ]
    });
    let t = load(&[
        cs,
        filter_vs("urn:vs:region", sys, "class", "=", "region"),
        filter_vs("urn:vs:in", sys, "class", "in", "country, nation"),
        filter_vs("urn:vs:exists", sys, "note", "exists", "true"),
        filter_vs("urn:vs:regex", sys, "code", "regex", "[0-9]{2}"),
        filter_vs("urn:vs:regex3", sys, "code", "regex", "00[0-9]"),
        filter_vs("urn:vs:undeclared", sys, "colour", "=", "red"),
        filter_vs("urn:vs:op", sys, "class", "is-a", "region"),
    ]);
    let m = |vs: &str, code: &str| t.check(vs, Some(sys), code);
    assert_eq!(m("urn:vs:region", "002"), Membership::Member);
    assert_eq!(m("urn:vs:region", "392"), Membership::NotMember);
    assert_eq!(m("urn:vs:in", "392"), Membership::Member);
    assert_eq!(m("urn:vs:in", "001"), Membership::NotMember);
    assert_eq!(m("urn:vs:exists", "002"), Membership::Member);
    assert_eq!(m("urn:vs:exists", "001"), Membership::NotMember);
    // The regex is anchored: `[0-9]{2}` does not match inside three-digit codes.
    assert_eq!(m("urn:vs:regex", "392"), Membership::NotMember);
    assert_eq!(m("urn:vs:regex3", "001"), Membership::Member);
    assert_eq!(m("urn:vs:regex3", "392"), Membership::NotMember);
    assert!(unknown(m("urn:vs:undeclared", "001")).contains("colour"));
    assert!(unknown(m("urn:vs:op", "001")).contains("not supported"));
}

#[test]
fn value_set_imports_intersect_and_exclude() {
    let t = load(&[
        gender_cs(),
        gender_vs(),
        value_set(
            "urn:vs:known-gender",
            json!({"include": [{"valueSet": [GENDER_VS]}],
                   "exclude": [{"system": GENDER_CS, "concept": [{"code": "unknown"}]}]}),
        ),
        value_set(
            "urn:vs:both",
            json!({"include": [{"system": GENDER_CS, "concept": [{"code": "male"}, {"code": "xx"}],
                                "valueSet": ["urn:vs:known-gender"]}]}),
        ),
    ]);
    assert_eq!(
        t.check("urn:vs:known-gender", Some(GENDER_CS), "other"),
        Membership::Member
    );
    assert_eq!(
        t.check("urn:vs:known-gender", Some(GENDER_CS), "unknown"),
        Membership::NotMember
    );
    assert_eq!(
        t.check("urn:vs:both", Some(GENDER_CS), "male"),
        Membership::Member
    );
    assert_eq!(
        t.check("urn:vs:both", Some(GENDER_CS), "female"),
        Membership::NotMember
    );
    assert_eq!(
        t.check("urn:vs:both", Some(GENDER_CS), "xx"),
        Membership::NotMember
    );
}

#[test]
fn case_insensitive_code_system() {
    let sys = "urn:oid:1.2.392.200250.2.2.30.10";
    let cs = json!({
        "resourceType": "CodeSystem", "url": sys, "caseSensitive": false, "content": "complete",
        "concept": [{"code": "OP", "display": "一包化指示"}, {"code": "C"}]
    });
    let t = load(&[
        cs,
        value_set("urn:vs:ci", json!({"include": [{"system": sys}]})),
    ]);
    assert_eq!(t.check("urn:vs:ci", Some(sys), "op"), Membership::Member);
    assert_eq!(t.check("urn:vs:ci", None, "c"), Membership::Member);
    assert_eq!(t.check("urn:vs:ci", Some(sys), "MX"), Membership::NotMember);
    assert_eq!(t.display(sys, "Op"), Some("一包化指示"));
}
