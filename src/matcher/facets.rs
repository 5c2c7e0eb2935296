//! The topic guard: an entry may be offered for a question, but not answered outright, when
//! the two are about different subjects, even though they share words.
//!
//! The drug guard ([`super::guard`]) decides which entries a question may reach at all. This
//! guard is finer and only ever turns an answer into a "did you mean": everything it knows
//! is read from the entries themselves, so it holds for entries curators add later.
//!
//! A *facet* is a lexicon term that at most [`FACET_MAX_SHARE`] of the entries mention, in
//! their questions or answer; it is *key* when some entry's questions are centrally about it
//! ([`KEY_SHARE`]): pregnancy, the liver, drug tests, constipation. A term nearly every entry
//! mentions ("doctor", "medicine", "start") is *generic* ([`GENERIC_SHARE`]). An entry may
//! not answer a question when:
//! - **the question asks about a subject the entry never covers**: the clause that asks names
//!   a key facet that appears nowhere in the entry ("naloxegol while pregnant" is not for the
//!   naloxegol warnings entry, which never speaks of pregnancy), or a lexicon term no entry
//!   mentions (sugar cravings), which the second opinion never overrules (see
//!   [`Mismatch::UnknownSubject`]); or
//! - **the entry's own subject is missing from the question**: nearly all of the entry's
//!   questions name one of a few terms or classes (its *subject*: the pregnancy entry's
//!   questions say pregnant or breastfeeding, the entry on alcohol or benzodiazepines with
//!   buprenorphine names alcohol or benzos), and the question names neither one of them nor
//!   another telling term of the entry's questions ("i'm on methadone, can i take naltrexone
//!   for my drinking" is not a pregnancy question, "what is suboxone" not one about alcohol
//!   with it). A class the question reaches only through a drug counts only as the subject
//!   ("is xanax ok with naltrexone" is not for the withdrawal-treatment entry, whose questions
//!   name benzos as a treatment), and a class named in words counts even where it is generic
//!   ("AUD meds"). The one entry whose title names a medicine may still answer a question
//!   about that medicine in general ("what does gabapentin do"); or
//! - **the entry mentions the question's medicines only in passing**: the entry's questions
//!   name none of the medicines the question names (only a class they belong to, or the
//!   answer does), and the question names none of the entry's telling terms ("what should i
//!   do when stopping oxycodone" is not about constipation, "oxycodone constipation" is). In
//!   a story, the question's medicines are those its asking clauses name: "…I only learned
//!   about naltrexone here. How do I bring it up with my doctor?" asks about raising it.
//!
//! The classes of the medicines an entry is about (naltrexone is an opioid blocker) are never
//! its subject: they say nothing its medicines do not.

mod elsewhere;

use rustc_hash::FxHashMap as HashMap;

use super::guard::EntryTokens;
use crate::knowledge::{KnowledgeBase, TermKind};
use crate::normalize::{Token, TokenKind};

/// A term mentioned by more than this share of the entries is too common to tell entries
/// apart ("doctor" is in nearly every answer), so it is not a facet.
pub const FACET_MAX_SHARE: f32 = 0.2;

/// An entry's subject is the fewest terms or classes (at most [`MAX_SUBJECT_TERMS`]) that
/// between them are named in at least this share of its questions; three quarters leaves room
/// for questions that say "it" or "that".
pub const SUBJECT_SHARE: f32 = 0.75;

/// At most this many terms make up an entry's subject; an entry whose questions need more
/// has no single subject, and this check does not apply to it.
pub const MAX_SUBJECT_TERMS: usize = 3;

/// A term counts toward an entry's subject only if at least this share of its questions name
/// it: a term named once is an aside, not the subject.
pub const SUBJECT_TERM_MIN_SHARE: f32 = 0.2;

/// A facet is *key* when at least this share of some entry's questions name it: a subject
/// curators wrote an entry about, such as pregnancy, the liver or drug tests.
pub const KEY_SHARE: f32 = 0.3;

/// A term named by more than this share of the entries (in questions or answer) is generic:
/// "doctor", "medicine", "start". It is part of an entry's subject only when the entry's title
/// names it (the entry on alcohol with buprenorphine is about alcohol, though most entries
/// mention it), and naming it does not show a question is about an entry.
pub const GENERIC_SHARE: f32 = 0.45;

/// A facet at most this many entries mention is key too: a subject so specific ("storage",
/// "mouthwash") that an entry never mentioning it cannot be answering a question about it.
pub const RARE_ENTRIES: u32 = 2;

/// A drug named in at least this share of an entry's questions is what the entry is about;
/// its classes are then not the entry's subject.
pub const MAIN_DRUG_SHARE: f32 = 0.5;

/// Why an entry may be offered but not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// The question asks about a facet the entry never mentions (its id: see
    /// [`Facets::name`]).
    UncoveredFacet(u32),
    /// The question asks about a lexicon term no entry mentions: nothing curated covers it.
    UnknownSubject,
    /// The question names none of the terms that make up the entry's subject.
    MissingSubject,
    /// The entry names the question's medicines only in passing.
    PassingMention,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mismatch::UncoveredFacet(_) => {
                "the question asks about a subject the entry never mentions"
            }
            Mismatch::UnknownSubject => "the question asks about a subject no entry mentions",
            Mismatch::MissingSubject => "the question names none of the entry's subject",
            Mismatch::PassingMention => "the entry names the question's medicines only in passing",
        })
    }
}

/// What each entry is about, facet-wise.
#[derive(Debug, Default)]
struct EntryFacets {
    /// Facets named anywhere in the entry (sorted term ids).
    mentioned: Vec<u32>,
    /// Terms or classes of which a question must name one (empty: no single subject).
    subject: Vec<u32>,
    /// Terms or classes its questions name that tell what it is about: a question naming one
    /// of them is about the entry even without naming its subject ("DTs" for the entry on
    /// alcohol withdrawal).
    about: Vec<u32>,
    /// Drugs its questions name directly.
    drugs: Vec<u32>,
    /// Drugs its title names.
    title_drugs: Vec<u32>,
}

/// The topic guard, built once from the knowledge.
#[derive(Debug, Default)]
pub struct Facets {
    /// Term, class or drug name → id.
    ids: HashMap<String, u32>,
    /// For each id, whether nearly every entry names it ("doctor", "start").
    is_generic: Vec<bool>,
    /// For each id of a drug, how many entries' titles name it.
    titled: Vec<u32>,
    /// For each id, whether it is a key facet: one that some entry is centrally about.
    is_key: Vec<bool>,
    /// Drug id → its classes' ids.
    classes: HashMap<u32, Vec<u32>>,
    entries: Vec<EntryFacets>,
    /// Term or class id → the entries whose subject it is.
    subject_of: HashMap<u32, Vec<usize>>,
    /// Id → its term, class or drug name.
    names: Vec<String>,
    /// Terms that may stand for a drug ("the shot"): a question naming one is not about them.
    may_mean: Vec<u32>,
    /// The same terms by name, including those no entry mentions ("nal").
    stands_for_medicines: Vec<String>,
}

/// What the topic guard reads in a question, once for all the entries it checks.
#[derive(Debug, Default)]
pub struct Reading {
    /// The terms, classes (a drug's included) and drugs it names, with their kinds.
    named: Vec<(u32, TokenKind)>,
    /// The drugs it names.
    drugs: Vec<u32>,
    /// The drugs the clauses that ask name.
    drugs_asked: Vec<u32>,
    /// The key facets the clauses that ask name.
    key_terms_asked: Vec<u32>,
    /// Whether the clauses that ask name a lexicon term no entry mentions.
    unknown_term_asked: bool,
    /// The terms the clauses that ask name.
    terms_asked: Vec<u32>,
    /// The classes it names in words ("benzos", "alcohol meds"), not through a drug.
    classes_in_words: Vec<u32>,
}

/// What one entry names, as read once while building.
struct Named {
    /// Terms and classes anywhere in it (sorted).
    anywhere: Vec<u32>,
    /// Per question, the terms and classes it names, a drug's classes included.
    questions: Vec<Vec<u32>>,
    /// Per question, the drugs it names.
    drugs: Vec<Vec<u32>>,
    /// Classes its questions name in words ("benzos"), not through a drug (sorted).
    explicit: Vec<u32>,
}

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

impl Facets {
    /// Builds the guard from every entry's tokens (disabled entries have none); a drug named
    /// in a question also names its classes (from `kb`'s lexicon), so "xanax" counts for an
    /// entry whose subject is benzodiazepines.
    pub(super) fn new(kb: &KnowledgeBase, entry_tokens: &[EntryTokens]) -> Facets {
        let mut f = Facets::default();
        let classes_of: HashMap<&str, &[String]> = kb
            .lexicon
            .terms
            .iter()
            .filter(|t| t.kind == TermKind::Drug)
            .map(|t| (t.name.as_str(), t.classes.as_slice()))
            .collect();
        let mut read: Vec<Named> = Vec::new();
        for e in entry_tokens {
            let mut anywhere = Vec::new();
            let mut questions = Vec::new();
            let mut drugs = Vec::new();
            let mut explicit = Vec::new();
            for q in &e.questions {
                let mut named = Vec::new();
                let mut named_drugs = Vec::new();
                for t in q {
                    match t.kind {
                        TokenKind::Term => named.push(f.id(&t.text)),
                        TokenKind::Class => {
                            let class = f.id(&t.text);
                            named.push(class);
                            explicit.push(class);
                        }
                        TokenKind::Drug => {
                            let drug = f.id(&t.text);
                            named_drugs.push(drug);
                            named.extend(f.classes_of(drug, &t.text, &classes_of));
                        }
                        _ => {}
                    }
                }
                let named = sorted(named);
                anywhere.extend(named.iter().copied());
                questions.push(named);
                drugs.push(sorted(named_drugs));
            }
            for t in &e.answer {
                if matches!(t.kind, TokenKind::Term | TokenKind::Class) {
                    anywhere.push(f.id(&t.text));
                }
            }
            read.push(Named {
                anywhere: sorted(anywhere),
                questions,
                drugs,
                explicit: sorted(explicit),
            });
        }
        let n = f.ids.len();
        f.titled = vec![0; n];
        for r in &read {
            for d in r.drugs.first().into_iter().flatten() {
                f.titled[*d as usize] += 1;
            }
        }
        let mut df = vec![0u32; n];
        let mut central = vec![false; n];
        let live = read.iter().filter(|r| !r.questions.is_empty()).count();
        for r in &read {
            for id in &r.anywhere {
                df[*id as usize] += 1;
            }
            for (id, share) in shares(&r.questions) {
                if share >= KEY_SHARE {
                    central[id as usize] = true;
                }
            }
        }
        let max_df = (live as f32 * FACET_MAX_SHARE).max(1.0);
        let generic_df = live as f32 * GENERIC_SHARE;
        f.is_generic = df.iter().map(|d| *d as f32 > generic_df).collect();
        f.is_key = df
            .iter()
            .zip(&central)
            .map(|(df, central)| *df as f32 <= max_df && (*central || *df <= RARE_ENTRIES))
            .collect();
        f.entries = read.into_iter().map(|r| f.entry(r)).collect();
        for (ei, e) in f.entries.iter().enumerate() {
            for id in &e.subject {
                f.subject_of.entry(*id).or_default().push(ei);
            }
        }
        f.stands_for_medicines = kb.lexicon.may_mean.iter().map(|(t, _)| t.clone()).collect();
        f.may_mean = sorted(
            kb.lexicon
                .may_mean
                .iter()
                .filter_map(|(term, _)| f.ids.get(term).copied())
                .collect(),
        );
        f.names = vec![String::new(); f.ids.len()];
        for (name, id) in &f.ids {
            f.names[*id as usize] = name.clone();
        }
        f
    }

    /// One entry's facets from what it names.
    fn entry(&self, named: Named) -> EntryFacets {
        let Named {
            anywhere: mentioned,
            questions,
            drugs,
            explicit: explicit_classes,
        } = named;
        let drugs = &drugs;
        let explicit_classes = &explicit_classes;
        // The classes of the drugs the entry is about ("naltrexone" is an opioid blocker) say
        // nothing its drugs do not: they are not its subject.
        let main_classes: Vec<u32> = shares(drugs)
            .into_iter()
            .filter(|(_, share)| *share >= MAIN_DRUG_SHARE)
            .flat_map(|(d, _)| self.classes.get(&d).cloned().unwrap_or_default())
            .collect();
        let title: Vec<u32> = questions.first().cloned().unwrap_or_default();
        let telling = |id: &u32| {
            !main_classes.contains(id)
                && (!self.is_generic[*id as usize]
                    || title.contains(id)
                    || explicit_classes.binary_search(id).is_ok())
        };
        let candidates: Vec<Vec<u32>> = questions
            .iter()
            .map(|q| q.iter().copied().filter(telling).collect())
            .collect();
        EntryFacets {
            about: sorted(candidates.iter().flatten().copied().collect()),
            mentioned,
            subject: subject(&candidates, &self.is_generic),
            drugs: sorted(drugs.iter().flatten().copied().collect()),
            title_drugs: drugs.first().cloned().unwrap_or_default(),
        }
    }

    /// The ids of a drug's classes, remembered for reading questions.
    fn classes_of(
        &mut self,
        drug: u32,
        name: &str,
        lexicon: &HashMap<&str, &[String]>,
    ) -> Vec<u32> {
        if let Some(known) = self.classes.get(&drug) {
            return known.clone();
        }
        let ids: Vec<u32> = lexicon
            .get(name)
            .copied()
            .unwrap_or(&[])
            .iter()
            .map(|c| self.id(c))
            .collect();
        self.classes.insert(drug, ids.clone());
        ids
    }

    fn id(&mut self, text: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(text.to_owned()).or_insert(next)
    }

    fn known(&self, t: &Token) -> Option<u32> {
        match t.kind {
            TokenKind::Term | TokenKind::Class | TokenKind::Drug => self.ids.get(&t.text).copied(),
            _ => None,
        }
    }

    /// Reads a question's tokens once for [`Facets::mismatch`]; those with `asks` true are in
    /// the clause that asks.
    pub fn read(&self, tokens: &[Token], asks: &[bool]) -> Reading {
        let mut r = Reading::default();
        for (i, t) in tokens.iter().enumerate() {
            let asks = asks.get(i).copied().unwrap_or(true);
            let Some(id) = self.known(t) else {
                // A lexicon term no entry mentions (storage, disposal): nothing covers it.
                // One that stands for medicines ("nal") is not a subject.
                r.unknown_term_asked |= asks
                    && t.kind == TokenKind::Term
                    && !self.stands_for_medicines.contains(&t.text);
                continue;
            };
            if asks && t.kind == TokenKind::Term {
                if self.may_mean.binary_search(&id).is_err() {
                    r.terms_asked.push(id);
                }
                if self.is_key[id as usize] {
                    r.key_terms_asked.push(id);
                }
            }
            r.named.push((id, t.kind));
            if t.kind == TokenKind::Class {
                r.classes_in_words.push(id);
            }
            if t.kind == TokenKind::Drug {
                r.drugs.push(id);
                if asks {
                    r.drugs_asked.push(id);
                }
                for class in self.classes.get(&id).into_iter().flatten() {
                    r.named.push((*class, TokenKind::Class));
                }
            }
        }
        r
    }

    /// True if and only if `entry`'s title names medicines and the clauses that ask name
    /// others only.
    pub fn asks_about_other_medicines(&self, entry: usize, r: &Reading) -> bool {
        let Some(e) = self.entries.get(entry) else {
            return false;
        };
        !e.title_drugs.is_empty()
            && !r.drugs_asked.is_empty()
            && r.drugs_asked
                .iter()
                .all(|d| e.title_drugs.binary_search(d).is_err())
    }

    /// True if and only if `entry`'s questions name every lexicon term the clauses that ask
    /// name: "naltrexone kidney" asks about the kidneys, which the entry on what naltrexone
    /// is never asks about.
    pub fn asks_nothing_beyond(&self, entry: usize, r: &Reading) -> bool {
        let Some(e) = self.entries.get(entry) else {
            return false;
        };
        r.terms_asked
            .iter()
            .all(|id| e.about.binary_search(id).is_ok())
    }

    /// Why `entry` may not answer the question `r` was read from; `None` when it may.
    pub fn mismatch(&self, entry: usize, r: &Reading) -> Option<Mismatch> {
        let e = self.entries.get(entry)?;
        if r.unknown_term_asked {
            return Some(Mismatch::UnknownSubject);
        }
        if let Some(id) = r
            .key_terms_asked
            .iter()
            .find(|id| e.mentioned.binary_search(id).is_err())
        {
            return Some(Mismatch::UncoveredFacet(*id));
        }
        let named = &r.named;
        // Naming the entry's subject, or a telling term of its questions, shows a question is
        // about the entry; a generic one ("opioid", "alcohol") does only as the subject, or
        // as a class both name in words ("alcohol meds" is generic only because every
        // naltrexone entry names it through the drug).
        let in_entry = |id: &u32| {
            e.subject.binary_search(id).is_ok()
                || (e.about.binary_search(id).is_ok()
                    && (!self.is_generic[*id as usize] || r.classes_in_words.contains(id)))
        };
        // The one entry whose title names a medicine is that medicine's entry: a question
        // about the medicine in general ("what does gabapentin do") may have it.
        let sole_entry_for_drug = named.iter().any(|(id, kind)| {
            *kind == TokenKind::Drug
                && self.titled[*id as usize] == 1
                && e.title_drugs.binary_search(id).is_ok()
        });
        // A class reached only through a drug ("xanax" is a benzodiazepine) is the drug's:
        // it shows the question is about the entry only as the entry's subject.
        let in_words =
            |id: &u32, kind: TokenKind| kind == TokenKind::Term || r.classes_in_words.contains(id);
        if !e.subject.is_empty()
            && !sole_entry_for_drug
            && !named.iter().any(|(id, kind)| {
                e.subject.binary_search(id).is_ok() || (in_words(id, *kind) && in_entry(id))
            })
        {
            return Some(Mismatch::MissingSubject);
        }
        let passing = !r.drugs_asked.is_empty()
            && r.drugs_asked
                .iter()
                .all(|d| e.drugs.binary_search(d).is_err());
        if passing
            && !named
                .iter()
                .any(|(id, kind)| *kind != TokenKind::Drug && in_entry(id))
        {
            return Some(Mismatch::PassingMention);
        }
        None
    }
}

/// Each id named in `lists`, with the share of the lists that name it.
fn shares(lists: &[Vec<u32>]) -> Vec<(u32, f32)> {
    let n = lists.len().max(1) as f32;
    let mut counts: HashMap<u32, usize> = HashMap::default();
    for list in lists {
        for id in list {
            *counts.entry(*id).or_insert(0) += 1;
        }
    }
    let mut v: Vec<(u32, f32)> = counts
        .into_iter()
        .map(|(id, c)| (id, c as f32 / n))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The fewest terms (telling ones first, then most named first) that between them are named in [`SUBJECT_SHARE`] of
/// `questions`, or none.
fn subject(questions: &[Vec<u32>], is_generic: &[bool]) -> Vec<u32> {
    let n = questions.len();
    if n == 0 {
        return Vec::new();
    }
    let mut ranked: Vec<(u32, f32)> = shares(questions)
        .into_iter()
        .filter(|(_, share)| *share >= SUBJECT_TERM_MIN_SHARE)
        .collect();
    // Telling terms first: "constipation" says what an entry is about better than "opioid".
    ranked.sort_by_key(|(id, _)| is_generic.get(*id as usize).copied().unwrap_or(false));
    let mut chosen: Vec<u32> = Vec::new();
    for (id, _) in ranked.into_iter().take(MAX_SUBJECT_TERMS) {
        chosen.push(id);
        let covered = questions
            .iter()
            .filter(|q| q.iter().any(|t| chosen.contains(t)))
            .count();
        if covered as f32 / n as f32 >= SUBJECT_SHARE {
            return sorted(chosen);
        }
    }
    Vec::new()
}
