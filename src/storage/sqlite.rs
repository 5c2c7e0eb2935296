//! The default store: one SQLite file, created with its schema on first open.
//!
//! rusqlite is blocking, so each call runs on Tokio's blocking pool with the one connection
//! behind a mutex; a call is one short transaction (tens of microseconds in WAL mode), far
//! below what the bot's hot path can notice. Several processes may open the same file: write
//! transactions start `IMMEDIATE` and wait for each other up to [`BUSY_TIMEOUT`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{
    cap, feedback_columns, id_from_db, id_to_db, served_totals, storage_error, FeedbackCounts,
    Forgotten, GuildSettings, Purged, Record, ReportRows, Retention, Store, Timestamp, DAY_SECONDS,
    MAX_ID_CHARS, MAX_QUESTION_CHARS, SCHEMA_VERSION,
};
use crate::error::Result;

/// How long a write waits for another process's write to finish before failing: longer than
/// any of medfaq's transactions, short enough that a stuck lock shows up as an error.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one script per version.
const MIGRATIONS: &[(u32, &str, &str)] =
    &[(1, "init", include_str!("migrations/sqlite/0001_init.sql"))];

/// A store in an SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    name: String,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqliteStore({})", self.name)
    }
}

impl SqliteStore {
    /// Opens the file at `path`, creating it (and its folder) when missing, and brings its
    /// schema up to [`SCHEMA_VERSION`].
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let path = path.to_path_buf();
        let name = format!("sqlite {}", path.display());
        let conn = {
            let name = name.clone();
            tokio::task::spawn_blocking(move || open_blocking(&path, &name))
        }
        .await
        .map_err(|e| joined(&name, e))??;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            name,
        })
    }

    /// Runs `f` on the connection on the blocking pool.
    async fn with<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let name = self.name.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn
                .lock()
                .map_err(|_| storage_error(&name, "an earlier call panicked"))?;
            f(&mut conn).map_err(|e| storage_error(&name, e))
        })
        .await
        .map_err(|e| joined(&self.name, e))?
    }
}

/// The error for a blocking call that did not finish: stopped by a shutting-down runtime, or
/// panicked.
fn joined(name: &str, e: tokio::task::JoinError) -> crate::Error {
    if e.is_cancelled() {
        crate::Error::StorageStopped {
            store: name.to_string(),
        }
    } else {
        storage_error(name, e)
    }
}

/// Opens (creating) the file, sets it up for several processes, and migrates it.
fn open_blocking(path: &PathBuf, name: &str) -> Result<Connection> {
    let err = |e: &dyn std::fmt::Display| storage_error(name, e);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| err(&format!("could not create the folder: {e}")))?;
    }
    let existed = path.exists();
    let mut conn = Connection::open(path).map_err(|e| err(&e))?;
    if !existed {
        restrict_permissions(path).map_err(|e| err(&e))?;
    }
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| err(&e))?;
    // WAL lets readers (`medfaq report`) run beside the bot's writes; NORMAL syncs at
    // checkpoints rather than every commit, which in WAL mode can lose the last moments of
    // writes on power loss but never corrupts the file: right for counters and feedback.
    // Switching a new file to WAL takes an exclusive lock, and SQLite does not call the busy
    // handler for it: when several processes open a new file at once, wait here instead.
    let started = std::time::Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => break,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(err(&e)),
        }
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL")
        .map_err(|e| err(&e))?;
    migrate(&mut conn, name)?;
    Ok(conn)
}

/// Members' words are in this file: only its owner may read it.
#[cfg(unix)]
fn restrict_permissions(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Applies the migrations the file lacks, in one `IMMEDIATE` transaction: a second process
/// opening at the same time waits, then finds the schema current.
fn migrate(conn: &mut Connection, name: &str) -> Result<()> {
    let err = |e: rusqlite::Error| storage_error(name, e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS medfaq_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at INTEGER NOT NULL
         )",
    )
    .map_err(err)?;
    let current: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM medfaq_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(err)?;
    if current > i64::from(SCHEMA_VERSION) {
        return Err(storage_error(
            name,
            format!(
                "the schema is at version {current}, newer than this medfaq knows \
                 ({SCHEMA_VERSION}); run a newer medfaq"
            ),
        ));
    }
    for (version, title, sql) in MIGRATIONS {
        if i64::from(*version) <= current {
            continue;
        }
        tx.execute_batch(sql).map_err(err)?;
        tx.execute(
            "INSERT INTO medfaq_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![version, title, Timestamp::now().unix()],
        )
        .map_err(err)?;
    }
    tx.commit().map_err(err)
}

#[async_trait]
impl Store for SqliteStore {
    fn describe(&self) -> String {
        self.name.clone()
    }

    async fn guild_settings(&self, guild_id: u64) -> Result<Option<GuildSettings>> {
        self.with(move |conn| {
            conn.prepare_cached(
                "SELECT region, answers_public, answer_mentions, moderator_channel_id,
                        moderator_role_id, unanswered_log, unanswered_retention_days
                 FROM guild_settings WHERE guild_id = ?1",
            )?
            .query_row([id_to_db(guild_id)], |r| {
                Ok(GuildSettings {
                    region: r.get(0)?,
                    answers_public: r.get(1)?,
                    answer_mentions: r.get(2)?,
                    moderator_channel_id: r.get::<_, Option<i64>>(3)?.map(id_from_db),
                    moderator_role_id: r.get::<_, Option<i64>>(4)?.map(id_from_db),
                    unanswered_log: r.get(5)?,
                    unanswered_retention_days: r.get(6)?,
                })
            })
            .optional()
        })
        .await
    }

    async fn set_guild_settings(
        &self,
        guild_id: u64,
        settings: &GuildSettings,
        at: Timestamp,
    ) -> Result<()> {
        let s = settings.clone();
        self.with(move |conn| {
            conn.prepare_cached(
                "INSERT INTO guild_settings (guild_id, region, answers_public, answer_mentions,
                     moderator_channel_id, moderator_role_id, unanswered_log,
                     unanswered_retention_days, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (guild_id) DO UPDATE SET
                     region = excluded.region,
                     answers_public = excluded.answers_public,
                     answer_mentions = excluded.answer_mentions,
                     moderator_channel_id = excluded.moderator_channel_id,
                     moderator_role_id = excluded.moderator_role_id,
                     unanswered_log = excluded.unanswered_log,
                     unanswered_retention_days = excluded.unanswered_retention_days,
                     updated_at = excluded.updated_at",
            )?
            .execute(params![
                id_to_db(guild_id),
                s.region.as_deref().map(|r| cap(r, MAX_ID_CHARS)),
                s.answers_public,
                s.answer_mentions,
                s.moderator_channel_id.map(id_to_db),
                s.moderator_role_id.map(id_to_db),
                s.unanswered_log,
                s.unanswered_retention_days.map(clamp_retention),
                at.unix(),
            ])?;
            Ok(())
        })
        .await
    }

    async fn record(&self, records: &[Record]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let records = records.to_vec();
        self.with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for r in &records {
                match r {
                    Record::Feedback(f) => {
                        let (entry, outcome, comment, region) = feedback_columns(f);
                        tx.prepare_cached(
                            "INSERT INTO feedback (entry_id, outcome, comment, region, guild_id, at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        )?
                        .execute(params![
                            entry,
                            outcome,
                            comment,
                            region,
                            f.guild_id.map(id_to_db),
                            f.at.unix()
                        ])?;
                    }
                    Record::Unanswered(u) => {
                        tx.prepare_cached(
                            "INSERT INTO unanswered (guild_id, question, at) VALUES (?1, ?2, ?3)",
                        )?
                        .execute(params![
                            id_to_db(u.guild_id),
                            cap(u.question.trim(), MAX_QUESTION_CHARS),
                            u.at.unix()
                        ])?;
                    }
                    Record::Pick(p) => {
                        tx.prepare_cached(
                            "INSERT INTO picks (guild_id, question, entry_id, at)
                             VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute(params![
                            id_to_db(p.guild_id),
                            cap(p.question.trim(), MAX_QUESTION_CHARS),
                            cap(&p.entry_id, MAX_ID_CHARS),
                            p.at.unix()
                        ])?;
                    }
                    // Summed below, one upsert per counter.
                    Record::Served(_) => {}
                }
            }
            for ((entry, guild, hour), count) in served_totals(&records) {
                tx.prepare_cached(
                    "INSERT INTO served (entry_id, guild_id, hour, count) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (entry_id, guild_id, hour)
                     DO UPDATE SET count = count + excluded.count",
                )?
                .execute(params![entry, guild, hour, count])?;
            }
            tx.commit()
        })
        .await
    }

    async fn purge_expired(&self, now: Timestamp, retention: Retention) -> Result<Purged> {
        self.with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut purged = Purged::default();
            for (table, count) in [
                ("unanswered", &mut purged.unanswered),
                ("picks", &mut purged.picks),
            ] {
                let sql = format!(
                    "DELETE FROM {table} WHERE at < ?1 - ?2 * COALESCE(
                         (SELECT s.unanswered_retention_days FROM guild_settings s
                          WHERE s.guild_id = {table}.guild_id), ?3)"
                );
                *count = tx.execute(
                    &sql,
                    params![now.unix(), DAY_SECONDS, retention.unanswered_days],
                )? as u64;
            }
            purged.feedback = tx.execute(
                "DELETE FROM feedback WHERE at < ?1",
                [now.days_before(retention.feedback_days).unix()],
            )? as u64;
            tx.commit()?;
            Ok(purged)
        })
        .await
    }

    async fn forget_guild(&self, guild_id: u64) -> Result<Forgotten> {
        self.with(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let g = id_to_db(guild_id);
            let delete = |table: &str| -> rusqlite::Result<u64> {
                Ok(tx.execute(&format!("DELETE FROM {table} WHERE guild_id = ?1"), [g])? as u64)
            };
            let forgotten = Forgotten {
                settings: delete("guild_settings")?,
                feedback: delete("feedback")?,
                served: delete("served")?,
                unanswered: delete("unanswered")?,
                picks: delete("picks")?,
            };
            tx.commit()?;
            Ok(forgotten)
        })
        .await
    }

    async fn report_rows(&self, since: Option<Timestamp>) -> Result<ReportRows> {
        // Counters are hourly: the hour `since` falls in counts whole.
        let since_hour = since.map_or(i64::MIN, |s| s.hour().unix());
        let since = since.map_or(i64::MIN, Timestamp::unix);
        self.with(move |conn| {
            let mut rows = ReportRows::default();
            let mut q = conn.prepare(
                "SELECT entry_id, SUM(count) FROM served WHERE hour >= ?1 GROUP BY entry_id",
            )?;
            for row in q.query_map([since_hour], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?)))? {
                let (entry, count) = row?;
                rows.served.insert(entry, count.max(0) as u64);
            }
            let mut q = conn.prepare(
                "SELECT entry_id, outcome, COUNT(*) FROM feedback WHERE at >= ?1
                 GROUP BY entry_id, outcome",
            )?;
            for row in q.query_map([since], |r| {
                Ok((r.get(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
            })? {
                let (entry, outcome, count) = row?;
                add_count(rows.feedback.entry(entry).or_default(), &outcome, count);
            }
            let mut q = conn.prepare(
                "SELECT entry_id, comment FROM feedback
                 WHERE at >= ?1 AND comment IS NOT NULL ORDER BY at, id",
            )?;
            for row in q.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))? {
                let (entry, comment): (Option<String>, String) = row?;
                rows.feedback
                    .entry(entry)
                    .or_default()
                    .comments
                    .push(comment);
            }
            let mut q =
                conn.prepare("SELECT question FROM unanswered WHERE at >= ?1 ORDER BY at, id")?;
            for row in q.query_map([since], |r| r.get(0))? {
                rows.unanswered.push(row?);
            }
            let mut q = conn
                .prepare("SELECT question, entry_id FROM picks WHERE at >= ?1 ORDER BY at, id")?;
            for row in q.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))? {
                rows.picks.push(row?);
            }
            Ok(rows)
        })
        .await
    }

    async fn schema_version(&self) -> Result<u32> {
        self.with(|conn| {
            conn.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM medfaq_migrations",
                [],
                |r| r.get(0),
            )
        })
        .await
    }

    async fn ping(&self) -> Result<()> {
        self.with(|conn| conn.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }
}

/// Adds a feedback count under its outcome's name.
pub(super) fn add_count(counts: &mut FeedbackCounts, outcome: &str, count: i64) {
    let count = count.max(0) as u64;
    match outcome {
        "helpful" => counts.helpful += count,
        "not_helpful" => counts.not_helpful += count,
        _ => counts.reports += count,
    }
}

/// A server's log retention kept within what the config allows.
pub(super) fn clamp_retention(days: u32) -> u32 {
    days.clamp(1, crate::config::MAX_UNANSWERED_RETENTION_DAYS)
}
