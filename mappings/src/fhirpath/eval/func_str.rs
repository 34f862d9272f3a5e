//! String, conversion and math functions.

use std::borrow::Cow;

use regex::Regex;

use super::super::ast::{Call, Func};
use super::super::error::EvalError;
use super::super::parser::compile_regex;
use super::super::temporal::{Temporal, TemporalKind};
use super::super::value::{Item, Prim};
use super::{single, Coll};

fn text<'a>(coll: &[Item<'a>], what: &str) -> Result<Option<Cow<'a, str>>, EvalError> {
    Ok(single(coll, what)?.and_then(Item::to_text))
}

fn arg_text<'a>(
    args: &[Coll<'a>],
    i: usize,
    what: &str,
) -> Result<Option<Cow<'a, str>>, EvalError> {
    match args.get(i) {
        Some(a) => text(a, what),
        None => Ok(None),
    }
}

fn arg_int(args: &[Coll<'_>], i: usize, what: &str) -> Result<Option<i64>, EvalError> {
    let Some(item) = args.get(i).map(|a| single(a, what)).transpose()?.flatten() else {
        return Ok(None);
    };
    match item.prim() {
        Some(Prim::Int(n)) => Ok(Some(n)),
        _ => Err(EvalError::Type(format!("{what} needs an integer argument"))),
    }
}

fn string<'a>(s: impl Into<Cow<'a, str>>) -> Coll<'a> {
    vec![Item::String(s.into())]
}

fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_decimal_text(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    is_integer_text(int)
        && !int.starts_with(['+', '-'])
        && is_integer_text(frac)
        && !frac.starts_with(['+', '-'])
}

/// The `toX()` conversions; `None` when the item does not convert.
fn convert<'a>(func: Func, item: &Item<'a>) -> Option<Item<'a>> {
    let prim = item.prim()?;
    match func {
        Func::ToBoolean | Func::ConvertsToBoolean => Some(Item::Boolean(match prim {
            Prim::Bool(b) => b,
            Prim::Int(1) => true,
            Prim::Int(0) => false,
            Prim::Dec(d) if d == 1.0 || d == 0.0 => d == 1.0,
            Prim::Str(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "t" | "yes" | "y" | "1" | "1.0" => true,
                "false" | "f" | "no" | "n" | "0" | "0.0" => false,
                _ => return None,
            },
            _ => return None,
        })),
        Func::ToInteger | Func::ConvertsToInteger => Some(Item::Integer(match prim {
            Prim::Int(i) => i,
            Prim::Bool(b) => i64::from(b),
            Prim::Str(s) if is_integer_text(s) => s.parse().ok()?,
            _ => return None,
        })),
        Func::ToDecimal | Func::ConvertsToDecimal => Some(Item::Decimal(match prim {
            Prim::Int(i) => i as f64,
            Prim::Dec(d) => d,
            Prim::Bool(b) => f64::from(u8::from(b)),
            Prim::Str(s) if is_decimal_text(s) => s.parse().ok()?,
            _ => return None,
        })),
        Func::ToString | Func::ConvertsToString => item.to_text().map(Item::String),
        Func::ToDate | Func::ConvertsToDate => match prim {
            Prim::Str(s) => Temporal::parse_date_or_date_time(s).map(|t| Item::Date(t.date_part())),
            Prim::Temporal(t) if t.kind != TemporalKind::Time => Some(Item::Date(t.date_part())),
            _ => None,
        },
        Func::ToDateTime | Func::ConvertsToDateTime => match prim {
            Prim::Str(s) => Temporal::parse_date_or_date_time(s),
            Prim::Temporal(t) if t.kind != TemporalKind::Time => Some(t),
            _ => None,
        }
        .map(|t| {
            Item::DateTime(Temporal {
                kind: TemporalKind::DateTime,
                ..t
            })
        }),
        Func::ToTime | Func::ConvertsToTime => match prim {
            Prim::Str(s) => Temporal::parse_time(s).map(Item::Time),
            Prim::Temporal(t) if t.kind == TemporalKind::Time => Some(Item::Time(t)),
            _ => None,
        },
        _ => match prim {
            Prim::Int(i) => Some(quantity(i as f64, "1")),
            Prim::Dec(d) => Some(quantity(d, "1")),
            Prim::Quantity(q) => Some(quantity(q.value, q.units[0].unwrap_or("1"))),
            Prim::Str(s) => {
                let (num, unit) = s.split_once(' ').unwrap_or((s, "'1'"));
                let unit = unit.trim().strip_prefix('\'')?.strip_suffix('\'')?;
                is_decimal_text(num).then(|| quantity(num.parse().unwrap_or(0.0), unit))
            }
            _ => None,
        },
    }
}

fn quantity<'a>(value: f64, unit: &str) -> Item<'a> {
    Item::Quantity {
        value,
        unit: Cow::Owned(unit.to_string()),
    }
}

fn regex_for<'r>(
    call: &'r Call,
    args: &[Coll<'_>],
    owned: &'r mut Option<Regex>,
) -> Result<Option<&'r Regex>, EvalError> {
    if let Some(compiled) = &call.regex {
        return compiled
            .as_ref()
            .map(Some)
            .map_err(|e| EvalError::Unsupported(e.clone()));
    }
    let Some(pattern) = arg_text(args, 0, "a regex")? else {
        return Ok(None);
    };
    *owned = Some(compile_regex(&pattern).map_err(EvalError::Unsupported)?);
    let shared: &'r Option<Regex> = owned;
    Ok(shared.as_ref())
}

/// String, conversion and math functions; `Ok(None)` when `call` is not one of them.
pub(crate) fn call<'a>(
    call: &Call,
    input: &[Item<'a>],
    args: &[Coll<'a>],
) -> Result<Option<Coll<'a>>, EvalError> {
    let func = call.func;
    let name = func.name();
    match func {
        Func::ToBoolean
        | Func::ToInteger
        | Func::ToDecimal
        | Func::ToString
        | Func::ToDate
        | Func::ToDateTime
        | Func::ToTime
        | Func::ToQuantity => {
            return Ok(Some(
                single(input, name)?
                    .and_then(|i| convert(func, i))
                    .into_iter()
                    .collect(),
            ));
        }
        Func::ConvertsToBoolean
        | Func::ConvertsToInteger
        | Func::ConvertsToDecimal
        | Func::ConvertsToString
        | Func::ConvertsToDate
        | Func::ConvertsToDateTime
        | Func::ConvertsToTime
        | Func::ConvertsToQuantity => {
            let item = single(input, name)?;
            return Ok(Some(
                item.map(|i| Item::Boolean(convert(func, i).is_some()))
                    .into_iter()
                    .collect(),
            ));
        }
        Func::Join => {
            let sep = arg_text(args, 0, name)?.unwrap_or_default();
            let parts: Vec<Cow<'a, str>> = input.iter().filter_map(Item::to_text).collect();
            return Ok(Some(string(parts.join(&sep))));
        }
        Func::Abs | Func::Ceiling | Func::Floor | Func::Truncate | Func::Round => {
            return math(func, input, args)
        }
        Func::IndexOf
        | Func::Substring
        | Func::StartsWith
        | Func::EndsWith
        | Func::Contains
        | Func::Upper
        | Func::Lower
        | Func::Replace
        | Func::Matches
        | Func::ReplaceMatches
        | Func::Length
        | Func::ToChars
        | Func::Split
        | Func::Trim => {}
        _ => return Ok(None),
    }
    let Some(s) = text(input, name)? else {
        return Ok(Some(Vec::new()));
    };
    let arg0 = arg_text(args, 0, name)?;
    let result = match func {
        Func::Upper => string(s.to_uppercase()),
        Func::Lower => string(s.to_lowercase()),
        Func::Trim => string(s.trim().to_string()),
        Func::Length => vec![Item::Integer(
            i64::try_from(s.chars().count()).unwrap_or(i64::MAX),
        )],
        Func::ToChars => s
            .chars()
            .map(|c| Item::String(Cow::Owned(c.to_string())))
            .collect(),
        Func::Substring => {
            let Some(start) = arg_int(args, 0, name)? else {
                return Ok(Some(Vec::new()));
            };
            let len = s.chars().count();
            match usize::try_from(start).ok().filter(|st| *st < len) {
                None => Vec::new(),
                Some(start) => {
                    let take = match arg_int(args, 1, name)? {
                        Some(n) => usize::try_from(n.max(0)).unwrap_or(0),
                        None => len,
                    };
                    string(s.chars().skip(start).take(take).collect::<String>())
                }
            }
        }
        Func::Matches | Func::ReplaceMatches => {
            let mut owned = None;
            let Some(re) = regex_for(call, args, &mut owned)? else {
                return Ok(Some(Vec::new()));
            };
            if func == Func::Matches {
                vec![Item::Boolean(re.is_match(&s))]
            } else {
                let Some(subst) = arg_text(args, 1, name)? else {
                    return Ok(Some(Vec::new()));
                };
                string(re.replace_all(&s, subst.as_ref()).into_owned())
            }
        }
        _ => {
            let Some(arg) = arg0 else {
                return Ok(Some(Vec::new()));
            };
            match func {
                Func::StartsWith => vec![Item::Boolean(s.starts_with(arg.as_ref()))],
                Func::EndsWith => vec![Item::Boolean(s.ends_with(arg.as_ref()))],
                Func::Contains => vec![Item::Boolean(s.contains(arg.as_ref()))],
                Func::IndexOf => {
                    let index = s
                        .find(arg.as_ref())
                        .map_or(-1, |b| s[..b].chars().count() as i64);
                    vec![Item::Integer(index)]
                }
                Func::Split => s
                    .split(arg.as_ref())
                    .map(|p| Item::String(Cow::Owned(p.to_string())))
                    .collect(),
                _ => {
                    let Some(subst) = arg_text(args, 1, name)? else {
                        return Ok(Some(Vec::new()));
                    };
                    string(s.replace(arg.as_ref(), &subst))
                }
            }
        }
    };
    Ok(Some(result))
}

fn math<'a>(
    func: Func,
    input: &[Item<'a>],
    args: &[Coll<'a>],
) -> Result<Option<Coll<'a>>, EvalError> {
    let Some(item) = single(input, func.name())? else {
        return Ok(Some(Vec::new()));
    };
    let result = match (func, item.prim()) {
        (Func::Abs, Some(Prim::Int(i))) => Item::Integer(
            i.checked_abs()
                .ok_or_else(|| EvalError::Type("overflow".into()))?,
        ),
        (Func::Abs, Some(Prim::Dec(d))) => Item::Decimal(d.abs()),
        (Func::Abs, Some(Prim::Quantity(q))) => quantity(q.value.abs(), q.units[0].unwrap_or("1")),
        (Func::Round, Some(Prim::Int(i))) => Item::Integer(i),
        (Func::Round, Some(Prim::Dec(d))) => {
            let digits = arg_int(args, 0, "round()")?.unwrap_or(0).clamp(0, 15);
            let factor = 10f64.powi(i32::try_from(digits).unwrap_or(0));
            Item::Decimal((d * factor).round() / factor)
        }
        (_, Some(Prim::Int(i))) => Item::Integer(i),
        (Func::Ceiling, Some(Prim::Dec(d))) => Item::Integer(d.ceil() as i64),
        (Func::Floor, Some(Prim::Dec(d))) => Item::Integer(d.floor() as i64),
        (Func::Truncate, Some(Prim::Dec(d))) => Item::Integer(d.trunc() as i64),
        _ => return Err(EvalError::Type(format!("{}() needs a number", func.name()))),
    };
    Ok(Some(vec![result]))
}
