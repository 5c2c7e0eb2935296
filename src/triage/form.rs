//! Concept forms compiled to token pieces, and matching them against a message.

use crate::knowledge::{parse_form, FormPiece};
use crate::normalize::{self, Normalizer};

/// How many words a `*` may stand for.
pub const GAP_WORDS: usize = 3;

/// The lexicon name that stands for any drug: `@drug`.
pub const ANY_DRUG: &str = crate::knowledge::ANY_DRUG;

/// What a form's first piece can meet, to look the form up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartKey {
    /// A token text.
    Token(String),
    /// A word exactly as typed.
    Exact(String),
    /// A lexicon name (its own token, or a drug of that class).
    Lexicon(String),
    /// Any number.
    Number,
    /// A year.
    Year,
}

/// One word of a message as triage sees it.
#[derive(Debug, Clone, Copy)]
pub struct Unit<'a> {
    /// The token's text: a lexicon name or a stemmed word.
    pub text: &'a str,
    /// The word as typed (folded, contractions expanded, spelling corrected).
    pub raw: &'a str,
    /// The clause it belongs to.
    pub clause: usize,
    /// Whether it is a lexicon drug (what `@drug` matches).
    pub is_drug: bool,
}

impl Unit<'_> {
    /// Returns true if and only if the word is a number.
    pub fn is_number(&self) -> bool {
        !self.raw.is_empty() && self.raw.chars().all(|c| c.is_ascii_digit())
    }

    /// Returns true if and only if the word is a year from 1900 to 2099.
    pub fn is_year(&self) -> bool {
        self.is_number()
            && self.raw.len() == 4
            && (self.raw.starts_with("19") || self.raw.starts_with("20"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// A token text.
    Token(String),
    /// One of several token texts, or of several words exactly as typed.
    AnyToken(Vec<String>, Vec<String>),
    /// A word exactly as typed.
    Exact(String),
    /// A lexicon name, or a drug of that class.
    Lexicon(String),
    Gap,
    /// Neither of these words nor tokens comes next.
    Not(Vec<String>),
    Number,
    Year,
}

/// A compiled form of one concept.
#[derive(Debug, Clone)]
pub struct Form {
    /// The concept's index.
    pub concept: usize,
    pieces: Vec<Piece>,
}

/// The plain words of a form, for the spelling-correction vocabulary.
pub fn plain_words(form: &str) -> Vec<String> {
    form.split_whitespace()
        .filter(|p| !p.starts_with(['*', '#', '@', '!']))
        .flat_map(|p| p.trim_start_matches('=').split('|'))
        .flat_map(normalize::words)
        .collect()
}

impl Form {
    /// Compiles `text` (already checked by `medfaq check`) for concept `concept`, reading its
    /// words with `normalizer`. Returns `None` for a form that does not parse.
    pub fn compile(concept: usize, text: &str, normalizer: &Normalizer) -> Option<Form> {
        let parsed = parse_form(text).ok()?;
        let mut pieces = Vec::new();
        let mut run: Vec<String> = Vec::new();
        let flush = |run: &mut Vec<String>, pieces: &mut Vec<Piece>| {
            if !run.is_empty() {
                let joined = run.join(" ");
                pieces.extend(
                    normalizer
                        .analyze(&joined)
                        .tokens
                        .into_iter()
                        .map(|t| Piece::Token(t.text)),
                );
                run.clear();
            }
        };
        for piece in parsed {
            if let FormPiece::Word(w) = piece {
                run.push(w);
                continue;
            }
            flush(&mut run, &mut pieces);
            pieces.push(match piece {
                FormPiece::Word(_) => continue,
                FormPiece::AnyWord(words) => {
                    let (exact, plain): (Vec<&String>, Vec<&String>) =
                        words.iter().partition(|w| w.starts_with('='));
                    Piece::AnyToken(
                        plain.iter().map(|w| token_text(normalizer, w)).collect(),
                        exact
                            .iter()
                            .map(|w| normalize::words(&w[1..]).join(" "))
                            .collect(),
                    )
                }
                FormPiece::Exact(w) => Piece::Exact(normalize::words(&w).join(" ")),
                FormPiece::Lexicon(name) => Piece::Lexicon(name),
                FormPiece::Gap => Piece::Gap,
                FormPiece::Not(words) => Piece::Not(
                    words
                        .iter()
                        .flat_map(|w| [normalize::words(w).join(" "), token_text(normalizer, w)])
                        .collect(),
                ),
                FormPiece::Number => Piece::Number,
                FormPiece::Year => Piece::Year,
            });
        }
        flush(&mut run, &mut pieces);
        (!pieces.is_empty()).then_some(Form { concept, pieces })
    }

    /// The keys under which this form is looked up: what its first piece can meet.
    pub fn start_keys(&self) -> Vec<StartKey> {
        match self.pieces.first() {
            Some(Piece::Token(t)) => vec![StartKey::Token(t.clone())],
            Some(Piece::AnyToken(ts, exact)) => ts
                .iter()
                .map(|t| StartKey::Token(t.clone()))
                .chain(exact.iter().map(|w| StartKey::Exact(w.clone())))
                .collect(),
            Some(Piece::Exact(w)) => vec![StartKey::Exact(w.clone())],
            Some(Piece::Lexicon(name)) => vec![StartKey::Lexicon(name.clone())],
            Some(Piece::Number) => vec![StartKey::Number],
            Some(Piece::Year) => vec![StartKey::Year],
            Some(Piece::Gap | Piece::Not(_)) | None => Vec::new(),
        }
    }

    /// Returns true if and only if the form matches `units` from `start`, within its clause.
    pub fn matches(&self, units: &[Unit], start: usize, classes: &Classes) -> bool {
        let clause = units[start].clause;
        let end = units[start..]
            .iter()
            .position(|u| u.clause != clause)
            .map_or(units.len(), |n| start + n);
        matches_at(&self.pieces, &units[start..end], classes)
    }
}

/// The single token text a form word stands for (its first token when it reads as several).
fn token_text(normalizer: &Normalizer, w: &str) -> String {
    normalizer
        .analyze(w)
        .tokens
        .into_iter()
        .next()
        .map_or_else(|| w.to_string(), |t| t.text)
}

/// Each lexicon drug's classes.
pub type Classes = rustc_hash::FxHashMap<String, Vec<String>>;

fn matches_at(pieces: &[Piece], units: &[Unit], classes: &Classes) -> bool {
    let Some((piece, rest)) = pieces.split_first() else {
        return true;
    };
    match piece {
        Piece::Gap => {
            (0..=GAP_WORDS.min(units.len())).any(|skip| matches_at(rest, &units[skip..], classes))
        }
        Piece::Not(words) => {
            let next = units.first();
            let blocked = next.is_some_and(|u| words.iter().any(|w| w == u.raw || w == u.text));
            !blocked && matches_at(rest, units, classes)
        }
        _ => {
            let Some(unit) = units.first() else {
                return false;
            };
            let ok = match piece {
                Piece::Token(t) => unit.text == t,
                Piece::AnyToken(ts, exact) => {
                    ts.iter().any(|t| t == unit.text) || exact.iter().any(|w| w == unit.raw)
                }
                Piece::Exact(w) => unit.raw == w,
                Piece::Lexicon(name) => {
                    (unit.is_drug && name == ANY_DRUG)
                        || unit.text == name
                        || classes
                            .get(unit.text)
                            .is_some_and(|cs| cs.iter().any(|c| c == name))
                }
                Piece::Number => unit.is_number(),
                Piece::Year => unit.is_year(),
                Piece::Gap | Piece::Not(_) => false,
            };
            ok && matches_at(rest, &units[1..], classes)
        }
    }
}
