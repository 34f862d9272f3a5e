//! The FHIRPath evaluator: walks the syntax tree over collections of borrowed items.

mod arith;
mod compare;
mod func_coll;
mod func_fhir;
mod func_str;
mod functions;

use std::borrow::Cow;
use std::rc::Rc;

use super::ast::{BinOp, Constant, Expr, Literal};
use super::error::EvalError;
use super::navigate;
use super::types::item_is;
use super::value::{Item, Node};
use super::Env;

pub(crate) use compare::equal;

/// A collection of items.
pub(crate) type Coll<'a> = Vec<Item<'a>>;

/// What an expression is evaluated against besides its input: the environment, the original focus,
/// and the iteration variables.
#[derive(Clone)]
pub(crate) struct Ctx<'e, 'a> {
    pub env: &'e Env<'a>,
    pub focus: Node<'a>,
    pub this: Option<Item<'a>>,
    pub index: Option<i64>,
    pub total: Option<Rc<Coll<'a>>>,
}

impl<'a> Ctx<'_, 'a> {
    /// The context for one iteration of `where`, `select`, `all`…
    fn iteration(&self, item: &Item<'a>, index: usize) -> Self {
        Ctx {
            this: Some(item.clone()),
            index: i64::try_from(index).ok(),
            ..self.clone()
        }
    }

    fn resource(&self) -> Node<'a> {
        self.env.resource.unwrap_or(self.focus)
    }
}

/// Evaluates `expr` with `focus` as the input collection and `$this`.
pub(crate) fn evaluate<'a>(
    expr: &Expr,
    focus: Node<'a>,
    env: &Env<'a>,
) -> Result<Coll<'a>, EvalError> {
    let ctx = Ctx {
        env,
        focus,
        this: Some(Item::Node(focus)),
        index: None,
        total: None,
    };
    eval(expr, &[Item::Node(focus)], &ctx)
}

/// FHIR invariant truth: a single boolean is itself, empty is false, anything else non-empty is true.
pub(crate) fn truthy(coll: &[Item<'_>]) -> bool {
    match coll {
        [] => false,
        [item] => item.as_bool().unwrap_or(true),
        _ => true,
    }
}

/// Singleton evaluation for boolean operators: empty → unknown, one boolean → it, one other item →
/// true, several items → error.
pub(crate) fn to_bool3(coll: &[Item<'_>], what: &str) -> Result<Option<bool>, EvalError> {
    match coll {
        [] => Ok(None),
        [item] => Ok(Some(item.as_bool().unwrap_or(true))),
        _ => Err(EvalError::NotSingleton(what.to_string(), coll.len())),
    }
}

/// The single item of a collection (`None` when empty; error when several).
pub(crate) fn single<'c, 'a>(
    coll: &'c [Item<'a>],
    what: &str,
) -> Result<Option<&'c Item<'a>>, EvalError> {
    match coll {
        [] => Ok(None),
        [item] => Ok(Some(item)),
        _ => Err(EvalError::NotSingleton(what.to_string(), coll.len())),
    }
}

pub(crate) fn boolean<'a>(b: Option<bool>) -> Coll<'a> {
    b.map(Item::Boolean).into_iter().collect()
}

fn literal<'a>(lit: &Literal) -> Item<'a> {
    match lit {
        Literal::Boolean(b) => Item::Boolean(*b),
        Literal::String(s) => Item::String(Cow::Owned(s.clone())),
        Literal::Integer(i) => Item::Integer(*i),
        Literal::Decimal(d) => Item::Decimal(*d),
        Literal::Date(t) => Item::Date(*t),
        Literal::DateTime(t) => Item::DateTime(*t),
        Literal::Time(t) => Item::Time(*t),
        Literal::Quantity(v, u) => Item::Quantity {
            value: *v,
            unit: Cow::Owned(u.clone()),
        },
    }
}

/// Evaluates `expr` against the input collection `input`.
pub(crate) fn eval<'a>(
    expr: &Expr,
    input: &[Item<'a>],
    ctx: &Ctx<'_, 'a>,
) -> Result<Coll<'a>, EvalError> {
    Ok(match expr {
        Expr::Empty => Vec::new(),
        Expr::Literal(lit) => vec![literal(lit)],
        Expr::This => ctx.this.iter().cloned().collect(),
        Expr::Index => ctx.index.map(Item::Integer).into_iter().collect(),
        Expr::Total => ctx.total.as_deref().cloned().unwrap_or_default(),
        Expr::Constant(c) => vec![match c {
            Constant::Resource => Item::Node(ctx.resource()),
            Constant::RootResource => {
                Item::Node(ctx.env.root_resource.unwrap_or_else(|| ctx.resource()))
            }
            Constant::Context => Item::Node(ctx.env.context.unwrap_or(ctx.focus)),
            Constant::Text(s) => Item::String(Cow::Owned(s.clone())),
        }],
        Expr::Ident(name) => members(input, name, ctx),
        Expr::Member(base, name) => members(&eval(base, input, ctx)?, name, ctx),
        Expr::Call(call) => {
            let target;
            let call_input = match &call.target {
                Some(t) => {
                    target = eval(t, input, ctx)?;
                    &target[..]
                }
                None => input,
            };
            functions::call(call, call_input, ctx)?
        }
        Expr::Indexer(base, index) => {
            let base = eval(base, input, ctx)?;
            let index = eval(index, input, ctx)?;
            match single(&index, "an indexer")?.map(|i| i.prim()) {
                None => Vec::new(),
                Some(Some(super::value::Prim::Int(i))) => usize::try_from(i)
                    .ok()
                    .and_then(|i| base.into_iter().nth(i))
                    .into_iter()
                    .collect(),
                Some(_) => return Err(EvalError::Type("an indexer must be an integer".into())),
            }
        }
        Expr::Negate(operand) => arith::negate(&eval(operand, input, ctx)?)?,
        Expr::Binary(op, lhs, rhs) => binary(*op, lhs, rhs, input, ctx)?,
        Expr::TypeOp(is, operand, spec) => {
            let items = eval(operand, input, ctx)?;
            if *is {
                match single(&items, "'is'")? {
                    None => Vec::new(),
                    Some(item) => vec![Item::Boolean(item_is(ctx.env, item, spec))],
                }
            } else {
                items
                    .into_iter()
                    .filter(|i| item_is(ctx.env, i, spec))
                    .collect()
            }
        }
    })
}

fn members<'a>(input: &[Item<'a>], name: &str, ctx: &Ctx<'_, 'a>) -> Coll<'a> {
    let mut out = Vec::new();
    for item in input {
        if let Item::Node(node) = item {
            navigate::member(ctx.env, node, name, &mut out);
        }
    }
    out
}

fn binary<'a>(
    op: BinOp,
    lhs: &Expr,
    rhs: &Expr,
    input: &[Item<'a>],
    ctx: &Ctx<'_, 'a>,
) -> Result<Coll<'a>, EvalError> {
    if matches!(op, BinOp::And | BinOp::Or | BinOp::Implies | BinOp::Xor) {
        return logic(op, lhs, rhs, input, ctx);
    }
    if let (BinOp::Eq | BinOp::Ne, Expr::Literal(Literal::String(s))) = (op, rhs) {
        // Fast path for `code = 'x'`: compare without materialising the literal.
        let left = eval(lhs, input, ctx)?;
        return Ok(match left.as_slice() {
            [] => Vec::new(),
            [item] => match item.as_str() {
                Some(v) => vec![Item::Boolean((v == s) == (op == BinOp::Eq))],
                None => compare::equality(op, &left, &[Item::String(Cow::Borrowed(s))])?,
            },
            _ => vec![Item::Boolean(op == BinOp::Ne)],
        });
    }
    let left = eval(lhs, input, ctx)?;
    let right = eval(rhs, input, ctx)?;
    match op {
        BinOp::Union => Ok(func_coll::union(left, right)),
        BinOp::Eq | BinOp::Ne | BinOp::Equiv | BinOp::NotEquiv => {
            compare::equality(op, &left, &right)
        }
        BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => compare::ordering(op, &left, &right),
        BinOp::In => compare::membership(&left, &right, "'in'"),
        BinOp::Contains => compare::membership(&right, &left, "'contains'"),
        _ => arith::binary(op, &left, &right),
    }
}

/// Three-valued `and`, `or`, `xor`, `implies` per the FHIRPath truth tables.
fn logic<'a>(
    op: BinOp,
    lhs: &Expr,
    rhs: &Expr,
    input: &[Item<'a>],
    ctx: &Ctx<'_, 'a>,
) -> Result<Coll<'a>, EvalError> {
    let a = to_bool3(&eval(lhs, input, ctx)?, "a boolean operand")?;
    // Short-circuit where the left side alone decides.
    let decided = match (op, a) {
        (BinOp::And, Some(false)) => Some(false),
        (BinOp::Or, Some(true)) => Some(true),
        (BinOp::Implies, Some(false)) => Some(true),
        _ => None,
    };
    if decided.is_some() {
        return Ok(boolean(decided));
    }
    let b = to_bool3(&eval(rhs, input, ctx)?, "a boolean operand")?;
    Ok(boolean(match op {
        BinOp::And => match (a, b) {
            (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        BinOp::Or => match (a, b) {
            (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        BinOp::Xor => a.zip(b).map(|(a, b)| a != b),
        _ => match (a, b) {
            (Some(true), b) => b,
            (None, Some(true)) => Some(true),
            _ => None,
        },
    }))
}
