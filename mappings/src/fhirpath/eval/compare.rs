//! Equality, equivalence, ordering and membership of FHIRPath items and collections.

use std::cmp::Ordering;

use super::super::ast::BinOp;
use super::super::error::EvalError;
use super::super::temporal::Temporal;
use super::super::value::{object_quantity, Item, Prim, QuantityView};
use super::{boolean, single, Coll};

/// A string of unknown type read as a date/dateTime (or time, when compared with a time).
fn str_temporal(s: &str, like: &Temporal) -> Option<Temporal> {
    super::super::value::string_temporal(s, like.kind)
}

fn quantity<'b>(p: &Prim<'b>) -> Option<QuantityView<'b>> {
    match p {
        Prim::Quantity(q) => Some(*q),
        Prim::Object(v) => object_quantity(v),
        _ => None,
    }
}

fn num(p: &Prim<'_>) -> Option<f64> {
    match p {
        Prim::Int(i) => Some(*i as f64),
        Prim::Dec(d) => Some(*d),
        _ => None,
    }
}

/// FHIRPath `=` on two items: `None` when the answer is unknown (a primitive without a value,
/// temporal values of different precision, quantities in different units).
pub(crate) fn item_equal(a: &Item<'_>, b: &Item<'_>) -> Option<bool> {
    let (pa, pb) = (a.prim()?, b.prim()?);
    Some(match (pa, pb) {
        (Prim::Bool(x), Prim::Bool(y)) => x == y,
        (Prim::Str(x), Prim::Str(y)) => x == y,
        (Prim::Int(x), Prim::Int(y)) => x == y,
        (Prim::Temporal(x), Prim::Temporal(y)) => x.compare(&y)? == Ordering::Equal,
        (Prim::Str(s), Prim::Temporal(t)) | (Prim::Temporal(t), Prim::Str(s)) => {
            match str_temporal(s, &t) {
                Some(st) => st.compare(&t)? == Ordering::Equal,
                None => false,
            }
        }
        (Prim::Object(x), Prim::Object(y)) => match (object_quantity(x), object_quantity(y)) {
            (Some(qx), Some(qy)) if qx.same_unit(&qy) => qx.value == qy.value,
            (Some(_), Some(_)) => return None,
            _ => x == y && opt_json_eq(a, b),
        },
        (x, y) => {
            if let (Some(nx), Some(ny)) = (num(&x), num(&y)) {
                nx == ny
            } else if let (Some(qx), Some(qy)) = (quantity(&x), quantity(&y)) {
                if !qx.same_unit(&qy) {
                    return None;
                }
                qx.value == qy.value
            } else {
                false
            }
        }
    })
}

/// Complex nodes are equal only when their `_x` parts are equal too.
fn opt_json_eq(a: &Item<'_>, b: &Item<'_>) -> bool {
    match (a.as_node(), b.as_node()) {
        (Some(x), Some(y)) => x.extra == y.extra,
        _ => true,
    }
}

/// True when two items are known to be equal (for `distinct`, `union`, `in`…).
pub(crate) fn equal(a: &Item<'_>, b: &Item<'_>) -> bool {
    item_equal(a, b) == Some(true)
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// FHIRPath `~` on two items.
pub(crate) fn item_equivalent(a: &Item<'_>, b: &Item<'_>) -> bool {
    let (Some(pa), Some(pb)) = (a.prim(), b.prim()) else {
        return false;
    };
    match (pa, pb) {
        (Prim::Str(x), Prim::Str(y)) => x == y || normalise(x) == normalise(y),
        (Prim::Temporal(x), Prim::Temporal(y)) => x.compare(&y) == Some(Ordering::Equal),
        (x, y) => match (num(&x), num(&y)) {
            (Some(nx), Some(ny)) => (nx - ny).abs() <= 1e-9 * nx.abs().max(ny.abs()).max(1.0),
            _ => match (quantity(&x), quantity(&y)) {
                (Some(qx), Some(qy)) => qx.same_unit(&qy) && (qx.value - qy.value).abs() < 1e-9,
                _ => item_equal(a, b) == Some(true),
            },
        },
    }
}

/// `=`, `!=`, `~`, `!~` on collections.
pub(crate) fn equality<'a>(
    op: BinOp,
    left: &[Item<'_>],
    right: &[Item<'_>],
) -> Result<Coll<'a>, EvalError> {
    Ok(match op {
        BinOp::Eq | BinOp::Ne => {
            let eq = if left.is_empty() || right.is_empty() {
                None
            } else if left.len() != right.len() {
                Some(false)
            } else {
                let mut result = Some(true);
                for (a, b) in left.iter().zip(right) {
                    match item_equal(a, b) {
                        Some(false) => {
                            result = Some(false);
                            break;
                        }
                        None => result = None,
                        Some(true) => {}
                    }
                }
                result
            };
            boolean(if op == BinOp::Eq { eq } else { eq.map(|b| !b) })
        }
        _ => {
            let equiv = left.len() == right.len()
                && left
                    .iter()
                    .all(|a| right.iter().any(|b| item_equivalent(a, b)));
            boolean(Some(equiv == (op == BinOp::Equiv)))
        }
    })
}

/// Orders two items; `Ok(None)` when unknown, an error for incomparable types.
fn item_cmp(a: &Item<'_>, b: &Item<'_>) -> Result<Option<Ordering>, EvalError> {
    let (Some(pa), Some(pb)) = (a.prim(), b.prim()) else {
        return Ok(None);
    };
    Ok(match (pa, pb) {
        (Prim::Str(x), Prim::Str(y)) => {
            match (
                Temporal::parse_date_or_date_time(x),
                Temporal::parse_date_or_date_time(y),
            ) {
                (Some(tx), Some(ty)) => tx.compare(&ty),
                _ => Some(x.cmp(y)),
            }
        }
        (Prim::Temporal(x), Prim::Temporal(y)) => x.compare(&y),
        (Prim::Str(s), Prim::Temporal(t)) => match str_temporal(s, &t) {
            Some(st) => st.compare(&t),
            None => {
                return Err(EvalError::Type(format!(
                    "cannot compare '{s}' with a date/time"
                )))
            }
        },
        (Prim::Temporal(t), Prim::Str(s)) => match str_temporal(s, &t) {
            Some(st) => t.compare(&st),
            None => {
                return Err(EvalError::Type(format!(
                    "cannot compare a date/time with '{s}'"
                )))
            }
        },
        (x, y) => {
            if let (Some(nx), Some(ny)) = (num(&x), num(&y)) {
                nx.partial_cmp(&ny)
            } else if let (Some(qx), Some(qy)) = (quantity(&x), quantity(&y)) {
                if qx.same_unit(&qy) {
                    qx.value.partial_cmp(&qy.value)
                } else {
                    None
                }
            } else {
                return Err(EvalError::Type(format!("cannot compare {x:?} with {y:?}")));
            }
        }
    })
}

/// `<`, `>`, `<=`, `>=`.
pub(crate) fn ordering<'a>(
    op: BinOp,
    left: &[Item<'_>],
    right: &[Item<'_>],
) -> Result<Coll<'a>, EvalError> {
    let (Some(a), Some(b)) = (
        single(left, "a comparison")?,
        single(right, "a comparison")?,
    ) else {
        return Ok(Vec::new());
    };
    let Some(ord) = item_cmp(a, b)? else {
        return Ok(Vec::new());
    };
    Ok(boolean(Some(match op {
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Gt => ord == Ordering::Greater,
        BinOp::Le => ord != Ordering::Greater,
        _ => ord != Ordering::Less,
    })))
}

/// `item in collection` (and `collection contains item`, with the operands swapped).
pub(crate) fn membership<'a>(
    item: &[Item<'_>],
    coll: &[Item<'_>],
    what: &str,
) -> Result<Coll<'a>, EvalError> {
    Ok(match single(item, what)? {
        None => Vec::new(),
        Some(x) => boolean(Some(coll.iter().any(|y| equal(x, y)))),
    })
}
