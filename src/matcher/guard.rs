//! The drug guard: never answer with an entry about a different drug than the one asked about.
//!
//! An entry *covers* every drug and class named in any of its questions (brands and slang
//! count as the drug, through the lexicon). Its *anchors* are the specific drugs named in its
//! title. A member's question rules an entry out when it names
//! - a drug the entry does not cover, directly or through a class the entry names
//!   ("percocet" is an opioid, so an entry that names opioids covers it), or
//! - a class the entry does not cover (neither the class nor any of its drugs), or
//! - specific drugs, none of which is one of the entry's anchors ("how long will suboxone
//!   block opioids" names buprenorphine, so the entry titled "How long does naltrexone
//!   block opioids?" is not eligible), or
//! - specific drugs but not every one of the entry's *required* drugs: those named in nearly
//!   every question of the entry (see [`REQUIRED_DRUG_SHARE`]). An entry about switching from
//!   Suboxone to naltrexone names naltrexone throughout, so "how long do suboxone withdrawals
//!   last" is not for it; an entry comparing naltrexone and acamprosate names both throughout,
//!   so "how does acamprosate work" is not for it.
//!
//! Coverage reads an entry's questions and answer; anchors and required drugs read only its
//! questions, which curators write for exactly this.

use std::collections::{HashMap, HashSet};

use crate::knowledge::KnowledgeBase;
use crate::normalize::{Token, TokenKind};

/// A drug named in at least this share of an entry's questions is required: a member who
/// names other drugs but not this one is asking about something else. Three quarters leaves
/// room for a few questions that say "it" or "the pill".
pub const REQUIRED_DRUG_SHARE: f32 = 0.75;

/// What one entry is about, drug-wise.
#[derive(Debug, Default, Clone)]
struct Coverage {
    drugs: HashSet<String>,
    classes: HashSet<String>,
    anchors: HashSet<String>,
    required: HashSet<String>,
}

/// The names in `set`, sorted, for display.
fn sorted(set: &HashSet<String>) -> Vec<&str> {
    let mut v: Vec<&str> = set.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

/// One entry's tokens, as the guard reads them.
#[derive(Debug, Default)]
pub(super) struct EntryTokens {
    /// Each question's tokens, the title first.
    pub questions: Vec<Vec<Token>>,
    /// The answer's tokens.
    pub answer: Vec<Token>,
}

/// Per-entry drug coverage, built once from the knowledge.
#[derive(Debug)]
pub struct DrugGuard {
    entries: Vec<Coverage>,
    drug_classes: HashMap<String, Vec<String>>,
}

/// Which entries a question leaves eligible.
#[derive(Debug)]
pub struct Eligible<'a> {
    guard: &'a DrugGuard,
    drugs: Vec<&'a str>,
    classes: Vec<&'a str>,
}

impl DrugGuard {
    /// Builds coverage from each entry's tokens: its questions' tokens, question by question
    /// (the title first), then its answer's tokens.
    pub(super) fn new(kb: &KnowledgeBase, entry_tokens: &[EntryTokens]) -> DrugGuard {
        let drug_classes = super::drug_classes(&kb.lexicon);
        let entries = entry_tokens
            .iter()
            .map(|e| {
                let mut c = Coverage::default();
                let mut named_in: HashMap<&str, usize> = HashMap::new();
                for q in &e.questions {
                    let drugs: HashSet<&str> = q
                        .iter()
                        .filter(|t| t.kind == TokenKind::Drug)
                        .map(|t| t.text.as_str())
                        .collect();
                    for d in drugs {
                        *named_in.entry(d).or_default() += 1;
                    }
                }
                let n = e.questions.len().max(1) as f32;
                c.required = named_in
                    .into_iter()
                    .filter(|(_, k)| *k as f32 / n >= REQUIRED_DRUG_SHARE)
                    .map(|(d, _)| d.to_string())
                    .collect();
                for t in e.questions.iter().flatten().chain(&e.answer) {
                    match t.kind {
                        TokenKind::Drug => {
                            c.drugs.insert(t.text.clone());
                        }
                        TokenKind::Class => {
                            c.classes.insert(t.text.clone());
                        }
                        _ => {}
                    }
                }
                c.anchors = e
                    .questions
                    .first()
                    .into_iter()
                    .flatten()
                    .filter(|t| t.kind == TokenKind::Drug)
                    .map(|t| t.text.clone())
                    .collect();
                c
            })
            .collect();
        DrugGuard {
            entries,
            drug_classes,
        }
    }

    /// The drugs (canonical names) an entry covers, sorted.
    pub fn covered_drugs(&self, entry: usize) -> Vec<&str> {
        sorted(&self.entries[entry].drugs)
    }

    /// The drugs an entry requires a member to name (when they name any), sorted.
    pub fn required(&self, entry: usize) -> Vec<&str> {
        sorted(&self.entries[entry].required)
    }

    /// The anchors (drugs named in the title) of an entry, sorted.
    pub fn anchors(&self, entry: usize) -> Vec<&str> {
        sorted(&self.entries[entry].anchors)
    }

    /// The drugs and classes a question names, and so which entries it leaves eligible.
    pub fn eligible<'a>(&'a self, tokens: &'a [Token]) -> Eligible<'a> {
        let mut drugs: Vec<&str> = Vec::new();
        let mut classes: Vec<&str> = Vec::new();
        for t in tokens {
            match t.kind {
                TokenKind::Drug if !drugs.contains(&t.text.as_str()) => drugs.push(&t.text),
                TokenKind::Class if !classes.contains(&t.text.as_str()) => classes.push(&t.text),
                _ => {}
            }
        }
        Eligible {
            guard: self,
            drugs,
            classes,
        }
    }

    fn classes_of(&self, drug: &str) -> &[String] {
        self.drug_classes.get(drug).map_or(&[], Vec::as_slice)
    }
}

impl Eligible<'_> {
    /// The specific drugs the question names.
    pub fn drugs(&self) -> &[&str] {
        &self.drugs
    }

    /// The share of the drugs the question names that the entry's title names (0 when the
    /// question names none).
    pub fn anchor_share(&self, entry: usize) -> f32 {
        let Some(c) = self.guard.entries.get(entry) else {
            return 0.0;
        };
        if self.drugs.is_empty() {
            return 0.0;
        }
        let named = self
            .drugs
            .iter()
            .filter(|d| c.anchors.contains(**d))
            .count();
        named as f32 / self.drugs.len() as f32
    }

    /// Returns true if and only if the entry at `entry` may answer the question.
    pub fn allows(&self, entry: usize) -> bool {
        let Some(c) = self.guard.entries.get(entry) else {
            return false;
        };
        let drug_covered = |d: &str| {
            c.drugs.contains(d)
                || self
                    .guard
                    .classes_of(d)
                    .iter()
                    .any(|k| c.classes.contains(k))
        };
        if !self.drugs.iter().all(|d| drug_covered(d)) {
            return false;
        }
        let class_covered = |k: &str| {
            c.classes.contains(k)
                || c.drugs
                    .iter()
                    .any(|d| self.guard.classes_of(d).iter().any(|x| x == k))
        };
        if !self.classes.iter().all(|k| class_covered(k)) {
            return false;
        }
        if self.drugs.is_empty() {
            return true;
        }
        let names_an_anchor =
            c.anchors.is_empty() || self.drugs.iter().any(|d| c.anchors.contains(*d));
        let names_every_required = c.required.iter().all(|r| self.drugs.contains(&r.as_str()));
        names_an_anchor && names_every_required
    }
}
