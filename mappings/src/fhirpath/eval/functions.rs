//! Function dispatch: iterating functions (`where`, `select`, `all`…), `iif`, and the argument
//! evaluation of the others.

use std::rc::Rc;

use super::super::ast::{Call, Func};
use super::super::error::EvalError;
use super::super::value::Item;
use super::{eval, func_coll, func_fhir, func_str, to_bool3, truthy, Coll, Ctx};

/// Evaluates `call` on `input`.
pub(crate) fn call<'a>(
    call: &Call,
    input: &[Item<'a>],
    ctx: &Ctx<'_, 'a>,
) -> Result<Coll<'a>, EvalError> {
    match call.func {
        Func::Where | Func::Select | Func::All | Func::Repeat | Func::Aggregate => {
            return iterate(call, input, ctx);
        }
        Func::Exists if !call.args.is_empty() => return iterate(call, input, ctx),
        Func::Iif => {
            let criterion = to_bool3(&eval(&call.args[0], input, ctx)?, "iif()")?;
            return match (criterion, call.args.get(2)) {
                (Some(true), _) => eval(&call.args[1], input, ctx),
                (_, Some(otherwise)) => eval(otherwise, input, ctx),
                _ => Ok(Vec::new()),
            };
        }
        _ => {}
    }
    // Arguments of the other functions are evaluated against the function's input collection.
    let mut args = Vec::with_capacity(call.args.len());
    for a in &call.args {
        args.push(eval(a, input, ctx)?);
    }
    if let Some(result) = func_coll::call(call, input, &args, ctx)? {
        return Ok(result);
    }
    if let Some(result) = func_str::call(call, input, &args)? {
        return Ok(result);
    }
    func_fhir::call(call, input, &args, ctx)
}

fn iterate<'a>(call: &Call, input: &[Item<'a>], ctx: &Ctx<'_, 'a>) -> Result<Coll<'a>, EvalError> {
    let body = &call.args[0];
    let run =
        |item: &Item<'a>, i: usize| eval(body, std::slice::from_ref(item), &ctx.iteration(item, i));
    Ok(match call.func {
        Func::Where => {
            let mut out = Vec::new();
            for (i, item) in input.iter().enumerate() {
                if truthy(&run(item, i)?) {
                    out.push(item.clone());
                }
            }
            out
        }
        Func::Select => {
            let mut out = Vec::new();
            for (i, item) in input.iter().enumerate() {
                out.extend(run(item, i)?);
            }
            out
        }
        Func::All => {
            for (i, item) in input.iter().enumerate() {
                if !truthy(&run(item, i)?) {
                    return Ok(vec![Item::Boolean(false)]);
                }
            }
            vec![Item::Boolean(true)]
        }
        Func::Exists => {
            for (i, item) in input.iter().enumerate() {
                if truthy(&run(item, i)?) {
                    return Ok(vec![Item::Boolean(true)]);
                }
            }
            vec![Item::Boolean(false)]
        }
        Func::Repeat => {
            let mut out: Coll<'a> = Vec::new();
            let mut frontier: Coll<'a> = input.to_vec();
            while !frontier.is_empty() {
                let mut next = Vec::new();
                for (i, item) in frontier.iter().enumerate() {
                    for found in run(item, i)? {
                        if !out.iter().any(|o| same_item(o, &found)) {
                            out.push(found.clone());
                            next.push(found);
                        }
                    }
                }
                frontier = next;
            }
            out
        }
        _ => {
            // aggregate(aggregator [, init])
            let mut total = match call.args.get(1) {
                Some(init) => eval(init, input, ctx)?,
                None => Vec::new(),
            };
            for (i, item) in input.iter().enumerate() {
                let mut sub = ctx.iteration(item, i);
                sub.total = Some(Rc::new(total));
                total = eval(body, std::slice::from_ref(item), &sub)?;
            }
            total
        }
    })
}

/// Identity for nodes (the same JSON element), equality for system values; used by `repeat` so that
/// it terminates.
fn same_item(a: &Item<'_>, b: &Item<'_>) -> bool {
    match (a, b) {
        (Item::Node(x), Item::Node(y)) => x.same(y),
        (Item::Node(_), _) | (_, Item::Node(_)) => false,
        _ => super::equal(a, b),
    }
}
