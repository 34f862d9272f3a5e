//! Tests of the compact R4 core Bundle: selection, pruning, ordering and the embedded copy.

use serde_json::{json, Value};

use super::{bundle_resources, compact, embedded_r4_core, CoreError};

/// A small package: two profiles (one without snapshot), value sets chained through `compose`, code
/// systems named by system or by `valueSet`, and unrelated resources that must be left out.
fn package() -> Vec<Value> {
    vec![
        json!({"resourceType": "ValueSet", "url": "http://x/vs/unused", "status": "active"}),
        json!({
            "resourceType": "StructureDefinition", "id": "Thing", "url": "http://x/sd/Thing",
            "name": "Thing", "status": "active", "kind": "resource", "abstract": false,
            "type": "Thing", "text": {"div": "<div/>"}, "description": "dropped",
            "differential": {"element": []},
            "snapshot": {"element": [
                {"id": "Thing", "path": "Thing", "short": "dropped", "definition": "dropped",
                 "min": 0, "max": "*", "base": {"path": "Thing", "min": 0, "max": "*"},
                 "constraint": [{"key": "t-1", "severity": "error", "human": "h",
                                 "expression": "true", "xpath": "dropped", "source": "http://x"}],
                 "mapping": [{"identity": "rim", "map": "dropped"}]},
                {"id": "Thing.code", "path": "Thing.code", "min": 1, "max": "1",
                 "extension": [
                    {"url": "http://hl7.org/fhir/StructureDefinition/regex", "valueString": "[a-z]+"},
                    {"url": "http://x/other", "valueString": "dropped"}],
                 "type": [{"code": "code", "extension": [
                    {"url": "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type",
                     "valueUrl": "code"},
                    {"url": "http://x/other", "valueString": "dropped"}]}],
                 "fixedCode": "abc", "patternCoding": {"code": "p"}, "fixedness": "dropped",
                 "slicing": {"discriminator": [{"type": "value", "path": "url"}],
                             "description": "dropped", "rules": "open"},
                 "binding": {"strength": "required", "valueSet": "http://x/vs/a|4.0.1",
                             "description": "dropped",
                             "extension": [{"url": "http://x/other", "valueString": "dropped"}]}},
                {"id": "Thing.other", "path": "Thing.other", "min": 0, "max": "1",
                 "extension": [{"url": "http://x/other", "valueString": "dropped"}],
                 "binding": {"strength": "example", "valueSet": "http://x/vs/missing"}}
            ]}
        }),
        json!({"resourceType": "StructureDefinition", "url": "http://x/sd/NoSnapshot",
               "differential": {"element": [{"path": "X", "binding": {"valueSet": "http://x/vs/unused"}}]}}),
        json!({"resourceType": "ValueSet", "url": "http://x/vs/a", "version": "4.0.1", "name": "A",
               "status": "active", "text": {"div": "dropped"}, "description": "dropped",
               "extension": [{"url": "http://x/other"}],
               "compose": {"include": [
                   {"system": "http://x/cs/one",
                    "concept": [{"code": "c", "display": "C",
                                 "designation": [{"value": "dropped"}],
                                 "extension": [{"url": "http://x/other"}]}]},
                   {"valueSet": ["http://x/vs/b|4.0.1"]}]}}),
        json!({"resourceType": "ValueSet", "url": "http://x/vs/b", "status": "active",
               "compose": {"include": [{"system": "http://x/cs/two"}],
                           "exclude": [{"valueSet": ["http://x/vs/c"]}]}}),
        json!({"resourceType": "ValueSet", "url": "http://x/vs/c", "status": "active",
               "compose": {"include": [{"system": "http://x/cs/absent"}]}}),
        json!({"resourceType": "CodeSystem", "url": "http://x/cs/two", "status": "active",
               "content": "complete", "concept": [{"code": "z"}]}),
        json!({"resourceType": "CodeSystem", "url": "http://x/cs/one", "status": "active",
               "content": "complete", "caseSensitive": true, "text": {"div": "dropped"},
               "property": [{"code": "status", "type": "code", "description": "dropped"}],
               "concept": [{"code": "c", "display": "C", "definition": "dropped",
                            "designation": [{"value": "dropped"}],
                            "property": [{"code": "status", "valueCode": "active"}],
                            "concept": [{"code": "c1", "definition": "dropped"}]}]}),
        json!({"resourceType": "CodeSystem", "url": "http://x/cs/by-valueset", "status": "active",
               "content": "complete", "valueSet": "http://x/vs/c|4.0.1"}),
        json!({"resourceType": "CodeSystem", "url": "http://x/cs/unrelated", "status": "active",
               "content": "complete", "valueSet": "http://x/vs/unused"}),
        json!({"resourceType": "Patient", "id": "p"}),
    ]
}

/// The urls of the compact Bundle's entries, in order.
fn urls(bundle: &Value) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{} {}",
                e["resource"]["resourceType"].as_str().unwrap_or("?"),
                e["resource"]["url"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

#[test]
fn compact_selects_reachable_terminology_and_sorts() {
    let bundle = compact(&package());
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    assert_eq!(
        urls(&bundle),
        [
            "CodeSystem http://x/cs/by-valueset",
            "CodeSystem http://x/cs/one",
            "CodeSystem http://x/cs/two",
            "StructureDefinition http://x/sd/Thing",
            "ValueSet http://x/vs/a",
            "ValueSet http://x/vs/b",
            "ValueSet http://x/vs/c",
        ]
    );
}

#[test]
fn compact_prunes_structure_definitions() {
    let bundle = compact(&package());
    let sd = &bundle["entry"][3]["resource"];
    assert_eq!(
        sd,
        &json!({
            "resourceType": "StructureDefinition", "url": "http://x/sd/Thing", "name": "Thing",
            "kind": "resource", "abstract": false, "type": "Thing",
            "snapshot": {"element": [
                {"id": "Thing", "path": "Thing", "min": 0, "max": "*",
                 "base": {"path": "Thing", "min": 0, "max": "*"},
                 "constraint": [{"key": "t-1", "severity": "error", "human": "h",
                                 "expression": "true", "source": "http://x"}]},
                {"id": "Thing.code", "path": "Thing.code", "min": 1, "max": "1",
                 "extension": [
                    {"url": "http://hl7.org/fhir/StructureDefinition/regex", "valueString": "[a-z]+"}],
                 "type": [{"code": "code", "extension": [
                    {"url": "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type",
                     "valueUrl": "code"}]}],
                 "fixedCode": "abc", "patternCoding": {"code": "p"},
                 "slicing": {"discriminator": [{"type": "value", "path": "url"}], "rules": "open"},
                 "binding": {"strength": "required", "valueSet": "http://x/vs/a|4.0.1"}},
                {"id": "Thing.other", "path": "Thing.other", "min": 0, "max": "1",
                 "binding": {"strength": "example", "valueSet": "http://x/vs/missing"}}
            ]}
        })
    );
}

#[test]
fn compact_prunes_terminology() {
    let bundle = compact(&package());
    assert_eq!(
        bundle["entry"][4]["resource"],
        json!({"resourceType": "ValueSet", "url": "http://x/vs/a", "version": "4.0.1", "name": "A",
               "status": "active",
               "compose": {"include": [
                   {"system": "http://x/cs/one", "concept": [{"code": "c", "display": "C"}]},
                   {"valueSet": ["http://x/vs/b|4.0.1"]}]}})
    );
    assert_eq!(
        bundle["entry"][1]["resource"],
        json!({"resourceType": "CodeSystem", "url": "http://x/cs/one", "status": "active",
               "content": "complete", "caseSensitive": true,
               "property": [{"code": "status", "type": "code"}],
               "concept": [{"code": "c", "display": "C",
                            "property": [{"code": "status", "valueCode": "active"}],
                            "concept": [{"code": "c1"}]}]})
    );
}

#[test]
fn compact_is_deterministic_whatever_the_input_order() {
    let mut reversed = package();
    reversed.reverse();
    let forward = serde_json::to_string(&compact(&package())).expect("serialises");
    let backward = serde_json::to_string(&compact(&reversed)).expect("serialises");
    assert_eq!(forward, backward);
}

#[test]
fn bundle_resources_rejects_what_is_not_a_bundle() {
    assert!(matches!(
        bundle_resources(json!({"resourceType": "Patient"})),
        Err(CoreError::NotABundle)
    ));
    assert!(matches!(
        bundle_resources(json!({"resourceType": "Bundle", "entry": [{"resource": {}}, {}]})),
        Err(CoreError::MissingResource { index: 1 })
    ));
}

#[test]
fn embedded_r4_core_is_a_readable_bundle() {
    let resources = embedded_r4_core().expect("the embedded definitions parse");
    let count = |rt: &str| resources.iter().filter(|r| r["resourceType"] == rt).count();
    assert_eq!(
        (
            count("StructureDefinition"),
            count("ValueSet"),
            count("CodeSystem")
        ),
        (653, 643, 493)
    );
    let keys: Vec<(&str, &str)> = resources
        .iter()
        .map(|r| {
            let field = |name: &str| r[name].as_str().unwrap_or("");
            (field("resourceType"), field("url"))
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
}
