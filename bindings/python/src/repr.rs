//! Small helpers for `__repr__` strings that read like Python.

/// `text` as a Python string literal in single quotes.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `Some(text)` quoted, `None` as `None`.
pub fn quote_opt(text: Option<&str>) -> String {
    text.map_or_else(|| "None".to_owned(), quote)
}

/// `True`/`False`/`None` as Python prints them.
pub fn py_bool(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "True",
        Some(false) => "False",
        None => "None",
    }
}
