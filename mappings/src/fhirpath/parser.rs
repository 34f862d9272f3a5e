//! The FHIRPath parser: precedence climbing over the tokens into the syntax tree.

use regex::Regex;

use super::ast::{BinOp, Call, Constant, Expr, Func, Literal, TypeSpec};
use super::error::ParseError;
use super::lexer::{tokenize, Tok, Token};
use super::temporal::Temporal;

/// Parses a whole expression.
pub(crate) fn parse(text: &str) -> Result<Expr, ParseError> {
    let mut p = Parser {
        tokens: tokenize(text)?,
        at: 0,
    };
    let expr = p.expr(0)?;
    match p.peek() {
        Tok::Eof => Ok(expr),
        other => Err(p.error(format!("unexpected {other:?} after the expression"))),
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

/// Binding power of an infix operator (higher binds tighter), per the FHIRPath precedence table.
fn infix(tok: &Tok) -> Option<(u8, Option<BinOp>)> {
    let op = match tok {
        Tok::Sym(s) => match *s {
            "*" => (10, BinOp::Mul),
            "/" => (10, BinOp::Div),
            "+" => (9, BinOp::Add),
            "-" => (9, BinOp::Sub),
            "&" => (9, BinOp::Concat),
            "|" => (7, BinOp::Union),
            "<" => (6, BinOp::Lt),
            ">" => (6, BinOp::Gt),
            "<=" => (6, BinOp::Le),
            ">=" => (6, BinOp::Ge),
            "=" => (5, BinOp::Eq),
            "~" => (5, BinOp::Equiv),
            "!=" => (5, BinOp::Ne),
            "!~" => (5, BinOp::NotEquiv),
            _ => return None,
        },
        Tok::Ident(w) => match w.as_str() {
            "div" => (10, BinOp::IntDiv),
            "mod" => (10, BinOp::Mod),
            "is" | "as" => return Some((8, None)),
            "in" => (4, BinOp::In),
            "contains" => (4, BinOp::Contains),
            "and" => (3, BinOp::And),
            "or" => (2, BinOp::Or),
            "xor" => (2, BinOp::Xor),
            "implies" => (1, BinOp::Implies),
            _ => return None,
        },
        _ => return None,
    };
    Some((op.0, Some(op.1)))
}

const CALENDAR_UNITS: &[&str] = &[
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "hour",
    "hours",
    "minute",
    "minutes",
    "second",
    "seconds",
    "millisecond",
    "milliseconds",
];

impl Parser {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        self.tokens
            .get(self.at + ahead)
            .or(self.tokens.last())
            .map_or(&Tok::Eof, |t| &t.tok)
    }

    fn pos(&self) -> usize {
        self.tokens
            .get(self.at)
            .or(self.tokens.last())
            .map_or(0, |t| t.pos)
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(self.pos(), message)
    }

    fn next(&mut self) -> Tok {
        let tok = self.peek().clone();
        if self.at < self.tokens.len() {
            self.at += 1;
        }
        tok
    }

    fn expect(&mut self, sym: &str) -> Result<(), ParseError> {
        match self.peek() {
            Tok::Sym(s) if *s == sym => {
                self.at += 1;
                Ok(())
            }
            other => Err(self.error(format!("expected '{sym}', found {other:?}"))),
        }
    }

    fn expr(&mut self, min_bp: u8) -> Result<Expr, ParseError> {
        let mut lhs = self.unary()?;
        while let Some((bp, op)) = infix(self.peek()) {
            if bp < min_bp {
                break;
            }
            let word = self.next();
            lhs = match op {
                Some(op) => Expr::Binary(op, Box::new(lhs), Box::new(self.expr(bp + 1)?)),
                None => {
                    let is = word == Tok::Ident("is".into());
                    Expr::TypeOp(is, Box::new(lhs), self.type_spec()?)
                }
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            Tok::Sym("+") => {
                self.at += 1;
                self.unary()
            }
            Tok::Sym("-") => {
                self.at += 1;
                Ok(match self.unary()? {
                    Expr::Literal(Literal::Integer(i)) => Expr::Literal(Literal::Integer(-i)),
                    Expr::Literal(Literal::Decimal(d)) => Expr::Literal(Literal::Decimal(-d)),
                    Expr::Literal(Literal::Quantity(v, u)) => {
                        Expr::Literal(Literal::Quantity(-v, u))
                    }
                    other => Expr::Negate(Box::new(other)),
                })
            }
            _ => self.postfix(),
        }
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let mut expr = self.term()?;
        loop {
            match self.peek() {
                Tok::Sym(".") => {
                    self.at += 1;
                    let name_pos = self.pos();
                    let name = match self.next() {
                        Tok::Ident(n) | Tok::Quoted(n) => n,
                        other => {
                            return Err(
                                self.error(format!("expected a name after '.', found {other:?}"))
                            )
                        }
                    };
                    expr = if self.peek() == &Tok::Sym("(") {
                        self.call(Some(expr), &name, name_pos)?
                    } else {
                        Expr::Member(Box::new(expr), name)
                    };
                }
                Tok::Sym("[") => {
                    self.at += 1;
                    let index = self.expr(0)?;
                    self.expect("]")?;
                    expr = Expr::Indexer(Box::new(expr), Box::new(index));
                }
                _ => return Ok(expr),
            }
        }
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let pos = self.pos();
        Ok(match self.next() {
            Tok::Number(text) => self.number(&text, pos)?,
            Tok::Str(s) => Expr::Literal(Literal::String(s)),
            Tok::Temporal(text) => Expr::Literal(temporal_literal(&text).ok_or_else(|| {
                ParseError::new(pos, format!("invalid date/time literal '@{text}'"))
            })?),
            Tok::Constant(name) => Expr::Constant(constant(&name).ok_or_else(|| {
                ParseError::new(pos, format!("unknown external constant '%{name}'"))
            })?),
            Tok::Var(name) => match name.as_str() {
                "this" => Expr::This,
                "index" => Expr::Index,
                "total" => Expr::Total,
                _ => return Err(ParseError::new(pos, format!("unknown variable '${name}'"))),
            },
            Tok::Sym("(") => {
                let inner = self.expr(0)?;
                self.expect(")")?;
                inner
            }
            Tok::Sym("{") => {
                self.expect("}")?;
                Expr::Empty
            }
            Tok::Ident(name) if self.peek() == &Tok::Sym("(") => self.call(None, &name, pos)?,
            Tok::Ident(name) if name == "true" || name == "false" => {
                Expr::Literal(Literal::Boolean(name == "true"))
            }
            Tok::Ident(name) | Tok::Quoted(name) => Expr::Ident(name),
            other => return Err(ParseError::new(pos, format!("unexpected {other:?}"))),
        })
    }

    fn number(&mut self, text: &str, pos: usize) -> Result<Expr, ParseError> {
        let bad = || ParseError::new(pos, format!("invalid number '{text}'"));
        let value = if text.contains('.') {
            Literal::Decimal(text.parse().map_err(|_| bad())?)
        } else {
            Literal::Integer(text.parse().map_err(|_| bad())?)
        };
        let unit = match self.peek() {
            Tok::Str(unit) => unit.clone(),
            Tok::Ident(w) if CALENDAR_UNITS.contains(&w.as_str()) => w.clone(),
            _ => return Ok(Expr::Literal(value)),
        };
        self.at += 1;
        let v = match value {
            Literal::Integer(i) => i as f64,
            Literal::Decimal(d) => d,
            _ => return Err(bad()),
        };
        Ok(Expr::Literal(Literal::Quantity(v, unit)))
    }

    fn type_spec(&mut self) -> Result<TypeSpec, ParseError> {
        let first = match self.next() {
            Tok::Ident(n) | Tok::Quoted(n) => n,
            other => return Err(self.error(format!("expected a type name, found {other:?}"))),
        };
        if self.peek() == &Tok::Sym(".")
            && matches!(self.peek_at(1), Tok::Ident(_) | Tok::Quoted(_))
        {
            self.at += 1;
            if let Tok::Ident(name) | Tok::Quoted(name) = self.next() {
                return Ok(TypeSpec {
                    namespace: Some(first),
                    name,
                });
            }
        }
        Ok(TypeSpec {
            namespace: None,
            name: first,
        })
    }

    fn call(&mut self, target: Option<Expr>, name: &str, pos: usize) -> Result<Expr, ParseError> {
        let func = Func::from_name(name)
            .ok_or_else(|| ParseError::new(pos, format!("unknown function '{name}'")))?;
        self.expect("(")?;
        let mut args = Vec::new();
        let mut type_arg = None;
        if self.peek() != &Tok::Sym(")") {
            if matches!(func, Func::Is | Func::As | Func::OfType) {
                type_arg = Some(self.type_spec()?);
            } else {
                loop {
                    args.push(self.expr(0)?);
                    if self.peek() != &Tok::Sym(",") {
                        break;
                    }
                    self.at += 1;
                }
            }
        }
        self.expect(")")?;
        let count = args.len() + usize::from(type_arg.is_some());
        let (min, max) = func.arity();
        if count < min || count > max {
            return Err(ParseError::new(
                pos,
                format!("{name}() takes {min}..={max} arguments, got {count}"),
            ));
        }
        let regex = match (func, args.first()) {
            (Func::Matches | Func::ReplaceMatches, Some(Expr::Literal(Literal::String(p)))) => {
                Some(compile_regex(p))
            }
            _ => None,
        };
        Ok(Expr::Call(Box::new(Call {
            target,
            func,
            args,
            type_arg,
            regex,
        })))
    }
}

/// Compiles a FHIRPath regex (single-line mode: `.` matches newlines).
pub(crate) fn compile_regex(pattern: &str) -> Result<Regex, String> {
    Regex::new(&format!("(?s){pattern}"))
        .map_err(|e| format!("regex '{pattern}' is not supported: {e}"))
}

fn temporal_literal(text: &str) -> Option<Literal> {
    if let Some(time) = text.strip_prefix('T') {
        return Temporal::parse_time(time).map(Literal::Time);
    }
    if text.contains('T') {
        Temporal::parse_date_time(text).map(Literal::DateTime)
    } else {
        Temporal::parse_date(text).map(Literal::Date)
    }
}

fn constant(name: &str) -> Option<Constant> {
    Some(match name {
        "resource" => Constant::Resource,
        "rootResource" => Constant::RootResource,
        "context" => Constant::Context,
        "ucum" => Constant::Text("http://unitsofmeasure.org".into()),
        "sct" => Constant::Text("http://snomed.info/sct".into()),
        "loinc" => Constant::Text("http://loinc.org".into()),
        _ => {
            if let Some(vs) = name.strip_prefix("vs-") {
                Constant::Text(format!("http://hl7.org/fhir/ValueSet/{vs}"))
            } else if let Some(ext) = name.strip_prefix("ext-") {
                Constant::Text(format!("http://hl7.org/fhir/StructureDefinition/{ext}"))
            } else {
                return None;
            }
        }
    })
}
