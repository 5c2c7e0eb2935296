//! The curators' report, built from a store's [`ReportRows`]: per entry, answers served and
//! feedback; questions that got no answer, grouped by the words they share, largest groups
//! first; and the phrasings members reached each entry with through "did you mean", ready to
//! paste under its `questions:` after review.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::{FeedbackCounts, ReportRows};
use crate::normalize;

/// Two questions belong to one group when at least half their meaningful words are shared
/// (the Dice overlap, shared words counted in both): "how long does antabuse last" and "how
/// long does antabuse stay in your system" group (4 of 7), "can i use mouthwash on antabuse"
/// joins neither (2 of 7).
pub const GROUP_OVERLAP: f64 = 0.5;

/// Words too common to say what a question is about; left out when grouping.
const STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "at", "be", "can", "could", "did", "do", "does",
    "for", "get", "got", "have", "how", "i", "if", "im", "in", "is", "it", "its", "me", "my", "of",
    "on", "or", "should", "so", "that", "the", "there", "this", "to", "u", "was", "what", "when",
    "while", "will", "with", "would", "you", "your",
];

/// What the report knows about an entry from the knowledge, when it was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownEntry {
    /// The title members see.
    pub title: String,
    /// Its stored questions (phrasings it already has are not suggested again).
    pub questions: Vec<String>,
}

/// The curators' report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Per entry: answers served and feedback, most served first.
    pub entries: Vec<EntryReport>,
    /// Feedback on the "I don't have an answer" reply.
    pub no_answer: FeedbackCounts,
    /// Questions that got no answer (servers that opted in), grouped, largest group first.
    pub unanswered: Vec<QuestionGroup>,
    /// Per entry: member phrasings that reached it through "did you mean".
    pub phrasings: Vec<Phrasings>,
}

/// One entry's line in the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EntryReport {
    /// The entry id.
    pub entry_id: String,
    /// Its title, when the knowledge was loaded and still has the entry.
    pub title: Option<String>,
    /// Answers served.
    pub served: u64,
    /// Feedback on its answer.
    #[serde(flatten)]
    pub feedback: FeedbackCounts,
}

/// Questions that share most of their words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QuestionGroup {
    /// Questions in the group, repeats counted.
    pub count: usize,
    /// Words every question in the group has.
    pub shared_words: Vec<String>,
    /// The distinct phrasings, most asked first.
    pub questions: Vec<Phrasing>,
}

/// One distinct phrasing and how often it came.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Phrasing {
    /// The text, as first typed (spaces tidied).
    pub text: String,
    /// How many times.
    pub count: usize,
}

/// The phrasings members picked an entry with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Phrasings {
    /// The entry id.
    pub entry_id: String,
    /// New phrasings (not already among its questions), most picked first.
    pub questions: Vec<Phrasing>,
}

impl Phrasings {
    /// The phrasings as YAML list items indented to sit under an entry's `questions:`.
    pub fn yaml(&self) -> String {
        self.questions
            .iter()
            .map(|p| format!("    - {}\n", yaml_scalar(&p.text)))
            .collect()
    }
}

/// A single-line YAML scalar for `text`: plain when that reads back as the same string,
/// quoted otherwise.
pub fn yaml_scalar(text: &str) -> String {
    match serde_yaml::to_string(text) {
        Ok(s) if !s.trim_end().contains('\n') => s.trim_end().to_string(),
        // A JSON string is also a valid double-quoted YAML scalar.
        _ => serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}")),
    }
}

/// Builds the report from a store's rows and, when loaded, the knowledge's entries.
pub fn build(rows: ReportRows, known: &BTreeMap<String, KnownEntry>) -> Report {
    let mut ids: BTreeSet<String> = rows.served.keys().cloned().collect();
    ids.extend(rows.feedback.keys().flatten().cloned());
    let mut entries: Vec<EntryReport> = ids
        .into_iter()
        .map(|id| EntryReport {
            title: known.get(&id).map(|k| k.title.clone()),
            served: rows.served.get(&id).copied().unwrap_or(0),
            feedback: rows
                .feedback
                .get(&Some(id.clone()))
                .cloned()
                .unwrap_or_default(),
            entry_id: id,
        })
        .collect();
    entries.sort_by(|a, b| b.served.cmp(&a.served).then(a.entry_id.cmp(&b.entry_id)));

    let mut picked: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (question, entry) in rows.picks {
        picked.entry(entry).or_default().push(question);
    }
    let phrasings = picked
        .into_iter()
        .filter_map(|(entry_id, questions)| {
            let stored: BTreeSet<String> = known
                .get(&entry_id)
                .map(|k| k.questions.iter().map(|q| key(q)).collect())
                .unwrap_or_default();
            let questions: Vec<Phrasing> = distinct(&questions)
                .into_iter()
                .filter(|p| !stored.contains(&key(&p.text)))
                .collect();
            (!questions.is_empty()).then_some(Phrasings {
                entry_id,
                questions,
            })
        })
        .collect();

    Report {
        entries,
        no_answer: rows.feedback.get(&None).cloned().unwrap_or_default(),
        unanswered: group_questions(&rows.unanswered),
        phrasings,
    }
}

/// Groups questions by shared words (see [`GROUP_OVERLAP`]), largest group first.
pub fn group_questions(questions: &[String]) -> Vec<QuestionGroup> {
    struct Group {
        seed: BTreeSet<String>,
        shared: BTreeSet<String>,
        members: Vec<Phrasing>,
    }
    let mut groups: Vec<Group> = Vec::new();
    for phrasing in distinct(questions) {
        let words = meaningful_words(&phrasing.text);
        let best = groups
            .iter_mut()
            .map(|g| (overlap(&g.seed, &words), g))
            .filter(|(o, _)| *o >= GROUP_OVERLAP)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match best {
            Some((_, group)) => {
                group.shared = group.shared.intersection(&words).cloned().collect();
                group.members.push(phrasing);
            }
            None => groups.push(Group {
                seed: words.clone(),
                shared: words,
                members: vec![phrasing],
            }),
        }
    }
    let mut out: Vec<QuestionGroup> = groups
        .into_iter()
        .map(|g| QuestionGroup {
            count: g.members.iter().map(|m| m.count).sum(),
            shared_words: g.shared.into_iter().collect(),
            questions: g.members,
        })
        .collect();
    // Stable: equal groups keep the order their most asked question first came in.
    out.sort_by_key(|g| std::cmp::Reverse(g.count));
    out
}

/// The distinct phrasings among `questions` (same words, same phrasing), most frequent
/// first, then in order of first appearance.
fn distinct(questions: &[String]) -> Vec<Phrasing> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Phrasing> = Vec::new();
    for q in questions {
        let text = q.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            continue;
        }
        let k = key(&text);
        match index.get(&k) {
            Some(&i) => out[i].count += 1,
            None => {
                index.insert(k, out.len());
                out.push(Phrasing { text, count: 1 });
            }
        }
    }
    out.sort_by_key(|g| std::cmp::Reverse(g.count));
    out
}

/// Two phrasings are the same when their words are.
fn key(text: &str) -> String {
    normalize::words(text).join(" ")
}

/// A question's words without [`STOP_WORDS`].
fn meaningful_words(text: &str) -> BTreeSet<String> {
    normalize::words(text)
        .into_iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

/// Dice overlap of two word sets: twice the shared words over all words. Two empty sets are
/// the same (questions of stop words only group together).
fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    (2 * a.intersection(b).count()) as f64 / total as f64
}
