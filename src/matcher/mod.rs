//! Scoring questions against the knowledge with string similarity, and deciding how
//! confident to be.
//!
//! Every stored question is indexed as a set of tokens (see [`crate::normalize`]). A member's
//! question is scored against each stored question by weighted token overlap: rare,
//! meaningful tokens (drug names, "pregnant", "surgery") weigh more than "can i take", and a
//! misspelled word that was corrected counts by its `strsim` similarity. An entry's score blends
//! its best single question (a weighted F-score) with how well its whole vocabulary — every
//! question, and its answer at a discount — covers the member's words (BM25-style), which
//! generalises to phrasings no stored question has. Before ranking, the drug guard removes
//! entries about a different drug than the one asked about; then [`decide`] picks one
//! outcome: answer, clarify or no match. When siblings score too close to tell apart, a
//! second opinion from word frequencies rather than overlap (naive Bayes over each entry's
//! words, see [`Ranking::agreement`]) may still back the leader. Every weight and threshold
//! is in [`Weights`].

mod clauses;
mod decide;
mod facets;
mod guard;
mod ranking;
#[cfg(test)]
mod tests;
mod weights;

use std::borrow::Cow;

use rustc_hash::FxHashMap as HashMap;

use crate::knowledge::KnowledgeBase;
use crate::limits::MAX_RANKED;
use crate::normalize::{Normalizer, Token, TokenKind};

pub use decide::{decide, decide_with, declined, Decision, MAX_CHOICES, MAX_OFFERED};
pub use facets::{Facets, Mismatch, Reading};
pub use guard::{DrugGuard, REQUIRED_DRUG_SHARE};
pub use ranking::{Ranking, Scored};
pub use weights::{f_beta, Weights};

/// From this many stored questions on, words found in more than one question in
/// [`COMMON_WORD_SHARE`] ("naltrexone", "can", "i") only add to questions that rarer words
/// already matched, and words in a quarter of all questions or more are skipped. A question
/// sharing nothing but common words with the member's scores far below any threshold, so
/// results barely change while a 10,000-entry knowledge base stays fast. Smaller indexes
/// (the shipped knowledge has about 700 questions) are scored exactly.
pub const PRUNE_FROM_QUESTIONS: usize = 5_000;
/// See [`PRUNE_FROM_QUESTIONS`]: a word is common when more than one question in this many has
/// it. 50 brought a question against the generated 10,000-entry benchmark under 300 µs.
pub const COMMON_WORD_SHARE: usize = 50;

/// One stored question, as token ids.
#[derive(Debug)]
struct StoredQuestion {
    entry: u32,
    tokens: Vec<u32>,
    total: f32,
}

/// One entry that uses a token.
#[derive(Debug, Clone, Copy)]
struct EntryPosting {
    entry: u32,
    /// What the token earns towards the entry's coverage (BM25-saturated).
    credit: f32,
    /// What the token adds to the entry's second-opinion log-likelihood: how much more often
    /// the entry uses it than an entry that never does (see [`Ranking::agreement`]).
    log_odds: f32,
}

/// The search index over a knowledge base's enabled entries.
#[derive(Debug)]
pub struct Index {
    normalizer: Normalizer,
    token_ids: HashMap<String, u32>,
    token_weight: Vec<f32>,
    /// Token → stored questions that contain it.
    postings: Vec<Vec<u32>>,
    /// Token → entries whose questions or answer contain it.
    entry_postings: Vec<Vec<EntryPosting>>,
    /// For each entry, the log of its word count for the second opinion (see
    /// [`Ranking::agreement`]).
    entry_log_len: Vec<f32>,
    questions: Vec<StoredQuestion>,
    guard: DrugGuard,
    facets: Facets,
    unknown_weight: f32,
    /// For each entry, the index of its first stored question (questions are stored in
    /// entry order).
    first_question: Vec<usize>,
    /// For each entry, its topic's overview entry (see [`crate::knowledge::Entry::overview`]).
    overview_of: Vec<Option<usize>>,
    n_entries: usize,
    weights: Weights,
}

/// Interns token texts, remembering each token's kind.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    kinds: Vec<TokenKind>,
}

impl Interner {
    fn id(&mut self, t: &Token) -> u32 {
        let next = self.ids.len() as u32;
        let id = *self.ids.entry(t.text.clone()).or_insert(next);
        if id == next {
            self.kinds.push(t.kind);
        }
        id
    }
}

impl Index {
    /// Indexes the enabled entries of `kb`; `extra_vocabulary` (such as safety cue words) is
    /// added to what misspellings may be corrected to.
    pub fn new(kb: &KnowledgeBase, extra_vocabulary: &[String]) -> Index {
        Self::with_weights(kb, extra_vocabulary, Weights::DEFAULT)
    }

    /// Like [`Index::new`], with other weights (for calibration).
    pub fn with_weights(kb: &KnowledgeBase, extra_vocabulary: &[String], w: Weights) -> Index {
        Self::with_vocabulary(kb, extra_vocabulary, &[], w)
    }

    /// Like [`Index::with_weights`]; `extra_known` words are known as they are (never
    /// corrected) without becoming what misspellings are corrected to.
    pub fn with_vocabulary(
        kb: &KnowledgeBase,
        extra_vocabulary: &[String],
        extra_known: &[String],
        w: Weights,
    ) -> Index {
        let mut vocabulary: Vec<String> = kb
            .enabled()
            .flat_map(|e| e.questions.iter().cloned())
            .collect();
        vocabulary.extend_from_slice(extra_vocabulary);
        let mut known: Vec<String> = kb.enabled().map(|e| e.answer.clone()).collect();
        known.extend_from_slice(extra_known);
        let normalizer = Normalizer::new(&kb.lexicon, &vocabulary, &known);
        Self::with_normalizer(kb, normalizer, w)
    }

    fn with_normalizer(kb: &KnowledgeBase, normalizer: Normalizer, w: Weights) -> Index {
        let mut interner = Interner::default();
        let mut questions = Vec::new();
        let mut entry_tokens: Vec<guard::EntryTokens> = Vec::new();
        // Per entry: token → term frequency (1 per question, `answer_credit` per answer use).
        let mut bags: Vec<HashMap<u32, f32>> = Vec::new();
        let mut first_question = Vec::with_capacity(kb.entries.len());
        for (ei, entry) in kb.entries.iter().enumerate() {
            first_question.push(questions.len());
            let mut bag: HashMap<u32, f32> = HashMap::default();
            if !entry.enabled {
                entry_tokens.push(guard::EntryTokens::default());
                bags.push(bag);
                continue;
            }
            let mut seen = guard::EntryTokens::default();
            for (qi, q) in entry.questions.iter().enumerate() {
                let tokens = normalizer.tokens(q);
                let mut ids: Vec<u32> = tokens.iter().map(|t| interner.id(t)).collect();
                ids.sort_unstable();
                ids.dedup();
                let tf = if qi == 0 { w.title_weight } else { 1.0 };
                for id in &ids {
                    *bag.entry(*id).or_insert(0.0) += tf;
                }
                questions.push(StoredQuestion {
                    entry: ei as u32,
                    tokens: ids,
                    total: 0.0,
                });
                seen.questions.push(tokens);
            }
            for t in normalizer.tokens(&entry.answer) {
                if t.kind == TokenKind::Stop {
                    continue;
                }
                let id = interner.id(&t);
                *bag.entry(id).or_insert(0.0) += w.answer_credit;
                seen.answer.push(t);
            }
            entry_tokens.push(seen);
            bags.push(bag);
        }
        let n_tokens = interner.kinds.len();
        let mut entry_df = vec![0u32; n_tokens];
        let mut entry_postings = vec![Vec::new(); n_tokens];
        let lens: Vec<f32> = bags.iter().map(|b| b.values().sum()).collect();
        let alpha = w.agreement_smoothing;
        let entry_log_len: Vec<f32> = lens
            .iter()
            .map(|len| (len + alpha * n_tokens as f32).ln())
            .collect();
        let avg_len =
            lens.iter().sum::<f32>() / lens.iter().filter(|l| **l > 0.0).count().max(1) as f32;
        for (ei, bag) in bags.iter().enumerate() {
            let norm = w.bm25_k1 * (1.0 - w.bm25_b + w.bm25_b * lens[ei] / avg_len.max(1.0));
            for (id, tf) in bag {
                entry_df[*id as usize] += 1;
                let saturated = tf * (w.bm25_k1 + 1.0) / (tf + norm) / (w.bm25_k1 + 1.0);
                entry_postings[*id as usize].push(EntryPosting {
                    entry: ei as u32,
                    credit: saturated,
                    log_odds: (1.0 + tf / alpha).ln(),
                });
            }
        }
        let n_entries = kb.enabled().count();
        let n = n_entries.max(1) as f32;
        let token_weight: Vec<f32> = interner
            .kinds
            .iter()
            .zip(&entry_df)
            .map(|(kind, df)| match kind {
                TokenKind::Stop => w.stopword_weight,
                k => (1.0 + n / (*df).max(1) as f32).ln().powf(w.idf_power) * w.boost(*k),
            })
            .collect();
        let mut postings = vec![Vec::new(); n_tokens];
        for (qi, q) in questions.iter_mut().enumerate() {
            q.total = q.tokens.iter().map(|t| token_weight[*t as usize]).sum();
            for t in &q.tokens {
                postings[*t as usize].push(qi as u32);
            }
        }
        let guard = DrugGuard::new(kb, &entry_tokens);
        let facets = Facets::new(kb, &entry_tokens);
        let mut overviews: HashMap<&str, usize> = HashMap::default();
        for (i, e) in kb.entries.iter().enumerate() {
            if e.enabled && e.overview {
                overviews.entry(e.topic.as_str()).or_insert(i);
            }
        }
        let overview_of = kb
            .entries
            .iter()
            .map(|e| overviews.get(e.topic.as_str()).copied())
            .collect();
        Index {
            normalizer,
            token_ids: interner.ids,
            token_weight,
            postings,
            entry_postings,
            entry_log_len,
            questions,
            guard,
            facets,
            unknown_weight: (1.0 + n).ln().powf(w.idf_power) * w.unknown_factor,
            weights: w,
            first_question,
            overview_of,
            n_entries: kb.entries.len(),
        }
    }

    /// The normalizer this index reads questions with.
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// The weights this index scores with.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// The outcome for a ranking under this index's thresholds.
    pub fn decide(&self, ranking: &Ranking) -> Decision {
        decide_with(ranking, &self.weights)
    }

    /// The drug guard built from the knowledge.
    pub fn guard(&self) -> &DrugGuard {
        &self.guard
    }

    /// The topic guard built from the knowledge.
    pub fn facets(&self) -> &Facets {
        &self.facets
    }

    fn query_weight(&self, t: &Token) -> (Option<u32>, f32) {
        if t.kind == TokenKind::Stop {
            return (
                self.token_ids.get(&t.text).copied(),
                self.weights.stopword_weight,
            );
        }
        match self.token_ids.get(&t.text) {
            Some(id) => (Some(*id), self.token_weight[*id as usize]),
            None => (None, self.unknown_weight * self.weights.boost(t.kind)),
        }
    }

    /// Scores every eligible entry for `question`, best first.
    pub fn rank(&self, question: &str) -> Ranking {
        let tokens = self.normalizer.tokens(question);
        self.rank_tokens(tokens)
    }

    /// Scores every eligible entry for already-normalized tokens, best first.
    pub fn rank_tokens(&self, tokens: Vec<Token>) -> Ranking {
        let factors = vec![1.0; tokens.len()];
        let asks = vec![true; tokens.len()];
        self.rank_inner(tokens, &factors, &asks, &[], None)
    }

    /// Scores `question` as if question number `position` of entry `entry` were not stored:
    /// the knowledge check uses this to find a question that would be answered by another
    /// entry if it were not there verbatim.
    pub fn rank_without(&self, question: &str, entry: usize, position: usize) -> Ranking {
        let skip = self.first_question.get(entry).map(|first| first + position);
        let tokens = self.normalizer.tokens(question);
        let factors = vec![1.0; tokens.len()];
        let asks = vec![true; tokens.len()];
        self.rank_inner(tokens, &factors, &asks, &[], skip)
    }

    /// Scores `tokens`, each with its weight share (`factors`) and whether its clause asks
    /// (`asks`); the drug guard ignores the tokens `excused` marks (none when it is empty).
    fn rank_inner(
        &self,
        tokens: Vec<Token>,
        factors: &[f32],
        asks: &[bool],
        excused: &[bool],
        skip: Option<usize>,
    ) -> Ranking {
        // "besides antabuse, what else…" is not about antabuse: such medicines are dropped.
        let set_aside = clauses::set_aside(&tokens);
        let (tokens, factors, asks, excused) = if set_aside.is_empty() {
            (
                tokens,
                Cow::Borrowed(factors),
                Cow::Borrowed(asks),
                Cow::Borrowed(excused),
            )
        } else {
            let kept = |i: &usize| !set_aside.contains(i);
            let n = tokens.len();
            (
                (0..n).filter(kept).map(|i| tokens[i].clone()).collect(),
                Cow::Owned(
                    (0..n)
                        .filter(kept)
                        .map(|i| factors.get(i).copied().unwrap_or(1.0))
                        .collect(),
                ),
                Cow::Owned(
                    (0..n)
                        .filter(kept)
                        .map(|i| asks.get(i).copied().unwrap_or(true))
                        .collect(),
                ),
                Cow::Owned(
                    (0..n)
                        .filter(kept)
                        .map(|i| excused.get(i).copied().unwrap_or(false))
                        .collect(),
                ),
            )
        };
        let (factors, asks): (&[f32], &[bool]) = (&factors, &asks);
        // A word repeated across clauses counts once, at its weightiest occurrence.
        let mut seen: Vec<(&str, f32)> = Vec::with_capacity(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            let f = factors.get(i).copied().unwrap_or(1.0);
            match seen.iter_mut().find(|(text, _)| *text == t.text.as_str()) {
                Some(slot) => slot.1 = slot.1.max(f),
                None => seen.push((&t.text, f)),
            }
        }
        // A question of one or two words cannot fully match anything: "suboxone" alone says
        // which drug, not what about it (see `evidence_needed` below).
        let mut query_total = 0.0f32;
        // Each known token: its id, its weight, and its weight for the second opinion (every
        // word but stop words alike, as a count).
        let mut hits: Vec<(u32, f32, f32)> = Vec::new();
        for (text, f) in &seen {
            // A word read with no weight at all (outside the clauses that ask, when only they
            // are read) is not there.
            if *f <= 0.0 {
                continue;
            }
            let Some(t) = tokens.iter().find(|t| t.text.as_str() == *text) else {
                continue;
            };
            let (id, w) = self.query_weight(t);
            let w = w * f;
            query_total += w;
            if let Some(id) = id {
                let count = if t.kind == TokenKind::Stop {
                    0.0
                } else {
                    f * t.similarity
                };
                hits.push((id, w * t.similarity, count));
            }
        }
        // Rare words first: in a large index they decide which questions are candidates at
        // all, and common words only add to those (see `PRUNE_FROM_QUESTIONS`).
        hits.sort_by_key(|(id, _, _)| self.postings[*id as usize].len());
        let prune = self.questions.len() >= PRUNE_FROM_QUESTIONS;
        // A question cannot be offered anything when even sharing every known word with an
        // entry would leave it under the lowest floor ("how do i bake sourdough bread"): in a
        // large index its common words would touch most entries for nothing.
        let evidence_needed = query_total.max(self.weights.min_query_weight);
        if prune && self.best_possible(&hits, evidence_needed) < self.weights.lowest_floor() {
            hits.clear();
        }
        let common_from = self.questions.len() / COMMON_WORD_SHARE;
        let very_common_from = self.questions.len() / 4;
        let mut matched = vec![0.0f32; self.questions.len()];
        let mut covered = vec![0.0f32; self.n_entries];
        let mut log_odds = vec![0.0f32; self.n_entries];
        // The words the second opinion reads (those skipped below are left out for every entry).
        let mut words = 0.0f32;
        let mut touched_questions: Vec<u32> = Vec::new();
        let mut touched_entries: Vec<u32> = Vec::new();
        for (id, w, count) in &hits {
            let postings = &self.postings[*id as usize];
            if prune && postings.len() > very_common_from {
                // In a quarter of all questions or more, a word tells nothing about which
                // is meant; its weight is near zero, and scanning it would dominate.
                continue;
            }
            words += count;
            if prune && postings.len() > common_from && !touched_questions.is_empty() {
                // A scan of the word's postings with a look-up in the dense sums is cheaper
                // than searching each candidate's words.
                for q in postings {
                    let slot = &mut matched[*q as usize];
                    if *slot > 0.0 {
                        *slot += w;
                    }
                }
                for p in &self.entry_postings[*id as usize] {
                    let slot = &mut covered[p.entry as usize];
                    if *slot > 0.0 {
                        *slot += w * p.credit;
                        log_odds[p.entry as usize] += count * p.log_odds;
                    }
                }
                continue;
            }
            for q in postings {
                let slot = &mut matched[*q as usize];
                if *slot == 0.0 {
                    touched_questions.push(*q);
                }
                *slot += w;
            }
            for p in &self.entry_postings[*id as usize] {
                let slot = &mut covered[p.entry as usize];
                if *slot == 0.0 {
                    touched_entries.push(p.entry);
                }
                *slot += w * p.credit;
                log_odds[p.entry as usize] += count * p.log_odds;
            }
        }
        let eligible = if excused.iter().any(|e| *e) {
            let guarded: Vec<Token> = tokens
                .iter()
                .zip(excused.iter().chain(std::iter::repeat(&false)))
                .filter(|(_, e)| !**e)
                .map(|(t, _)| t.clone())
                .collect();
            self.guard.eligible(&guarded)
        } else {
            self.guard.eligible(&tokens)
        };
        let mut best = vec![0.0f32; self.n_entries];
        for qi in touched_questions {
            let m = matched[qi as usize];
            if m <= 0.0 || skip == Some(qi as usize) {
                continue;
            }
            let q = &self.questions[qi as usize];
            let s = f_beta(m, evidence_needed, q.total, self.weights.beta);
            let slot = &mut best[q.entry as usize];
            if s > *slot {
                *slot = s;
            }
        }
        let share = self.weights.coverage_share;
        let mut scored: Vec<Scored> = touched_entries
            .into_iter()
            .map(|e| e as usize)
            .filter(|e| best[*e] > 0.0 && eligible.allows(*e))
            .map(|entry| Scored {
                entry,
                score: ((1.0 - share) * best[entry]
                    + share * (covered[entry] / evidence_needed).min(1.0)
                    + self.weights.anchor_bonus * eligible.anchor_share(entry))
                .min(1.0),
            })
            .collect();
        let order =
            |a: &Scored, b: &Scored| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry));
        if scored.len() > MAX_RANKED {
            scored.select_nth_unstable_by(MAX_RANKED, order);
            scored.truncate(MAX_RANKED);
        }
        scored.sort_by(order);
        let agreement = self.agreement(&scored, &log_odds, words);
        let reading = self.facets.read(&tokens, asks);
        let mismatches: Vec<(usize, Mismatch)> = scored
            .iter()
            .take(MAX_CHOICES + 1)
            // A question that is nearly one of the entry's own is about it.
            .filter(|s| best[s.entry] < self.weights.own_question_min)
            .filter_map(|s| Some((s.entry, self.facets.mismatch(s.entry, &reading)?)))
            .collect();
        // Likewise, nothing is declined for a question that is nearly one of the top entry's.
        let own_question = scored
            .first()
            .is_some_and(|s| best[s.entry] >= self.weights.own_question_min);
        let candidates: Vec<usize> = scored
            .iter()
            .take(MAX_CHOICES + 1)
            .map(|s| s.entry)
            .collect();
        let covered_only_for_others = if own_question {
            None
        } else {
            self.facets
                .covered_only_for_others(&reading, &candidates)
                .map(str::to_string)
        };
        let short = query_total < self.weights.min_query_weight;
        // Only a medicine or topic named, in the lexicon's words: two medicines ("naltrexone
        // for opiates") ask how they relate, and any other word ("price") what about it.
        let medicines = tokens
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::Drug | TokenKind::Class))
            .count();
        let bare = short && medicines <= 1 && tokens.iter().all(|t| t.kind != TokenKind::Word);
        let overview = if bare {
            self.topic_overview(&scored, &reading)
        } else {
            None
        };
        let names_drug = eligible.names_drug();
        let about_named = scored
            .iter()
            .take(MAX_CHOICES + 1)
            .map(|s| s.entry)
            .filter(|e| eligible.is_about_a_named_drug(*e))
            .collect();
        let top_by_a_term_alone = scored
            .first()
            .is_some_and(|s| eligible.by_a_term_alone(s.entry));
        // An entry the question reaches only through "the shot" is titled with what it may
        // mean.
        let anchored = top_by_a_term_alone
            || scored
                .first()
                .is_some_and(|s| eligible.anchor_share(s.entry) > 0.0);
        let names_topic = tokens
            .iter()
            .any(|t| matches!(t.kind, TokenKind::Drug | TokenKind::Class | TokenKind::Term));
        Ranking {
            scored,
            tokens,
            names_drug,
            anchored,
            top_by_a_term_alone,
            short,
            names_topic,
            story: factors.iter().any(|f| *f < 1.0),
            question_leader: None,
            settled_by_question: None,
            asks_elsewhere: false,
            passing_medicine: None,
            mismatches,
            about_named,
            covered_only_for_others,
            agreement,
            overview,
        }
    }

    /// The most any entry could score for a question with these known words (`hits`: id,
    /// weight, count) and total weight `evidence_needed`: as if one of its questions were
    /// exactly those words, and the entry used each of them as much as an entry can.
    fn best_possible(&self, hits: &[(u32, f32, f32)], evidence_needed: f32) -> f32 {
        let known: f32 = hits.iter().map(|(_, w, _)| w).sum();
        let share = self.weights.coverage_share;
        (1.0 - share) * f_beta(known, evidence_needed, known, self.weights.beta)
            + share * (known / evidence_needed).min(1.0)
            + self.weights.anchor_bonus
    }

    /// The overview entry of the one topic every entry that could be offered belongs to, with
    /// its score, unless the topic guard holds it back or the question names a term its
    /// questions never do (see [`Ranking::overview`]).
    fn topic_overview(&self, scored: &[Scored], reading: &Reading) -> Option<Scored> {
        let top = scored.first()?;
        let overview = self.overview_of[top.entry]?;
        let offered = scored
            .iter()
            .take(MAX_CHOICES)
            .take_while(|s| top.score - s.score <= self.weights.clarify_band);
        for s in offered {
            if self.overview_of[s.entry] != Some(overview) {
                return None;
            }
        }
        let found = scored.iter().find(|s| s.entry == overview)?;
        if top.score - found.score > self.weights.clarify_band
            || self.facets.mismatch(overview, reading).is_some()
            || !self.facets.asks_nothing_beyond(overview, reading)
        {
            return None;
        }
        Some(*found)
    }

    /// The second opinion on the leading entry (see [`Ranking::agreement`]): its share of
    /// the likelihood among the entries that could be offered (none when it is the only one),
    /// reading each entry's questions and answer as a bag of words that the member's words
    /// were drawn from (multinomial naive Bayes, smoothed by
    /// [`Weights::agreement_smoothing`]).
    fn agreement(&self, scored: &[Scored], log_odds: &[f32], words: f32) -> f32 {
        let leading = &scored[..scored.len().min(MAX_CHOICES + 1)];
        if leading.len() < 2 {
            // No sibling to tell apart: no opinion.
            return 0.0;
        }
        let log_likelihood = |s: &Scored| log_odds[s.entry] - words * self.entry_log_len[s.entry];
        let top = log_likelihood(&leading[0]);
        let best = leading.iter().map(log_likelihood).fold(top, f32::max);
        let total: f32 = leading
            .iter()
            .map(|s| (log_likelihood(s) - best).exp())
            .sum();
        (top - best).exp() / total
    }
}
