//! Tests of FHIR JSON navigation: primitives with `_x` siblings, choice elements, types, children,
//! descendants, `resolve()` and the model hooks.

use serde_json::json;

use super::tests::eval_on;
use super::{Env, Expression, Item, Model, Node, Resolver};

const T: &str = "true";
const F: &str = "false";

#[test]
fn primitives_pair_with_their_underscore_objects() {
    let p = json!({"resourceType": "Patient",
        "birthDate": "1970", "_birthDate": {"id": "b1", "extension": [{"url": "http://x", "valueString": "e"}]},
        "name": [{"given": ["a", null, "c"], "_given": [null, {"extension": [{"url": "u", "valueCode": "x"}]}]}],
        "_gender": {"extension": [{"url": "http://absent", "valueCode": "unknown"}]}});
    assert_eq!(eval_on("birthDate", &p), ["1970"]);
    assert_eq!(eval_on("birthDate.id", &p), ["b1"]);
    assert_eq!(eval_on("birthDate.extension.value", &p), ["e"]);
    assert_eq!(eval_on("birthDate.extension('http://x').exists()", &p), [T]);
    assert_eq!(eval_on("birthDate.hasValue()", &p), [T]);
    assert_eq!(eval_on("name.given.count()", &p), ["3"]);
    assert_eq!(eval_on("name.given[1].hasValue()", &p), [F]);
    assert_eq!(eval_on("name.given[1].extension.url", &p), ["u"]);
    assert_eq!(eval_on("name.given[2]", &p), ["c"]);
    assert_eq!(eval_on("gender.exists()", &p), [T]);
    assert_eq!(eval_on("gender.hasValue()", &p), [F]);
    assert_eq!(eval_on("birthDate.children().count()", &p), ["2"]);
    assert_eq!(eval_on("Patient.birthDate", &p), ["1970"]);
    assert!(eval_on("Observation.birthDate", &p).is_empty());
}

#[test]
fn choice_elements_by_type_suffix() {
    let obs = json!({"resourceType": "Observation", "valueQuantity": {"value": 1, "unit": "mg"},
        "effectiveDateTime": "2020-01-01", "_effectiveDateTime": {"id": "e"}});
    assert_eq!(eval_on("value.unit", &obs), ["mg"]);
    assert_eq!(eval_on("value is Quantity", &obs), [T]);
    assert_eq!(eval_on("value is FHIR.Quantity", &obs), [T]);
    assert_eq!(eval_on("value.ofType(Quantity).count()", &obs), ["1"]);
    assert_eq!(eval_on("value.ofType(string).count()", &obs), ["0"]);
    assert_eq!(eval_on("effective is dateTime", &obs), [T]);
    assert_eq!(eval_on("effective.id", &obs), ["e"]);
    assert_eq!(eval_on("(effective as dateTime) = @2020-01-01", &obs), [T]);
    let binding = json!({"strength": "required", "valueSet": "http://vs"});
    assert!(
        eval_on("value", &binding).is_empty(),
        "valueSet is not a choice of value"
    );
    let s = json!({"valueString": "x"});
    assert_eq!(eval_on("value is string", &s), [T]);
    assert_eq!(eval_on("value is System.String", &s), [T]);
    assert_eq!(eval_on("value is code", &s), [F]);
    let code = json!({"valueCode": "x"});
    assert_eq!(
        eval_on("value is string", &code),
        [F],
        "a code is not a string for is()"
    );
    assert_eq!(eval_on("value is code", &code), [T]);
    assert_eq!(
        eval_on("value = 'x'", &code),
        [T],
        "but it compares as a string"
    );
    let dec = json!({"valueDecimal": 1.0, "valueInteger": 2});
    assert_eq!(eval_on("valueDecimal.toString()", &dec), ["1.0"]);
    assert_eq!(eval_on("valueDecimal is Decimal", &dec), [T]);
    let age = json!({"valueAge": {"value": 3}});
    assert_eq!(eval_on("value is Quantity", &age), [T], "Age is a Quantity");
}

#[test]
fn resource_types() {
    let b =
        json!({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Composition"}}]});
    assert_eq!(eval_on("entry.resource.is(Composition)", &b), [T]);
    assert_eq!(eval_on("entry.resource is DomainResource", &b), [T]);
    assert_eq!(
        eval_on("entry.resource.ofType(Resource).count()", &b),
        ["1"]
    );
    assert_eq!(
        eval_on("$this is DomainResource", &b),
        [F],
        "a Bundle is only a Resource"
    );
    assert_eq!(eval_on("$this is Resource", &b), [T]);
}

#[test]
fn children_and_descendants_in_document_order() {
    let v = json!({"resourceType": "Patient", "id": "p", "name": [{"family": "F", "given": ["G"]}],
        "_active": {"extension": [{"url": "u"}]}});
    assert_eq!(eval_on("children().count()", &v), ["3"]);
    assert_eq!(eval_on("descendants().count()", &v), ["7"]);
    assert_eq!(
        eval_on("descendants().where($this = 'G').exists()", &v),
        [T]
    );
    assert_eq!(eval_on("descendants().url", &v), ["u"]);
    let order = json!({"a": {"b": "1"}, "c": "2"});
    assert_eq!(
        eval_on("descendants()[1]", &order),
        ["1"],
        "pre-order: a, a.b, c"
    );
    assert_eq!(eval_on("descendants()[2]", &order), ["2"]);
    assert_eq!(
        eval_on("name.children().select($this.toString())", &v),
        ["F", "G"]
    );
}

#[test]
fn resolve_contained_and_through_the_resolver() {
    struct Bundle(serde_json::Value);
    impl Resolver for Bundle {
        fn resolve<'a>(&'a self, reference: &str) -> Option<Node<'a>> {
            (reference == "Practitioner/1").then(|| Node::resource(&self.0))
        }
    }
    let practitioner = Bundle(json!({"resourceType": "Practitioner", "id": "1"}));
    let team = json!({"resourceType": "CareTeam",
        "contained": [{"resourceType": "Organization", "id": "o1"}],
        "participant": [{"member": {"reference": "#o1"}}, {"member": {"reference": "Practitioner/1"}},
                        {"member": {"reference": "Patient/unknown"}}]});
    let expr = |s: &str| Expression::parse(s).ok();
    let env = Env {
        resolver: Some(&practitioner),
        ..Env::default()
    };
    let run = |s: &str, env: &Env<'_>| {
        expr(s)
            .and_then(|e| e.evaluate(Node::resource(&team), env).ok())
            .map(|r| r.len())
    };
    assert_eq!(
        run("participant.member.resolve()", &Env::default()),
        Some(1)
    );
    assert_eq!(run("participant.member.resolve()", &env), Some(2));
    assert_eq!(
        run("participant.member.resolve().ofType(Practitioner)", &env),
        Some(1)
    );
    assert_eq!(
        run(
            "participant.member.reference.resolve().ofType(Organization)",
            &env
        ),
        Some(1)
    );
    // ctm-1 on a participant whose member resolves to an Organization and has onBehalfOf.
    let ctm1 = expr("onBehalfOf.exists() implies (member.resolve().iif(empty(), true, ofType(Practitioner).exists()))");
    let participant =
        json!({"member": {"reference": "#o1"}, "onBehalfOf": {"reference": "Organization/x"}});
    let env_root = Env {
        root_resource: Some(Node::resource(&team)),
        ..Env::default()
    };
    let ok = ctm1
        .as_ref()
        .map(|e| e.is_satisfied(Node::resource(&participant), &env_root));
    assert_eq!(ok.and_then(Result::ok), Some(false));
    let unresolved = json!({"member": {"reference": "Practitioner/9"}, "onBehalfOf": {"reference": "Organization/x"}});
    let ok = ctm1
        .as_ref()
        .map(|e| e.is_satisfied(Node::resource(&unresolved), &env_root));
    assert_eq!(ok.and_then(Result::ok), Some(true));
}

struct TinyModel;

impl Model for TinyModel {
    fn child_type<'m>(&'m self, parent: &str, json_key: &str) -> Option<&'m str> {
        match (parent, json_key) {
            ("Patient", "birthDate") => Some("date"),
            ("Patient", "contact") => Some("Patient.contact"),
            ("Patient.contact", "gender") => Some("code"),
            ("Thing", "valueSet") => Some("canonical"),
            _ => None,
        }
    }
    fn is_choice(&self, parent: &str, name: &str) -> bool {
        parent == "Thing" && name == "value"
    }
    fn is_a(&self, type_name: &str, ancestor: &str) -> bool {
        type_name == ancestor || (ancestor == "Resource" && type_name == "Patient")
    }
}

#[test]
fn the_model_supplies_types_and_choices() {
    let p = json!({"resourceType": "Patient", "birthDate": "1970-01-01", "contact": [{"gender": "male"}]});
    let env = Env {
        model: Some(&TinyModel),
        ..Env::default()
    };
    let run = |s: &str, v: &serde_json::Value, root: Node<'_>| -> Option<Vec<String>> {
        let e = Expression::parse(s).ok()?;
        let r = e
            .evaluate(
                root,
                &Env {
                    model: Some(&TinyModel),
                    ..Env::default()
                },
            )
            .ok()?;
        Some(r.iter().map(super::tests::render).collect()).filter(|_| v.is_object())
    };
    let root = Node::resource(&p);
    assert_eq!(run("birthDate is date", &p, root), Some(vec![T.into()]));
    assert_eq!(run("birthDate is string", &p, root), Some(vec![F.into()]));
    assert_eq!(
        run("contact.gender is code", &p, root),
        Some(vec![T.into()])
    );
    assert_eq!(
        run("contact.gender is string", &p, root),
        Some(vec![F.into()])
    );
    let thing = json!({"valueSet": "http://vs"});
    let typed = Node::typed(&thing, "Thing");
    assert_eq!(
        run("value is canonical", &thing, typed),
        Some(vec![T.into()]),
        "the model says valueSet is a choice here"
    );
    let items = Expression::parse("birthDate")
        .ok()
        .and_then(|e| e.evaluate(root, &env).ok());
    let typ = items
        .as_ref()
        .and_then(|r| r.first())
        .and_then(Item::as_node)
        .and_then(|n| n.type_name);
    assert_eq!(typ, Some("date"));
}
