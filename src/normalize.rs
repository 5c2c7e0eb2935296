//! Text to tokens: Unicode and case folding, punctuation, emoji and invisible characters,
//! contractions, then the lexicon (brands, slang, misspellings) and stemming.
//!
//! Two layers: [`words`] needs no knowledge and is what the safety layer reads; a
//! [`Normalizer`] built from the lexicon and the knowledge's vocabulary turns words into
//! [`Token`]s for the matcher.

use std::collections::{HashMap, HashSet};

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use crate::knowledge::{Lexicon, TermKind};

/// Only this many characters of a message are read. Real questions are far shorter; the cap
/// bounds the work a pasted wall of text (or a 100 KB line) can cause.
pub const MAX_INPUT_CHARS: usize = 2000;

/// Words shorter than this are never spelling-corrected: too many short words are one edit
/// from another ("oxy"/"ox", "dope"/"done").
pub const MIN_CORRECTION_LEN: usize = 5;

/// A word must be at least this long to be corrected into a drug name. Many brand names are
/// one letter from everyday words ("aleve"/"alive", "percs"/"perks", "fetty"/"fatty"), and a
/// wrongly guessed drug would rule out the right entry. A correction also has to keep the
/// first letter, which typing slips rarely change ("said" never becomes "nsaids").
pub const MIN_DRUG_CORRECTION_LEN: usize = 6;

/// Words of this length or more may be corrected across two edits; shorter ones across one.
/// Drug names are long and members misspell them badly ("naltraxone", "subuxone").
pub const TWO_EDIT_LEN: usize = 8;

/// Common words that carry little meaning in a question. They still count a little (see the
/// matcher's `STOPWORD_WEIGHT`), never as evidence on their own.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "also",
    "am",
    "an",
    "and",
    "any",
    "anyone",
    "anything",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "but",
    "by",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "for",
    "from",
    "get",
    "got",
    "guys",
    "had",
    "has",
    "have",
    "having",
    "he",
    "hello",
    "her",
    "hers",
    "hey",
    "hi",
    "him",
    "his",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "know",
    "like",
    "lol",
    "me",
    "might",
    "my",
    "myself",
    "of",
    "oh",
    "ok",
    "okay",
    "on",
    "or",
    "our",
    "please",
    "pls",
    "plz",
    "really",
    "she",
    "so",
    "some",
    "someone",
    "something",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "this",
    "those",
    "to",
    "too",
    "u",
    "um",
    "ur",
    "us",
    "very",
    "was",
    "we",
    "were",
    "while",
    "will",
    "with",
    "would",
    "ya",
    "yeah",
    "you",
    "your",
    "yours",
    "only",
    "even",
    "actually",
    "ever",
    "kinda",
    "sorta",
    "basically",
    "literally",
    "totally",
    "anyway",
    "though",
    "maybe",
    "probably",
    "btw",
    "idk",
];

/// Contractions and common apostrophe-less spellings, expanded before anything else so that
/// "isn't", "isnt" and "is not" read the same.
const CONTRACTIONS: &[(&str, &str)] = &[
    ("can't", "can not"),
    ("cant", "can not"),
    ("cannot", "can not"),
    ("won't", "will not"),
    ("wont", "will not"),
    ("isnt", "is not"),
    ("arent", "are not"),
    ("wasnt", "was not"),
    ("werent", "were not"),
    ("dont", "do not"),
    ("doesnt", "does not"),
    ("didnt", "did not"),
    ("havent", "have not"),
    ("hasnt", "has not"),
    ("hadnt", "had not"),
    ("shouldnt", "should not"),
    ("wouldnt", "would not"),
    ("couldnt", "could not"),
    ("aint", "is not"),
    ("im", "i am"),
    ("i'm", "i am"),
    ("ive", "i have"),
    ("i've", "i have"),
    ("i'd", "i would"),
    ("i'll", "i will"),
    ("youre", "you are"),
    ("you're", "you are"),
    ("you've", "you have"),
    ("you'll", "you will"),
    ("hes", "he is"),
    ("he's", "he is"),
    ("shes", "she is"),
    ("she's", "she is"),
    ("it's", "it is"),
    ("thats", "that is"),
    ("that's", "that is"),
    ("whats", "what is"),
    ("what's", "what is"),
    ("theres", "there is"),
    ("there's", "there is"),
    ("theyre", "they are"),
    ("they're", "they are"),
    ("we're", "we are"),
    ("wanna", "want to"),
    ("gonna", "going to"),
    ("gotta", "got to"),
    ("od'd", "overdosed"),
    ("od'ed", "overdosed"),
    ("oded", "overdosed"),
];

/// Returns true if and only if `c` is invisible formatting that changes nothing a person
/// reads: zero-width characters, joiners, bidirectional overrides, the byte-order mark,
/// variation selectors.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}' | '\u{00AD}' | '\u{034F}' | '\u{180E}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Folds text for matching: NFKC, lowercase, curly apostrophes made straight, invisible
/// characters dropped, and every character that is not a letter, digit or apostrophe
/// (punctuation, emoji, symbols, controls) turned into a space. Reads at most
/// [`MAX_INPUT_CHARS`] characters.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_INPUT_CHARS * 2));
    for c in text
        .chars()
        .take(MAX_INPUT_CHARS)
        .filter(|c| !is_invisible(*c))
        .nfkc()
    {
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' => out.push('\''),
            // Lowercasing can add combining marks ("İ" becomes "i" and a dot): keep only the
            // letters and digits.
            c if c.is_alphanumeric() => {
                out.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()))
            }
            _ => out.push(' '),
        }
    }
    out
}

/// Splits text into plain lowercase words with contractions expanded and apostrophes gone.
///
/// This is all the safety layer needs: no lexicon, no stemming, so curators write emergency
/// cues in plain words.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in fold(text).split_whitespace() {
        let w = raw.trim_matches('\'');
        if w.is_empty() {
            continue;
        }
        if let Some((_, expanded)) = CONTRACTIONS.iter().find(|(from, _)| *from == w) {
            out.extend(expanded.split(' ').map(str::to_string));
            continue;
        }
        if let Some(stem) = w.strip_suffix("n't") {
            let stem = stem.replace('\'', "");
            if !stem.is_empty() {
                out.push(stem);
            }
            out.push("not".to_string());
            continue;
        }
        // Possessives and the rest: "naltrexone's" reads as "naltrexone".
        let w = w.strip_suffix("'s").unwrap_or(w);
        let w: String = w.chars().filter(|c| *c != '\'').collect();
        // Dropping an apostrophe can bring combining marks together, which NFKC orders:
        // normalise again so that words are stable.
        let w: String = if w.is_ascii() { w } else { w.nfkc().collect() };
        if !w.is_empty() {
            out.push(w);
        }
    }
    out
}

/// What a token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A lexicon drug; the text is its canonical name.
    Drug,
    /// A lexicon drug class.
    Class,
    /// A lexicon domain term.
    Term,
    /// An ordinary word, stemmed.
    Word,
    /// A common word that carries little meaning.
    Stop,
}

/// One unit of meaning in a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Canonical lexicon name, or the stemmed word.
    pub text: String,
    /// What it stands for.
    pub kind: TokenKind,
    /// 1.0 when typed as is; less when it was a corrected misspelling.
    pub similarity: f32,
}

/// Spelling correction by symmetric deletion (as in SymSpell): every vocabulary word is
/// indexed under the strings left after deleting up to two characters, so a misspelling
/// finds its candidates by hash lookups instead of a scan; `strsim` then measures them.
#[derive(Debug, Default)]
struct Corrector {
    words: Vec<String>,
    deletes: HashMap<String, Vec<u32>>,
}

fn max_edits(len: usize) -> usize {
    match len {
        n if n < MIN_CORRECTION_LEN => 0,
        n if n < TWO_EDIT_LEN => 1,
        _ => 2,
    }
}

fn deletions(word: &str, depth: usize, out: &mut HashSet<String>) {
    if depth == 0 {
        return;
    }
    let chars: Vec<char> = word.chars().collect();
    for i in 0..chars.len() {
        let d: String = chars[..i].iter().chain(&chars[i + 1..]).collect();
        if out.insert(d.clone()) {
            deletions(&d, depth - 1, out);
        }
    }
}

impl Corrector {
    fn new(vocabulary: impl IntoIterator<Item = String>) -> Corrector {
        let mut c = Corrector::default();
        let mut seen = HashSet::new();
        for word in vocabulary {
            let n = word.chars().count();
            if n < MIN_CORRECTION_LEN || !seen.insert(word.clone()) {
                continue;
            }
            let id = c.words.len() as u32;
            let mut keys = HashSet::new();
            keys.insert(word.clone());
            deletions(&word, max_edits(n), &mut keys);
            for k in keys {
                c.deletes.entry(k).or_default().push(id);
            }
            c.words.push(word);
        }
        c
    }

    /// Every vocabulary word within the allowed edits of `word`, with its distance.
    fn candidates(&self, word: &str) -> Vec<(&str, usize)> {
        let n = word.chars().count();
        let edits = max_edits(n);
        if edits == 0 {
            return Vec::new();
        }
        let mut keys = HashSet::new();
        keys.insert(word.to_string());
        deletions(word, edits, &mut keys);
        let mut ids: Vec<u32> = keys
            .iter()
            .filter_map(|k| self.deletes.get(k))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|id| self.words[id as usize].as_str())
            .filter_map(|cand| {
                let d = strsim::damerau_levenshtein(word, cand);
                let allowed = edits.min(max_edits(cand.chars().count()));
                (d > 0 && d <= allowed).then_some((cand, d))
            })
            .collect()
    }
}

/// Turns member text into tokens using the lexicon and the knowledge's vocabulary.
pub struct Normalizer {
    /// Single-word variants → lexicon term index.
    singles: HashMap<String, usize>,
    /// Stems of single-word variants → (term index, length of the shortest such variant).
    stems: HashMap<String, (usize, usize)>,
    /// Multi-word variants by first word → (words, term index), longest first.
    phrases: HashMap<String, Vec<(Vec<String>, usize)>>,
    /// Canonical name and kind of each lexicon term.
    terms: Vec<(String, TermKind)>,
    stopwords: HashSet<&'static str>,
    /// Words known exactly: stopwords, lexicon words and the knowledge's own words.
    known: HashSet<String>,
    corrector: Corrector,
    stemmer: Stemmer,
}

impl std::fmt::Debug for Normalizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normalizer")
            .field("terms", &self.terms.len())
            .field("known", &self.known.len())
            .field("corrections", &self.corrector.words.len())
            .finish_non_exhaustive()
    }
}

impl Normalizer {
    /// Builds a normalizer from the lexicon and extra vocabulary (the words of the knowledge's
    /// questions and the safety cues), which misspellings may be corrected to.
    pub fn new(lexicon: &Lexicon, vocabulary: &[String]) -> Normalizer {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut singles = HashMap::new();
        let mut phrases: HashMap<String, Vec<(Vec<String>, usize)>> = HashMap::new();
        let mut terms = Vec::new();
        let mut known: HashSet<String> = HashSet::new();
        let mut correctable = Vec::new();
        for (i, term) in lexicon.terms.iter().enumerate() {
            terms.push((term.name.clone(), term.kind));
            for variant in std::iter::once(&term.name).chain(&term.variants) {
                let ws = words(variant);
                match ws.as_slice() {
                    [] => {}
                    [w] => {
                        singles.insert(w.clone(), i);
                        known.insert(w.clone());
                        correctable.push(w.clone());
                    }
                    [first, ..] => phrases.entry(first.clone()).or_default().push((ws, i)),
                }
            }
        }
        // Stems of single variants let plurals and -ing forms map without being listed. A
        // stem only ever extends a variant: "drinking" maps through "drink", but "prescribe"
        // does not map through "prescriber", which is a different word.
        let mut stems: HashMap<String, (usize, usize)> = HashMap::new();
        for (w, i) in &singles {
            let len = w.chars().count();
            let slot = stems
                .entry(stemmer.stem(w).into_owned())
                .or_insert((*i, len));
            if len < slot.1 {
                *slot = (*i, len);
            }
        }
        for list in phrases.values_mut() {
            list.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        }
        for w in vocabulary {
            for w in words(w) {
                known.insert(w.clone());
                correctable.push(w);
            }
        }
        let stopwords: HashSet<&'static str> = STOPWORDS.iter().copied().collect();
        known.extend(stopwords.iter().map(|s| s.to_string()));
        Normalizer {
            singles,
            stems,
            phrases,
            terms,
            stopwords,
            known,
            corrector: Corrector::new(correctable),
            stemmer,
        }
    }

    /// The lexicon term a single word stands for, exactly or by its stem.
    fn term_of(&self, word: &str) -> Option<usize> {
        if let Some(i) = self.singles.get(word) {
            return Some(*i);
        }
        let (term, shortest) = self.stems.get(self.stemmer.stem(word).as_ref())?;
        (word.chars().count() >= *shortest).then_some(*term)
    }

    /// The identity a vocabulary word resolves to: its lexicon term, or its stem.
    fn identity(&self, word: &str) -> String {
        match self.term_of(word) {
            Some(i) => self.terms[i].0.clone(),
            None => self.stemmer.stem(word).into_owned(),
        }
    }

    /// Corrects a misspelled word to a vocabulary word, or returns `None` when there is no
    /// close word or the closest words disagree.
    ///
    /// Look-alike drugs are never fuzzed into one another: if two different drugs are within
    /// reach, the word is left alone, whatever their distances.
    fn correct(&self, word: &str) -> Option<(String, f32)> {
        let first = word.chars().next()?;
        let long_enough_for_drug = word.chars().count() >= MIN_DRUG_CORRECTION_LEN;
        let candidates: Vec<(&str, usize)> = self
            .corrector
            .candidates(word)
            .into_iter()
            .filter(|(c, _)| c.starts_with(first))
            .filter(|(c, _)| {
                long_enough_for_drug
                    || self
                        .term_of(c)
                        .is_none_or(|i| self.terms[i].1 != TermKind::Drug)
            })
            .collect();
        let best = candidates.iter().map(|(_, d)| *d).min()?;
        let drugs: HashSet<String> = candidates
            .iter()
            .filter_map(|(c, _)| self.term_of(c))
            .filter(|i| self.terms[*i].1 == TermKind::Drug)
            .map(|i| self.terms[i].0.clone())
            .collect();
        if drugs.len() > 1 {
            return None;
        }
        let mut nearest = candidates.iter().filter(|(_, d)| *d == best);
        let (first, _) = nearest.next()?;
        let identity = self.identity(first);
        if nearest.any(|(c, _)| self.identity(c) != identity) {
            return None;
        }
        let len = word.chars().count().max(first.chars().count()) as f32;
        Some((first.to_string(), 1.0 - best as f32 / len))
    }

    /// Tokenizes `text`: words, then multi-word lexicon phrases (longest first), single
    /// variants, stopwords, spelling correction, and stemming for everything else.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        self.tokens_of(&words(text))
    }

    /// Corrects misspelled words against the vocabulary, leaving known words alone. The
    /// safety layer reads this so that "overdosd" still counts as "overdosed".
    pub fn corrected_words(&self, ws: &[String]) -> Vec<String> {
        ws.iter()
            .map(|w| {
                if self.known.contains(w) || self.term_of(w).is_some() {
                    w.clone()
                } else {
                    self.correct(w).map_or_else(|| w.clone(), |(c, _)| c)
                }
            })
            .collect()
    }

    /// Tokenizes already-split words (see [`words`]).
    pub fn tokens_of(&self, ws: &[String]) -> Vec<Token> {
        let mut out = Vec::with_capacity(ws.len());
        let mut i = 0;
        'outer: while i < ws.len() {
            if let Some(list) = self.phrases.get(&ws[i]) {
                for (phrase, term) in list {
                    if ws[i..].starts_with(phrase) {
                        out.push(self.term_token(*term, 1.0));
                        i += phrase.len();
                        continue 'outer;
                    }
                }
            }
            let w = &ws[i];
            i += 1;
            if let Some(term) = self.singles.get(w.as_str()) {
                out.push(self.term_token(*term, 1.0));
            } else if self.stopwords.contains(w.as_str()) {
                out.push(Token {
                    text: w.clone(),
                    kind: TokenKind::Stop,
                    similarity: 1.0,
                });
            } else if let Some(term) = self.term_of(w) {
                out.push(self.term_token(term, 1.0));
            } else if self.known.contains(w) {
                out.push(self.word_token(w, 1.0));
            } else if let Some((fixed, sim)) = self.correct(w) {
                match self.term_of(&fixed) {
                    Some(term) => out.push(self.term_token(term, sim)),
                    None => out.push(self.word_token(&fixed, sim)),
                }
            } else {
                out.push(self.word_token(w, 1.0));
            }
        }
        out
    }

    fn term_token(&self, term: usize, similarity: f32) -> Token {
        let (name, kind) = &self.terms[term];
        Token {
            text: name.clone(),
            kind: match kind {
                TermKind::Drug => TokenKind::Drug,
                TermKind::Class => TokenKind::Class,
                TermKind::Term => TokenKind::Term,
            },
            similarity,
        }
    }

    fn word_token(&self, word: &str, similarity: f32) -> Token {
        Token {
            text: self.stemmer.stem(word).into_owned(),
            kind: TokenKind::Word,
            similarity,
        }
    }
}

#[cfg(test)]
mod tests;
