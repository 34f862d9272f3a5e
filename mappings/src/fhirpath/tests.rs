//! Tests of the FHIRPath language core: literals, operators, three-valued logic, equality, dates,
//! quantities and functions on system values.

use serde_json::{json, Value};

use super::{Env, EvalError, Expression, Item, Node};

/// Evaluates `expr` on `focus` and renders the result as strings (`true`, `'a'`, `1`…) for easy asserts.
pub(super) fn eval_on(expr: &str, focus: &Value) -> Vec<String> {
    let parsed = Expression::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    let result = parsed
        .evaluate(Node::resource(focus), &Env::default())
        .unwrap_or_else(|e| panic!("{expr}: {e}"));
    result.iter().map(render).collect()
}

pub(super) fn render(item: &Item<'_>) -> String {
    match item {
        Item::Node(n) if !n.is_primitive() || n.value.is_none() => "<node>".to_string(),
        other => other.to_text().map(|t| t.into_owned()).unwrap_or_default(),
    }
}

fn ev(expr: &str) -> Vec<String> {
    eval_on(expr, &json!({}))
}

fn one(expr: &str) -> String {
    let r = ev(expr);
    assert_eq!(r.len(), 1, "{expr} gave {r:?}");
    r[0].clone()
}

const T: &str = "true";
const F: &str = "false";

#[test]
fn three_valued_and_or_xor_implies() {
    // Rows: left, right; columns: and, or, xor, implies ("" = empty).
    let values = [("true", Some(true)), ("false", Some(false)), ("{}", None)];
    for (lt, l) in values {
        for (rt, r) in values {
            let and = match (l, r) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            let or = match (l, r) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            let xor = l.zip(r).map(|(a, b)| a != b);
            let implies = match (l, r) {
                (Some(false), _) | (_, Some(true)) => Some(true),
                (Some(true), Some(false)) => Some(false),
                _ => None,
            };
            for (op, want) in [("and", and), ("or", or), ("xor", xor), ("implies", implies)] {
                let expr = format!("({lt}) {op} ({rt})");
                let want: Vec<String> = want.map(|b| b.to_string()).into_iter().collect();
                assert_eq!(ev(&expr), want, "{expr}");
            }
        }
    }
    assert_eq!(one("true.not()"), F);
    assert_eq!(ev("{}.not()"), Vec::<String>::new());
}

#[test]
fn equality_and_empty_propagation() {
    assert_eq!(one("1 = 1"), T);
    assert_eq!(one("1 = 1.0"), T);
    assert_eq!(one("'a' = 'b'"), F);
    assert_eq!(one("'a' != 'b'"), T);
    assert!(ev("{} = 1").is_empty());
    assert!(ev("1 != {}").is_empty());
    assert_eq!(one("(1 | 2) = (1 | 2)"), T);
    assert_eq!(one("(1 | 2) = (2 | 1)"), F);
    assert_eq!(one("(1 | 2) = 1"), F);
    assert_eq!(one("'a' = 1"), F);
    assert_eq!(one("'Hello  World' ~ 'hello world'"), T);
    assert_eq!(one("'a' !~ 'A'"), F);
    assert_eq!(one("{} ~ {}"), T);
    assert_eq!(one("{} ~ 1"), F);
    assert_eq!(one("(1 | 2) ~ (2 | 1)"), T);
}

#[test]
fn arithmetic_strings_and_precedence() {
    assert_eq!(one("1 + 2 * 3"), "7");
    assert_eq!(one("(1 + 2) * 3"), "9");
    assert_eq!(one("7 div 2"), "3");
    assert_eq!(one("7 mod 2"), "1");
    assert_eq!(one("1 / 2"), "0.5");
    assert!(ev("1 / 0").is_empty());
    assert_eq!(one("-2 + 5"), "3");
    assert_eq!(one("'a' + 'b'"), "ab");
    assert_eq!(one("'a' & {} & 'c'"), "ac");
    assert!(ev("'a' + {}").is_empty());
    assert_eq!(one("2 > 1 and 'b' > 'a'"), T);
    assert_eq!(one("1 | 2 | 1 = 1 | 2"), T, "union binds tighter than =");
    assert_eq!(one("(1 | 2 | 2).count()"), "2");
    assert_eq!(one("(1 | 2).combine(2).count()"), "3");
    assert_eq!(one("2 in (1 | 2)"), T);
    assert_eq!(one("(1 | 2) contains 3"), F);
    assert!(ev("{} in (1 | 2)").is_empty());
    assert_eq!(one("5 is Integer"), T);
    assert_eq!(one("5 is System.String"), F);
    assert_eq!(one("(5 as Integer) = 5"), T);
}

#[test]
fn literals_and_escapes() {
    assert_eq!(one(r"'it\'s \u0041\t\\\/'"), "it's A\t\\/");
    assert_eq!(one("`div`.empty()"), T);
    assert_eq!(one("%ucum"), "http://unitsofmeasure.org");
    assert_eq!(one("%sct"), "http://snomed.info/sct");
    assert_eq!(one("%loinc"), "http://loinc.org");
    assert_eq!(
        one("%\"vs-administrative-gender\""),
        "http://hl7.org/fhir/ValueSet/administrative-gender"
    );
    assert_eq!(one("@2020-01-01"), "2020-01-01");
    assert_eq!(one("@2020-01-01T10:00:00Z"), "2020-01-01T10:00:00Z");
    assert_eq!(one("@T10:00"), "10:00");
    assert_eq!(one("4 'mg'"), "4.0 'mg'");
    assert_eq!(one("2 days = 2 'd'"), T);
    assert_eq!(one("1.5"), "1.5");
    assert_eq!(one("(1 | 2 | 3)[1]"), "2");
    assert!(ev("{}").is_empty());
}

#[test]
fn parse_errors_have_positions() {
    let err = Expression::parse("name.frobnicate()")
        .err()
        .map(|e| e.to_string());
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("frobnicate") && e.contains("at character 5")),
        "{err:?}"
    );
    assert!(Expression::parse("1 +").is_err());
    assert!(Expression::parse("(1").is_err());
    assert!(Expression::parse("%unknownConstant").is_err());
    assert!(Expression::parse("'open").is_err());
    assert!(Expression::parse("where()").is_err(), "arity is checked");
    assert!(Expression::parse("@2020-13-01").is_err());
}

#[test]
fn dates_with_partial_precision() {
    assert_eq!(one("@2020-01-01 < @2020-01-02"), T);
    assert_eq!(one("@2020 < @2021-06"), T);
    assert!(
        ev("@2020 < @2020-06").is_empty(),
        "unknown at different precision"
    );
    assert!(ev("@2020 = @2020-06").is_empty());
    assert_eq!(one("@2020-01-01 = @2020-01-01"), T);
    assert_eq!(one("@2020-01-01T10:00:00+09:00 = @2020-01-01T01:00:00Z"), T);
    assert_eq!(one("@2020-01-01T10:00:00.5Z > @2020-01-01T10:00:00Z"), T);
    assert_eq!(one("@2020-01-01 ~ @2020-01"), F);
    assert_eq!(one("@T10:00 < @T11:00"), T);
    let obs = json!({"resourceType": "Observation", "effectiveDateTime": "2021-03-04T05:06:07+09:00",
        "issued": "2021-03-04", "start": "2020", "end": "2020-05-01"});
    assert_eq!(eval_on("effective > @2021-03-02", &obs), [T]);
    assert!(
        eval_on("effective > @2021-03-03", &obs).is_empty(),
        "same day in UTC, finer precision: unknown"
    );
    assert_eq!(eval_on("effective < @2021-03-04T00:00:00Z", &obs), [T]);
    assert_eq!(eval_on("issued >= @2021-03-04", &obs), [T]);
    assert!(
        eval_on("start <= end", &obs).is_empty(),
        "2020 vs 2020-05-01 is unknown"
    );
    assert_eq!(eval_on("issued > start", &obs), [T]);
}

#[test]
fn quantities_compare_by_unit() {
    let obs = json!({"resourceType": "Observation",
        "valueQuantity": {"value": 5.5, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}});
    assert_eq!(eval_on("value > 4 'mg'", &obs), [T]);
    assert_eq!(eval_on("value = 5.5 'mg'", &obs), [T]);
    assert_eq!(eval_on("value < 5 'mg'", &obs), [F]);
    assert!(
        eval_on("value > 4 'kg'", &obs).is_empty(),
        "different units: unknown"
    );
    let range = json!({"low": {"value": 1, "unit": "kg"}, "high": {"value": 3, "unit": "kg"}});
    assert!(super::tests_invariants::check_pub("rng-2", &range));
    let bad = json!({"low": {"value": 5, "unit": "kg"}, "high": {"value": 3, "unit": "kg"}});
    assert!(!super::tests_invariants::check_pub("rng-2", &bad));
}

#[test]
fn string_functions() {
    assert_eq!(one("'abcdef'.substring(2, 2)"), "cd");
    assert_eq!(one("'abcdef'.substring(1)"), "bcdef");
    assert!(ev("'abc'.substring(5)").is_empty());
    assert_eq!(one("'abc'.startsWith('ab')"), T);
    assert_eq!(one("'abc'.endsWith('bc')"), T);
    assert_eq!(one("'abc'.contains('d')"), F);
    assert_eq!(one("'abc'.indexOf('c')"), "2");
    assert_eq!(one("'aBc'.upper() + 'aBc'.lower()"), "ABCabc");
    assert_eq!(one("'a.b.c'.replace('.', '-')"), "a-b-c");
    assert_eq!(
        one("'Patient.name.given'.replaceMatches('\\\\..*', '')"),
        "Patient"
    );
    assert_eq!(one("'Abc'.matches('^[A-Z][a-z]+$')"), T);
    assert_eq!(one("'abc'.matches('b')"), T, "matches is a partial match");
    assert_eq!(one("'abc'.length()"), "3");
    assert_eq!(one("' x '.trim()"), "x");
    assert_eq!(one("'a,b'.split(',').count()"), "2");
    assert_eq!(one("('a' | 'b').join('-')"), "a-b");
    assert_eq!(one("'12'.toInteger() + 1"), "13");
    assert!(ev("'1.5'.toInteger()").is_empty());
    assert_eq!(one("'1.5'.toDecimal()"), "1.5");
    assert_eq!(one("'yes'.toBoolean()"), T);
    assert_eq!(one("'x'.convertsToInteger()"), F);
    assert_eq!(one("1.5.toString()"), "1.5");
    assert_eq!(one("'2020-01'.toDate() = @2020-01"), T);
    assert_eq!(one("(-3).abs()"), "3");
    assert_eq!(one("2.5.floor()"), "2");
    assert_eq!(one("2.456.round(2)"), "2.46");
}

#[test]
fn unsupported_regex_parses_but_does_not_evaluate() {
    let expr = Expression::parse("'abc'.matches('(?=a)abc')");
    let focus = json!({});
    let result = expr.map(|e| {
        e.evaluate(Node::resource(&focus), &Env::default())
            .map(|r| r.len())
    });
    assert!(matches!(result, Ok(Err(EvalError::Unsupported(m))) if m.contains("(?=a)abc")));
}

#[test]
fn collection_functions_and_iif() {
    assert_eq!(one("(1 | 2 | 3).where($this > 1).count()"), "2");
    assert_eq!(one("(1 | 2 | 3).select($this * 2).last()"), "6");
    assert_eq!(one("(1 | 2 | 3).select($index).last()"), "2");
    assert_eq!(one("(1 | 2 | 3).all($this > 0)"), T);
    assert_eq!(one("{}.all(false)"), T);
    assert_eq!(one("(1 | 2).exists($this = 2)"), T);
    assert_eq!(one("(1 | 2 | 3).tail().first()"), "2");
    assert_eq!(one("(1 | 2 | 3).skip(1).take(1)"), "2");
    assert_eq!(one("(1 | 2 | 3).intersect(2 | 3 | 4).count()"), "2");
    assert_eq!(one("(1 | 2 | 3).exclude(2).count()"), "2");
    assert_eq!(one("(1 | 2).subsetOf(1 | 2 | 3)"), T);
    assert_eq!(one("(1 | 2 | 3).supersetOf(1 | 4)"), F);
    assert_eq!(one("(1 | 2).combine(1).isDistinct()"), F);
    assert_eq!(one("(1 | 2).combine(1).distinct().count()"), "2");
    // Strings are hashed; a mixed collection is compared pairwise (1 = 1.0).
    assert_eq!(one("('a' | 'b').combine('a').isDistinct()"), F);
    assert_eq!(one("('a' | 'b' | 'A').isDistinct()"), T);
    assert_eq!(
        ev("('b' | 'a').combine('b' | 'c').distinct()"),
        ["b", "a", "c"]
    );
    assert_eq!(one("(1 | 'a').combine(1.0).isDistinct()"), F);
    assert_eq!(one("(true | false).anyTrue()"), T);
    assert_eq!(one("(true | false).allTrue()"), F);
    assert_eq!(one("(1 | 2 | 3).aggregate($this + $total, 0)"), "6");
    assert_eq!(one("iif(true, 'y', 'n')"), "y");
    assert_eq!(one("iif({}, 'y', 'n')"), "n");
    assert!(ev("iif(false, 'y')").is_empty());
    assert_eq!(
        one("iif(true, 'y', 1 / 0)"),
        "y",
        "only the chosen branch is evaluated"
    );
    assert_eq!(one("(1 | 2).trace('x').count()"), "2");
    let empty = json!({});
    let e = Expression::parse("(1 | 2).single()")
        .map(|x| x.evaluate(Node::resource(&empty), &Env::default()).err());
    assert!(matches!(e, Ok(Some(EvalError::NotSingleton(..)))));
}

#[test]
fn now_and_today_come_from_the_env() {
    let focus = json!({});
    let env = Env {
        now: Some("2024-05-06T07:08:09+09:00"),
        ..Env::default()
    };
    let eval = |s: &str| {
        Expression::parse(s)
            .ok()
            .and_then(|e| e.evaluate(Node::resource(&focus), &env).ok())
            .map(|r| r.iter().map(render).collect::<Vec<_>>())
    };
    assert_eq!(eval("today()"), Some(vec!["2024-05-06".to_string()]));
    assert_eq!(
        eval("now() > @2024-05-05T00:00:00Z"),
        Some(vec![T.to_string()])
    );
    let no_clock = Expression::parse("now()")
        .map(|e| e.evaluate(Node::resource(&focus), &Env::default()).is_err());
    assert_eq!(no_clock, Ok(true));
    let member_of = Expression::parse("'a'.memberOf('http://x')").map(|e| {
        matches!(
            e.evaluate(Node::resource(&focus), &Env::default()),
            Err(EvalError::Unsupported(_))
        )
    });
    assert_eq!(member_of, Ok(true));
}

#[test]
fn expression_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone>() {}
    assert_traits::<Expression>();
    let e = Expression::parse("a.b").map(|e| e.clone().text().to_string());
    assert_eq!(e.as_deref(), Ok("a.b"));
}
