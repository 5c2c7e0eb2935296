//! `medfaq report` and `medfaq forget` on a store the test fills, on both backends.

use std::path::PathBuf;

use assert_cmd::Command;
use medfaq::config::StorageLocation;
use medfaq::storage::{FeedbackOutcome, GuildSettings, Record, Store, Timestamp};
use predicates::prelude::*;
use serde_json::Value;

use crate::storage::{
    feedback, pick, run, runtime, served, unanswered, Backend, Fixture, GUILD_A, GUILD_B,
};

/// An entry of the `valid` fixture knowledge.
const ENTRY: &str = "naltrexone-opioid-pain-medicines";
/// Its title.
const TITLE: &str = "Can I take codeine or other opioid painkillers while on naltrexone?";

fn medfaq() -> Command {
    let mut cmd = Command::cargo_bin("medfaq").expect("the medfaq binary is built");
    let knowledge = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    cmd.arg("--knowledge")
        .arg(knowledge)
        .env_remove("MEDFAQ_KNOWLEDGE")
        .env_remove("MEDFAQ_STORAGE_URL");
    cmd
}

/// Fills the store: answers, feedback, a log of unanswered questions and picks in two guilds.
async fn fill(store: &dyn Store) {
    let now = Timestamp::now();
    for guild in [GUILD_A, GUILD_B] {
        let log_on = GuildSettings {
            unanswered_log: Some(true),
            ..GuildSettings::default()
        };
        store.set_guild_settings(guild, &log_on, now).await.unwrap();
    }
    let mut records: Vec<Record> = (0..5).map(|_| served(ENTRY, Some(GUILD_A), now)).collect();
    records.extend([
        served(ENTRY, None, now),
        served("naltrexone-drinking-alcohol", Some(GUILD_B), now),
        feedback(Some(ENTRY), FeedbackOutcome::Helpful, Some(GUILD_A)),
        feedback(Some(ENTRY), FeedbackOutcome::Helpful, None),
        feedback(
            Some(ENTRY),
            FeedbackOutcome::Report {
                comment: Some("the tramadol line is out of date".into()),
            },
            Some(GUILD_A),
        ),
        feedback(None, FeedbackOutcome::NotHelpful, Some(GUILD_B)),
        unanswered(GUILD_A, "how long does antabuse stay in your system", now),
        unanswered(GUILD_B, "How long does antabuse stay in your system?", now),
        unanswered(GUILD_A, "how long does antabuse last in the system", now),
        unanswered(GUILD_A, "is kratom safe with naltrexone", now),
        pick(GUILD_A, "will percs work on the shot", ENTRY, now),
        pick(GUILD_B, "will percs work on the shot", ENTRY, now),
        pick(GUILD_A, "can i take tramadol: on vivitrol", ENTRY, now),
        pick(GUILD_A, "do opiates work on the shot", ENTRY, now),
    ]);
    store.record(&records).await.unwrap();
}

/// Runs a command off the async runtime and returns its standard output.
async fn output(mut cmd: Command) -> (bool, String, String) {
    tokio::task::spawn_blocking(move || {
        let out = cmd.output().expect("medfaq runs");
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    })
    .await
    .unwrap()
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::run(super::Backend::Sqlite, stringify!($name), super::$name);
            }
            #[test]
            fn postgres() {
                super::run(super::Backend::Postgres, stringify!($name), super::$name);
            }
        }
    )*};
}

on_both_backends!(
    report_lists_counts_groups_and_phrasings_from_the_store,
    forget_deletes_the_guilds_settings_and_logs,
);

async fn report_lists_counts_groups_and_phrasings_from_the_store(fx: Fixture) -> Option<Fixture> {
    fill(&*fx.open().await).await;
    let mut cmd = medfaq();
    cmd.args(["report", "--db", &fx.db_arg]);
    let (ok, text, stderr) = output(cmd).await;
    assert!(ok, "{stderr}");
    let entry_line = text
        .lines()
        .find(|l| l.starts_with(ENTRY))
        .unwrap_or_else(|| panic!("a line for the entry: {text}"));
    let numbers: Vec<&str> = entry_line.split_whitespace().skip(1).collect();
    assert_eq!(
        numbers,
        ["6", "2", "0", "1"],
        "served, helpful, not helpful, reports"
    );
    assert!(text.contains(TITLE), "{text}");
    assert!(
        text.contains("report: \"the tramadol line is out of date\""),
        "{text}"
    );
    assert!(
        text.contains("3× [antabuse, long, system"),
        "largest group first: {text}"
    );
    assert!(
        text.contains("      2× how long does antabuse stay in your system"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "# {ENTRY} (3 pick(s))\n    - will percs work on the shot\n    - 'can i take tramadol: on vivitrol'\n"
        )),
        "new phrasings as YAML, most picked first: {text}"
    );
    assert!(
        !text.contains("    - do opiates work on the shot"),
        "a phrasing the entry already has is not suggested: {text}"
    );

    let mut cmd = medfaq();
    cmd.args(["report", "--json", "--db", &fx.db_arg]);
    let (ok, json, stderr) = output(cmd).await;
    assert!(ok, "{stderr}");
    let r: Value = serde_json::from_str(&json).expect("one JSON document");
    assert_eq!(r["entries"][0]["entry_id"], ENTRY);
    assert_eq!(r["entries"][0]["served"], 6);
    assert_eq!(r["entries"][0]["reports"], 1);
    assert_eq!(r["no_answer"]["not_helpful"], 1);
    assert_eq!(r["unanswered"][0]["count"], 3);
    assert_eq!(r["unanswered"][1]["count"], 1);
    assert_eq!(r["phrasings"][0]["questions"][0]["count"], 2);

    let mut cmd = medfaq();
    cmd.args([
        "report",
        "--json",
        "--since",
        "2999-01-01",
        "--db",
        &fx.db_arg,
    ]);
    let (ok, json, _) = output(cmd).await;
    assert!(ok);
    let r: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        r["entries"].as_array().unwrap().len(),
        0,
        "nothing since then"
    );
    Some(fx)
}

async fn forget_deletes_the_guilds_settings_and_logs(fx: Fixture) -> Option<Fixture> {
    fill(&*fx.open().await).await;
    let mut cmd = medfaq();
    cmd.args([
        "forget",
        "--guild",
        &GUILD_A.to_string(),
        "--db",
        &fx.db_arg,
    ]);
    let (ok, text, stderr) = output(cmd).await;
    assert!(ok, "{stderr}");
    assert!(
        text.contains(&format!(
            "forgot guild {GUILD_A} in {}: 1 settings, 2 feedback, 1 answers-served counter(s), 3 unanswered question(s), 3 \"did you mean\" pick(s)",
            fx.location
        )),
        "{text}"
    );
    assert!(!text.contains("s3cret"));
    let store = fx.open().await;
    assert_eq!(store.guild_settings(GUILD_A).await.unwrap(), None);
    assert!(store.guild_settings(GUILD_B).await.unwrap().is_some());
    let rows = store.report_rows(None).await.unwrap();
    assert_eq!(
        rows.unanswered,
        ["How long does antabuse stay in your system?"]
    );
    assert_eq!(rows.picks.len(), 1);

    let mut cmd = medfaq();
    cmd.args([
        "forget",
        "--guild",
        &GUILD_A.to_string(),
        "--db",
        &fx.db_arg,
    ]);
    let (ok, text, _) = output(cmd).await;
    assert!(ok);
    assert!(
        text.contains(&format!("nothing was stored for guild {GUILD_A}")),
        "{text}"
    );
    Some(fx)
}

#[test]
fn report_reads_the_store_named_by_the_config_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("medfaq.toml");
    std::fs::write(&config, "[storage]\npath = \"state/bot.db\"\n").unwrap();
    let location = StorageLocation::Sqlite(dir.path().join("state/bot.db"));
    runtime().block_on(async {
        let store = medfaq::storage::open(&location).await.unwrap();
        fill(&*store).await;
        let mut cmd = medfaq();
        cmd.arg("report").arg("--config").arg(&config);
        let (ok, text, stderr) = output(cmd).await;
        assert!(ok, "{stderr}");
        assert!(text.contains(&location.to_string()), "{text}");
        assert!(text.lines().any(|l| l.starts_with(ENTRY)), "{text}");
    });
}

#[test]
fn report_on_a_missing_store_says_how_it_is_made_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.db");
    medfaq()
        .args(["report", "--db"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("medfaq serve` creates it"));
    assert!(!missing.exists(), "report never creates a store");
}

#[test]
fn forget_refuses_a_guild_id_of_zero_and_conflicting_options() {
    medfaq()
        .args(["forget", "--guild", "0", "--db", "x.db"])
        .assert()
        .code(2);
    medfaq()
        .args([
            "forget", "--guild", "1", "--db", "x.db", "--config", "c.toml",
        ])
        .assert()
        .code(2);
}

#[test]
fn a_postgres_password_never_reaches_the_output() {
    // Nothing listens on port 1: the connection fails, and the message names the store
    // without its credentials.
    medfaq()
        .args([
            "report",
            "--db",
            "postgres://medfaq:s3cret@127.0.0.1:1/medfaq",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("postgres 127.0.0.1:1/medfaq"))
        .stderr(predicate::str::contains("s3cret").not());
}
