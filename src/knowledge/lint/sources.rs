//! Checks `sources.yaml`: the citable sources by key, each with a title and an https address.

use std::collections::BTreeMap;
use std::path::Path;

use super::super::raw::{Loaded, RawSource};
use super::super::{yaml, Source};
use super::{is_kebab_case, parsed, Findings};

/// Checks `sources.yaml` and builds the sources by key.
pub(super) fn check(
    dir: &Path,
    loaded: Option<Loaded<BTreeMap<String, RawSource>>>,
    f: &mut Findings,
) -> Option<BTreeMap<String, Source>> {
    let (raw, path, text) = parsed(dir, loaded, "sources.yaml", "the citable sources by key", f)?;
    let mut out = BTreeMap::new();
    for (key, src) in raw {
        let line = yaml::top_key_line(&text, &key);
        if !is_kebab_case(&key) {
            f.add(
                &path,
                line,
                None,
                format!("source key `{key}` must be lowercase kebab-case"),
            );
        }
        if src.title.trim().is_empty() {
            f.add(
                &path,
                line,
                None,
                format!("source `{key}` has an empty title"),
            );
        }
        if !src.url.starts_with("https://") || src.url.contains(char::is_whitespace) {
            f.add(
                &path,
                line,
                None,
                format!(
                    "source `{key}` url `{}` must be an https:// address",
                    src.url
                ),
            );
        }
        out.insert(
            key.clone(),
            Source {
                key,
                title: src.title.trim().to_string(),
                url: src.url.trim().to_string(),
                region: src.region.map(|r| r.trim().to_uppercase()),
            },
        );
    }
    Some(out)
}
