//! Checks `triage-examples.yaml`: labelled messages for triage's learned reader.

use std::collections::HashMap;

use super::{question_key, Findings};
use crate::knowledge::raw::{Loaded, RawExample};
use crate::knowledge::{yaml, EmergencyKind, TriageExample};

/// The label of a message that describes no emergency.
pub const NONE: &str = "none";

/// The checked examples; none when the file is absent (triage then reads by its rules alone).
pub(super) fn check(
    loaded: Option<Loaded<Vec<RawExample>>>,
    f: &mut Findings,
) -> Vec<TriageExample> {
    let Some(loaded) = loaded else {
        return Vec::new();
    };
    let raw = match loaded.parsed {
        Ok(raw) => raw,
        Err(e) => {
            f.add_error(&e);
            return Vec::new();
        }
    };
    let path = &loaded.path;
    let lines = yaml::item_lines(&loaded.text);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, example) in raw.into_iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let text = example.text.trim();
        if text.is_empty() {
            f.add(path, line, None, "example `text` is empty");
            continue;
        }
        let kind = match example.kind.trim() {
            NONE => None,
            name => match EmergencyKind::parse(name) {
                Some(kind) => Some(kind),
                None => {
                    let kinds: Vec<&str> = EmergencyKind::ALL.iter().map(|k| k.as_str()).collect();
                    f.add(
                        path,
                        line,
                        None,
                        format!(
                            "`{name}` is not a kind of emergency; use one of {}, or `{NONE}` for a message that describes none",
                            kinds.join(", ")
                        ),
                    );
                    continue;
                }
            },
        };
        if let Some(first) = seen.insert(question_key(text), line) {
            f.add(
                path,
                line,
                None,
                format!("the same message as line {first}; keep one"),
            );
            continue;
        }
        out.push(TriageExample {
            text: text.to_string(),
            kind,
            line,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn run(text: &str) -> (Vec<TriageExample>, Vec<crate::finding::Finding>) {
        let path = PathBuf::from("knowledge/triage-examples.yaml");
        let loaded = Loaded {
            parsed: yaml::parse(&path, text),
            path,
            text: text.to_string(),
        };
        let mut f = Findings(Vec::new());
        let examples = check(Some(loaded), &mut f);
        (examples, f.0)
    }

    #[test]
    fn reads_kinds_and_none_with_their_lines() {
        let (examples, findings) = run(
            "# comment\n- text: \"he is not breathing\"\n  kind: overdose\n- text: what is naltrexone\n  kind: none\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[0].kind, Some(EmergencyKind::Overdose));
        assert_eq!(examples[0].line, 2);
        assert_eq!(examples[1].kind, None);
        assert_eq!(examples[1].line, 4);
    }

    #[test]
    fn reports_an_unknown_kind_an_empty_text_and_a_repeat_by_line() {
        let (examples, findings) = run(
            "- text: a\n  kind: overdoze\n- text: \" \"\n  kind: none\n- text: He is not breathing!\n  kind: overdose\n- text: he is not breathing\n  kind: overdose\n",
        );
        assert_eq!(examples.len(), 1);
        let lines: Vec<(usize, &str)> = findings
            .iter()
            .map(|f| (f.line, f.message.as_str()))
            .collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0].0, 1);
        assert!(
            lines[0].1.contains("`overdoze` is not a kind"),
            "{}",
            lines[0].1
        );
        assert!(lines[0].1.contains("`none`"), "{}", lines[0].1);
        assert_eq!(lines[1].0, 3);
        assert!(lines[1].1.contains("empty"));
        assert_eq!(lines[2].0, 7);
        assert!(lines[2].1.contains("line 5"), "{}", lines[2].1);
        assert!(findings
            .iter()
            .all(|f| f.path == Path::new("knowledge/triage-examples.yaml")));
    }

    #[test]
    fn a_missing_file_is_no_examples_and_a_broken_one_is_a_finding() {
        let mut f = Findings(Vec::new());
        assert!(check(None, &mut f).is_empty());
        assert!(f.0.is_empty());
        let (examples, findings) = run("- text: [unclosed\n");
        assert!(examples.is_empty());
        assert_eq!(findings.len(), 1);
        let (_, findings) = run("- text: a\n  kind: none\n  extra: 1\n");
        assert_eq!(findings.len(), 1, "an unknown field is reported");
    }
}
