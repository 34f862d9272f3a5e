//! The message's own delimiters, read from MSH-1 (field separator) and MSH-2 (encoding characters:
//! component, repetition, escape, subcomponent and, from v2.7, truncation).

use super::error::ParseError;
use super::position::Position;

/// The five (or six) delimiter characters of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub field: char,
    pub component: char,
    pub repetition: char,
    pub escape: char,
    pub subcomponent: char,
    /// The v2.7 truncation character (`#`), when MSH-2 has five characters.
    pub truncation: Option<char>,
}

impl Default for Delimiters {
    /// The recommended `|^~\&`.
    fn default() -> Self {
        Delimiters {
            field: '|',
            component: '^',
            repetition: '~',
            escape: '\\',
            subcomponent: '&',
            truncation: None,
        }
    }
}

impl Delimiters {
    /// Checks MSH-1 (`field`) and MSH-2 (`encoding`) of the header segment `segment` (MSH, FHS or BHS).
    pub fn from_header(segment: &str, field: char, encoding: &str) -> Result<Self, ParseError> {
        let bad = |field_no: usize, reason| ParseError::BadDelimiters {
            position: Position::field_of(segment, field_no),
            reason,
        };
        if !usable(field) {
            return Err(bad(1, "the field separator must be ASCII punctuation"));
        }
        let chars: Vec<char> = encoding.chars().collect();
        if chars.len() < 4 {
            return Err(bad(2, "fewer than four encoding characters"));
        }
        if chars.len() > 5 {
            return Err(bad(2, "more than five encoding characters"));
        }
        if chars.iter().any(|&c| !usable(c)) {
            return Err(bad(2, "encoding characters must be ASCII punctuation"));
        }
        for (i, c) in chars.iter().enumerate() {
            if *c == field || chars[i + 1..].contains(c) {
                return Err(bad(
                    2,
                    "encoding characters must differ from each other and from MSH-1",
                ));
            }
        }
        Ok(Delimiters {
            field,
            component: chars[0],
            repetition: chars[1],
            escape: chars[2],
            subcomponent: chars[3],
            truncation: chars.get(4).copied(),
        })
    }

    /// MSH-2 as it is written.
    pub fn encoding_characters(&self) -> String {
        let mut s: String = [
            self.component,
            self.repetition,
            self.escape,
            self.subcomponent,
        ]
        .into_iter()
        .collect();
        s.extend(self.truncation);
        s
    }
}

fn usable(c: char) -> bool {
    c.is_ascii_punctuation()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_standard_delimiters() {
        let d = Delimiters::from_header("MSH", '|', "^~\\&").unwrap();
        assert_eq!(d, Delimiters::default());
        assert_eq!(d.encoding_characters(), "^~\\&");
    }

    #[test]
    fn reads_other_delimiters_and_truncation() {
        let d = Delimiters::from_header("MSH", '#', "$*!@%").unwrap();
        assert_eq!((d.field, d.component, d.repetition), ('#', '$', '*'));
        assert_eq!(
            (d.escape, d.subcomponent, d.truncation),
            ('!', '@', Some('%'))
        );
    }

    #[test]
    fn rejects_bad_msh_2() {
        for (sep, enc) in [
            ('|', "^~"),
            ('|', "^~\\&#!"),
            ('|', "^^\\&"),
            ('|', "^|\\&"),
            ('a', "^~\\&"),
            ('|', "^~a&"),
        ] {
            let err = Delimiters::from_header("MSH", sep, enc).unwrap_err();
            assert!(
                matches!(err, ParseError::BadDelimiters { .. }),
                "{sep} {enc}: {err}"
            );
        }
    }
}
