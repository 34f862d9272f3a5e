//! Collection functions: existence, subsetting, combining, `not()`, `ofType()`.

use super::super::ast::{Call, Func};
use super::super::error::EvalError;
use super::super::types::item_is;
use super::super::value::{Item, Prim};
use super::{boolean, equal, single, to_bool3, Coll, Ctx};

/// `a | b`: the union without duplicates.
pub(crate) fn union<'a>(left: Coll<'a>, right: Coll<'a>) -> Coll<'a> {
    distinct(left.into_iter().chain(right))
}

fn distinct<'a>(items: impl IntoIterator<Item = Item<'a>>) -> Coll<'a> {
    let items: Coll<'a> = items.into_iter().collect();
    if let Some(texts) = all_strings(&items) {
        let mut seen = foldhash::HashSet::default();
        let keep: Vec<bool> = texts.into_iter().map(|text| seen.insert(text)).collect();
        return items
            .into_iter()
            .zip(keep)
            .filter_map(|(item, keep)| keep.then_some(item))
            .collect();
    }
    let mut out: Coll<'a> = Vec::new();
    for item in items {
        if !out.iter().any(|o| equal(o, &item)) {
            out.push(item);
        }
    }
    out
}

/// Whether no two items are equal.
fn is_distinct(items: &[Item<'_>]) -> bool {
    if let Some(texts) = all_strings(items) {
        let mut seen = foldhash::HashSet::default();
        return texts.into_iter().all(|text| seen.insert(text));
    }
    items
        .iter()
        .enumerate()
        .all(|(i, a)| !items[i + 1..].iter().any(|b| equal(a, b)))
}

/// The texts of a collection of plain strings, whose equality is text equality: then `distinct` and
/// `isDistinct` hash instead of comparing every pair (bdl-7 runs over every entry of a Bundle).
/// `None` when any item is something else (a number, a date, an object), compared pairwise by `=`.
fn all_strings<'c>(items: &'c [Item<'_>]) -> Option<Vec<&'c str>> {
    items
        .iter()
        .map(|item| match item.prim()? {
            Prim::Str(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn integer_arg(args: &[Coll<'_>], what: &str) -> Result<Option<i64>, EvalError> {
    match args.first().map(|a| single(a, what)).transpose()?.flatten() {
        None => Ok(None),
        Some(item) => match item.prim() {
            Some(Prim::Int(i)) => Ok(Some(i)),
            _ => Err(EvalError::Type(format!("{what} needs an integer argument"))),
        },
    }
}

fn all_bools(input: &[Item<'_>], what: &str) -> Result<Vec<bool>, EvalError> {
    input
        .iter()
        .map(|i| {
            i.as_bool()
                .ok_or_else(|| EvalError::Type(format!("{what} needs booleans")))
        })
        .collect()
}

/// The collection functions; `Ok(None)` when `call` is not one of them.
pub(crate) fn call<'a>(
    call: &Call,
    input: &[Item<'a>],
    args: &[Coll<'a>],
    ctx: &Ctx<'_, 'a>,
) -> Result<Option<Coll<'a>>, EvalError> {
    let first_arg = || args.first().map(Vec::as_slice).unwrap_or_default();
    let name = call.func.name();
    Ok(Some(match call.func {
        Func::Empty => vec![Item::Boolean(input.is_empty())],
        Func::Exists => vec![Item::Boolean(!input.is_empty())],
        Func::AllTrue => boolean(Some(all_bools(input, name)?.iter().all(|b| *b))),
        Func::AnyTrue => boolean(Some(all_bools(input, name)?.iter().any(|b| *b))),
        Func::AllFalse => boolean(Some(all_bools(input, name)?.iter().all(|b| !*b))),
        Func::AnyFalse => boolean(Some(all_bools(input, name)?.iter().any(|b| !*b))),
        Func::SubsetOf => boolean(Some(
            input
                .iter()
                .all(|i| first_arg().iter().any(|o| equal(i, o))),
        )),
        Func::SupersetOf => boolean(Some(
            first_arg()
                .iter()
                .all(|o| input.iter().any(|i| equal(i, o))),
        )),
        Func::Count => vec![Item::Integer(
            i64::try_from(input.len()).unwrap_or(i64::MAX),
        )],
        Func::Distinct => distinct(input.iter().cloned()),
        Func::IsDistinct => vec![Item::Boolean(is_distinct(input))],
        Func::Single => single(input, "single()")?.cloned().into_iter().collect(),
        Func::First => input.first().cloned().into_iter().collect(),
        Func::Last => input.last().cloned().into_iter().collect(),
        Func::Tail => input.iter().skip(1).cloned().collect(),
        Func::Skip => {
            let n = integer_arg(args, name)?.unwrap_or(0).max(0);
            input
                .iter()
                .skip(usize::try_from(n).unwrap_or(usize::MAX))
                .cloned()
                .collect()
        }
        Func::Take => {
            let n = integer_arg(args, name)?.unwrap_or(0).max(0);
            input
                .iter()
                .take(usize::try_from(n).unwrap_or(usize::MAX))
                .cloned()
                .collect()
        }
        Func::Intersect => distinct(
            input
                .iter()
                .filter(|i| first_arg().iter().any(|o| equal(i, o)))
                .cloned(),
        ),
        Func::Exclude => input
            .iter()
            .filter(|i| !first_arg().iter().any(|o| equal(i, o)))
            .cloned()
            .collect(),
        Func::Union => union(input.to_vec(), first_arg().to_vec()),
        Func::Combine => input.iter().chain(first_arg()).cloned().collect(),
        Func::Not => boolean(to_bool3(input, "not()")?.map(|b| !b)),
        Func::OfType | Func::As => match &call.type_arg {
            Some(spec) => input
                .iter()
                .filter(|i| item_is(ctx.env, i, spec))
                .cloned()
                .collect(),
            None => Vec::new(),
        },
        Func::Is => match (single(input, "is()")?, &call.type_arg) {
            (Some(item), Some(spec)) => vec![Item::Boolean(item_is(ctx.env, item, spec))],
            _ => Vec::new(),
        },
        _ => return Ok(None),
    }))
}
