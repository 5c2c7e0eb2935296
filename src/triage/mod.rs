//! Emergency triage: reads a message as concepts and decides, by rules over them, whether it
//! describes an emergency happening now, and of which kind.
//!
//! Everything clinical lives in `knowledge/safety.yaml`, so curators extend it without Rust:
//! - **Concepts** (unresponsive, not breathing, suicide intent, stopped drinking, past, now…)
//!   are recognised by their *forms*, short phrases read the way member text is read (lexicon
//!   slang and brands, stems, spelling correction), so "wont wake", "will not wake up" and
//!   "aint waking" meet the same form. See [`crate::knowledge::parse_form`] for the syntax.
//! - A message is split into **clauses** at punctuation and "but". A *suppressor* concept
//!   (a past event, a question for information, a hypothetical, hyperbole) only silences the
//!   signs of its own clause, and never when that clause also says something is happening now.
//! - **Rules** name the signs they need (`any`, `all`), the context they need anywhere in the
//!   message (`with`), context that rules them out (`without`) and the suppressors that apply
//!   to them (`unless`). The first rule that fires decides the kind the reply leads with.
//! - When no rule fires, the **learned reader** (`model.rs`), trained on `triage-examples.yaml`
//!   and the entries' questions, reads the message whole and escalates it when it finds an
//!   emergency at least [`LEARNED_THRESHOLD`] likely. Forms cover the phrasings someone thought
//!   of; messages nobody wrote a form for are where it earns its place. It only adds: it never
//!   silences a rule.
//!
//! Triage reads the [`Analysis`] the matcher already made, so it costs a few hash look-ups
//! per word.

mod form;
mod model;

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::knowledge::{EmergencyKind, KnowledgeBase, TermKind};
use crate::normalize::{Analysis, Normalizer, TokenKind};
use form::{Classes, Form, StartKey, Unit};
use model::Model;

/// The learned reader escalates a message the rules left alone when it finds an emergency
/// this likely.
pub const LEARNED_THRESHOLD: f32 = 0.6;

/// The learned reader trains on at most this many entry questions (as messages describing
/// no emergency), spread evenly over the knowledge, so a very large knowledge base still
/// loads quickly.
const MAX_QUESTIONS_LEARNED: usize = 5000;

/// At most this many concepts: a message's concepts are kept as bits of one `u128`.
pub const MAX_CONCEPTS: usize = 128;

/// Form words at least this long are spelling-correction targets; shorter ones are not.
pub const MIN_CORRECTION_TARGET_LEN: usize = 8;

/// Words that start a new clause, as a comma would.
const CLAUSE_WORDS: &[&str] = &["but", "pero"];

/// Words that deny what follows them: "i'm not thinking of hurting myself", "not drinking,
/// not using". A form that starts with one ("not breathing") is read as written.
const NEGATORS: &[&str] = &["not", "no", "never"];

/// Words that may stand between a negator and the words it denies ("not really thinking of
/// hurting myself"); any other word ends its reach ("i could not believe it, he is blue").
const NEGATION_BRIDGES: &[&str] = &[
    "really",
    "even",
    "ever",
    "actually",
    "currently",
    "think",
    "thinking",
    "thought",
    "planning",
    "plan",
    "plans",
    "thoughts",
    "intention",
    "intentions",
    "urge",
    "desire",
    "going",
    "gonna",
    "want",
    "wanting",
    "trying",
    "considering",
    "about",
    "of",
    "to",
    "on",
    "at",
    "all",
    "been",
    "be",
    "i",
    "am",
    "is",
    "are",
    "was",
    "were",
    "have",
    "has",
    "had",
    "do",
    "does",
    "did",
    "will",
    "would",
    "he",
    "she",
    "they",
    "we",
    "it",
    "any",
    "anymore",
    "sure",
];

/// At most this many bridge words between a negator and the words it denies.
const NEGATION_REACH: usize = 3;

/// Returns true if and only if the words from `start` on are denied by a negator just
/// before them, in the same clause.
fn negated(units: &[Unit], start: usize) -> bool {
    if NEGATORS.contains(&units[start].raw) {
        return false;
    }
    let clause = units[start].clause;
    for back in 1..=NEGATION_REACH + 1 {
        let Some(u) = start.checked_sub(back).map(|i| &units[i]) else {
            return false;
        };
        if u.clause != clause {
            return false;
        }
        if NEGATORS.contains(&u.raw) {
            return true;
        }
        if !NEGATION_BRIDGES.contains(&u.raw) {
            return false;
        }
    }
    false
}

type Bits = u128;

/// A compiled rule.
#[derive(Debug, Clone)]
struct Rule {
    kind: EmergencyKind,
    name: String,
    any: Bits,
    all: Bits,
    with: Bits,
    without: Bits,
    settled_by: Bits,
    unless: Bits,
}

/// What triage concluded about one message.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Assessment {
    /// The kinds of emergency described, the one the reply leads with first; empty when the
    /// message is not an emergency.
    pub kinds: Vec<EmergencyKind>,
    /// Notices to show above an answer: the message touches a crisis topic without being an
    /// emergency (texts from `safety.yaml`, placeholders not yet filled).
    #[serde(skip)]
    pub notices: Vec<String>,
    /// True when the learned reader, not a rule, found the emergency.
    #[serde(skip)]
    pub learned: bool,
}

impl Assessment {
    /// Returns true if and only if the message describes an emergency.
    pub fn is_emergency(&self) -> bool {
        !self.kinds.is_empty()
    }
}

/// How triage read a message: for `ask --explain`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Each clause's concepts, in order.
    pub clauses: Vec<Vec<String>>,
    /// The rules that fired, by name, with their kind.
    pub fired: Vec<String>,
    /// For rules whose signs appeared but that did not fire: why not.
    pub held_back: Vec<String>,
    /// What the learned reader made of it: the likeliest kind and how likely an emergency
    /// is, and whether that escalates.
    pub learned: Option<String>,
}

/// The compiled triage stage.
#[derive(Debug, Clone)]
pub struct Triage {
    names: Vec<String>,
    forms: Vec<Form>,
    /// Forms by what they start with: a token text, a word exactly as typed, a lexicon name,
    /// or a number or year (one map each, so a look-up never allocates).
    by_token: HashMap<String, Vec<u32>>,
    by_exact: HashMap<String, Vec<u32>>,
    by_lexicon: HashMap<String, Vec<u32>>,
    by_number: Vec<u32>,
    by_year: Vec<u32>,
    /// Each lexicon drug's classes, for `@class` pieces.
    classes: Classes,
    rules: Vec<Rule>,
    now: Bits,
    /// The `recovered` concept: cancels `now` in its clause. A negator denies neither
    /// ("not anymore" is still a change of state, and "i can not stop" is now).
    recovered: Bits,
    notices: Vec<(usize, String)>,
    /// The learned reader, when there are examples to learn from.
    model: Option<Model>,
}

impl Triage {
    /// Compiles the concepts and rules of `kb`'s `safety.yaml`, reading forms with
    /// `normalizer` so they meet member text on the same terms.
    pub fn new(kb: &KnowledgeBase, normalizer: &Normalizer) -> Triage {
        let safety = &kb.safety;
        let names: Vec<String> = safety
            .concepts
            .iter()
            .take(MAX_CONCEPTS)
            .map(|c| c.name.clone())
            .collect();
        let bit =
            |name: &str| -> Bits { names.iter().position(|n| n == name).map_or(0, |i| 1 << i) };
        let bits = |list: &[String]| list.iter().fold(0, |acc, n| acc | bit(n));
        let mut forms = Vec::new();
        let mut by_token: HashMap<String, Vec<u32>> = HashMap::default();
        let mut by_exact: HashMap<String, Vec<u32>> = HashMap::default();
        let mut by_lexicon: HashMap<String, Vec<u32>> = HashMap::default();
        let (mut by_number, mut by_year) = (Vec::new(), Vec::new());
        for (i, concept) in safety.concepts.iter().take(MAX_CONCEPTS).enumerate() {
            for text in &concept.forms {
                if let Some(form) = Form::compile(i, text, normalizer) {
                    let at = forms.len() as u32;
                    for key in form.start_keys() {
                        match key {
                            StartKey::Token(t) => by_token.entry(t).or_default().push(at),
                            StartKey::Exact(w) => by_exact.entry(w).or_default().push(at),
                            StartKey::Lexicon(n) => by_lexicon.entry(n).or_default().push(at),
                            StartKey::Number => by_number.push(at),
                            StartKey::Year => by_year.push(at),
                        }
                    }
                    forms.push(form);
                }
            }
        }
        let classes = kb
            .lexicon
            .terms
            .iter()
            .filter(|t| t.kind == TermKind::Drug && !t.classes.is_empty())
            .map(|t| (t.name.clone(), t.classes.clone()))
            .collect();
        let rules = safety
            .rules
            .iter()
            .filter_map(|r| {
                Some(Rule {
                    kind: r.kind?,
                    name: r.name.clone(),
                    any: bits(&r.any),
                    all: bits(&r.all),
                    with: bits(&r.with),
                    without: bits(&r.without),
                    settled_by: bits(&r.settled_by),
                    unless: bits(&r.unless),
                })
            })
            .collect();
        let notices = safety
            .notices
            .iter()
            .filter_map(|(name, text)| Some((names.iter().position(|n| n == name)?, text.clone())))
            .collect();
        let mut triage = Triage {
            now: bit(crate::knowledge::NOW),
            recovered: bit(crate::knowledge::RECOVERED),
            names,
            forms,
            by_token,
            by_exact,
            by_lexicon,
            by_number,
            by_year,
            classes,
            rules,
            notices,
            model: None,
        };
        triage.model = triage.learn(kb, normalizer);
        triage
    }

    /// Trains the learned reader on `kb`'s triage examples and entry questions.
    fn learn(&self, kb: &KnowledgeBase, normalizer: &Normalizer) -> Option<Model> {
        let examples = &kb.safety.examples;
        if examples.is_empty() {
            return None;
        }
        let questions: Vec<&str> = kb
            .entries
            .iter()
            .filter(|e| e.enabled)
            .flat_map(|e| e.questions.iter().map(String::as_str))
            .collect();
        let step = questions.len().div_ceil(MAX_QUESTIONS_LEARNED).max(1);
        let labelled = examples
            .iter()
            .map(|e| (e.text.as_str(), model::class(e.kind)))
            .chain(questions.into_iter().step_by(step).map(|q| (q, 0)));
        let samples: Vec<(Vec<u64>, usize)> = labelled
            .map(|(text, class)| (self.features(&normalizer.analyze(text)), class))
            .collect();
        Model::train(&samples)
    }

    /// The learned reader's features of `analysis`.
    fn features(&self, analysis: &Analysis) -> Vec<u64> {
        let present = self.concepts(analysis).iter().fold(0, |acc, c| acc | c);
        model::features(analysis, present)
    }

    /// The learned reader's verdict on `analysis`: the likeliest kind and how likely an
    /// emergency is.
    fn learned(&self, analysis: &Analysis, clauses: &[Bits]) -> Option<(EmergencyKind, f32)> {
        let model = self.model.as_ref()?;
        let present = clauses.iter().fold(0, |acc, c| acc | c);
        let p = model.probabilities(&model::features(analysis, present));
        Some(model::verdict(&p))
    }

    /// The words the forms use, split in two: long words that misspellings may be corrected
    /// to ("breating" → "breathing"), and shorter ones that are only known as words. Short
    /// emergency words are too close to everyday ones to correct towards ("cooking" is one
    /// letter from "choking").
    pub fn vocabulary(kb: &KnowledgeBase) -> (Vec<String>, Vec<String>) {
        kb.safety
            .concepts
            .iter()
            .flat_map(|c| &c.forms)
            .flat_map(|f| form::plain_words(f))
            .partition(|w| w.chars().count() >= MIN_CORRECTION_TARGET_LEN)
    }

    /// Decides whether `analysis` describes an emergency.
    pub fn assess(&self, analysis: &Analysis) -> Assessment {
        let clauses = self.concepts(analysis);
        let (mut kinds, _) = self.decide(&clauses);
        let mut learned = false;
        if kinds.is_empty() {
            if let Some((kind, p)) = self.learned(analysis, &clauses) {
                if p >= LEARNED_THRESHOLD {
                    kinds.push(kind);
                    learned = true;
                }
            }
        }
        let notices = if kinds.is_empty() {
            let present = clauses.iter().fold(0, |acc, c| acc | c);
            self.notices
                .iter()
                .filter(|(i, _)| present & (1 << i) != 0)
                .map(|(_, text)| text.clone())
                .collect()
        } else {
            Vec::new()
        };
        Assessment {
            kinds,
            notices,
            learned,
        }
    }

    /// Explains how `analysis` was read: each clause's concepts, the rules that fired, and
    /// why rules whose signs appeared did not.
    pub fn explain(&self, analysis: &Analysis) -> Explanation {
        let clauses = self.concepts(analysis);
        let (_, fired) = self.decide(&clauses);
        let present = clauses.iter().fold(0, |acc, c| acc | c);
        let mut held_back = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if fired.contains(&i) || present & (rule.any | rule.all) == 0 {
                continue;
            }
            let live = self.live(&clauses, rule);
            let mut why = Vec::new();
            if rule.any != 0 && live & rule.any == 0 {
                why.push(if present & rule.any != 0 {
                    format!(
                        "its signs are suppressed by {}",
                        self.list(present & rule.unless)
                    )
                } else {
                    format!("needs one of {}", self.list(rule.any))
                });
            }
            if live & rule.all != rule.all {
                why.push(format!("needs all of {}", self.list(rule.all & !live)));
            }
            if rule.with != 0 && present & rule.with == 0 {
                why.push(format!("needs one of {}", self.list(rule.with)));
            }
            if present & rule.without != 0 {
                why.push(format!(
                    "ruled out by {}",
                    self.list(present & rule.without)
                ));
            }
            if self.settled(&clauses, rule, present) {
                why.push(format!(
                    "settled by {}, and no clause with its signs says now",
                    self.list(present & rule.settled_by)
                ));
            }
            held_back.push(format!("{} ({}): {}", rule.name, rule.kind, why.join("; ")));
        }
        Explanation {
            clauses: clauses
                .iter()
                .map(|bits| {
                    (0..self.names.len())
                        .filter(|i| bits & (1 << i) != 0)
                        .map(|i| self.names[i].clone())
                        .collect()
                })
                .collect(),
            fired: fired
                .iter()
                .map(|&i| format!("{} ({})", self.rules[i].name, self.rules[i].kind))
                .collect(),
            held_back,
            learned: self.learned(analysis, &clauses).map(|(kind, p)| {
                let verdict = if !fired.is_empty() {
                    "the rules decided"
                } else if p >= LEARNED_THRESHOLD {
                    "escalates"
                } else {
                    "below the threshold"
                };
                format!("{kind} {p:.2} ({verdict}; escalates at {LEARNED_THRESHOLD:.2})")
            }),
        }
    }

    fn list(&self, bits: Bits) -> String {
        let names: Vec<&str> = (0..self.names.len())
            .filter(|i| bits & (1 << i) != 0)
            .map(|i| self.names[i].as_str())
            .collect();
        if names.is_empty() {
            "nothing".to_string()
        } else {
            names.join(", ")
        }
    }

    /// The concepts of each clause of `analysis`, as bits.
    fn concepts(&self, analysis: &Analysis) -> Vec<Bits> {
        let units = self.units(analysis);
        let mut clauses: Vec<Bits> = vec![0; units.last().map_or(0, |u| u.clause + 1)];
        for start in 0..units.len() {
            let unit = &units[start];
            let negated = negated(&units, start);
            let mut try_list = |list: Option<&Vec<u32>>| {
                for &f in list.into_iter().flatten() {
                    let form = &self.forms[f as usize];
                    if negated && (self.now | self.recovered) & (1 << form.concept) == 0 {
                        continue;
                    }
                    if form.matches(&units, start, &self.classes) {
                        clauses[unit.clause] |= 1 << form.concept;
                    }
                }
            };
            try_list(self.by_token.get(unit.text));
            try_list(self.by_exact.get(unit.raw));
            try_list(self.by_lexicon.get(unit.text));
            if unit.is_drug {
                try_list(self.by_lexicon.get(form::ANY_DRUG));
            }
            if let Some(classes) = self.classes.get(unit.text) {
                for class in classes {
                    try_list(self.by_lexicon.get(class));
                }
            }
            if unit.is_number() {
                try_list(Some(&self.by_number));
                if unit.is_year() {
                    try_list(Some(&self.by_year));
                }
            }
        }
        clauses
    }

    /// The message as units: one per token, with its typed word and its clause.
    fn units<'a>(&self, analysis: &'a Analysis) -> Vec<Unit<'a>> {
        let mut units = Vec::with_capacity(analysis.tokens.len());
        let mut clause = 0;
        let mut last_analysis_clause = 0;
        for (i, token) in analysis.tokens.iter().enumerate() {
            let c = analysis.clauses.get(i).copied().unwrap_or(0);
            if c != last_analysis_clause {
                last_analysis_clause = c;
                if !units.is_empty() {
                    clause += 1;
                }
            }
            let raw = analysis
                .starts
                .get(i)
                .and_then(|w| analysis.words.get(*w))
                .map_or(token.text.as_str(), String::as_str);
            // "and now" starts a clause: what came before is often background ("it was a
            // year ago and now…").
            let and_now = raw == "and"
                && analysis
                    .starts
                    .get(i + 1)
                    .and_then(|w| analysis.words.get(*w))
                    .is_some_and(|w| w == "now");
            if and_now || (token.kind == TokenKind::Stop && CLAUSE_WORDS.contains(&raw)) {
                if units.last().is_some_and(|u: &Unit| u.clause == clause) {
                    clause += 1;
                }
                continue;
            }
            units.push(Unit {
                text: &token.text,
                raw,
                clause,
                is_drug: token.kind == TokenKind::Drug,
            });
        }
        units
    }

    /// The kinds whose rules fire on `clauses`, in rule order, and the rules that fired.
    fn decide(&self, clauses: &[Bits]) -> (Vec<EmergencyKind>, Vec<usize>) {
        let present = clauses.iter().fold(0, |acc, c| acc | c);
        let mut kinds = Vec::new();
        let mut fired = Vec::new();
        if present == 0 {
            return (kinds, fired);
        }
        for (i, rule) in self.rules.iter().enumerate() {
            if present & (rule.any | rule.all) == 0 || present & rule.without != 0 {
                continue;
            }
            if rule.with != 0 && present & rule.with == 0 {
                continue;
            }
            let live = self.live(clauses, rule);
            let any = rule.any == 0 || live & rule.any != 0;
            let all = live & rule.all == rule.all;
            if any && all && !self.settled(clauses, rule, present) {
                fired.push(i);
                if !kinds.contains(&rule.kind) {
                    kinds.push(rule.kind);
                }
            }
        }
        (kinds, fired)
    }

    /// Returns true if and only if something in the message settles `rule` ("the vet said
    /// he's fine") and no clause with one of its signs says it is happening now.
    fn settled(&self, clauses: &[Bits], rule: &Rule, present: Bits) -> bool {
        if present & rule.settled_by == 0 {
            return false;
        }
        let signs = rule.any | rule.all;
        !clauses.iter().any(|c| c & signs != 0 && self.is_now(*c))
    }

    /// Returns true if and only if clause `c` says something is happening now and does not
    /// say it is over.
    fn is_now(&self, c: Bits) -> bool {
        c & self.now != 0 && c & self.recovered == 0
    }

    /// The concepts of clauses that none of `rule`'s suppressors silences.
    fn live(&self, clauses: &[Bits], rule: &Rule) -> Bits {
        clauses
            .iter()
            .filter(|c| *c & rule.unless == 0 || self.is_now(**c))
            .fold(0, |acc, c| acc | c)
    }
}

#[cfg(test)]
mod tests;
