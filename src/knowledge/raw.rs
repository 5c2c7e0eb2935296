//! Private serde structs that mirror the YAML files, and reading them from disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::yaml;
use super::Severity;
use crate::error::Error;

/// One entry exactly as written in an entries file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntry {
    pub id: String,
    pub topic: String,
    pub severity: Severity,
    pub questions: Vec<String>,
    pub answer: String,
    #[serde(default)]
    pub warning: Option<String>,
    pub sources: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    pub reviewed: String,
    #[serde(default)]
    pub reviewed_by: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub overview: Option<bool>,
}

/// A drug in `lexicon.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDrug {
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default)]
    pub variants: Vec<String>,
}

/// `lexicon.yaml` as written: drugs with their classes and variants, classes and plain terms
/// with their variants, and the terms that may stand for a drug.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconFile {
    #[serde(default)]
    pub(super) drugs: BTreeMap<String, RawDrug>,
    #[serde(default)]
    pub(super) classes: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub(super) terms: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub(super) may_mean: BTreeMap<String, Vec<String>>,
}

/// One region's contacts as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRegion {
    pub name: String,
    pub emergency: String,
    pub crisis: String,
    pub crisis_short: String,
    #[serde(default)]
    pub poison: Option<String>,
    #[serde(default)]
    pub urgent: Option<String>,
    #[serde(default)]
    pub treatment: Option<String>,
}

/// The help for one kind of emergency as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHelp {
    pub title: String,
    pub first: String,
    pub steps: String,
}

/// One triage rule as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub any: Vec<String>,
    #[serde(default)]
    pub all: Vec<String>,
    #[serde(default)]
    pub with: Vec<String>,
    #[serde(default)]
    pub without: Vec<String>,
    #[serde(default)]
    pub settled_by: Vec<String>,
    #[serde(default)]
    pub unless: Vec<String>,
}

/// `safety.yaml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyFile {
    pub(super) default_region: String,
    pub(super) reviewed: String,
    pub(super) disclaimer: String,
    pub(super) no_match: String,
    pub(super) international: String,
    pub(super) crisis_footer: String,
    pub(super) regions: BTreeMap<String, RawRegion>,
    pub(super) help: BTreeMap<String, RawHelp>,
    #[serde(default)]
    pub(super) notices: BTreeMap<String, String>,
    pub(super) concepts: BTreeMap<String, Vec<String>>,
    pub(super) rules: Vec<RawRule>,
}

/// One example message of `triage-examples.yaml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExample {
    pub text: String,
    pub kind: String,
}

/// One source as written in `sources.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    pub title: String,
    pub url: String,
    #[serde(default)]
    pub region: Option<String>,
}

/// A file read from disk and parsed, or the reason it could not be.
pub(super) struct Loaded<T> {
    pub path: PathBuf,
    pub text: String,
    pub parsed: Result<T, Error>,
}

/// One item of an entries file: its starting line and the entry or why it is malformed.
pub(super) type RawItem = (usize, Result<RawEntry, String>);

/// Every file of a knowledge folder, parsed as far as each could be.
pub(super) struct RawFiles {
    pub entries: Vec<Loaded<Vec<RawItem>>>,
    pub lexicon: Option<Loaded<LexiconFile>>,
    pub safety: Option<Loaded<SafetyFile>>,
    pub sources: Option<Loaded<BTreeMap<String, RawSource>>>,
    pub examples: Option<Loaded<Vec<RawExample>>>,
}

/// Reads every knowledge file under `dir`. Only a missing or unreadable folder is an error;
/// a missing or malformed file is reported later as a finding.
pub(super) fn read_dir(dir: &Path) -> Result<RawFiles, Error> {
    let read_err = |path: &Path, source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    std::fs::metadata(dir).map_err(|e| read_err(dir, e))?;
    let entries_dir = dir.join("entries");
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&entries_dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(read_err(&entries_dir, e)),
    };
    paths.sort();
    let entries = paths.into_iter().map(|p| read_entries(&p)).collect();
    Ok(RawFiles {
        entries,
        lexicon: read_typed(&dir.join("lexicon.yaml")),
        safety: read_typed(&dir.join("safety.yaml")),
        sources: read_typed(&dir.join("sources.yaml")),
        examples: read_typed(&dir.join(super::EXAMPLES_FILE)),
    })
}

fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|e| Error::ParseYaml {
        path: path.to_path_buf(),
        line: 0,
        message: format!(
            "file is not valid UTF-8 (at byte {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })
}

fn read_typed<T: serde::de::DeserializeOwned>(path: &Path) -> Option<Loaded<T>> {
    if !path.exists() {
        return None;
    }
    Some(match read_text(path) {
        Ok(text) => {
            let parsed = yaml::parse(path, &text);
            Loaded {
                path: path.to_path_buf(),
                text,
                parsed,
            }
        }
        Err(e) => Loaded {
            path: path.to_path_buf(),
            text: String::new(),
            parsed: Err(e),
        },
    })
}

fn read_entries(path: &Path) -> Loaded<Vec<RawItem>> {
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            return Loaded {
                path: path.to_path_buf(),
                text: String::new(),
                parsed: Err(e),
            }
        }
    };
    let parsed = yaml::parse::<yaml::Value>(path, &text).and_then(|value| {
        if yaml::is_null(&value) {
            return Ok(Vec::new());
        }
        let items = yaml::into_sequence(value).ok_or_else(|| Error::ParseYaml {
            path: path.to_path_buf(),
            line: 1,
            message: "an entries file must be a YAML list of entries (each starting with `- id:`)"
                .to_string(),
        })?;
        let lines = yaml::item_lines(&text);
        Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let line = lines.get(i).copied().unwrap_or(0);
                (line, yaml::from_value::<RawEntry>(item))
            })
            .collect())
    });
    Loaded {
        path: path.to_path_buf(),
        text,
        parsed,
    }
}
