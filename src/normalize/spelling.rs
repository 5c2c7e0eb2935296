//! Spelling correction: a [`Corrector`] finds the vocabulary words within a few edits of a
//! misspelling, and [`Normalizer::correct`] picks one only when the nearest words agree and no
//! two drugs are in reach.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::Normalizer;
use crate::knowledge::TermKind;

/// Common English words, one per line (`#` opens a comment line): from the SCOWL word lists
/// as Debian ships them (`wamerican-small`, `wbritish-small`), words of
/// [`MIN_CORRECTION_LEN`] letters or more; how it was made, and its copyright notice, are
/// beside it.
const ENGLISH_WORDS: &str = include_str!("english-words.txt");

/// [`ENGLISH_WORDS`], read once.
static WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    ENGLISH_WORDS
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Returns true if and only if `word` is a common English word, which spelling correction
/// leaves as it is: a member who writes "infection", "texts" or "couch" means it, not
/// "injection", "tests" or "cough".
pub(super) fn is_english_word(word: &str) -> bool {
    WORDS.contains(word)
}

/// Reads the English word list now, while the knowledge loads, rather than on the first
/// member's question.
pub(super) fn load_english_words() {
    LazyLock::force(&WORDS);
}

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
pub(super) const DRUG_EDITS: usize = 2;
/// Misspellings of other words (lexicon terms, the knowledge's words) may be one edit away:
/// enough for slips, and a much smaller index to build; the lexicon lists the common worse
/// misspellings of terms ("withdrawl").
pub(super) const VOCABULARY_EDITS: usize = 1;

/// Words of this length or more may be corrected across two edits; shorter ones across one.
/// Drug names are long and members misspell them badly ("naltraxone", "subuxone").
pub const TWO_EDIT_LEN: usize = 8;

/// Spelling correction by symmetric deletion (as in SymSpell): every vocabulary word is
/// indexed under the strings left after deleting up to two characters, so a misspelling
/// finds its candidates by lookups instead of a scan; `strsim` then measures them.
///
/// Deletion strings are kept as 64-bit hashes in one sorted list, which makes the index cheap
/// to build; a hash collision only adds a candidate, which the distance check then drops.
#[derive(Debug, Default)]
pub(super) struct Corrector {
    /// Each word and how many edits away a misspelling of it may be.
    pub(super) words: Vec<(String, usize)>,
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
    pub(super) fn new(vocabulary: impl IntoIterator<Item = (String, usize)>) -> Corrector {
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
    pub(super) fn candidates(&self, word: &str) -> Vec<(&str, usize)> {
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

impl Normalizer {
    /// Corrects a misspelled word to a vocabulary word, or returns `None` when there is no
    /// close word or the closest words disagree.
    ///
    /// Look-alike drugs are never fuzzed into one another: if two different drugs are within
    /// reach, the word is left alone, whatever their distances.
    pub(super) fn correct(&self, word: &str) -> Option<(String, f32)> {
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
}
