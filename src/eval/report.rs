//! What scoring an eval file gives: the metrics with their bars, the misses, and the
//! emergencies by kind.

use serde::Serialize;

use super::Expect;
use crate::knowledge::EmergencyKind;
use crate::reply::Outcome;

/// A metric's name, value, bar and whether the bar is a floor or a ceiling.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    /// Snake_case name.
    pub name: &'static str,
    /// The value (0 when the metric has no questions).
    pub value: f64,
    /// The bar it must meet.
    pub bar: f64,
    /// True if the value must be at least the bar; false if at most.
    pub at_least: bool,
    /// How many questions it was computed over.
    pub over: usize,
}

impl Metric {
    /// Returns true if and only if the metric meets its bar (or has no questions).
    pub fn passes(&self) -> bool {
        if self.over == 0 {
            return true;
        }
        if self.at_least {
            self.value >= self.bar - 1e-9
        } else {
            self.value <= self.bar + 1e-9
        }
    }
}

/// A question that did not get the outcome it expects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    /// The question.
    pub q: String,
    /// What it expects.
    pub expect: Expect,
    /// What it got.
    pub outcome: Outcome,
    /// The entry answered, if any.
    pub entry_id: Option<String>,
    /// The choices or runners-up.
    pub alternatives: Vec<String>,
    /// True if and only if this is a confident wrong answer (the worst kind of miss).
    pub wrong_answer: bool,
    /// For an emergency with a `kind`: the kinds the reply was for, when the leading one was
    /// not the expected kind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<EmergencyKind>,
}

/// Emergencies of one kind: how many were recognised, and how many replies led with help
/// for that kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindScore {
    /// The eval kind.
    pub kind: &'static str,
    /// Emergencies of this kind.
    pub questions: usize,
    /// Of those, answered with outcome `emergency`.
    pub recognised: usize,
    /// Of those, whose reply led with help for this kind.
    pub led_with_kind: usize,
}

/// Everything `eval` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Number of questions.
    pub questions: usize,
    /// The six metrics.
    pub metrics: Vec<Metric>,
    /// Every question that missed.
    pub misses: Vec<Miss>,
    /// Emergencies by kind (only kinds the file names).
    pub kinds: Vec<KindScore>,
}

impl Report {
    /// Returns true if and only if every metric meets its bar.
    pub fn passes(&self) -> bool {
        self.metrics.iter().all(Metric::passes)
    }
}
