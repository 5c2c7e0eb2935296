//! `medfaq check`: every problem in a knowledge folder, with file, line and entry id.
//!
//! Structural problems come from loading ([`crate::knowledge`]); on top of those, every stored
//! question must retrieve its own entry, so an entry whose questions would be answered by
//! another entry (or that steals another's) is caught before it is served.

use std::path::Path;

use crate::engine::Engine;
use crate::error::Result;
use crate::knowledge::{Finding, KnowledgeBase};
use crate::matcher::Decision;
use crate::reply::Outcome;

/// The result of checking a knowledge folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Every problem found.
    pub findings: Vec<Finding>,
    /// How many entries were read.
    pub entries: usize,
    /// How many stored questions were tried against the matcher.
    pub questions_checked: usize,
}

impl Report {
    /// Returns true if and only if nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Checks the knowledge folder at `dir`. Only an unreadable folder is an `Err`.
pub fn check_dir(dir: &Path) -> Result<Report> {
    let (kb, mut findings) = KnowledgeBase::load_with_findings(dir)?;
    let Some(kb) = kb else {
        return Ok(Report {
            findings,
            entries: 0,
            questions_checked: 0,
        });
    };
    let entries = kb.entries.len();
    let (retrieval, questions_checked) = retrieval_findings(kb);
    findings.extend(retrieval);
    Ok(Report {
        findings,
        entries,
        questions_checked,
    })
}

/// Asks every stored question of every enabled entry and reports those that do not answer
/// with their own entry.
pub fn retrieval_findings(kb: KnowledgeBase) -> (Vec<Finding>, usize) {
    let engine = Engine::new(kb);
    let kb = engine.knowledge();
    let mut findings = Vec::new();
    let mut checked = 0;
    for (ei, entry) in kb.entries.iter().enumerate().filter(|(_, e)| e.enabled) {
        for (qi, q) in entry.questions.iter().enumerate() {
            checked += 1;
            let r = engine.ask(q);
            let stolen = match engine
                .index()
                .decide(&engine.index().rank_without(q, ei, qi))
            {
                Decision::Answer(s) if s.entry != ei => Some(&kb.entries[s.entry]),
                _ => None,
            };
            let problem = match r.outcome {
                Outcome::Answer if r.entry_id.as_deref() == Some(entry.id.as_str()) => {
                    match stolen {
                        None => continue,
                        Some(other) => format!(
                            "question \"{q}\" belongs to entry `{}`: without this exact wording it is answered there; move it or make it distinctive",
                            other.id
                        ),
                    }
                }
                Outcome::Answer => format!(
                    "question \"{q}\" is answered by entry `{}` instead; reword it or the other entry's questions so each finds its own entry",
                    r.entry_id.unwrap_or_default()
                ),
                Outcome::Clarify => format!(
                    "question \"{q}\" is not answered confidently (the bot would ask to choose between {}); make it more distinctive",
                    r.alternatives
                        .iter()
                        .map(|a| format!("`{}`", a.entry_id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Outcome::NoMatch => format!(
                    "question \"{q}\" does not find its own entry (no match); check its drug names against the title and lexicon"
                ),
                Outcome::Emergency => format!(
                    "question \"{q}\" is treated as an emergency happening now; phrase it as a question for information"
                ),
            };
            findings.push(Finding {
                path: entry.origin.path.clone(),
                line: entry
                    .question_lines
                    .get(qi)
                    .copied()
                    .unwrap_or(entry.origin.line),
                entry: Some(entry.id.clone()),
                message: problem,
            });
        }
    }
    (findings, checked)
}
