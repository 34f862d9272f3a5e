//! HL7 positions (`PID-5.1`, `OBX[3]-5`, `PID-5[2].1`): 1-based, printed and parsed the HL7 way
//! (style.md §3, medplum `getField`). A zero field means the segment itself.

use std::fmt;
use std::str::FromStr;

use super::error::ParseError;

/// Where a value sits in a message. Indices are 1-based; `None` means "the whole" (all repetitions
/// are addressed through the first one, as HL7 does for `PID-5.1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Position {
    /// The segment name, e.g. `PID`.
    pub segment: String,
    /// Which occurrence of that segment in the message (1 = the first).
    pub segment_index: usize,
    /// The field number (MSH-1 is the field separator); 0 means the segment.
    pub field: usize,
    pub repetition: Option<usize>,
    pub component: Option<usize>,
    pub subcomponent: Option<usize>,
}

impl Position {
    /// A whole segment: `OBX[3]`.
    pub fn segment(name: &str, index: usize) -> Self {
        Position {
            segment: name.to_owned(),
            segment_index: index,
            field: 0,
            repetition: None,
            component: None,
            subcomponent: None,
        }
    }

    /// A field of the first such segment: `MSH-9`.
    pub fn field_of(name: &str, field: usize) -> Self {
        Position {
            field,
            ..Position::segment(name, 1)
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.segment)?;
        if self.segment_index > 1 {
            write!(f, "[{}]", self.segment_index)?;
        }
        if self.field == 0 {
            return Ok(());
        }
        write!(f, "-{}", self.field)?;
        if let Some(r) = self.repetition.filter(|&r| r > 1) {
            write!(f, "[{r}]")?;
        }
        if let Some(c) = self.component {
            write!(f, ".{c}")?;
            if let Some(s) = self.subcomponent {
                write!(f, ".{s}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for Position {
    type Err = ParseError;

    /// Parses `SEG[n]-field[r].component.subcomponent`, every part after the name optional.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |reason| ParseError::BadPosition {
            text: text.to_owned(),
            reason,
        };
        let (name, rest) = match text.char_indices().nth(3) {
            Some((i, _)) => (&text[..i], &text[i..]),
            None => (text, ""),
        };
        if name.len() != 3
            || !name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(bad(
                "the segment name must be three upper-case letters or digits",
            ));
        }
        let (segment_index, rest) = bracket(rest).map_err(bad)?;
        let mut position = Position::segment(name, segment_index.unwrap_or(1));
        if rest.is_empty() {
            return Ok(position);
        }
        let Some(rest) = rest.strip_prefix('-') else {
            return Err(bad("expected '-' before the field number"));
        };
        let (field, rest) = number(rest).ok_or_else(|| bad("expected a field number"))?;
        position.field = field;
        let (repetition, rest) = bracket(rest).map_err(bad)?;
        position.repetition = repetition;
        let mut parts = rest.split('.');
        if parts.next() != Some("") {
            return Err(bad("expected '.' before the component"));
        }
        let mut numbers = parts.map(|p| p.parse::<usize>().ok().filter(|&n| n > 0));
        position.component = match numbers.next() {
            None => None,
            Some(n) => Some(n.ok_or_else(|| bad("expected a component number"))?),
        };
        position.subcomponent = match numbers.next() {
            None => None,
            Some(n) => Some(n.ok_or_else(|| bad("expected a subcomponent number"))?),
        };
        if numbers.next().is_some() {
            return Err(bad("too many parts after the field"));
        }
        Ok(position)
    }
}

/// A leading decimal number (at least 1) and the rest.
fn number(text: &str) -> Option<(usize, &str)> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let n = text[..end].parse::<usize>().ok().filter(|&n| n > 0)?;
    Some((n, &text[end..]))
}

/// An optional `[n]` and the rest.
fn bracket(text: &str) -> Result<(Option<usize>, &str), &'static str> {
    let Some(inner) = text.strip_prefix('[') else {
        return Ok((None, text));
    };
    let (n, rest) = number(inner).ok_or("expected a number in brackets")?;
    let rest = rest.strip_prefix(']').ok_or("expected ']'")?;
    Ok((Some(n), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_prints_hl7_positions() {
        let mut p = Position::field_of("PID", 5);
        p.component = Some(1);
        assert_eq!(p.to_string(), "PID-5.1");
        p.repetition = Some(2);
        assert_eq!(p.to_string(), "PID-5[2].1");
        p.subcomponent = Some(3);
        assert_eq!(p.to_string(), "PID-5[2].1.3");
        let mut obx = Position::segment("OBX", 3);
        assert_eq!(obx.to_string(), "OBX[3]");
        obx.field = 5;
        assert_eq!(obx.to_string(), "OBX[3]-5");
    }

    #[test]
    fn parse_round_trips_display() {
        for text in [
            "PID-5.1",
            "OBX[3]-5",
            "PID-5[2].1",
            "TQ1-3.1.2",
            "MSH-9",
            "ZPR",
            "OBX[12]",
            "PID-5[2]",
        ] {
            let p: Position = text.parse().unwrap();
            assert_eq!(p.to_string(), text);
        }
        let p: Position = "PID-5[2].1".parse().unwrap();
        assert_eq!((p.field, p.repetition, p.component), (5, Some(2), Some(1)));
    }

    #[test]
    fn parse_rejects_bad_positions() {
        for text in [
            "",
            "pid-5",
            "PI",
            "PID-",
            "PID-0",
            "PID-5[",
            "PID-5[x]",
            "PID-5.",
            "PID-5.1.2.3",
            "PID5",
            "山田太郎-1",
            "PID-5.a",
        ] {
            let err = text.parse::<Position>().unwrap_err();
            assert!(matches!(err, ParseError::BadPosition { .. }), "{text}");
        }
    }
}
