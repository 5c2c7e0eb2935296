//! The drug guard: never answer with an entry about a different drug than the one asked about.
//!
//! An entry *covers* every drug and class named in any of its questions (brands and slang
//! count as the drug, through the lexicon). Its *anchors* are the specific drugs named in its
//! title. A member's question rules an entry out when it names
//! - a drug the entry does not cover, directly or through a class the entry names
//!   ("percocet" is an opioid, so an entry that names opioids covers it), or
//! - a class the entry does not cover (neither the class nor any of its drugs), or
//! - specific drugs, none of which is one of the entry's anchors ("how long will suboxone
//!   block opioids" names buprenorphine, so the entry titled "How long does naltrexone
//!   block opioids?" is not eligible), or
//! - specific drugs but not every one of the entry's *required* drugs: those named in nearly
//!   every question of the entry (see [`REQUIRED_DRUG_SHARE`]). An entry about switching from
//!   Suboxone to naltrexone names naltrexone throughout, so "how long do suboxone withdrawals
//!   last" is not for it; an entry comparing naltrexone and acamprosate names both throughout,
//!   so "how does acamprosate work" is not for it.
//!
//! Coverage reads an entry's questions and answer; anchors and required drugs read only its
//! questions, which curators write for exactly this.

use rustc_hash::FxHashMap as HashMap;

use crate::knowledge::{KnowledgeBase, TermKind};
use crate::normalize::{Token, TokenKind};

/// A drug named in at least this share of an entry's questions is required: a member who
/// names other drugs but not this one is asking about something else. Three quarters leaves
/// room for a few questions that say "it" or "the pill".
pub const REQUIRED_DRUG_SHARE: f32 = 0.75;

/// A set of lexicon drugs or classes, by their position in the guard's name list. Checking a
/// question against ten thousand entries is then a few word operations per entry.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn with_len(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }

    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn union_with(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(wi, w)| {
            (0..64)
                .filter(move |b| w & (1 << b) != 0)
                .map(move |b| wi * 64 + b)
        })
    }
}

fn contains(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

fn intersects(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

/// What one entry is about, drug-wise.
#[derive(Debug, Default, Clone)]
struct Coverage {
    /// Drugs its questions or answer name.
    drugs: Bits,
    /// Classes its questions or answer name.
    classes: Bits,
    /// Classes it covers: those it names, and the classes of the drugs it names.
    implied_classes: Bits,
    /// Drugs its title names.
    anchors: Bits,
    /// Drugs nearly all its questions name.
    required: Bits,
}

/// One entry's tokens, as the guard reads them.
#[derive(Debug, Default)]
pub(super) struct EntryTokens {
    /// Each question's tokens, the title first.
    pub questions: Vec<Vec<Token>>,
    /// The answer's tokens.
    pub answer: Vec<Token>,
}

/// Which of an entry's sets a slice of the flat table holds.
#[derive(Debug, Clone, Copy)]
enum Set {
    Drugs = 0,
    Classes = 1,
    ImpliedClasses = 2,
    Anchors = 3,
    Required = 4,
}

/// How many sets each entry has in the flat table.
const SETS: usize = 5;

/// Per-entry drug coverage, built once from the knowledge.
#[derive(Debug)]
pub struct DrugGuard {
    /// Every entry's sets, one after another (`SETS` sets of `words` words each), so checking
    /// thousands of entries walks one block of memory.
    table: Vec<u64>,
    /// 64-bit words per set.
    words: usize,
    /// Drug and class names, by position.
    names: Vec<String>,
    /// Name → position.
    positions: HashMap<String, usize>,
    /// For each position that is a drug, its classes.
    classes_of: Vec<Bits>,
    /// Plain terms that may stand for a drug ("the shot"), with those drugs' positions.
    may_mean: HashMap<String, Bits>,
    /// Those of them no entry names: they say only which medicines the member may mean
    /// ("nal" is naltrexone or naloxone), nothing the entries speak of ("the shot" is also the
    /// injection the entries on it describe).
    bare: Vec<String>,
}

/// Which entries a question leaves eligible.
#[derive(Debug)]
pub struct Eligible<'a> {
    guard: &'a DrugGuard,
    drugs: Vec<usize>,
    drug_bits: Bits,
    /// Drugs the question may mean without naming them ("the shot").
    maybe_bits: Bits,
    /// The same, through terms no entry names ("nal").
    bare_maybe_bits: Bits,
    classes: Vec<usize>,
}

impl DrugGuard {
    /// Builds coverage from each entry's tokens: its questions' tokens, question by question
    /// (the title first), then its answer's tokens.
    pub(super) fn new(kb: &KnowledgeBase, entry_tokens: &[EntryTokens]) -> DrugGuard {
        let names: Vec<String> = kb
            .lexicon
            .terms
            .iter()
            .filter(|t| matches!(t.kind, TermKind::Drug | TermKind::Class))
            .map(|t| t.name.clone())
            .collect();
        let positions: HashMap<String, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let n = names.len();
        let classes_of: Vec<Bits> = names
            .iter()
            .map(|name| {
                let mut bits = Bits::with_len(n);
                if let Some(term) = kb.lexicon.get(name) {
                    for c in &term.classes {
                        if let Some(i) = positions.get(c) {
                            bits.insert(*i);
                        }
                    }
                }
                bits
            })
            .collect();
        let may_mean = kb
            .lexicon
            .may_mean
            .iter()
            .map(|(term, drugs)| {
                let mut bits = Bits::with_len(n);
                for d in drugs.iter().filter_map(|d| positions.get(d)) {
                    bits.insert(*d);
                }
                (term.clone(), bits)
            })
            .collect();
        let mut guard = DrugGuard {
            table: Vec::new(),
            words: n.div_ceil(64),
            names,
            positions,
            classes_of,
            may_mean,
            bare: kb
                .lexicon
                .may_mean
                .iter()
                .map(|(term, _)| term)
                .filter(|term| {
                    !entry_tokens.iter().any(|e| {
                        e.questions
                            .iter()
                            .flatten()
                            .chain(&e.answer)
                            .any(|t| &t.text == *term)
                    })
                })
                .cloned()
                .collect(),
        };
        let mut table = Vec::with_capacity(entry_tokens.len() * SETS * guard.words);
        for e in entry_tokens {
            let c = guard.coverage(e, n);
            for set in [c.drugs, c.classes, c.implied_classes, c.anchors, c.required] {
                table.extend_from_slice(&set.0);
            }
        }
        guard.table = table;
        guard
    }

    /// One of an entry's sets, as words of bits.
    fn set(&self, entry: usize, which: Set) -> &[u64] {
        let start = (entry * SETS + which as usize) * self.words;
        self.table.get(start..start + self.words).unwrap_or(&[])
    }

    fn entries(&self) -> usize {
        self.table.len() / (SETS * self.words).max(1)
    }

    fn position(&self, t: &Token) -> Option<usize> {
        match t.kind {
            TokenKind::Drug | TokenKind::Class => self.positions.get(&t.text).copied(),
            _ => None,
        }
    }

    fn drug_bits<'t>(&self, tokens: impl IntoIterator<Item = &'t Token>, n: usize) -> Bits {
        let mut bits = Bits::with_len(n);
        for t in tokens {
            if t.kind == TokenKind::Drug {
                if let Some(i) = self.position(t) {
                    bits.insert(i);
                }
            }
        }
        bits
    }

    fn coverage(&self, e: &EntryTokens, n: usize) -> Coverage {
        let mut c = Coverage {
            drugs: Bits::with_len(n),
            classes: Bits::with_len(n),
            implied_classes: Bits::with_len(n),
            anchors: Bits::with_len(n),
            required: Bits::with_len(n),
        };
        for t in e.questions.iter().flatten().chain(&e.answer) {
            if let Some(i) = self.position(t) {
                match t.kind {
                    TokenKind::Drug => c.drugs.insert(i),
                    _ => c.classes.insert(i),
                }
            }
        }
        c.implied_classes = c.classes.clone();
        for d in c.drugs.iter() {
            c.implied_classes.union_with(&self.classes_of[d]);
        }
        c.anchors = self.drug_bits(e.questions.first().into_iter().flatten(), n);
        let mut named_in = vec![0usize; n];
        for q in &e.questions {
            for d in self.drug_bits(q, n).iter() {
                named_in[d] += 1;
            }
        }
        let questions = e.questions.len().max(1) as f32;
        for (d, k) in named_in.iter().enumerate() {
            if *k as f32 / questions >= REQUIRED_DRUG_SHARE {
                c.required.insert(d);
            }
        }
        c
    }

    fn names_of(&self, entry: usize, which: Set) -> Vec<&str> {
        let bits = Bits(self.set(entry, which).to_vec());
        let mut v: Vec<&str> = bits.iter().map(|i| self.names[i].as_str()).collect();
        v.sort_unstable();
        v
    }

    /// The drugs an entry requires a member to name (when they name any), sorted.
    pub fn required(&self, entry: usize) -> Vec<&str> {
        self.names_of(entry, Set::Required)
    }

    /// The anchors (drugs named in the title) of an entry, sorted.
    pub fn anchors(&self, entry: usize) -> Vec<&str> {
        self.names_of(entry, Set::Anchors)
    }

    /// The drugs and classes a question names, and so which entries it leaves eligible.
    pub fn eligible(&self, tokens: &[Token]) -> Eligible<'_> {
        let mut drugs = Vec::new();
        let mut classes = Vec::new();
        let mut drug_bits = Bits::with_len(self.names.len());
        let mut maybe_bits = Bits::with_len(self.names.len());
        let mut bare_maybe_bits = Bits::with_len(self.names.len());
        for t in tokens {
            if t.kind == TokenKind::Term {
                if let Some(bits) = self.may_mean.get(&t.text) {
                    maybe_bits.union_with(bits);
                    if self.bare.contains(&t.text) {
                        bare_maybe_bits.union_with(bits);
                    }
                }
            }
            let Some(i) = self.position(t) else { continue };
            if t.kind == TokenKind::Drug {
                if !drugs.contains(&i) {
                    drugs.push(i);
                    drug_bits.insert(i);
                }
            } else if !classes.contains(&i) {
                classes.push(i);
            }
        }
        Eligible {
            guard: self,
            drugs,
            drug_bits,
            maybe_bits,
            bare_maybe_bits,
            classes,
        }
    }
}

impl Eligible<'_> {
    /// Returns true if and only if the question names a specific drug.
    pub fn names_drug(&self) -> bool {
        !self.drugs.is_empty()
    }

    /// The share of the drugs the question names that the entry's title names (0 when the
    /// question names none).
    pub fn anchor_share(&self, entry: usize) -> f32 {
        if self.drugs.is_empty() || entry >= self.guard.entries() {
            return 0.0;
        }
        let anchors = self.guard.set(entry, Set::Anchors);
        let named = self.drugs.iter().filter(|d| contains(anchors, **d)).count();
        named as f32 / self.drugs.len() as f32
    }

    /// Returns true if and only if the entry at `entry` may answer the question.
    pub fn allows(&self, entry: usize) -> bool {
        if entry >= self.guard.entries() {
            return false;
        }
        let g = self.guard;
        let drugs = g.set(entry, Set::Drugs);
        let classes = g.set(entry, Set::Classes);
        let drug_covered =
            |d: &usize| contains(drugs, *d) || intersects(&g.classes_of[*d].0, classes);
        if !self.drugs.iter().all(drug_covered) {
            return false;
        }
        let implied = g.set(entry, Set::ImpliedClasses);
        if !self.classes.iter().all(|k| contains(implied, *k)) {
            return false;
        }
        if self.drugs.is_empty() {
            return true;
        }
        // A drug the question may mean ("the shot") stands in for a named one here; whether
        // the entry may then answer is `by_a_term_alone`'s question.
        self.names_its_drugs(entry, true)
    }

    /// Returns true if and only if the entry at `entry` is about a drug the question names:
    /// it requires one of them, or the question names two or more, asking how they go
    /// together, which every entry it may reach covers.
    pub fn is_about_a_named_drug(&self, entry: usize) -> bool {
        self.drugs.len() > 1
            || (entry < self.guard.entries()
                && intersects(self.guard.set(entry, Set::Required), &self.drug_bits.0))
    }

    /// Returns true if and only if the question names a drug and reaches the entry at `entry`
    /// only through a term that may mean the entry's drug ("i used heroin 5 days ago, when
    /// can i start the shot" and the entries on naltrexone): the member may mean another
    /// medicine, so the entry may be offered but not answered.
    ///
    /// A question that names no drug but a term no entry names, which only says which
    /// medicines it may be ("how long does nal last": naltrexone or naloxone), reaches the
    /// entries titled with one of them through the term alone too.
    pub fn by_a_term_alone(&self, entry: usize) -> bool {
        if entry >= self.guard.entries() {
            return false;
        }
        if self.drugs.is_empty() {
            return intersects(self.guard.set(entry, Set::Anchors), &self.bare_maybe_bits.0);
        }
        !self.names_its_drugs(entry, false)
    }

    /// Returns true if and only if the drugs the question names (with those it may mean, when
    /// `with_maybe`) include one of the entry's anchors, if it has any, and every drug it
    /// requires.
    fn names_its_drugs(&self, entry: usize, with_maybe: bool) -> bool {
        let word = |bits: &Bits, i: usize| bits.0.get(i).copied().unwrap_or(0);
        let maybe_mask = if with_maybe { u64::MAX } else { 0 };
        let named = |i: usize| word(&self.drug_bits, i) | (word(&self.maybe_bits, i) & maybe_mask);
        let anchors = self.guard.set(entry, Set::Anchors);
        let names_an_anchor = anchors.iter().all(|w| *w == 0)
            || anchors.iter().enumerate().any(|(i, a)| a & named(i) != 0);
        let names_every_required = self
            .guard
            .set(entry, Set::Required)
            .iter()
            .enumerate()
            .all(|(i, r)| r & !named(i) == 0);
        names_an_anchor && names_every_required
    }
}
