//! Comparing values with `fixed[x]` (exact) and `pattern[x]` (the pattern's content must be present)
//! per ElementDefinition.fixed[x] / pattern[x] (R4 §2.1.28 elementdefinition). Numbers compare by value
//! (`1.0` equals `1.00`); object key order does not matter.

use serde_json::Value;

/// `value` equals `fixed` exactly (no extra elements).
pub fn equals(fixed: &Value, value: &Value) -> bool {
    match (fixed, value) {
        (Value::Object(f), Value::Object(v)) => {
            f.len() == v.len()
                && f.iter()
                    .all(|(k, fv)| v.get(k).is_some_and(|vv| equals(fv, vv)))
        }
        (Value::Array(f), Value::Array(v)) => {
            f.len() == v.len() && f.iter().zip(v).all(|(a, b)| equals(a, b))
        }
        (Value::Number(a), Value::Number(b)) => numbers_equal(a, b),
        _ => fixed == value,
    }
}

/// Everything in `pattern` is present in `value`: objects by key, arrays item by item (each pattern item
/// must match some value item), primitives exactly.
pub fn matches_pattern(pattern: &Value, value: &Value) -> bool {
    match (pattern, value) {
        (Value::Object(p), Value::Object(v)) => p
            .iter()
            .all(|(k, pv)| v.get(k).is_some_and(|vv| matches_pattern(pv, vv))),
        (Value::Array(p), Value::Array(v)) => p
            .iter()
            .all(|pi| v.iter().any(|vi| matches_pattern(pi, vi))),
        (Value::Number(a), Value::Number(b)) => numbers_equal(a, b),
        _ => pattern == value,
    }
}

fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if a.to_string() == b.to_string() {
        return true;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// A short rendering of a fixed or pattern value for messages (definitions are not patient data).
pub fn brief(value: &Value) -> String {
    cut(&value.to_string(), 120)
}

/// `text` cut to `max` characters, with `…` when cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        format!("{}…", text.chars().take(max).collect::<String>())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fixed_is_exact_and_pattern_is_a_subset() {
        let coding = json!({"system": "http://loinc.org", "code": "8302-2"});
        assert!(equals(
            &coding,
            &json!({"code": "8302-2", "system": "http://loinc.org"})
        ));
        assert!(!equals(
            &coding,
            &json!({"system": "http://loinc.org", "code": "8302-2", "display": "x"})
        ));
        let pattern = json!({"coding": [{"system": "http://loinc.org", "code": "8302-2"}]});
        let cc = json!({"coding": [{"system": "urn:x", "code": "1"},
            {"system": "http://loinc.org", "code": "8302-2", "display": "Body height"}], "text": "身長"});
        assert!(matches_pattern(&pattern, &cc));
        assert!(!matches_pattern(
            &pattern,
            &json!({"coding": [{"system": "http://loinc.org", "code": "3141-9"}]})
        ));
    }

    #[test]
    fn numbers_compare_by_value() {
        let a: Value = serde_json::from_str("1.0").unwrap();
        let b: Value = serde_json::from_str("1.00").unwrap();
        assert!(equals(&a, &b));
        assert!(!equals(&a, &json!(2)));
    }
}
