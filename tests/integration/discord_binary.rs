//! The real executable: start-up errors, and `medfaq serve` answering through the stand-in.

use assert_cmd::Command;

use crate::discord_shared::{assert_fits_discord, assert_private, DM, MEMBER};
use crate::standin::live::{copy_dir, repo_knowledge, FAKE_TOKEN, WAIT};
use crate::standin::payloads;
use crate::standin::StandIn;

/// `medfaq serve` with the repository's knowledge and a fake token, run in `dir` (where it
/// looks for config.toml).
fn serve_in(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("medfaq").unwrap();
    cmd.current_dir(dir).env("DISCORD_TOKEN", FAKE_TOKEN).args([
        "--knowledge",
        repo_knowledge().to_str().unwrap(),
        "serve",
    ]);
    cmd
}

#[test]
fn serve_without_token_exits_2_naming_discord_token() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("medfaq")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .args(["--knowledge", repo_knowledge().to_str().unwrap(), "serve"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("DISCORD_TOKEN"));
}

#[test]
fn serve_refuses_a_token_in_the_config_and_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[bot]\ntoken = \"abc-secret\"\n").unwrap();
    let out = serve_in(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bot.token"))
        .stderr(predicates::str::contains("DISCORD_TOKEN"))
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("abc-secret") && !stderr.contains(FAKE_TOKEN));
    std::fs::write(&config, "[bot]\nanswers_pubic = true\n").unwrap();
    serve_in(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("answers_pubic"));
}

#[test]
fn serve_with_broken_knowledge_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_knowledge(), dir.path());
    std::fs::write(dir.path().join("entries/zz.yaml"), "- id: [\n").unwrap();
    Command::cargo_bin("medfaq")
        .unwrap()
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", FAKE_TOKEN)
        .args(["--knowledge", dir.path().to_str().unwrap(), "serve"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("zz.yaml"));
}

/// The real executable: config file, token from the environment, a DM answered through the
/// stand-in, then SIGTERM → a clean exit 0, with nothing private in its log.
#[cfg(unix)]
#[test]
fn binary_answers_a_dm_and_exits_0_on_sigterm() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let standin = StandIn::start().await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            format!(
                "[bot]\nknowledge = {:?}\nlog_level = \"info\"\n\n[discord]\napi_url = {:?}\n",
                repo_knowledge().to_str().unwrap(),
                standin.api_url
            ),
        )
        .unwrap();
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("medfaq"))
            .current_dir(dir.path())
            .env("DISCORD_TOKEN", FAKE_TOKEN)
            .env_remove("RUST_LOG")
            .arg("serve")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let output = tokio::task::spawn_blocking(move || child.wait_with_output());
        standin.wait_identified(WAIT).await;
        standin
            .wait_request("command registration", WAIT, |r| r.method == "PUT")
            .await;
        let question = "zebra-canary can i take percs on vivitrol";
        let since = standin.requests().len();
        standin.dispatch(
            "MESSAGE_CREATE",
            payloads::message_create(standin.next_id(), MEMBER, DM, question, false),
        );
        let answer = standin.message_in(DM.channel(), since, WAIT).await;
        assert_fits_discord(&answer.body);
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let output = tokio::time::timeout(WAIT, output)
            .await
            .expect("medfaq exits after SIGTERM")
            .unwrap()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("question answered"), "{stderr}");
        assert!(stderr.contains("SIGTERM received"), "{stderr}");
        assert_private(&stderr, &[question.to_string()]);
        assert!(!stderr.contains("zebra-canary"), "{stderr}");
    });
}
