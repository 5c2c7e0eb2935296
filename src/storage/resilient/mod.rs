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
use std::sync::atomic::{AtomicU64, Ordering};
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

mod health;
mod shared;

use health::{Health, Op};
use shared::writer;

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
                    Ok(Err(e)) => storage.shared.health.failed(Op::Read, &e),
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
                self.shared.health.failed(Op::Read, &e);
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
            Err(e) => self.shared.health.failed(Op::Read, e),
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
            Err(e) => self.shared.health.failed(Op::Write, e),
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
            Err(e) => self.shared.health.failed(Op::Write, e),
        }
        forgotten
    }
}
