//! Unit tests of `Terminology` where answers depend on what is loaded: absent and partial code systems,
//! stored expansions, import cycles, versions, cache invalidation and sharing across threads.

use serde_json::{json, Value};

use super::tests::{
    act_code_cs, act_encounter_vs, filter_vs, gender_cs, gender_vs, load, unknown, value_set,
    ACT_CODE, GENDER_CS, GENDER_VS,
};
use super::versions::compare_versions;
use super::{Membership, Terminology};

#[test]
fn absent_code_systems_and_value_sets_are_unknown() {
    let t = load(&[
        filter_vs(
            "urn:vs:loinc-doc",
            "http://loinc.org",
            "SCALE_TYP",
            "=",
            "Doc",
        ),
        value_set(
            "urn:vs:loinc-list",
            json!({"include": [{"system": "http://loinc.org", "concept": [{"code": "8480-6"}]}]}),
        ),
        value_set(
            "urn:vs:imports-missing",
            json!({"include": [{"valueSet": ["urn:vs:nowhere"]}]}),
        ),
    ]);
    let why = unknown(t.check("urn:vs:loinc-doc", Some("http://loinc.org"), "18842-5"));
    assert!(
        why.contains("http://loinc.org") && why.contains("not loaded"),
        "{why}"
    );
    assert!(unknown(t.check("urn:vs:loinc-doc", None, "18842-5")).contains("loinc"));
    // An enumerated list decides without the code system.
    assert_eq!(
        t.check("urn:vs:loinc-list", Some("http://loinc.org"), "8480-6"),
        Membership::Member
    );
    assert_eq!(
        t.check("urn:vs:loinc-list", Some("http://loinc.org"), "8462-4"),
        Membership::NotMember
    );
    assert!(unknown(t.check("urn:vs:absent", None, "x")).contains("urn:vs:absent"));
    assert!(unknown(t.check("urn:vs:imports-missing", None, "x")).contains("urn:vs:nowhere"));
}

#[test]
fn include_all_of_an_absent_system_is_unknown_and_unrelated_systems_are_not_members() {
    let t = load(&[value_set(
        "urn:vs:ucum",
        json!({"include": [{"system": "http://unitsofmeasure.org"}]}),
    )]);
    assert!(
        unknown(t.check("urn:vs:ucum", Some("http://unitsofmeasure.org"), "mg"))
            .contains("unitsofmeasure")
    );
    assert_eq!(
        t.check("urn:vs:ucum", Some(GENDER_CS), "mg"),
        Membership::NotMember
    );
}

#[test]
fn fragment_code_system_answers_only_for_listed_codes() {
    let sys = "urn:oid:1.2.392.200250.2.2.20.20";
    let cs = json!({
        "resourceType": "CodeSystem", "url": sys, "content": "fragment",
        "concept": [{"code": "1011000090000000"}]
    });
    let t = load(&[
        cs,
        value_set("urn:vs:usage", json!({"include": [{"system": sys}]})),
    ]);
    assert_eq!(
        t.check("urn:vs:usage", Some(sys), "1011000090000000"),
        Membership::Member
    );
    let why = unknown(t.check("urn:vs:usage", Some(sys), "9999999999999999"));
    assert!(why.contains(sys) && why.contains("fragment"), "{why}");
    assert_eq!(t.code_system_has(sys, "1011000090000000"), Some(true));
    assert_eq!(t.code_system_has(sys, "9999999999999999"), None);
}

#[test]
fn exclude_that_cannot_be_decided_makes_members_unknown() {
    let t = load(&[value_set(
        "urn:vs:ex",
        json!({"include": [{"system": "urn:s", "concept": [{"code": "a"}]},
                           {"system": "urn:t", "concept": [{"code": "b"}]}],
               "exclude": [{"system": "urn:s",
                            "filter": [{"property": "concept", "op": "is-a", "value": "z"}]}]}),
    )]);
    assert!(unknown(t.check("urn:vs:ex", Some("urn:s"), "a")).contains("urn:s"));
    assert_eq!(t.check("urn:vs:ex", Some("urn:t"), "b"), Membership::Member);
    assert_eq!(
        t.check("urn:vs:ex", Some("urn:t"), "c"),
        Membership::NotMember
    );
}

#[test]
fn import_cycles_are_unknown() {
    let t = load(&[
        value_set("urn:vs:a", json!({"include": [{"valueSet": ["urn:vs:b"]}]})),
        value_set("urn:vs:b", json!({"include": [{"valueSet": ["urn:vs:a"]}]})),
        value_set("urn:vs:c", json!({"include": [{"valueSet": ["urn:vs:a"]}]})),
        value_set(
            "urn:vs:self",
            json!({"include": [{"valueSet": ["urn:vs:self"]}]}),
        ),
    ]);
    for vs in ["urn:vs:a", "urn:vs:b", "urn:vs:c", "urn:vs:self"] {
        assert!(unknown(t.check(vs, None, "x")).contains("cycle"), "{vs}");
    }
}

#[test]
fn stored_expansions() {
    let contains = json!({"contains": [
        {"abstract": true, "display": "group", "contains": [
            {"system": "http://terminology.hl7.org/CodeSystem/v2-0136", "code": "Y"},
            {"system": "http://terminology.hl7.org/CodeSystem/v2-0136", "code": "N"}
        ]}
    ]});
    let v2 = "http://terminology.hl7.org/CodeSystem/v2-0136";
    let t = load(&[
        json!({"resourceType": "ValueSet", "url": "urn:vs:only-expansion", "expansion": contains}),
        json!({"resourceType": "ValueSet", "url": "urn:vs:fallback",
               "compose": {"include": [{"system": v2}]}, "expansion": contains}),
        json!({"resourceType": "ValueSet", "url": "urn:vs:partial",
               "expansion": {"total": 10, "contains": [{"system": v2, "code": "Y"}]}}),
    ]);
    assert_eq!(
        t.check("urn:vs:only-expansion", Some(v2), "N"),
        Membership::Member
    );
    assert_eq!(
        t.check("urn:vs:only-expansion", Some(v2), "UNK"),
        Membership::NotMember
    );
    assert_eq!(
        t.check("urn:vs:fallback", Some(v2), "Y"),
        Membership::Member
    );
    assert_eq!(
        t.check("urn:vs:fallback", Some(v2), "UNK"),
        Membership::NotMember
    );
    assert_eq!(t.check("urn:vs:partial", Some(v2), "Y"), Membership::Member);
    assert!(unknown(t.check("urn:vs:partial", Some(v2), "N")).contains("part"));
}

#[test]
fn compose_is_preferred_to_a_stored_expansion_when_it_can_be_evaluated() {
    let mut vs = gender_vs();
    vs["expansion"] = json!({"contains": [{"system": GENDER_CS, "code": "male"}]});
    let t = load(&[gender_cs(), vs]);
    assert_eq!(
        t.check(GENDER_VS, Some(GENDER_CS), "female"),
        Membership::Member
    );
}

#[test]
fn implicit_value_set_of_a_code_system() {
    let t = load(&[gender_cs()]);
    let vs = "http://hl7.org/fhir/ValueSet/administrative-gender-all";
    assert!(t.has_value_set(vs));
    assert_eq!(t.check(vs, Some(GENDER_CS), "other"), Membership::Member);
    assert_eq!(t.check(vs, None, "none"), Membership::NotMember);
}

#[test]
fn versions_newest_answers_and_replacement() {
    let sys = "urn:cs:versions";
    let cs = |version: &str, codes: &[&str]| {
        let concept: Vec<Value> = codes.iter().map(|c| json!({"code": c})).collect();
        json!({"resourceType": "CodeSystem", "url": sys, "version": version,
               "content": "complete", "concept": concept})
    };
    let mut t = load(&[cs("1.10.0", &["new"]), cs("1.9.0", &["old"])]);
    assert_eq!(t.code_system_has(sys, "new"), Some(true));
    assert_eq!(t.code_system_has(sys, "old"), Some(false));
    assert!(t.has_code_system(&format!("{sys}|1.9.0")));
    let vs = value_set(
        "urn:vs:v",
        json!({"include": [{"system": sys, "version": "1.9.0"}]}),
    );
    t.add(&vs);
    assert_eq!(t.check("urn:vs:v", Some(sys), "old"), Membership::Member);
    // Replacing 1.9.0 after a check discards the cached evaluation.
    t.add(&cs("1.9.0", &["older"]));
    assert_eq!(t.check("urn:vs:v", Some(sys), "old"), Membership::NotMember);
    assert_eq!(t.check("urn:vs:v", Some(sys), "older"), Membership::Member);
    let pinned = value_set(
        "urn:vs:p",
        json!({"include": [{"system": sys, "version": "2.0"}]}),
    );
    t.add(&pinned);
    // A pinned version that is not loaded: the newest stands in for members, the rest is undecided.
    assert_eq!(t.check("urn:vs:p", Some(sys), "new"), Membership::Member);
    assert!(unknown(t.check("urn:vs:p", Some(sys), "older")).contains("version `2.0`"));
}

#[test]
fn adding_a_missing_code_system_later_changes_the_answer() {
    let mut t = load(&[gender_vs()]);
    assert!(matches!(
        t.check(GENDER_VS, Some(GENDER_CS), "x"),
        Membership::Unknown(_)
    ));
    t.add(&gender_cs());
    assert_eq!(
        t.check(GENDER_VS, Some(GENDER_CS), "x"),
        Membership::NotMember
    );
}

#[test]
fn shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Terminology>();
    let t = load(&[act_code_cs(), act_encounter_vs()]);
    let vs = "http://terminology.hl7.org/ValueSet/v3-ActEncounterCode";
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| t.check(vs, Some(ACT_CODE), "ACUTE")))
            .collect();
        for h in handles {
            assert_eq!(h.join().ok(), Some(Membership::Member));
        }
    });
}

#[test]
fn version_ordering() {
    use std::cmp::Ordering::*;
    assert_eq!(compare_versions(Some("1.10.0"), Some("1.9.0")), Greater);
    assert_eq!(
        compare_versions(Some("2018-08-12"), Some("2014-03-26")),
        Greater
    );
    assert_eq!(compare_versions(Some("1.0.0"), Some("1.0.0")), Equal);
    assert_eq!(compare_versions(Some("1.0"), Some("1.0.1")), Less);
    assert_eq!(compare_versions(None, Some("0.1")), Less);
}
