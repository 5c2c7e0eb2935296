//! The engine: one loaded knowledge base with its index and safety layer, answering
//! questions. This is what the command line and the Discord adapter call.

use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::knowledge::{EmergencyKind, Entry, KnowledgeBase, Region};
use crate::lang;
use crate::limits::MAX_AUTOCOMPLETE_TITLE;
use crate::matcher::{self, Decision, Index, Mismatch, Scored, Weights};
use crate::normalize;
use crate::normalize::Token;
use crate::reply::{Choice, Outcome, Reply};
use crate::triage::{self, Assessment, Triage};

/// A runner-up or a choice, for JSON output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alternative {
    /// The entry's id.
    pub entry_id: String,
    /// Its title.
    pub title: String,
    /// Its score.
    pub score: f32,
}

/// Everything the engine concluded about one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// The question as asked.
    pub question: String,
    /// The one outcome.
    pub outcome: Outcome,
    /// The entry answered (for `answer`), or the related entry (for `emergency`).
    pub entry_id: Option<String>,
    /// The best score (0 when nothing scored).
    pub score: f32,
    /// The choices for `clarify`; the runners-up otherwise.
    pub alternatives: Vec<Alternative>,
    /// For `emergency`: what triage found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency: Option<Emergency>,
    /// What the member sees.
    pub reply: Reply,
}

/// What triage found in an emergency, for JSON output and logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Emergency {
    /// The kinds of emergency, the one the reply leads with first.
    pub kinds: Vec<EmergencyKind>,
    /// True when triage's learned reader found it, not a rule.
    pub learned: bool,
}

/// What autocomplete offers for a partly typed question.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestions {
    /// When the text so far describes an emergency: its kinds. The adapter then offers
    /// emergency help first, and any suggestion picked must lead to the emergency reply.
    pub emergency: Option<Vec<EmergencyKind>>,
    /// Entries whose titles fit, best first.
    pub choices: Vec<Choice>,
}

/// How the engine read one question (for `ask --explain`): what matching and triage saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The question's tokens, each with its kind and similarity (below 1 when corrected).
    pub tokens: Vec<Token>,
    /// The best-scoring eligible entries, best first, at most [`MAX_EXPLAINED`].
    pub entries: Vec<ExplainedEntry>,
    /// How triage read it: each clause's concepts, the rules that fired and why others did
    /// not.
    pub triage: triage::Explanation,
    /// The subject the question asks about that the knowledge covers only for other
    /// medicines, when that is why it is declined.
    pub covered_only_for_others: Option<String>,
    /// The second opinion's share for the best entry (see
    /// [`crate::matcher::Ranking::agreement`]).
    pub agreement: f32,
    /// For a bare medicine or topic, the overview entry that answers it (see
    /// [`crate::matcher::Ranking::overview`]).
    pub overview: Option<String>,
    /// A medicine the story names only in passing, which the drug guard ignored (see
    /// [`crate::matcher::Ranking::passing_medicine`]).
    pub passing_medicine: Option<String>,
    /// The tokens of the clauses that ask (see [`crate::normalize::Analysis::asking`]),
    /// when some clauses ask and others do not.
    pub asking: Vec<String>,
    /// The entry the asking clauses, read alone, lead to, when that lowers the score a story
    /// is answered from (see [`crate::matcher::Ranking::question_leader`]).
    pub question_leader: Option<String>,
    /// The entry the asking clauses of a story, read alone, settle on (see
    /// [`crate::matcher::Ranking::settled_by_question`]).
    pub settled_by_question: Option<String>,
    /// True if and only if the asking clauses are about another medicine than the best
    /// entry's (see [`crate::matcher::Ranking::asks_elsewhere`]).
    pub asks_elsewhere: bool,
    /// True if and only if the usual floors decline the question and its choices are offered
    /// only because the second opinion all but settles the leader (see
    /// [`crate::matcher::Weights::backed_clarify_min`]).
    pub offered_on_the_second_opinion: bool,
}

/// One of the best-scoring entries in an [`Explanation`].
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainedEntry {
    /// The entry's id.
    pub entry_id: String,
    /// Its score, unrounded.
    pub score: f32,
    /// The drugs its title names (naming one earns the anchor bonus).
    pub title_drugs: Vec<String>,
    /// The drugs a question must name for the entry to be eligible.
    pub required_drugs: Vec<String>,
    /// Why the topic guard lets the entry be offered but not answered, if it does.
    pub held_back: Option<String>,
}

/// How many of the best-scoring entries an explanation lists.
pub const MAX_EXPLAINED: usize = 5;

/// A loaded knowledge base, ready to answer.
#[derive(Debug)]
pub struct Engine {
    kb: KnowledgeBase,
    index: Index,
    triage: Triage,
    /// Topic names, for replies that point to browsing.
    topics: Vec<String>,
    /// Each entry's title as autocomplete compares it (see [`folded_words`]), by entry.
    folded_titles: Vec<String>,
}

/// How many runners-up a response lists.
pub const MAX_ALTERNATIVES: usize = 3;

impl Engine {
    /// Builds the engine for a checked knowledge base.
    pub fn new(kb: KnowledgeBase) -> Engine {
        Engine::with_weights(kb, Weights::DEFAULT)
    }

    /// Builds the engine with other matcher weights (for calibration).
    pub fn with_weights(kb: KnowledgeBase, weights: Weights) -> Engine {
        let (targets, known) = Triage::vocabulary(&kb);
        let index = Index::with_vocabulary(&kb, &targets, &known, weights);
        let triage = Triage::new(&kb, index.normalizer());
        let topics = kb.topic_names();
        let folded_titles = kb.entries.iter().map(|e| folded_words(e.title())).collect();
        Engine {
            kb,
            index,
            triage,
            topics,
            folded_titles,
        }
    }

    /// Loads, checks and indexes the knowledge folder at `dir`.
    pub fn load(dir: &Path) -> Result<Engine> {
        Ok(Engine::new(KnowledgeBase::load(dir)?))
    }

    /// The knowledge base served.
    pub fn knowledge(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// The search index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Answers one question for the default region.
    pub fn ask(&self, question: &str) -> Response {
        self.ask_in(question, None)
    }

    /// Answers one question; emergency help and crisis lines are `region`'s (the default
    /// region when `None` or unknown).
    pub fn ask_in(&self, question: &str, region: Option<&str>) -> Response {
        let region = self.kb.region(region);
        let analysis = self.index.normalizer().analyze(question);
        let assessment = self.triage.assess(&analysis);
        if assessment.is_emergency() {
            return self.emergency_response(question, &assessment, region);
        }
        let ranking = self.index.rank_analysis(&analysis);
        let alternatives = |list: &[Scored]| -> Vec<Alternative> {
            list.iter()
                .map(|s| {
                    let e = &self.kb.entries[s.entry];
                    Alternative {
                        entry_id: e.id.clone(),
                        title: e.title().to_string(),
                        score: round(s.score),
                    }
                })
                .collect()
        };
        let top_score = ranking.scored.first().map_or(0.0, |s| round(s.score));
        let notice = assessment.notices.first().map(String::as_str);
        let (outcome, entry_id, score, listed, reply) = match self.index.decide(&ranking) {
            Decision::Answer(top) => {
                let entry = &self.kb.entries[top.entry];
                let rest = &ranking.scored[1..ranking.scored.len().min(MAX_ALTERNATIVES + 1)];
                (
                    Outcome::Answer,
                    Some(entry.id.clone()),
                    round(top.score),
                    alternatives(rest),
                    Reply::from_entry(&self.kb, entry, region),
                )
            }
            Decision::Clarify(choices) => {
                let entries: Vec<&Entry> =
                    choices.iter().map(|s| &self.kb.entries[s.entry]).collect();
                (
                    Outcome::Clarify,
                    None,
                    top_score,
                    alternatives(&choices),
                    Reply::clarify(&self.kb, &entries, region),
                )
            }
            Decision::NoMatch => (
                Outcome::NoMatch,
                None,
                top_score,
                alternatives(&ranking.scored[..ranking.scored.len().min(MAX_ALTERNATIVES)]),
                Reply::no_match(&self.kb, &self.topics, question, region),
            ),
        };
        Response {
            question: question.to_string(),
            outcome,
            entry_id,
            score,
            alternatives: listed,
            emergency: None,
            reply: reply.with_notice(notice, region),
        }
    }

    fn emergency_response(
        &self,
        question: &str,
        assessment: &Assessment,
        region: &Region,
    ) -> Response {
        let kinds = &assessment.kinds;
        Response {
            question: question.to_string(),
            outcome: Outcome::Emergency,
            entry_id: None,
            score: 0.0,
            alternatives: Vec::new(),
            emergency: Some(Emergency {
                kinds: kinds.to_vec(),
                learned: assessment.learned,
            }),
            reply: Reply::emergency(&self.kb, region, kinds),
        }
    }

    /// How the engine reads `text` (words, tokens, clauses): what triage and matching share.
    pub fn analyze(&self, text: &str) -> normalize::Analysis {
        self.index.normalizer().analyze(text)
    }

    /// What triage makes of an analysed text (see [`Engine::analyze`]): the triage stage
    /// alone, as [`Engine::ask_in`] runs it.
    pub fn triage_analysis(&self, analysis: &normalize::Analysis) -> Assessment {
        self.triage.assess(analysis)
    }

    /// What triage makes of `text`, without matching it.
    pub fn triage(&self, text: &str) -> Assessment {
        self.triage.assess(&self.index.normalizer().analyze(text))
    }

    /// How triage read `text`: each clause's concepts, the rules that fired, and why others
    /// did not (for `ask --explain`).
    pub fn explain_triage(&self, text: &str) -> triage::Explanation {
        self.triage.explain(&self.index.normalizer().analyze(text))
    }

    /// How the engine reads `question`: its tokens, the best-scoring entries with the drugs
    /// their titles name and require, and how triage read it.
    pub fn explain(&self, question: &str) -> Explanation {
        let analysis = self.analyze(question);
        let triage = self.triage.explain(&analysis);
        let ranking = self.index.rank_analysis(&analysis);
        let mut asking: Vec<String> = (0..analysis.tokens.len())
            .filter(|i| analysis.token_asks(*i))
            .map(|i| analysis.tokens[i].text.clone())
            .collect();
        if asking.len() == analysis.tokens.len() {
            asking.clear();
        }
        let offered_on_the_second_opinion =
            matches!(self.index.decide(&ranking), Decision::Clarify(_))
                && matcher::declined(&ranking, self.index.weights());
        let guard = self.index.guard();
        let owned = |names: Vec<&str>| names.into_iter().map(str::to_string).collect();
        let entries = ranking
            .scored
            .iter()
            .take(MAX_EXPLAINED)
            .map(|s| ExplainedEntry {
                entry_id: self.kb.entries[s.entry].id.clone(),
                score: s.score,
                title_drugs: owned(guard.anchors(s.entry)),
                required_drugs: owned(guard.required(s.entry)),
                held_back: ranking.mismatch(s.entry).map(|m| match m {
                    Mismatch::UncoveredFacet(id) => match self.index.facets().name(id) {
                        Some(name) => format!("{m} ({name})"),
                        None => m.to_string(),
                    },
                    m => m.to_string(),
                }),
            })
            .collect();
        Explanation {
            tokens: ranking.tokens,
            entries,
            triage,
            covered_only_for_others: ranking.covered_only_for_others,
            agreement: ranking.agreement,
            overview: ranking
                .overview
                .map(|o| self.kb.entries[o.entry].id.clone()),
            passing_medicine: ranking.passing_medicine,
            asking,
            question_leader: ranking
                .question_leader
                .map(|e| self.kb.entries[e].id.clone()),
            settled_by_question: ranking
                .settled_by_question
                .map(|e| self.kb.entries[e].id.clone()),
            asks_elsewhere: ranking.asks_elsewhere,
            offered_on_the_second_opinion,
        }
    }

    /// The emergency reply for `kinds` (as when a member picks the emergency suggestion).
    pub fn emergency_reply(&self, kinds: &[EmergencyKind], region: Option<&str>) -> Reply {
        Reply::emergency(&self.kb, self.kb.region(region), kinds)
    }

    /// The reply when a member turns down every choice offered ("none of these").
    pub fn none_of_these(&self, region: Option<&str>) -> Reply {
        Reply::no_match(&self.kb, &self.topics, "", self.kb.region(region))
    }

    /// The reply for an enabled entry, as when a member picks it from a list.
    pub fn entry_reply(&self, id: &str, region: Option<&str>) -> Option<Reply> {
        self.kb
            .entry(id)
            .filter(|e| e.enabled)
            .map(|e| Reply::from_entry(&self.kb, e, self.kb.region(region)))
    }

    /// Emergency, crisis, poison and treatment lines for `region`.
    pub fn help_lines(&self, region: Option<&str>) -> Reply {
        Reply::help_lines(&self.kb, self.kb.region(region))
    }

    /// Returns true if and only if `text` is only a greeting or a request for help ("hi",
    /// "help", "hello bot"), which a direct message answers with an introduction.
    pub fn is_greeting(&self, text: &str) -> bool {
        let words = normalize::words(text);
        !words.is_empty()
            && words.len() <= 4
            && words
                .iter()
                .all(|w| lang::texts(None).greetings.contains(&w.as_str()))
    }

    /// What autocomplete offers for a partly typed question: triage runs on the text so
    /// far, so an emergency is recognised before the member sends it; then up to `limit`
    /// entries whose titles fit, best first (an empty text lists the first titles).
    pub fn suggest(&self, partial: &str, limit: usize) -> Suggestions {
        let assessment = self.triage(partial);
        Suggestions {
            emergency: assessment.is_emergency().then_some(assessment.kinds),
            choices: self.suggest_titles(partial, limit),
        }
    }

    /// Up to `limit` entries whose titles fit a partly typed question, best first.
    fn suggest_titles(&self, partial: &str, limit: usize) -> Vec<Choice> {
        let needle = folded_words(partial);
        let to_choice = |e: &Entry| Choice {
            entry_id: e.id.clone(),
            label: crate::reply::truncate(e.title(), MAX_AUTOCOMPLETE_TITLE),
        };
        if needle.is_empty() {
            return self.kb.enabled().take(limit).map(to_choice).collect();
        }
        let mut ranked: Vec<(f32, usize)> = self
            .index
            .rank(partial)
            .scored
            .iter()
            .map(|s| (s.score, s.entry))
            .collect();
        // Titles that contain the typed text as is come first: the member is typing a title.
        for (i, title) in self.folded_titles.iter().enumerate() {
            if !self.kb.entries[i].enabled {
                continue;
            }
            if title.contains(&needle) {
                match ranked.iter_mut().find(|(_, j)| *j == i) {
                    Some(slot) => slot.0 += 1.0,
                    None => ranked.push((1.0, i)),
                }
            }
        }
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked
            .into_iter()
            .take(limit)
            .map(|(_, i)| to_choice(&self.kb.entries[i]))
            .collect()
    }
}

/// Text folded for matching (see [`normalize::fold`]) with single spaces between words.
fn folded_words(text: &str) -> String {
    normalize::fold(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Rounds a score for display and JSON, so output is stable across tiny float differences.
fn round(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
