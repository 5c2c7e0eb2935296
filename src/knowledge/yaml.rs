//! The one place that calls the YAML parser, so it can be swapped (serde_yaml is archived
//! upstream). Everything here turns parser output into located, readable errors.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::Error;

/// The largest knowledge or eval file we read. Real files are a few tens of KiB; the cap keeps
/// a mistaken or hostile file (a YAML bomb, a pasted log) from exhausting memory.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// A parsed YAML document that has not yet been given a type.
pub type Value = serde_yaml::Value;

/// Parses `text` (the contents of `path`) into `T`, naming the file and line on failure.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, Error> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Error::ParseYaml {
            path: path.to_path_buf(),
            line: 0,
            message: format!(
                "file is {} bytes, over the {MAX_FILE_BYTES}-byte limit; split it into smaller files",
                text.len()
            ),
        });
    }
    serde_yaml::from_str(text).map_err(|e| located(path, &e))
}

/// Turns an untyped value into `T`; the caller adds the location it knows.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_yaml::from_value(value).map_err(|e| strip_location(&e.to_string()))
}

/// Returns true if and only if the value is YAML null (an empty document).
pub fn is_null(value: &Value) -> bool {
    value.is_null()
}

/// Returns the items of a YAML sequence, or `None` if the value is not a sequence.
pub fn into_sequence(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Sequence(items) => Some(items),
        _ => None,
    }
}

fn located(path: &Path, e: &serde_yaml::Error) -> Error {
    let line = e.location().map_or(0, |l| l.line());
    Error::ParseYaml {
        path: path.to_path_buf(),
        line,
        message: format!(
            "{}; check the indentation and quoting near this line",
            strip_location(&e.to_string())
        ),
    }
}

/// serde_yaml appends " at line L column C"; we report the line ourselves.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Finds the 1-based line where each top-level list item of a YAML file starts.
///
/// Entry files are lists at column 0 (`- id: …`), so a line that starts with `-` followed by
/// a space or the end of the line opens the next item. This lets a problem found after parsing
/// be reported at its entry's line.
pub fn item_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.starts_with("- ") || *line == "-")
        .map(|(i, _)| i + 1)
        .collect()
}

/// Finds the 1-based line of each list item (`- `) indented under the top-level key at line
/// `key_line`, up to the next top-level key.
pub fn item_lines_under(text: &str, key_line: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut indent = None;
    for (i, line) in text.lines().enumerate().skip(key_line) {
        if !line.is_empty() && !line.starts_with([' ', '-', '#']) {
            break;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("- ") || trimmed == "-" {
            let this = line.len() - trimmed.len();
            if *indent.get_or_insert(this) == this {
                out.push(i + 1);
            }
        }
    }
    out
}

/// Finds the 1-based line of `key:` within lines `start..end` (1-based, end exclusive), or
/// `start` if the key is not written there.
pub fn key_line(text: &str, start: usize, end: usize, key: &str) -> usize {
    let needle = format!("{key}:");
    text.lines()
        .enumerate()
        .skip(start.saturating_sub(1))
        .take(end.saturating_sub(start))
        .find(|(_, line)| {
            let t = line.trim_start().trim_start_matches("- ");
            t.starts_with(&needle)
        })
        .map_or(start, |(i, _)| i + 1)
}

/// Finds the 1-based line of the first top-level mapping key `key:` in a file, or 1.
pub fn top_key_line(text: &str, key: &str) -> usize {
    let needle = format!("{key}:");
    text.lines()
        .position(|line| line.starts_with(&needle))
        .map_or(1, |i| i + 1)
}

/// Finds the 1-based line of each of `needles`, which appear in this order from line `from`
/// on, in one pass over the text; a needle not found gets the line of the one before it.
pub fn lines_in_order(text: &str, from: usize, needles: &[String]) -> Vec<usize> {
    let mut out = Vec::with_capacity(needles.len());
    let mut lines = text
        .lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .peekable();
    let mut last = from;
    for needle in needles {
        let needle = needle.trim();
        let mut found = None;
        let mut probe = lines.clone();
        for (i, line) in probe.by_ref() {
            if line.contains(needle) {
                found = Some(i + 1);
                break;
            }
        }
        if let Some(n) = found {
            last = n;
            lines = probe;
        }
        out.push(last);
    }
    out
}

/// Finds the 1-based line where `needle` first appears at or after line `from`, or `from`.
pub fn find_line(text: &str, from: usize, needle: &str) -> usize {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, line)| line.contains(needle))
        .map_or(from, |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_lines_finds_list_items_at_column_zero() {
        let text = "# c\n- id: a\n  questions:\n    - x\n- id: b\n";
        assert_eq!(item_lines(text), vec![2, 5]);
    }

    #[test]
    fn key_line_finds_nested_key() {
        let text = "- id: a\n  topic: t\n  answer: x\n- id: b\n";
        assert_eq!(key_line(text, 1, 4, "answer"), 3);
        assert_eq!(key_line(text, 1, 4, "missing"), 1);
    }

    #[test]
    fn lines_in_order_finds_each_needle_after_the_last() {
        let text = "- id: a\n  questions:\n    - one\n    - two\n    - one two\n";
        let needles: Vec<String> = ["one", "two", "one two", "missing"]
            .map(String::from)
            .to_vec();
        assert_eq!(lines_in_order(text, 1, &needles), vec![3, 4, 5, 5]);
    }

    #[test]
    fn parse_error_names_the_line() {
        let err = parse::<Vec<String>>(Path::new("f.yaml"), "- a\n- [b\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("f.yaml:"), "{text}");
    }

    #[test]
    fn billion_laughs_fails_cleanly() {
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        assert!(parse::<Value>(Path::new("bomb.yaml"), bomb).is_err());
    }

    #[test]
    fn deep_nesting_fails_cleanly() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse::<Value>(Path::new("deep.yaml"), &deep).is_err());
    }
}
