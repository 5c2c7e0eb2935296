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
        (
            "two-overviews",
            "topic \"Naltrexone\" already has its overview entry `naltrexone-vs-naloxone`",
        ),
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

/// A pipe whose reading end is already closed, as `medfaq … | head` leaves standard output
/// once `head` has read what it wanted and exited. Its reader is a process that has ended.
fn closed_pipe() -> std::process::Stdio {
    let mut reader = std::process::Command::new("true")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("`true` runs");
    let write_end = reader.stdin.take().expect("stdin is piped");
    reader.wait().expect("`true` ends");
    std::process::Stdio::from(write_end)
}

#[test]
fn a_closed_stdout_ends_every_command_quietly_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let eval_file = dir.path().join("eval.yaml");
    std::fs::write(
        &eval_file,
        "- q: how do i bake bread\n  expect: no_match\n\
         - q: can i drink on lexapro\n  expect: naltrexone-drinking-alcohol\n",
    )
    .unwrap();
    let many_questions = "can i drink on vivitrol\nwhat is naloxone\n".repeat(500);
    let eval_arg = eval_file.to_str().unwrap();
    for (args, knowledge, stdin) in [
        // Before: a panic on the broken pipe (exit 101 with a backtrace).
        (vec!["check"], fixture("valid"), ""),
        (vec!["check"], fixture("duplicate-id"), ""),
        (vec!["check", "--json"], fixture("valid"), ""),
        (vec!["eval", eval_arg], fixture("valid"), ""),
        (vec!["eval", "--json", eval_arg], fixture("valid"), ""),
        (vec!["topics"], fixture("valid"), ""),
        (vec!["ask", "can i drink on vivitrol"], fixture("valid"), ""),
        // Before: "medfaq: Broken pipe (os error 32)" and exit 2.
        (vec!["ask"], fixture("valid"), many_questions.as_str()),
        (
            vec!["ask", "--json"],
            fixture("valid"),
            many_questions.as_str(),
        ),
        (
            vec!["ask", "--explain"],
            fixture("valid"),
            many_questions.as_str(),
        ),
        (vec!["chat"], fixture("valid"), "topics\n1\n1\nquit\n"),
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("medfaq"))
            .arg("--knowledge")
            .arg(&knowledge)
            .args(&args)
            .env_remove("MEDFAQ_KNOWLEDGE")
            .env("RUST_BACKTRACE", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(closed_pipe())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("medfaq runs");
        let mut input = child.stdin.take().expect("stdin is piped");
        let stdin = stdin.to_string();
        // The command may stop reading once its output is gone; that is fine.
        let writer = std::thread::spawn(move || {
            use std::io::Write as _;
            let _ = input.write_all(stdin.as_bytes());
        });
        let out = child.wait_with_output().expect("medfaq ends");
        writer.join().expect("the writer thread ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            (out.status.code(), stderr.as_ref()),
            (Some(0), ""),
            "medfaq {args:?} with standard output closed"
        );
    }
}

#[test]
fn a_missing_knowledge_folder_is_named_once_with_how_to_point_at_one() {
    let outside = tempfile::tempdir().unwrap();
    for args in [
        vec!["ask", "can i drink on vivitrol"],
        vec!["check"],
        vec!["topics"],
        vec!["eval", "eval.yaml"],
        vec!["chat"],
    ] {
        let out = Command::cargo_bin("medfaq")
            .unwrap()
            .current_dir(outside.path())
            .env_remove("MEDFAQ_KNOWLEDGE")
            .args(&args)
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        let looked_for = outside.path().join("knowledge");
        for says in [
            "could not read the knowledge folder knowledge",
            looked_for.to_str().unwrap(),
            "--knowledge DIR",
            "MEDFAQ_KNOWLEDGE",
        ] {
            assert!(stderr.contains(says), "{args:?}: {says:?} in {stderr}");
        }
        assert_eq!(
            stderr.matches("No such file or directory").count(),
            1,
            "{args:?}: the cause once: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
}

#[test]
fn eval_rejects_an_expected_id_that_is_not_an_entry() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("eval.yaml");
    std::fs::write(
        &file,
        "- q: will percs work on the shot\n  expect: naltrexone-opioid-pain-medicines\n\
         - q: can i have a beer on vivitrol\n  expect: naltrexone-drinking-alchol\n\
         - q: how do i bake bread\n  expect: [no_match, emergency, naltrexone-vs-naloxone]\n",
    )
    .unwrap();
    let out = medfaq(&fixture("valid"))
        .arg("eval")
        .arg(&file)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains(&format!(
            "{}:4: `naltrexone-drinking-alchol` (did you mean `naltrexone-drinking-alcohol`?)",
            file.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("`no_match`") && !stderr.contains("`emergency`"));

    // Outcomes inside a list are not ids: with the typo fixed the file is scored.
    let fixed = std::fs::read_to_string(&file)
        .unwrap()
        .replace("alchol", "alcohol");
    std::fs::write(&file, fixed).unwrap();
    let out = medfaq(&fixture("valid")).arg("eval").arg(&file).assert();
    assert_ne!(out.get_output().status.code(), Some(2), "{out:?}");
}

/// The lines `check` printed that are findings (not warnings or the summary).
fn finding_lines(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| l.contains(".yaml") && !l.starts_with("warning: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn check_reports_a_file_that_does_not_parse_once_without_follow_on_related_findings() {
    // Two entries in entries/naltrexone.yaml link to the one entry of the broken file.
    let out = medfaq(&shipped())
        .arg("check")
        .arg(fixture("broken-file-with-links"))
        .assert()
        .code(1);
    let findings = finding_lines(&out.get_output().stdout);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(
        findings[0].contains("entries/alcohol.yaml:"),
        "{findings:#?}"
    );

    // The same slip in the shipped knowledge, whose other files link into the broken one.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&shipped(), dir.path());
    let file = dir.path().join("entries/naltrexone.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let slipped = text.replacen("\n  answer:", "\n   answer:", 1);
    assert_ne!(text, slipped);
    std::fs::write(&file, slipped).unwrap();
    let out = medfaq(&shipped())
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("1 problem(s) found"));
    let findings = finding_lines(&out.get_output().stdout);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(
        findings[0].contains("entries/naltrexone.yaml:"),
        "{findings:#?}"
    );
}

#[test]
fn check_reports_a_duplicated_question_at_the_paste_not_the_original() {
    // "is it ok to have a beer on vivitrol" is at line 19 and pasted at line 32.
    let out = medfaq(&shipped())
        .arg("check")
        .arg(fixture("pasted-question"))
        .assert()
        .code(1);
    let findings = finding_lines(&out.get_output().stdout);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(
        findings[0].contains("entries/naltrexone.yaml:32: entry `naltrexone-vs-naloxone`"),
        "{findings:#?}"
    );
}

#[test]
fn check_warns_about_an_overdue_review_without_failing() {
    medfaq(&shipped())
        .arg("check")
        .arg(fixture("review-overdue"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "warning: ",
        ))
        .stdout(predicate::str::contains(
            "entries/naltrexone.yaml:23: entry `naltrexone-drinking-alcohol`: reviewed 2001-01-01 is ",
        ))
        .stdout(predicate::str::contains("no problems"));
    // A tighter limit warns about the others too, and still passes.
    let out = medfaq(&shipped())
        .arg("check")
        .arg(fixture("valid"))
        .args(["--review-max-days", "0", "--json"])
        .assert()
        .code(0);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert_eq!(report["warnings"].as_array().unwrap().len(), 3, "{report}");
}

#[test]
fn check_fails_on_a_review_date_in_the_future() {
    medfaq(&shipped())
        .arg("check")
        .arg(fixture("review-in-future"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "entries/naltrexone.yaml:23: entry `naltrexone-drinking-alcohol`: reviewed 2199-01-01 is in the future",
        ));
}

#[test]
fn chat_topics_then_a_number_opens_the_topic_and_then_the_entry() {
    // Topics of the valid fixture, in first-seen order: Opioids and naltrexone, Alcohol and
    // naltrexone, Naltrexone (its one enabled entry is naltrexone-vs-naloxone).
    let out = medfaq(&fixture("valid"))
        .arg("chat")
        .write_stdin("topics\n7\n3\n1\nquit\n")
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let after_topics = text
        .split("Type a number to open a topic")
        .nth(1)
        .expect(&text);
    assert!(text.contains("  3. Naltrexone (1)"), "{text}");
    assert!(after_topics.contains("There is no topic 7"), "{text}");
    let topic = after_topics
        .split("Type a number to read one")
        .next()
        .unwrap();
    assert!(
        topic.contains("  1. What is the difference between naltrexone and naloxone?"),
        "{text}"
    );
    let entry = text.split("Type a number to read one").nth(1).expect(&text);
    assert!(
        entry.contains("Naloxone reverses an overdose") && entry.contains("Sources:"),
        "{text}"
    );
}

/// Copies the folder `from` into `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
