//! `medfaq check`: every problem in a knowledge folder, with file, line and entry id.
//!
//! Structural problems come from loading ([`crate::knowledge`]); on top of those, every stored
//! question must retrieve its own entry, so an entry whose questions would be answered by
//! another entry (or that steals another's) is caught before it is served.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::engine::Engine;
use crate::error::Result;
use crate::knowledge::{question_key, yaml, Finding, KnowledgeBase};
use crate::matcher::Decision;
use crate::reply::Outcome;

/// How old a `reviewed` date may be before `check` warns: clinical guidance and product labels
/// change on a yearly scale, so an answer unreviewed for a year is due another look.
pub const DEFAULT_REVIEW_MAX_DAYS: u32 = 365;

/// A `reviewed` date this many days after today (UTC) is still accepted, so a curator east of
/// UTC who writes their own today's date is not told it is in the future.
const FUTURE_SLACK_DAYS: i64 = 1;

/// What `check` needs besides the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Warn about entries whose `reviewed` date is more than this many days before `today`.
    pub review_max_days: u32,
    /// Today, as days since 1970-01-01 (see [`today`]); a `reviewed` date after it is a finding.
    pub today: i64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            review_max_days: DEFAULT_REVIEW_MAX_DAYS,
            today: today(),
        }
    }
}

/// The result of checking a knowledge folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Every problem found.
    pub findings: Vec<Finding>,
    /// Things to look at that do not fail the check (entries due for review).
    pub warnings: Vec<Finding>,
    /// How many entries were read.
    pub entries: usize,
    /// How many stored questions were tried against the matcher.
    pub questions_checked: usize,
}

impl Report {
    /// Returns true if and only if nothing was found; warnings do not count.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Checks the knowledge folder at `dir` with the default [`Options`]. Only an unreadable
/// folder is an `Err`.
pub fn check_dir(dir: &Path) -> Result<Report> {
    check_dir_with(dir, &Options::default())
}

/// Checks the knowledge folder at `dir`. Only an unreadable folder is an `Err`.
pub fn check_dir_with(dir: &Path, options: &Options) -> Result<Report> {
    let (kb, mut findings) = KnowledgeBase::load_with_findings(dir)?;
    let Some(kb) = kb else {
        return Ok(Report {
            findings,
            warnings: Vec::new(),
            entries: 0,
            questions_checked: 0,
        });
    };
    let entries = kb.entries.len();
    let (review_findings, mut warnings) = review_findings(&kb, options);
    findings.extend(review_findings);
    let engine = Engine::new(kb);
    let (retrieval, questions_checked) = retrieval_findings(&engine);
    findings.extend(retrieval);
    warnings.extend(example_warnings(&engine));
    Ok(Report {
        findings,
        warnings,
        entries,
        questions_checked,
    })
}

/// Checks every entry's `reviewed` date against `options`: a date in the future is a finding
/// (returned first); an enabled entry reviewed more than `review_max_days` ago gets a warning
/// (returned second).
pub fn review_findings(kb: &KnowledgeBase, options: &Options) -> (Vec<Finding>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut warnings = Vec::new();
    // Entry files are read again only for the lines of the dates reported.
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    for e in &kb.entries {
        // An unreadable date is already a finding of the lint.
        let Some(day) = parse_date(&e.reviewed) else {
            continue;
        };
        let age = options.today - day;
        let future = age < -FUTURE_SLACK_DAYS;
        let message = if future {
            format!(
                "reviewed {} is in the future (today is {}); write the date of the last clinical review",
                e.reviewed,
                format_date(options.today)
            )
        } else if e.enabled && age > i64::from(options.review_max_days) {
            format!(
                "reviewed {} is {age} days ago, over {} days; have the answer reviewed and update `reviewed`",
                e.reviewed, options.review_max_days
            )
        } else {
            continue;
        };
        let text = texts
            .entry(e.origin.path.clone())
            .or_insert_with(|| std::fs::read_to_string(&e.origin.path).unwrap_or_default());
        let finding = Finding {
            path: e.origin.path.clone(),
            line: yaml::find_line(text, e.origin.line, "reviewed:"),
            entry: Some(e.id.clone()),
            message,
        };
        if future {
            findings.push(finding);
        } else {
            warnings.push(finding);
        }
    }
    (findings, warnings)
}

/// Today's date in UTC, as days since 1970-01-01.
pub fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs / 86_400).unwrap_or(i64::MAX)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, or `None` if it is not one.
pub fn parse_date(s: &str) -> Option<i64> {
    if !crate::knowledge::is_iso_date(s) {
        return None;
    }
    let mut parts = s.split('-').map(str::parse::<i64>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some(days_from_civil(y, m, d))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub fn format_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Asks every stored question of every enabled entry and reports those that do not answer
/// with their own entry.
pub fn retrieval_findings(engine: &Engine) -> (Vec<Finding>, usize) {
    let kb = engine.knowledge();
    let mut findings = Vec::new();
    let mut checked = 0;
    // A question stored twice is one finding of the lint, at its later occurrence (the
    // paste); asking it here would add findings at the original too.
    let mut copies: HashMap<String, usize> = HashMap::new();
    for q in kb.entries.iter().flat_map(|e| &e.questions) {
        *copies.entry(question_key(q)).or_default() += 1;
    }
    for (ei, entry) in kb.entries.iter().enumerate().filter(|(_, e)| e.enabled) {
        for (qi, q) in entry.questions.iter().enumerate() {
            if copies.get(&question_key(q)).is_some_and(|n| *n > 1) {
                continue;
            }
            checked += 1;
            let r = engine.ask(q);
            let stolen = match engine
                .index()
                .decide(&engine.index().rank_without(q, ei, qi))
            {
                Decision::Answer(s) if s.entry != ei => Some(&kb.entries[s.entry]),
                _ => None,
            };
            let problem = match r.outcome {
                Outcome::Answer if r.entry_id.as_deref() == Some(entry.id.as_str()) => {
                    match stolen {
                        None => continue,
                        Some(other) => format!(
                            "question \"{q}\" belongs to entry `{}`: without this exact wording it is answered there; move it or make it distinctive",
                            other.id
                        ),
                    }
                }
                Outcome::Answer => format!(
                    "question \"{q}\" is answered by entry `{}` instead; reword it or the other entry's questions so each finds its own entry",
                    r.entry_id.unwrap_or_default()
                ),
                Outcome::Clarify => format!(
                    "question \"{q}\" is not answered confidently (the bot would ask to choose between {}); make it more distinctive",
                    r.alternatives
                        .iter()
                        .map(|a| format!("`{}`", a.entry_id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Outcome::NoMatch => format!(
                    "question \"{q}\" does not find its own entry (no match); check its drug names against the title and lexicon"
                ),
                Outcome::Emergency => format!(
                    "question \"{q}\" is treated as an emergency happening now; phrase it as a question for information"
                ),
            };
            findings.push(Finding {
                path: entry.origin.path.clone(),
                line: entry
                    .question_lines
                    .get(qi)
                    .copied()
                    .unwrap_or(entry.origin.line),
                entry: Some(entry.id.clone()),
                message: problem,
            });
        }
    }
    (findings, checked)
}

/// Warns about each triage example that triage, rules and learned reader together, does not
/// read as labelled: an emergency it would not escalate, or a message it would escalate that
/// is labelled `none`. Warnings, not findings: the learned reader generalises from the
/// examples and need not reproduce every one, but a curator who just added an example wants
/// to know whether it took.
pub fn example_warnings(engine: &Engine) -> Vec<Finding> {
    let kb = engine.knowledge();
    let path = kb.root.join(crate::knowledge::EXAMPLES_FILE);
    kb.safety
        .examples
        .iter()
        .filter_map(|example| {
            let kinds = engine.triage(&example.text).kinds;
            let message = match (example.kind, kinds.first()) {
                (Some(kind), None) => format!(
                    "example labelled `{kind}` is not escalated; add a form to safety.yaml or more examples like it"
                ),
                (None, Some(found)) => format!(
                    "example labelled `none` is escalated as `{found}`; run `medfaq ask --explain` on it to see why"
                ),
                _ => return None,
            };
            Some(Finding {
                path: path.clone(),
                line: example.line,
                entry: None,
                message,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> KnowledgeBase {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
        KnowledgeBase::load(&dir).expect("the valid fixture loads")
    }

    #[test]
    fn examples_triage_does_not_read_as_labelled_are_warnings() {
        use crate::knowledge::{EmergencyKind, TriageExample};
        let mut kb = valid();
        let example = |text: &str, kind, line| TriageExample {
            text: text.to_string(),
            kind,
            line,
        };
        kb.safety.examples = vec![
            // A rule escalates it, whatever its label says.
            example("he is not breathing right now", None, 3),
            // Said the way a stored question and two other examples are, which describe no
            // emergency: the learned reader cannot be sure of it.
            example(
                "will oxycodone work if i am on vivitrol",
                Some(EmergencyKind::Seizure),
                5,
            ),
            example(
                "she is having a seizure right now",
                Some(EmergencyKind::Seizure),
                7,
            ),
            example("will oxycodone work when i am on vivitrol", None, 9),
            example("will oxycodone work if im on vivitrol", None, 11),
        ];
        let warnings = example_warnings(&Engine::new(kb));
        let lines: Vec<usize> = warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [3, 5], "{warnings:?}");
        assert!(warnings[0].message.contains("escalated as `overdose`"));
        assert!(warnings[1]
            .message
            .contains("labelled `seizure` is not escalated"));
        assert!(warnings[0].path.ends_with("triage-examples.yaml"));
    }

    #[test]
    fn dates_round_trip_through_day_numbers() {
        for (date, days) in [
            ("1970-01-01", 0),
            ("2000-02-29", 11_016),
            ("2026-11-26", 20_783),
            ("1969-12-31", -1),
        ] {
            assert_eq!(parse_date(date), Some(days), "{date}");
            assert_eq!(format_date(days), date);
        }
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("soon"), None);
    }

    /// Every entry of the valid fixture was reviewed 2026-11-26; three are enabled.
    #[track_caller]
    fn case(today: &str, review_max_days: u32, findings: usize, warnings: usize) {
        let options = Options {
            review_max_days,
            today: parse_date(today).expect("a date"),
        };
        let (f, w) = review_findings(&valid(), &options);
        assert_eq!(
            (f.len(), w.len()),
            (findings, warnings),
            "today {today}: {f:?} {w:?}"
        );
    }

    #[test]
    fn review_dates_warn_when_old_and_fail_when_in_the_future() {
        case("2026-12-01", DEFAULT_REVIEW_MAX_DAYS, 0, 0);
        case("2027-11-26", DEFAULT_REVIEW_MAX_DAYS, 0, 0);
        case("2027-11-27", DEFAULT_REVIEW_MAX_DAYS, 0, 3);
        case("2026-12-01", 3, 0, 3);
        // The day before, as a curator east of UTC may write it: accepted.
        case("2026-11-25", DEFAULT_REVIEW_MAX_DAYS, 0, 0);
        // Disabled entries are not served, so only a future date matters for them.
        case("2026-11-24", DEFAULT_REVIEW_MAX_DAYS, 4, 0);
    }

    #[test]
    fn review_warnings_name_the_reviewed_line() {
        let options = Options {
            review_max_days: 0,
            today: parse_date("2026-12-01").expect("a date"),
        };
        let (_, warnings) = review_findings(&valid(), &options);
        assert_eq!(
            warnings[0].entry.as_deref(),
            Some("naltrexone-opioid-pain-medicines")
        );
        assert_eq!(warnings[0].line, 12);
    }
}
