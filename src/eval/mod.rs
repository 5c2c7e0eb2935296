//! `medfaq eval`: scores an evaluation file as the project's eval README defines.
//!
//! Each item is a question and what must happen: an entry id (or a list of acceptable ids,
//! which may also name the outcomes `no_match` or `emergency`), `no_match`, or `emergency`
//! with an optional `kind`. Six metrics come out, each with its bar, and for emergencies the
//! recall per kind and how often the reply led with the expected kind.

//!
//! [`parse`] reads the file, [`score`] runs each question through the engine, and
//! `report` holds what comes out.

use serde::Serialize;

use crate::knowledge::EmergencyKind;
use crate::reply::Outcome;

mod parse;
mod report;
mod score;

pub use parse::{load, parse, unknown_ids, UnknownId};
pub use report::{KindScore, Metric, Miss, Report};
pub use score::score;

/// What an eval item expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// One of these entries answers it (or one of `Item::also`'s outcomes is right).
    Entries(Vec<String>),
    /// Nothing curated answers it.
    NoMatch,
    /// It describes an emergency happening now.
    Emergency,
}

/// The kinds an eval file names on emergencies (`../shared/eval/README.md`).
pub const EVAL_KINDS: &[&str] = &["overdose", "withdrawal", "suicide", "poisoning", "seizure"];

/// The eval kind an emergency reply is for: self-harm is scored with suicide.
pub fn eval_kind(kind: EmergencyKind) -> &'static str {
    match kind {
        EmergencyKind::SelfHarm => "suicide",
        other => other.as_str(),
    }
}

/// One question and its expected outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// As typed.
    pub q: String,
    /// What must happen.
    pub expect: Expect,
    /// For an entry list: outcomes that also count as correct (`no_match`, `emergency`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Outcome>,
    /// For an emergency: which help must lead (one of [`EVAL_KINDS`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl Item {
    /// An item expecting `expect`, with no outcome list and no kind.
    pub fn new(q: impl Into<String>, expect: Expect) -> Item {
        Item {
            q: q.into(),
            expect,
            also: Vec::new(),
            kind: None,
        }
    }
}

#[cfg(test)]
mod tests;
