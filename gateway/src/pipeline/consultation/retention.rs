//! Rule P3 (requirements.md §9.2, seed 000 L2011, L10050; 001 L171): a 診療計画 is kept for 2 years, so
//! an online-consultation care plan cannot be deleted or overwritten within 2 years of its creation,
//! through any interaction of any zone (delete, update, transaction entries).

use kakehashi_mappings::fhir::concepts::has_code;
use kakehashi_mappings::{rules, Issue, IssueCode};
use serde_json::Value;

use crate::pipeline::FhirError;

use kakehashi_mappings::consultation::to_fhir::names::CARE_PLAN_DOCUMENT as PLAN_CATEGORY;

/// Refuses (422, rule P3) replacing `current` by `new` (None: deleting it) at `now_ms` when `current`
/// is an online-consultation care plan created less than 2 years before. A replacement that changes
/// nothing but `meta` is not an overwrite.
pub fn check_retention(current: &Value, new: Option<&Value>, now_ms: i64) -> Result<(), FhirError> {
    if current["resourceType"] != "CarePlan" || !is_consultation_plan(current) {
        return Ok(());
    }
    if new.is_some_and(|new| same_but_meta(current, new)) {
        return Ok(());
    }
    let Some(created) = current["created"]
        .as_str()
        .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
    else {
        return Ok(());
    };
    let Some(now) = chrono::DateTime::from_timestamp_millis(now_ms) else {
        return Ok(());
    };
    let until = created
        .checked_add_months(chrono::Months::new(24))
        .unwrap_or(created);
    if now >= until {
        return Ok(());
    }
    let what = if new.is_some() {
        "overwritten"
    } else {
        "deleted"
    };
    let citation = rules::rule("P3")
        .map(|r| r.citation.to_string())
        .unwrap_or_default();
    Err(FhirError::new(
        422,
        Issue::error(
            IssueCode::BusinessRule,
            format!(
                "P3: this care plan (作成 {}) cannot be {what} before {}: a 診療計画 is kept for 2 years ({citation})",
                created.to_rfc3339(),
                until.to_rfc3339()
            ),
        )
        .rule("P3")
        .at("CarePlan"),
    ))
}

pub(super) fn is_consultation_plan(plan: &Value) -> bool {
    has_code(&plan["category"], PLAN_CATEGORY)
}

fn same_but_meta(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(map) = v.as_object_mut() {
            map.remove("meta");
        }
        v
    };
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(created: &str) -> Value {
        json!({
            "resourceType": "CarePlan",
            "id": "p",
            "created": created,
            "category": [{"coding": [{"system": "urn:x", "code": PLAN_CATEGORY}]}],
            "status": "active"
        })
    }

    fn ms(at: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(at)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn a_plan_is_kept_two_years() {
        let current = plan("2026-10-01T11:00:00+09:00");
        let refused = check_retention(&current, None, ms("2027-06-01T00:00:00Z")).unwrap_err();
        assert_eq!(refused.status, 422);
        assert_eq!(refused.issues[0].rule.as_deref(), Some("P3"));
        let mut changed = current.clone();
        changed["status"] = json!("revoked");
        assert!(check_retention(&current, Some(&changed), ms("2027-06-01T00:00:00Z")).is_err());
        // Two years on, both are allowed; the same content again is never an overwrite.
        assert!(check_retention(&current, None, ms("2028-10-01T03:00:00Z")).is_ok());
        let mut restamped = current.clone();
        restamped["meta"] = json!({"versionId": "2"});
        assert!(check_retention(&current, Some(&restamped), ms("2027-06-01T00:00:00Z")).is_ok());
        // Care plans that are not online-consultation plans are not held.
        let mut other = current.clone();
        other["category"] = json!([]);
        assert!(check_retention(&other, None, ms("2027-06-01T00:00:00Z")).is_ok());
    }
}
