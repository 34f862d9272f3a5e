//! Differential tests: the hand-written scanners against the R4 spec regexes (compiled here with the
//! `regex` crate), over every single-character mutation of valid and near-valid seed values.

use regex::Regex;
use serde_json::Value;

use super::super::check;
use super::super::datetime::{self, DateTimeFault};

const YEAR: &str = "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)";
const TIME: &str = r"([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?";
const ZONE: &str = r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";

fn anchored(pattern: &str) -> Regex {
    match Regex::new(&format!("^(?:{pattern})$")) {
        Ok(re) => re,
        Err(e) => panic!("bad test regex {pattern}: {e}"),
    }
}

/// Every value one edit away from a seed: each character replaced by, or preceded by, each alphabet
/// character, and each character deleted.
fn mutations(seeds: &[&str], alphabet: &str) -> Vec<String> {
    let mut out = Vec::new();
    for seed in seeds {
        let chars: Vec<char> = seed.chars().collect();
        out.push((*seed).to_owned());
        for i in 0..=chars.len() {
            for a in alphabet.chars() {
                let mut inserted = chars.clone();
                inserted.insert(i, a);
                out.push(inserted.into_iter().collect());
                if i < chars.len() {
                    let mut replaced = chars.clone();
                    replaced[i] = a;
                    out.push(replaced.into_iter().collect());
                }
            }
            if i < chars.len() {
                let mut deleted = chars.clone();
                deleted.remove(i);
                out.push(deleted.into_iter().collect());
            }
        }
    }
    out
}

/// Compares a scanner with a regex; a calendar fault counts as a regex match.
fn compare_dates(
    name: &str,
    re: &Regex,
    scan: fn(&str) -> Result<(), DateTimeFault>,
    seeds: &[&str],
) {
    let mut mismatches = Vec::new();
    for value in mutations(seeds, "0123456789-:.TZ+ ") {
        let scanned = !matches!(
            scan(&value),
            Err(DateTimeFault::Shape | DateTimeFault::MissingTimezone)
        );
        if scanned != re.is_match(&value) {
            mismatches.push(format!("{value:?}: scanner {scanned}"));
        }
    }
    assert!(mismatches.is_empty(), "{name}: {}", mismatches.join(", "));
}

#[test]
fn date_time_scanners_match_the_spec_regexes() {
    let date = anchored(&format!(
        "{YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?"
    ));
    let date_time = anchored(&format!(
        "{YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T{TIME}{ZONE})?)?)?"
    ));
    let instant = anchored(&format!(
        "{YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T{TIME}{ZONE}"
    ));
    let time = anchored(TIME);
    let seeds = [
        "2024-02-29T23:59:60.5+14:00",
        "1999-12-31T00:00:00Z",
        "0001-10-19T19:09:59.123-13:59",
        "2023-04-01T09:30:00",
        "2023-04-01T09:30Z",
        "2000-01-10",
        "1000-11",
        "0100",
        "23:59:60.25",
        "09:30:00",
    ];
    compare_dates("date", &date, datetime::check_date, &seeds);
    compare_dates("dateTime", &date_time, datetime::check_date_time, &seeds);
    compare_dates("instant", &instant, datetime::check_instant, &seeds);
    compare_dates("time", &time, datetime::check_time, &seeds);
}

/// Compares `check(type_code, …)` on strings with a regex (for non-empty values).
fn compare_check(type_code: &str, re: &Regex, seeds: &[&str], alphabet: &str) {
    let mut mismatches = Vec::new();
    for value in mutations(seeds, alphabet) {
        if value.is_empty() {
            continue;
        }
        let checked = check(type_code, &Value::String(value.clone())).is_ok();
        if checked != re.is_match(&value) {
            mismatches.push(format!("{value:?}: check {checked}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{type_code}: {}",
        mismatches.join(", ")
    );
}

#[test]
fn lexical_scanners_match_the_spec_regexes() {
    // The spec's `\s` is XML Schema whitespace: space, tab, CR and LF.
    let oid = anchored(r"urn:oid:[0-2](\.(0|[1-9][0-9]*))+");
    compare_check(
        "oid",
        &oid,
        &[
            "urn:oid:1.2.392.100495.20.3.51.11311234567",
            "urn:oid:0.0.10",
            "urn:oid:2",
        ],
        "0123.a:",
    );
    let uuid = anchored("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    compare_check(
        "uuid",
        &uuid,
        &["urn:uuid:53fefa32-fcbb-4ff8-8a92-55ee120877b7"],
        "0af-gA:",
    );
    let id = anchored(r"[A-Za-z0-9\-\.]{1,64}");
    compare_check(
        "id",
        &id,
        &["a", "example-1.2", &"x".repeat(64)],
        "aZ9-._ /",
    );
    let code = anchored(r"[^ \t\n\r]+([ \t\n\r][^ \t\n\r]+)*");
    compare_check("code", &code, &["a b", "final", "x  y", " z"], "a \t\n\r日");
    let base64 = anchored(r"([ \t\n\r]*([0-9a-zA-Z\+/=]){4}[ \t\n\r]*)+");
    compare_check(
        "base64Binary",
        &base64,
        &["QUJD", "QUJD QUI=", " QQ==\n", "QUJDQ"],
        "Q= \n-",
    );
}
