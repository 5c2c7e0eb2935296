//! Emergency detection, which runs before matching.
//!
//! A message that describes an emergency happening now (an overdose, someone not breathing or
//! not waking, a seizure, severe withdrawal, thoughts or plans of suicide) gets emergency help
//! first. The cues live in `knowledge/safety.yaml` so curators can extend them. A cue does not
//! fire when the message asks for information ("what are the signs of an overdose") unless it
//! also says something is happening now ("right now", "help").

use crate::knowledge::{EmergencyKind, SafetyData};

/// How many words a `*` in a cue may stand for.
pub const GAP_WORDS: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Word(String),
    Gap,
}

/// A cue phrase compiled to words and gaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(Vec<Piece>);

impl Pattern {
    /// Compiles a phrase: plain words (normalized like member text) and `*` gaps.
    pub fn new(phrase: &str) -> Pattern {
        let mut pieces = Vec::new();
        for part in phrase.split_whitespace() {
            if part == "*" {
                pieces.push(Piece::Gap);
            } else {
                pieces.extend(crate::normalize::words(part).into_iter().map(Piece::Word));
            }
        }
        Pattern(pieces)
    }

    /// Returns true if and only if the phrase occurs in `words`.
    pub fn is_in(&self, words: &[String]) -> bool {
        (0..words.len()).any(|start| matches_at(&self.0, &words[start..]))
    }

    /// The plain words of the phrase (for the spelling-correction vocabulary).
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Piece::Word(w) => Some(w.as_str()),
            Piece::Gap => None,
        })
    }
}

fn matches_at(pieces: &[Piece], words: &[String]) -> bool {
    match pieces.split_first() {
        None => true,
        Some((Piece::Word(w), rest)) => {
            words.first().is_some_and(|x| x == w) && matches_at(rest, &words[1..])
        }
        Some((Piece::Gap, rest)) => {
            (0..=GAP_WORDS.min(words.len())).any(|skip| matches_at(rest, &words[skip..]))
        }
    }
}

/// The compiled safety layer.
#[derive(Debug, Clone)]
pub struct SafetyLayer {
    cues: Vec<(EmergencyKind, Pattern)>,
    informational: Vec<Pattern>,
    urgent: Vec<Pattern>,
}

impl SafetyLayer {
    /// Compiles the cues of `safety.yaml`.
    pub fn new(data: &SafetyData) -> SafetyLayer {
        SafetyLayer {
            cues: data
                .cues
                .iter()
                .map(|(k, p)| (*k, Pattern::new(p)))
                .collect(),
            informational: data.informational.iter().map(|p| Pattern::new(p)).collect(),
            urgent: data.urgent.iter().map(|p| Pattern::new(p)).collect(),
        }
    }

    /// Every word the cues use, so misspellings of them can be corrected.
    pub fn vocabulary(&self) -> Vec<String> {
        self.cues
            .iter()
            .map(|(_, p)| p)
            .chain(&self.informational)
            .chain(&self.urgent)
            .flat_map(|p| p.words().map(str::to_string))
            .collect()
    }

    /// The kinds of emergency `words` describe as happening now, or an empty list.
    pub fn assess(&self, words: &[String]) -> Vec<EmergencyKind> {
        let mut kinds: Vec<EmergencyKind> = self
            .cues
            .iter()
            .filter(|(_, p)| p.is_in(words))
            .map(|(k, _)| *k)
            .collect();
        if kinds.is_empty() {
            return kinds;
        }
        let asks_for_information = self.informational.iter().any(|p| p.is_in(words));
        let happening_now = self.urgent.iter().any(|p| p.is_in(words));
        if asks_for_information && !happening_now {
            return Vec::new();
        }
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::words;

    #[track_caller]
    fn case(pattern: &str, text: &str, expected: bool) {
        assert_eq!(
            Pattern::new(pattern).is_in(&words(text)),
            expected,
            "{pattern:?} in {text:?}"
        );
    }

    #[test]
    fn patterns_match_words_and_gaps() {
        case("not breathing", "he isn't breathing", true);
        case("not breathing", "he is not breathing", true);
        case("not * breathing", "he is not really breathing", true);
        case("not * breathing", "not breathing", true);
        case("not * breathing", "not a b c d breathing", false);
        case("kill myself", "i want to kill my self", false);
        case("lips are blue", "Her lips are BLUE!!", true);
        case("overdosed", "he od'd", true);
    }
}
