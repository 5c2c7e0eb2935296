//! Reading an eval file into [`Item`]s, and finding expected ids that are not entries.

use std::path::Path;

use serde::Deserialize;

use super::{Expect, Item, EVAL_KINDS};
use crate::error::{Error, Result};
use crate::knowledge::yaml;
use crate::reply::Outcome;

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExpect {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    q: String,
    expect: RawExpect,
    #[serde(default)]
    kind: Option<String>,
}

/// Reads an eval file (a YAML list of `{q, expect}`).
pub fn load(path: &Path) -> Result<Vec<Item>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parses eval items from `text` (read from `path`).
pub fn parse(path: &Path, text: &str) -> Result<Vec<Item>> {
    let raw: Option<Vec<RawItem>> = yaml::parse(path, text)?;
    let lines = yaml::item_lines(text);
    let mut items = Vec::new();
    for (i, r) in raw.unwrap_or_default().into_iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let bad = |message: String| Error::ParseYaml {
            path: path.to_path_buf(),
            line,
            message,
        };
        let mut also = Vec::new();
        let expect = match r.expect {
            RawExpect::One(s) if s == "no_match" => Expect::NoMatch,
            RawExpect::One(s) if s == "emergency" => Expect::Emergency,
            RawExpect::One(s) => Expect::Entries(vec![s]),
            RawExpect::Many(v) => {
                let mut ids = Vec::new();
                for s in v {
                    match s.as_str() {
                        "no_match" => also.push(Outcome::NoMatch),
                        "emergency" => also.push(Outcome::Emergency),
                        _ => ids.push(s),
                    }
                }
                match (ids.is_empty(), also.as_slice()) {
                    (false, _) => Expect::Entries(ids),
                    (true, [Outcome::NoMatch]) => Expect::NoMatch,
                    (true, [Outcome::Emergency]) => Expect::Emergency,
                    _ => return Err(bad("`expect` lists no entry id".to_string())),
                }
            }
        };
        if let Some(kind) = &r.kind {
            if expect != Expect::Emergency {
                return Err(bad(format!(
                    "`kind: {kind}` is only for `expect: emergency`"
                )));
            }
            if !EVAL_KINDS.contains(&kind.as_str()) {
                return Err(bad(format!(
                    "`kind: {kind}` is not a kind; use one of {}",
                    EVAL_KINDS.join(", ")
                )));
            }
        }
        if !matches!(expect, Expect::Entries(_)) {
            also.clear();
        }
        items.push(Item {
            q: r.q,
            expect,
            also,
            kind: r.kind,
        });
    }
    Ok(items)
}

/// An expected id in an eval file that is not an entry of the knowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownId {
    /// 1-based line where it is written.
    pub line: usize,
    /// The id as written.
    pub id: String,
    /// The closest entry id, when one is close enough to be the one meant.
    pub suggestion: Option<String>,
}

/// How alike (normalised Damerau-Levenshtein, 0 to 1) an unknown id and an entry id must be
/// for the entry to be suggested: a typo or a dropped word of a long kebab-case id stays
/// above it; ids that share little more than a `naltrexone-` prefix fall below.
const SUGGEST_SIMILARITY: f64 = 0.7;

/// Only `expect`, read as leniently as possible: this check must not depend on how the
/// scorer reads the rest of an item.
#[derive(Deserialize)]
struct ExpectOnly {
    #[serde(default)]
    expect: Option<ExpectIds>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ExpectIds {
    One(String),
    Many(Vec<String>),
    Other(serde::de::IgnoredAny),
}

/// Finds every expected id in the eval file `text` (read from `path`) that is not an entry of
/// `kb`, in file order. `no_match` and `emergency` are outcomes, not ids, wherever they appear
/// (alone or in a list). A file that does not parse has none (loading reports it).
pub fn unknown_ids(path: &Path, text: &str, kb: &crate::KnowledgeBase) -> Vec<UnknownId> {
    let Ok(Some(items)) = yaml::parse::<Option<Vec<ExpectOnly>>>(path, text) else {
        return Vec::new();
    };
    let starts = yaml::item_lines(text);
    let count = items.len();
    let mut unknown = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let ids = match item.expect {
            Some(ExpectIds::One(id)) => vec![id],
            Some(ExpectIds::Many(ids)) => ids,
            Some(ExpectIds::Other(_)) | None => continue,
        };
        // Where the item's `expect:` is, when items start at column 0 as in every eval file.
        let expect_line = match starts.get(i) {
            Some(&start) if starts.len() == count => {
                let end = starts.get(i + 1).copied().unwrap_or(usize::MAX);
                yaml::key_line(text, start, end, "expect")
            }
            _ => 1,
        };
        for id in ids {
            if matches!(id.as_str(), "no_match" | "emergency") || kb.entry(&id).is_some() {
                continue;
            }
            let suggestion = kb
                .entries
                .iter()
                .map(|e| (strsim::normalized_damerau_levenshtein(&id, &e.id), &e.id))
                .filter(|(similarity, _)| *similarity >= SUGGEST_SIMILARITY)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, best)| best.clone());
            unknown.push(UnknownId {
                line: yaml::find_line(text, expect_line, &id),
                id,
                suggestion,
            });
        }
    }
    unknown
}
