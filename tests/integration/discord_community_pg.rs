//! The community tools on PostgreSQL, end to end: two bots (as two processes would run),
//! each with half the shards, share server settings through one database — in this process,
//! and as two `medfaq serve` processes of the real executable; and the database
//! going away while the bot serves never stops answers, and the bot recovers when it
//! returns. Skipped (with a notice) unless `MEDFAQ_TEST_POSTGRES_URL` is set — `.ci/run`
//! sets it, and under `CI=true` a missing server fails instead.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use medfaq::config::{Config, StorageLocation};
use medfaq::discord::community::ID_HELPFUL;
use medfaq::storage::FeedbackCounts;
use serde_json::Value;

use crate::discord_community::{bool_option, custom_ids, emergency_question, shown, string_option};
use crate::discord_shared::{assert_private, confident, MEMBER};
use crate::standin::live::{self, repo_knowledge, Live, Tweak, FAKE_TOKEN, WAIT};
use crate::standin::payloads::{self, Place};
use crate::standin::StandIn;
use crate::storage::{runtime, Backend, Fixture, POSTGRES_SERVER};
use crate::storage_outage::{server_command, take_server_for_outage};

/// A server id on shard `shard` of 2: Discord sends a server's events to shard
/// `(id >> 22) % total`.
fn guild_on_shard(shard: u64) -> u64 {
    (1..)
        .map(|i: u64| 740_000_000_000_000_000 + (i << 22))
        .find(|g| (g >> 22) % 2 == shard)
        .expect("a server id on every shard")
}

fn place(guild: u64) -> Place {
    Place::Guild {
        guild,
        channel: guild + 1,
    }
}

/// Dispatches an interaction to `bot` and returns the body of its first response.
async fn interact(bot: &Live, payload: Value) -> Value {
    interact_on(&bot.standin, payload).await
}

/// Dispatches an interaction through `standin` and returns the body of the first response.
async fn interact_on(standin: &StandIn, payload: Value) -> Value {
    let id: u64 = payload["id"].as_str().unwrap().parse().unwrap();
    standin.dispatch("INTERACTION_CREATE", payload);
    standin.callback_for(id, WAIT).await.body
}

async fn ask(bot: &Live, guild: u64, question: &str) -> Value {
    ask_on(&bot.standin, guild, question).await
}

async fn ask_on(standin: &StandIn, guild: u64, question: &str) -> Value {
    let id = standin.next_id();
    interact_on(
        standin,
        payloads::ask(id, MEMBER, place(guild), question, None),
    )
    .await
}

async fn settings(bot: &Live, guild: u64, sub: &str, options: Vec<Value>) -> Value {
    settings_on(&bot.standin, guild, sub, options).await
}

async fn settings_on(standin: &StandIn, guild: u64, sub: &str, options: Vec<Value>) -> Value {
    let id = standin.next_id();
    interact_on(
        standin,
        payloads::settings(id, MEMBER, place(guild), sub, options),
    )
    .await
}

/// A fresh database on the test server (made on a runtime of its own), or `None` when
/// PostgreSQL is not configured.
fn fresh_database(test: &str) -> Option<Fixture> {
    runtime().block_on(Fixture::new(Backend::Postgres, test))
}

fn postgres_url(fixture: &Fixture) -> String {
    match &fixture.location {
        StorageLocation::Postgres(url) => url.clone(),
        StorageLocation::Sqlite(_) => unreachable!("a PostgreSQL fixture"),
    }
}

#[test]
fn community_two_processes_with_half_the_shards_share_settings_through_postgres() {
    const TEST: &str =
        "community_two_processes_with_half_the_shards_share_settings_through_postgres";
    let _server = POSTGRES_SERVER
        .read()
        .unwrap_or_else(PoisonError::into_inner);
    let Some(fixture) = fresh_database(TEST) else {
        return;
    };
    let url = postgres_url(&fixture);
    let half = |shard: u32, url: String| -> Tweak {
        Box::new(move |c: &mut Config| {
            c.sharding.total = Some(2);
            c.sharding.first = Some(shard);
            c.sharding.last = Some(shard);
            c.storage.url = Some(url);
        })
    };
    let tweaks = vec![half(0, url.clone()), half(1, url)];
    let text = live::run_several(live::Options::default(), tweaks, |bots| async move {
        let (a, b) = (&bots[0], &bots[1]);
        assert_eq!(a.standin.identify_shard(), serde_json::json!([0, 2]));
        assert_eq!(b.standin.identify_shard(), serde_json::json!([1, 2]));
        let (on_a, on_b) = (guild_on_shard(0), guild_on_shard(1));
        let question = emergency_question(&a.engine);

        // Each process takes its own servers' commands; both write to the one database.
        settings(a, on_a, "region", vec![string_option("region", "UK")]).await;
        settings(b, on_b, "region", vec![string_option("region", "AU")]).await;
        let uk = shown(&ask(a, on_a, question).await);
        assert!(uk.contains("999") && !uk.contains("988"), "{uk}");
        let au = shown(&ask(b, on_b, question).await);
        assert!(au.contains("000") && !au.contains("988"), "{au}");

        // Each process reads what the other saved: a server whose shard moves to the other
        // process (a restart with a new split) keeps its settings.
        let moved = shown(&ask(b, on_a, question).await);
        assert!(moved.contains("999") && !moved.contains("988"), "{moved}");
        let moved = shown(&ask(a, on_b, question).await);
        assert!(moved.contains("000") && !moved.contains("988"), "{moved}");
        // A change made through one process shows in the other once its cache expires
        // (`SETTINGS_TTL`); read through the store, it is there at once.
        settings(a, on_a, "mentions", vec![bool_option("on", false)]).await;
        let seen = b.storage.store().guild_settings(on_a).await.unwrap();
        let seen = seen.expect("process B sees the server's settings");
        assert_eq!(seen.region.as_deref(), Some("UK"));
        assert_eq!(seen.answer_mentions, Some(false));
    });
    assert_private(&text, &[]);
    runtime().block_on(fixture.clean_up());
}

/// How long a `medfaq serve` child may take to start (load the knowledge, open and migrate
/// the store, reach the stand-in).
const STARTUP: Duration = Duration::from_secs(30);

/// A `medfaq serve` child of the real executable, with its config file and log in a
/// temporary folder of its own. Killed (and reaped) when dropped, whatever the test's path;
/// a failing test prints its log.
struct ServeProcess {
    name: &'static str,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl ServeProcess {
    /// Starts `medfaq serve` with `config` (a TOML text) as its config file.
    fn spawn(name: &'static str, config: &str) -> ServeProcess {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let log = dir.path().join("serve.log");
        let stderr = std::fs::File::create(&log).unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_medfaq"))
            .current_dir(dir.path())
            .env("DISCORD_TOKEN", FAKE_TOKEN)
            .env_remove("RUST_LOG")
            .env_remove("MEDFAQ_STORAGE_URL")
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        ServeProcess {
            name,
            child,
            log,
            _dir: dir,
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit; returns the exit code and the whole log.
    async fn stop(&mut self) -> (Option<i32>, String) {
        let term = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success(), "SIGTERM to {}", self.name);
        let until = Instant::now() + WAIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < until,
                "{} did not exit after SIGTERM:\n{}",
                self.name,
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        (status.code(), self.log_text())
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            eprintln!("--- log of {} ---\n{}", self.name, self.log_text());
        }
    }
}

/// A `medfaq serve` config: shard `shard` of 2, the stand-in at `api_url`, the store on
/// PostgreSQL at `url`.
fn half_config(knowledge: &Path, api_url: &str, shard: u32, url: &str) -> String {
    format!(
        "[bot]\nknowledge = {knowledge:?}\nlog_level = \"info\"\nwatch_knowledge = false\n\
         shutdown_grace_seconds = 1\n\n[discord]\napi_url = {api_url:?}\n\n\
         [sharding]\ntotal = 2\nfirst = {shard}\nlast = {shard}\n\n[storage]\nurl = {url:?}\n",
        knowledge = knowledge.to_str().unwrap(),
    )
}

/// Issue 10 with real processes: two `medfaq serve` children of the built executable, each
/// running one of 2 shards against a Discord stand-in of its own, share one PostgreSQL
/// database. A region set with /settings through the process owning the server's shard is
/// what the other process answers with, the first time that server reaches it (as after a
/// restart that moved the server's shard): that process never read the server, so nothing
/// is cached (`SETTINGS_TTL`) and its read goes to the database.
#[cfg(unix)]
#[test]
fn community_two_serve_processes_share_settings_through_postgres() {
    const TEST: &str = "community_two_serve_processes_share_settings_through_postgres";
    let _server = POSTGRES_SERVER
        .read()
        .unwrap_or_else(PoisonError::into_inner);
    let Some(fixture) = fresh_database(TEST) else {
        return;
    };
    let url = postgres_url(&fixture);
    let knowledge = repo_knowledge();
    let engine = medfaq::Engine::load(&knowledge).unwrap();
    let question = emergency_question(&engine);
    let logs = runtime().block_on(async {
        let (standin_a, standin_b) = (StandIn::start().await, StandIn::start().await);
        // One at a time: the first process creates the schema (it opens the store before it
        // connects to Discord), so the two never migrate the fresh database at once.
        let mut a = ServeProcess::spawn(
            "process A (shard 0 of 2)",
            &half_config(&knowledge, &standin_a.api_url, 0, &url),
        );
        standin_a.wait_identified(STARTUP).await;
        standin_a
            .wait_request("command registration", STARTUP, |r| {
                r.method == "PUT" && r.path.ends_with("/commands")
            })
            .await;
        let mut b = ServeProcess::spawn(
            "process B (shard 1 of 2)",
            &half_config(&knowledge, &standin_b.api_url, 1, &url),
        );
        standin_b.wait_identified(STARTUP).await;
        assert_eq!(standin_a.identify_shard(), serde_json::json!([0, 2]));
        assert_eq!(standin_b.identify_shard(), serde_json::json!([1, 2]));
        let (on_a, on_b) = (guild_on_shard(0), guild_on_shard(1));

        // B's own server, never configured: the config's default region (US, 988).
        let default = shown(&ask_on(&standin_b, on_b, question).await);
        assert!(default.contains("988"), "B's default region: {default}");

        // A owns on_a's shard and saves the server's region in the database.
        let saved = settings_on(
            &standin_a,
            on_a,
            "region",
            vec![string_option("region", "UK")],
        );
        let saved = shown(&saved.await);
        assert!(saved.contains("Saved."), "{saved}");
        let uk = shown(&ask_on(&standin_a, on_a, question).await);
        assert!(uk.contains("999") && !uk.contains("988"), "{uk}");

        // B, asked about on_a for the first time (its shard moved to B), reads the region A
        // saved: UK lines, not its default's.
        let moved = shown(&ask_on(&standin_b, on_a, question).await);
        assert!(
            moved.contains("999") && !moved.contains("988"),
            "B answers on_a with A's region: {moved}"
        );

        let (code_a, log_a) = a.stop().await;
        let (code_b, log_b) = b.stop().await;
        assert_eq!(code_a, Some(0), "{log_a}");
        assert_eq!(code_b, Some(0), "{log_b}");
        for log in [&log_a, &log_b] {
            assert!(log.contains("storage opened"), "{log}");
            assert!(log.contains("SIGTERM received"), "{log}");
        }
        format!("{log_a}\n{log_b}")
    });
    assert_private(&logs, &[question.to_string()]);
    runtime().block_on(fixture.clean_up());
}

#[test]
fn community_postgres_outage_keeps_answers_and_recovers() {
    const TEST: &str = "community_postgres_outage_keeps_answers_and_recovers";
    // Alone on the server: the other PostgreSQL tests would fail while it is stopped.
    let Some((stop, start, _server)) = take_server_for_outage(TEST) else {
        return;
    };
    let Some(fixture) = fresh_database(TEST) else {
        return;
    };
    let url = postgres_url(&fixture);
    let (guild, other) = (guild_on_shard(0), guild_on_shard(1));
    let text = live::run_with(
        live::Options::default(),
        |c| c.storage.url = Some(url),
        |bot| async move {
            let question = emergency_question(&bot.engine);
            settings(&bot, guild, "region", vec![string_option("region", "UK")]).await;
            let answer = ask(&bot, guild, confident(&bot.engine)).await;
            let helpful = custom_ids(&answer)
                .into_iter()
                .find(|id| id.starts_with(ID_HELPFUL))
                .expect("an answer carries Helpful");
            let entry = helpful.strip_prefix(ID_HELPFUL).unwrap().to_string();

            let stop = stop.clone();
            tokio::task::spawn_blocking(move || server_command(&stop))
                .await
                .unwrap();
            // Answers keep coming, within Discord's 3 seconds: the server's last known
            // settings, or the config's defaults for a server never read.
            for _ in 0..3 {
                let id = bot.ask(MEMBER, place(guild), question);
                bot.wait_acknowledged(id).await;
                let record = bot.standin.interaction(id).unwrap();
                let (at, _) = record.acknowledged.unwrap();
                assert!(at.duration_since(record.dispatched) < Duration::from_secs(3));
                let body = bot.callbacks(id).pop().unwrap().body;
                assert!(shown(&body).contains("999"), "last known region: {body}");
            }
            let defaults = shown(&ask(&bot, other, question).await);
            assert!(
                defaults.contains("988"),
                "the config's defaults: {defaults}"
            );
            // A press during the outage is queued; a settings change is refused politely.
            let id = bot.standin.next_id();
            interact(
                &bot,
                payloads::button(id, MEMBER, place(guild), &helpful, 64),
            )
            .await;
            let refused = settings(&bot, guild, "mentions", vec![bool_option("on", false)]).await;
            assert!(shown(&refused).contains("not answering"), "{refused}");
            assert!(!bot.storage.is_available());

            tokio::task::spawn_blocking(move || server_command(&start))
                .await
                .unwrap();
            bot.storage.flush().await;
            let until = Instant::now() + WAIT;
            while !bot.storage.is_available() {
                assert!(Instant::now() < until, "the store never came back");
                bot.settle(Duration::from_millis(100)).await;
                bot.storage.flush().await;
            }
            let rows = bot.storage.store().report_rows(None).await.unwrap();
            let counts: &FeedbackCounts = &rows.feedback[&Some(entry)];
            assert_eq!(counts.helpful, 1, "the press made during the outage landed");
            let saved = settings(&bot, guild, "mentions", vec![bool_option("on", false)]).await;
            assert!(shown(&saved).contains("Saved."), "{saved}");
            bot.wait_log("storage available again").await;
        },
    );
    let warnings = text
        .lines()
        .filter(|l| l.contains(" WARN ") && l.contains("storage unavailable"))
        .count();
    assert_eq!(warnings, 1, "one warning for the outage:\n{text}");
    runtime().block_on(fixture.clean_up());
}
