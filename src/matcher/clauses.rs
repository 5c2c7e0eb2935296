//! Reading a message by its clauses: members wrap one question in a story, and the clause
//! that asks says what about; and a medicine set aside ("besides antabuse, what else…") is
//! not what it asks about.

use super::{declined, Decision, Index, Ranking, Scored, MAX_CHOICES};
use crate::normalize::{Analysis, Token, TokenKind};

/// At most this many medicines named in passing are each tried as the one to ignore (see
/// [`Index::rank_analysis`]): each try scores the message again, and a wall of text naming
/// fifty drugs must not cost fifty readings.
const MAX_PASSING_MEDICINES: usize = 3;

impl Index {
    /// Scores every eligible entry for an analysed message, best first. When some of its
    /// clauses ask something and others do not ("long time lurker… 3 weeks on revia… what do
    /// i tell him?"), the words of the other clauses count less (see
    /// [`Weights::context_weight`](super::Weights::context_weight)); the drug guard still
    /// reads every word, unless a medicine the story names only in passing would leave
    /// nothing to offer, or would rule out an entry clearly better than those it lets
    /// through, or one titled with the medicine asked about where those are titled with
    /// none (see [`Ranking::passing_medicine`]).
    pub fn rank_analysis(&self, analysis: &Analysis) -> Ranking {
        let factors = self.clause_factors(analysis);
        let n = analysis.tokens.len();
        // The topic guard reads the clauses that ask, or every word when none does. (A
        // question that says almost nothing asks about the clause before it: "naloxegol while
        // pregnant, is it safe", see `Analysis::asking`.)
        let story = factors.iter().any(|f| *f < 1.0);
        let any_asks = (0..n).any(|i| analysis.token_asks(i));
        // Who reports what a clause says ("my counselor says…") is not what it asks about.
        let reporters = analysis.reporters();
        let asks: Vec<bool> = (0..n)
            .map(|i| (!any_asks || analysis.token_asks(i)) && !reporters[i])
            .collect();
        let mut ranking = self.rank_inner(analysis.tokens.clone(), &factors, &asks, &[], None);
        if asks.iter().any(|a| !a) {
            self.read_question(&mut ranking, analysis, &asks, &[], story);
            // A medicine only a clause that does not ask names may be in passing, in a story
            // or a short message alike ("i take campral. does naltrexone cause nausea").
            if let Some((mut relaxed, excused)) =
                self.without_a_passing_medicine(analysis, &factors, &asks)
            {
                self.read_question(&mut relaxed, analysis, &asks, &excused, story);
                // Read so, the story is offered its entries when read strictly it would be
                // declined, or led by an entry that only the passing medicine let through
                // (a detox medicine leading to the detox entry).
                // (With nothing ranked strictly, the strict reading declines.)
                // Or led by an entry titled with a medicine the member asks about, where the
                // strict leader is titled with none ("back home my GP had me on antabuse…
                // my new doctor prescribes revia. What exactly does antabuse do to you?" is
                // not for the entry on drinking with naltrexone, which mentions antabuse).
                let clearly_other = match (relaxed.scored.first(), ranking.scored.first()) {
                    (Some(r), Some(s)) => {
                        r.entry != s.entry
                            && (r.score - s.score >= self.weights.passing_medicine_lead
                                || (self.titled_with_asked(analysis, &asks, r.entry)
                                    && !self.titled_with_asked(analysis, &asks, s.entry)))
                    }
                    _ => false,
                };
                if clearly_other || declined(&ranking, &self.weights) {
                    return relaxed;
                }
            }
        }
        ranking
    }

    /// Reads a message that mixes clauses that ask with others (`asks`) as its asking clauses
    /// alone, and records on `ranking` what that reading says (see
    /// [`Ranking::question_leader`], [`Ranking::settled_by_question`] and
    /// [`Ranking::asks_elsewhere`]); the drug guard ignores the tokens `excused` marks.
    fn read_question(
        &self,
        ranking: &mut Ranking,
        analysis: &Analysis,
        asks: &[bool],
        excused: &[bool],
        story: bool,
    ) {
        // Only worth reading again when it could change the decision: not a decline (under
        // every floor) or a clear answer.
        match self.decide(ranking) {
            Decision::NoMatch => return,
            Decision::Answer(top) if self.clearly_ahead(ranking, top) => return,
            _ => {}
        }
        // The same message read as its asking clauses alone: when that reading leads with
        // the same entry, the story agrees with the question. ("Can someone explain?" leads
        // nowhere, so a story around it is never answered on the story alone.)
        let focused: Vec<f32> = asks.iter().map(|a| if *a { 1.0 } else { 0.0 }).collect();
        let question = self.rank_inner(analysis.tokens.clone(), &focused, asks, excused, None);
        // A leader scoring between the story floor and the usual one.
        let undecided = ranking.scored.first().is_some_and(|top| {
            top.score >= self.weights.story_answer_min && top.score < self.weights.answer_min
        });
        if undecided {
            // An asking clause that says little ("what are the pros and cons of each?")
            // scores low against everything, and its leader is no evidence.
            ranking.question_leader = question
                .scored
                .first()
                .filter(|s| s.score >= self.weights.story_question_min)
                .map(|s| s.entry);
        }
        if story && excused.is_empty() {
            ranking.settled_by_question = self.settled(&question);
        }
        ranking.asks_elsewhere = self.asks_elsewhere(ranking, &question, analysis, asks);
    }

    /// True if and only if `top` leads `ranking` as any question's leader must to be
    /// answered, whatever its asking clauses say.
    fn clearly_ahead(&self, ranking: &Ranking, top: Scored) -> bool {
        ranking.scored.first() == Some(&top)
            && ranking.leads(self.weights.answer_min, self.weights.answer_margin)
    }

    /// True if and only if the asking clauses of a message (`question`: them read alone)
    /// name only medicines the title of the whole message's leader does not, and would not
    /// even offer that leader.
    fn asks_elsewhere(
        &self,
        ranking: &Ranking,
        question: &Ranking,
        analysis: &Analysis,
        asks: &[bool],
    ) -> bool {
        let (Some(leader), Some(asked)) = (ranking.scored.first(), question.scored.first()) else {
            return false;
        };
        let offered =
            question.scored.iter().take(MAX_CHOICES).any(|s| {
                s.entry == leader.entry && asked.score - s.score <= self.weights.clarify_band
            });
        asked.score >= self.weights.story_question_min
            && !offered
            && self
                .facets
                .asks_about_other_medicines(leader.entry, &self.facets.read(&analysis.tokens, asks))
    }

    /// The entry a reading answers on its words alone, backed by the second opinion (see
    /// [`Ranking::settled_by_question`]).
    fn settled(&self, reading: &Ranking) -> Option<usize> {
        let w = &self.weights;
        let top = reading.scored.first()?;
        (reading.leads(
            w.agreement_answer_min.max(w.story_question_min),
            w.story_answer_margin,
        ) && reading.agreement >= w.agreement_min
            && reading.mismatch(top.entry).is_none()
            && !reading.top_by_a_term_alone)
            .then_some(top.entry)
    }

    /// Each token's share of its weight: 1 in a clause that asks, or when no clause or every
    /// clause asks; the context weights otherwise.
    fn clause_factors(&self, analysis: &Analysis) -> Vec<f32> {
        let n = analysis.tokens.len();
        let asks: Vec<bool> = (0..n).map(|i| analysis.token_asks(i)).collect();
        // A story by the length of what surrounds its questions, including what they ask
        // about.
        let context_words = analysis
            .tokens
            .iter()
            .enumerate()
            .filter(|(i, t)| !analysis.token_asks_itself(*i) && t.kind != TokenKind::Stop)
            .count();
        let is_story = context_words as f32 >= self.weights.context_min_words;
        if !is_story || context_words == n || !asks.iter().any(|a| *a) {
            return vec![1.0; n];
        }
        analysis
            .tokens
            .iter()
            .zip(&asks)
            .map(|(t, asks)| match (asks, t.kind) {
                (true, _) => 1.0,
                (false, TokenKind::Drug | TokenKind::Class) => self.weights.context_drug_weight,
                (false, _) => self.weights.context_weight,
            })
            .collect()
    }

    /// Returns true if and only if the title of the entry at `entry` names a medicine the
    /// asking clauses (`asks`) name.
    fn titled_with_asked(&self, analysis: &Analysis, asks: &[bool], entry: usize) -> bool {
        let anchors = self.guard.anchors(entry);
        analysis.tokens.iter().zip(asks).any(|(t, asks)| {
            *asks && t.kind == TokenKind::Drug && anchors.contains(&t.text.as_str())
        })
    }

    /// A story that names several medicines, one of which only in passing ("stopped with a
    /// medical detox (librium)… offered acamprosate or naltrexone… which of the two would
    /// make more sense for me?"): that one rules out every entry that does not mention it
    /// too, and can leave nothing to offer. The story read with the drug guard ignoring
    /// it, for each medicine named only outside the asking clauses (`asks`) in turn, while
    /// another medicine is still named: the reading that offers the best entry, if any does.
    /// Its entries are only ever offered (see [`Ranking::passing_medicine`]).
    fn without_a_passing_medicine(
        &self,
        analysis: &Analysis,
        factors: &[f32],
        asks: &[bool],
    ) -> Option<(Ranking, Vec<bool>)> {
        let tokens = &analysis.tokens;
        let medicine = |t: &Token| matches!(t.kind, TokenKind::Drug | TokenKind::Class);
        let mut named: Vec<&str> = tokens
            .iter()
            .filter(|t| medicine(t))
            .map(|t| t.text.as_str())
            .collect();
        named.sort_unstable();
        named.dedup();
        if named.len() < 2 {
            return None;
        }
        let asked = |text: &str| {
            tokens
                .iter()
                .zip(asks)
                .any(|(t, asks)| *asks && t.text == text)
        };
        let mut best: Option<(Ranking, Vec<bool>)> = None;
        for passing in named
            .into_iter()
            .filter(|m| !asked(m))
            .take(MAX_PASSING_MEDICINES)
        {
            let excused: Vec<bool> = tokens.iter().map(|t| t.text == passing).collect();
            let mut relaxed = self.rank_inner(tokens.clone(), factors, asks, &excused, None);
            relaxed.passing_medicine = Some(passing.to_string());
            let score = |r: &Ranking| r.scored.first().map_or(0.0, |s| s.score);
            if self.decide(&relaxed) != Decision::NoMatch
                && best
                    .as_ref()
                    .is_none_or(|(b, _)| score(&relaxed) > score(b))
            {
                best = Some((relaxed, excused));
            }
        }
        best
    }
}

/// Words (as the normalizer stems them) that set the medicine after them aside: "besides
/// antabuse", "other than naltrexone", "apart from revia", "aside from campral", "except
/// vivitrol", "not the naltrexone, the actual withdrawal". The member asks about something
/// else. ("not" only directly before the medicine: "not on naltrexone yet" is about it.) A
/// medicine named for comparison is set aside too: "will i get sick like with antabuse if i
/// drink on it" asks about the medicine "it" stands for.
const SET_ASIDE_BY: &[&[&str]] = &[
    &["like", "with"],
    &["like", "on"],
    &["besid"],
    &["not"],
    &["not", "the"],
    &["except"],
    &["other", "than"],
    &["apart", "from"],
    &["asid", "from"],
];

/// Verbs that, just before "not", make it part of a question about the medicine after it:
/// "isn't naltrexone bad for your liver", "won't vivitrol block my pain meds", "doesn't
/// revia cause nausea" ask about it rather than set it aside.
const ASKING_BEFORE_NOT: &[&str] = &[
    "is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would", "should",
    "has", "have", "had", "am", "must", "might",
];

/// The positions of the medicines and classes set aside by the words just before them (see
/// [`SET_ASIDE_BY`]); usually none.
pub(super) fn set_aside(tokens: &[Token]) -> Vec<usize> {
    (0..tokens.len())
        .filter(|&i| {
            matches!(tokens[i].kind, TokenKind::Drug | TokenKind::Class)
                && SET_ASIDE_BY.iter().any(|cue| {
                    let Some(start) = i.checked_sub(cue.len()) else {
                        return false;
                    };
                    let asks = cue[0] == "not"
                        && start > 0
                        && ASKING_BEFORE_NOT.contains(&tokens[start - 1].text.as_str());
                    !asks
                        && tokens[start..i]
                            .iter()
                            .zip(cue.iter())
                            .all(|(t, w)| t.text == *w)
                })
        })
        .collect()
}
