//! The lexical forms of date, dateTime, instant and time (the R4 §2.24 regexes, written out as a byte
//! scanner), plus the calendar check that the regexes leave out: the day must exist in its month.

/// Why a date or time value is not valid; the caller turns it into a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateTimeFault {
    /// The text does not match the type's pattern.
    Shape,
    /// The text matches, but the day does not exist (2023-02-29); `days` is the month's length.
    NoSuchDay { year: u32, month: u32, days: u32 },
    /// A dateTime or instant has a time of day but no timezone.
    MissingTimezone,
}

/// A read position in the value's bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor {
            bytes: s.as_bytes(),
            pos: 0,
        }
    }

    fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Consumes `c` if it is next.
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes exactly `n` ASCII digits and returns their value.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.pos.checked_add(n)?;
        let slice = self.bytes.get(self.pos..end)?;
        let mut value = 0u32;
        for &b in slice {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        self.pos = end;
        Some(value)
    }

    /// Consumes `n` digits whose value lies in `min..=max`.
    fn number_in(&mut self, n: usize, min: u32, max: u32) -> Option<u32> {
        self.digits(n).filter(|v| (min..=max).contains(v))
    }

    /// Consumes one or more digits (a fraction of a second).
    fn some_digits(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos > start
    }
}

/// The date part of a value: the year, and the month and day when present.
struct DatePart {
    year: u32,
    month: Option<u32>,
    day: Option<u32>,
}

/// Reads `YYYY(-MM(-DD)?)?`; the year 0000 is not allowed.
fn date_part(c: &mut Cursor<'_>) -> Result<DatePart, DateTimeFault> {
    let year = c.number_in(4, 1, 9999).ok_or(DateTimeFault::Shape)?;
    let mut part = DatePart {
        year,
        month: None,
        day: None,
    };
    if c.eat(b'-') {
        part.month = Some(c.number_in(2, 1, 12).ok_or(DateTimeFault::Shape)?);
        if c.eat(b'-') {
            part.day = Some(c.number_in(2, 1, 31).ok_or(DateTimeFault::Shape)?);
        }
    }
    Ok(part)
}

/// Checks that the day exists in its month (the Gregorian calendar, leap years included).
fn check_calendar(part: &DatePart) -> Result<(), DateTimeFault> {
    let (Some(month), Some(day)) = (part.month, part.day) else {
        return Ok(());
    };
    let days = days_in_month(part.year, month);
    if day > days {
        return Err(DateTimeFault::NoSuchDay {
            year: part.year,
            month,
            days,
        });
    }
    Ok(())
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads `hh:mm:ss(.f+)?`; the second 60 is allowed (leap seconds), as in the spec's regex.
fn time_part(c: &mut Cursor<'_>) -> Result<(), DateTimeFault> {
    let valid = c.number_in(2, 0, 23).is_some()
        && c.eat(b':')
        && c.number_in(2, 0, 59).is_some()
        && c.eat(b':')
        && c.number_in(2, 0, 60).is_some()
        && (!c.eat(b'.') || c.some_digits());
    if valid {
        Ok(())
    } else {
        Err(DateTimeFault::Shape)
    }
}

/// Reads a timezone `Z|(+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)`; a missing one is its own fault.
fn timezone(c: &mut Cursor<'_>) -> Result<(), DateTimeFault> {
    if c.at_end() {
        return Err(DateTimeFault::MissingTimezone);
    }
    if c.eat(b'Z') {
        return Ok(());
    }
    if !(c.eat(b'+') || c.eat(b'-')) {
        return Err(DateTimeFault::Shape);
    }
    let valid = match c.number_in(2, 0, 14) {
        Some(14) => c.eat(b':') && c.number_in(2, 0, 0).is_some(),
        Some(_) => c.eat(b':') && c.number_in(2, 0, 59).is_some(),
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(DateTimeFault::Shape)
    }
}

fn end(c: &Cursor<'_>) -> Result<(), DateTimeFault> {
    if c.at_end() {
        Ok(())
    } else {
        Err(DateTimeFault::Shape)
    }
}

/// date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, and the day must exist.
pub(super) fn check_date(s: &str) -> Result<(), DateTimeFault> {
    let mut c = Cursor::new(s);
    let part = date_part(&mut c)?;
    end(&c)?;
    check_calendar(&part)
}

/// dateTime: a date, optionally followed (after a full date) by `Thh:mm:ss(.f+)?` and a timezone.
pub(super) fn check_date_time(s: &str) -> Result<(), DateTimeFault> {
    let mut c = Cursor::new(s);
    let part = date_part(&mut c)?;
    if part.day.is_some() && c.eat(b'T') {
        time_part(&mut c)?;
        timezone(&mut c)?;
    }
    end(&c)?;
    check_calendar(&part)
}

/// instant: `YYYY-MM-DDThh:mm:ss(.f+)?` and a timezone, all required.
pub(super) fn check_instant(s: &str) -> Result<(), DateTimeFault> {
    let mut c = Cursor::new(s);
    let part = date_part(&mut c)?;
    if part.day.is_none() || !c.eat(b'T') {
        return Err(DateTimeFault::Shape);
    }
    time_part(&mut c)?;
    timezone(&mut c)?;
    end(&c)?;
    check_calendar(&part)
}

/// time: `hh:mm:ss(.f+)?` without a timezone.
pub(super) fn check_time(s: &str) -> Result<(), DateTimeFault> {
    let mut c = Cursor::new(s);
    time_part(&mut c)?;
    end(&c)
}
