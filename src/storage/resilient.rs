//! [`Storage`]: what the bot holds. It wraps a [`Store`] so that the database going away
//! never stops answers.
//!
//! The contract, for the Discord handler:
//!
//! - [`Storage::settings`] never fails and never waits long: a server's settings come from a
//!   cache kept for [`Policy::settings_ttl`] ([`SETTINGS_TTL`] by default), else from the
//!   store (given [`READ_TIMEOUT`]), else from the last known value, else from the config's
//!   defaults.
//! - `record_*` and `log_*` never wait for the store: records go to a bounded queue that one
//!   task writes in batches. A failed batch is retried up to [`MAX_WRITE_ATTEMPTS`] times
//!   with growing pauses, then dropped and counted; when the queue is full, new records are
//!   dropped and counted.
//! - An outage logs exactly one warning when it starts and one info line (with how long it
//!   lasted and how many records were dropped) when the store answers again: a write if
//!   writes failed (a full disk can still answer reads), else any call. While it lasts, reads
//!   do not touch the store; the writer retries its batch, or checks the store every
//!   [`PROBE_EVERY`] when it has nothing to write. A store too slow for the load fills the
//!   queue: that logs one warning until the queue drains.
//! - The unanswered-question log is written only for servers whose settings say so, and
//!   never for direct messages.
//! - At shutdown, await [`Storage::flush`] (under a timeout) so queued records are written.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tracing::instrument::WithSubscriber as _;

use super::{
    Feedback, Forgotten, GuildSettings, Pick, Purged, Record, Retention, Served, Settings, Store,
    Timestamp, Unanswered,
};
use crate::config::{Config, StorageLocation};
use crate::error::{Error, Result};

/// How long a server's settings are served from the cache before being read again: a
/// `/settings` change made by another process shows within this, and a busy server costs one
/// read per half minute.
pub const SETTINGS_TTL: Duration = Duration::from_secs(30);

/// How long a settings read may take before the cached value or the defaults are used: well
/// inside the 3 s Discord gives the bot to answer.
pub const READ_TIMEOUT: Duration = Duration::from_millis(300);

/// How long one batch write may take before it counts as failed.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// Attempts per batch before it is dropped: with [`backoff`] the last one comes about 11 s
/// after the first, which rides out a database restart.
pub const MAX_WRITE_ATTEMPTS: u32 = 8;

/// Records waiting to be written, at most: minutes of a busy bot's writes, a few megabytes.
pub const QUEUE_CAPACITY: usize = 10_000;

/// Records written in one batch (one transaction or statement), at most.
pub const MAX_BATCH: usize = 256;

/// How often the writer checks a store that is down, when it has nothing to write.
pub const PROBE_EVERY: Duration = Duration::from_secs(2);

/// How often expired rows are purged: retention is in days, so hourly is prompt enough.
pub const PURGE_EVERY: Duration = Duration::from_secs(3_600);

/// The pause after failed attempt `attempt` (1-based): 100 ms doubling, at most 5 s.
pub fn backoff(attempt: u32) -> Duration {
    let ms = 100u64.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    Duration::from_millis(ms.min(5_000))
}

/// What a [`Storage`] needs besides its store: the defaults and the retention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Settings for direct messages and for servers that have not chosen.
    pub defaults: Settings,
    /// How long logged rows and feedback are kept.
    pub retention: Retention,
    /// How long a server's settings are served from the cache before being read again.
    pub settings_ttl: Duration,
    /// How often to purge expired rows; `None` leaves it to [`Storage::purge_expired`].
    pub purge_every: Option<Duration>,
}

impl Policy {
    /// The policy the config sets, purging every [`PURGE_EVERY`] (first at start).
    pub fn from_config(config: &Config) -> Policy {
        Policy {
            defaults: Settings::from_config(config),
            retention: Retention::from_config(config),
            settings_ttl: SETTINGS_TTL,
            purge_every: Some(PURGE_EVERY),
        }
    }
}

/// Counts of records since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Records written to the store.
    pub written: u64,
    /// Records dropped (retries used up, or the queue was full).
    pub dropped: u64,
}

/// The bot's storage: a [`Store`] behind a settings cache and a write queue. Cheap to clone;
/// every clone shares the cache and the queue.
#[derive(Clone)]
pub struct Storage {
    shared: Arc<Shared>,
    queue: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({})", self.shared.store.describe())
    }
}

struct Shared {
    store: Arc<dyn Store>,
    policy: Policy,
    cache: Mutex<HashMap<u64, Cached>>,
    health: Health,
    written: AtomicU64,
    dropped: AtomicU64,
}

struct Cached {
    settings: Option<GuildSettings>,
    fetched: Instant,
}

enum Job {
    Write(Record),
    Flush(oneshot::Sender<()>),
}

impl Storage {
    /// Opens the store the config names (`config_dir` is the config file's folder, for a
    /// relative SQLite path) and wraps it. Must be called inside a Tokio runtime.
    ///
    /// An SQLite file that cannot be opened is an error (a setup problem to fix). A PostgreSQL
    /// server that is down is not: the bot starts with the config's defaults, logs the
    /// outage, and connects and migrates when the server answers.
    pub async fn open(config: &Config, config_dir: &std::path::Path) -> Result<Storage> {
        let policy = Policy::from_config(config);
        match config.storage.location(config_dir)? {
            location @ StorageLocation::Sqlite(_) => {
                Storage::new(super::open(&location).await?, policy)
            }
            StorageLocation::Postgres(url) => {
                let store = Arc::new(super::PostgresStore::lazy(&url)?);
                let first = tokio::time::timeout(WRITE_TIMEOUT, store.ping()).await;
                let storage = Storage::new(store, policy)?;
                match first {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => storage.shared.health.down(Op::Read, &e.to_string()),
                    Err(_) => storage.shared.health.down(Op::Read, "connecting timed out"),
                }
                Ok(storage)
            }
        }
    }

    /// Wraps `store` and starts its writer task. Must be called inside a Tokio runtime.
    pub fn new(store: Arc<dyn Store>, policy: Policy) -> Result<Storage> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| Error::Storage {
            store: store.describe(),
            message: "storage must be started inside a Tokio runtime".into(),
        })?;
        let (queue, jobs) = mpsc::channel(QUEUE_CAPACITY);
        let shared = Arc::new(Shared {
            health: Health::new(store.describe()),
            store,
            policy,
            cache: Mutex::new(HashMap::new()),
            written: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        });
        // The writer logs through whatever subscriber the caller has (a test's, the bot's).
        runtime.spawn(writer(Arc::clone(&shared), jobs).with_current_subscriber());
        Ok(Storage { shared, queue })
    }

    /// The store underneath, for what the wrapper does not cover (reports).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.shared.store
    }

    /// The settings for direct messages and servers that have not chosen.
    pub fn defaults(&self) -> &Settings {
        &self.shared.policy.defaults
    }

    /// Returns true if and only if the store is not in an outage.
    pub fn is_available(&self) -> bool {
        !self.shared.health.is_down()
    }

    /// Records written and dropped since start.
    pub fn stats(&self) -> WriteStats {
        WriteStats {
            written: self.shared.written.load(Ordering::Relaxed),
            dropped: self.shared.dropped.load(Ordering::Relaxed),
        }
    }

    /// The settings in force in a server (`None`: a direct message, which gets the defaults).
    /// Never fails: see the module's contract.
    pub async fn settings(&self, guild_id: Option<u64>) -> Settings {
        let Some(guild_id) = guild_id else {
            return self.shared.policy.defaults.clone();
        };
        let stored = self.cached_guild_settings(guild_id).await;
        self.shared.policy.defaults.merged(stored.as_ref())
    }

    /// A server's stored choices from the cache or the store, or the last known ones.
    async fn cached_guild_settings(&self, guild_id: u64) -> Option<GuildSettings> {
        let stale = {
            let cache = self.shared.lock_cache();
            match cache.get(&guild_id) {
                Some(c) if c.fetched.elapsed() < self.shared.policy.settings_ttl => {
                    return c.settings.clone()
                }
                Some(c) => Some(c.settings.clone()),
                None => None,
            }
        };
        if self.shared.health.is_down() {
            return stale.flatten();
        }
        let read =
            tokio::time::timeout(READ_TIMEOUT, self.shared.store.guild_settings(guild_id)).await;
        match read {
            Ok(Ok(settings)) => {
                self.shared.health.up(Op::Read);
                self.shared.cache_settings(guild_id, settings.clone());
                settings
            }
            Ok(Err(e)) => {
                self.shared.health.down(Op::Read, &e.to_string());
                stale.flatten()
            }
            Err(_) => {
                self.shared
                    .health
                    .down(Op::Read, "reading settings timed out");
                stale.flatten()
            }
        }
    }

    /// A server's stored choices read from the store now (for showing them in `/settings`);
    /// an error when the store cannot be read.
    pub async fn guild_settings(&self, guild_id: u64) -> Result<Option<GuildSettings>> {
        let read = self.shared.store.guild_settings(guild_id).await;
        match &read {
            Ok(settings) => {
                self.shared.health.up(Op::Read);
                self.shared.cache_settings(guild_id, settings.clone());
            }
            Err(e) => self.shared.health.down(Op::Read, &e.to_string()),
        }
        read
    }

    /// Saves a server's choices (for `/settings`); an error when the store cannot be written,
    /// so the moderator can be told.
    pub async fn set_guild_settings(&self, guild_id: u64, settings: GuildSettings) -> Result<()> {
        let write = self
            .shared
            .store
            .set_guild_settings(guild_id, &settings, Timestamp::now())
            .await;
        match &write {
            Ok(()) => {
                self.shared.health.up(Op::Write);
                self.shared.cache_settings(guild_id, Some(settings));
            }
            Err(e) => self.shared.health.down(Op::Write, &e.to_string()),
        }
        write
    }

    /// Queues a feedback press. Returns false if it was dropped (the queue is full).
    pub fn record_feedback(&self, feedback: Feedback) -> bool {
        self.enqueue(Record::Feedback(feedback))
    }

    /// Queues one answer served from `entry_id`. Returns false if it was dropped.
    pub fn record_served(&self, entry_id: &str, guild_id: Option<u64>) -> bool {
        self.enqueue(Record::Served(Served {
            entry_id: entry_id.to_string(),
            guild_id,
            at: Timestamp::now(),
        }))
    }

    /// Queues a question that got no answer, if and only if the server has the log on.
    /// Returns true if and only if it was queued (never for direct messages).
    pub async fn log_unanswered(&self, guild_id: Option<u64>, question: &str) -> bool {
        let Some(guild_id) = guild_id else {
            return false;
        };
        if !self.settings(Some(guild_id)).await.unanswered_log {
            return false;
        }
        self.enqueue(Record::Unanswered(Unanswered {
            guild_id,
            question: question.to_string(),
            at: Timestamp::now(),
        }))
    }

    /// Queues a "did you mean" pick, if and only if the server has the log on. Returns true
    /// if and only if it was queued (never for direct messages).
    pub async fn log_pick(&self, guild_id: Option<u64>, question: &str, entry_id: &str) -> bool {
        let Some(guild_id) = guild_id else {
            return false;
        };
        if !self.settings(Some(guild_id)).await.unanswered_log {
            return false;
        }
        self.enqueue(Record::Pick(Pick {
            guild_id,
            question: question.to_string(),
            entry_id: entry_id.to_string(),
            at: Timestamp::now(),
        }))
    }

    /// Queues any record as it is (the caller has checked the server's settings).
    pub fn record(&self, record: Record) -> bool {
        self.enqueue(record)
    }

    fn enqueue(&self, record: Record) -> bool {
        match self.queue.try_send(Job::Write(record)) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.shared.health.overflowing(QUEUE_CAPACITY);
                self.shared.note_dropped(1);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.shared.note_dropped(1);
                false
            }
        }
    }

    /// Waits until every record queued before this call has been written or dropped.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.queue.send(Job::Flush(done)).await.is_ok() {
            // An error only means the writer stopped, and so has nothing left to write.
            let _ = wait.await;
        }
    }

    /// Deletes expired logged questions, picks and feedback now (the writer also does this
    /// every [`Policy::purge_every`]).
    pub async fn purge_expired(&self, now: Timestamp) -> Result<Purged> {
        self.shared.purge(now).await
    }

    /// Deletes everything that names the server (when the bot leaves it, or on request),
    /// after writing what is queued so nothing lands afterwards.
    pub async fn forget_guild(&self, guild_id: u64) -> Result<Forgotten> {
        self.flush().await;
        let forgotten = self.shared.store.forget_guild(guild_id).await;
        self.shared.lock_cache().remove(&guild_id);
        match &forgotten {
            Ok(_) => self.shared.health.up(Op::Write),
            Err(e) => self.shared.health.down(Op::Write, &e.to_string()),
        }
        forgotten
    }
}

impl Shared {
    fn lock_cache(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Cached>> {
        // The map is only ever replaced whole under the lock, so a panic elsewhere cannot
        // leave it half-updated: keep using it.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cache_settings(&self, guild_id: u64, settings: Option<GuildSettings>) {
        self.lock_cache().insert(
            guild_id,
            Cached {
                settings,
                fetched: Instant::now(),
            },
        );
    }

    fn note_dropped(&self, n: u64) {
        self.dropped.fetch_add(n, Ordering::Relaxed);
        self.health.add_dropped(n);
    }

    async fn purge(&self, now: Timestamp) -> Result<Purged> {
        let purged = self.store.purge_expired(now, self.policy.retention).await;
        match &purged {
            Ok(p) => {
                self.health.up(Op::Write);
                if p.unanswered + p.picks + p.feedback > 0 {
                    tracing::info!(
                        unanswered = p.unanswered,
                        picks = p.picks,
                        feedback = p.feedback,
                        "storage: expired rows deleted"
                    );
                }
            }
            Err(e) => self.health.down(Op::Write, &e.to_string()),
        }
        purged
    }

    /// Writes a batch, retrying with [`backoff`]; drops it after [`MAX_WRITE_ATTEMPTS`].
    async fn write(&self, batch: &[Record]) {
        for attempt in 1..=MAX_WRITE_ATTEMPTS {
            match tokio::time::timeout(WRITE_TIMEOUT, self.store.record(batch)).await {
                Ok(Ok(())) => {
                    self.health.up(Op::Write);
                    self.written
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    return;
                }
                Ok(Err(e)) => self.health.down(Op::Write, &e.to_string()),
                Err(_) => self.health.down(Op::Write, "writing timed out"),
            }
            if attempt < MAX_WRITE_ATTEMPTS {
                tokio::time::sleep(backoff(attempt)).await;
            }
        }
        tracing::debug!(
            records = batch.len(),
            "storage: batch dropped after retries"
        );
        self.note_dropped(batch.len() as u64);
    }
}

/// The writer task: batches queued records, purges on schedule, probes a store that is down.
async fn writer(shared: Arc<Shared>, mut jobs: mpsc::Receiver<Job>) {
    let far = || Instant::now() + Duration::from_secs(86_400 * 365);
    let mut next_purge = shared.policy.purge_every.map(|_| Instant::now());
    loop {
        let down = shared.health.is_down();
        tokio::select! {
            biased;
            () = tokio::time::sleep_until(next_purge.unwrap_or_else(far)), if next_purge.is_some() => {
                // A failed purge is logged by the health check and tried again next time.
                let _ = shared.purge(Timestamp::now()).await;
                next_purge = shared.policy.purge_every.map(|every| Instant::now() + every);
            }
            job = jobs.recv() => {
                let Some(job) = job else { break };
                let first = match job {
                    Job::Flush(done) => {
                        let _ = done.send(());
                        continue;
                    }
                    Job::Write(record) => record,
                };
                let mut batch = vec![first];
                let mut flushed = None;
                while batch.len() < MAX_BATCH {
                    match jobs.try_recv() {
                        Ok(Job::Write(record)) => batch.push(record),
                        // Records after a flush wait for the next batch, so the flush
                        // answers exactly when what came before it is done.
                        Ok(Job::Flush(done)) => {
                            flushed = Some(done);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                shared.write(&batch).await;
                if jobs.len() < QUEUE_CAPACITY / 2 {
                    shared.health.drained();
                }
                if let Some(done) = flushed {
                    let _ = done.send(());
                }
            }
            () = tokio::time::sleep(PROBE_EVERY), if down => {
                match tokio::time::timeout(WRITE_TIMEOUT, shared.store.ping()).await {
                    Ok(Ok(())) => shared.health.up(Op::Read),
                    Ok(Err(e)) => shared.health.down(Op::Read, &e.to_string()),
                    Err(_) => shared.health.down(Op::Read, "checking the store timed out"),
                }
            }
        }
    }
}

/// What kind of call succeeded or failed: a store whose writes fail (a full disk) can still
/// answer reads, so only a write ends an outage in which writes failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Read,
    Write,
}

/// Whether the store is up, and the one-line-per-outage logging.
struct Health {
    store: String,
    down: AtomicBool,
    outage: Mutex<Outage>,
}

#[derive(Default)]
struct Outage {
    since: Option<Instant>,
    writes_failed: bool,
    dropped: u64,
    /// The queue filled up while the store was working (too slow for the load).
    overflow_dropped: Option<u64>,
}

impl Health {
    fn new(store: String) -> Health {
        Health {
            store,
            down: AtomicBool::new(false),
            outage: Mutex::new(Outage::default()),
        }
    }

    fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Outage> {
        // Plain fields, each written in one step: a panic cannot leave them inconsistent.
        self.outage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes a failure; the first one of an outage logs the one warning.
    fn down(&self, op: Op, reason: &str) {
        let mut outage = self.lock();
        outage.writes_failed |= op == Op::Write;
        if outage.since.is_none() {
            outage.since = Some(Instant::now());
            outage.dropped = 0;
            self.down.store(true, Ordering::Release);
            tracing::warn!(
                store = %self.store,
                error = %reason,
                "storage unavailable: answers go on with cached or default settings; writes \
                 are queued and retried, and dropped if it lasts"
            );
        }
    }

    /// Notes a success; the first one that shows the outage is over logs that it ended.
    fn up(&self, op: Op) {
        if !self.is_down() {
            return;
        }
        let mut outage = self.lock();
        if outage.writes_failed && op == Op::Read {
            return;
        }
        if let Some(since) = outage.since.take() {
            outage.writes_failed = false;
            self.down.store(false, Ordering::Release);
            tracing::info!(
                store = %self.store,
                seconds = since.elapsed().as_secs(),
                dropped = outage.dropped,
                "storage available again"
            );
        }
    }

    /// Notes that the write queue is full; the first time until it drains logs one warning
    /// (during an outage the outage's warning says it all).
    fn overflowing(&self, capacity: usize) {
        let mut outage = self.lock();
        if outage.overflow_dropped.is_none() {
            outage.overflow_dropped = Some(0);
            if outage.since.is_none() {
                tracing::warn!(
                    store = %self.store,
                    capacity,
                    "storage is too slow for the load: the write queue is full, and new \
                     records are dropped until it drains"
                );
            }
        }
    }

    /// Notes that the write queue has room again, logging how many records the overflow cost.
    fn drained(&self) {
        let mut outage = self.lock();
        if let Some(dropped) = outage.overflow_dropped.take() {
            if outage.since.is_none() {
                tracing::info!(store = %self.store, dropped, "storage write queue drained");
            }
        }
    }

    fn add_dropped(&self, n: u64) {
        let mut outage = self.lock();
        outage.dropped += n;
        if let Some(d) = outage.overflow_dropped.as_mut() {
            *d += n;
        }
    }
}
