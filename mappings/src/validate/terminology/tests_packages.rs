//! A test of `Terminology` over the real ValueSets and CodeSystems of the JAMI e-prescription IG.

use serde_json::{json, Value};

use super::{Membership, Terminology};

const JAMI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpora/eprescription/jami-eprescription-ig/package"
);

/// Loads every ValueSet and CodeSystem file of the package, in file name order.
fn load_jami() -> (Terminology, usize) {
    let mut paths: Vec<_> = std::fs::read_dir(JAMI)
        .unwrap_or_else(|e| panic!("{JAMI}: {e}"))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ValueSet-") || n.starts_with("CodeSystem-"))
        })
        .collect();
    paths.sort();
    let mut t = Terminology::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let resource: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        t.add(&resource);
    }
    (t, paths.len())
}

#[test]
fn jami_eprescription_value_sets() {
    let (mut t, files) = load_jami();
    assert!(files > 60, "only {files} terminology files in {JAMI}");

    // A complete, case-insensitive JAMI code system behind a required binding.
    let dispense = "http://jpfhir.jp/fhir/ePrescription/ValueSet/jami-ePreDispenseInstruction";
    let dispense_cs = "urn:oid:1.2.392.200250.2.2.30.10";
    assert!(t.has_value_set(dispense) && t.has_value_set(&format!("{dispense}|1.0.0")));
    assert_eq!(
        t.check(dispense, Some(dispense_cs), "OP"),
        Membership::Member
    );
    assert_eq!(
        t.check(dispense, Some(dispense_cs), "op"),
        Membership::Member
    );
    assert_eq!(
        t.check(dispense, Some(dispense_cs), "ZZ"),
        Membership::NotMember
    );
    assert_eq!(
        t.check(dispense, Some("urn:oid:1.2.392.200250.2.2.20.20"), "OP"),
        Membership::NotMember
    );
    assert_eq!(t.display(dispense_cs, "OP"), Some("一包化指示"));

    let doc = "http://jpfhir.jp/fhir/Common/ValueSet/doc-typecodes";
    let doc_cs = "http://jpfhir.jp/fhir/Common/CodeSystem/doc-typecodes";
    assert_eq!(t.check(doc, Some(doc_cs), "57833-6"), Membership::Member);
    assert_eq!(t.check(doc, Some(doc_cs), "57833-7"), Membership::NotMember);

    // The 16-digit usage codes are a fragment: listed codes are members, others undecided.
    let usage = "http://jpfhir.jp/fhir/ePrescription/ValueSet/jami-ePreOrderUsageCode";
    let usage_cs = "urn:oid:1.2.392.200250.2.2.20.20";
    assert_eq!(
        t.check(usage, Some(usage_cs), "1011000090000000"),
        Membership::Member
    );
    let why = match t.check(usage, Some(usage_cs), "1999999999999999") {
        Membership::Unknown(why) => why,
        other => panic!("expected Unknown, got {other:?}"),
    };
    assert!(why.contains(usage_cs) && why.contains("fragment"), "{why}");

    // Drug codes whose code systems are fragments without concepts, or are not in the package.
    let yj = "http://jpfhir.jp/fhir/ePrescription/ValueSet/jp-drugCode-yj";
    let yj_cs = "urn:oid:1.2.392.100495.20.1.73";
    assert!(matches!(
        t.check(yj, Some(yj_cs), "1149019F1560"),
        Membership::Unknown(_)
    ));
    let hot9 = "http://jpfhir.jp/fhir/ePrescription/ValueSet/jp-drugCode-hot9";
    let hot9_cs = "urn:oid:1.2.392.200119.4.403.1";
    assert!(!t.has_code_system(hot9_cs));
    assert!(matches!(
        t.check(hot9, Some(hot9_cs), "103835401"),
        Membership::Unknown(_)
    ));

    // JP Core code systems in the package declare their all-codes value sets.
    let role = "http://jpfhir.jp/fhir/core/ValueSet/JP_PractitionerRole_VS";
    assert!(t.has_value_set(role));
    let role_cs = "http://jpfhir.jp/fhir/core/CodeSystem/JP_PractitionerRole_CS";
    assert_eq!(t.check(role, Some(role_cs), "JPR10101"), Membership::Member);
    assert_eq!(
        t.check(role, Some(role_cs), "not-a-role"),
        Membership::NotMember
    );

    // JP Core's SS-MIX2 department value set (not in this package) over the package's code system,
    // whose codes nest under `2Digits` and `3Digits`.
    let ssmix = "urn:oid:1.2.392.200250.2.2.2";
    t.add(&json!({
        "resourceType": "ValueSet",
        "url": "http://jpfhir.jp/fhir/core/ValueSet/JP_Department_SsMix2Digits_VS",
        "compose": {"include": [{"system": ssmix,
            "filter": [{"property": "concept", "op": "descendent-of", "value": "2Digits"}]}]}
    }));
    let two = "http://jpfhir.jp/fhir/core/ValueSet/JP_Department_SsMix2Digits_VS";
    assert_eq!(t.check(two, Some(ssmix), "01"), Membership::Member);
    assert_eq!(t.check(two, Some(ssmix), "011"), Membership::NotMember);
    assert_eq!(t.check(two, Some(ssmix), "2Digits"), Membership::NotMember);
}
