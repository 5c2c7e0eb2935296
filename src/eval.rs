//! `medfaq eval`: scores an evaluation file as the project's eval README defines.
//!
//! Each item is a question and what must happen: an entry id (or a list of acceptable ids,
//! which may also name the outcomes `no_match` or `emergency`), `no_match`, or `emergency`
//! with an optional `kind`. Six metrics come out, each with its bar, and for emergencies the
//! recall per kind and how often the reply led with the expected kind.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::knowledge::{yaml, EmergencyKind};
use crate::reply::Outcome;

/// What an eval item expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// One of these entries answers it (or one of `Item::also`'s outcomes is right).
    Entries(Vec<String>),
    /// Nothing curated answers it.
    NoMatch,
    /// It describes an emergency happening now.
    Emergency,
}

/// The kinds an eval file names on emergencies (`../shared/eval/README.md`).
pub const EVAL_KINDS: &[&str] = &["overdose", "withdrawal", "suicide", "poisoning", "seizure"];

/// The eval kind an emergency reply is for: self-harm is scored with suicide.
pub fn eval_kind(kind: EmergencyKind) -> &'static str {
    match kind {
        EmergencyKind::SelfHarm => "suicide",
        other => other.as_str(),
    }
}

/// One question and its expected outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// As typed.
    pub q: String,
    /// What must happen.
    pub expect: Expect,
    /// For an entry list: outcomes that also count as correct (`no_match`, `emergency`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Outcome>,
    /// For an emergency: which help must lead (one of [`EVAL_KINDS`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl Item {
    /// An item expecting `expect`, with no outcome list and no kind.
    pub fn new(q: impl Into<String>, expect: Expect) -> Item {
        Item {
            q: q.into(),
            expect,
            also: Vec::new(),
            kind: None,
        }
    }
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
    #[serde(default)]
    kind: Option<String>,
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
    let lines = yaml::item_lines(text);
    let mut items = Vec::new();
    for (i, r) in raw.unwrap_or_default().into_iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let bad = |message: String| Error::ParseYaml {
            path: path.to_path_buf(),
            line,
            message,
        };
        let mut also = Vec::new();
        let expect = match r.expect {
            RawExpect::One(s) if s == "no_match" => Expect::NoMatch,
            RawExpect::One(s) if s == "emergency" => Expect::Emergency,
            RawExpect::One(s) => Expect::Entries(vec![s]),
            RawExpect::Many(v) => {
                let mut ids = Vec::new();
                for s in v {
                    match s.as_str() {
                        "no_match" => also.push(Outcome::NoMatch),
                        "emergency" => also.push(Outcome::Emergency),
                        _ => ids.push(s),
                    }
                }
                match (ids.is_empty(), also.as_slice()) {
                    (false, _) => Expect::Entries(ids),
                    (true, [Outcome::NoMatch]) => Expect::NoMatch,
                    (true, [Outcome::Emergency]) => Expect::Emergency,
                    _ => return Err(bad("`expect` lists no entry id".to_string())),
                }
            }
        };
        if let Some(kind) = &r.kind {
            if expect != Expect::Emergency {
                return Err(bad(format!(
                    "`kind: {kind}` is only for `expect: emergency`"
                )));
            }
            if !EVAL_KINDS.contains(&kind.as_str()) {
                return Err(bad(format!(
                    "`kind: {kind}` is not a kind; use one of {}",
                    EVAL_KINDS.join(", ")
                )));
            }
        }
        if !matches!(expect, Expect::Entries(_)) {
            also.clear();
        }
        items.push(Item {
            q: r.q,
            expect,
            also,
            kind: r.kind,
        });
    }
    Ok(items)
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
    /// For an emergency with a `kind`: the kinds the reply was for, when the leading one was
    /// not the expected kind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<EmergencyKind>,
}

/// Emergencies of one kind: how many were recognised, and how many replies led with help
/// for that kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindScore {
    /// The eval kind.
    pub kind: &'static str,
    /// Emergencies of this kind.
    pub questions: usize,
    /// Of those, answered with outcome `emergency`.
    pub recognised: usize,
    /// Of those, whose reply led with help for this kind.
    pub led_with_kind: usize,
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
    /// Emergencies by kind (only kinds the file names).
    pub kinds: Vec<KindScore>,
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
    let mut kinds: Vec<KindScore> = Vec::new();
    let (mut kinded, mut led) = (0, 0);
    for item in items {
        let r = engine.ask(&item.q);
        let got = r.entry_id.as_deref();
        let mut is_wrong = false;
        let mut wrong_kind = Vec::new();
        let hit = match &item.expect {
            Expect::Entries(_) if item.also.contains(&r.outcome) => {
                in_scope += 1;
                correct += 1;
                reached += 1;
                true
            }
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
                match item
                    .kind
                    .as_deref()
                    .and_then(|k| EVAL_KINDS.iter().find(|x| **x == k))
                {
                    Some(kind) => {
                        let slot = match kinds.iter().position(|s| s.kind == *kind) {
                            Some(i) => i,
                            None => {
                                kinds.push(KindScore {
                                    kind,
                                    questions: 0,
                                    recognised: 0,
                                    led_with_kind: 0,
                                });
                                kinds.len() - 1
                            }
                        };
                        let got_kinds = r
                            .emergency
                            .as_ref()
                            .map(|e| e.kinds.clone())
                            .unwrap_or_default();
                        let leads = got_kinds.first().is_some_and(|k| eval_kind(*k) == *kind);
                        kinds[slot].questions += 1;
                        kinds[slot].recognised += usize::from(hit);
                        kinds[slot].led_with_kind += usize::from(leads);
                        kinded += 1;
                        led += usize::from(leads);
                        if hit && !leads {
                            wrong_kind = got_kinds;
                        }
                        hit && leads
                    }
                    None => hit,
                }
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
                kinds: wrong_kind,
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
        Metric {
            name: "emergency_kind",
            value: ratio(led, kinded),
            bar: 0.95,
            at_least: true,
            over: kinded,
        },
    ];
    kinds.sort_by_key(|k| EVAL_KINDS.iter().position(|x| *x == k.kind));
    Report {
        questions: items.len(),
        metrics,
        misses,
        kinds,
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
    fn outcome_lists_and_kinds_parse() {
        let items = parse(
            Path::new("t.yaml"),
            "- q: a\n  expect: [x, no_match]\n- q: b\n  expect: emergency\n  kind: overdose\n",
        )
        .expect("valid eval YAML");
        assert_eq!(items[0].expect, Expect::Entries(vec!["x".into()]));
        assert_eq!(items[0].also, vec![Outcome::NoMatch]);
        assert_eq!(items[1].kind.as_deref(), Some("overdose"));
        for bad in [
            "- q: a\n  expect: x\n  kind: overdose\n",
            "- q: a\n  expect: emergency\n  kind: sadness\n",
        ] {
            assert!(parse(Path::new("t.yaml"), bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_decline_counts_when_the_list_allows_it() {
        let engine = engine();
        let mut item = Item::new(
            "how do i bake bread",
            Expect::Entries(vec!["naltrexone-opioid-pain-medicines".into()]),
        );
        assert_eq!(
            metric(&score(&engine, &[item.clone()]), "answer_accuracy"),
            0.0
        );
        item.also = vec![Outcome::NoMatch];
        assert_eq!(metric(&score(&engine, &[item]), "answer_accuracy"), 1.0);
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
            Item::new(
                "will percs work if im on the shot",
                Expect::Entries(vec!["naltrexone-opioid-pain-medicines".into()]),
            ),
            // A confident answer with another id: a wrong answer.
            Item::new(
                "will percs work if im on the shot",
                Expect::Entries(vec!["naltrexone-drinking-alcohol".into()]),
            ),
            // Declined correctly.
            Item::new("how do i bake bread", Expect::NoMatch),
            // An emergency on an in-scope question: a false escalation.
            Item::new(
                "he overdosed on oxycodone while on vivitrol and is not breathing",
                Expect::Entries(vec!["naltrexone-opioid-pain-medicines".into()]),
            ),
            // Emergency recognised.
            Item::new("she is not breathing", Expect::Emergency),
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
