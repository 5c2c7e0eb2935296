//! Checks the files under `entries/`: each entry's fields, then what spans entries (ids,
//! related links, questions that belong to one entry).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::super::raw::{Loaded, RawEntry, RawItem};
use super::super::{placeholders, yaml, Entry, Origin, Severity, Source};
use super::{
    is_iso_date, is_kebab_case, question_key, Findings, MAX_ANSWER_CHARS, MAX_QUESTION_CHARS,
    MAX_TITLE_CHARS, MAX_WARNING_CHARS, MIN_QUESTIONS,
};

/// Checks every file under `entries/`, each entry alone and then all of them together
/// (unique ids, related ids that exist, each question in one entry).
pub(super) fn check(
    dir: &Path,
    files: Vec<Loaded<Vec<RawItem>>>,
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

/// Checks one entry and builds it, reporting each problem at the line of its key.
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
        for problem in placeholders::problems(text.unwrap_or(""), true) {
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
        reviewed_by: raw
            .reviewed_by
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty()),
        enabled: raw.enabled.unwrap_or(true),
        overview: raw.overview.unwrap_or(false),
        question_lines: yaml::lines_in_order(text, line, &raw.questions),
        origin: Origin {
            path: path.to_path_buf(),
            line,
        },
    }
}

/// Checks what no entry can see alone: duplicate ids, broken `related` links, and a question
/// written in two entries (or twice in one).
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
    let mut overviews: HashMap<&str, &Entry> = HashMap::new();
    for e in entries.iter().filter(|e| e.overview && e.enabled) {
        if let Some(prev) = overviews.get(e.topic.as_str()) {
            f.add(
                &e.origin.path,
                e.origin.line,
                Some(&e.id),
                format!(
                    "topic \"{}\" already has its overview entry `{}` ({}); a topic has at most one",
                    e.topic, prev.id, prev.origin
                ),
            );
        } else {
            overviews.insert(&e.topic, e);
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
