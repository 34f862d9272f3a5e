//! The FHIRPath syntax tree built by the parser and walked by the evaluator.

use regex::Regex;

use super::temporal::Temporal;

/// A parsed expression node.
#[derive(Clone, Debug)]
pub(crate) enum Expr {
    /// `{}`.
    Empty,
    Literal(Literal),
    /// `$this`.
    This,
    /// `$index`.
    Index,
    /// `$total`.
    Total,
    /// `%name`, already resolved to a known constant.
    Constant(Constant),
    /// An identifier navigated from the focus.
    Ident(String),
    /// `base.name`.
    Member(Box<Expr>, String),
    /// `base.f(args)` or `f(args)` on the focus.
    Call(Box<Call>),
    /// `base[index]`.
    Indexer(Box<Expr>, Box<Expr>),
    /// Unary minus (unary plus is dropped by the parser).
    Negate(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x is T` (`true`) or `x as T` (`false`).
    TypeOp(bool, Box<Expr>, TypeSpec),
}

/// A function invocation.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub target: Option<Expr>,
    pub func: Func,
    pub args: Vec<Expr>,
    /// The type argument of `is()`, `as()`, `ofType()`.
    pub type_arg: Option<TypeSpec>,
    /// The compiled first argument of `matches()`/`replaceMatches()` when it is a string literal; an
    /// `Err` holds why the `regex` crate refused it.
    pub regex: Option<Result<Regex, String>>,
}

/// Literal values.
#[derive(Clone, Debug)]
pub(crate) enum Literal {
    Boolean(bool),
    String(String),
    Integer(i64),
    Decimal(f64),
    Date(Temporal),
    DateTime(Temporal),
    Time(Temporal),
    Quantity(f64, String),
}

/// The external constants the engine knows.
#[derive(Clone, Debug)]
pub(crate) enum Constant {
    Resource,
    RootResource,
    Context,
    /// A fixed string such as `%ucum` or `%vs-name`.
    Text(String),
}

/// A type specifier: `Quantity`, `FHIR.Quantity`, `System.String`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeSpec {
    /// `FHIR` or `System` when qualified.
    pub namespace: Option<String>,
    /// The type name.
    pub name: String,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Mul,
    Div,
    IntDiv,
    Mod,
    Add,
    Sub,
    Concat,
    Union,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Equiv,
    Ne,
    NotEquiv,
    In,
    Contains,
    And,
    Or,
    Xor,
    Implies,
}

macro_rules! functions {
    ($($variant:ident = $name:literal ($min:literal, $max:literal)),* $(,)?) => {
        /// The functions the engine implements.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Func { $($variant),* }

        impl Func {
            /// The function of a name, if implemented.
            pub fn from_name(name: &str) -> Option<Func> {
                match name { $($name => Some(Func::$variant),)* _ => None }
            }
            /// The least and most number of arguments.
            pub fn arity(self) -> (usize, usize) {
                match self { $(Func::$variant => ($min, $max)),* }
            }
            /// The FHIRPath name.
            pub fn name(self) -> &'static str {
                match self { $(Func::$variant => $name),* }
            }
        }
    };
}

functions! {
    Empty = "empty"(0, 0), Exists = "exists"(0, 1), All = "all"(1, 1), AllTrue = "allTrue"(0, 0),
    AnyTrue = "anyTrue"(0, 0), AllFalse = "allFalse"(0, 0), AnyFalse = "anyFalse"(0, 0),
    SubsetOf = "subsetOf"(1, 1), SupersetOf = "supersetOf"(1, 1), Count = "count"(0, 0),
    Distinct = "distinct"(0, 0), IsDistinct = "isDistinct"(0, 0),
    Where = "where"(1, 1), Select = "select"(1, 1), Repeat = "repeat"(1, 1), OfType = "ofType"(1, 1),
    Single = "single"(0, 0), First = "first"(0, 0), Last = "last"(0, 0), Tail = "tail"(0, 0),
    Skip = "skip"(1, 1), Take = "take"(1, 1), Intersect = "intersect"(1, 1), Exclude = "exclude"(1, 1),
    Union = "union"(1, 1), Combine = "combine"(1, 1), Iif = "iif"(2, 3), Aggregate = "aggregate"(1, 2),
    ToBoolean = "toBoolean"(0, 0), ConvertsToBoolean = "convertsToBoolean"(0, 0),
    ToInteger = "toInteger"(0, 0), ConvertsToInteger = "convertsToInteger"(0, 0),
    ToDecimal = "toDecimal"(0, 0), ConvertsToDecimal = "convertsToDecimal"(0, 0),
    ToString = "toString"(0, 0), ConvertsToString = "convertsToString"(0, 0),
    ToDate = "toDate"(0, 0), ConvertsToDate = "convertsToDate"(0, 0),
    ToDateTime = "toDateTime"(0, 0), ConvertsToDateTime = "convertsToDateTime"(0, 0),
    ToTime = "toTime"(0, 0), ConvertsToTime = "convertsToTime"(0, 0),
    ToQuantity = "toQuantity"(0, 1), ConvertsToQuantity = "convertsToQuantity"(0, 1),
    IndexOf = "indexOf"(1, 1), Substring = "substring"(1, 2), StartsWith = "startsWith"(1, 1),
    EndsWith = "endsWith"(1, 1), Contains = "contains"(1, 1), Upper = "upper"(0, 0), Lower = "lower"(0, 0),
    Replace = "replace"(2, 2), Matches = "matches"(1, 1), ReplaceMatches = "replaceMatches"(2, 2),
    Length = "length"(0, 0), ToChars = "toChars"(0, 0), Split = "split"(1, 1), Join = "join"(0, 1),
    Trim = "trim"(0, 0),
    Abs = "abs"(0, 0), Ceiling = "ceiling"(0, 0), Floor = "floor"(0, 0), Truncate = "truncate"(0, 0),
    Round = "round"(0, 1),
    Children = "children"(0, 0), Descendants = "descendants"(0, 0), Trace = "trace"(1, 2),
    Now = "now"(0, 0), Today = "today"(0, 0), Not = "not"(0, 0),
    Extension = "extension"(1, 1), HasValue = "hasValue"(0, 0), GetValue = "getValue"(0, 0),
    Resolve = "resolve"(0, 0), HtmlChecks = "htmlChecks"(0, 0), MemberOf = "memberOf"(1, 1),
    ConformsTo = "conformsTo"(1, 1), Is = "is"(1, 1), As = "as"(1, 1),
}
