//! The curated knowledge: raw YAML files under `knowledge/` turned into checked types.
//!
//! Layout (pinned; other tools read it):
//! ```text
//! knowledge/
//!   entries/*.yaml   each file a YAML list of entries, one file per topic area
//!   lexicon.yaml     term variants and drug classes
//!   safety.yaml      emergency cues, crisis resources by region, disclaimer texts
//!   sources.yaml     citable sources by key: { key: { title, url } }
//!   triage-examples.yaml   optional: messages labelled with the emergency they describe (or
//!                          `none`), which triage's learned reader is trained on
//! ```
//! Loading parses every file into private raw structs, then `lint` checks them and turns them
//! into the public types here. Nothing downstream sees the raw YAML.

mod lint;
pub mod placeholders;
mod raw;
pub mod yaml;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use crate::finding::Finding;
pub use lint::safety::{parse_form, FormPiece, ANY_DRUG, NOW, RECOVERED};
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
    /// Who reviewed it clinically (a name or role); members see the review date only when
    /// this is set, so an entry no clinician has signed never looks reviewed.
    pub reviewed_by: Option<String>,
    /// False keeps the entry but never serves it.
    pub enabled: bool,
    /// True for the entry a member who names only its topic gets ("naltrexone", "alcohol
    /// withdrawal"), with its related entries offered beside it; at most one per topic.
    pub overview: bool,
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
    /// The one region it serves (a national crisis line), if any: replies for other regions
    /// leave it out.
    pub region: Option<String>,
}

/// Emergency and crisis contacts for one region.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Region {
    /// Short code, such as `US`.
    pub code: String,
    /// Human name, such as `United States`.
    pub name: String,
    /// The emergency number, such as `911`: what `{emergency_number}` stands for.
    pub emergency: String,
    /// The suicide and crisis line as a noun phrase: what `{crisis_line}` stands for.
    pub crisis: String,
    /// The crisis line as a short call to action ("call or text 988"): `{crisis_short}`.
    pub crisis_short: String,
    /// Poison advice, if the region has a line: `{poison_line}`.
    pub poison: Option<String>,
    /// Urgent but not emergency medical advice (NHS 111), if the region has a line.
    pub urgent: Option<String>,
    /// Treatment helpline, if there is one.
    pub treatment: Option<String>,
}

/// What kind of emergency a message describes; decides which help the reply leads with.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyKind {
    /// Thoughts, plans or means of suicide, now.
    Suicide,
    /// Self-harm in progress, or bleeding that will not stop.
    SelfHarm,
    /// A seizure happening now (in these messages, usually from alcohol withdrawal).
    Seizure,
    /// Severe withdrawal: delirium tremens, or severe precipitated withdrawal after naltrexone.
    Withdrawal,
    /// Poisoning: alcohol poisoning, a child or pet that swallowed medicine, a doubled or
    /// wrong dose, a disulfiram reaction.
    Poisoning,
    /// A possible opioid overdose, alone or mixed with benzodiazepines or alcohol.
    Overdose,
}

impl EmergencyKind {
    /// Every kind, in the order help for them is shown.
    pub const ALL: [EmergencyKind; 6] = [
        EmergencyKind::Suicide,
        EmergencyKind::SelfHarm,
        EmergencyKind::Seizure,
        EmergencyKind::Withdrawal,
        EmergencyKind::Poisoning,
        EmergencyKind::Overdose,
    ];

    /// The snake_case name used in YAML, JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            EmergencyKind::Suicide => "suicide",
            EmergencyKind::SelfHarm => "self_harm",
            EmergencyKind::Seizure => "seizure",
            EmergencyKind::Withdrawal => "withdrawal",
            EmergencyKind::Poisoning => "poisoning",
            EmergencyKind::Overdose => "overdose",
        }
    }

    /// Parses a snake_case name.
    pub fn parse(name: &str) -> Option<EmergencyKind> {
        EmergencyKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for EmergencyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The help shown for one kind of emergency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindHelp {
    /// The reply's title when this kind leads (placeholders filled per region).
    pub title: String,
    /// The body's opening line when this kind leads: the one place the body names the
    /// emergency number.
    pub first: String,
    /// What to do, in order (Markdown; placeholders filled per region).
    pub steps: String,
}

/// A named triage concept: the forms that recognise it (see [`crate::triage`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConceptDef {
    /// Its name, used by rules.
    pub name: String,
    /// Its forms, as written.
    pub forms: Vec<String>,
    /// The line of its name in `safety.yaml`.
    pub line: usize,
}

/// A triage rule: which concepts make a message an emergency of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleDef {
    /// The kind it decides.
    pub kind: Option<EmergencyKind>,
    /// A short name for explanations.
    pub name: String,
    /// At least one of these signs, in a clause that nothing suppresses.
    pub any: Vec<String>,
    /// Every one of these signs, each in a clause that nothing suppresses.
    pub all: Vec<String>,
    /// At least one of these, anywhere in the message (context such as "stopped drinking").
    pub with: Vec<String>,
    /// None of these anywhere in the message.
    pub without: Vec<String>,
    /// None of these anywhere in the message ("the vet said he's fine", "in the movie"),
    /// unless a clause with one of the rule's signs says it is happening now.
    pub settled_by: Vec<String>,
    /// Suppressors: a sign in a clause that has one of these (and no `now`) does not count.
    pub unless: Vec<String>,
    /// The line of the rule in `safety.yaml`.
    pub line: usize,
}

/// The optional file of labelled messages triage's learned reader is trained on.
pub const EXAMPLES_FILE: &str = "triage-examples.yaml";

/// A message labelled with the emergency it describes, from `triage-examples.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageExample {
    /// The message as a member would type it.
    pub text: String,
    /// The emergency it describes, or `None` for a message that describes none.
    pub kind: Option<EmergencyKind>,
    /// Its line in the file.
    pub line: usize,
}

/// Emergency triage data and the texts of `safety.yaml`.
#[derive(Debug, Clone)]
pub struct SafetyData {
    /// Region used when none is configured.
    pub default_region: String,
    /// Regions by code.
    pub regions: BTreeMap<String, Region>,
    /// The date a clinician last reviewed the help texts.
    pub reviewed: String,
    /// The line for anywhere not listed.
    pub international: String,
    /// Shown on every answer.
    pub disclaimer: String,
    /// Shown when nothing matches.
    pub no_match: String,
    /// Added to the footer of every reply that is not an answer (placeholders filled).
    pub crisis_footer: String,
    /// Help by kind of emergency.
    pub help: BTreeMap<EmergencyKind, KindHelp>,
    /// Notices shown above an answer when a concept is mentioned without an emergency
    /// (concept name → text).
    pub notices: Vec<(String, String)>,
    /// Triage concepts.
    pub concepts: Vec<ConceptDef>,
    /// Triage rules, in order: the first that fires decides the kind the reply leads with.
    pub rules: Vec<RuleDef>,
    /// Labelled messages for triage's learned reader (from `triage-examples.yaml`; empty
    /// when the file is absent).
    pub examples: Vec<TriageExample>,
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
    /// Plain terms that may stand for one of several drugs without naming it ("the shot":
    /// naltrexone's Vivitrol or buprenorphine's Sublocade), with those drugs.
    pub may_mean: Vec<(String, Vec<String>)>,
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

    /// The earliest `reviewed` date across enabled entries: the entry most due for review.
    pub fn oldest_reviewed(&self) -> Option<&str> {
        self.enabled().map(|e| e.reviewed.as_str()).min()
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
