//! Text to tokens: Unicode and case folding, punctuation, emoji and invisible characters,
//! contractions, then the lexicon (brands, slang, misspellings) and stemming.
//!
//! Two layers: [`words`] needs no knowledge and is what the safety layer reads; a
//! [`Normalizer`] built from the lexicon and the knowledge's vocabulary turns words into
//! [`Token`]s for the matcher.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

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

/// Misspellings of drug names and brands may be this many edits away: members misspell them
/// badly ("naltraxone", "subuxone").
const DRUG_EDITS: usize = 2;
/// Misspellings of other words (lexicon terms, the knowledge's words) may be one edit away:
/// enough for slips, and a much smaller index to build; the lexicon lists the common worse
/// misspellings of terms ("withdrawl").
const VOCABULARY_EDITS: usize = 1;

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
    if text.is_ascii() {
        // NFKC leaves ASCII as it is; most messages need nothing more than this.
        out.extend(text.bytes().take(MAX_INPUT_CHARS).map(|b| match b {
            b'\'' | b'`' => '\'',
            b if b.is_ascii_alphanumeric() => char::from(b.to_ascii_lowercase()),
            _ => ' ',
        }));
        return out;
    }
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

/// A text as the normalizer read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Its words (see [`words`]) with misspellings corrected.
    pub words: Vec<String>,
    /// Its tokens.
    pub tokens: Vec<Token>,
    /// For each token, the clause it starts in (0-based): clauses are the parts of the text
    /// between sentence and clause punctuation (see [`is_clause_break`]). Triage reads a
    /// time marker or a question word as belonging to its own clause only.
    pub clauses: Vec<u16>,
    /// For each token, the index in `words` of its first word.
    pub starts: Vec<usize>,
}

/// Returns true if and only if `c` ends a clause: sentence punctuation, a comma, a colon, a
/// semicolon, a dash between words or a line break.
pub fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '.' | '!'
            | '?'
            | ';'
            | ','
            | ':'
            | '\n'
            | '\r'
            | '…'
            | '—'
            | '–'
            | '¿'
            | '¡'
            | '。'
            | '？'
            | '！'
    )
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
/// finds its candidates by lookups instead of a scan; `strsim` then measures them.
///
/// Deletion strings are kept as 64-bit hashes in one sorted list, which makes the index cheap
/// to build; a hash collision only adds a candidate, which the distance check then drops.
#[derive(Debug, Default)]
struct Corrector {
    /// Each word and how many edits away a misspelling of it may be.
    words: Vec<(String, usize)>,
    /// (hash of a deletion string, word index), sorted.
    deletes: Vec<(u64, u32)>,
}

fn max_edits(len: usize) -> usize {
    match len {
        n if n < MIN_CORRECTION_LEN => 0,
        n if n < TWO_EDIT_LEN => 1,
        _ => 2,
    }
}

/// FNV-1a over the characters of `word` with the one at `skip` left out.
fn hash_without(word: &[char], skip: Option<usize>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, c) in word.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        h ^= u64::from(u32::from(*c));
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Pushes the hash of `word` and of every string left after deleting up to `depth` of its
/// characters (duplicates included; callers sort and deduplicate).
fn deletion_hashes(word: &[char], depth: usize, out: &mut Vec<u64>) {
    out.push(hash_without(word, None));
    if depth == 0 {
        return;
    }
    let mut shorter: Vec<char> = Vec::with_capacity(word.len());
    for i in 0..word.len() {
        if i > 0 && word[i] == word[i - 1] {
            // Deleting either of two equal neighbours leaves the same string.
            continue;
        }
        if depth == 1 {
            out.push(hash_without(word, Some(i)));
        } else {
            shorter.clear();
            shorter.extend_from_slice(&word[..i]);
            shorter.extend_from_slice(&word[i + 1..]);
            deletion_hashes(&shorter, depth - 1, out);
        }
    }
}

impl Corrector {
    /// Indexes `(word, edits)` pairs: a misspelling at most `edits` away may be corrected to
    /// `word` (capped by [`max_edits`] of its length).
    fn new(vocabulary: impl IntoIterator<Item = (String, usize)>) -> Corrector {
        let mut depth_of: HashMap<String, usize> = HashMap::default();
        for (word, edits) in vocabulary {
            let edits = edits.min(max_edits(word.chars().count()));
            if edits == 0 {
                continue;
            }
            let slot = depth_of.entry(word).or_insert(0);
            *slot = (*slot).max(edits);
        }
        let mut words: Vec<(String, usize)> = depth_of.into_iter().collect();
        words.sort_unstable();
        let mut deletes = Vec::new();
        let mut hashes = Vec::new();
        for (id, (word, edits)) in words.iter().enumerate() {
            hashes.clear();
            let chars: Vec<char> = word.chars().collect();
            deletion_hashes(&chars, *edits, &mut hashes);
            hashes.sort_unstable();
            hashes.dedup();
            deletes.extend(hashes.iter().map(|h| (*h, id as u32)));
        }
        deletes.sort_unstable();
        Corrector { words, deletes }
    }

    /// Every vocabulary word within the allowed edits of `word`, with its distance.
    fn candidates(&self, word: &str) -> Vec<(&str, usize)> {
        let chars: Vec<char> = word.chars().collect();
        let edits = max_edits(chars.len());
        if edits == 0 {
            return Vec::new();
        }
        let mut hashes = Vec::new();
        deletion_hashes(&chars, edits, &mut hashes);
        hashes.sort_unstable();
        hashes.dedup();
        let mut ids: Vec<u32> = Vec::new();
        for h in hashes {
            let start = self.deletes.partition_point(|(k, _)| *k < h);
            ids.extend(
                self.deletes[start..]
                    .iter()
                    .take_while(|(k, _)| *k == h)
                    .map(|(_, id)| *id),
            );
        }
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|id| &self.words[id as usize])
            .filter_map(|(cand, allowed)| {
                let d = strsim::damerau_levenshtein(word, cand);
                (d > 0 && d <= edits.min(*allowed)).then_some((cand.as_str(), d))
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
    /// Builds a normalizer from the lexicon, the vocabulary misspellings may be corrected to
    /// (the words of the knowledge's questions and the safety cues), and text whose words are
    /// known but not correction targets (the answers: correcting towards every word of every
    /// answer would guess too often and make loading slow).
    pub fn new(lexicon: &Lexicon, vocabulary: &[String], known_text: &[String]) -> Normalizer {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut singles = HashMap::default();
        let mut phrases: HashMap<String, Vec<(Vec<String>, usize)>> = HashMap::default();
        let mut terms = Vec::new();
        let mut known: HashSet<String> = HashSet::default();
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
                        let edits = if term.kind == TermKind::Drug {
                            DRUG_EDITS
                        } else {
                            VOCABULARY_EDITS
                        };
                        correctable.push((w.clone(), edits));
                    }
                    [first, ..] => phrases.entry(first.clone()).or_default().push((ws, i)),
                }
            }
        }
        // Stems of single variants let plurals and -ing forms map without being listed. A
        // stem only ever extends a variant: "drinking" maps through "drink", but "prescribe"
        // does not map through "prescriber", which is a different word.
        let mut stems: HashMap<String, (usize, usize)> = HashMap::default();
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
                correctable.push((w, VOCABULARY_EDITS));
            }
        }
        for text in known_text {
            known.extend(words(text));
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

    /// Tokenizes `text`: words, spelling correction, then multi-word lexicon phrases
    /// (longest first), single variants, stopwords, and stemming for everything else.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        self.analyze(text).tokens
    }

    /// Reads `text` once: its words with misspellings corrected (what the safety layer reads,
    /// so that "overdosd" still counts as "overdosed") and its tokens (what the matcher reads).
    pub fn analyze(&self, text: &str) -> Analysis {
        // Read at most what `fold` would, then clause by clause, so each word knows its clause.
        let text = match text.char_indices().nth(MAX_INPUT_CHARS) {
            Some((cut, _)) => &text[..cut],
            None => text,
        };
        let mut words = Vec::new();
        let mut word_clause: Vec<u16> = Vec::new();
        let mut clause: u16 = 0;
        for part in text.split(is_clause_break) {
            let before = words.len();
            words.extend(self::words(part));
            if words.len() > before {
                word_clause.resize(words.len(), clause);
                clause = clause.saturating_add(1);
            }
        }
        let mut similarity = vec![1.0f32; words.len()];
        for (w, sim) in words.iter_mut().zip(&mut similarity) {
            if self.is_known(w) {
                continue;
            }
            if let Some((fixed, s)) = self.correct(w) {
                *w = fixed;
                *sim = s;
            }
        }
        let mut starts = Vec::new();
        let tokens = self.tokens_from(&words, &similarity, &mut starts);
        let clauses = starts
            .iter()
            .map(|w| word_clause.get(*w).copied().unwrap_or(0))
            .collect();
        Analysis {
            words,
            tokens,
            clauses,
            starts,
        }
    }

    /// Returns true if and only if `word` needs no correction: a lexicon word (or an
    /// inflection of one), a stopword, or a word of the knowledge.
    fn is_known(&self, word: &str) -> bool {
        self.singles.contains_key(word)
            || self.stopwords.contains(word)
            || self.known.contains(word)
            || self.term_of(word).is_some()
    }

    /// Tokenizes already corrected words, each with the similarity of its correction; pushes
    /// the index of each token's first word to `starts`.
    fn tokens_from(
        &self,
        ws: &[String],
        similarity: &[f32],
        starts: &mut Vec<usize>,
    ) -> Vec<Token> {
        let mut out = Vec::with_capacity(ws.len());
        let mut i = 0;
        'outer: while i < ws.len() {
            starts.push(i);
            if let Some(list) = self.phrases.get(&ws[i]) {
                for (phrase, term) in list {
                    if ws[i..].starts_with(phrase) {
                        let sim = similarity[i..i + phrase.len()]
                            .iter()
                            .copied()
                            .fold(1.0, f32::min);
                        out.push(self.term_token(*term, sim));
                        i += phrase.len();
                        continue 'outer;
                    }
                }
            }
            let (w, sim) = (&ws[i], similarity[i]);
            i += 1;
            if let Some(term) = self.singles.get(w.as_str()) {
                out.push(self.term_token(*term, sim));
            } else if self.stopwords.contains(w.as_str()) {
                out.push(Token {
                    text: w.clone(),
                    kind: TokenKind::Stop,
                    similarity: sim,
                });
            } else {
                let stem = self.stemmer.stem(w);
                match self.stems.get(stem.as_ref()) {
                    Some((term, shortest)) if w.chars().count() >= *shortest => {
                        out.push(self.term_token(*term, sim));
                    }
                    _ => out.push(Token {
                        text: stem.into_owned(),
                        kind: TokenKind::Word,
                        similarity: sim,
                    }),
                }
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
}

#[cfg(test)]
mod tests;
