//! What the bot keeps between questions: per-server settings, feedback, how often each answer
//! was served, and (only in servers that opted in) questions that got no answer. Never a user
//! id, and never a member's words outside the opt-in log and a report's short comment.
//!
//! One trait, [`Store`], with two backends chosen by `[storage]` in the config:
//! [`SqliteStore`] (a file, the default, created on first open) and [`PostgresStore`] (one
//! store shared by several shard processes). Both apply their versioned schema migrations on
//! open, under a lock, so two processes opening at once are safe.
//!
//! The bot talks to a [`Storage`], which wraps a store so that the database going away never
//! stops answers: settings come from a per-server cache or the config's defaults when reads
//! fail, writes are queued, batched and retried a bounded number of times, and an outage logs
//! one warning when it starts and one line when it ends.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use medfaq::config::Config;
//! use medfaq::storage::{Feedback, FeedbackOutcome, Policy, SqliteStore, Storage, Timestamp};
//!
//! let dir = std::env::temp_dir().join(format!("medfaq-storage-doc-{}", std::process::id()));
//! let store = SqliteStore::open(&dir.join("medfaq.db")).await.expect("the store opens");
//! let storage = Storage::new(Arc::new(store), Policy::from_config(&Config::default()))
//!     .expect("inside a Tokio runtime");
//! storage.record_feedback(Feedback {
//!     entry_id: Some("naltrexone-opioid-pain-medicines".into()),
//!     outcome: FeedbackOutcome::Helpful,
//!     region: Some("US".into()),
//!     guild_id: Some(81384788765712384),
//!     at: Timestamp::now(),
//! });
//! storage.flush().await;
//! let settings = storage.settings(Some(81384788765712384)).await;
//! assert!(!settings.unanswered_log, "the log is off unless a server opts in");
//! # std::fs::remove_dir_all(&dir).ok();
//! # });
//! ```

mod postgres;
mod records;
pub mod report;
mod resilient;
mod sqlite;
mod timestamp;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::config::StorageLocation;
use crate::error::Result;

pub use postgres::PostgresStore;
pub use records::{
    Feedback, FeedbackCounts, FeedbackOutcome, Forgotten, GuildSettings, Pick, Purged, Record,
    ReportRows, Retention, Served, Settings, Unanswered,
};
pub use resilient::{
    backoff, Policy, Storage, WriteStats, MAX_BATCH, MAX_WRITE_ATTEMPTS, PROBE_EVERY, PURGE_EVERY,
    QUEUE_CAPACITY, READ_TIMEOUT, SETTINGS_TTL, WRITE_TIMEOUT,
};
pub use sqlite::SqliteStore;
pub use timestamp::Timestamp;
use timestamp::DAY_SECONDS;

/// The schema version this medfaq writes; a store with a newer one is refused (it was
/// migrated by a newer medfaq).
pub const SCHEMA_VERSION: u32 = 1;

/// The longest comment kept with a report, in characters: enough to say what is wrong with
/// an answer, too short to invite a personal story.
pub const MAX_COMMENT_CHARS: usize = 300;

/// The longest question kept in the unanswered log, in characters: Discord's `/ask` option
/// and most messages fit; a pasted essay is cut.
pub const MAX_QUESTION_CHARS: usize = 500;

/// The longest region code or entry id kept, in characters (ids are kebab-case slugs,
/// regions two to four letters); anything longer is cut rather than refused.
pub const MAX_ID_CHARS: usize = 100;

/// A place that keeps the bot's state. Every method is one short transaction (or one
/// statement); none holds a user id.
#[async_trait]
pub trait Store: Send + Sync {
    /// Which store this is, without credentials (for messages and logs).
    fn describe(&self) -> String;

    /// The server's stored choices, or `None` when it has made none.
    async fn guild_settings(&self, guild_id: u64) -> Result<Option<GuildSettings>>;

    /// Replaces the server's stored choices.
    async fn set_guild_settings(
        &self,
        guild_id: u64,
        settings: &GuildSettings,
        at: Timestamp,
    ) -> Result<()>;

    /// Writes records, all or none. Text is cut to the `MAX_*_CHARS` limits.
    async fn record(&self, records: &[Record]) -> Result<()>;

    /// Deletes logged questions and picks older than each server's retention (the
    /// `retention` default for servers that have not chosen) and feedback older than
    /// `retention.feedback_days`.
    async fn purge_expired(&self, now: Timestamp, retention: Retention) -> Result<Purged>;

    /// Deletes every row that names the server: settings, feedback, counters and logs.
    async fn forget_guild(&self, guild_id: u64) -> Result<Forgotten>;

    /// The rows the curators' report needs, since `since` (everything when `None`).
    async fn report_rows(&self, since: Option<Timestamp>) -> Result<ReportRows>;

    /// The schema version the store is at.
    async fn schema_version(&self) -> Result<u32>;

    /// Checks that the store answers.
    async fn ping(&self) -> Result<()>;
}

/// Opens the store at `location`, creating it (an SQLite file) or migrating it as needed.
pub async fn open(location: &StorageLocation) -> Result<Arc<dyn Store>> {
    Ok(match location {
        StorageLocation::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        StorageLocation::Postgres(url) => Arc::new(PostgresStore::connect(url).await?),
    })
}

/// `text` cut to at most `max` characters, on a character boundary.
pub(crate) fn cap(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Discord ids are stored as signed 64-bit integers (what both databases have): the bits are
/// kept as they are, so the conversion is lossless both ways, and snowflakes stay below 2^63
/// (so read naturally) until the 2080s.
pub(crate) fn id_to_db(id: u64) -> i64 {
    id as i64
}

/// The inverse of [`id_to_db`].
pub(crate) fn id_from_db(id: i64) -> u64 {
    id as u64
}

/// Servers' counters use 0 for direct messages (a key column cannot be NULL in both
/// databases' unique indexes alike; Discord never hands out id 0).
pub(crate) const DM_GUILD: i64 = 0;

/// Answers served are keyed per server with [`DM_GUILD`] standing for direct messages.
pub(crate) fn served_guild(guild_id: Option<u64>) -> i64 {
    guild_id.map_or(DM_GUILD, id_to_db)
}

/// Served records summed per (entry, server, hour), so a batch upserts each counter once.
pub(crate) fn served_totals(records: &[Record]) -> BTreeMap<(String, i64, i64), i64> {
    let mut totals = BTreeMap::new();
    for r in records {
        if let Record::Served(s) = r {
            let key = (
                cap(&s.entry_id, MAX_ID_CHARS).to_string(),
                served_guild(s.guild_id),
                s.at.hour().unix(),
            );
            *totals.entry(key).or_insert(0) += 1;
        }
    }
    totals
}

/// A feedback row's columns: entry id, outcome, comment, region (each cut to its limit).
pub(crate) fn feedback_columns(
    f: &Feedback,
) -> (Option<&str>, &'static str, Option<&str>, Option<&str>) {
    let comment = match &f.outcome {
        FeedbackOutcome::Report { comment } => comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| cap(c, MAX_COMMENT_CHARS)),
        _ => None,
    };
    (
        f.entry_id.as_deref().map(|e| cap(e, MAX_ID_CHARS)),
        f.outcome.name(),
        comment,
        f.region.as_deref().map(|r| cap(r, MAX_ID_CHARS)),
    )
}

/// A storage error for `store` from anything that displays.
pub(crate) fn storage_error(store: &str, message: impl std::fmt::Display) -> crate::Error {
    crate::Error::Storage {
        store: store.to_string(),
        message: message.to_string(),
    }
}
