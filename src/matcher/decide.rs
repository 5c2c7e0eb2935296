//! Deciding how confident to be: one ranking becomes an answer, a few choices, or no match.

use super::{Mismatch, Ranking, Scored, Weights};

/// How many of the best entries decide how a question is read: whether a story has one
/// the topic guard lets through above its floor, whether a bare topic's entries share one
/// overview, whether a question's asking clauses would offer the leader.
pub const MAX_CHOICES: usize = 3;
/// At most this many choices ("did you mean…"). With the "none of these" button they fill
/// one row of Discord's five. A fourth entry within the clarify band was the right one for
/// one member-style development question, one emergency near-miss and two of a held-out set
/// of 550 member questions; no right answer or decline was lost.
pub const MAX_OFFERED: usize = 4;
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
    let decision = decide_unless_excused(ranking, w, true);
    match decision {
        // Read with medicines it names ignored: only offered, unless the entry's title names
        // the medicines the story is about ("…a detox with librium… my doctor offered
        // acamprosate or naltrexone, which of the two…").
        Decision::Answer(top) if ranking.passing_medicine.is_some() && !ranking.anchored => {
            Decision::Clarify(choices(ranking, w, top, 0.0))
        }
        decision => decision,
    }
}

/// True if and only if `ranking` is declined under the usual floors, before a leader the
/// second opinion all but settles is offered from [`Weights::backed_clarify_min`]: another
/// reading of the message may then do better.
pub fn declined(ranking: &Ranking, w: &Weights) -> bool {
    decide_unless_excused(ranking, w, false) == Decision::NoMatch
}

/// The entries within the clarify band of `top` from `floor` up, at most [`MAX_OFFERED`].
fn choices(ranking: &Ranking, w: &Weights, top: Scored, floor: f32) -> Vec<Scored> {
    ranking
        .scored
        .iter()
        .take(MAX_OFFERED)
        .filter(|s| s.score >= floor && top.score - s.score <= w.clarify_band)
        .copied()
        .collect()
}

fn decide_unless_excused(ranking: &Ranking, w: &Weights, backed: bool) -> Decision {
    let Some(top) = ranking.scored.first().copied() else {
        return Decision::NoMatch;
    };
    if ranking.covered_only_for_others.is_some() {
        return Decision::NoMatch;
    }
    // A story the second opinion clearly reads as about its leader is offered choices from
    // a lower score.
    let story_floor = if ranking.agreement >= w.agreement_min {
        w.story_backed_clarify_min
    } else {
        w.story_clarify_min
    };
    let floor = if ranking.short && ranking.names_topic {
        w.short_clarify_min
    } else if ranking.story
        // Only for what a member can use: not when every entry above it is held back.
        && ranking
            .scored
            .iter()
            .take(MAX_CHOICES)
            .any(|s| s.score >= story_floor && ranking.mismatch(s.entry).is_none())
    {
        story_floor
    } else if ranking.names_drug && ranking.anchored && ranking.mismatch(top.entry).is_none() {
        w.clarify_min_anchored.min(w.clarify_min_named_drug)
    } else if ranking.names_drug {
        w.clarify_min_named_drug
    } else {
        w.clarify_min
    };
    if top.score < floor {
        // A leader the second opinion all but settles, which the topic guard lets through,
        // is still offered from a lower score, never answered: its words are the member's
        // own, not the entries'.
        if backed
            && !ranking.short
            && ranking.agreement >= w.held_back_agreement_min
            && ranking.mismatch(top.entry).is_none()
            && top.score >= w.backed_clarify_min
        {
            return Decision::Clarify(choices(ranking, w, top, w.backed_clarify_min));
        }
        return Decision::NoMatch;
    }
    // A story, or a question with context, scores low against everything; when its asking
    // clauses lead to the same entry as the whole message, a lower score is enough.
    let (answer_min, margin) = if ranking.question_leader == Some(top.entry) {
        (w.story_answer_min, w.story_answer_margin)
    } else {
        (w.answer_min, w.answer_margin)
    };
    if ranking.leads(answer_min, margin)
        && ranking.mismatch(top.entry).is_none()
        && !ranking.top_by_a_term_alone
    {
        return Decision::Answer(top);
    }
    let offered = choices(ranking, w, top, floor);
    // A question about a medicine that no entry it would be offered is about, where the
    // topic guard holds back each of them: it asks about that medicine something the
    // knowledge does not cover ("side effects of methadone", "forgot my naloxegol, should i
    // double up" are not for the entries on alcohol with methadone or on naloxegol's
    // warnings). Declined, like other medicines' questions. An entry about the medicine
    // (one that requires it, such as the disulfiram basics for "how long does antabuse stay
    // in your system") is still offered: there the guard's reason is more often wording; so
    // is any entry for a question naming two medicines (see `Ranking::about_named`).
    // Stories are left out (no development or regression story changed either way): their
    // asking clauses often leave the subject to the story.
    if ranking.names_drug
        && !ranking.story
        && offered
            .iter()
            .all(|s| ranking.mismatch(s.entry).is_some() && !ranking.about_named.contains(&s.entry))
    {
        return Decision::NoMatch;
    }
    // A story whose asking clauses, read alone, settle on one of the entries it would be
    // offered: the question decides, its context having only kept the others close (and
    // before the second opinion on the whole story, which its context words sway).
    if let Some(settled) = ranking.settled_by_question {
        if let Some(chosen) = offered.iter().find(|s| s.entry == settled) {
            if ranking.mismatch(settled).is_none() {
                return Decision::Answer(*chosen);
            }
        }
    }
    // Siblings the words barely separate, where the second opinion clearly prefers the
    // leader: answered; a story only when it all but settles it, and a leader the topic
    // guard holds back only when it all but settles it and the guard's reason may be
    // wording (see `held_back_agreement_min`). Not a bare medicine or topic, which gets its
    // topic's overview (below) or its choices.
    let needed = match (ranking.mismatch(top.entry), ranking.story) {
        (None, false) => Some(w.agreement_min),
        (None, true) => Some(w.story_agreement_min),
        (Some(Mismatch::MissingSubject), _) | (Some(Mismatch::UncoveredFacet(_)), true) => {
            Some(w.held_back_agreement_min)
        }
        (Some(_), _) => None,
    };
    if !ranking.short
        && top.score >= w.agreement_answer_min.max(floor)
        && needed.is_some_and(|needed| ranking.agreement >= needed)
        && !ranking.top_by_a_term_alone
        && !ranking.asks_elsewhere
    {
        return Decision::Answer(top);
    }
    // One entry alone clears the floor for offering, and the second opinion does not
    // speak against it: asking "did you mean…" with one choice only adds a step.
    if let [only] = offered.as_slice() {
        if !ranking.short
            && ranking.scored.len() > 1
            && ranking.agreement >= w.single_choice_agreement_min
            && ranking.mismatch(only.entry).is_none()
            && !ranking.top_by_a_term_alone
            && !ranking.asks_elsewhere
        {
            return Decision::Answer(*only);
        }
    }
    // A bare medicine or topic whose likely entries share a topic: the topic's overview,
    // which offers the others beside it.
    if let Some(overview) = ranking.overview {
        if ranking.short
            && ranking.names_topic
            && overview.score >= floor
            && !ranking.top_by_a_term_alone
        {
            return Decision::Answer(overview);
        }
    }
    Decision::Clarify(offered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(scores: &[f32], leader: Option<usize>) -> Ranking {
        Ranking {
            scored: scores
                .iter()
                .enumerate()
                .map(|(entry, score)| Scored {
                    entry,
                    score: *score,
                })
                .collect(),
            tokens: Vec::new(),
            names_drug: false,
            anchored: false,
            top_by_a_term_alone: false,
            short: false,
            names_topic: true,
            story: true,
            question_leader: leader,
            settled_by_question: None,
            asks_elsewhere: false,
            passing_medicine: None,
            mismatches: Vec::new(),
            about_named: Vec::new(),
            covered_only_for_others: None,
            agreement: 0.0,
            overview: None,
        }
    }

    #[test]
    fn a_story_is_answered_under_the_usual_floor_only_when_its_question_agrees_clearly() {
        let w = Weights::DEFAULT;
        // Between the story floor and the usual one.
        let low = w.answer_min - 0.02;
        let clear = low - w.story_answer_margin - 0.01;
        let close = low - w.story_answer_margin + 0.01;
        assert!(low > w.story_answer_min && clear >= w.story_clarify_min);
        // The asking clauses lead to the same entry, well ahead: answered.
        assert!(matches!(
            decide_with(&story(&[low, clear], Some(0)), &w),
            Decision::Answer(s) if s.entry == 0
        ));
        // A sibling close behind: asked, even though the usual margin is met.
        assert!(close < low - w.answer_margin);
        assert!(matches!(
            decide_with(&story(&[low, close], Some(0)), &w),
            Decision::Clarify(c) if c.len() == 2
        ));
        // The asking clauses lead elsewhere, or nowhere: asked.
        for leader in [Some(1), None] {
            assert!(matches!(
                decide_with(&story(&[low, clear], leader), &w),
                Decision::Clarify(_)
            ));
        }
        // Under the story floor nothing is offered, unless the second opinion backs the
        // leader, down to its own floor.
        assert_eq!(
            decide_with(&story(&[w.story_clarify_min - 0.01], Some(0)), &w),
            Decision::NoMatch
        );
        let backed = |score: f32| Ranking {
            agreement: w.agreement_min,
            ..story(&[score, score - 0.01], Some(0))
        };
        assert!(w.story_backed_clarify_min < w.story_clarify_min);
        assert!(matches!(
            decide_with(&backed(w.story_backed_clarify_min + 0.01), &w),
            Decision::Clarify(c) if c.len() == 2
        ));
        assert_eq!(
            decide_with(&backed(w.story_backed_clarify_min - 0.02), &w),
            Decision::NoMatch
        );
    }

    #[test]
    fn a_leader_the_second_opinion_all_but_settles_is_offered_under_the_usual_floor() {
        let w = Weights::DEFAULT;
        // Under the usual floor, clear of the runner-up, over the backed one.
        let top = (w.backed_clarify_min + w.clarify_min) / 2.0;
        assert!(top < w.clarify_min && top > w.backed_clarify_min);
        let r = |agreement: f32, mismatch: Option<Mismatch>, short: bool| Ranking {
            story: false,
            short,
            agreement,
            mismatches: mismatch.map(|m| (0, m)).into_iter().collect(),
            ..story(&[top, w.backed_clarify_min - 0.05], None)
        };
        // Offered alone, never answered, even though one choice the second opinion backs
        // would be answered over the usual floor.
        assert!(matches!(
            decide_with(&r(w.held_back_agreement_min, None, false), &w),
            Decision::Clarify(c) if c.len() == 1 && c[0].entry == 0
        ));
        // Under the usual floors it is declined, so other readings of the message go first.
        assert!(declined(&r(w.held_back_agreement_min, None, false), &w));
        // Split second opinion, held back by the topic guard, or a short question naming no
        // topic (one that names one has its own floor): declined.
        for ranking in [
            r(w.held_back_agreement_min - 0.01, None, false),
            r(1.0, Some(Mismatch::MissingSubject), false),
            Ranking {
                names_topic: false,
                ..r(1.0, None, true)
            },
        ] {
            assert_eq!(decide_with(&ranking, &w), Decision::NoMatch, "{ranking:?}");
        }
        // Under the backed floor: declined.
        let low = Ranking {
            scored: vec![Scored {
                entry: 0,
                score: w.backed_clarify_min - 0.01,
            }],
            ..r(1.0, None, false)
        };
        assert_eq!(decide_with(&low, &w), Decision::NoMatch);
    }

    #[test]
    fn close_siblings_are_offered_up_to_the_most_a_row_of_buttons_holds() {
        let w = Weights::DEFAULT;
        let top = w.answer_min + 0.05;
        let close: Vec<f32> = (0..MAX_OFFERED + 2)
            .map(|i| top - 0.01 * i as f32)
            .collect();
        let r = Ranking {
            story: false,
            ..story(&close, None)
        };
        assert!(matches!(
            decide_with(&r, &w),
            Decision::Clarify(c) if c.len() == MAX_OFFERED && c[0].entry == 0
        ));
    }

    #[test]
    fn a_medicine_no_choice_is_about_is_declined_when_the_topic_guard_holds_back_every_choice() {
        let w = Weights::DEFAULT;
        let question =
            |mismatches: Vec<(usize, Mismatch)>, about: Vec<usize>, story: bool| Ranking {
                names_drug: true,
                names_topic: true,
                story,
                mismatches,
                about_named: about,
                ..self::story(&[0.6, 0.55, 0.2], None)
            };
        let held = vec![
            (0, Mismatch::UncoveredFacet(0)),
            (1, Mismatch::MissingSubject),
        ];
        assert_eq!(
            decide_with(&question(held.clone(), vec![], false), &w),
            Decision::NoMatch
        );
        for r in [
            // One choice a member can use, or one about the medicine asked about, or a
            // story: offered as before.
            question(vec![(0, Mismatch::UncoveredFacet(0))], vec![], false),
            question(held.clone(), vec![1], false),
            question(held.clone(), vec![], true),
        ] {
            assert!(
                matches!(decide_with(&r, &w), Decision::Clarify(c) if c.len() == 2),
                "{r:?}"
            );
        }
        // Not even when the second opinion all but settles it, as it may for a leader held
        // back for its wording: the medicine asked about is not the entry's.
        let settled = Ranking {
            agreement: 1.0,
            ..question(held.clone(), vec![], false)
        };
        assert_eq!(decide_with(&settled, &w), Decision::NoMatch);
        let about = Ranking {
            agreement: 1.0,
            ..question(
                vec![(0, Mismatch::MissingSubject), (1, Mismatch::MissingSubject)],
                vec![0],
                false,
            )
        };
        assert!(matches!(decide_with(&about, &w), Decision::Answer(_)));
        // The third entry, under the clarify band, is not a choice, so not a reason to offer.
        assert_eq!(
            decide_with(&question(held.clone(), vec![2], false), &w),
            Decision::NoMatch
        );
        // Naming no medicine, nothing is declined for it.
        let r = Ranking {
            names_drug: false,
            ..question(held, vec![], false)
        };
        assert!(matches!(decide_with(&r, &w), Decision::Clarify(_)));
    }

    #[test]
    fn a_reading_that_ignored_a_passing_medicine_is_answered_only_for_an_entry_titled_with_another()
    {
        let w = Weights::DEFAULT;
        let clear = |passing: Option<&str>, anchored: bool| Ranking {
            passing_medicine: passing.map(str::to_string),
            anchored,
            ..story(&[0.9, 0.8, 0.5], Some(0))
        };
        assert!(matches!(
            decide_with(&clear(None, false), &w),
            Decision::Answer(_)
        ));
        assert!(matches!(
            decide_with(&clear(Some("diazepam"), false), &w),
            Decision::Clarify(c) if c.len() == 2 && c[0].entry == 0
        ));
        // The leader's title names a medicine the story names: the one ignored was an aside.
        assert!(matches!(
            decide_with(&clear(Some("diazepam"), true), &w),
            Decision::Answer(s) if s.entry == 0
        ));
    }

    #[test]
    fn a_single_choice_the_second_opinion_does_not_speak_against_is_answered() {
        let w = Weights::DEFAULT;
        // Named drug: offered from `clarify_min_named_drug`; under `answer_min`, so the usual
        // rule only offers it, and the runner-up is under the floor.
        let top = w.clarify_min_named_drug + 0.02;
        assert!(top < w.answer_min);
        let single = |agreement: f32, mismatch: Option<Mismatch>| Ranking {
            names_drug: true,
            story: false,
            agreement,
            mismatches: mismatch.map(|m| (0, m)).into_iter().collect(),
            // About the medicine named: held back, it is offered rather than declined.
            about_named: vec![0],
            ..story(&[top, w.clarify_min_named_drug - 0.05], None)
        };
        assert!(matches!(
            decide_with(&single(w.single_choice_agreement_min, None), &w),
            Decision::Answer(s) if s.entry == 0
        ));
        // The second opinion prefers the runner-up, or the topic guard holds it back: offered.
        assert!(matches!(
            decide_with(&single(w.single_choice_agreement_min - 0.1, None), &w),
            Decision::Clarify(c) if c.len() == 1
        ));
        assert!(matches!(
            decide_with(
                &single(w.single_choice_agreement_min, Some(Mismatch::MissingSubject)),
                &w
            ),
            Decision::Clarify(c) if c.len() == 1
        ));
        // Two choices: offered.
        let two = Ranking {
            agreement: 0.7,
            ..single(0.7, None)
        };
        let two = Ranking {
            scored: vec![
                two.scored[0],
                Scored {
                    entry: 1,
                    score: top - 0.01,
                },
            ],
            ..two
        };
        assert!(matches!(decide_with(&two, &w), Decision::Clarify(c) if c.len() == 2));
    }

    #[test]
    fn a_story_whose_question_alone_settles_on_an_offered_entry_is_answered_with_it() {
        let w = Weights::DEFAULT;
        // Two siblings a hair apart, the second opinion split: asked…
        let low = w.story_clarify_min + 0.05;
        let settled = |entry: Option<usize>, mismatch: Option<Mismatch>| Ranking {
            settled_by_question: entry,
            mismatches: mismatch.map(|m| (1, m)).into_iter().collect(),
            ..story(&[low, low - 0.01, low - w.clarify_band - 0.01], None)
        };
        assert!(matches!(
            decide_with(&settled(None, None), &w),
            Decision::Clarify(c) if c.len() == 2
        ));
        // …unless the asking clauses alone settle on one of the two.
        assert!(matches!(
            decide_with(&settled(Some(1), None), &w),
            Decision::Answer(s) if s.entry == 1
        ));
        // Not on one the story would not even offer, nor one the topic guard holds back.
        assert!(matches!(
            decide_with(&settled(Some(2), None), &w),
            Decision::Clarify(c) if c.len() == 2
        ));
        assert!(matches!(
            decide_with(&settled(Some(1), Some(Mismatch::MissingSubject)), &w),
            Decision::Clarify(_)
        ));
    }

    #[test]
    fn a_story_under_the_usual_floor_is_offered_only_entries_the_topic_guard_lets_through() {
        let w = Weights::DEFAULT;
        let low = w.story_clarify_min + 0.01;
        let held_back = |entries: &[usize]| Ranking {
            mismatches: entries
                .iter()
                .map(|e| (*e, Mismatch::MissingSubject))
                .collect(),
            ..story(&[low, low - 0.005], None)
        };
        // Every entry it could offer held back: declined.
        assert_eq!(decide_with(&held_back(&[0, 1]), &w), Decision::NoMatch);
        // One of them not: offered.
        for entries in [&[0][..], &[1], &[]] {
            assert!(
                matches!(decide_with(&held_back(entries), &w), Decision::Clarify(_)),
                "{entries:?}"
            );
        }
    }

    #[test]
    fn a_named_medicine_the_best_entry_is_titled_with_lowers_the_floor_for_choices() {
        let w = Weights::DEFAULT;
        let between = (w.clarify_min_anchored + w.clarify_min_named_drug) / 2.0;
        let ranking = |anchored: bool, mismatch: Option<Mismatch>| Ranking {
            story: false,
            names_drug: true,
            anchored,
            mismatches: mismatch.map(|m| (0, m)).into_iter().collect(),
            ..story(&[between], None)
        };
        assert!(matches!(
            decide_with(&ranking(true, None), &w),
            Decision::Clarify(c) if c.len() == 1
        ));
        // Titled with another medicine, or held back by the topic guard: declined.
        assert_eq!(decide_with(&ranking(false, None), &w), Decision::NoMatch);
        assert_eq!(
            decide_with(&ranking(true, Some(Mismatch::UncoveredFacet(0))), &w),
            Decision::NoMatch
        );
    }

    #[test]
    fn a_close_leader_the_second_opinion_backs_is_answered() {
        let w = Weights::DEFAULT;
        // Between the usual floor and a sibling within the usual margin.
        let top = w.answer_min + 0.02;
        let sibling = top - w.answer_margin / 2.0;
        let ranking = |agreement: f32, story: bool, mismatch: Option<Mismatch>| Ranking {
            story,
            short: false,
            agreement,
            mismatches: mismatch.map(|m| (0, m)).into_iter().collect(),
            ..self::story(&[top, sibling], None)
        };
        assert!(matches!(
            decide_with(&ranking(w.agreement_min, false, None), &w),
            Decision::Answer(s) if s.entry == 0
        ));
        // A story needs more of it.
        assert!(matches!(
            decide_with(&ranking(w.story_agreement_min, true, None), &w),
            Decision::Answer(s) if s.entry == 0
        ));
        // Split between the two, or a story it does not all but settle, or a bare topic, or
        // held back by the topic guard: asked.
        assert!(w.story_agreement_min > w.agreement_min);
        for r in [
            ranking(w.agreement_min - 0.01, false, None),
            ranking(w.story_agreement_min - 0.01, true, None),
            Ranking {
                short: true,
                ..ranking(1.0, false, None)
            },
            ranking(1.0, false, Some(Mismatch::UncoveredFacet(0))),
        ] {
            assert!(
                matches!(decide_with(&r, &w), Decision::Clarify(c) if c.len() == 2),
                "{r:?}"
            );
        }
        // Held back by the topic guard: answered only when the second opinion all but
        // settles it, and the guard's reason may be wording.
        let held = |agreement: f32, story: bool, mismatch: Mismatch| {
            ranking(agreement, story, Some(mismatch))
        };
        assert!(w.held_back_agreement_min > w.agreement_min);
        for (r, answered) in [
            (
                held(w.held_back_agreement_min, false, Mismatch::MissingSubject),
                true,
            ),
            (
                held(
                    w.held_back_agreement_min - 0.01,
                    false,
                    Mismatch::MissingSubject,
                ),
                false,
            ),
            (
                held(w.held_back_agreement_min, true, Mismatch::UncoveredFacet(0)),
                true,
            ),
            (held(1.0, false, Mismatch::UncoveredFacet(0)), false),
            (held(1.0, true, Mismatch::PassingMention), false),
            (held(1.0, false, Mismatch::PassingMention), false),
            // A subject no entry mentions is never wording.
            (held(1.0, true, Mismatch::UnknownSubject), false),
            (held(1.0, false, Mismatch::UnknownSubject), false),
        ] {
            assert_eq!(
                matches!(decide_with(&r, &w), Decision::Answer(s) if s.entry == 0),
                answered,
                "{r:?}"
            );
        }
        // Under its own floor the second opinion answers nothing.
        let weak = w.agreement_answer_min - 0.01;
        let r = Ranking {
            agreement: 1.0,
            story: false,
            ..self::story(&[weak, weak - 0.005], None)
        };
        assert!(!matches!(decide_with(&r, &w), Decision::Answer(_)));
    }

    #[test]
    fn a_bare_topic_gets_its_overview_when_one_is_ranked() {
        let w = Weights::DEFAULT;
        // A bare topic: its entries close together, the overview second.
        let top = w.short_clarify_min + 0.1;
        let bare = |overview: Option<Scored>, by_a_term_alone: bool| Ranking {
            story: false,
            short: true,
            names_topic: true,
            top_by_a_term_alone: by_a_term_alone,
            overview,
            ..story(&[top, top - 0.01], None)
        };
        let second = Scored {
            entry: 1,
            score: top - 0.01,
        };
        assert_eq!(
            decide_with(&bare(Some(second), false), &w),
            Decision::Answer(second)
        );
        // No overview, or reached only through "the shot": asked.
        for r in [bare(None, false), bare(Some(second), true)] {
            assert!(
                matches!(decide_with(&r, &w), Decision::Clarify(c) if c.len() == 2),
                "{r:?}"
            );
        }
        // An overview under the floor answers nothing.
        let weak = Scored {
            entry: 1,
            score: w.short_clarify_min - 0.01,
        };
        assert!(!matches!(
            decide_with(&bare(Some(weak), false), &w),
            Decision::Answer(_)
        ));
    }
}
