//! FHIR date, dateTime and instant values as ranges of epoch milliseconds (R4 search §3.1.1.4.6:
//! every date value is an implicit range, e.g. `2020-03` is all of March 2020). Values without a time
//! zone are taken as UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// An inclusive range of epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub low: i64,
    pub high: i64,
}

/// The lowest and highest representable instants, for open-ended periods.
pub const OPEN_LOW: i64 = i64::MIN / 2;
pub const OPEN_HIGH: i64 = i64::MAX / 2;

impl DateRange {
    /// Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, and `YYYY-MM-DDThh:mm(:ss(.fff))(Z|±hh:mm)`.
    pub fn parse(text: &str) -> Option<DateRange> {
        let text = text.trim();
        match text.len() {
            4 => {
                let year: i32 = text.parse().ok()?;
                let start = NaiveDate::from_ymd_opt(year, 1, 1)?;
                let end = NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?;
                Some(span(start, end))
            }
            7 => {
                let start = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok()?;
                let end = if start.month() == 12 {
                    NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)?
                } else {
                    NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)?
                };
                Some(span(start, end))
            }
            10 => {
                let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
                Some(span(day, day.succ_opt()?))
            }
            _ => parse_date_time(text),
        }
    }

    /// A Period with optional start and end; a missing end is open.
    pub fn period(start: Option<&str>, end: Option<&str>) -> Option<DateRange> {
        let low = match start {
            Some(s) => DateRange::parse(s)?.low,
            None => OPEN_LOW,
        };
        let high = match end {
            Some(e) => DateRange::parse(e)?.high,
            None => OPEN_HIGH,
        };
        Some(DateRange { low, high })
    }

    pub fn instant(ms: i64) -> DateRange {
        DateRange { low: ms, high: ms }
    }
}

fn span(start: NaiveDate, end_exclusive: NaiveDate) -> DateRange {
    let ms = |d: NaiveDate| {
        Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .timestamp_millis()
    };
    DateRange {
        low: ms(start),
        high: ms(end_exclusive) - 1,
    }
}

fn parse_date_time(text: &str) -> Option<DateRange> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        // Precision: a value with seconds but no fraction covers that whole second.
        let low = t.timestamp_millis();
        let has_fraction = text
            .split('T')
            .nth(1)
            .is_some_and(|time| time.contains('.'));
        let high = if has_fraction { low } else { low + 999 };
        return Some(DateRange { low, high });
    }
    // Minutes without seconds (allowed in search values) or a missing zone.
    for (format, width) in [
        ("%Y-%m-%dT%H:%M:%S%.f", 0),
        ("%Y-%m-%dT%H:%M:%S", 999),
        ("%Y-%m-%dT%H:%M", 59_999),
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            let low = Utc.from_utc_datetime(&naive).timestamp_millis();
            return Some(DateRange {
                low,
                high: low + width,
            });
        }
    }
    let (base, zone) = split_zone(text)?;
    let naive = NaiveDateTime::parse_from_str(base, "%Y-%m-%dT%H:%M").ok()?;
    let low = Utc.from_utc_datetime(&(naive - zone)).timestamp_millis();
    Some(DateRange {
        low,
        high: low + 59_999,
    })
}

/// Splits `2020-01-01T10:00+09:00` into the local part and its offset.
fn split_zone(text: &str) -> Option<(&str, Duration)> {
    if let Some(base) = text.strip_suffix('Z') {
        return Some((base, Duration::zero()));
    }
    let at = text.rfind(['+', '-']).filter(|&i| i > 10)?;
    let (base, zone) = text.split_at(at);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let (h, m) = zone[1..].split_once(':')?;
    let minutes = h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?;
    Some((base, Duration::minutes(sign * minutes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn partial_dates_are_ranges() {
        let r = DateRange::parse("2020-02").unwrap();
        assert_eq!(r.low, ms("2020-02-01T00:00:00Z"));
        assert_eq!(r.high, ms("2020-03-01T00:00:00Z") - 1);
        let r = DateRange::parse("2020").unwrap();
        assert_eq!(r.high, ms("2021-01-01T00:00:00Z") - 1);
        let r = DateRange::parse("2020-12").unwrap();
        assert_eq!(r.high, ms("2021-01-01T00:00:00Z") - 1);
    }

    #[test]
    fn date_times_keep_their_zone() {
        let r = DateRange::parse("2013-04-02T10:30:10+09:00").unwrap();
        assert_eq!(r.low, ms("2013-04-02T01:30:10Z"));
        assert_eq!(r.high, r.low + 999);
        let r = DateRange::parse("2013-04-02T10:30:10.123Z").unwrap();
        assert_eq!(r.low, r.high);
        let r = DateRange::parse("2013-04-02T10:30+09:00").unwrap();
        assert_eq!(r.low, ms("2013-04-02T01:30:00Z"));
    }

    #[test]
    fn nonsense_is_rejected() {
        assert!(DateRange::parse("01/02/1970").is_none());
        assert!(DateRange::parse("2020-13").is_none());
    }
}
