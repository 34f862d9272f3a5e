//! HL7 v2 data types → FHIR data types: TS/DTM/DT → dateTime/date, CWE/CE → CodeableConcept, XPN →
//! HumanName (JP_HumanName's kanji `IDE` / kana `SYL` representation), XAD → Address, XTN →
//! ContactPoint, CX → Identifier, XCN → a Practitioner's name and id, CQ → Quantity.

use crate::build_json;
use serde_json::{Map, Value};

use super::coding::system_uri;
use super::input::Rep;

/// The extension JP_HumanName uses for the representation of a name (kanji / kana).
pub const NAME_REPRESENTATION: &str =
    "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";

/// A TS/DTM value (`YYYY[MM[DD[HHMM[SS[.S…]]]]][+/-ZZZZ]`) as a FHIR date or dateTime. A time without
/// a zone is taken as Japan time (`+09:00`), as SS-MIX2 senders mean it. `Err` says what is wrong.
pub fn date_time(ts: &str) -> Result<String, String> {
    let ts = ts.trim();
    let (body, zone) = match ts.find(['+', '-']) {
        Some(i) => (&ts[..i], Some(&ts[i..])),
        None => (ts, None),
    };
    let (digits, fraction) = match body.split_once('.') {
        Some((d, f)) => (d, Some(f)),
        None => (body, None),
    };
    let bad = || format!("'{ts}' is not an HL7 date/time (YYYYMMDDHHMMSS[.S][+ZZZZ]).");
    if !digits.bytes().all(|b| b.is_ascii_digit())
        || !matches!(digits.len(), 4 | 6 | 8 | 10 | 12 | 14)
        || fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let part = |a: usize, b: usize| &digits[a..b];
    let date = match digits.len() {
        4 => part(0, 4).to_string(),
        6 => format!("{}-{}", part(0, 4), part(4, 6)),
        _ => format!("{}-{}-{}", part(0, 4), part(4, 6), part(6, 8)),
    };
    check_date(&date).ok_or_else(bad)?;
    let zone_ok = |z: &str| z.len() == 5 && z[1..].bytes().all(|b| b.is_ascii_digit());
    if zone.is_some_and(|z| !zone_ok(z)) {
        return Err(bad());
    }
    if digits.len() <= 8 {
        return Ok(date);
    }
    let (hh, mm) = (
        part(8, 10),
        if digits.len() >= 12 {
            part(10, 12)
        } else {
            "00"
        },
    );
    let ss = if digits.len() >= 14 {
        part(12, 14)
    } else {
        "00"
    };
    if hh > "23" || mm > "59" || ss > "59" {
        return Err(bad());
    }
    let zone = match zone {
        None => "+09:00".to_string(),
        Some(z) => format!("{}:{}", &z[..3], &z[3..]),
    };
    let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
    Ok(format!("{date}T{hh}:{mm}:{ss}{fraction}{zone}"))
}

/// A DT value as a FHIR date (time and zone dropped when a TS was given).
pub fn date(dt: &str) -> Result<String, String> {
    let full = date_time(dt)?;
    Ok(full.split('T').next().unwrap_or_default().to_string())
}

fn check_date(date: &str) -> Option<()> {
    let mut parts = date.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: Option<u32> = parts.next().map(|m| m.parse().ok()).unwrap_or(Some(1));
    let day: Option<u32> = parts.next().map(|d| d.parse().ok()).unwrap_or(Some(1));
    chrono::NaiveDate::from_ymd_opt(year, month?, day?).map(|_| ())
}

/// A CodeableConcept from a CWE/CE repetition (components 1–6: code, text, system, alternate code,
/// alternate text, alternate system); `None` when it holds no code and no text.
pub fn codeable(rep: &Rep) -> Option<Value> {
    codeable_from(|c| rep.text(c))
}

/// A CodeableConcept from a CWE held in the subcomponents of component `c` (TQ1-3, RXE-19 units…).
pub fn codeable_sub(rep: &Rep, c: usize) -> Option<Value> {
    codeable_from(|s| rep.sub(c, s))
}

fn codeable_from(get: impl Fn(usize) -> Option<String>) -> Option<Value> {
    let mut codings = Vec::new();
    for first in [1, 4] {
        if let Some(coding) = coding_from(get(first), get(first + 1), get(first + 2)) {
            codings.push(coding);
        }
    }
    let text = get(2).or_else(|| get(5));
    if codings.is_empty() && text.is_none() {
        return None;
    }
    let mut concept = Map::new();
    if !codings.is_empty() {
        concept.insert("coding".into(), Value::Array(codings));
    }
    if let Some(text) = text {
        concept.insert("text".into(), Value::String(text));
    }
    Some(Value::Object(concept))
}

/// A Coding from code, display and a v2 coding-system name; `None` without a code.
pub fn coding_from(
    code: Option<String>,
    display: Option<String>,
    system: Option<String>,
) -> Option<Value> {
    let code = code?;
    let mut coding = Map::new();
    if let Some(system) = system {
        coding.insert("system".into(), Value::String(system_uri(&system)));
    }
    coding.insert("code".into(), Value::String(code));
    if let Some(display) = display {
        coding.insert("display".into(), Value::String(display));
    }
    Some(Value::Object(coding))
}

/// The JP_HumanName representation of an HL7 table 0465 name representation code: `I` (表意文字) →
/// `IDE`, `P` (表音文字) → `SYL`, `A` (alphabetic) → `ABC` (JAMI ConceptMap table-v2-0465-to-iso-21090).
pub fn name_representation(code: &str) -> Option<&'static str> {
    match code {
        "I" => Some("IDE"),
        "P" => Some("SYL"),
        "A" => Some("ABC"),
        _ => None,
    }
}

/// A HumanName from an XPN repetition (family^given^middle^suffix^prefix^degree^type^representation).
/// XPN-8 `I` (表意文字) → `IDE`, `P` (表音文字) → `SYL` (JAMI ConceptMap table-v2-0465-to-iso-21090);
/// `text` is family, a half-width space, given (JP_HumanName).
pub fn human_name(rep: &Rep) -> Option<Value> {
    let family = rep.text(1);
    let given: Vec<String> = [rep.text(2), rep.text(3)].into_iter().flatten().collect();
    if family.is_none() && given.is_empty() {
        return None;
    }
    let mut name = Map::new();
    if let Some(code) = rep.text(8).and_then(|r| name_representation(&r)) {
        name.insert(
            "extension".into(),
            build_json!([{ "url": NAME_REPRESENTATION, "valueCode": code }]),
        );
    }
    name.insert(
        "use".into(),
        Value::String(
            match rep.text(7).as_deref() {
                Some("D") | Some("A") => "nickname",
                Some("M") | Some("B") => "maiden",
                _ => "official",
            }
            .into(),
        ),
    );
    let text: Vec<&str> = family
        .iter()
        .map(String::as_str)
        .chain(given.iter().map(String::as_str))
        .collect();
    name.insert("text".into(), Value::String(text.join(" ")));
    if let Some(family) = family {
        name.insert("family".into(), Value::String(family));
    }
    if !given.is_empty() {
        name.insert("given".into(), build_json!(given));
    }
    if let Some(prefix) = rep.text(5) {
        name.insert("prefix".into(), build_json!([prefix]));
    }
    if let Some(suffix) = rep.text(4) {
        name.insert("suffix".into(), build_json!([suffix]));
    }
    Some(Value::Object(name))
}

/// An Address from an XAD repetition (street^other^city^state^zip^country^type^…; SS-MIX2 puts the whole
/// address in XAD-8 "other geographic designation" or XAD-1). XAD-7 `H` → home, `B` → work.
pub fn address(rep: &Rep) -> Option<Value> {
    let mut a = Map::new();
    let lines: Vec<String> = [rep.text(1), rep.text(2)].into_iter().flatten().collect();
    if !lines.is_empty() {
        a.insert("line".into(), build_json!(lines));
    }
    for (c, key) in [(3, "city"), (4, "state"), (5, "postalCode"), (6, "country")] {
        if let Some(v) = rep.text(c) {
            a.insert(key.into(), Value::String(v));
        }
    }
    if let Some(text) = rep.text(8) {
        a.insert("text".into(), Value::String(text));
    }
    if a.is_empty() {
        return None;
    }
    if let Some(u) = rep.text(7).and_then(|t| match t.as_str() {
        "H" => Some("home"),
        "B" | "O" => Some("work"),
        "C" => Some("temp"),
        _ => None,
    }) {
        a.insert("use".into(), Value::String(u.into()));
    }
    Some(Value::Object(a))
}

/// A ContactPoint from an XTN repetition (number^use^equipment^email^…^…^…^…^…^…^…^unformatted): the
/// number is XTN-1, or XTN-12 (unformatted) when XTN-1 is empty; XTN-2 `PRN` → home, `WPN` → work;
/// XTN-3 `Internet` → email, `FX` → fax, `CP` → phone/mobile; `default_use` when XTN-2 is empty.
pub fn contact_point(rep: &Rep, default_use: &str) -> Option<Value> {
    let email = rep.text(4);
    let value = rep.text(1).or_else(|| rep.text(12)).or(email.clone())?;
    let system = match rep.text(3).as_deref() {
        Some("Internet") | Some("X.400") => "email",
        Some("FX") => "fax",
        _ if email.is_some() && rep.text(1).is_none() && rep.text(12).is_none() => "email",
        _ => "phone",
    };
    let use_ = match (rep.text(2).as_deref(), rep.text(3).as_deref()) {
        (_, Some("CP")) => "mobile",
        (Some("PRN"), _) | (Some("ORN"), _) | (Some("VHN"), _) => "home",
        (Some("WPN"), _) => "work",
        (Some("EMR"), _) => "temp",
        _ => default_use,
    };
    Some(build_json!({"system": system, "value": value, "use": use_}))
}

/// An Identifier from a CX repetition with the given system.
pub fn identifier(rep: &Rep, system: &str) -> Option<Value> {
    let value = rep.text(1)?;
    Some(build_json!({"system": system, "value": value}))
}

/// A Quantity from a value and a CWE unit held in component `c` of `unit` (`TAB^錠^MR9P`).
pub fn quantity(value: &str, unit: Option<&Rep>) -> Option<Value> {
    let number: f64 = value.trim().parse().ok()?;
    let mut q = Map::new();
    q.insert("value".into(), decimal(value.trim(), number));
    if let Some(unit) = unit {
        if let Some(text) = unit.text(2).or_else(|| unit.text(1)) {
            q.insert("unit".into(), Value::String(text));
        }
        if let (Some(code), Some(system)) = (unit.text(1), unit.text(3)) {
            q.insert("system".into(), Value::String(system_uri(&system)));
            q.insert("code".into(), Value::String(code));
        }
    }
    Some(Value::Object(q))
}

/// A JSON number written as the sender wrote it (`1.50` stays `1.50` with serde_json's
/// arbitrary_precision, which fhirbolt turns on), falling back to the parsed value.
pub fn decimal(text: &str, parsed: f64) -> Value {
    serde_json::from_str::<Value>(text.trim_start_matches('+'))
        .ok()
        .filter(Value::is_number)
        .unwrap_or_else(|| build_json!(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hl7_times_become_fhir_times_in_japan_time_unless_zoned() {
        assert_eq!(
            date_time("20160821161523").unwrap(),
            "2016-08-21T16:15:23+09:00"
        );
        assert_eq!(
            date_time("201608211615").unwrap(),
            "2016-08-21T16:15:00+09:00"
        );
        assert_eq!(
            date_time("20160821161523.123+0000").unwrap(),
            "2016-08-21T16:15:23.123+00:00"
        );
        assert_eq!(date_time("19791101").unwrap(), "1979-11-01");
        assert_eq!(date_time("197911").unwrap(), "1979-11");
        assert_eq!(date("20080203163012").unwrap(), "2008-02-03");
        for bad in [
            "2016082",
            "20161301",
            "20160230",
            "2016-08-21",
            "20160821256000",
            "x",
        ] {
            assert!(date_time(bad).is_err(), "{bad}");
        }
    }
}
