//! Checks raw knowledge files and builds the checked types, collecting every problem.
//!
//! One module per kind of knowledge file ([`sources`], [`lexicon`], [`safety`], [`entries`]);
//! here are [`check`], which runs them in order, the shared [`Findings`] they report into, and
//! the checks on values that several files share (ids, dates).

mod entries;
mod examples;
mod lexicon;
pub mod safety;
mod sources;

use std::path::Path;

use super::raw::RawFiles;
use super::KnowledgeBase;
use crate::error::Error;
use crate::finding::Finding;
use crate::limits;

/// The longest answer: long enough for a careful answer, short enough to read on a phone and
/// to fit a Discord embed with its sources.
pub const MAX_ANSWER_CHARS: usize = 1200;
/// Each entry needs this many phrasings so matching has something to generalise from.
pub const MIN_QUESTIONS: usize = 3;
/// The title is shown as an autocomplete choice, which Discord caps.
pub const MAX_TITLE_CHARS: usize = limits::MAX_AUTOCOMPLETE_TITLE;
/// Alternate questions are matched, not shown; the cap only catches pasted paragraphs.
pub const MAX_QUESTION_CHARS: usize = 200;
/// A warning is one prominent line (an embed field name holds 256).
pub const MAX_WARNING_CHARS: usize = 250;

pub(super) struct Findings(Vec<Finding>);

impl Findings {
    pub(super) fn add(
        &mut self,
        path: &Path,
        line: usize,
        entry: Option<&str>,
        message: impl Into<String>,
    ) {
        self.0.push(Finding {
            path: path.to_path_buf(),
            line,
            entry: entry.map(str::to_string),
            message: message.into(),
        });
    }

    pub(super) fn add_error(&mut self, e: &Error) {
        match e {
            Error::ParseYaml {
                path,
                line,
                message,
            } => self.add(path, *line, None, message.clone()),
            Error::Read { path, source } => {
                self.add(path, 0, None, format!("could not read the file: {source}"))
            }
            other => self.add(Path::new(""), 0, None, other.to_string()),
        }
    }
}

/// Returns true if and only if `s` is lowercase kebab-case (`a-z`, `0-9`, single hyphens).
pub fn is_kebab_case(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Returns true if and only if `s` is a real calendar date written `YYYY-MM-DD`.
pub fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2200).contains(&y) && (1..=days).contains(&d)
}

/// Loose comparison key for spotting the same question written twice.
pub(crate) fn question_key(q: &str) -> String {
    q.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks every raw file and builds the knowledge base if the files are usable.
pub(super) fn check(dir: &Path, files: RawFiles) -> (Option<KnowledgeBase>, Vec<Finding>) {
    let mut f = Findings(Vec::new());
    let sources = sources::check(dir, files.sources, &mut f);
    let lexicon = lexicon::check(dir, files.lexicon, &mut f);
    let mut safety = safety::check(dir, files.safety, lexicon.as_ref(), &mut f);
    let examples = examples::check(files.examples, &mut f);
    if let Some(safety) = &mut safety {
        safety.examples = examples;
    }
    let entries = entries::check(dir, files.entries, sources.as_ref(), &mut f);
    let kb = match (sources, lexicon, safety) {
        (Some(sources), Some(lexicon), Some(safety)) => Some(KnowledgeBase {
            entries,
            sources,
            lexicon,
            safety,
            root: dir.to_path_buf(),
        }),
        _ => None,
    };
    (kb, f.0)
}

/// Reports that the file `name` that should hold `what` is missing.
/// A knowledge file's parsed content with its path and text, or `None` after reporting it as
/// missing (with `what` it should hold) or as not parsing.
fn parsed<T>(
    dir: &Path,
    loaded: Option<super::raw::Loaded<T>>,
    name: &str,
    what: &str,
    f: &mut Findings,
) -> Option<(T, std::path::PathBuf, String)> {
    let Some(loaded) = loaded else {
        missing(f, dir, name, what);
        return None;
    };
    match loaded.parsed {
        Ok(raw) => Some((raw, loaded.path, loaded.text)),
        Err(e) => {
            f.add_error(&e);
            None
        }
    }
}

fn missing(f: &mut Findings, dir: &Path, name: &str, what: &str) {
    f.add(
        &dir.join(name),
        0,
        None,
        format!("file is missing; create it with {what}"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case() {
        assert!(is_kebab_case("naltrexone-basics"));
        assert!(is_kebab_case("oic-pamora-2"));
        assert!(!is_kebab_case("Naltrexone"));
        assert!(!is_kebab_case("a--b"));
        assert!(!is_kebab_case("-a"));
        assert!(!is_kebab_case("a_b"));
    }

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2026-11-26"));
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2023-02-29"));
        assert!(!is_iso_date("2026-13-01"));
        assert!(!is_iso_date("26-11-2026"));
        assert!(!is_iso_date("yesterday"));
    }

    #[test]
    fn question_key_ignores_case_and_punctuation() {
        assert_eq!(
            question_key("Can I  take it?"),
            question_key("can i take it")
        );
    }
}
