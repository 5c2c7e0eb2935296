//! Checks `lexicon.yaml`: drugs, classes and terms, each name one matching token, each variant
//! plain lowercase words listed under one name only.

use std::collections::HashMap;
use std::path::Path;

use super::super::raw::{LexiconFile, Loaded};
use super::super::{yaml, Lexicon, LexiconTerm, TermKind};
use super::{parsed, Findings};

/// Returns true if and only if `s` is a lexicon variant: lowercase words of letters, digits and
/// apostrophes separated by single spaces.
fn is_variant(s: &str) -> bool {
    !s.is_empty()
        && s == s.trim()
        && !s.contains("  ")
        && s.chars().all(|c| {
            c == ' ' || c == '\'' || c.is_numeric() || (c.is_alphabetic() && !c.is_uppercase())
        })
}

/// Checks `lexicon.yaml` and builds the lexicon of drugs, classes and terms.
pub(super) fn check(
    dir: &Path,
    loaded: Option<Loaded<LexiconFile>>,
    f: &mut Findings,
) -> Option<Lexicon> {
    let (raw, path, text) = parsed(dir, loaded, "lexicon.yaml", "drugs, classes and terms", f)?;
    let (path, text) = (&path, &text);
    let mut terms = Vec::new();
    for (name, drug) in raw.drugs {
        terms.push(LexiconTerm {
            name,
            kind: TermKind::Drug,
            classes: drug.classes,
            variants: drug.variants,
        });
    }
    for (name, variants) in raw.classes {
        terms.push(LexiconTerm {
            name,
            kind: TermKind::Class,
            classes: Vec::new(),
            variants,
        });
    }
    for (name, variants) in raw.terms {
        terms.push(LexiconTerm {
            name,
            kind: TermKind::Term,
            classes: Vec::new(),
            variants,
        });
    }
    let mut owner: HashMap<String, String> = HashMap::new();
    for term in &terms {
        // Looked up only when there is something to report: scanning the file for every
        // term would make loading slow.
        let line = || yaml::find_line(text, 1, &format!("{}:", term.name));
        if !term
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            || term.name.is_empty()
        {
            f.add(
                path,
                line(),
                None,
                format!(
                    "lexicon name `{}` must be one lowercase word of a-z and 0-9 (it becomes a matching token)",
                    term.name
                ),
            );
        }
        for class in &term.classes {
            let known = terms
                .iter()
                .any(|t| t.kind == TermKind::Class && &t.name == class);
            if !known {
                f.add(
                    path,
                    line(),
                    None,
                    format!("drug `{}` names class `{class}`, which is not under `classes:`; add it there", term.name),
                );
            }
        }
        for variant in std::iter::once(&term.name).chain(&term.variants) {
            if !is_variant(variant) {
                f.add(
                    path,
                    yaml::find_line(text, line(), variant),
                    None,
                    format!("variant `{variant}` of `{}` must be lowercase words separated by single spaces, without punctuation", term.name),
                );
            }
            if let Some(other) = owner.insert(variant.clone(), term.name.clone()) {
                if other != term.name {
                    f.add(
                        path,
                        yaml::find_line(text, line(), variant),
                        None,
                        format!("variant `{variant}` is listed for both `{other}` and `{}`; keep it under one", term.name),
                    );
                }
            }
        }
    }
    let mut may_mean = Vec::new();
    for (name, drugs) in raw.may_mean {
        let line = || yaml::find_line(text, 1, &format!("{name}:"));
        if !terms
            .iter()
            .any(|t| t.kind == TermKind::Term && t.name == name)
        {
            f.add(
                path,
                line(),
                None,
                format!("`may_mean` lists `{name}`, which is not under `terms:`; only a plain term may stand for a drug"),
            );
        }
        for drug in &drugs {
            if !terms
                .iter()
                .any(|t| t.kind == TermKind::Drug && &t.name == drug)
            {
                f.add(
                    path,
                    yaml::find_line(text, line(), drug),
                    None,
                    format!("`{name}` may mean `{drug}`, which is not under `drugs:`"),
                );
            }
        }
        may_mean.push((name, drugs));
    }
    Some(Lexicon { terms, may_mean })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_plain_lowercase_words() {
        assert!(is_variant("the shot"));
        assert!(is_variant("tylenol 3"));
        assert!(!is_variant("The Shot"));
        assert!(!is_variant("the  shot"));
        assert!(!is_variant("narcan!"));
    }
}
