//! Property tests over hostile and odd input: normalisation, matching and knowledge loading
//! never panic, and every reply fits Discord's limits.
//!
//! `cargo test` runs a few hundred cases per property. For the full run (100,000 cases per
//! property, as in the README):
//!
//! ```sh
//! PROPTEST_CASES=100000 cargo test --release --test integration properties
//! ```

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use medfaq::knowledge::KnowledgeBase;
use medfaq::normalize;
use medfaq::reply::{self, Reply};
use medfaq::{Engine, Outcome};
use proptest::prelude::*;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    Engine::load(&dir).expect("the shipped knowledge loads")
});

/// Text that looks like what members and attackers send: words from the domain, slang,
/// typos, emoji, invisible and control characters, bidi overrides, Markdown, mentions.
fn member_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![
            "naltrexone", "vivitrol", "the shot", "percs", "subs", "narcan", "naloxone",
            "naloxegol", "relistor", "antabuse", "campral", "drink", "booze", "can i", "take",
            "overdose", "not breathing", "kill myself", "is it safe", "how long", "side effects",
            "pregnant", "surgery", "withdrawal", "tylenol 3", "lexapro", "?", "!!", "...",
        ]).prop_map(str::to_string),
        2 => "[a-z]{1,12}",
        1 => any::<String>(),
        1 => prop::sample::select(vec![
            "\u{200B}", "\u{200D}", "\u{202E}", "\u{FEFF}", "\u{0000}", "\u{001B}[31m", "🙏", "💊",
            "👩‍👩‍👧", "@everyone", "@here", "<@123456789>", "**", "`", "[x](https://e.example)",
            "||", "\r\n", "\t", "ＡＢＣ", "ﬁ", "é", "e\u{0301}",
        ]).prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|parts| parts.join(" "))
}

#[track_caller]
fn assert_fits_discord(r: &Reply) {
    assert!(r.title.chars().count() <= reply::MAX_TITLE);
    assert!(r.body.chars().count() <= reply::MAX_BODY);
    assert!(r.footer().chars().count() <= reply::MAX_FOOTER);
    assert!(r.sources_markdown().chars().count() <= reply::MAX_FIELD);
    assert!(r
        .warning
        .as_ref()
        .is_none_or(|w| w.chars().count() <= reply::MAX_FIELD));
    assert!(r.embed_chars() <= reply::MAX_EMBED_TOTAL);
    for c in r.choices.iter().chain(&r.related) {
        assert!(c.label.chars().count() <= reply::MAX_LABEL);
        assert!(!c.entry_id.is_empty() && c.entry_id.len() <= 90);
    }
    assert!(r.choices.len() <= medfaq::matcher::MAX_OFFERED);
}

proptest! {
    #[test]
    fn words_are_lowercase_alphanumeric_and_stable(text in member_text()) {
        let ws = normalize::words(&text);
        for w in &ws {
            prop_assert!(!w.is_empty());
            // Lowercase wherever Unicode has a lowercase ("🅐" has none and stays).
            prop_assert!(
                w.chars().all(|c| c.is_alphanumeric() && c.to_lowercase().eq(std::iter::once(c))),
                "{w:?}"
            );
        }
        // Normalising the normalised text changes nothing.
        prop_assert_eq!(normalize::words(&ws.join(" ")), ws);
    }

    #[test]
    fn any_text_gets_one_outcome_and_a_reply_that_fits_discord(text in member_text()) {
        let r = ENGINE.ask(&text);
        prop_assert!((0.0..=1.0).contains(&r.score), "score {}", r.score);
        match r.outcome {
            Outcome::Answer => prop_assert!(r.entry_id.is_some()),
            Outcome::Clarify => prop_assert!(!r.reply.choices.is_empty()),
            Outcome::NoMatch => prop_assert!(r.entry_id.is_none()),
            Outcome::Emergency => {
                prop_assert!(r.emergency.as_ref().is_some_and(|e| !e.kinds.is_empty()));
                prop_assert_eq!(&r.reply.kinds, &r.emergency.as_ref().unwrap().kinds);
            }
        }
        prop_assert!(r.reply.disclaimer.contains("not medical advice"));
        assert_fits_discord(&r.reply);
        prop_assert!(serde_json::to_string(&r).is_ok());
        // The second opinion is a share, whatever the words (none known, one repeated…).
        let agreement = ENGINE.index().rank_analysis(&ENGINE.analyze(&text)).agreement;
        prop_assert!((0.0..=1.0).contains(&agreement), "agreement {}", agreement);
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in any::<String>()) {
        let r = ENGINE.ask(&text);
        assert_fits_discord(&r.reply);
    }

    #[test]
    fn suggestions_fit_autocomplete(text in member_text()) {
        let s = ENGINE.suggest(&text, 25);
        prop_assert!(s.choices.len() <= 25);
        for c in s.choices {
            prop_assert!(!c.label.is_empty() && c.label.chars().count() <= 100);
        }
    }
}

/// A copy of a small valid knowledge folder whose entries file is replaced by `entries`.
fn knowledge_with_entries(entries: &[u8]) -> tempfile::TempDir {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("entries")).expect("create entries/");
    for f in ["sources.yaml", "lexicon.yaml", "safety.yaml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).expect("copy fixture file");
    }
    std::fs::write(dir.path().join("entries/e.yaml"), entries).expect("write entries");
    dir
}

fn load(dir: &Path) {
    // Whatever the content, loading returns findings or a knowledge base; it never panics.
    let result = KnowledgeBase::load_with_findings(dir);
    if let Ok((Some(kb), findings)) = result {
        if findings.is_empty() {
            let _ = Engine::new(kb).ask("can i drink on vivitrol");
        }
    }
}

fn valid_entries() -> String {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/valid/entries/naltrexone.yaml");
    std::fs::read_to_string(src).expect("fixture entries")
}

proptest! {
    #[test]
    fn loading_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let dir = knowledge_with_entries(&bytes);
        load(dir.path());
    }

    #[test]
    fn loading_mutated_entries_never_panics(
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
            "", "\n", "- ", ": ", "  ", "\t", "[", "]", "{", "}", "&a ", "*a", "!!binary ", "'", "\"",
            "id: x\n", "questions: []\n", "- id: naltrexone-drinking-alcohol\n", "severity: fatal\n",
            "reviewed: 2026-02-30\n", "sources: [nope]\n", "\u{FEFF}", "\u{0}",
        ])), 1..8),
    ) {
        let mut text = valid_entries();
        for (at, insert) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            text.insert_str(i, insert);
        }
        let dir = knowledge_with_entries(text.as_bytes());
        load(dir.path());
    }
}

#[test]
fn yaml_bomb_in_knowledge_fails_cleanly() {
    let mut bomb = String::from("- &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            ["b", "c", "d", "e", "f", "g", "h"][i - 1].to_string()
        };
        bomb.push_str(&format!(
            "- &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let dir = knowledge_with_entries(bomb.as_bytes());
    let (kb, findings) =
        KnowledgeBase::load_with_findings(dir.path()).expect("the folder is readable");
    assert!(!findings.is_empty());
    assert!(kb.is_none() || findings.iter().any(|f| f.path.ends_with("entries/e.yaml")));
}

#[test]
fn deeply_nested_knowledge_fails_cleanly() {
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let dir = knowledge_with_entries(deep.as_bytes());
    let (_, findings) =
        KnowledgeBase::load_with_findings(dir.path()).expect("the folder is readable");
    assert!(findings.iter().any(|f| f.path.ends_with("entries/e.yaml")));
}

#[test]
fn oversized_knowledge_file_is_refused() {
    let big = "# padding\n".repeat(medfaq::knowledge::yaml::MAX_FILE_BYTES / 10 + 10);
    let dir = knowledge_with_entries(big.as_bytes());
    let (_, findings) =
        KnowledgeBase::load_with_findings(dir.path()).expect("the folder is readable");
    assert!(
        findings.iter().any(|f| f.message.contains("limit")),
        "{findings:?}"
    );
}
