//! Drives the real `medfaq` executable: ask (arguments, stdin, JSON), check on the shipped
//! knowledge and on broken fixtures, eval, topics, chat, and hostile input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

fn medfaq(knowledge: &Path) -> Command {
    let mut cmd = Command::cargo_bin("medfaq").expect("the medfaq binary is built");
    cmd.arg("--knowledge")
        .arg(knowledge)
        .env_remove("MEDFAQ_KNOWLEDGE");
    cmd
}

fn shipped() -> PathBuf {
    repo().join("knowledge")
}

fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .expect("stdout is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

#[test]
fn readme_question_prints_the_curated_answer_with_sources_and_disclaimer() {
    medfaq(&shipped())
        .args(["ask", "can I take codeine on naltrexone?"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Can I take codeine or other opioid painkillers while on naltrexone?",
        ))
        .stdout(predicate::str::contains("Sources:"))
        .stdout(predicate::str::contains("https://"))
        .stdout(predicate::str::contains("not medical advice"));
}

#[test]
fn ask_json_has_the_pinned_fields() {
    let out = medfaq(&shipped())
        .args(["ask", "--json", "can I take codeine on naltrexone?"])
        .assert()
        .success();
    let lines = json_lines(&out.get_output().stdout);
    assert_eq!(lines.len(), 1);
    let r = &lines[0];
    assert_eq!(r["question"], "can I take codeine on naltrexone?");
    assert_eq!(r["outcome"], "answer");
    assert_eq!(r["entry_id"], "naltrexone-opioid-pain-medicines");
    assert!(r["score"].is_number());
    assert!(r["alternatives"].is_array());
    for a in r["alternatives"].as_array().unwrap() {
        assert!(a["entry_id"].is_string() && a["title"].is_string() && a["score"].is_number());
    }
    assert!(r["reply"]["sources"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    assert!(r["reply"]["disclaimer"]
        .as_str()
        .unwrap()
        .contains("not medical advice"));
}

#[test]
fn stdin_answers_one_json_line_per_input_line_even_for_hostile_input() {
    let mut input: Vec<u8> = Vec::new();
    let lines: Vec<Vec<u8>> = vec![
        b"can i drink on vivitrol".to_vec(),
        b"".to_vec(),
        b"   \t  ".to_vec(),
        "x".repeat(100_000).into_bytes(),
        b"control \x01\x02\x1b[31m chars".to_vec(),
        b"invalid \xff\xfe utf8".to_vec(),
        "\u{202E}lonretxan no knird i nac".as_bytes().to_vec(),
        "nal\u{200D}trex\u{200B}one and drink\u{FEFF}ing"
            .as_bytes()
            .to_vec(),
        "🙏🙏🙏💊💊".as_bytes().to_vec(),
        b"@everyone @here <@123456789> what is this".to_vec(),
        b"[click me](https://evil.example) **bold** `code` ||spoiler||".to_vec(),
        b"my friend overdosed and is not breathing".to_vec(),
    ];
    for l in &lines {
        input.extend_from_slice(l);
        input.push(b'\n');
    }
    let out = medfaq(&shipped())
        .args(["ask", "--json"])
        .write_stdin(input)
        .assert()
        .success();
    let answers = json_lines(&out.get_output().stdout);
    assert_eq!(answers.len(), lines.len());
    let outcomes: Vec<&str> = answers
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes[0], "answer");
    assert_eq!(outcomes[1], "no_match");
    assert_eq!(outcomes[11], "emergency");
    for a in &answers {
        let body = a["reply"]["body"].as_str().unwrap();
        assert!(
            !body.contains("@everyone"),
            "a mention was echoed unescaped: {body}"
        );
        assert!(
            !body.contains("](https://evil.example)"),
            "a link was echoed live: {body}"
        );
        assert!(body.chars().count() <= medfaq::reply::MAX_BODY);
    }
}

#[test]
fn check_passes_on_the_shipped_knowledge() {
    medfaq(&shipped())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no problems"));
}

#[test]
fn check_names_the_file_of_each_broken_fixture() {
    for (name, says) in [
        ("bad-yaml", "did not find expected"),
        ("duplicate-id", "duplicate id"),
        ("unknown-source", "unknown source key `made-up-source`"),
        (
            "stolen-question",
            "entry `naltrexone-vs-naloxone`: question \"can i drink alcohol on naltrexone\"",
        ),
    ] {
        medfaq(&shipped())
            .arg("check")
            .arg(fixture(name))
            .assert()
            .code(1)
            .stdout(predicate::str::contains("entries/naltrexone.yaml:"))
            .stdout(predicate::str::contains(says));
    }
}

#[test]
fn check_on_a_missing_folder_is_an_error() {
    medfaq(&shipped())
        .arg("check")
        .arg(fixture("no-such-folder"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("could not read"));
}

#[test]
fn ask_with_broken_knowledge_exits_2_and_points_to_check() {
    medfaq(&fixture("duplicate-id"))
        .args(["ask", "anything"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("medfaq check"));
}

#[test]
fn eval_prints_six_metrics_and_misses() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("eval.yaml");
    std::fs::write(
        &file,
        "- q: will percs work on the shot\n  expect: naltrexone-opioid-pain-medicines\n\
         - q: is narcan the same thing as vivitrol\n  expect: [naltrexone-vs-naloxone]\n\
         - q: how do i bake bread\n  expect: no_match\n\
         - q: he is not breathing\n  expect: emergency\n\
         - q: can i drink on lexapro\n  expect: naltrexone-drinking-alcohol\n",
    )
    .unwrap();
    let out = medfaq(&fixture("valid"))
        .args(["eval", "--json"])
        .arg(&file)
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let names: Vec<&str> = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "answer_accuracy",
            "reach",
            "wrong_answer_rate",
            "abstention",
            "emergency_recall",
            "false_escalation",
            "emergency_kind"
        ]
    );
    // The last item is deliberately unanswerable (the guard must decline a drug the entry
    // does not cover), so it is the one miss.
    assert_eq!(report["misses"].as_array().unwrap().len(), 1);
    assert_eq!(report["misses"][0]["q"], "can i drink on lexapro");
    assert_eq!(report["metrics"][4]["value"], 1.0);
}

#[test]
fn topics_lists_titles() {
    medfaq(&fixture("valid"))
        .arg("topics")
        .assert()
        .success()
        .stdout(predicate::str::contains("Opioids and naltrexone"))
        .stdout(predicate::str::contains(
            "What is the difference between naltrexone and naloxone?",
        ))
        .stdout(predicate::str::contains("hidden").not());
}

#[test]
fn chat_answers_and_picks_a_choice_by_number() {
    // Which phrasings are ambiguous depends on the knowledge; take the first that the engine
    // itself answers with "did you mean…".
    let engine = medfaq::Engine::load(&shipped()).expect("the shipped knowledge loads");
    let candidates = [
        "opioids",
        "how long",
        "help with drinking",
        "naltrexone and alcohol",
        "is alcohol withdrawal dangerous",
        "withdrawal",
    ];
    let (question, first_choice) = candidates
        .iter()
        .find_map(|q| {
            let r = engine.ask(q);
            (r.outcome == medfaq::Outcome::Clarify).then(|| (*q, r.reply.choices[0].clone()))
        })
        .expect("one candidate is ambiguous");
    let first_title = engine
        .knowledge()
        .entry(&first_choice.entry_id)
        .expect("a choice is an entry")
        .title()
        .to_string();
    let out = medfaq(&shipped())
        .arg("chat")
        .write_stdin(format!("hi\n{question}\n1\nquit\n"))
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("Ask a question in your own words"), "{text}");
    assert!(text.contains("Type a number to choose."), "{text}");
    let after_choice = text
        .split("Type a number to choose.")
        .nth(1)
        .expect("the choices were offered");
    assert!(
        after_choice.contains(&first_title) && after_choice.contains("Sources:"),
        "choosing 1 answers {first_title:?}: {text}"
    );
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    medfaq(&shipped()).arg("frobnicate").assert().code(2);
}
