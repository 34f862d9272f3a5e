//! Asking a CodeableConcept (or a list of them, as `category` is) whether it carries a code.

use serde_json::Value;

/// True when `concepts` (one CodeableConcept or an array of them) has a coding with `code`.
pub fn has_code(concepts: &Value, code: &str) -> bool {
    let one = |concept: &Value| {
        concept["coding"]
            .as_array()
            .is_some_and(|codings| codings.iter().any(|c| c["code"] == code))
    };
    match concepts {
        Value::Array(items) => items.iter().any(one),
        concept => one(concept),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_a_code_in_one_concept_or_a_list() {
        let one = json!({"coding": [{"system": "s", "code": "a"}, {"code": "b"}]});
        assert!(has_code(&one, "b"));
        assert!(has_code(&json!([{"text": "x"}, one]), "a"));
        assert!(!has_code(&json!([{"coding": [{"code": "c"}]}]), "a"));
        assert!(!has_code(&Value::Null, "a"));
    }
}
