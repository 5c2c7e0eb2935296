//! Scoring questions against the knowledge with string similarity, and deciding how
//! confident to be.
//!
//! Every stored question is indexed as a set of tokens (see [`crate::normalize`]). A member's
//! question is scored against each stored question by weighted token overlap: rare,
//! meaningful tokens (drug names, "pregnant", "surgery") weigh more than "can i take", and a
//! misspelled word that was corrected counts by its `strsim` similarity. An entry scores as its
//! best question. Before ranking, the drug guard removes entries about a different drug than
//! the one asked about; then [`decide`] picks one outcome: answer, clarify or no match.

mod guard;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use crate::knowledge::{KnowledgeBase, Lexicon};
use crate::normalize::{Normalizer, Token, TokenKind};

pub use guard::DrugGuard;

/// Importance boost of a drug token over a word of the same rarity: the drug is the subject
/// of most questions and a mismatch on it is the costliest mistake.
pub const DRUG_BOOST: f32 = 1.6;
/// Boost of a class or domain term ("opioid", "surgery", "pregnancy"): curated meaning.
pub const TERM_BOOST: f32 = 1.3;
/// Weight of a stopword: enough to break ties between otherwise equal questions, never
/// enough to make a match.
pub const STOPWORD_WEIGHT: f32 = 0.12;
/// A word the knowledge has never seen counts like a rare word: it is evidence the question
/// is about something the entry does not cover. Slightly under the rarest known word so that
/// chatty context ("my dentist said…") dilutes rather than dominates.
pub const UNKNOWN_FACTOR: f32 = 0.7;
/// F-beta's beta: above 1, covering a stored question fully counts more than covering every
/// word of the member's question, because members add context that no stored question has.
pub const BETA: f32 = 1.6;

/// Below this best score nothing is offered: the question is not about anything curated.
/// Calibrated on the dev set: out-of-scope questions score under it, in-scope ones over.
pub const CLARIFY_MIN: f32 = 0.30;
/// From this score the best entry may be answered outright, if it is clearly ahead.
pub const ANSWER_MIN: f32 = 0.45;
/// How far ahead of the runner-up the best entry must be to be answered; closer than this, the
/// member is asked to choose.
pub const ANSWER_MARGIN: f32 = 0.06;
/// Entries within this distance of the best one are offered as choices.
pub const CLARIFY_BAND: f32 = 0.15;
/// At most this many choices ("did you mean…").
pub const MAX_CHOICES: usize = 3;

/// One stored question, as token ids.
#[derive(Debug)]
struct StoredQuestion {
    entry: u32,
    tokens: Vec<u32>,
    total: f32,
}

/// An entry's score for one member question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// Index into the knowledge base's entries.
    pub entry: usize,
    /// Similarity in 0..=1.
    pub score: f32,
}

/// What the matcher concluded for one question.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// One entry, confidently.
    Answer(Scored),
    /// A few plausible entries, best first.
    Clarify(Vec<Scored>),
    /// Nothing curated fits.
    NoMatch,
}

/// The ranking for one question: eligible entries, best first.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// Eligible entries with a score above zero, best first.
    pub scored: Vec<Scored>,
    /// The question's tokens.
    pub tokens: Vec<Token>,
}

/// The search index over a knowledge base's enabled entries.
#[derive(Debug)]
pub struct Index {
    normalizer: Normalizer,
    token_ids: HashMap<String, u32>,
    weights: Vec<f32>,
    postings: Vec<Vec<u32>>,
    questions: Vec<StoredQuestion>,
    guard: DrugGuard,
    unknown_weight: f32,
    /// For each entry, the index of its first stored question (questions are stored in
    /// entry order).
    first_question: Vec<usize>,
}

fn boost(kind: TokenKind) -> f32 {
    match kind {
        TokenKind::Drug => DRUG_BOOST,
        TokenKind::Class | TokenKind::Term => TERM_BOOST,
        TokenKind::Word | TokenKind::Stop => 1.0,
    }
}

/// Weighted F-beta of a match: `matched` weight shared, out of `query` and `stored` totals.
pub fn f_beta(matched: f32, query: f32, stored: f32) -> f32 {
    if matched <= 0.0 || query <= 0.0 || stored <= 0.0 {
        return 0.0;
    }
    let p = (matched / query).min(1.0);
    let r = (matched / stored).min(1.0);
    let b2 = BETA * BETA;
    (1.0 + b2) * p * r / (b2 * p + r)
}

impl Index {
    /// Indexes the enabled entries of `kb`; `extra_vocabulary` (such as safety cue words) is
    /// added to what misspellings may be corrected to.
    pub fn new(kb: &KnowledgeBase, extra_vocabulary: &[String]) -> Index {
        let mut vocabulary: Vec<String> = kb
            .enabled()
            .flat_map(|e| e.questions.iter().cloned())
            .collect();
        vocabulary.extend_from_slice(extra_vocabulary);
        let normalizer = Normalizer::new(&kb.lexicon, &vocabulary);
        Self::with_normalizer(kb, normalizer)
    }

    fn with_normalizer(kb: &KnowledgeBase, normalizer: Normalizer) -> Index {
        let mut token_ids: HashMap<String, u32> = HashMap::new();
        let mut kinds: Vec<TokenKind> = Vec::new();
        let mut entry_df: Vec<u32> = Vec::new();
        let mut questions = Vec::new();
        let mut entry_tokens: Vec<(Vec<Token>, usize)> = Vec::new();
        let mut n_entries = 0u32;
        let mut first_question = Vec::with_capacity(kb.entries.len());
        for (ei, entry) in kb.entries.iter().enumerate() {
            first_question.push(questions.len());
            if !entry.enabled {
                entry_tokens.push((Vec::new(), 0));
                continue;
            }
            n_entries += 1;
            let mut seen_in_entry: HashSet<u32> = HashSet::new();
            let mut all = Vec::new();
            let mut title_len = None;
            for q in &entry.questions {
                let tokens = normalizer.tokens(q);
                let mut ids: Vec<u32> = tokens
                    .iter()
                    .map(|t| {
                        let next = token_ids.len() as u32;
                        let id = *token_ids.entry(t.text.clone()).or_insert(next);
                        if id == next {
                            kinds.push(t.kind);
                            entry_df.push(0);
                        }
                        if seen_in_entry.insert(id) {
                            entry_df[id as usize] += 1;
                        }
                        id
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                questions.push(StoredQuestion {
                    entry: ei as u32,
                    tokens: ids,
                    total: 0.0,
                });
                all.extend(tokens);
                title_len.get_or_insert(all.len());
            }
            entry_tokens.push((all, title_len.unwrap_or(0)));
        }
        let n = n_entries.max(1) as f32;
        let weights: Vec<f32> = kinds
            .iter()
            .zip(&entry_df)
            .map(|(kind, df)| match kind {
                TokenKind::Stop => STOPWORD_WEIGHT,
                k => (1.0 + n / *df as f32).ln() * boost(*k),
            })
            .collect();
        let mut postings = vec![Vec::new(); token_ids.len()];
        for (qi, q) in questions.iter_mut().enumerate() {
            q.total = q.tokens.iter().map(|t| weights[*t as usize]).sum();
            for t in &q.tokens {
                postings[*t as usize].push(qi as u32);
            }
        }
        let guard = DrugGuard::new(kb, &entry_tokens);
        Index {
            normalizer,
            token_ids,
            weights,
            postings,
            questions,
            guard,
            unknown_weight: (1.0 + n).ln() * UNKNOWN_FACTOR,
            first_question,
        }
    }

    /// The normalizer this index reads questions with.
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// The drug guard built from the knowledge.
    pub fn guard(&self) -> &DrugGuard {
        &self.guard
    }

    fn query_weight(&self, t: &Token) -> (Option<u32>, f32) {
        if t.kind == TokenKind::Stop {
            return (self.token_ids.get(&t.text).copied(), STOPWORD_WEIGHT);
        }
        match self.token_ids.get(&t.text) {
            Some(id) => (Some(*id), self.weights[*id as usize]),
            None => (None, self.unknown_weight * boost(t.kind)),
        }
    }

    /// Scores every eligible entry for `question`, best first.
    pub fn rank(&self, question: &str) -> Ranking {
        let tokens = self.normalizer.tokens(question);
        self.rank_tokens(tokens)
    }

    /// Scores every eligible entry for already-normalized tokens, best first.
    pub fn rank_tokens(&self, tokens: Vec<Token>) -> Ranking {
        self.rank_inner(tokens, None)
    }

    /// Scores `question` as if question number `position` of entry `entry` were not stored:
    /// the knowledge check uses this to find a question that would be answered by another
    /// entry if it were not there verbatim.
    pub fn rank_without(&self, question: &str, entry: usize, position: usize) -> Ranking {
        let skip = self.first_question.get(entry).map(|first| first + position);
        self.rank_inner(self.normalizer.tokens(question), skip)
    }

    fn rank_inner(&self, tokens: Vec<Token>, skip: Option<usize>) -> Ranking {
        let mut seen = HashSet::new();
        let mut query_total = 0.0f32;
        let mut hits: Vec<(u32, f32)> = Vec::new();
        for t in &tokens {
            if !seen.insert(t.text.as_str()) {
                continue;
            }
            let (id, w) = self.query_weight(t);
            query_total += w;
            if let Some(id) = id {
                hits.push((id, w * t.similarity));
            }
        }
        let mut matched = vec![0.0f32; self.questions.len()];
        for (id, w) in hits {
            for q in &self.postings[id as usize] {
                matched[*q as usize] += w;
            }
        }
        let eligible = self.guard.eligible(&tokens);
        let mut best: HashMap<u32, f32> = HashMap::new();
        for (qi, m) in matched.iter().enumerate() {
            if *m <= 0.0 || skip == Some(qi) {
                continue;
            }
            let q = &self.questions[qi];
            if !eligible.allows(q.entry as usize) {
                continue;
            }
            let s = f_beta(*m, query_total, q.total);
            let slot = best.entry(q.entry).or_insert(0.0);
            if s > *slot {
                *slot = s;
            }
        }
        let mut scored: Vec<Scored> = best
            .into_iter()
            .map(|(entry, score)| Scored {
                entry: entry as usize,
                score,
            })
            .collect();
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        Ranking { scored, tokens }
    }
}

/// Picks one outcome from a ranking using the named thresholds.
pub fn decide(ranking: &Ranking) -> Decision {
    let Some(top) = ranking.scored.first().copied() else {
        return Decision::NoMatch;
    };
    if top.score < CLARIFY_MIN {
        return Decision::NoMatch;
    }
    let runner_up = ranking.scored.get(1).map_or(0.0, |s| s.score);
    if top.score >= ANSWER_MIN && top.score - runner_up >= ANSWER_MARGIN {
        return Decision::Answer(top);
    }
    let choices: Vec<Scored> = ranking
        .scored
        .iter()
        .take(MAX_CHOICES)
        .filter(|s| s.score >= CLARIFY_MIN && top.score - s.score <= CLARIFY_BAND)
        .copied()
        .collect();
    Decision::Clarify(choices)
}

/// Returns the lexicon's drug → classes map.
pub(crate) fn drug_classes(lexicon: &Lexicon) -> HashMap<String, Vec<String>> {
    lexicon
        .terms
        .iter()
        .filter(|t| t.kind == crate::knowledge::TermKind::Drug)
        .map(|t| (t.name.clone(), t.classes.clone()))
        .collect()
}
