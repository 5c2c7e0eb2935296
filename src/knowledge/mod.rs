//! The curated knowledge: raw YAML files under `knowledge/` turned into checked types.
//!
//! Layout (pinned; other tools read it):
//! ```text
//! knowledge/
//!   entries/*.yaml   each file a YAML list of entries, one file per topic area
//!   lexicon.yaml     term variants and drug classes
//!   safety.yaml      emergency cues, crisis resources by region, disclaimer texts
//!   sources.yaml     citable sources by key: { key: { title, url } }
//! ```
//! Loading parses every file into private raw structs, then [`lint`] checks them and turns them
//! into the public types here. Nothing downstream sees the raw YAML.

mod lint;
mod raw;
pub mod yaml;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use lint::Finding;
pub(crate) use lint::{is_iso_date, question_key};
pub use raw::{LexiconFile, SafetyFile};

use crate::error::{Error, Result};

/// How serious the subject of an entry is; drives the reply's colour and warning.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// General knowledge.
    Info,
    /// Act on it with care.
    Caution,
    /// Risk of serious harm.
    Danger,
}

impl Severity {
    /// The lowercase name used in YAML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Caution => "caution",
            Severity::Danger => "danger",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where something was written: a file and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as found under the knowledge folder.
    pub path: PathBuf,
    /// The 1-based line.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// One curated question-and-answer entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Unique, kebab-case, stable id.
    pub id: String,
    /// The topic it is browsed under.
    pub topic: String,
    /// How serious the subject is.
    pub severity: Severity,
    /// Ways members ask this; the first is the title members see.
    pub questions: Vec<String>,
    /// The answer, in plain language (Markdown allowed).
    pub answer: String,
    /// A one-line warning shown prominently; always present on danger entries.
    pub warning: Option<String>,
    /// Keys into the knowledge base's sources.
    pub sources: Vec<String>,
    /// Ids of entries a member may want next.
    pub related: Vec<String>,
    /// Date of the last clinical review (YYYY-MM-DD).
    pub reviewed: String,
    /// False keeps the entry but never serves it.
    pub enabled: bool,
    /// Where the entry starts.
    pub origin: Origin,
    /// The 1-based line of each question, in order (the entry's line when unknown).
    pub question_lines: Vec<usize>,
}

impl Entry {
    /// The title members see: the first question.
    pub fn title(&self) -> &str {
        self.questions.first().map_or("", String::as_str)
    }
}

/// A citable source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    /// The key entries cite it by.
    pub key: String,
    /// Its title.
    pub title: String,
    /// Its https URL.
    pub url: String,
}

/// Emergency and crisis contacts for one region.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Region {
    /// Short code, such as `US`.
    pub code: String,
    /// Human name, such as `United States`.
    pub name: String,
    /// The emergency number, such as `911`.
    pub emergency: String,
    /// Suicide and crisis line, as a sentence.
    pub crisis: String,
    /// Poison advice line, if there is one.
    pub poison: Option<String>,
    /// Treatment helpline, if there is one.
    pub treatment: Option<String>,
}

/// What an emergency cue is about; decides which help the reply leads with.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyKind {
    /// A possible opioid or other overdose, someone not breathing or not waking.
    Overdose,
    /// Thoughts or plans of suicide or self-harm.
    Suicide,
    /// A seizure happening now.
    Seizure,
    /// Severe withdrawal: hallucinations, confusion, delirium tremens.
    SevereWithdrawal,
}

/// The emergency cues and texts from `safety.yaml`.
#[derive(Debug, Clone)]
pub struct SafetyData {
    /// Region used when none is configured.
    pub default_region: String,
    /// Regions by code.
    pub regions: BTreeMap<String, Region>,
    /// The line for anywhere not listed.
    pub international: String,
    /// Shown on every answer.
    pub disclaimer: String,
    /// Shown when nothing matches.
    pub no_match: String,
    /// Steps for a possible overdose (naloxone and staying with the person).
    pub overdose_steps: String,
    /// Cue phrases by kind. `*` stands for up to three words.
    pub cues: Vec<(EmergencyKind, String)>,
    /// Phrases that mark a question as asking for information rather than reporting an
    /// emergency happening now.
    pub informational: Vec<String>,
    /// Phrases that mark something as happening now, overriding `informational`.
    pub urgent: Vec<String>,
}

/// What kind of lexicon term a canonical name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermKind {
    /// A specific medicine or substance.
    Drug,
    /// A class of drugs (opioid).
    Class,
    /// A non-drug domain term (alcohol, surgery, pregnancy).
    Term,
}

/// A canonical lexicon term and the variants members type for it.
#[derive(Debug, Clone)]
pub struct LexiconTerm {
    /// Canonical name: one lowercase word, used as a token by the matcher.
    pub name: String,
    /// Drug, class or plain term.
    pub kind: TermKind,
    /// The classes a drug belongs to.
    pub classes: Vec<String>,
    /// Spellings, brands, slang and phrases members use (lowercase; may be several words).
    pub variants: Vec<String>,
}

/// Term variants and drug classes from `lexicon.yaml`.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Every term, drugs first, then classes, then plain terms.
    pub terms: Vec<LexiconTerm>,
}

impl Lexicon {
    /// Finds a term by canonical name.
    pub fn get(&self, name: &str) -> Option<&LexiconTerm> {
        self.terms.iter().find(|t| t.name == name)
    }
}

/// A checked, ready-to-serve knowledge base.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    /// Every entry, enabled or not, in file order.
    pub entries: Vec<Entry>,
    /// Sources by key.
    pub sources: BTreeMap<String, Source>,
    /// Term variants and classes.
    pub lexicon: Lexicon,
    /// Emergency cues and texts.
    pub safety: SafetyData,
    /// The folder it was loaded from.
    pub root: PathBuf,
}

impl KnowledgeBase {
    /// Loads and checks the knowledge folder at `dir`.
    ///
    /// Fails with [`Error::Invalid`] listing every problem if anything is wrong, so a broken
    /// edit is never served.
    pub fn load(dir: &Path) -> Result<KnowledgeBase> {
        let (kb, findings) = Self::load_with_findings(dir)?;
        match kb {
            Some(kb) if findings.is_empty() => Ok(kb),
            _ => Err(Error::Invalid { findings }),
        }
    }

    /// Loads the knowledge folder at `dir`, returning every problem found alongside the
    /// knowledge base (which is `None` when a problem stops it from being built at all).
    ///
    /// Only an unreadable folder is an `Err`; everything about the content is a [`Finding`].
    pub fn load_with_findings(dir: &Path) -> Result<(Option<KnowledgeBase>, Vec<Finding>)> {
        let files = raw::read_dir(dir)?;
        Ok(lint::check(dir, files))
    }

    /// Finds an entry by id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Iterates over the entries that may be served.
    pub fn enabled(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.enabled)
    }

    /// The latest `reviewed` date across enabled entries.
    pub fn last_reviewed(&self) -> Option<&str> {
        self.enabled().map(|e| e.reviewed.as_str()).max()
    }

    /// The names of the topics of enabled entries, in first-seen order.
    pub fn topic_names(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.enabled()
            .filter(|e| seen.insert(e.topic.as_str()))
            .map(|e| e.topic.clone())
            .collect()
    }

    /// Topics in first-seen order, each with its enabled entries.
    pub fn topics(&self) -> Vec<(String, Vec<&Entry>)> {
        let mut topics: Vec<(String, Vec<&Entry>)> = Vec::new();
        for entry in self.enabled() {
            match topics.iter_mut().find(|(t, _)| *t == entry.topic) {
                Some((_, list)) => list.push(entry),
                None => topics.push((entry.topic.clone(), vec![entry])),
            }
        }
        topics
    }

    /// Looks up a region by code, case-insensitively, falling back to the default region.
    pub fn region(&self, code: Option<&str>) -> &Region {
        let wanted = code.unwrap_or(&self.safety.default_region);
        self.safety
            .regions
            .values()
            .find(|r| r.code.eq_ignore_ascii_case(wanted))
            .or_else(|| self.safety.regions.get(&self.safety.default_region))
            .or_else(|| self.safety.regions.values().next())
            .expect("lint guarantees at least one region and a valid default")
    }
}
