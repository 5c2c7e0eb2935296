//! The community tools on PostgreSQL, end to end: two bots (as two processes would run),
//! each with half the shards, share server settings through one database; and the database
//! going away while the bot serves never stops answers, and the bot recovers when it
//! returns. Skipped (with a notice) unless `MEDFAQ_TEST_POSTGRES_URL` is set — `.ci/run`
//! sets it, and under `CI=true` a missing server fails instead.

use std::sync::PoisonError;
use std::time::{Duration, Instant};

use medfaq::config::{Config, StorageLocation};
use medfaq::discord::community::ID_HELPFUL;
use medfaq::storage::FeedbackCounts;
use serde_json::Value;

use crate::discord_community::{bool_option, custom_ids, emergency_question, shown, string_option};
use crate::discord_shared::{assert_private, confident, MEMBER};
use crate::standin::live::{self, Live, Tweak, WAIT};
use crate::standin::payloads::{self, Place};
use crate::storage::{required_env, runtime, Backend, Fixture, POSTGRES_SERVER};
use crate::storage_outage::server_command;

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
    let id: u64 = payload["id"].as_str().unwrap().parse().unwrap();
    bot.standin.dispatch("INTERACTION_CREATE", payload);
    bot.standin.callback_for(id, WAIT).await.body
}

async fn ask(bot: &Live, guild: u64, question: &str) -> Value {
    let id = bot.standin.next_id();
    interact(bot, payloads::ask(id, MEMBER, place(guild), question, None)).await
}

async fn settings(bot: &Live, guild: u64, sub: &str, options: Vec<Value>) -> Value {
    let id = bot.standin.next_id();
    interact(
        bot,
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

#[test]
fn community_postgres_outage_keeps_answers_and_recovers() {
    const TEST: &str = "community_postgres_outage_keeps_answers_and_recovers";
    let Some(stop) = required_env("MEDFAQ_TEST_POSTGRES_STOP", TEST) else {
        return;
    };
    let Some(start) = required_env("MEDFAQ_TEST_POSTGRES_START", TEST) else {
        return;
    };
    // Alone on the server: the other PostgreSQL tests would fail while it is stopped.
    let _server = POSTGRES_SERVER
        .write()
        .unwrap_or_else(PoisonError::into_inner);
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
