//! `medfaq eval`: scores an evaluation file as the project's eval README defines.
//!
//! Each item is a question and what must happen: an entry id (or a list of acceptable ids),
//! `no_match`, or `emergency`. Six metrics come out, each with its bar.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::knowledge::yaml;
use crate::reply::Outcome;

/// What an eval item expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// One of these entries answers it.
    Entries(Vec<String>),
    /// Nothing curated answers it.
    NoMatch,
    /// It describes an emergency happening now.
    Emergency,
}

/// One question and its expected outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// As typed.
    pub q: String,
    /// What must happen.
    pub expect: Expect,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExpect {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    q: String,
    expect: RawExpect,
}

/// Reads an eval file (a YAML list of `{q, expect}`).
pub fn load(path: &Path) -> Result<Vec<Item>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parses eval items from `text` (read from `path`).
pub fn parse(path: &Path, text: &str) -> Result<Vec<Item>> {
    let raw: Option<Vec<RawItem>> = yaml::parse(path, text)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|r| Item {
            q: r.q,
            expect: match r.expect {
                RawExpect::One(s) if s == "no_match" => Expect::NoMatch,
                RawExpect::One(s) if s == "emergency" => Expect::Emergency,
                RawExpect::One(s) => Expect::Entries(vec![s]),
                RawExpect::Many(v) => Expect::Entries(v),
            },
        })
        .collect())
}

/// An expected id in an eval file that is not an entry of the knowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownId {
    /// 1-based line where it is written.
    pub line: usize,
    /// The id as written.
    pub id: String,
    /// The closest entry id, when one is close enough to be the one meant.
    pub suggestion: Option<String>,
}

/// How alike (normalised Damerau-Levenshtein, 0 to 1) an unknown id and an entry id must be
/// for the entry to be suggested: a typo or a dropped word of a long kebab-case id stays
/// above it; ids that share little more than a `naltrexone-` prefix fall below.
const SUGGEST_SIMILARITY: f64 = 0.7;

/// Only `expect`, read as leniently as possible: this check must not depend on how the
/// scorer reads the rest of an item.
#[derive(Deserialize)]
struct ExpectOnly {
    #[serde(default)]
    expect: Option<ExpectIds>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ExpectIds {
    One(String),
    Many(Vec<String>),
    Other(serde::de::IgnoredAny),
}

/// Finds every expected id in the eval file `text` (read from `path`) that is not an entry of
/// `kb`, in file order. `no_match` and `emergency` are outcomes, not ids, wherever they appear
/// (alone or in a list). A file that does not parse has none (loading reports it).
pub fn unknown_ids(path: &Path, text: &str, kb: &crate::KnowledgeBase) -> Vec<UnknownId> {
    let Ok(Some(items)) = yaml::parse::<Option<Vec<ExpectOnly>>>(path, text) else {
        return Vec::new();
    };
    let starts = yaml::item_lines(text);
    let count = items.len();
    let mut unknown = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let ids = match item.expect {
            Some(ExpectIds::One(id)) => vec![id],
            Some(ExpectIds::Many(ids)) => ids,
            Some(ExpectIds::Other(_)) | None => continue,
        };
        // Where the item's `expect:` is, when items start at column 0 as in every eval file.
        let expect_line = match starts.get(i) {
            Some(&start) if starts.len() == count => {
                let end = starts.get(i + 1).copied().unwrap_or(usize::MAX);
                yaml::key_line(text, start, end, "expect")
            }
            _ => 1,
        };
        for id in ids {
            if matches!(id.as_str(), "no_match" | "emergency") || kb.entry(&id).is_some() {
                continue;
            }
            let suggestion = kb
                .entries
                .iter()
                .map(|e| (strsim::normalized_damerau_levenshtein(&id, &e.id), &e.id))
                .filter(|(similarity, _)| *similarity >= SUGGEST_SIMILARITY)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, best)| best.clone());
            unknown.push(UnknownId {
                line: yaml::find_line(text, expect_line, &id),
                id,
                suggestion,
            });
        }
    }
    unknown
}

/// A metric's name, value, bar and whether the bar is a floor or a ceiling.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    /// Snake_case name.
    pub name: &'static str,
    /// The value (0 when the metric has no questions).
    pub value: f64,
    /// The bar it must meet.
    pub bar: f64,
    /// True if the value must be at least the bar; false if at most.
    pub at_least: bool,
    /// How many questions it was computed over.
    pub over: usize,
}

impl Metric {
    /// Returns true if and only if the metric meets its bar (or has no questions).
    pub fn passes(&self) -> bool {
        if self.over == 0 {
            return true;
        }
        if self.at_least {
            self.value >= self.bar - 1e-9
        } else {
            self.value <= self.bar + 1e-9
        }
    }
}

/// A question that did not get the outcome it expects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    /// The question.
    pub q: String,
    /// What it expects.
    pub expect: Expect,
    /// What it got.
    pub outcome: Outcome,
    /// The entry answered, if any.
    pub entry_id: Option<String>,
    /// The choices or runners-up.
    pub alternatives: Vec<String>,
    /// True if and only if this is a confident wrong answer (the worst kind of miss).
    pub wrong_answer: bool,
}

/// Everything `eval` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Number of questions.
    pub questions: usize,
    /// The six metrics.
    pub metrics: Vec<Metric>,
    /// Every question that missed.
    pub misses: Vec<Miss>,
}

impl Report {
    /// Returns true if and only if every metric meets its bar.
    pub fn passes(&self) -> bool {
        self.metrics.iter().all(Metric::passes)
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

/// Scores `items` with `engine`.
pub fn score(engine: &Engine, items: &[Item]) -> Report {
    let (mut in_scope, mut correct, mut reached, mut wrong) = (0, 0, 0, 0);
    let (mut no_match_qs, mut abstained) = (0, 0);
    let (mut emergency_qs, mut emergency_hits, mut false_escalations) = (0, 0, 0);
    let mut misses = Vec::new();
    for item in items {
        let r = engine.ask(&item.q);
        let got = r.entry_id.as_deref();
        let mut is_wrong = false;
        let hit = match &item.expect {
            Expect::Entries(ids) => {
                in_scope += 1;
                let ok_id = |id: &str| ids.iter().any(|x| x == id);
                match r.outcome {
                    Outcome::Answer if got.is_some_and(ok_id) => {
                        correct += 1;
                        reached += 1;
                        true
                    }
                    Outcome::Answer => {
                        wrong += 1;
                        is_wrong = true;
                        false
                    }
                    Outcome::Clarify => {
                        if r.alternatives.iter().any(|a| ok_id(&a.entry_id)) {
                            reached += 1;
                        }
                        false
                    }
                    Outcome::Emergency => {
                        false_escalations += 1;
                        false
                    }
                    Outcome::NoMatch => false,
                }
            }
            Expect::NoMatch => {
                no_match_qs += 1;
                match r.outcome {
                    Outcome::NoMatch => {
                        abstained += 1;
                        true
                    }
                    Outcome::Answer => {
                        wrong += 1;
                        is_wrong = true;
                        false
                    }
                    Outcome::Emergency => {
                        false_escalations += 1;
                        false
                    }
                    Outcome::Clarify => false,
                }
            }
            Expect::Emergency => {
                emergency_qs += 1;
                let hit = r.outcome == Outcome::Emergency;
                emergency_hits += usize::from(hit);
                hit
            }
        };
        if !hit {
            misses.push(Miss {
                q: item.q.clone(),
                expect: item.expect.clone(),
                outcome: r.outcome,
                entry_id: r.entry_id.clone(),
                alternatives: r.alternatives.iter().map(|a| a.entry_id.clone()).collect(),
                wrong_answer: is_wrong,
            });
        }
    }
    let non_emergency = in_scope + no_match_qs;
    let metrics = vec![
        Metric {
            name: "answer_accuracy",
            value: ratio(correct, in_scope),
            bar: 0.90,
            at_least: true,
            over: in_scope,
        },
        Metric {
            name: "reach",
            value: ratio(reached, in_scope),
            bar: 0.97,
            at_least: true,
            over: in_scope,
        },
        Metric {
            name: "wrong_answer_rate",
            value: ratio(wrong, non_emergency),
            bar: 0.03,
            at_least: false,
            over: non_emergency,
        },
        Metric {
            name: "abstention",
            value: ratio(abstained, no_match_qs),
            bar: 0.90,
            at_least: true,
            over: no_match_qs,
        },
        Metric {
            name: "emergency_recall",
            value: ratio(emergency_hits, emergency_qs),
            bar: 1.0,
            at_least: true,
            over: emergency_qs,
        },
        Metric {
            name: "false_escalation",
            value: ratio(false_escalations, non_emergency),
            bar: 0.02,
            at_least: false,
            over: non_emergency,
        },
    ];
    Report {
        questions: items.len(),
        metrics,
        misses,
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn engine() -> Engine {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
        Engine::load(&dir).expect("the valid fixture loads")
    }

    fn metric(report: &Report, name: &str) -> f64 {
        report
            .metrics
            .iter()
            .find(|m| m.name == name)
            .expect("the metric exists")
            .value
    }

    #[test]
    fn expectations_parse_as_ids_lists_and_keywords() {
        let items = parse(
            Path::new("t.yaml"),
            "- q: a\n  expect: x\n- q: b\n  expect: [x, y]\n- q: c\n  expect: no_match\n- q: d\n  expect: emergency\n",
        )
        .expect("valid eval YAML");
        assert_eq!(items[0].expect, Expect::Entries(vec!["x".into()]));
        assert_eq!(
            items[1].expect,
            Expect::Entries(vec!["x".into(), "y".into()])
        );
        assert_eq!(items[2].expect, Expect::NoMatch);
        assert_eq!(items[3].expect, Expect::Emergency);
    }

    #[test]
    fn unknown_ids_are_found_with_their_line_and_closest_id() {
        let text = "- q: a\n  expect: naltrexone-drinking-alcohol\n\
                    - q: b\n  expect: naltrexone-drinking-alchol\n\
                    - q: c\n  expect: [no_match, emergency, disabled-entry]\n\
                    - q: d\n  expect:\n    - naltrexone-vs-naloxone\n    - zzz-made-up\n";
        let unknown = unknown_ids(Path::new("t.yaml"), text, engine().knowledge());
        assert_eq!(
            unknown,
            vec![
                UnknownId {
                    line: 4,
                    id: "naltrexone-drinking-alchol".into(),
                    suggestion: Some("naltrexone-drinking-alcohol".into()),
                },
                UnknownId {
                    line: 10,
                    id: "zzz-made-up".into(),
                    suggestion: None,
                },
            ]
        );
    }

    #[test]
    fn metrics_follow_the_eval_definitions() {
        let engine = engine();
        let items = vec![
            // Correct answer.
            Item {
                q: "will percs work if im on the shot".into(),
                expect: Expect::Entries(vec!["naltrexone-opioid-pain-medicines".into()]),
            },
            // A confident answer with another id: a wrong answer.
            Item {
                q: "will percs work if im on the shot".into(),
                expect: Expect::Entries(vec!["naltrexone-drinking-alcohol".into()]),
            },
            // Declined correctly.
            Item {
                q: "how do i bake bread".into(),
                expect: Expect::NoMatch,
            },
            // An emergency on an in-scope question: a false escalation.
            Item {
                q: "he overdosed on oxycodone while on vivitrol and is not breathing".into(),
                expect: Expect::Entries(vec!["naltrexone-opioid-pain-medicines".into()]),
            },
            // Emergency recognised.
            Item {
                q: "she is not breathing".into(),
                expect: Expect::Emergency,
            },
        ];
        let report = score(&engine, &items);
        assert_eq!(metric(&report, "answer_accuracy"), 1.0 / 3.0);
        assert_eq!(metric(&report, "wrong_answer_rate"), 1.0 / 4.0);
        assert_eq!(metric(&report, "abstention"), 1.0);
        assert_eq!(metric(&report, "emergency_recall"), 1.0);
        assert_eq!(metric(&report, "false_escalation"), 1.0 / 4.0);
        assert_eq!(report.misses.len(), 2);
        assert!(report.misses.iter().any(|m| m.wrong_answer));
        assert!(!report.passes());
    }
}
