//! FHIR data types → HL7 v2.5 data types, the reverse of `v2_to_fhir::datatypes`: dateTime/date →
//! TS/DT, CodeableConcept → CWE (in components or in the subcomponents of one component), HumanName →
//! XPN (JP_HumanName's `IDE` / `SYL` → XPN-8 `I` / `P`), Address → XAD, ContactPoint → XTN,
//! Identifier → CX, Quantity → value and CWE unit.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::hl7v2::SegmentBuilder;
use crate::v2_to_fhir::coding::v2_name;
use crate::v2_to_fhir::datatypes::NAME_REPRESENTATION;

/// A string member.
pub fn s<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
}

/// An array member's items (none when absent).
pub fn items<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A FHIR date, dateTime or instant as an HL7 TS in Japan time without a zone: `2016-08-21T16:15:23+09:00`
/// → `20160821161523`, `2016-08-21T07:15:23Z` → `20160821161523`, `1979-11-01` → `19791101`. A
/// fraction of a second is kept. `Err` says what is wrong.
pub fn ts(value: &str) -> Result<String, String> {
    let bad = || format!("'{value}' is not a FHIR date or dateTime.");
    let Some((date, _)) = value.split_once('T') else {
        let digits: String = value.chars().filter(|c| *c != '-').collect();
        if !matches!(digits.len(), 4 | 6 | 8) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        date_only_ok(value).ok_or_else(bad)?;
        return Ok(digits);
    };
    let parsed = DateTime::parse_from_rfc3339(value).map_err(|_| bad())?;
    let japan = FixedOffset::east_opt(9 * 3600).ok_or_else(bad)?;
    let local = parsed.with_timezone(&japan);
    let mut out = local.format("%Y%m%d%H%M%S").to_string();
    // The fraction as written (an offset of whole minutes does not change it).
    if let Some(fraction) = value
        .get(date.len() + 9..)
        .and_then(|rest| rest.strip_prefix('.'))
        .map(|rest| rest.split(['+', '-', 'Z']).next().unwrap_or_default())
        .filter(|f| !f.is_empty())
    {
        out.push('.');
        out.push_str(fraction);
    }
    Ok(out)
}

fn date_only_ok(value: &str) -> Option<()> {
    let mut parts = value.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u32 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    chrono::NaiveDate::from_ymd_opt(year, month, day).map(|_| ())
}

/// The v2 coding-system name of a FHIR system: the table's name, or the URI itself when it has none.
pub fn system_name(uri: &str) -> String {
    v2_name(uri).unwrap_or_else(|| uri.to_string())
}

/// The (code, display, system) triples of a CodeableConcept's first two codings, the first display
/// falling back to `text` when no coding has one.
fn cwe_parts(concept: &Value) -> [[String; 3]; 2] {
    let mut parts: [[String; 3]; 2] = Default::default();
    for (i, coding) in items(concept, "coding").iter().take(2).enumerate() {
        parts[i] = [
            s(coding, "code").unwrap_or_default().to_string(),
            s(coding, "display").unwrap_or_default().to_string(),
            s(coding, "system").map(system_name).unwrap_or_default(),
        ];
    }
    // `text` stands in for a missing display, unless it is the code itself (what `v2_to_fhir` writes
    // for an OBX-3 without a name).
    if parts[0][1].is_empty() && parts[1][1].is_empty() {
        if let Some(text) = s(concept, "text").filter(|t| *t != parts[0][0]) {
            parts[0][1] = text.to_string();
        }
    }
    parts
}

/// Writes a CodeableConcept as a CWE into repetition `rep` of `field` (components 1–6).
pub fn cwe(seg: &mut SegmentBuilder, field: usize, rep: usize, concept: &Value) {
    for (i, triple) in cwe_parts(concept).iter().enumerate() {
        for (j, value) in triple.iter().enumerate() {
            seg.set(field, rep, i * 3 + j + 1, 1, value);
        }
    }
}

/// Writes a CodeableConcept as a CWE into the subcomponents of component `comp` (TQ1-3, RXE-19 units).
pub fn cwe_sub(seg: &mut SegmentBuilder, field: usize, rep: usize, comp: usize, concept: &Value) {
    for (i, triple) in cwe_parts(concept).iter().enumerate() {
        for (j, value) in triple.iter().enumerate() {
            seg.set(field, rep, comp, i * 3 + j + 1, value);
        }
    }
}

/// Writes a Coding as CWE-1/2/3 into repetition `rep` of `field`.
pub fn coding(seg: &mut SegmentBuilder, field: usize, rep: usize, coding: &Value) {
    seg.set(field, rep, 1, 1, s(coding, "code").unwrap_or_default())
        .set(field, rep, 2, 1, s(coding, "display").unwrap_or_default())
        .set(
            field,
            rep,
            3,
            1,
            &s(coding, "system").map(system_name).unwrap_or_default(),
        );
}

/// The first coding's code of a CodeableConcept with the given system (any system when `None`).
pub fn code_of<'v>(concept: Option<&'v Value>, system: Option<&str>) -> Option<&'v str> {
    items(concept?, "coding")
        .iter()
        .find(|c| system.is_none() || s(c, "system") == system)
        .and_then(|c| s(c, "code"))
}

/// Writes a HumanName as an XPN into repetition `rep` of `field`, starting at component `first` (1 for
/// XPN; 2 for the name part of an XCN).
pub fn xpn(seg: &mut SegmentBuilder, field: usize, rep: usize, first: usize, name: &Value) {
    let given = items(name, "given");
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let (family, given1, given2) = match (s(name, "family"), given.is_empty()) {
        (None, true) => (
            s(name, "text").unwrap_or_default().to_string(),
            String::new(),
            String::new(),
        ),
        (family, _) => (
            family.unwrap_or_default().to_string(),
            text(given.first()),
            text(given.get(1)),
        ),
    };
    let type_code = match s(name, "use") {
        Some("nickname") => "D",
        Some("maiden") => "M",
        _ => "L",
    };
    let representation = items(name, "extension")
        .iter()
        .find(|e| s(e, "url") == Some(NAME_REPRESENTATION))
        .and_then(|e| s(e, "valueCode"))
        .map(|code| match code {
            "IDE" => "I",
            "SYL" => "P",
            "ABC" => "A",
            _ => "",
        })
        .unwrap_or_default();
    let at = |c: usize| first + c - 1;
    seg.set(field, rep, at(1), 1, &family)
        .set(field, rep, at(2), 1, &given1)
        .set(field, rep, at(3), 1, &given2)
        .set(field, rep, at(4), 1, &text(items(name, "suffix").first()))
        .set(field, rep, at(5), 1, &text(items(name, "prefix").first()))
        .set(field, rep, at(7), 1, type_code)
        .set(field, rep, at(8), 1, representation);
}

/// Writes an Address as an XAD into repetition `rep` of `field`.
pub fn xad(seg: &mut SegmentBuilder, field: usize, rep: usize, address: &Value) {
    let lines = items(address, "line");
    for (c, line) in lines.iter().take(2).enumerate() {
        seg.set(field, rep, c + 1, 1, line.as_str().unwrap_or_default());
    }
    for (c, key) in [
        (3, "city"),
        (4, "state"),
        (5, "postalCode"),
        (6, "country"),
        (8, "text"),
    ] {
        seg.set(field, rep, c, 1, s(address, key).unwrap_or_default());
    }
    let use_ = match s(address, "use") {
        Some("home") => "H",
        Some("work") => "B",
        Some("temp") => "C",
        _ => "",
    };
    seg.set(field, rep, 7, 1, use_);
}

/// Writes a ContactPoint as an XTN into repetition `rep` of `field`, SS-MIX2 style: the number in
/// XTN-12 (unformatted), an e-mail address in XTN-4.
pub fn xtn(seg: &mut SegmentBuilder, field: usize, rep: usize, point: &Value) {
    let value = s(point, "value").unwrap_or_default();
    let system = s(point, "system").unwrap_or("phone");
    let use_ = s(point, "use");
    let use_code = match use_ {
        Some("work") => "WPN",
        Some("temp") => "EMR",
        _ => "PRN",
    };
    let equipment = match (system, use_) {
        ("email", _) => "Internet",
        ("fax", _) => "FX",
        (_, Some("mobile")) => "CP",
        _ => "PH",
    };
    seg.set(field, rep, 2, 1, use_code)
        .set(field, rep, 3, 1, equipment);
    if system == "email" {
        seg.set(field, rep, 4, 1, value);
    } else {
        seg.set(field, rep, 12, 1, value);
    }
}

/// Writes a Quantity's value (to `value_at`) and its unit as a CWE (to `unit_field`): code^unit^system.
pub fn quantity_value(quantity: &Value) -> Option<String> {
    let v = quantity.get("value")?;
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(text) => Some(text.clone()),
        _ => None,
    }
}

/// Writes a Quantity's unit as CWE code^text^system into repetition 1 of `field`.
pub fn unit(seg: &mut SegmentBuilder, field: usize, quantity: &Value) {
    let code = s(quantity, "code");
    let unit = s(quantity, "unit");
    seg.set(field, 1, 1, 1, code.or(unit).unwrap_or_default());
    if code.is_some() {
        seg.set(field, 1, 2, 1, unit.unwrap_or_default()).set(
            field,
            1,
            3,
            1,
            &s(quantity, "system").map(system_name).unwrap_or_default(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fhir_times_become_japan_time_ts() {
        assert_eq!(ts("2016-08-21T16:15:23+09:00").unwrap(), "20160821161523");
        assert_eq!(ts("2016-08-21T07:15:23Z").unwrap(), "20160821161523");
        assert_eq!(ts("2016-08-20T22:15:23-09:00").unwrap(), "20160821161523");
        assert_eq!(
            ts("2016-08-21T16:15:23.123+09:00").unwrap(),
            "20160821161523.123"
        );
        assert_eq!(ts("1979-11-01").unwrap(), "19791101");
        assert_eq!(ts("1979-11").unwrap(), "197911");
        assert_eq!(ts("1979").unwrap(), "1979");
        for bad in [
            "1979-13-01",
            "2016-08-21T25:00:00+09:00",
            "x",
            "2016-08-21T16:15",
        ] {
            assert!(ts(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn data_types_are_written_as_v2_reads_them_back() {
        let mut seg = SegmentBuilder::new("PID");
        let name = json!({"extension": [{"url": NAME_REPRESENTATION, "valueCode": "SYL"}],
            "use": "official", "family": "ヤマダ", "given": ["タロウ"]});
        xpn(&mut seg, 5, 1, 1, &name);
        cwe(
            &mut seg,
            6,
            1,
            &json!({"coding": [
            {"system": "http://medis.or.jp/CodeSystem/master-HOT9", "code": "103835401", "display": "ムコダイン錠２５０ｍｇ"},
            {"system": "urn:x", "code": "9"}]}),
        );
        cwe(&mut seg, 7, 1, &json!({"text": "自由記載"}));
        xtn(
            &mut seg,
            13,
            1,
            &json!({"system": "phone", "value": "03-1234-5678", "use": "home"}),
        );
        xad(
            &mut seg,
            11,
            1,
            &json!({"postalCode": "1510071", "text": "東京都渋谷区", "use": "home"}),
        );
        let text = seg.to_hl7(&Default::default());
        assert_eq!(
            text,
            "PID|||||ヤマダ^タロウ^^^^^L^P|103835401^ムコダイン錠２５０ｍｇ^HOT9^9^^urn:x|^自由記載||||^^^^1510071^^H^東京都渋谷区||^PRN^PH^^^^^^^^^03-1234-5678"
        );
    }
}
