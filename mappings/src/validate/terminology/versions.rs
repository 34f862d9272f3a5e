//! All loaded versions of one canonical resource, ordered so that the newest answers versionless lookups.

use std::cmp::Ordering;

/// Something with an optional business version.
pub(crate) trait Versioned {
    fn version(&self) -> Option<&str>;
}

/// The versions of one canonical url, oldest first.
#[derive(Debug)]
pub(crate) struct Versions<T> {
    items: Vec<T>,
}

impl<T: Versioned> Versions<T> {
    pub(crate) fn new() -> Self {
        Versions { items: Vec::new() }
    }

    /// Adds `item`, replacing a loaded item with the same version.
    pub(crate) fn insert(&mut self, item: T) {
        match self
            .items
            .iter()
            .position(|i| i.version() == item.version())
        {
            Some(pos) => self.items[pos] = item,
            None => {
                self.items.push(item);
                // Stable: among versions that compare equal the later add counts as newer.
                self.items
                    .sort_by(|a, b| compare_versions(a.version(), b.version()));
            }
        }
    }

    /// The item with exactly `version`, or the newest when `version` is `None`.
    pub(crate) fn get(&self, version: Option<&str>) -> Option<&T> {
        match version {
            None => self.items.last(),
            Some(v) => self.items.iter().find(|i| i.version() == Some(v)),
        }
    }

    pub(crate) fn newest(&self) -> Option<&T> {
        self.items.last()
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.items.iter_mut()
    }

    /// The loaded versions, for messages.
    pub(crate) fn list(&self) -> String {
        let names: Vec<&str> = self
            .items
            .iter()
            .map(|i| i.version().unwrap_or("(no version)"))
            .collect();
        names.join(", ")
    }
}

/// Orders versions: none before any; digit runs compare as numbers, other runs as text
/// (so `1.10.0` > `1.9.0` and `2018-08-12` > `2014-03-26`).
pub(crate) fn compare_versions(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => {
            let (ra, rb) = (runs(a), runs(b));
            for (x, y) in ra.iter().zip(rb.iter()) {
                let order = compare_run(x, y);
                if order != Ordering::Equal {
                    return order;
                }
            }
            ra.len().cmp(&rb.len())
        }
    }
}

/// Splits into maximal runs of ASCII digits and of other characters.
fn runs(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut last_digit = None;
    for (i, c) in s.char_indices() {
        let digit = c.is_ascii_digit();
        if last_digit.is_some_and(|d| d != digit) {
            out.push(&s[start..i]);
            start = i;
        }
        last_digit = Some(digit);
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

fn compare_run(x: &str, y: &str) -> Ordering {
    let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if numeric(x) && numeric(y) {
        let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
        x.len().cmp(&y.len()).then_with(|| x.cmp(y))
    } else {
        x.cmp(y)
    }
}
