//! The storage suite, run against both backends: SQLite in a temporary folder, and
//! PostgreSQL in a fresh database on the server named by `MEDFAQ_TEST_POSTGRES_URL`.
//!
//! Without that variable the PostgreSQL half prints a notice and passes, except under
//! `CI=true`, where it fails: CI must never skip it silently. `.ci/run` starts a throwaway
//! server and sets the variable.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use medfaq::config::{Config, StorageLocation};
use medfaq::storage::{
    self, Feedback, FeedbackOutcome, GuildSettings, Pick, Policy, Record, Retention, Served,
    Settings, Storage, Store, Timestamp, Unanswered, MAX_COMMENT_CHARS, SCHEMA_VERSION,
};

/// The variable naming a PostgreSQL server the tests may create databases on.
pub const POSTGRES_URL_ENV: &str = "MEDFAQ_TEST_POSTGRES_URL";

/// Tests on the PostgreSQL server take this shared; the outage test takes it alone, since it
/// stops the server.
pub static POSTGRES_SERVER: RwLock<()> = RwLock::new(());

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file in a temporary folder.
    Sqlite,
    /// A fresh database on the test server.
    Postgres,
}

/// A value of an environment variable the PostgreSQL tests need: `None` (with a notice)
/// when unset locally, a failure when unset under `CI=true`.
pub fn required_env(name: &str, test: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Some(v),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "{name} is unset under CI=true, so {test} cannot run against PostgreSQL; .ci/run \
             starts a server and sets it"
        ),
        _ => {
            eprintln!("note: {test}: skipped on PostgreSQL because {name} is unset");
            None
        }
    }
}

/// A store location for one test, and what to clean up afterwards.
pub struct Fixture {
    /// Where the store is.
    pub location: StorageLocation,
    /// The value to pass as `--db`.
    pub db_arg: String,
    /// The temporary folder (SQLite) or the server and database name (PostgreSQL).
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl Fixture {
    /// A fresh store location on `backend`, or `None` when PostgreSQL is not configured.
    pub async fn new(backend: Backend, test: &str) -> Option<Fixture> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        match backend {
            Backend::Sqlite => {
                let path = dir.path().join("medfaq.db");
                Some(Fixture {
                    db_arg: path.display().to_string(),
                    location: StorageLocation::Sqlite(path),
                    _dir: dir,
                    postgres: None,
                })
            }
            Backend::Postgres => {
                let admin = required_env(POSTGRES_URL_ENV, test)?;
                static NEXT: AtomicU32 = AtomicU32::new(0);
                let name = format!(
                    "medfaq_test_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                admin_sql(&admin, &format!("CREATE DATABASE {name}")).await;
                let url = with_database(&admin, &name);
                Some(Fixture {
                    db_arg: url.clone(),
                    location: StorageLocation::Postgres(url),
                    _dir: dir,
                    postgres: Some((admin, name)),
                })
            }
        }
    }

    /// Opens (creating or migrating) the store.
    pub async fn open(&self) -> Arc<dyn Store> {
        storage::open(&self.location)
            .await
            .unwrap_or_else(|e| panic!("{} opens: {e}", self.location))
    }

    /// Drops the PostgreSQL database (the temporary folder goes by itself).
    pub async fn clean_up(self) {
        if let Some((admin, name)) = &self.postgres {
            admin_sql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )
            .await;
        }
    }
}

/// Runs one statement on the test server's admin database.
async fn admin_sql(admin_url: &str, sql: &str) {
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_ENV} names a server that answers: {e}"));
    tokio::spawn(connection);
    client
        .batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs an async test body on `backend` in a runtime of its own.
pub fn run<F, Fut>(backend: Backend, test: &str, body: F)
where
    F: FnOnce(Fixture) -> Fut,
    Fut: Future<Output = Option<Fixture>>,
{
    let _server = (backend == Backend::Postgres).then(|| {
        POSTGRES_SERVER
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    });
    runtime().block_on(async {
        let Some(fixture) = Fixture::new(backend, test).await else {
            return;
        };
        if let Some(fixture) = body(fixture).await {
            fixture.clean_up().await;
        }
    });
}

/// A small multi-threaded runtime, like the bot's.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

/// Declares each suite test once per backend: `storage::NAME::sqlite` and `::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::run(super::Backend::Sqlite, stringify!($name), super::suite::$name);
            }
            #[test]
            fn postgres() {
                super::run(super::Backend::Postgres, stringify!($name), super::suite::$name);
            }
        }
    )*};
}

on_both_backends!(
    settings_are_none_until_set_and_round_trip,
    feedback_is_counted_per_entry_and_outcome_without_user_ids,
    answers_served_add_up_under_concurrent_writes,
    logs_are_purged_after_each_guilds_retention,
    forget_guild_deletes_every_row_naming_the_guild,
    migrations_are_idempotent_and_safe_when_opened_at_once,
    a_batch_is_written_whole,
    storage_wrapper_logs_only_for_guilds_that_opted_in,
);

/// A Unix time `days` days before now.
pub fn days_ago(days: u32) -> Timestamp {
    Timestamp::now().days_before(days)
}

/// A feedback record.
pub fn feedback(entry: Option<&str>, outcome: FeedbackOutcome, guild: Option<u64>) -> Record {
    Record::Feedback(Feedback {
        entry_id: entry.map(str::to_string),
        outcome,
        region: Some("US".into()),
        guild_id: guild,
        at: Timestamp::now(),
    })
}

/// An answer-served record.
pub fn served(entry: &str, guild: Option<u64>, at: Timestamp) -> Record {
    Record::Served(Served {
        entry_id: entry.into(),
        guild_id: guild,
        at,
    })
}

/// An unanswered-question record.
pub fn unanswered(guild: u64, question: &str, at: Timestamp) -> Record {
    Record::Unanswered(Unanswered {
        guild_id: guild,
        question: question.into(),
        at,
    })
}

/// A "did you mean" pick record.
pub fn pick(guild: u64, question: &str, entry: &str, at: Timestamp) -> Record {
    Record::Pick(Pick {
        guild_id: guild,
        question: question.into(),
        entry_id: entry.into(),
        at,
    })
}

/// A guild id in the range Discord hands out today.
pub const GUILD_A: u64 = 1_180_000_000_000_000_001;
/// Another.
pub const GUILD_B: u64 = 1_180_000_000_000_000_002;
/// A third.
pub const GUILD_C: u64 = 1_180_000_000_000_000_003;

mod suite {
    use super::*;

    pub async fn settings_are_none_until_set_and_round_trip(fx: Fixture) -> Option<Fixture> {
        let store = fx.open().await;
        assert_eq!(store.guild_settings(GUILD_A).await.unwrap(), None);
        let full = GuildSettings {
            region: Some("UK".into()),
            answers_public: Some(true),
            answer_mentions: Some(false),
            moderator_channel_id: Some(u64::MAX - 7),
            moderator_role_id: Some(1 << 63),
            unanswered_log: Some(true),
            unanswered_retention_days: Some(14),
        };
        store
            .set_guild_settings(GUILD_A, &full, Timestamp::now())
            .await
            .unwrap();
        assert_eq!(store.guild_settings(GUILD_A).await.unwrap(), Some(full));
        assert_eq!(store.guild_settings(GUILD_B).await.unwrap(), None);

        // Saving again replaces every field, unset ones included ("back to the default").
        let partial = GuildSettings {
            unanswered_log: Some(false),
            unanswered_retention_days: Some(10_000),
            ..GuildSettings::default()
        };
        store
            .set_guild_settings(GUILD_A, &partial, Timestamp::now())
            .await
            .unwrap();
        let stored = store.guild_settings(GUILD_A).await.unwrap().unwrap();
        assert_eq!(stored.region, None);
        assert_eq!(
            stored.unanswered_retention_days,
            Some(medfaq::config::MAX_UNANSWERED_RETENTION_DAYS),
            "a retention beyond the cap is stored capped"
        );

        let mut config = Config::default();
        config.bot.region = Some("CA".into());
        let effective = Settings::from_config(&config).merged(Some(&stored));
        assert_eq!(
            effective.region.as_deref(),
            Some("CA"),
            "unset falls back to config"
        );
        assert!(!effective.unanswered_log);
        Some(fx)
    }

    pub async fn feedback_is_counted_per_entry_and_outcome_without_user_ids(
        fx: Fixture,
    ) -> Option<Fixture> {
        let store = fx.open().await;
        let entry = Some("naltrexone-opioid-pain-medicines");
        let long = format!("the dose is wrong {}", "x".repeat(MAX_COMMENT_CHARS));
        let mut records = vec![
            feedback(entry, FeedbackOutcome::Helpful, Some(GUILD_A)),
            feedback(entry, FeedbackOutcome::Helpful, None),
            feedback(entry, FeedbackOutcome::NotHelpful, Some(GUILD_A)),
            feedback(
                entry,
                FeedbackOutcome::Report {
                    comment: Some(long),
                },
                Some(GUILD_A),
            ),
            feedback(entry, FeedbackOutcome::Report { comment: None }, None),
            feedback(None, FeedbackOutcome::NotHelpful, None),
            feedback(None, FeedbackOutcome::NotHelpful, Some(GUILD_B)),
        ];
        let mut old = feedback(entry, FeedbackOutcome::Helpful, Some(GUILD_A));
        if let Record::Feedback(f) = &mut old {
            f.at = Timestamp::parse_date("2020-01-01").unwrap();
        }
        records.push(old);
        store.record(&records).await.unwrap();

        let rows = store.report_rows(None).await.unwrap();
        let counts = &rows.feedback[&entry.map(str::to_string)];
        assert_eq!(
            (counts.helpful, counts.not_helpful, counts.reports),
            (3, 1, 2)
        );
        assert_eq!(
            counts.comments.len(),
            1,
            "a report without a comment has none"
        );
        assert_eq!(counts.comments[0].chars().count(), MAX_COMMENT_CHARS);
        assert!(counts.comments[0].starts_with("the dose is wrong"));
        assert_eq!(rows.feedback[&None].not_helpful, 2);

        let recent = store
            .report_rows(Some(Timestamp::parse_date("2021-01-01").unwrap()))
            .await
            .unwrap();
        assert_eq!(recent.feedback[&entry.map(str::to_string)].helpful, 2);
        Some(fx)
    }

    pub async fn answers_served_add_up_under_concurrent_writes(fx: Fixture) -> Option<Fixture> {
        let store = fx.open().await;
        let now = Timestamp::now();
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let store = Arc::clone(&store);
            tasks.push(tokio::spawn(async move {
                for _ in 0..5 {
                    store
                        .record(&[served("entry-a", Some(GUILD_A), now)])
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        store
            .record(&[
                served("entry-a", None, now),
                served("entry-a", None, now),
                served("entry-a", Some(GUILD_B), now.days_before(1)),
                served("entry-b", Some(GUILD_A), days_ago(400)),
            ])
            .await
            .unwrap();
        let rows = store.report_rows(None).await.unwrap();
        assert_eq!(rows.served["entry-a"], 53);
        assert_eq!(rows.served["entry-b"], 1);
        let recent = store.report_rows(Some(days_ago(30))).await.unwrap();
        assert_eq!(recent.served.get("entry-b"), None);
        assert_eq!(recent.served["entry-a"], 53);
        Some(fx)
    }

    pub async fn logs_are_purged_after_each_guilds_retention(fx: Fixture) -> Option<Fixture> {
        let store = fx.open().await;
        let now = Timestamp::now();
        let week = GuildSettings {
            unanswered_log: Some(true),
            unanswered_retention_days: Some(7),
            ..GuildSettings::default()
        };
        store.set_guild_settings(GUILD_A, &week, now).await.unwrap();
        let mut records = Vec::new();
        // GUILD_A keeps 7 days, GUILD_B has no settings (the default, 30), GUILD_C keeps 60.
        store
            .set_guild_settings(
                GUILD_C,
                &GuildSettings {
                    unanswered_retention_days: Some(60),
                    ..week.clone()
                },
                now,
            )
            .await
            .unwrap();
        for guild in [GUILD_A, GUILD_B, GUILD_C] {
            for days in [1, 10, 45] {
                let at = now.days_before(days);
                records.push(unanswered(guild, &format!("asked {days} days ago"), at));
                records.push(pick(guild, &format!("picked {days} days ago"), "e", at));
            }
        }
        let mut old = feedback(Some("e"), FeedbackOutcome::Helpful, Some(GUILD_A));
        if let Record::Feedback(f) = &mut old {
            f.at = now.days_before(400);
        }
        records.push(old);
        records.push(feedback(Some("e"), FeedbackOutcome::Helpful, None));
        store.record(&records).await.unwrap();

        let retention = Retention {
            unanswered_days: 30,
            feedback_days: 365,
        };
        let purged = store.purge_expired(now, retention).await.unwrap();
        // A: 10 and 45 days go; B: 45 goes; C: nothing.
        assert_eq!(
            (purged.unanswered, purged.picks, purged.feedback),
            (3, 3, 1)
        );
        let rows = store.report_rows(None).await.unwrap();
        assert_eq!(rows.unanswered.len(), 6);
        assert_eq!(rows.picks.len(), 6);
        assert_eq!(rows.feedback[&Some("e".to_string())].helpful, 1);
        let again = store.purge_expired(now, retention).await.unwrap();
        assert_eq!((again.unanswered, again.picks, again.feedback), (0, 0, 0));
        Some(fx)
    }

    pub async fn forget_guild_deletes_every_row_naming_the_guild(fx: Fixture) -> Option<Fixture> {
        let store = fx.open().await;
        let now = Timestamp::now();
        for guild in [GUILD_A, GUILD_B] {
            store
                .set_guild_settings(guild, &GuildSettings::default(), now)
                .await
                .unwrap();
            store
                .record(&[
                    feedback(Some("e"), FeedbackOutcome::Helpful, Some(guild)),
                    feedback(None, FeedbackOutcome::NotHelpful, Some(guild)),
                    served("e", Some(guild), now),
                    served("e", Some(guild), now.days_before(1)),
                    unanswered(guild, "a question", now),
                    pick(guild, "a phrasing", "e", now),
                ])
                .await
                .unwrap();
        }
        store
            .record(&[feedback(Some("e"), FeedbackOutcome::Helpful, None)])
            .await
            .unwrap();
        let gone = store.forget_guild(GUILD_A).await.unwrap();
        assert_eq!(
            (
                gone.settings,
                gone.feedback,
                gone.served,
                gone.unanswered,
                gone.picks
            ),
            (1, 2, 2, 1, 1)
        );
        assert_eq!(store.guild_settings(GUILD_A).await.unwrap(), None);
        assert_eq!(store.forget_guild(GUILD_A).await.unwrap().total(), 0);
        let rows = store.report_rows(None).await.unwrap();
        assert_eq!(rows.unanswered.len(), 1, "the other guild's log stays");
        assert_eq!(rows.feedback[&Some("e".to_string())].helpful, 2);
        assert!(store.guild_settings(GUILD_B).await.unwrap().is_some());
        Some(fx)
    }

    pub async fn migrations_are_idempotent_and_safe_when_opened_at_once(
        fx: Fixture,
    ) -> Option<Fixture> {
        let location = Arc::new(fx.location.clone());
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let location = Arc::clone(&location);
                tokio::spawn(async move { storage::open(&location).await })
            })
            .collect();
        for open in opens {
            let store = open
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("every concurrent open succeeds: {e}"));
            assert_eq!(store.schema_version().await.unwrap(), SCHEMA_VERSION);
        }
        let store = fx.open().await;
        store
            .record(&[served("e", Some(GUILD_A), Timestamp::now())])
            .await
            .unwrap();
        drop(store);
        let reopened = fx.open().await;
        assert_eq!(reopened.schema_version().await.unwrap(), SCHEMA_VERSION);
        assert_eq!(reopened.report_rows(None).await.unwrap().served["e"], 1);
        reopened.ping().await.unwrap();
        Some(fx)
    }

    pub async fn a_batch_is_written_whole(fx: Fixture) -> Option<Fixture> {
        let store = fx.open().await;
        let now = Timestamp::now();
        let records: Vec<Record> = (0..600)
            .map(|i| match i % 4 {
                0 => feedback(Some("e"), FeedbackOutcome::Helpful, Some(GUILD_A)),
                1 => served("e", Some(GUILD_A), now),
                2 => unanswered(GUILD_A, &format!("question {i}"), now),
                _ => pick(GUILD_A, &format!("phrasing {i}"), "e", now),
            })
            .collect();
        store.record(&records).await.unwrap();
        store.record(&[]).await.unwrap();
        let rows = store.report_rows(None).await.unwrap();
        assert_eq!(rows.feedback[&Some("e".to_string())].helpful, 150);
        assert_eq!(rows.served["e"], 150);
        assert_eq!(rows.unanswered.len(), 150);
        assert_eq!(rows.picks.len(), 150);
        assert_eq!(rows.unanswered[0], "question 2", "oldest first, in order");
        Some(fx)
    }

    pub async fn storage_wrapper_logs_only_for_guilds_that_opted_in(
        fx: Fixture,
    ) -> Option<Fixture> {
        let store = fx.open().await;
        let policy = Policy {
            purge_every: None,
            ..Policy::from_config(&Config::default())
        };
        let storage = Storage::new(Arc::clone(&store), policy).unwrap();
        assert_eq!(storage.settings(None).await, *storage.defaults());
        assert_eq!(storage.settings(Some(GUILD_A)).await, *storage.defaults());
        let opt_in = GuildSettings {
            unanswered_log: Some(true),
            region: Some("IE".into()),
            ..GuildSettings::default()
        };
        storage
            .set_guild_settings(GUILD_A, opt_in.clone())
            .await
            .unwrap();
        let settings = storage.settings(Some(GUILD_A)).await;
        assert!(settings.unanswered_log);
        assert_eq!(settings.region.as_deref(), Some("IE"));
        assert_eq!(storage.guild_settings(GUILD_A).await.unwrap(), Some(opt_in));

        assert!(storage.log_unanswered(Some(GUILD_A), "is kratom ok").await);
        assert!(
            storage
                .log_pick(Some(GUILD_A), "percs on the shot", "e")
                .await
        );
        assert!(!storage.log_unanswered(Some(GUILD_B), "not opted in").await);
        assert!(!storage.log_unanswered(None, "a direct message").await);
        assert!(!storage.log_pick(None, "a direct message", "e").await);
        assert!(storage.record_served("e", Some(GUILD_B)));
        assert!(storage.record_feedback(Feedback {
            entry_id: Some("e".into()),
            outcome: FeedbackOutcome::Helpful,
            region: None,
            guild_id: None,
            at: Timestamp::now(),
        }));
        storage.flush().await;
        assert_eq!(storage.stats().written, 4);
        let rows = store.report_rows(None).await.unwrap();
        assert_eq!(rows.unanswered, ["is kratom ok"]);
        assert_eq!(rows.picks, [("percs on the shot".into(), "e".into())]);
        assert_eq!(rows.served["e"], 1);

        let gone = storage.forget_guild(GUILD_A).await.unwrap();
        assert_eq!((gone.settings, gone.unanswered, gone.picks), (1, 1, 1));
        assert!(!storage.settings(Some(GUILD_A)).await.unanswered_log);
        assert!(storage.is_available());
        Some(fx)
    }
}

/// Log lines captured in memory (the format `medfaq serve` uses).
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

impl Logs {
    /// Captures this thread's log lines (at info and above, as `medfaq serve` writes them)
    /// until the returned guard is dropped.
    pub fn capture() -> (Logs, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let guard = tracing::subscriber::set_default(medfaq::discord::logging::subscriber(
            "info",
            logs.clone(),
        ));
        (logs, guard)
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner))
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The lines at `level` (` WARN `, ` INFO `…).
    pub fn at(&self, level: &str) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter(|l| l.contains(level))
            .collect()
    }
}

/// A pause, for tests that watch the writer task.
pub async fn pause(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}
