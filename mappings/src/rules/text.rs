//! Text tests shared by the rules: blank values (full-width spaces count as blank) and the comparison
//! of doctors' names (P4: 佐藤 一郎, 佐藤　一郎 and 佐藤一郎 are one name).

/// True for an absent value or one of white space only (`char::is_whitespace` includes U+3000).
pub fn blank(text: Option<&str>) -> bool {
    text.is_none_or(|text| text.trim().is_empty())
}

/// A name reduced for comparison: white space (half- and full-width) removed, full-width ASCII
/// (U+FF01–U+FF5E) folded to ASCII as NFKC does, ASCII letters lowercased.
pub fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether two doctors' names are the same name (both non-blank).
pub fn same_name(a: &str, b: &str) -> bool {
    let a = name_key(a);
    !a.is_empty() && a == name_key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_counts_full_width_spaces() {
        assert!(blank(None));
        assert!(blank(Some(" \u{3000}\t")));
        assert!(!blank(Some("内科")));
    }

    #[test]
    fn names_compare_without_spaces_and_width() {
        assert!(same_name("佐藤 一郎", "佐藤\u{3000}一郎"));
        assert!(same_name("佐藤一郎", " 佐藤 一郎 "));
        assert!(same_name("ＳＡＴＯ Ｉｃｈｉｒｏ", "Sato Ichiro"));
        assert!(!same_name("佐藤 一郎", "佐藤 次郎"));
        assert!(!same_name("", " "));
    }
}
