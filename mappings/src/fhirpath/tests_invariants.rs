//! Tests of the R4 core, JP Core and JAMI invariants: every expression parses, and the tricky ones
//! evaluate correctly on good and bad instances.

use serde_json::{json, Value};

use super::{Env, Expression, Node};

/// The 248 distinct invariants of the R4 core, JP Core and JAMI snapshots: key, severity, expression.
const INVARIANTS: &str = include_str!("testdata/invariants.tsv");

fn invariant(key: &str) -> Expression {
    let line = INVARIANTS
        .lines()
        .find(|l| l.split('\t').next() == Some(key))
        .unwrap_or_else(|| panic!("no invariant {key}"));
    let expr = line.splitn(3, '\t').nth(2).unwrap_or_default();
    Expression::parse(expr).unwrap_or_else(|e| panic!("{key}: {e}"))
}

fn check(key: &str, focus: &Value) -> bool {
    check_in(key, focus, None)
}

fn check_in(key: &str, focus: &Value, resource: Option<&Value>) -> bool {
    let env = Env {
        resource: resource.map(Node::resource),
        ..Env::default()
    };
    invariant(key)
        .is_satisfied(Node::resource(focus), &env)
        .unwrap_or_else(|e| panic!("{key}: {e}"))
}

#[test]
fn every_invariant_parses() {
    let mut count = 0;
    let mut failures = Vec::new();
    for line in INVARIANTS.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.splitn(3, '\t');
        let (key, _severity, expr) = (parts.next(), parts.next(), parts.next());
        let (Some(key), Some(expr)) = (key, expr) else {
            failures.push(format!("malformed line {line}"));
            continue;
        };
        count += 1;
        match Expression::parse(expr) {
            Ok(parsed) => assert_eq!(parsed.text(), expr),
            Err(e) => failures.push(format!("{key}: {e}: {expr}")),
        }
    }
    assert_eq!(count, 248);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_literal_regex_compiles() {
    // Evaluating each `matches` invariant on a sample string proves its regex was accepted.
    for key in ["adf-0", "eld-16", "eld-19", "eld-20"] {
        let expr = invariant(key);
        let focus = json!({"name": "Abc", "sliceName": "a-b", "path": "Patient.name"});
        assert!(
            expr.is_satisfied(Node::resource(&focus), &Env::default())
                .is_ok(),
            "{key}"
        );
    }
    let sdf19 = json!({"resourceType": "StructureDefinition", "url": "http://hl7.org/fhir/StructureDefinition/x",
        "differential": {"element": [{"type": [{"code": "string"}]}]},
        "snapshot": {"element": [{"type": [{"code": "http://hl7.org/fhirpath/System.String"}]}]}});
    assert!(check("sdf-19", &sdf19));
    let bad = json!({"resourceType": "StructureDefinition", "url": "http://hl7.org/fhir/StructureDefinition/x",
        "differential": {"element": [{"type": [{"code": "a b"}]}]}});
    assert!(!check("sdf-19", &bad));
}

/// `check` for the other test modules.
pub(super) fn check_pub(key: &str, focus: &Value) -> bool {
    check(key, focus)
}

fn check_node(key: &str, node: Node<'_>, env: &Env<'_>) -> bool {
    invariant(key)
        .is_satisfied(node, env)
        .unwrap_or_else(|e| panic!("{key}: {e}"))
}

fn primitive<'a>(value: Option<&'a Value>, extra: Option<&'a Value>) -> Node<'a> {
    Node {
        value,
        extra,
        type_name: Some("string"),
    }
}

#[test]
fn ele_1_on_primitives_and_complex_elements() {
    let env = Env::default();
    let value = json!("x");
    let ext = json!({"extension": [{"url": "http://e", "valueCode": "masked"}]});
    let only_id = json!({"id": "a"});
    assert!(check_node("ele-1", primitive(Some(&value), None), &env));
    assert!(check_node("ele-1", primitive(None, Some(&ext)), &env));
    assert!(
        !check_node("ele-1", primitive(None, Some(&only_id)), &env),
        "only an id: no content"
    );
    assert!(check("ele-1", &json!({"system": "s", "code": "c"})));
    assert!(!check("ele-1", &json!({"id": "only"})));
    assert!(!check("ele-1", &json!({})));
    // A whole resource navigated to its primitives.
    let patient = json!({"resourceType": "Patient", "_birthDate": {"id": "x"}, "gender": "male"});
    let ele1 = invariant("ele-1");
    let root = Node::resource(&patient);
    let children = Expression::parse("children()").map(|e| e.evaluate(root, &env));
    let verdicts: Vec<bool> = children
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i.as_node().copied())
        .filter_map(|n| ele1.is_satisfied(n, &env).ok())
        .collect();
    assert_eq!(verdicts, [false, true]);
}

#[test]
fn ext_1_extension_or_value() {
    assert!(check("ext-1", &json!({"url": "u", "valueString": "x"})));
    assert!(check(
        "ext-1",
        &json!({"url": "u", "extension": [{"url": "a", "valueInteger": 1}]})
    ));
    assert!(!check("ext-1", &json!({"url": "u"})));
    assert!(!check(
        "ext-1",
        &json!({"url": "u", "valueString": "x", "extension": [{"url": "a", "valueInteger": 1}]})
    ));
}

#[test]
fn dom_3_and_ref_1_contained_resources() {
    let good = json!({"resourceType": "Observation", "status": "final",
        "contained": [{"resourceType": "Practitioner", "id": "p1"}],
        "performer": [{"reference": "#p1"}]});
    let bad = json!({"resourceType": "Observation", "status": "final",
        "contained": [{"resourceType": "Practitioner", "id": "p1"}],
        "performer": [{"reference": "Practitioner/9"}]});
    let canonical = json!({"resourceType": "Questionnaire",
        "contained": [{"resourceType": "ValueSet", "id": "vs1"}],
        "item": [{"linkId": "1", "type": "choice", "answerValueSet": "#vs1"}]});
    let back = json!({"resourceType": "Observation",
        "contained": [{"resourceType": "Provenance", "id": "pv", "target": [{"reference": "#"}]}]});
    assert!(check("dom-3", &good));
    assert!(!check("dom-3", &bad));
    assert!(check("dom-3", &canonical));
    assert!(
        check("dom-3", &back),
        "a contained resource referring to its container is fine"
    );
    assert!(check("dom-2", &good));
    fn env_root(root: &Value) -> Env<'_> {
        Env {
            root_resource: Some(Node::resource(root)),
            ..Env::default()
        }
    }
    let good_ref = json!({"reference": "#p1"});
    let bad_ref = json!({"reference": "#p2"});
    let plain_ref = json!({"reference": "Patient/1"});
    assert!(check_node(
        "ref-1",
        Node::resource(&good_ref),
        &env_root(&good)
    ));
    assert!(!check_node(
        "ref-1",
        Node::resource(&bad_ref),
        &env_root(&good)
    ));
    assert!(check_node(
        "ref-1",
        Node::resource(&plain_ref),
        &env_root(&good)
    ));
}

#[test]
fn bdl_3_request_only_in_transactions() {
    let tx_ok = json!({"resourceType": "Bundle", "type": "transaction",
        "entry": [{"resource": {"resourceType": "Patient"}, "request": {"method": "POST", "url": "Patient"}}]});
    let tx_bad = json!({"resourceType": "Bundle", "type": "transaction",
        "entry": [{"resource": {"resourceType": "Patient"}}]});
    let coll_bad = json!({"resourceType": "Bundle", "type": "collection",
        "entry": [{"resource": {"resourceType": "Patient"}, "request": {"method": "POST", "url": "Patient"}}]});
    let coll_ok = json!({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient"}}]});
    assert!(check("bdl-3", &tx_ok));
    assert!(!check("bdl-3", &tx_bad));
    assert!(!check("bdl-3", &coll_bad));
    assert!(check("bdl-3", &coll_ok));
    let doc = json!({"resourceType": "Bundle", "type": "document", "entry": [{"resource": {"resourceType": "Composition"}}]});
    assert!(check("bdl-11", &doc));
    let not_doc = json!({"resourceType": "Bundle", "type": "document", "entry": [{"resource": {"resourceType": "Patient"}}]});
    assert!(!check("bdl-11", &not_doc));
    let history = json!({"resourceType": "Bundle", "type": "searchset", "entry": [
        {"fullUrl": "http://x/Patient/1", "resource": {"resourceType": "Patient", "meta": {"versionId": "1"}}},
        {"fullUrl": "http://x/Patient/1", "resource": {"resourceType": "Patient", "meta": {"versionId": "1"}}}]});
    assert!(!check("bdl-7", &history));
}

#[test]
fn eld_2_min_max_with_iif() {
    assert!(check("eld-2", &json!({"path": "a", "min": 0, "max": "1"})));
    assert!(check("eld-2", &json!({"path": "a", "min": 1, "max": "*"})));
    assert!(!check("eld-2", &json!({"path": "a", "min": 2, "max": "1"})));
    assert!(check("eld-2", &json!({"path": "a", "min": 2})));
    let max = json!("3");
    let star = json!("*");
    let minus = json!("-1");
    let env = Env::default();
    assert!(check_node("eld-3", primitive(Some(&max), None), &env));
    assert!(check_node("eld-3", primitive(Some(&star), None), &env));
    assert!(!check_node("eld-3", primitive(Some(&minus), None), &env));
}

#[test]
fn sdf_8a_differential_paths() {
    let sd = |paths: &[&str]| {
        let elements: Vec<Value> = paths.iter().map(|p| json!({"id": p, "path": p})).collect();
        json!({"resourceType": "StructureDefinition", "kind": "resource", "type": "Patient",
            "differential": {"element": elements}})
    };
    let good = sd(&["Patient", "Patient.name", "Patient.name.given"]);
    let bad = sd(&["Patient", "Observation.code"]);
    assert!(check_in("sdf-8a", &good["differential"], Some(&good)));
    assert!(!check_in("sdf-8a", &bad["differential"], Some(&bad)));
    let snapshot = json!({"resourceType": "StructureDefinition", "kind": "resource", "type": "Patient",
        "snapshot": {"element": [{"path": "Patient"}, {"path": "Patient.id"}]}});
    assert!(check_in("sdf-8", &snapshot["snapshot"], Some(&snapshot)));
}

#[test]
fn txt_1_html_checks() {
    let env = Env::default();
    let run = |div: &str| {
        let v = json!(div);
        check_node("txt-1", primitive(Some(&v), None), &env)
    };
    assert!(run(
        r#"<div xmlns="http://www.w3.org/1999/xhtml"><p class="x">Hi <b>there</b></p></div>"#
    ));
    assert!(!run(
        r#"<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>"#
    ));
    assert!(!run(
        r#"<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x()">Hi</p></div>"#
    ));
    assert!(!run(r#"<div><p>no namespace</p></div>"#));
    assert!(!run(
        r#"<p xmlns="http://www.w3.org/1999/xhtml">not a div</p>"#
    ));
    assert!(!run(
        r#"<div xmlns="http://www.w3.org/1999/xhtml"><IFRAME src="x"/></div>"#
    ));
    assert!(run(
        r#"<div xmlns="http://www.w3.org/1999/xhtml" title="focus on = this">ok</div>"#
    ));
    let patient =
        json!({"resourceType": "Patient", "text": {"status": "generated", "div": "<div/>"}});
    assert!(check("dom-6", &patient));
    assert!(!check("dom-6", &json!({"resourceType": "Patient"})));
}

#[test]
fn que_7_ras_2_type_tests() {
    assert!(check(
        "que-7",
        &json!({"question": "q", "operator": "exists", "answerBoolean": true})
    ));
    assert!(!check(
        "que-7",
        &json!({"question": "q", "operator": "exists", "answerString": "x"})
    ));
    assert!(check(
        "que-7",
        &json!({"question": "q", "operator": "=", "answerString": "x"})
    ));
    assert!(check("ras-2", &json!({"probabilityDecimal": 50})));
    assert!(!check("ras-2", &json!({"probabilityDecimal": 150.5})));
    assert!(check(
        "ras-2",
        &json!({"probabilityRange": {"low": {"value": 1}}})
    ));
}

#[test]
fn more_core_invariants() {
    assert!(check(
        "per-1",
        &json!({"start": "2020-01-01", "end": "2020-02-01T10:00:00Z"})
    ));
    assert!(!check(
        "per-1",
        &json!({"start": "2020-03-01", "end": "2020-02-01"})
    ));
    assert!(check(
        "age-1",
        &json!({"value": 3, "system": "http://unitsofmeasure.org", "code": "a"})
    ));
    assert!(!check(
        "age-1",
        &json!({"value": -3, "system": "http://unitsofmeasure.org", "code": "a"})
    ));
    assert!(check(
        "cnt-3",
        &json!({"value": 3, "system": "http://unitsofmeasure.org", "code": "1"})
    ));
    assert!(!check(
        "cnt-3",
        &json!({"value": 3.5, "system": "http://unitsofmeasure.org", "code": "1"})
    ));
    let nested = json!({"resourceType": "Questionnaire", "item": [{"linkId": "1", "item": [{"linkId": "1"}]}]});
    assert!(!check("que-2", &nested));
    let distinct = json!({"resourceType": "Questionnaire", "item": [{"linkId": "1", "item": [{"linkId": "2"}]}]});
    assert!(check("que-2", &distinct));
    let app = json!({"resourceType": "Appointment", "status": "booked", "cancelationReason": {"text": "x"}});
    assert!(!check("app-4", &app));
    let app_ok = json!({"resourceType": "Appointment", "status": "cancelled", "cancelationReason": {"text": "x"}});
    assert!(check("app-4", &app_ok));
    assert!(check(
        "app-3",
        &json!({"resourceType": "Appointment", "status": "proposed"})
    ));
    assert!(!check(
        "app-3",
        &json!({"resourceType": "Appointment", "status": "booked"})
    ));
    let obs_bad = json!({"resourceType": "Observation", "code": {"coding": [{"system": "s", "code": "c"}]},
        "valueString": "x", "component": [{"code": {"coding": [{"system": "s", "code": "c"}]}}]});
    assert!(!check("obs-7", &obs_bad));
    let obs_ok = json!({"resourceType": "Observation", "code": {"coding": [{"system": "s", "code": "c"}]},
        "valueString": "x", "component": [{"code": {"coding": [{"system": "s", "code": "d"}]}}]});
    assert!(check("obs-7", &obs_ok));
    assert!(!check(
        "obs-6",
        &obs_ok
            .clone()
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o.insert("dataAbsentReason".into(), json!({"text": "x"}));
                Value::Object(o)
            })
            .unwrap_or_default()
    ));
    let ig = json!({"resourceType": "ImplementationGuide", "definition": {
        "grouping": [{"id": "g1"}], "resource": [{"groupingId": "g1"}, {"groupingId": "g2"}]}});
    let env = Env {
        context: Some(Node::resource(&ig["definition"])),
        ..Env::default()
    };
    assert!(!check_node("ig-1", Node::resource(&ig["definition"]), &env));
    let vs1 = json!("2020-01-01");
    let vs1_short = json!("2020");
    let dt = |v| Node {
        value: Some(v),
        extra: None,
        type_name: Some("dateTime"),
    };
    assert!(check_node("vs-1", dt(&vs1), &Env::default()));
    assert!(!check_node("vs-1", dt(&vs1_short), &Env::default()));
    assert!(check(
        "sdf-23",
        &json!({"snapshot": {"element": [{"path": "A"}, {"path": "A.b", "sliceName": "s"}]}})
    ));
    assert!(!check(
        "sdf-23",
        &json!({"snapshot": {"element": [{"path": "A", "sliceName": "s"}]}})
    ));
}

#[test]
fn every_invariant_evaluates_on_sample_resources_without_unsupported_features() {
    let samples = [
        json!({"resourceType": "Patient", "id": "p", "text": {"status": "generated",
            "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},
            "name": [{"family": "F", "given": ["G", null], "_given": [null, {"extension": [{"url": "u", "valueString": "v"}]}]}],
            "birthDate": "1970-01-01", "contained": [{"resourceType": "Organization", "id": "o"}],
            "managingOrganization": {"reference": "#o"}}),
        json!({"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": "s", "code": "c"}]},
            "valueQuantity": {"value": 1.5, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"},
            "effectivePeriod": {"start": "2020-01-01", "end": "2020-01-02"}}),
        json!({"resourceType": "StructureDefinition", "url": "http://hl7.org/fhir/StructureDefinition/x", "name": "X",
            "kind": "resource", "type": "Patient", "abstract": false, "derivation": "constraint",
            "snapshot": {"element": [{"id": "Patient", "path": "Patient", "min": 0, "max": "*"}]}}),
    ];
    let env = Env::default();
    let mut unsupported = Vec::new();
    let mut evaluated = 0;
    for line in INVARIANTS.lines() {
        let Some(expr) = line.splitn(3, '\t').nth(2) else {
            continue;
        };
        let Ok(parsed) = Expression::parse(expr) else {
            unsupported.push(format!("parse: {expr}"));
            continue;
        };
        for sample in &samples {
            evaluated += 1;
            if let Err(crate::fhirpath::EvalError::Unsupported(m)) =
                parsed.is_satisfied(Node::resource(sample), &env)
            {
                unsupported.push(format!("{expr}: {m}"));
            }
        }
    }
    assert_eq!(evaluated, 248 * 3);
    assert!(unsupported.is_empty(), "{}", unsupported.join("\n"));
}
