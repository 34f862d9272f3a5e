//! Reading the RFC 3339 times of the native documents for the rules that compare them (C3–C7, C12,
//! C13, C17, P1, P3): an unreadable time is a finding of the rule that needs it, never a panic.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::finding::Finding;

/// A date-time with its offset, e.g. `2026-11-30T10:00:00+09:00`.
pub type Instant = DateTime<FixedOffset>;

/// The instant of `text`, or a finding at `path` saying it cannot be read.
pub fn instant(path: &str, text: &str) -> Result<Instant, Finding> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|_| unreadable(path, text))
}

/// The calendar day of `text`: a `YYYY-MM-DD` date as it is, or an RFC 3339 date-time's date in
/// `offset` (the offset of the time it is compared with).
pub fn day(path: &str, text: &str, offset: FixedOffset) -> Result<NaiveDate, Finding> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| {
            DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&offset).date_naive())
        })
        .map_err(|_| unreadable(path, text))
}

fn unreadable(path: &str, text: &str) -> Finding {
    Finding::at(
        path,
        format!("{path} '{text}' is not an RFC 3339 date-time"),
    )
}

/// The session of a record: its start and, when readable, its end.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub start: Instant,
    pub end: Option<Instant>,
}

impl Session {
    /// The session of `period`, or a finding at `period.start` when the start cannot be read (an
    /// unreadable end is C3's finding; the session then counts as ending at its start).
    pub fn of(period: &crate::consultation::model::Period) -> Result<Session, Finding> {
        let start = instant("period.start", &period.start)?;
        let end = period
            .end
            .as_deref()
            .and_then(|end| instant("period.end", end).ok());
        Ok(Session { start, end })
    }

    /// The last instant of the session.
    pub fn last(&self) -> Instant {
        self.end.unwrap_or(self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_and_refuses_the_rest() {
        let t = instant("period.start", "2026-11-30T10:00:00+09:00").map(|t| t.to_rfc3339());
        assert_eq!(t.as_deref(), Ok("2026-11-30T10:00:00+09:00"));
        let err = instant("period.start", "2026-11-30 10:00").unwrap_err();
        assert_eq!(err.path, "period.start");
        assert!(
            err.problem.contains("'2026-11-30 10:00'"),
            "{}",
            err.problem
        );
    }

    #[test]
    fn a_day_is_a_date_or_the_date_of_a_time_in_the_given_offset() {
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(
            day("d", "2026-12-21", tokyo),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 21).unwrap())
        );
        assert_eq!(
            day("d", "2026-12-20T16:00:00Z", tokyo),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 21).unwrap())
        );
        assert!(day("d", "21/12/2026", tokyo).is_err());
    }
}
