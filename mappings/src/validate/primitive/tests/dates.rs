//! Table-driven tests of date, dateTime, instant and time, including leap days and timezones.

use super::run;
use super::FaultKind::*;

#[test]
fn dates() {
    run(&[
        ("date", r#""2023""#, None),
        ("date", r#""2023-01""#, None),
        ("date", r#""2023-12-31""#, None),
        ("date", r#""0001-01-01""#, None),
        ("date", r#""2024-02-29""#, None),
        ("date", r#""2000-02-29""#, None),
        ("date", r#""2023-02-28""#, None),
        ("date", r#""2023-02-29""#, Some(Format)),
        ("date", r#""1900-02-29""#, Some(Format)),
        ("date", r#""2023-04-31""#, Some(Format)),
        ("date", r#""2023-02-30""#, Some(Format)),
        ("date", r#""2023-13-01""#, Some(Format)),
        ("date", r#""2023-00-01""#, Some(Format)),
        ("date", r#""2023-01-00""#, Some(Format)),
        ("date", r#""2023-01-32""#, Some(Format)),
        ("date", r#""0000""#, Some(Format)),
        ("date", r#""23-01-01""#, Some(Format)),
        ("date", r#""2023-1-1""#, Some(Format)),
        ("date", r#""20230101""#, Some(Format)),
        ("date", r#""2023/01/01""#, Some(Format)),
        ("date", r#""2023-01-01T00:00:00Z""#, Some(Format)),
        ("date", r#""R05-01-01""#, Some(Format)),
        ("date", r#""２０２３""#, Some(Format)),
        ("date", r#""""#, Some(Format)),
        (
            "http://hl7.org/fhirpath/System.Date",
            r#""2024-02-29""#,
            None,
        ),
    ]);
}

#[test]
fn date_times() {
    run(&[
        ("dateTime", r#""2023""#, None),
        ("dateTime", r#""2023-04""#, None),
        ("dateTime", r#""2023-04-01""#, None),
        ("dateTime", r#""2023-04-01T09:30:00Z""#, None),
        ("dateTime", r#""2023-04-01T09:30:00+09:00""#, None),
        ("dateTime", r#""2023-04-01T09:30:00.123456-05:00""#, None),
        ("dateTime", r#""2023-04-01T23:59:60+14:00""#, None),
        ("dateTime", r#""2023-04-01T00:00:00-13:59""#, None),
        ("dateTime", r#""2024-02-29T12:00:00+09:00""#, None),
        ("dateTime", r#""2023-02-29T12:00:00+09:00""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30:00""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30Z""#, Some(Format)),
        ("dateTime", r#""2023-04-01T""#, Some(Format)),
        ("dateTime", r#""2023-04T09:30:00Z""#, Some(Format)),
        ("dateTime", r#""2023-04-01 09:30:00Z""#, Some(Format)),
        ("dateTime", r#""2023-04-01t09:30:00z""#, Some(Format)),
        ("dateTime", r#""2023-04-01T24:00:00Z""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:60:00Z""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30:61Z""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30:00.Z""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30:00+14:01""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30:00+15:00""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30:00+0900""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30:00+09""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30:00+09:60""#, Some(Format)),
        ("dateTime", r#""2023-04-01T09:30:00Z ""#, Some(Format)),
        ("dateTime", r#""""#, Some(Format)),
        (
            "http://hl7.org/fhirpath/System.DateTime",
            r#""2023-04-01T09:30:00Z""#,
            None,
        ),
    ]);
}

#[test]
fn instants() {
    run(&[
        ("instant", r#""2023-04-01T09:30:00Z""#, None),
        ("instant", r#""2023-04-01T09:30:00.000+09:00""#, None),
        ("instant", r#""2024-02-29T00:00:00-00:00""#, None),
        ("instant", r#""2023-04-01T09:30Z""#, Some(Format)),
        ("instant", r#""2023-04-01T09:30:00""#, Some(Format)),
        ("instant", r#""2023-04-01""#, Some(Format)),
        ("instant", r#""2023-04""#, Some(Format)),
        ("instant", r#""2023-02-29T09:30:00Z""#, Some(Format)),
        ("instant", r#""2023-04-01T09:30:00+14:30""#, Some(Format)),
        ("instant", r#""""#, Some(Format)),
    ]);
}

#[test]
fn times() {
    run(&[
        ("time", r#""00:00:00""#, None),
        ("time", r#""23:59:59""#, None),
        ("time", r#""23:59:60""#, None),
        ("time", r#""09:30:00.5""#, None),
        ("time", r#""09:30""#, Some(Format)),
        ("time", r#""24:00:00""#, Some(Format)),
        ("time", r#""9:30:00""#, Some(Format)),
        ("time", r#""09:30:00Z""#, Some(Format)),
        ("time", r#""09:30:00+09:00""#, Some(Format)),
        ("time", r#""09:30:00.""#, Some(Format)),
        ("time", r#""""#, Some(Format)),
        ("http://hl7.org/fhirpath/System.Time", r#""12:00:00""#, None),
    ]);
}
