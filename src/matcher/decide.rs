//! Deciding how confident to be: one ranking becomes an answer, a few choices, or no match.

use super::{Ranking, Scored, Weights};

/// At most this many choices ("did you mean…").
pub const MAX_CHOICES: usize = 3;
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

/// Picks one outcome from a ranking using the default thresholds.
pub fn decide(ranking: &Ranking) -> Decision {
    decide_with(ranking, &Weights::DEFAULT)
}

/// Picks one outcome from a ranking using the thresholds of `w`.
pub fn decide_with(ranking: &Ranking, w: &Weights) -> Decision {
    let Some(top) = ranking.scored.first().copied() else {
        return Decision::NoMatch;
    };
    let floor = if ranking.short && ranking.names_topic {
        w.short_clarify_min
    } else if ranking.story {
        w.story_clarify_min
    } else if ranking.names_drug {
        w.clarify_min_named_drug
    } else {
        w.clarify_min
    };
    if top.score < floor {
        return Decision::NoMatch;
    }
    let runner_up = ranking.scored.get(1).map_or(0.0, |s| s.score);
    // A story scores low against everything; when its asking clauses lead to the same entry
    // as the whole message, a lower score is enough.
    let answer_min = if ranking.story && ranking.question_leader == Some(top.entry) {
        w.story_answer_min
    } else {
        w.answer_min
    };
    if top.score >= answer_min
        && top.score - runner_up >= w.answer_margin
        && ranking.mismatch(top.entry).is_none()
    {
        return Decision::Answer(top);
    }
    let choices: Vec<Scored> = ranking
        .scored
        .iter()
        .take(MAX_CHOICES)
        .filter(|s| s.score >= floor && top.score - s.score <= w.clarify_band)
        .copied()
        .collect();
    Decision::Clarify(choices)
}
