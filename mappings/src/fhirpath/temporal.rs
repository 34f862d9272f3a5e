//! FHIRPath Date, DateTime and Time values with partial precision: parsing, comparison, formatting.

use std::cmp::Ordering;
use std::fmt;

/// Which of the three temporal types a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemporalKind {
    /// A date (`@2020-01-01`, FHIR `date`).
    Date,
    /// A date and time (`@2020-01-01T10:00:00Z`, FHIR `dateTime`/`instant`).
    DateTime,
    /// A time of day (`@T10:00`, FHIR `time`).
    Time,
}

/// A temporal value. `precision` counts the fields present: 1 = year … 3 = day, 4 = hour, 5 = minute,
/// 6 = second (seconds and milliseconds form one precision, per the specification). For a time,
/// the year/month/day fields are unused and the precision still counts from the hour (4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Temporal {
    /// The type of the value.
    pub kind: TemporalKind,
    /// The number of fields present (see the type's documentation).
    pub precision: u8,
    /// Year (dates and dateTimes).
    pub year: i32,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
    /// Second 0–59 (60 is accepted for leap seconds).
    pub second: u8,
    /// Milliseconds 0–999.
    pub millis: u16,
    /// Digits of the fraction of a second as written (0 when absent), for formatting.
    pub fraction_digits: u8,
    /// Timezone offset in minutes east of UTC, when given.
    pub offset: Option<i32>,
}

const HOUR: u8 = 4;
const SECOND: u8 = 6;

impl Temporal {
    fn blank(kind: TemporalKind) -> Temporal {
        Temporal {
            kind,
            precision: 0,
            year: 0,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            millis: 0,
            fraction_digits: 0,
            offset: None,
        }
    }

    /// Parses a FHIR/FHIRPath date (`2020`, `2020-01`, `2020-01-01`).
    pub fn parse_date(text: &str) -> Option<Temporal> {
        let mut t = Temporal::blank(TemporalKind::Date);
        let rest = t.parse_date_part(text)?;
        rest.is_empty().then_some(t)
    }

    /// Parses a dateTime: a date, optionally `T` and a time with an optional timezone. A FHIRPath
    /// literal may end right after the `T` (`@2020-01-01T`), which keeps the date precision.
    pub fn parse_date_time(text: &str) -> Option<Temporal> {
        let mut t = Temporal::blank(TemporalKind::DateTime);
        let rest = t.parse_date_part(text)?;
        if rest.is_empty() {
            return Some(t);
        }
        let rest = rest.strip_prefix('T')?;
        if rest.is_empty() {
            return (t.precision == 3).then_some(t);
        }
        if t.precision != 3 {
            return None;
        }
        let rest = t.parse_time_part(rest)?;
        let rest = t.parse_offset(rest)?;
        rest.is_empty().then_some(t)
    }

    /// Parses either a date or a dateTime, whichever the text is.
    pub fn parse_date_or_date_time(text: &str) -> Option<Temporal> {
        if text.contains('T') {
            Temporal::parse_date_time(text)
        } else {
            Temporal::parse_date(text)
        }
    }

    /// Parses a time of day (`10`, `10:00`, `10:00:00.123`); no timezone.
    pub fn parse_time(text: &str) -> Option<Temporal> {
        let mut t = Temporal::blank(TemporalKind::Time);
        let rest = t.parse_time_part(text)?;
        rest.is_empty().then_some(t)
    }

    fn parse_date_part<'s>(&mut self, text: &'s str) -> Option<&'s str> {
        let (year, rest) = digits(text, 4)?;
        self.year = i32::try_from(year).ok()?;
        self.precision = 1;
        let Some(rest) = rest.strip_prefix('-') else {
            return Some(rest);
        };
        let (month, rest) = digits(rest, 2)?;
        self.month = in_range(month, 1, 12)?;
        self.precision = 2;
        let Some(rest) = rest.strip_prefix('-') else {
            return Some(rest);
        };
        let (day, rest) = digits(rest, 2)?;
        self.day = in_range(day, 1, 31)?;
        self.precision = 3;
        Some(rest)
    }

    fn parse_time_part<'s>(&mut self, text: &'s str) -> Option<&'s str> {
        let (hour, rest) = digits(text, 2)?;
        self.hour = in_range(hour, 0, 23)?;
        self.precision = HOUR;
        let Some(rest) = rest.strip_prefix(':') else {
            return Some(rest);
        };
        let (minute, rest) = digits(rest, 2)?;
        self.minute = in_range(minute, 0, 59)?;
        self.precision = 5;
        let Some(rest) = rest.strip_prefix(':') else {
            return Some(rest);
        };
        let (second, rest) = digits(rest, 2)?;
        self.second = in_range(second, 0, 60)?;
        self.precision = SECOND;
        let Some(rest) = rest.strip_prefix('.') else {
            return Some(rest);
        };
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        let mut millis = 0u16;
        for (i, b) in rest
            .bytes()
            .take(3)
            .take_while(u8::is_ascii_digit)
            .enumerate()
        {
            millis += u16::from(b - b'0') * [100, 10, 1][i];
        }
        self.millis = millis;
        self.fraction_digits = u8::try_from(len.min(9)).ok()?;
        Some(&rest[len..])
    }

    fn parse_offset<'s>(&mut self, text: &'s str) -> Option<&'s str> {
        if let Some(rest) = text.strip_prefix('Z') {
            self.offset = Some(0);
            return Some(rest);
        }
        let sign = match text.as_bytes().first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Some(text),
        };
        let (hours, rest) = digits(&text[1..], 2)?;
        let rest = rest.strip_prefix(':')?;
        let (minutes, rest) = digits(rest, 2)?;
        let hours = i32::from(in_range(hours, 0, 14)?);
        let minutes = i32::from(in_range(minutes, 0, 59)?);
        self.offset = Some(sign * (hours * 60 + minutes));
        Some(rest)
    }

    /// The value moved to UTC when it has a time and a timezone; otherwise unchanged.
    fn to_utc(self) -> Temporal {
        let Some(offset) = self.offset else {
            return self;
        };
        if self.kind == TemporalKind::Time || self.precision < HOUR || offset == 0 {
            return self;
        }
        let shifted =
            chrono::NaiveDate::from_ymd_opt(self.year, self.month.into(), self.day.into())
                .and_then(|d| d.and_hms_opt(self.hour.into(), self.minute.into(), 0))
                .and_then(|dt| dt.checked_sub_signed(chrono::TimeDelta::minutes(offset.into())));
        let Some(dt) = shifted else { return self };
        use chrono::{Datelike, Timelike};
        Temporal {
            year: dt.year(),
            month: u8::try_from(dt.month()).unwrap_or(self.month),
            day: u8::try_from(dt.day()).unwrap_or(self.day),
            hour: u8::try_from(dt.hour()).unwrap_or(self.hour),
            minute: u8::try_from(dt.minute()).unwrap_or(self.minute),
            offset: Some(0),
            ..self
        }
    }

    fn fields(&self) -> [i64; 6] {
        [
            self.year.into(),
            self.month.into(),
            self.day.into(),
            self.hour.into(),
            self.minute.into(),
            i64::from(self.second) * 1000 + i64::from(self.millis),
        ]
    }

    /// Compares two values per FHIRPath: field by field up to the common precision; when all of those
    /// are equal and the precisions differ, the answer is unknown (`None`). A time never compares with
    /// a date or dateTime (`None`). A value without a timezone is taken to be in UTC.
    pub fn compare(&self, other: &Temporal) -> Option<Ordering> {
        let a_time = self.kind == TemporalKind::Time;
        if a_time != (other.kind == TemporalKind::Time) {
            return None;
        }
        let (a, b) = (self.to_utc(), other.to_utc());
        let first = if a_time { 3 } else { 0 };
        let common = usize::from(a.precision.min(b.precision));
        let (fa, fb) = (a.fields(), b.fields());
        for i in first..common {
            match fa[i].cmp(&fb[i]) {
                Ordering::Equal => {}
                unequal => return Some(unequal),
            }
        }
        (a.precision == b.precision).then_some(Ordering::Equal)
    }

    /// The date part of a dateTime, as a date with at most day precision.
    pub fn date_part(&self) -> Temporal {
        Temporal {
            kind: TemporalKind::Date,
            precision: self.precision.min(3),
            offset: None,
            hour: 0,
            minute: 0,
            second: 0,
            millis: 0,
            fraction_digits: 0,
            ..*self
        }
    }
}

fn digits(text: &str, n: usize) -> Option<(u32, &str)> {
    let head = text.get(..n)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &text[n..]))
}

fn in_range(v: u32, lo: u32, hi: u32) -> Option<u8> {
    if (lo..=hi).contains(&v) {
        u8::try_from(v).ok()
    } else {
        None
    }
}

impl fmt::Display for Temporal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind != TemporalKind::Time {
            write!(f, "{:04}", self.year)?;
            if self.precision >= 2 {
                write!(f, "-{:02}", self.month)?;
            }
            if self.precision >= 3 {
                write!(f, "-{:02}", self.day)?;
            }
            if self.kind == TemporalKind::Date || self.precision < HOUR {
                return Ok(());
            }
            f.write_str("T")?;
        }
        write!(f, "{:02}", self.hour)?;
        if self.precision >= 5 {
            write!(f, ":{:02}", self.minute)?;
        }
        if self.precision >= SECOND {
            write!(f, ":{:02}", self.second)?;
            if self.fraction_digits > 0 {
                write!(f, ".{:03}", self.millis)?;
            }
        }
        match self.offset {
            Some(0) if self.kind == TemporalKind::DateTime => f.write_str("Z"),
            Some(m) if self.kind == TemporalKind::DateTime => {
                let sign = if m < 0 { '-' } else { '+' };
                write!(f, "{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60)
            }
            _ => Ok(()),
        }
    }
}
