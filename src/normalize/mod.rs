//! Text to tokens: Unicode and case folding, punctuation, emoji and invisible characters,
//! contractions, then the lexicon (brands, slang, misspellings) and stemming.
//!
//! Two layers: [`words`] needs no knowledge and is what the safety layer reads; a
//! [`Normalizer`] built from the lexicon and the knowledge's vocabulary turns words into
//! [`Token`]s for the matcher.
//!
//! `fold.rs` folds text into words (with the one table of invisible characters),
//! `english.rs` holds the language's word lists (stopwords, contractions), and `spelling.rs`
//! corrects misspellings.

use std::borrow::Cow;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rust_stemmers::Stemmer;

use crate::knowledge::{Lexicon, TermKind};

mod english;
mod fold;
mod spelling;
#[cfg(test)]
mod tests;

pub use fold::{fold, is_invisible, words, MAX_INPUT_CHARS};
pub use spelling::{MIN_CORRECTION_LEN, MIN_DRUG_CORRECTION_LEN, TWO_EDIT_LEN};

use spelling::{Corrector, DRUG_EDITS, VOCABULARY_EDITS};

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
    /// For each clause, true if and only if it asks something: it ends with a question mark
    /// or opens with a question word or modal ("how", "can", "should", "is"…), or it is what
    /// a question saying almost nothing right after it asks about ("…my roommate said it's
    /// an opioid. Is that true?"). The matcher lets the other clauses of a message that asks
    /// somewhere count less.
    pub asking: Vec<bool>,
    /// For each clause, true if and only if it asks only as what a question after it asks
    /// about (see `asking`).
    pub lent: Vec<bool>,
}

impl Analysis {
    /// Returns true if and only if the token at `i` sits in a clause that asks something.
    pub fn token_asks(&self, i: usize) -> bool {
        self.clauses
            .get(i)
            .and_then(|c| self.asking.get(usize::from(*c)))
            .copied()
            .unwrap_or(false)
    }

    /// For each token, true if and only if it names who reports what its clause says, not
    /// what the clause is about: it comes before a reporting verb near the clause's start
    /// ("my counselor says…", "a coworker said…", "my girlfriend keeps saying…"). The
    /// member's own thoughts ("i am starting to think it does not work") are what they ask
    /// about, and a medicine is never the reporter.
    pub fn reporters(&self) -> Vec<bool> {
        let mut reports = vec![false; self.tokens.len()];
        let mut start = 0;
        while start < self.tokens.len() {
            let clause = self.clauses.get(start);
            let end = (start..self.tokens.len())
                .find(|k| self.clauses.get(*k) != clause)
                .unwrap_or(self.tokens.len());
            let verb = (start + 1..end.min(start + english::REPORTER_REACH + 1))
                .take_while(|k| !matches!(self.tokens[k - 1].text.as_str(), "i" | "we"))
                .find(|k| english::REPORTING_VERBS.contains(&self.tokens[*k].text.as_str()));
            if let Some(verb) = verb {
                for (r, t) in reports[start..verb]
                    .iter_mut()
                    .zip(&self.tokens[start..verb])
                {
                    *r = t.kind != TokenKind::Drug;
                }
            }
            start = end;
        }
        reports
    }

    /// Returns true if and only if the token at `i` sits in a clause that asks by itself,
    /// not only as what a question after it asks about.
    pub fn token_asks_itself(&self, i: usize) -> bool {
        let clause = self.clauses.get(i).map(|c| usize::from(*c));
        self.token_asks(i)
            && !clause
                .and_then(|c| self.lent.get(c))
                .copied()
                .unwrap_or(false)
    }
}

/// Returns true if and only if a clause, read as its words (before correction) and the
/// punctuation that ended it, asks something: a question mark, or a question word or modal
/// among its first [`english::QUESTION_OPENER_REACH`] words ("so can i…", "ok is it…").
fn clause_asks(ws: &[String], ended_by: Option<char>) -> bool {
    if matches!(ended_by, Some('?' | '？' | '¿')) || asks_indirectly(ws) {
        return true;
    }
    // A subject before the modal makes a statement: "i can't go", "he's been drinking".
    if ws
        .first()
        .is_some_and(|w| english::SUBJECT_PRONOUNS.contains(&w.as_str()))
    {
        return false;
    }
    // A question word asks wherever it comes near the start ("so how", "and what"); a modal
    // or auxiliary after another word only after a lead-in ("ok is it…", not "things are
    // really good").
    ws.iter()
        .take(english::QUESTION_OPENER_REACH)
        .enumerate()
        .any(|(i, w)| {
            let w = w.as_str();
            english::QUESTION_WORDS.contains(&w)
                || (english::QUESTION_AUXILIARIES.contains(&w)
                    && ws[..i]
                        .iter()
                        .all(|w| english::LEAD_INS.contains(&w.as_str())))
        })
}

/// Returns true if and only if the clause `ws` holds a question put as a statement: "i
/// was wondering if…", "i honestly do not know how it is used", "not sure whether…" (see
/// [`english::INDIRECT_QUESTION_CUES`]).
fn asks_indirectly(ws: &[String]) -> bool {
    (0..ws.len()).any(|i| {
        english::INDIRECT_QUESTION_CUES.iter().any(|cue| {
            let rest = &ws[i..];
            rest.len() > cue.len()
                && rest.iter().zip(cue.iter()).all(|(w, c)| w == c)
                && rest[cue.len()..]
                    .iter()
                    .take(english::INDIRECT_QUESTION_REACH)
                    .any(|w| english::INDIRECT_QUESTION_WORDS.contains(&w.as_str()))
        })
    })
}

/// An asking clause that says almost nothing ("Is it?", "What do I tell him?", "Is that
/// true?", "What are the pros and cons of each?") asks about what the clauses just before it
/// said ("…my roommate said it's an opioid and won't work with the shot. Is that true?"):
/// those clauses ask too, going back until, with the question, they hold
/// [`english::THIN_QUESTION_WORDS`] meaningful tokens and a medicine or lexicon term, at
/// most [`english::THIN_QUESTION_REACH`] clauses. A question says almost nothing when it has
/// fewer than [`english::THIN_QUESTION_WORDS`] meaningful tokens, or fewer than
/// [`english::SUBJECTLESS_QUESTION_WORDS`] and no medicine or lexicon term, or no medicine or
/// lexicon term and a "that" or "this" pointing back ("…I'd feel it through the shot. I want
/// to know how dangerous that actually is so I can tell myself the truth").
/// Returns, for each clause, whether it was lent asking.
fn lend_asking_to_the_subject(tokens: &[Token], clauses: &[u16], asking: &mut [bool]) -> Vec<bool> {
    let mut words = vec![0usize; asking.len()];
    let mut subject = vec![false; asking.len()];
    let mut refers = vec![false; asking.len()];
    for (t, c) in tokens.iter().zip(clauses) {
        let c = usize::from(*c);
        if matches!(t.text.as_str(), "that" | "this") {
            if let Some(r) = refers.get_mut(c) {
                *r = true;
            }
        }
        // A question word says what kind of answer, not what about.
        if t.kind != TokenKind::Stop && !english::QUESTION_WORDS.contains(&t.text.as_str()) {
            if let Some(n) = words.get_mut(c) {
                *n += 1;
            }
        }
        if matches!(t.kind, TokenKind::Drug | TokenKind::Class | TokenKind::Term) {
            if let Some(s) = subject.get_mut(c) {
                *s = true;
            }
        }
    }
    // Only a clause that asks by itself lends: a clause lent asking does not lend it again.
    let asked = asking.to_vec();
    for c in (1..asking.len()).rev() {
        let thin = words[c] < english::THIN_QUESTION_WORDS
            || (!subject[c] && (refers[c] || words[c] < english::SUBJECTLESS_QUESTION_WORDS));
        if !asked[c] || !thin || asking[c - 1] {
            continue;
        }
        let (mut gathered, mut named) = (words[c], subject[c]);
        for before in (c.saturating_sub(english::THIN_QUESTION_REACH)..c).rev() {
            if asking[before] {
                break;
            }
            asking[before] = true;
            gathered += words[before];
            named |= subject[before];
            if gathered >= english::THIN_QUESTION_WORDS && named {
                break;
            }
        }
    }
    asking
        .iter()
        .zip(&asked)
        .map(|(now, itself)| *now && !*itself)
        .collect()
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
    /// The stems of the knowledge's own words, worked out once: stemming is a good share of
    /// reading a question, and members mostly use the knowledge's words.
    stem_cache: HashMap<String, String>,
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
        let stemmer = Stemmer::create(english::STEMMER);
        spelling::load_english_words();
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
        let stopwords: HashSet<&'static str> = english::STOPWORDS
            .iter()
            .chain(english::BORROWED_STOPWORDS)
            .copied()
            .collect();
        let stem_cache = known
            .iter()
            .map(|w| (w.clone(), stemmer.stem(w).into_owned()))
            .collect();
        known.extend(stopwords.iter().map(|s| s.to_string()));
        Normalizer {
            singles,
            stems,
            phrases,
            terms,
            stopwords,
            known,
            stem_cache,
            corrector: Corrector::new(correctable),
            stemmer,
        }
    }

    /// The stem of an ordinary word.
    fn stem<'a>(&'a self, word: &'a str) -> Cow<'a, str> {
        match self.stem_cache.get(word) {
            Some(stem) => Cow::Borrowed(stem.as_str()),
            None => self.stemmer.stem(word),
        }
    }

    /// The lexicon term a single word stands for, exactly or by its stem.
    fn term_of(&self, word: &str) -> Option<usize> {
        if let Some(i) = self.singles.get(word) {
            return Some(*i);
        }
        let (term, shortest) = self.stems.get(self.stem(word).as_ref())?;
        (word.chars().count() >= *shortest).then_some(*term)
    }

    /// The identity a vocabulary word resolves to: its lexicon term, or its stem.
    fn identity(&self, word: &str) -> String {
        match self.term_of(word) {
            Some(i) => self.terms[i].0.clone(),
            None => self.stem(word).into_owned(),
        }
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
        let mut asking = Vec::new();
        let mut clause: u16 = 0;
        for part in text.split_inclusive(is_clause_break) {
            let before = words.len();
            words.extend(self::words(part));
            if words.len() > before {
                word_clause.resize(words.len(), clause);
                clause = clause.saturating_add(1);
                let ended_by = part.chars().last().filter(|c| is_clause_break(*c));
                asking.push(clause_asks(&words[before..], ended_by));
            } else if matches!(part.chars().last(), Some('?' | '？')) {
                // "…any ideas ??": a run of question marks belongs to the clause before.
                if let Some(last) = asking.last_mut() {
                    *last = true;
                }
            }
        }
        let mut similarity = vec![1.0f32; words.len()];
        for (w, sim) in words.iter_mut().zip(&mut similarity) {
            if self.is_known(w) || spelling::is_english_word(w) {
                continue;
            }
            if let Some((fixed, s)) = self.correct(w) {
                *w = fixed;
                *sim = s;
            }
        }
        let mut starts = Vec::new();
        let tokens = self.tokens_from(&words, &similarity, &mut starts);
        let clauses: Vec<u16> = starts
            .iter()
            .map(|w| word_clause.get(*w).copied().unwrap_or(0))
            .collect();
        let lent = lend_asking_to_the_subject(&tokens, &clauses, &mut asking);
        Analysis {
            words,
            tokens,
            clauses,
            starts,
            asking,
            lent,
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
        // Words left of a request phrase ("tell me about"): they say nothing of the subject
        // and are dropped.
        let mut requesting = 0;
        'outer: while i < ws.len() {
            starts.push(i);
            if requesting == 0 {
                requesting = english::REQUEST_PHRASES
                    .iter()
                    .find(|p| {
                        ws[i..]
                            .iter()
                            .map(String::as_str)
                            .take(p.len())
                            .eq(p.iter().copied())
                    })
                    .map_or(0, |p| p.len());
            }
            if requesting > 0 {
                requesting -= 1;
                starts.pop();
                i += 1;
                continue;
            }
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
                let stem = self.stem(w);
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
