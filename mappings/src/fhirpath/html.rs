//! `htmlChecks()`: a deliberately simple safety check of narrative XHTML.
//!
//! The narrative passes when it is a `<div>` with the XHTML namespace
//! (`xmlns="http://www.w3.org/1999/xhtml"`), contains none of the elements `script`, `object`,
//! `applet`, `iframe`, `form`, `embed` (also `base`, `link`, `meta`, `style`), and no tag has an event
//! attribute (`on…=`). It is not a full check of the R4 narrative rules (allowed element and attribute
//! lists), and it does not parse the XHTML.

const FORBIDDEN: &[&str] = &[
    "script", "object", "applet", "iframe", "form", "embed", "base", "link", "meta", "style",
];

/// True when the narrative `div` passes the checks above.
pub(crate) fn html_checks(div: &str) -> bool {
    let text = div.trim_start();
    let Some(rest) = text.strip_prefix("<div") else {
        return false;
    };
    if !rest.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
        return false;
    }
    let mut first = true;
    let mut i = 0;
    let bytes = text.as_bytes();
    while let Some(offset) = text[i..].find('<') {
        let start = i + offset + 1;
        let end = tag_end(bytes, start);
        let tag = &text[start..end];
        i = end.min(text.len());
        if tag.starts_with(['/', '!', '?']) {
            continue;
        }
        let (name, attributes) = split_name(tag);
        if FORBIDDEN.iter().any(|f| name.eq_ignore_ascii_case(f)) {
            return false;
        }
        let attrs = parse_attributes(attributes);
        if attrs
            .iter()
            .any(|(n, _)| n.len() > 2 && n[..2].eq_ignore_ascii_case("on"))
        {
            return false;
        }
        if first {
            first = false;
            if !attrs
                .iter()
                .any(|(n, v)| *n == "xmlns" && *v == "http://www.w3.org/1999/xhtml")
            {
                return false;
            }
        }
    }
    true
}

/// The index of the `>` closing the tag that starts at `start` (quotes respected), or the end.
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let mut quote = None;
    for (j, b) in bytes.iter().enumerate().skip(start) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), _) if q == *b => quote = None,
            (None, b'>') => return j,
            _ => {}
        }
    }
    bytes.len()
}

fn split_name(tag: &str) -> (&str, &str) {
    let end = tag
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(tag.len());
    (&tag[..end], &tag[end..])
}

/// Attribute names and values of a tag body (values unquoted; a bare name has an empty value).
fn parse_attributes(mut s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if s.is_empty() {
            return out;
        }
        let name_end = s
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(s.len());
        let name = &s[..name_end];
        s = s[name_end..].trim_start();
        let Some(after_eq) = s.strip_prefix('=') else {
            out.push((name, ""));
            continue;
        };
        let after_eq = after_eq.trim_start();
        let (value, rest) = match after_eq.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &after_eq[1..];
                let close = body.find(q).unwrap_or(body.len());
                (&body[..close], body.get(close + 1..).unwrap_or(""))
            }
            _ => {
                let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                (&after_eq[..end], &after_eq[end..])
            }
        };
        out.push((name, value));
        s = rest;
    }
}
