//! The engine: one loaded knowledge base with its index and safety layer, answering
//! questions. This is what the command line and the Discord adapter call.

use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::knowledge::{Entry, KnowledgeBase};
use crate::matcher::{Decision, Index, Scored, Weights};
use crate::normalize;
use crate::reply::{Choice, Outcome, Reply};
use crate::safety::SafetyLayer;

/// Words that, alone, make a message a greeting or a request for help rather than a question.
const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hiya",
    "yo",
    "help",
    "start",
    "menu",
    "thanks",
    "thank",
    "you",
    "ty",
    "good",
    "morning",
    "evening",
    "afternoon",
    "there",
    "bot",
    "medfaq",
    "please",
    "sup",
];

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
    /// What the member sees.
    pub reply: Reply,
}

/// A loaded knowledge base, ready to answer.
#[derive(Debug)]
pub struct Engine {
    kb: KnowledgeBase,
    index: Index,
    safety: SafetyLayer,
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
        let safety = SafetyLayer::new(&kb.safety);
        let index = Index::with_weights(&kb, &safety.vocabulary(), weights);
        let topics = kb.topic_names();
        let folded_titles = kb.entries.iter().map(|e| folded_words(e.title())).collect();
        Engine {
            kb,
            index,
            safety,
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

    /// Answers one question; emergency help names `region`'s numbers (the default region
    /// when `None` or unknown).
    pub fn ask_in(&self, question: &str, region: Option<&str>) -> Response {
        let analysis = self.index.normalizer().analyze(question);
        let kinds = self.safety.assess(&analysis.words);
        let ranking = self.index.rank_tokens(analysis.tokens);
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
        let decision = self.index.decide(&ranking);
        if !kinds.is_empty() {
            let related = match &decision {
                Decision::Answer(s) => Some(&self.kb.entries[s.entry]),
                Decision::Clarify(c) => c.first().map(|s| &self.kb.entries[s.entry]),
                Decision::NoMatch => None,
            };
            let region = self.kb.region(region);
            return Response {
                question: question.to_string(),
                outcome: Outcome::Emergency,
                entry_id: related.map(|e| e.id.clone()),
                score: top_score,
                alternatives: alternatives(
                    &ranking.scored[..ranking.scored.len().min(MAX_ALTERNATIVES)],
                ),
                reply: Reply::emergency(&self.kb, region, &kinds, related),
            };
        }
        match decision {
            Decision::Answer(top) => {
                let entry = &self.kb.entries[top.entry];
                let rest = &ranking.scored[1..ranking.scored.len().min(MAX_ALTERNATIVES + 1)];
                Response {
                    question: question.to_string(),
                    outcome: Outcome::Answer,
                    entry_id: Some(entry.id.clone()),
                    score: round(top.score),
                    alternatives: alternatives(rest),
                    reply: Reply::from_entry(&self.kb, entry),
                }
            }
            Decision::Clarify(choices) => {
                let entries: Vec<&Entry> =
                    choices.iter().map(|s| &self.kb.entries[s.entry]).collect();
                Response {
                    question: question.to_string(),
                    outcome: Outcome::Clarify,
                    entry_id: None,
                    score: top_score,
                    alternatives: alternatives(&choices),
                    reply: Reply::clarify(&self.kb, &entries),
                }
            }
            Decision::NoMatch => Response {
                question: question.to_string(),
                outcome: Outcome::NoMatch,
                entry_id: None,
                score: top_score,
                alternatives: alternatives(
                    &ranking.scored[..ranking.scored.len().min(MAX_ALTERNATIVES)],
                ),
                reply: Reply::no_match(&self.kb, &self.topics, question),
            },
        }
    }

    /// The reply when a member turns down every choice offered ("none of these").
    pub fn none_of_these(&self) -> Reply {
        Reply::no_match(&self.kb, &self.topics, "")
    }

    /// The reply for an enabled entry, as when a member picks it from a list.
    pub fn entry_reply(&self, id: &str) -> Option<Reply> {
        self.kb
            .entry(id)
            .filter(|e| e.enabled)
            .map(|e| Reply::from_entry(&self.kb, e))
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
            && words.iter().all(|w| GREETINGS.contains(&w.as_str()))
    }

    /// Up to `limit` entries whose titles fit a partly typed question, best first, for
    /// autocomplete. An empty text lists the first titles of each topic.
    pub fn suggest(&self, partial: &str, limit: usize) -> Vec<Choice> {
        let needle = folded_words(partial);
        let to_choice = |e: &Entry| Choice {
            entry_id: e.id.clone(),
            label: crate::reply::truncate(e.title(), 100),
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
