//! The database going away never stops answers: settings come from the cache or the config's
//! defaults, writes are retried and land when the store returns (or are dropped after a
//! bounded number of attempts), and each outage logs exactly one warning.
//!
//! Against a store that fails on command, and against a real PostgreSQL server stopped and
//! started again mid-test (`MEDFAQ_TEST_POSTGRES_STOP` and `MEDFAQ_TEST_POSTGRES_START` are
//! shell commands that do it; `.ci/run` sets them).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLockWriteGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use medfaq::config::Config;
use medfaq::storage::{
    Feedback, FeedbackOutcome, Forgotten, GuildSettings, Policy, Purged, Record, ReportRows,
    Retention, Storage, Store, Timestamp, MAX_WRITE_ATTEMPTS, QUEUE_CAPACITY,
};
use medfaq::Error;

use crate::storage::{
    pause, required_env, runtime, Backend, Fixture, Logs, GUILD_A, GUILD_B, POSTGRES_SERVER,
};

/// A store that fails every call while `failing` is set; otherwise it passes calls to
/// `inner`, or (with no inner store) counts writes and reads nothing.
struct Flaky {
    inner: Option<Arc<dyn Store>>,
    failing: AtomicBool,
    failing_writes: AtomicBool,
    written: AtomicU64,
}

impl Flaky {
    fn new(inner: Option<Arc<dyn Store>>) -> Arc<Flaky> {
        Arc::new(Flaky {
            inner,
            failing: AtomicBool::new(false),
            failing_writes: AtomicBool::new(false),
            written: AtomicU64::new(0),
        })
    }

    fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// Writes fail, reads work: a full disk.
    fn fail_writes(&self, failing: bool) {
        self.failing_writes.store(failing, Ordering::SeqCst);
    }

    fn check_write(&self) -> medfaq::Result<Option<&Arc<dyn Store>>> {
        if self.failing_writes.load(Ordering::SeqCst) {
            return Err(Error::Storage {
                store: "flaky".into(),
                message: "disk full (the test filled it)".into(),
            });
        }
        self.check()
    }

    fn check(&self) -> medfaq::Result<Option<&Arc<dyn Store>>> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(Error::Storage {
                store: "flaky".into(),
                message: "connection refused (the test turned it off)".into(),
            });
        }
        Ok(self.inner.as_ref())
    }
}

#[async_trait]
impl Store for Flaky {
    fn describe(&self) -> String {
        "flaky".into()
    }
    async fn guild_settings(&self, guild_id: u64) -> medfaq::Result<Option<GuildSettings>> {
        match self.check()? {
            Some(s) => s.guild_settings(guild_id).await,
            None => Ok(None),
        }
    }
    async fn set_guild_settings(
        &self,
        guild_id: u64,
        settings: &GuildSettings,
        at: Timestamp,
    ) -> medfaq::Result<()> {
        match self.check_write()? {
            Some(s) => s.set_guild_settings(guild_id, settings, at).await,
            None => Ok(()),
        }
    }
    async fn record(&self, records: &[Record]) -> medfaq::Result<()> {
        if let Some(s) = self.check_write()? {
            s.record(records).await?;
        }
        self.written
            .fetch_add(records.len() as u64, Ordering::SeqCst);
        Ok(())
    }
    async fn purge_expired(&self, now: Timestamp, r: Retention) -> medfaq::Result<Purged> {
        match self.check_write()? {
            Some(s) => s.purge_expired(now, r).await,
            None => Ok(Purged::default()),
        }
    }
    async fn forget_guild(&self, guild_id: u64) -> medfaq::Result<Forgotten> {
        match self.check_write()? {
            Some(s) => s.forget_guild(guild_id).await,
            None => Ok(Forgotten::default()),
        }
    }
    async fn report_rows(&self, since: Option<Timestamp>) -> medfaq::Result<ReportRows> {
        match self.check()? {
            Some(s) => s.report_rows(since).await,
            None => Ok(ReportRows::default()),
        }
    }
    async fn schema_version(&self) -> medfaq::Result<u32> {
        match self.check()? {
            Some(s) => s.schema_version().await,
            None => Ok(medfaq::storage::SCHEMA_VERSION),
        }
    }
    async fn ping(&self) -> medfaq::Result<()> {
        match self.check()? {
            Some(s) => s.ping().await,
            None => Ok(()),
        }
    }
}

/// Settings re-read on every question, so an outage is noticed at once.
fn policy() -> Policy {
    Policy {
        settings_ttl: Duration::ZERO,
        purge_every: None,
        ..Policy::from_config(&Config::default())
    }
}

fn press(guild: Option<u64>) -> Feedback {
    Feedback {
        entry_id: Some("naltrexone-opioid-pain-medicines".into()),
        outcome: FeedbackOutcome::Helpful,
        region: Some("US".into()),
        guild_id: guild,
        at: Timestamp::now(),
    }
}

/// A member's words that must never reach a log line.
const SECRET: &str = "zebracorn question about my dose";

/// Checks the outage's log: one warning, one recovery line, no member words or guild ids.
#[track_caller]
fn assert_one_warning_per_outage(logs: &Logs, outages: usize) {
    let warnings = logs.at(" WARN ");
    assert_eq!(
        warnings.len(),
        outages,
        "exactly one warning per outage: {warnings:#?}"
    );
    assert!(warnings.iter().all(|w| w.contains("storage unavailable")));
    let back: Vec<String> = logs
        .lines()
        .into_iter()
        .filter(|l| l.contains("storage available again"))
        .collect();
    assert_eq!(
        back.len(),
        outages,
        "one line when each outage ends: {back:#?}"
    );
    for line in logs.lines() {
        assert!(
            !line.contains("zebracorn"),
            "member words in a log line: {line}"
        );
        assert!(
            !line.contains(&GUILD_A.to_string()),
            "a guild id in a log line: {line}"
        );
    }
}

#[test]
fn outage_serves_last_known_settings_and_writes_land_on_recovery() {
    let (logs, _log) = Logs::capture();
    runtime().block_on(async {
        let fx = Fixture::new(Backend::Sqlite, "outage").await.unwrap();
        let flaky = Flaky::new(Some(fx.open().await));
        let storage = Storage::new(flaky.clone(), policy()).unwrap();
        let opted_in = GuildSettings {
            region: Some("UK".into()),
            unanswered_log: Some(true),
            ..GuildSettings::default()
        };
        storage.set_guild_settings(GUILD_A, opted_in).await.unwrap();
        assert_eq!(
            storage.settings(Some(GUILD_A)).await.region.as_deref(),
            Some("UK")
        );

        for outage in 1..=2 {
            flaky.fail(true);
            let start = Instant::now();
            let known = storage.settings(Some(GUILD_A)).await;
            assert_eq!(known.region.as_deref(), Some("UK"), "last known settings");
            assert!(known.unanswered_log);
            assert_eq!(
                storage.settings(Some(GUILD_B)).await,
                *storage.defaults(),
                "a server never read gets the config's defaults"
            );
            assert!(
                start.elapsed() < Duration::from_millis(500),
                "reads do not wait"
            );
            assert!(!storage.is_available());
            assert!(storage
                .set_guild_settings(GUILD_B, GuildSettings::default())
                .await
                .is_err());
            for _ in 0..10 {
                assert!(storage.record_feedback(press(Some(GUILD_A))));
            }
            assert!(storage.log_unanswered(Some(GUILD_A), SECRET).await);
            pause(400).await;
            flaky.fail(false);
            storage.flush().await;
            assert!(storage.is_available());
            assert_eq!(storage.stats().dropped, 0);
            let rows = storage.store().report_rows(None).await.unwrap();
            let counts = &rows.feedback[&Some("naltrexone-opioid-pain-medicines".to_string())];
            assert_eq!(
                counts.helpful,
                10 * outage,
                "every press lands after the outage"
            );
            assert_eq!(rows.unanswered.len(), outage as usize);
        }
        fx.clean_up().await;
    });
    assert_one_warning_per_outage(&logs, 2);
}

/// A runtime on paused time: pauses pass at once (for stores that never block a thread).
fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
}

#[test]
fn writes_are_dropped_after_bounded_retries_and_the_drop_is_reported() {
    let (logs, _log) = Logs::capture();
    paused_runtime().block_on(async {
        let flaky = Flaky::new(None);
        flaky.fail(true);
        let storage = Storage::new(flaky.clone(), policy()).unwrap();
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            storage.record_feedback(press(None));
        }
        storage.flush().await;
        let waited = start.elapsed();
        assert_eq!(storage.stats().dropped, 3);
        assert_eq!(storage.stats().written, 0);
        assert!(
            waited < Duration::from_secs(30),
            "{MAX_WRITE_ATTEMPTS} attempts, then dropped: {waited:?}"
        );
        flaky.fail(false);
        // Writes failed, so it takes a write (not the writer's check) to end the outage.
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!storage.is_available());
        storage.record_feedback(press(None));
        storage.flush().await;
        assert!(storage.is_available());
        assert_eq!(flaky.written.load(Ordering::SeqCst), 1);
    });
    assert_one_warning_per_outage(&logs, 1);
    let back = logs
        .lines()
        .into_iter()
        .find(|l| l.contains("storage available again"))
        .unwrap();
    assert!(back.contains("dropped=3"), "{back}");
}

/// The prologue of a PostgreSQL outage test: the commands that stop and start the test
/// server (MEDFAQ_TEST_POSTGRES_STOP and MEDFAQ_TEST_POSTGRES_START), and the server taken
/// alone for as long as the guard lives; `None` when the test is to be skipped.
pub fn take_server_for_outage(
    test: &str,
) -> Option<(String, String, RwLockWriteGuard<'static, ()>)> {
    let stop = required_env("MEDFAQ_TEST_POSTGRES_STOP", test)?;
    let start = required_env("MEDFAQ_TEST_POSTGRES_START", test)?;
    let server = POSTGRES_SERVER
        .write()
        .unwrap_or_else(PoisonError::into_inner);
    Some((stop, start, server))
}

/// Runs a shell command that stops or starts the test server.
pub fn server_command(command: &str) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .status()
        .unwrap_or_else(|e| panic!("could not run {command:?}: {e}"));
    assert!(status.success(), "{command:?} failed: {status}");
}

#[test]
fn postgres_outage_keeps_answers_and_recovers_when_the_server_returns() {
    const TEST: &str = "postgres_outage_keeps_answers_and_recovers_when_the_server_returns";
    // Alone on the server: the other PostgreSQL tests would fail while it is stopped.
    let Some((stop, start, _server)) = take_server_for_outage(TEST) else {
        return;
    };
    let (logs, _log) = Logs::capture();
    runtime().block_on(async {
        let Some(fx) = Fixture::new(Backend::Postgres, TEST).await else {
            return;
        };
        let store = fx.open().await;
        let storage = Storage::new(Arc::clone(&store), policy()).unwrap();
        let opted_in = GuildSettings {
            region: Some("AU".into()),
            unanswered_log: Some(true),
            ..GuildSettings::default()
        };
        storage.set_guild_settings(GUILD_A, opted_in).await.unwrap();
        for _ in 0..20 {
            storage.record_feedback(press(Some(GUILD_A)));
        }
        storage.flush().await;
        assert_eq!(storage.stats().written, 20);

        let stop = stop.clone();
        tokio::task::spawn_blocking(move || server_command(&stop))
            .await
            .unwrap();
        let down_at = Instant::now();
        let known = storage.settings(Some(GUILD_A)).await;
        assert_eq!(known.region.as_deref(), Some("AU"), "last known settings");
        assert_eq!(storage.settings(Some(GUILD_B)).await, *storage.defaults());
        assert!(storage.settings(None).await == *storage.defaults());
        assert!(
            down_at.elapsed() < Duration::from_secs(1),
            "reads do not wait for a server that is down"
        );
        assert!(storage
            .set_guild_settings(GUILD_B, GuildSettings::default())
            .await
            .is_err());
        for _ in 0..30 {
            assert!(storage.record_feedback(press(Some(GUILD_A))));
            pause(20).await;
        }
        assert!(storage.log_unanswered(Some(GUILD_A), SECRET).await);
        assert!(!storage.is_available());

        tokio::task::spawn_blocking(move || server_command(&start))
            .await
            .unwrap();
        storage.flush().await;
        assert_eq!(storage.stats().dropped, 0, "nothing lost in a short outage");
        assert_eq!(storage.stats().written, 51);
        assert!(storage.is_available());
        let rows = store.report_rows(None).await.unwrap();
        assert_eq!(
            rows.feedback[&Some("naltrexone-opioid-pain-medicines".to_string())].helpful,
            50
        );
        assert_eq!(rows.unanswered, [SECRET]);
        assert_eq!(
            storage.settings(Some(GUILD_A)).await.region.as_deref(),
            Some("AU")
        );
        fx.clean_up().await;
    });
    assert_one_warning_per_outage(&logs, 1);
}

#[test]
fn a_store_that_reads_but_cannot_write_is_one_outage_not_a_warning_per_write() {
    let (logs, _log) = Logs::capture();
    paused_runtime().block_on(async {
        let flaky = Flaky::new(None);
        flaky.fail_writes(true);
        let storage = Storage::new(flaky.clone(), policy()).unwrap();
        for round in 1..=3 {
            storage.record_feedback(press(Some(GUILD_A)));
            storage.flush().await;
            assert_eq!(storage.stats().dropped, round);
            // Reads (and the writer's checks) work meanwhile; the outage goes on.
            tokio::time::sleep(Duration::from_secs(10)).await;
            assert!(!storage.is_available());
        }
        flaky.fail_writes(false);
        storage.record_feedback(press(Some(GUILD_A)));
        storage.flush().await;
        assert!(storage.is_available());
        assert_eq!(storage.stats().written, 1);
    });
    assert_one_warning_per_outage(&logs, 1);
}

#[test]
fn a_full_queue_drops_new_records_with_one_warning_until_it_drains() {
    let (logs, _log) = Logs::capture();
    paused_runtime().block_on(async {
        let flaky = Flaky::new(None);
        let storage = Storage::new(flaky.clone(), policy()).unwrap();
        // The writer gets no turn until the loop ends: the queue fills.
        let extra = 25;
        let accepted = (0..QUEUE_CAPACITY + extra)
            .filter(|_| storage.record_served("e", None))
            .count();
        assert_eq!(accepted, QUEUE_CAPACITY);
        storage.flush().await;
        assert_eq!(storage.stats().written, QUEUE_CAPACITY as u64);
        assert_eq!(storage.stats().dropped, extra as u64);
        assert!(storage.record_served("e", None));
        storage.flush().await;
        assert!(storage.is_available(), "a slow store is not an outage");
    });
    let warnings = logs.at(" WARN ");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].contains("write queue is full"), "{warnings:#?}");
    let drained: Vec<String> = logs
        .lines()
        .into_iter()
        .filter(|l| l.contains("storage write queue drained"))
        .collect();
    assert_eq!(drained.len(), 1, "{drained:#?}");
    assert!(drained[0].contains("dropped=25"), "{drained:#?}");
}

#[test]
fn the_bot_starts_while_postgres_is_down_and_sqlite_is_created_beside_the_config() {
    let (logs, _log) = Logs::capture();
    runtime().block_on(async {
        // Nothing listens on port 1.
        let mut config =
            Config::parse("[storage]\nurl = 'postgres://medfaq:s3cret@127.0.0.1:1/medfaq'\n")
                .unwrap();
        config.bot.region = Some("NZ".into());
        let here = std::path::Path::new(".");
        let start = Instant::now();
        let storage = Storage::open(&config, here).await.expect("starts anyway");
        assert!(!storage.is_available());
        assert_eq!(
            storage.settings(Some(GUILD_A)).await.region.as_deref(),
            Some("NZ")
        );
        assert!(storage.record_served("e", Some(GUILD_A)));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );

        let dir = tempfile::tempdir().unwrap();
        let config = Config::parse("[storage]\npath = 'state/medfaq.db'\n").unwrap();
        let storage = Storage::open(&config, dir.path()).await.unwrap();
        assert!(dir.path().join("state/medfaq.db").exists());
        storage.flush().await;
        assert!(storage.is_available());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("state/medfaq.db"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "members' words: owner only");
        }
    });
    let warnings = logs.at(" WARN ");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("postgres 127.0.0.1:1/medfaq"),
        "{warnings:#?}"
    );
    assert!(!logs.lines().iter().any(|l| l.contains("s3cret")));
}
