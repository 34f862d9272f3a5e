//! The FHIRPath tokenizer: identifiers, literals, constants and operators with their positions.

use super::error::ParseError;

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A plain identifier or keyword (`and`, `true`, `where`…).
    Ident(String),
    /// A backtick-quoted identifier (never a keyword).
    Quoted(String),
    Str(String),
    /// Number text (`12`, `1.5`).
    Number(String),
    /// A date/time literal without its `@`.
    Temporal(String),
    /// `%name`, `%"name"` or %`name`, without the `%`.
    Constant(String),
    /// `$this`, `$index`, `$total`, without the `$`.
    Var(String),
    /// Punctuation and symbolic operators.
    Sym(&'static str),
    Eof,
}

/// A token and the character offset where it starts.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: usize,
}

const SYMBOLS: &[&str] = &[
    "<=", ">=", "!=", "!~", ".", "(", ")", "[", "]", "{", "}", ",", "+", "-", "*", "/", "&", "|",
    "=", "~", "<", ">",
];

/// Splits `text` into tokens, ending with `Tok::Eof`.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut lexer = Lexer { chars, pos: 0 };
    let mut out = Vec::new();
    loop {
        lexer.skip_space_and_comments()?;
        let pos = lexer.pos;
        let Some(c) = lexer.peek(0) else {
            out.push(Token { tok: Tok::Eof, pos });
            return Ok(out);
        };
        let tok = if c.is_ascii_alphabetic() || c == '_' {
            Tok::Ident(lexer.word())
        } else if c.is_ascii_digit() {
            lexer.number()
        } else {
            match c {
                '`' => Tok::Quoted(lexer.quoted('`')?),
                '\'' => Tok::Str(lexer.quoted('\'')?),
                '@' => {
                    lexer.pos += 1;
                    Tok::Temporal(lexer.temporal())
                }
                '%' => {
                    lexer.pos += 1;
                    match lexer.peek(0) {
                        Some(q @ ('"' | '`' | '\'')) => Tok::Constant(lexer.quoted(q)?),
                        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                            Tok::Constant(lexer.word_with_dash())
                        }
                        _ => return Err(ParseError::new(pos, "a constant name must follow '%'")),
                    }
                }
                '$' => {
                    lexer.pos += 1;
                    Tok::Var(lexer.word())
                }
                _ => {
                    let sym = SYMBOLS
                        .iter()
                        .find(|s| {
                            s.chars()
                                .enumerate()
                                .all(|(i, sc)| lexer.peek(i) == Some(sc))
                        })
                        .ok_or_else(|| {
                            ParseError::new(pos, format!("unexpected character '{c}'"))
                        })?;
                    lexer.pos += sym.chars().count();
                    Tok::Sym(sym)
                }
            }
        };
        out.push(Token { tok, pos });
    }
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn skip_space_and_comments(&mut self) -> Result<(), ParseError> {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(c), _) if c.is_whitespace() => self.pos += 1,
                (Some('/'), Some('/')) => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.pos += 1;
                    }
                }
                (Some('/'), Some('*')) => {
                    let start = self.pos;
                    self.pos += 2;
                    while !(self.peek(0) == Some('*') && self.peek(1) == Some('/')) {
                        if self.peek(0).is_none() {
                            return Err(ParseError::new(start, "unterminated comment"));
                        }
                        self.pos += 1;
                    }
                    self.pos += 2;
                }
                _ => return Ok(()),
            }
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek(0).is_some_and(&f) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn word(&mut self) -> String {
        self.take_while(|c| c.is_ascii_alphanumeric() || c == '_')
    }

    /// A constant name such as `vs-name` or `ext-foo` (dashes allowed).
    fn word_with_dash(&mut self) -> String {
        self.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }

    fn number(&mut self) -> Tok {
        let mut text = self.take_while(|c| c.is_ascii_digit());
        if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            text.push('.');
            text.push_str(&self.take_while(|c| c.is_ascii_digit()));
        }
        Tok::Number(text)
    }

    fn temporal(&mut self) -> String {
        let mut text = String::new();
        let mut seen_t = false;
        while let Some(c) = self.peek(0) {
            let next_digit = self.peek(1).is_some_and(|c| c.is_ascii_digit());
            let ok = c.is_ascii_digit()
                || matches!(c, ':' | 'Z')
                || (c == '.' && next_digit)
                || (c == '-' && next_digit)
                || (c == '+' && seen_t && next_digit)
                || (c == 'T' && !seen_t);
            if !ok {
                break;
            }
            seen_t |= c == 'T';
            text.push(c);
            self.pos += 1;
        }
        text
    }

    /// A quoted string or identifier with FHIRPath escapes.
    fn quoted(&mut self, quote: char) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let c = self
                .peek(0)
                .ok_or_else(|| ParseError::new(start, "unterminated string"))?;
            self.pos += 1;
            if c == quote {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let e = self
                .peek(0)
                .ok_or_else(|| ParseError::new(start, "unterminated string"))?;
            self.pos += 1;
            out.push(match e {
                '\'' | '"' | '`' | '\\' | '/' => e,
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'u' => {
                    let hex: String = (0..4).filter_map(|i| self.peek(i)).collect();
                    let code = u32::from_str_radix(&hex, 16)
                        .ok()
                        .filter(|_| hex.len() == 4)
                        .and_then(char::from_u32)
                        .ok_or_else(|| ParseError::new(self.pos, "bad \\u escape"))?;
                    self.pos += 4;
                    code
                }
                other => {
                    return Err(ParseError::new(
                        self.pos - 1,
                        format!("unknown escape '\\{other}'"),
                    ))
                }
            });
        }
    }
}
