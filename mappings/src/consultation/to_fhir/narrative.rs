//! Narratives (FHIR R4 §2.4 Narrative): escaped XHTML `div`s, and the rendering of a native member as
//! a list of its Japanese labels (`tables/consultation-items.csv`) and values, codes by their display.

use serde_json::Value;

use super::codes::display;
use super::items::{children, item, Item, ValueType};
use crate::build_json;

/// `{status: generated, div}` of `inner` (already escaped XHTML).
pub fn text(inner: &str) -> Value {
    build_json!({"status": "generated", "div": div(inner)})
}

pub fn div(inner: &str) -> String {
    format!(r#"<div xmlns="http://www.w3.org/1999/xhtml">{inner}</div>"#)
}

/// `text` with XML's special characters escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `<ul>` of `lines` (unescaped).
pub fn bullets(lines: &[String]) -> String {
    let items: String = lines
        .iter()
        .map(|l| format!("<li>{}</li>", escape(l)))
        .collect();
    format!("<ul>{items}</ul>")
}

/// The XHTML of the native member at `path` (e.g. `record.firstVisit`) valued `value`.
pub fn member(path: &str, value: &Value) -> String {
    match item(path) {
        Some(row) => render(row, value),
        None => String::new(),
    }
}

fn render(row: &Item, value: &Value) -> String {
    match (row.repeats, value) {
        (true, Value::Array(values)) => {
            let items: String = values
                .iter()
                .map(|v| format!("<li>{}</li>", render_one(row, v)))
                .collect();
            format!("<ul>{items}</ul>")
        }
        _ => render_one(row, value),
    }
}

fn render_one(row: &Item, value: &Value) -> String {
    if row.value_type != ValueType::Complex {
        return escape(&scalar(row, value));
    }
    let mut items = String::new();
    for child in children(&row.path) {
        if let Some(v) = value.get(child.name()) {
            items.push_str(&format!(
                "<li>{}: {}</li>",
                escape(&child.label_ja),
                render(child, v)
            ));
        }
    }
    format!("<ul>{items}</ul>")
}

/// The text of a scalar value: はい / いいえ, a code's display, an institution's or doctor's name.
fn scalar(row: &Item, value: &Value) -> String {
    match value {
        Value::Bool(true) => "はい".into(),
        Value::Bool(false) => "いいえ".into(),
        Value::String(s) => match &row.list {
            Some(list) => display(list, s),
            None => s.clone(),
        },
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        Value::Array(items) => items
            .iter()
            .map(|v| scalar(row, v))
            .collect::<Vec<_>>()
            .join("、"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_render_with_labels_displays_and_escaping() {
        let html = member(
            "record.insuranceCheck",
            &json!({"method": "online-qualification", "dateTime": "2026-11-30T09:50:00+09:00"}),
        );
        assert_eq!(
            html,
            "<ul><li>方法: オンライン資格確認</li><li>確認日時: 2026-11-30T09:50:00+09:00</li></ul>"
        );
        assert_eq!(
            member("record.careContent", &json!("a<b & c")),
            "a&lt;b &amp; c"
        );
        assert!(member(
            "record.identityVerification",
            &json!({"patientMethod": "obvious", "patientDocuments": ["passport", "other"]})
        )
        .contains("パスポート</li><li>その他"));
        assert!(div("x").starts_with(r#"<div xmlns="http://www.w3.org/1999/xhtml">"#));
    }
}
