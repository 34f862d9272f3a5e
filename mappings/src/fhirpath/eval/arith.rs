//! FHIRPath arithmetic: unary minus, `+ - * / div mod` on numbers and `+`/`&` on strings.

use std::borrow::Cow;

use super::super::ast::BinOp;
use super::super::error::EvalError;
use super::super::value::{Item, Prim};
use super::{single, Coll};

/// Unary minus on a number or quantity.
pub(crate) fn negate<'a>(operand: &[Item<'a>]) -> Result<Coll<'a>, EvalError> {
    let Some(item) = single(operand, "unary '-'")? else {
        return Ok(Vec::new());
    };
    Ok(vec![match item.prim() {
        Some(Prim::Int(i)) => Item::Integer(-i),
        Some(Prim::Dec(d)) => Item::Decimal(-d),
        Some(Prim::Quantity(q)) => Item::Quantity {
            value: -q.value,
            unit: Cow::Owned(q.units[0].unwrap_or("1").to_string()),
        },
        _ => return Err(EvalError::Type("unary '-' needs a number".into())),
    }])
}

/// A binary arithmetic or string operator.
pub(crate) fn binary<'a>(
    op: BinOp,
    left: &[Item<'a>],
    right: &[Item<'a>],
) -> Result<Coll<'a>, EvalError> {
    if op == BinOp::Concat {
        let text = |c: &[Item<'a>]| -> Result<Cow<'a, str>, EvalError> {
            Ok(single(c, "'&'")?
                .and_then(Item::to_text)
                .unwrap_or(Cow::Borrowed("")))
        };
        let (a, b) = (text(left)?, text(right)?);
        return Ok(vec![Item::String(Cow::Owned(format!("{a}{b}")))]);
    }
    let (Some(a), Some(b)) = (
        single(left, "an arithmetic operator")?,
        single(right, "an arithmetic operator")?,
    ) else {
        return Ok(Vec::new());
    };
    let (Some(pa), Some(pb)) = (a.prim(), b.prim()) else {
        return Ok(Vec::new());
    };
    Ok(match (pa, pb) {
        (Prim::Str(x), Prim::Str(y)) if op == BinOp::Add => vec![Item::String(Cow::Owned(format!("{x}{y}")))],
        (Prim::Int(x), Prim::Int(y)) => integer(op, x, y)?.into_iter().collect(),
        (x, y) => match (number(&x), number(&y)) {
            (Some(x), Some(y)) => decimal(op, x, y).into_iter().collect(),
            _ => {
                return Err(EvalError::Unsupported(format!(
                    "arithmetic {op:?} on {x:?} and {y:?} (date/time and quantity arithmetic are not implemented)"
                )))
            }
        },
    })
}

fn number(p: &Prim<'_>) -> Option<f64> {
    match p {
        Prim::Int(i) => Some(*i as f64),
        Prim::Dec(d) => Some(*d),
        _ => None,
    }
}

fn integer<'a>(op: BinOp, x: i64, y: i64) -> Result<Option<Item<'a>>, EvalError> {
    let overflow = || EvalError::Type("integer overflow".into());
    Ok(Some(match op {
        BinOp::Add => Item::Integer(x.checked_add(y).ok_or_else(overflow)?),
        BinOp::Sub => Item::Integer(x.checked_sub(y).ok_or_else(overflow)?),
        BinOp::Mul => Item::Integer(x.checked_mul(y).ok_or_else(overflow)?),
        BinOp::Div if y == 0 => return Ok(None),
        BinOp::Div => Item::Decimal(x as f64 / y as f64),
        BinOp::IntDiv | BinOp::Mod if y == 0 => return Ok(None),
        BinOp::IntDiv => Item::Integer(x.checked_div(y).ok_or_else(overflow)?),
        BinOp::Mod => Item::Integer(x.checked_rem(y).ok_or_else(overflow)?),
        _ => return Err(EvalError::Type(format!("{op:?} is not arithmetic"))),
    }))
}

fn decimal<'a>(op: BinOp, x: f64, y: f64) -> Option<Item<'a>> {
    Some(match op {
        BinOp::Add => Item::Decimal(x + y),
        BinOp::Sub => Item::Decimal(x - y),
        BinOp::Mul => Item::Decimal(x * y),
        _ if y == 0.0 => return None,
        BinOp::Div => Item::Decimal(x / y),
        BinOp::IntDiv => Item::Integer((x / y).trunc() as i64),
        BinOp::Mod => Item::Decimal(x % y),
        _ => return None,
    })
}
