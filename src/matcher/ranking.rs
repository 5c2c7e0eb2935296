//! What scoring one question yields: the ranked entries and what the decision needs to know
//! about the question.

use super::Mismatch;
use crate::normalize::Token;

/// An entry's score for one member question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// Index into the knowledge base's entries.
    pub entry: usize,
    /// Similarity in 0..=1.
    pub score: f32,
}

/// The ranking for one question: eligible entries, best first.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// Eligible entries with a score above zero, best first.
    pub scored: Vec<Scored>,
    /// The question's tokens.
    pub tokens: Vec<Token>,
    /// True if and only if the question names a specific drug (which every ranked entry
    /// covers, or it would not be eligible).
    pub names_drug: bool,
    /// True if and only if the best entry's title names one of the drugs the question names,
    /// or may mean (see [`Ranking::top_by_a_term_alone`]).
    pub anchored: bool,
    /// True if and only if the best entry is about a drug the question names only through a
    /// term that may mean it ("the shot" beside "heroin"): it may be offered, not answered.
    pub top_by_a_term_alone: bool,
    /// True if and only if the question's words weigh less than
    /// [`Weights::min_query_weight`](super::Weights::min_query_weight): a bare medicine or
    /// topic ("naltrexone", "DTs").
    pub short: bool,
    /// True if and only if the question names a drug, class or domain term.
    pub names_topic: bool,
    /// True if and only if the question is a story around a question: its words outside the
    /// clauses that ask counted less (see
    /// [`Weights::context_weight`](super::Weights::context_weight)).
    pub story: bool,
    /// For a message whose other clauses add context to the ones that ask (a story, or a
    /// shorter message), whose leader scores between
    /// [`Weights::story_answer_min`](super::Weights::story_answer_min) and
    /// [`Weights::answer_min`](super::Weights::answer_min): the entry that leads when only its
    /// asking clauses are read.
    pub question_leader: Option<usize>,
    /// True if and only if the clauses that ask are about a medicine the leader's title does
    /// not name, and read alone would not even offer the leader ("…she just started
    /// naltrexone. I'd like to keep naloxone in the house, where do you buy it?"): the second
    /// opinion on the whole message, which its other clauses sway, does not answer it.
    pub asks_elsewhere: bool,
    /// For a story, the entry its asking clauses read alone settle on: as a question of
    /// their own they lead to it as clearly as a story must lead
    /// ([`Weights::story_answer_margin`](super::Weights::story_answer_margin)), the second
    /// opinion backs it as it must to answer a leader the margin leaves undecided
    /// ([`Weights::agreement_min`](super::Weights::agreement_min), from
    /// [`Weights::agreement_answer_min`](super::Weights::agreement_answer_min)), and the
    /// topic guard holds nothing against it. When the whole story offers it among its
    /// choices, the question decides (see [`decide`](super::decide)).
    pub settled_by_question: Option<usize>,
    /// A medicine or class the story names only outside its asking clauses, which the drug
    /// guard ignored because with it nothing could be offered (see
    /// [`Index::rank_analysis`](super::Index::rank_analysis)): the entries may then be
    /// offered, never answered.
    pub passing_medicine: Option<String>,
    /// The leading entries that may be offered but not answered, and why (see
    /// [`Facets`](super::Facets)).
    pub mismatches: Vec<(usize, Mismatch)>,
    /// The leading entries that are about a drug the question names: they require it (see
    /// [`DrugGuard::required`](super::DrugGuard::required)), or the question names two or
    /// more medicines, asking how they go together, which every eligible entry covers.
    pub about_named: Vec<usize>,
    /// A subject the question asks about that only entries about other medicines cover
    /// (see [`super::Facets::covered_only_for_others`]): nothing curated answers it.
    pub covered_only_for_others: Option<String>,
    /// A second opinion on the best entry, from word frequencies rather than overlap: its
    /// share (0..=1) of the likelihood among the entries that could be offered, reading each
    /// entry's questions and answer as the words members use for it. Siblings that share the
    /// member's words about equally split it; a leader whose questions use the member's
    /// distinctive words more often than its siblings' do takes most of it. 0 when no other
    /// entry could be offered.
    pub agreement: f32,
    /// For a bare medicine or topic (see [`Ranking::short`]) whose likely entries all belong
    /// to one topic: that topic's overview entry, with its score, when it is ranked near the
    /// best entry and the topic guard does not hold it back. It answers the bare topic, its
    /// related entries offered beside it.
    pub overview: Option<Scored>,
}

impl Ranking {
    /// True if and only if the best entry scores at least `min` and leads the runner-up (or
    /// nothing) by at least `margin`.
    pub fn leads(&self, min: f32, margin: f32) -> bool {
        let Some(top) = self.scored.first() else {
            return false;
        };
        let runner_up = self.scored.get(1).map_or(0.0, |s| s.score);
        top.score >= min && top.score - runner_up >= margin
    }

    /// Why the entry at `entry` may not be answered, if it may not.
    pub fn mismatch(&self, entry: usize) -> Option<Mismatch> {
        self.mismatches
            .iter()
            .find(|(e, _)| *e == entry)
            .map(|(_, m)| *m)
    }
}
