//! Checks raw knowledge files and builds the checked types, collecting every problem.

pub mod safety;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use super::raw::{Loaded, RawEntry, RawFiles};
use super::yaml;
use super::{
    Entry, KnowledgeBase, Lexicon, LexiconTerm, Origin, SafetyData, Severity, Source, TermKind,
};
use crate::error::Error;
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

/// One problem in the knowledge files, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (0 when the whole file is meant).
    pub line: usize,
    /// The entry concerned, if any.
    pub entry: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(id) = &self.entry {
            write!(f, ": entry `{id}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

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
    let sources = check_sources(dir, files.sources, &mut f);
    let lexicon = check_lexicon(dir, files.lexicon, &mut f);
    let safety = check_safety(dir, files.safety, lexicon.as_ref(), &mut f);
    let entries = check_entries(dir, files.entries, sources.as_ref(), &mut f);
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

fn missing(f: &mut Findings, dir: &Path, name: &str, what: &str) {
    f.add(
        &dir.join(name),
        0,
        None,
        format!("file is missing; create it with {what}"),
    );
}

fn check_sources(
    dir: &Path,
    loaded: Option<Loaded<BTreeMap<String, super::raw::RawSource>>>,
    f: &mut Findings,
) -> Option<BTreeMap<String, Source>> {
    let Some(loaded) = loaded else {
        missing(f, dir, "sources.yaml", "the citable sources by key");
        return None;
    };
    let raw = match loaded.parsed {
        Ok(raw) => raw,
        Err(e) => {
            f.add_error(&e);
            return None;
        }
    };
    let mut out = BTreeMap::new();
    for (key, src) in raw {
        let line = yaml::top_key_line(&loaded.text, &key);
        if !is_kebab_case(&key) {
            f.add(
                &loaded.path,
                line,
                None,
                format!("source key `{key}` must be lowercase kebab-case"),
            );
        }
        if src.title.trim().is_empty() {
            f.add(
                &loaded.path,
                line,
                None,
                format!("source `{key}` has an empty title"),
            );
        }
        if !src.url.starts_with("https://") || src.url.contains(char::is_whitespace) {
            f.add(
                &loaded.path,
                line,
                None,
                format!(
                    "source `{key}` url `{}` must be an https:// address",
                    src.url
                ),
            );
        }
        out.insert(
            key.clone(),
            Source {
                key,
                title: src.title.trim().to_string(),
                url: src.url.trim().to_string(),
                region: src.region.map(|r| r.trim().to_uppercase()),
            },
        );
    }
    Some(out)
}

/// Returns true if and only if `s` is a lexicon variant: lowercase words of letters, digits and
/// apostrophes separated by single spaces.
fn is_variant(s: &str) -> bool {
    !s.is_empty()
        && s == s.trim()
        && !s.contains("  ")
        && s.chars().all(|c| {
            c == ' ' || c == '\'' || c.is_numeric() || (c.is_alphabetic() && !c.is_uppercase())
        })
}

fn check_lexicon(
    dir: &Path,
    loaded: Option<Loaded<super::raw::LexiconFile>>,
    f: &mut Findings,
) -> Option<Lexicon> {
    let Some(loaded) = loaded else {
        missing(f, dir, "lexicon.yaml", "drugs, classes and terms");
        return None;
    };
    let raw = match loaded.parsed {
        Ok(raw) => raw,
        Err(e) => {
            f.add_error(&e);
            return None;
        }
    };
    let path = &loaded.path;
    let text = &loaded.text;
    let mut terms = Vec::new();
    for (name, drug) in raw.drugs {
        terms.push(LexiconTerm {
            name,
            kind: TermKind::Drug,
            classes: drug.classes,
            variants: drug.variants,
        });
    }
    for (name, variants) in raw.classes {
        terms.push(LexiconTerm {
            name,
            kind: TermKind::Class,
            classes: Vec::new(),
            variants,
        });
    }
    for (name, variants) in raw.terms {
        terms.push(LexiconTerm {
            name,
            kind: TermKind::Term,
            classes: Vec::new(),
            variants,
        });
    }
    let mut owner: HashMap<String, String> = HashMap::new();
    for term in &terms {
        // Looked up only when there is something to report: scanning the file for every
        // term would make loading slow.
        let line = || yaml::find_line(text, 1, &format!("{}:", term.name));
        if !term
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            || term.name.is_empty()
        {
            f.add(
                path,
                line(),
                None,
                format!(
                    "lexicon name `{}` must be one lowercase word of a-z and 0-9 (it becomes a matching token)",
                    term.name
                ),
            );
        }
        for class in &term.classes {
            let known = terms
                .iter()
                .any(|t| t.kind == TermKind::Class && &t.name == class);
            if !known {
                f.add(
                    path,
                    line(),
                    None,
                    format!("drug `{}` names class `{class}`, which is not under `classes:`; add it there", term.name),
                );
            }
        }
        for variant in std::iter::once(&term.name).chain(&term.variants) {
            if !is_variant(variant) {
                f.add(
                    path,
                    yaml::find_line(text, line(), variant),
                    None,
                    format!("variant `{variant}` of `{}` must be lowercase words separated by single spaces, without punctuation", term.name),
                );
            }
            if let Some(other) = owner.insert(variant.clone(), term.name.clone()) {
                if other != term.name {
                    f.add(
                        path,
                        yaml::find_line(text, line(), variant),
                        None,
                        format!("variant `{variant}` is listed for both `{other}` and `{}`; keep it under one", term.name),
                    );
                }
            }
        }
    }
    Some(Lexicon { terms })
}

fn check_safety(
    dir: &Path,
    loaded: Option<Loaded<super::raw::SafetyFile>>,
    lexicon: Option<&Lexicon>,
    f: &mut Findings,
) -> Option<SafetyData> {
    let Some(loaded) = loaded else {
        missing(
            f,
            dir,
            "safety.yaml",
            "triage concepts and rules, regions and help texts",
        );
        return None;
    };
    let names: Option<HashSet<String>> =
        lexicon.map(|l| l.terms.iter().map(|t| t.name.clone()).collect());
    safety::check_safety(loaded, names.as_ref(), f)
}

fn check_entries(
    dir: &Path,
    files: Vec<Loaded<Vec<super::raw::RawItem>>>,
    sources: Option<&BTreeMap<String, Source>>,
    f: &mut Findings,
) -> Vec<Entry> {
    if files.is_empty() {
        f.add(
            &dir.join("entries"),
            0,
            None,
            "no entry files found; add YAML lists of entries under entries/",
        );
    }
    let mut entries: Vec<Entry> = Vec::new();
    // Ids written in entries that could not be read: other entries' `related` links to them
    // are follow-ons of the one finding already made, not problems of their own.
    let mut unread_ids: HashSet<String> = HashSet::new();
    for file in files {
        let items = match file.parsed {
            Ok(items) => items,
            Err(e) => {
                f.add_error(&e);
                unread_ids.extend(written_ids(&file.text));
                continue;
            }
        };
        let next_lines: Vec<usize> = items
            .iter()
            .skip(1)
            .map(|(l, _)| *l)
            .chain(std::iter::once(usize::MAX))
            .collect();
        for ((line, item), end) in items.into_iter().zip(next_lines) {
            match item {
                Err(message) => {
                    let id = yaml::key_line(&file.text, line, end, "id");
                    let id = file
                        .text
                        .lines()
                        .nth(id.saturating_sub(1))
                        .and_then(|l| l.split_once("id:"))
                        .map(|(_, v)| v.trim().to_string());
                    f.add(
                        &file.path,
                        line,
                        id.as_deref(),
                        format!("{message}; see the entry format in README.md"),
                    );
                    unread_ids.extend(id);
                }
                Ok(raw) => {
                    let entry = check_entry(&file.path, &file.text, line, end, raw, sources, f);
                    entries.push(entry);
                }
            }
        }
    }
    check_across_entries(&entries, &unread_ids, f);
    entries
}

/// The ids written on `id:` lines of an entries file, found line by line so that a file the
/// YAML parser rejects still tells which entries it holds.
fn written_ids(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().filter_map(|line| {
        let rest = line
            .trim_start()
            .strip_prefix('-')
            .unwrap_or(line)
            .trim_start();
        let value = rest.strip_prefix("id:")?;
        let value = value.split(" #").next().unwrap_or_default().trim();
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_string())
    })
}

fn check_entry(
    path: &Path,
    text: &str,
    line: usize,
    end: usize,
    raw: RawEntry,
    sources: Option<&BTreeMap<String, Source>>,
    f: &mut Findings,
) -> Entry {
    let id = raw.id.trim().to_string();
    let at = |key: &str| yaml::key_line(text, line, end, key);
    let mut add = |key: &str, msg: String| f.add(path, at(key), Some(&id), msg);
    if !is_kebab_case(&id) {
        add(
            "id",
            format!("id `{id}` must be lowercase kebab-case, such as `naltrexone-basics`"),
        );
    }
    if raw.topic.trim().is_empty() {
        add("topic", "topic must not be empty".into());
    }
    if raw.questions.len() < MIN_QUESTIONS {
        add(
            "questions",
            format!(
                "has {} question(s); write at least {MIN_QUESTIONS} ways a member might ask",
                raw.questions.len()
            ),
        );
    }
    for (i, q) in raw.questions.iter().enumerate() {
        let n = q.chars().count();
        if q.trim().is_empty() {
            add("questions", format!("question {} is empty", i + 1));
        } else if i == 0 && n > MAX_TITLE_CHARS {
            add("questions", format!("the first question is the title and has {n} characters; keep it to {MAX_TITLE_CHARS}"));
        } else if n > MAX_QUESTION_CHARS {
            add(
                "questions",
                format!(
                    "question {} has {n} characters; keep questions under {MAX_QUESTION_CHARS}",
                    i + 1
                ),
            );
        }
    }
    let answer_chars = raw.answer.trim().chars().count();
    if answer_chars == 0 {
        add("answer", "answer must not be empty".into());
    } else if answer_chars > MAX_ANSWER_CHARS {
        add(
            "answer",
            format!(
                "answer has {answer_chars} characters; shorten it to at most {MAX_ANSWER_CHARS}"
            ),
        );
    }
    let warning = raw
        .warning
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty());
    match &warning {
        None if raw.severity == Severity::Danger => add(
            "severity",
            "a danger entry needs a one-line `warning`".into(),
        ),
        Some(w) if w.contains('\n') => add("warning", "warning must be one line".into()),
        Some(w) if w.chars().count() > MAX_WARNING_CHARS => add(
            "warning",
            format!(
                "warning has {} characters; keep it to {MAX_WARNING_CHARS}",
                w.chars().count()
            ),
        ),
        _ => {}
    }
    // Crisis numbers differ by region: entries name them through placeholders.
    for (key, text) in [
        ("questions", raw.questions.first().map(String::as_str)),
        ("answer", Some(raw.answer.as_str())),
        ("warning", warning.as_deref()),
    ] {
        for problem in super::placeholders::problems(text.unwrap_or(""), true) {
            add(key, format!("{key}: {problem}"));
        }
    }
    if raw.sources.is_empty() {
        add(
            "sources",
            "cite at least one source from sources.yaml".into(),
        );
    }
    if let Some(known) = sources {
        for key in &raw.sources {
            if !known.contains_key(key) {
                add("sources", format!("unknown source key `{key}`; add it to sources.yaml first or use an existing key"));
            }
        }
    }
    if !is_iso_date(raw.reviewed.trim()) {
        add(
            "reviewed",
            format!(
                "reviewed `{}` must be a date written YYYY-MM-DD",
                raw.reviewed
            ),
        );
    }
    Entry {
        id,
        topic: raw.topic.trim().to_string(),
        severity: raw.severity,
        questions: raw.questions.iter().map(|q| q.trim().to_string()).collect(),
        answer: raw.answer.trim().to_string(),
        warning,
        sources: raw.sources,
        related: raw.related,
        reviewed: raw.reviewed.trim().to_string(),
        enabled: raw.enabled.unwrap_or(true),
        question_lines: yaml::lines_in_order(text, line, &raw.questions),
        origin: Origin {
            path: path.to_path_buf(),
            line,
        },
    }
}

fn check_across_entries(entries: &[Entry], unread_ids: &HashSet<String>, f: &mut Findings) {
    let mut first_seen: HashMap<&str, &Entry> = HashMap::new();
    for e in entries {
        if let Some(prev) = first_seen.get(e.id.as_str()) {
            f.add(
                &e.origin.path,
                e.origin.line,
                Some(&e.id),
                format!(
                    "duplicate id: also used at {}; ids must be unique",
                    prev.origin
                ),
            );
        } else {
            first_seen.insert(&e.id, e);
        }
    }
    for e in entries {
        for r in &e.related {
            if r == &e.id {
                f.add(
                    &e.origin.path,
                    e.origin.line,
                    Some(&e.id),
                    "lists itself under `related`",
                );
            } else if !first_seen.contains_key(r.as_str()) && !unread_ids.contains(r) {
                f.add(
                    &e.origin.path,
                    e.origin.line,
                    Some(&e.id),
                    format!("related id `{r}` is not an entry"),
                );
            }
        }
    }
    let mut questions: HashMap<String, &Entry> = HashMap::new();
    for e in entries {
        for (i, q) in e.questions.iter().enumerate() {
            let key = question_key(q);
            let line = e.question_lines.get(i).copied().unwrap_or(e.origin.line);
            match questions.get(&key) {
                Some(other) if other.id != e.id => f.add(
                    &e.origin.path,
                    line,
                    Some(&e.id),
                    format!("question \"{q}\" also appears in entry `{}`; a question belongs to one entry", other.id),
                ),
                Some(_) => f.add(
                    &e.origin.path,
                    line,
                    Some(&e.id),
                    format!("question \"{q}\" is listed twice"),
                ),
                None => {
                    questions.insert(key, e);
                }
            }
        }
    }
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
    fn variants_are_plain_lowercase_words() {
        assert!(is_variant("the shot"));
        assert!(is_variant("tylenol 3"));
        assert!(!is_variant("The Shot"));
        assert!(!is_variant("the  shot"));
        assert!(!is_variant("narcan!"));
    }

    #[test]
    fn question_key_ignores_case_and_punctuation() {
        assert_eq!(
            question_key("Can I  take it?"),
            question_key("can i take it")
        );
    }
}
