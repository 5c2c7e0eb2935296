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
pub mod report;
mod resilient;
mod sqlite;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde::Serialize;

use crate::config::{Config, StorageLocation};
use crate::error::Result;

pub use postgres::PostgresStore;
pub use resilient::{
    backoff, Policy, Storage, WriteStats, MAX_BATCH, MAX_WRITE_ATTEMPTS, PROBE_EVERY, PURGE_EVERY,
    QUEUE_CAPACITY, READ_TIMEOUT, SETTINGS_TTL, WRITE_TIMEOUT,
};
pub use sqlite::SqliteStore;

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

/// Seconds in a day, for retention arithmetic.
const DAY_SECONDS: i64 = 86_400;

/// Seconds in an hour: answers served are counted per hour, which is as fine as a report
/// needs and keeps one row per entry, server and hour however busy the bot is.
const HOUR_SECONDS: i64 = 3_600;

/// A point in time, in whole seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time.
    pub fn now() -> Timestamp {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Timestamp(secs)
    }

    /// The time `secs` seconds after the Unix epoch.
    pub const fn from_unix(secs: i64) -> Timestamp {
        Timestamp(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// The start of this time's hour.
    pub const fn hour(self) -> Timestamp {
        Timestamp(self.0.div_euclid(HOUR_SECONDS).saturating_mul(HOUR_SECONDS))
    }

    /// The time `days` days earlier.
    pub const fn days_before(self, days: u32) -> Timestamp {
        Timestamp(self.0.saturating_sub(days as i64 * DAY_SECONDS))
    }

    /// Midnight UTC of a `YYYY-MM-DD` date, or `None` when it is not one.
    pub fn parse_date(text: &str) -> Option<Timestamp> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let max_day = match month {
            2 if leap => 29,
            1..=12 => month_days[month as usize - 1],
            _ => return None,
        };
        if !(1970..=9999).contains(&year) || day == 0 || day > max_day {
            return None;
        }
        Some(Timestamp(days_from_civil(year, month, day) * DAY_SECONDS))
    }

    /// The UTC date, `YYYY-MM-DD`.
    pub fn date(self) -> String {
        let (y, m, d) = civil_from_days(self.0.div_euclid(DAY_SECONDS));
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a count of days since 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A server's own choices, as stored; `None` means "the config's default".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GuildSettings {
    /// Region whose crisis lines are shown (US, CA, UK, IE, AU, NZ, INTL).
    pub region: Option<String>,
    /// Posts answers visibly to the channel by default.
    pub answers_public: Option<bool>,
    /// Answers messages that mention the bot.
    pub answer_mentions: Option<bool>,
    /// The channel where members' help requests go to the moderators.
    pub moderator_channel_id: Option<u64>,
    /// The role pinged with a help request.
    pub moderator_role_id: Option<u64>,
    /// Logs questions that got no answer, and "did you mean" picks, for the curators.
    pub unanswered_log: Option<bool>,
    /// Days that log is kept (the config caps it).
    pub unanswered_retention_days: Option<u32>,
}

/// The settings in force for one server (or a direct message): the config's defaults with the
/// server's own choices on top.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Region whose crisis lines are shown; `None` is the knowledge's default region.
    pub region: Option<String>,
    /// Posts answers visibly to the channel by default.
    pub answers_public: bool,
    /// Answers messages that mention the bot.
    pub answer_mentions: bool,
    /// The channel for help requests; `None` turns the moderator button off.
    pub moderator_channel_id: Option<u64>,
    /// The role pinged with a help request.
    pub moderator_role_id: Option<u64>,
    /// Logs questions that got no answer and "did you mean" picks.
    pub unanswered_log: bool,
    /// Days that log is kept.
    pub unanswered_retention_days: u32,
}

impl Settings {
    /// The defaults from the config: `[bot]` for region and answers, `[storage]` for the log.
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            region: config.bot.region.clone(),
            answers_public: config.bot.answers_public,
            answer_mentions: config.bot.answer_mentions,
            moderator_channel_id: None,
            moderator_role_id: None,
            unanswered_log: config.storage.unanswered_log,
            unanswered_retention_days: config.storage.unanswered_retention_days,
        }
    }

    /// These defaults with a server's stored choices on top; a retention longer than the
    /// config allows is capped.
    pub fn merged(&self, stored: Option<&GuildSettings>) -> Settings {
        let Some(s) = stored else {
            return self.clone();
        };
        Settings {
            region: s.region.clone().or_else(|| self.region.clone()),
            answers_public: s.answers_public.unwrap_or(self.answers_public),
            answer_mentions: s.answer_mentions.unwrap_or(self.answer_mentions),
            moderator_channel_id: s.moderator_channel_id.or(self.moderator_channel_id),
            moderator_role_id: s.moderator_role_id.or(self.moderator_role_id),
            unanswered_log: s.unanswered_log.unwrap_or(self.unanswered_log),
            unanswered_retention_days: s
                .unanswered_retention_days
                .unwrap_or(self.unanswered_retention_days)
                .clamp(1, crate::config::MAX_UNANSWERED_RETENTION_DAYS),
        }
    }
}

/// What a member said about an answer with the feedback buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FeedbackOutcome {
    /// "This helped".
    Helpful,
    /// "This did not help".
    NotHelpful,
    /// "Report a problem", with an optional short comment (cut to [`MAX_COMMENT_CHARS`]).
    Report {
        /// What the member says is wrong.
        comment: Option<String>,
    },
}

impl FeedbackOutcome {
    /// The stored name: `helpful`, `not_helpful` or `report`.
    pub fn name(&self) -> &'static str {
        match self {
            FeedbackOutcome::Helpful => "helpful",
            FeedbackOutcome::NotHelpful => "not_helpful",
            FeedbackOutcome::Report { .. } => "report",
        }
    }
}

/// One press of a feedback button. No user id, by design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// The entry the answer came from; `None` for the "I don't have an answer" reply.
    pub entry_id: Option<String>,
    /// What the member said.
    pub outcome: FeedbackOutcome,
    /// The region whose crisis lines the reply showed.
    pub region: Option<String>,
    /// The server; `None` in a direct message.
    pub guild_id: Option<u64>,
    /// When.
    pub at: Timestamp,
}

/// One answer served, counted per entry, server and hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// The entry whose answer was shown.
    pub entry_id: String,
    /// The server; `None` in a direct message.
    pub guild_id: Option<u64>,
    /// When.
    pub at: Timestamp,
}

/// A question that got no answer, in a server that opted in to the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    /// The server (direct messages are never logged).
    pub guild_id: u64,
    /// The member's question (cut to [`MAX_QUESTION_CHARS`]).
    pub question: String,
    /// When.
    pub at: Timestamp,
}

/// A "did you mean" choice a member picked, in a server that opted in to the log: a phrasing
/// curators may add to the entry's questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    /// The server (direct messages are never logged).
    pub guild_id: u64,
    /// The member's question (cut to [`MAX_QUESTION_CHARS`]).
    pub question: String,
    /// The entry they picked.
    pub entry_id: String,
    /// When.
    pub at: Timestamp,
}

/// One thing to write; the bot's hot path queues these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A feedback button press.
    Feedback(Feedback),
    /// An answer served.
    Served(Served),
    /// A question with no answer (opt-in log).
    Unanswered(Unanswered),
    /// A "did you mean" pick (opt-in log).
    Pick(Pick),
}

/// How long what is kept stays: the server's own choice for its log, else these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days the unanswered log is kept in servers that have not chosen.
    pub unanswered_days: u32,
    /// Days feedback is kept.
    pub feedback_days: u32,
}

impl Retention {
    /// The retention the config sets.
    pub fn from_config(config: &Config) -> Retention {
        Retention {
            unanswered_days: config.storage.unanswered_retention_days,
            feedback_days: config.storage.feedback_retention_days,
        }
    }
}

/// Rows deleted by [`Store::purge_expired`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    /// Logged questions with no answer.
    pub unanswered: u64,
    /// Logged "did you mean" picks.
    pub picks: u64,
    /// Feedback presses.
    pub feedback: u64,
}

/// Rows deleted by [`Store::forget_guild`]: everything that named the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Forgotten {
    /// The server's settings (0 or 1).
    pub settings: u64,
    /// Feedback presses made in the server.
    pub feedback: u64,
    /// Hourly answers-served counters.
    pub served: u64,
    /// Logged questions with no answer.
    pub unanswered: u64,
    /// Logged "did you mean" picks.
    pub picks: u64,
}

impl Forgotten {
    /// All rows deleted.
    pub fn total(&self) -> u64 {
        self.settings + self.feedback + self.served + self.unanswered + self.picks
    }
}

/// Feedback counts for one entry (or for the "no answer" reply).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackCounts {
    /// "This helped" presses.
    pub helpful: u64,
    /// "This did not help" presses.
    pub not_helpful: u64,
    /// "Report a problem" presses.
    pub reports: u64,
    /// The reports' comments, oldest first.
    pub comments: Vec<String>,
}

/// What the curators' report is built from, since a given time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRows {
    /// Answers served per entry id.
    pub served: BTreeMap<String, u64>,
    /// Feedback per entry id; the key `None` is feedback on "I don't have an answer".
    pub feedback: BTreeMap<Option<String>, FeedbackCounts>,
    /// Logged questions that got no answer, oldest first.
    pub unanswered: Vec<String>,
    /// Logged "did you mean" picks: (member's question, picked entry id), oldest first.
    pub picks: Vec<(String, String)>,
}

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
