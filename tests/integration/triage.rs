//! Triage through the real executable and the shipped knowledge: emergency kinds in JSON,
//! `--explain`, region placeholders, crisis lines on every reply that is not an answer, and
//! `medfaq check` refusing a literal crisis number in an entry.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use medfaq::{Engine, Outcome};
use predicates::prelude::*;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn medfaq(knowledge: &Path) -> Command {
    let mut cmd = Command::cargo_bin("medfaq").expect("the medfaq binary is built");
    cmd.arg("--knowledge")
        .arg(knowledge)
        .env_remove("MEDFAQ_KNOWLEDGE");
    cmd
}

fn engine() -> Engine {
    Engine::load(&repo().join("knowledge")).expect("the shipped knowledge loads")
}

#[test]
fn json_names_the_kinds_of_an_emergency() {
    let out = medfaq(&repo().join("knowledge"))
        .args(["ask", "--json", "my friend took fent and is not breathing"])
        .assert()
        .success();
    let r: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(r["outcome"], "emergency");
    assert_eq!(r["emergency"]["kinds"][0], "overdose");
    let out = medfaq(&repo().join("knowledge"))
        .args(["ask", "--json", "can i drink on naltrexone"])
        .assert()
        .success();
    let r: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(r.get("emergency").is_none(), "{r}");
}

#[test]
fn explain_shows_the_concepts_and_the_rule_that_fired() {
    medfaq(&repo().join("knowledge"))
        .args(["ask", "--explain", "gonna kms tonight"])
        .assert()
        .success()
        .stdout(predicate::str::contains("suicide_intent"))
        .stdout(predicate::str::contains(
            "triage: fired suicide intent (suicide)",
        ));
    medfaq(&repo().join("knowledge"))
        .args(["ask", "--explain", "what are the signs of an overdose"])
        .assert()
        .success()
        .stdout(predicate::str::contains("triage: no emergency rule fired"));
}

#[test]
fn every_reply_that_is_not_an_answer_carries_the_regions_crisis_line() {
    let e = engine();
    for region in ["US", "UK", "AU"] {
        let crisis_short = &e.knowledge().region(Some(region)).crisis_short;
        let r = e.ask_in("how do i bake sourdough bread", Some(region));
        assert_eq!(r.outcome, Outcome::NoMatch);
        assert!(
            r.reply.footer().contains(crisis_short.as_str()),
            "{region}: {}",
            r.reply.footer()
        );
        let none = e.none_of_these(Some(region));
        assert!(none.footer().contains(crisis_short.as_str()), "{region}");
    }
}

#[test]
fn entry_text_is_filled_for_the_region_and_never_names_another_regions_line() {
    let e = engine();
    for entry in e.knowledge().enabled() {
        let uk = e.entry_reply(&entry.id, Some("UK")).unwrap();
        let text = format!("{} {} {:?}", uk.title, uk.body, uk.warning);
        assert!(
            !text.contains('{'),
            "{}: a placeholder left: {text}",
            entry.id
        );
        for us in ["911", "988"] {
            assert!(!text.contains(us), "{}: {us} in a UK reply", entry.id);
        }
    }
}

#[test]
fn each_kind_of_emergency_leads_with_its_own_help() {
    let e = engine();
    let us = e.knowledge().region(Some("US")).clone();
    let overdose = e.ask_in("he is not breathing", Some("US")).reply;
    assert!(overdose.title.contains(&us.emergency), "{}", overdose.title);
    assert_eq!(
        overdose.body.matches(us.emergency.as_str()).count(),
        1,
        "{}",
        overdose.body
    );
    assert!(overdose.body.to_lowercase().contains("naloxone"));
    let suicide = e.ask_in("i want to end my life", Some("US")).reply;
    assert!(
        suicide.title.contains(&us.crisis_short),
        "{}",
        suicide.title
    );
    let poisoning = e
        .ask_in("my toddler swallowed my methadone", Some("US"))
        .reply;
    let poison = us.poison.clone().unwrap();
    assert!(poisoning.body.contains(&poison), "{}", poisoning.body);
    for reply in [overdose, suicide, poisoning] {
        assert!(reply.related.is_empty(), "no entry competes with the help");
    }
}

#[test]
fn spanish_emergencies_get_the_same_help_and_the_spanish_line_is_named() {
    let e = engine();
    let r = e.ask_in("se quiere matar", Some("US"));
    assert_eq!(r.outcome, Outcome::Emergency);
    assert!(r.reply.body.contains("Spanish"), "{}", r.reply.body);
}

#[test]
fn check_rejects_a_literal_crisis_number_and_an_unknown_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let from = repo().join("tests/fixtures/valid");
    for name in ["lexicon.yaml", "safety.yaml", "sources.yaml"] {
        std::fs::copy(from.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::create_dir(dir.path().join("entries")).unwrap();
    let entries = std::fs::read_to_string(from.join("entries/naltrexone.yaml")).unwrap();
    let first_answer = entries.find("answer:").expect("the fixture has an answer");
    let line_end = first_answer + entries[first_answer..].find('\n').unwrap();
    let mut broken = entries.clone();
    broken.insert_str(
        line_end,
        " If you are struggling, call or text 988. {hotline}",
    );
    std::fs::write(dir.path().join("entries/naltrexone.yaml"), broken).unwrap();
    medfaq(dir.path())
        .args(["check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("the literal number `988`"))
        .stdout(predicate::str::contains("unknown placeholder `{hotline}`"));
}

#[test]
fn check_rejects_a_may_mean_that_is_not_a_term_or_names_no_drug() {
    let dir = tempfile::tempdir().unwrap();
    let from = repo().join("tests/fixtures/valid");
    for name in ["safety.yaml", "sources.yaml"] {
        std::fs::copy(from.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::create_dir(dir.path().join("entries")).unwrap();
    std::fs::copy(
        from.join("entries/naltrexone.yaml"),
        dir.path().join("entries/naltrexone.yaml"),
    )
    .unwrap();
    let mut lexicon = std::fs::read_to_string(from.join("lexicon.yaml")).unwrap();
    lexicon.push_str("\nmay_mean:\n  theshot: [naltrexone]\n  alcohol: [sublocade]\n");
    std::fs::write(dir.path().join("lexicon.yaml"), lexicon).unwrap();
    medfaq(dir.path())
        .args(["check"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "`may_mean` lists `theshot`, which is not under `terms:`",
        ))
        .stdout(predicate::str::contains(
            "`alcohol` may mean `sublocade`, which is not under `drugs:`",
        ));
}
