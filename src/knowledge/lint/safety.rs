//! Checks `safety.yaml`: regions, help texts, and the triage concepts and rules.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use super::super::raw::{Loaded, SafetyFile};
use super::super::{
    placeholders, yaml, ConceptDef, EmergencyKind, KindHelp, Lexicon, Region, RuleDef, SafetyData,
};
use super::{is_iso_date, parsed, Findings};

/// The concept that marks something as happening now; it overrides every suppressor in its
/// clause, so triage needs it.
pub const NOW: &str = "now";

/// The concept that says the danger is over; it cancels `now` in its clause.
pub const RECOVERED: &str = "recovered";

/// The lexicon name in a form that stands for any drug of the lexicon: `@drug`.
pub const ANY_DRUG: &str = "drug";

/// One piece of a concept form (see [`parse_form`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormPiece {
    /// A word, read like member text (lexicon, stems): "breathing" also matches "breathe".
    Word(String),
    /// Any of several single words: `him|her|them`; an alternative written `=word` must be
    /// typed exactly.
    AnyWord(Vec<String>),
    /// The word exactly as typed (after spelling correction): `=waking`.
    Exact(String),
    /// A lexicon drug, class or term, or any drug of that class: `@opioid`.
    Lexicon(String),
    /// Up to three words of anything: `*`.
    Gap,
    /// The next word is none of these (or the clause ends): `!with|program`.
    Not(Vec<String>),
    /// Any number: `#number`.
    Number,
    /// A year from 1900 to 2099: `#year`.
    Year,
}

/// Parses one concept form. Plain words are matched the way member text is read; `*` stands
/// for up to three words; `a|b` for one of several words; `=word` for the word exactly as
/// typed; `@name` for a lexicon drug, class or term (`@drug` for any drug); `!word` for "not followed by";
/// `#number` for any number; `#year` for a year.
pub fn parse_form(form: &str) -> Result<Vec<FormPiece>, String> {
    let mut pieces = Vec::new();
    for part in form.split_whitespace() {
        let piece = if part == "*" {
            FormPiece::Gap
        } else if part == "#number" {
            FormPiece::Number
        } else if part == "#year" {
            FormPiece::Year
        } else if part.contains('|') && !part.starts_with(['@', '!']) {
            FormPiece::AnyWord(
                part.split('|')
                    .map(|w| match w.strip_prefix('=') {
                        Some(exact) => word(exact, form).map(|e| format!("={e}")),
                        None => word(w, form),
                    })
                    .collect::<Result<_, _>>()?,
            )
        } else if let Some(rest) = part.strip_prefix('=') {
            FormPiece::Exact(word(rest, form)?)
        } else if let Some(rest) = part.strip_prefix('@') {
            FormPiece::Lexicon(word(rest, form)?)
        } else if let Some(rest) = part.strip_prefix('!') {
            FormPiece::Not(
                rest.split('|')
                    .map(|w| word(w, form))
                    .collect::<Result<_, _>>()?,
            )
        } else if part.starts_with('@') && part.contains('|') {
            return Err(format!(
                "form `{form}`: `{part}`: write one `@name` per form (alternatives are for words)"
            ));
        } else {
            FormPiece::Word(word(part, form)?)
        };
        pieces.push(piece);
    }
    match pieces.first() {
        None => Err("a form must have words".to_string()),
        Some(FormPiece::Gap | FormPiece::Not(_)) => Err(format!(
            "form `{form}` must start with a word, not `*` or `!`"
        )),
        _ if matches!(pieces.last(), Some(FormPiece::Gap)) => {
            Err(format!("form `{form}` must not end with `*`"))
        }
        _ => Ok(pieces),
    }
}

/// Checks that `w` has letters or digits (the normaliser drops everything else).
fn word(w: &str, form: &str) -> Result<String, String> {
    if !w.chars().any(char::is_alphanumeric) {
        Err(format!(
            "form `{form}`: `{w}` is not a word (use letters and digits)"
        ))
    } else {
        Ok(w.to_lowercase())
    }
}

/// Checks `safety.yaml` and builds the safety data; `lexicon` is there to check the names
/// that concepts use (`@name`), when it loaded.
pub(super) fn check(
    dir: &Path,
    loaded: Option<Loaded<SafetyFile>>,
    lexicon: Option<&Lexicon>,
    f: &mut Findings,
) -> Option<SafetyData> {
    let (raw, path, text) = parsed(
        dir,
        loaded,
        "safety.yaml",
        "triage concepts and rules, regions and help texts",
        f,
    )?;
    let names: Option<HashSet<String>> =
        lexicon.map(|l| l.terms.iter().map(|t| t.name.clone()).collect());
    check_safety(raw, &path, &text, names.as_ref(), f)
}

fn check_safety(
    raw: SafetyFile,
    path: &Path,
    text: &str,
    lexicon_names: Option<&HashSet<String>>,
    f: &mut Findings,
) -> Option<SafetyData> {
    let before = f.0.len();
    let top = |key: &str| yaml::top_key_line(text, key);
    if raw.regions.is_empty() {
        f.add(
            path,
            top("regions"),
            None,
            "`regions` must list at least one region",
        );
    } else if !raw.regions.contains_key(&raw.default_region) {
        f.add(
            path,
            top("default_region"),
            None,
            format!(
                "default_region `{}` is not one of the regions listed under `regions`",
                raw.default_region
            ),
        );
    }
    if !is_iso_date(&raw.reviewed) {
        f.add(
            path,
            top("reviewed"),
            None,
            format!(
                "reviewed `{}` must be a date written YYYY-MM-DD",
                raw.reviewed
            ),
        );
    }
    for (key, value) in [
        ("disclaimer", &raw.disclaimer),
        ("no_match", &raw.no_match),
        ("international", &raw.international),
        ("crisis_footer", &raw.crisis_footer),
    ] {
        if value.trim().is_empty() {
            f.add(path, top(key), None, format!("`{key}` must not be empty"));
        }
        for p in placeholders::problems(value, false) {
            f.add(path, top(key), None, format!("`{key}`: {p}"));
        }
    }
    let mut help = BTreeMap::new();
    for (name, h) in raw.help {
        let line = yaml::find_line(text, top("help"), &format!("{name}:"));
        let Some(kind) = EmergencyKind::parse(&name) else {
            f.add(path, line, None, unknown_kind(&name));
            continue;
        };
        for (what, value) in [
            ("title", &h.title),
            ("first", &h.first),
            ("steps", &h.steps),
        ] {
            if value.trim().is_empty() {
                f.add(
                    path,
                    line,
                    None,
                    format!("help for `{name}` needs a {what}"),
                );
            }
            for p in placeholders::problems(value, false) {
                f.add(path, line, None, format!("help for `{name}`, {what}: {p}"));
            }
        }
        help.insert(
            kind,
            KindHelp {
                title: h.title.trim().to_string(),
                first: h.first.trim().to_string(),
                steps: h.steps.trim().to_string(),
            },
        );
    }
    for kind in EmergencyKind::ALL {
        if !help.contains_key(&kind) {
            f.add(
                path,
                top("help"),
                None,
                format!("`help` must have a title, a first line and steps for `{kind}`"),
            );
        }
    }
    for (line, form) in forms_cut_by_a_comment(text) {
        f.add(
            path,
            line,
            None,
            format!(
                "YAML reads everything from ` #` on as a comment, so this form is only \
                 `{form}`: quote the whole form (\"...\") to use `#number` or `#year`"
            ),
        );
    }
    let mut concepts = Vec::new();
    let concepts_line = top("concepts");
    for (name, forms) in raw.concepts {
        let line = yaml::find_line(text, concepts_line, &format!("{name}:"));
        if forms.is_empty() {
            f.add(path, line, None, format!("concept `{name}` has no forms"));
        }
        for form in &forms {
            match parse_form(form) {
                Ok(pieces) => {
                    for piece in pieces {
                        if let (FormPiece::Lexicon(term), Some(names)) = (&piece, lexicon_names) {
                            if term != ANY_DRUG && !names.contains(term) {
                                f.add(
                                    path,
                                    yaml::find_line(text, line, form),
                                    None,
                                    format!("concept `{name}`: `@{term}` is not a drug, class or term of lexicon.yaml"),
                                );
                            }
                        }
                    }
                }
                Err(e) => f.add(
                    path,
                    yaml::find_line(text, line, form),
                    None,
                    format!("concept `{name}`: {e}"),
                ),
            }
        }
        concepts.push(ConceptDef { name, forms, line });
    }
    let known: HashSet<&str> = concepts.iter().map(|c| c.name.as_str()).collect();
    if !known.contains(NOW) {
        f.add(
            path,
            concepts_line,
            None,
            format!("`concepts` must define `{NOW}`: words that say something is happening now"),
        );
    }
    let mut rules = Vec::new();
    let rule_lines = yaml::item_lines_under(text, top("rules"));
    for (i, r) in raw.rules.into_iter().enumerate() {
        let line = rule_lines.get(i).copied().unwrap_or(top("rules"));
        let kind = EmergencyKind::parse(&r.kind);
        if kind.is_none() {
            f.add(path, line, None, unknown_kind(&r.kind));
        }
        if r.any.is_empty() && r.all.is_empty() {
            f.add(
                path,
                line,
                None,
                "a rule needs signs under `any` or `all`, or it would fire on every message",
            );
        }
        for name in r
            .any
            .iter()
            .chain(&r.all)
            .chain(&r.with)
            .chain(&r.without)
            .chain(&r.settled_by)
            .chain(&r.unless)
        {
            if !known.contains(name.as_str()) {
                f.add(
                    path,
                    line,
                    None,
                    format!(
                        "rule for `{}` names `{name}`, which is not a concept",
                        r.kind
                    ),
                );
            }
        }
        rules.push(RuleDef {
            kind,
            name: r.name.unwrap_or_else(|| r.kind.clone()),
            any: r.any,
            all: r.all,
            with: r.with,
            without: r.without,
            settled_by: r.settled_by,
            unless: r.unless,
            line,
        });
    }
    if rules.is_empty() {
        f.add(
            path,
            top("rules"),
            None,
            "`rules` must list at least one rule",
        );
    }
    let mut notices = Vec::new();
    for (name, notice) in raw.notices {
        let line = yaml::find_line(text, top("notices"), &format!("{name}:"));
        if !known.contains(name.as_str()) {
            f.add(
                path,
                line,
                None,
                format!("notice `{name}` is not a concept"),
            );
        }
        for p in placeholders::problems(&notice, false) {
            f.add(path, line, None, format!("notice `{name}`: {p}"));
        }
        notices.push((name, notice.trim().to_string()));
    }
    let mut regions = BTreeMap::new();
    for (code, r) in raw.regions {
        regions.insert(
            code.clone(),
            Region {
                code,
                name: r.name,
                emergency: r.emergency,
                crisis: r.crisis,
                crisis_short: r.crisis_short,
                poison: r.poison,
                urgent: r.urgent,
                treatment: r.treatment,
            },
        );
    }
    (f.0.len() == before).then_some(SafetyData {
        default_region: raw.default_region,
        regions,
        reviewed: raw.reviewed,
        international: raw.international.trim().to_string(),
        disclaimer: raw.disclaimer.trim().to_string(),
        no_match: raw.no_match.trim().to_string(),
        crisis_footer: raw.crisis_footer.trim().to_string(),
        help,
        notices,
        concepts,
        rules,
        examples: Vec::new(),
    })
}

fn unknown_kind(name: &str) -> String {
    let kinds: Vec<&str> = EmergencyKind::ALL.iter().map(|k| k.as_str()).collect();
    format!(
        "`{name}` is not a kind of emergency; use one of {}",
        kinds.join(", ")
    )
}

/// The unquoted list items (1-based line, what YAML keeps of them) in which ` #number` or
/// ` #year` starts a YAML comment: `- took about #number` is read as the form `took about`,
/// which matches far more than was meant.
fn forms_cut_by_a_comment(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let item = l.trim_start().strip_prefix("- ")?;
            if item.starts_with(['"', '\'']) {
                return None;
            }
            let cut = [" #number", " #year"]
                .iter()
                .filter_map(|m| item.find(m))
                .min()?;
            Some((i + 1, item[..cut].trim_end().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_cut_short_by_a_yaml_comment_is_found() {
        let text = "concepts:\n  x:\n    - took about #number\n    - \"in #year\"\n    - \
                    fine # a note\n    - in #year or so\n";
        assert_eq!(
            forms_cut_by_a_comment(text),
            [(3, "took about".to_string()), (6, "in".to_string())]
        );
    }

    #[test]
    fn forms_parse_into_pieces() {
        assert_eq!(
            parse_form("can not wake him|her * =up !with @opioid #number").unwrap(),
            vec![
                FormPiece::Word("can".into()),
                FormPiece::Word("not".into()),
                FormPiece::Word("wake".into()),
                FormPiece::AnyWord(vec!["him".into(), "her".into()]),
                FormPiece::Gap,
                FormPiece::Exact("up".into()),
                FormPiece::Not(vec!["with".into()]),
                FormPiece::Lexicon("opioid".into()),
                FormPiece::Number,
            ]
        );
        assert!(parse_form("* wake").is_err());
        assert!(parse_form("wake *").is_err());
        assert!(parse_form("").is_err());
    }
}
