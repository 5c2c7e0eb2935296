//! [`Store`] for [`PostgresStore`]: each operation one statement.

use async_trait::async_trait;

use super::PostgresStore;
use crate::error::Result;
use crate::storage::sqlite::{add_count, clamp_retention};
use crate::storage::{
    cap, feedback_columns, id_from_db, id_to_db, served_totals, Forgotten, GuildSettings, Purged,
    Record, ReportRows, Retention, Store, Timestamp, DAY_SECONDS, MAX_ID_CHARS, MAX_QUESTION_CHARS,
};

/// Writes a batch of records in one statement.
const RECORD_SQL: &str = "
WITH f AS (
    INSERT INTO feedback (entry_id, outcome, comment, region, guild_id, at)
    SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[])
), u AS (
    INSERT INTO unanswered (guild_id, question, at)
    SELECT * FROM UNNEST($7::int8[], $8::text[], $9::int8[])
), p AS (
    INSERT INTO picks (guild_id, question, entry_id, at)
    SELECT * FROM UNNEST($10::int8[], $11::text[], $12::text[], $13::int8[])
)
INSERT INTO served AS s (entry_id, guild_id, hour, count)
SELECT * FROM UNNEST($14::text[], $15::int8[], $16::int8[], $17::int8[])
ON CONFLICT (entry_id, guild_id, hour) DO UPDATE SET count = s.count + EXCLUDED.count";

/// Deletes expired log rows and feedback in one statement; returns the counts.
const PURGE_SQL: &str = "
WITH u AS (
    DELETE FROM unanswered t WHERE t.at < $1::int8 - $2::int8 * COALESCE(
        (SELECT s.unanswered_retention_days FROM guild_settings s WHERE s.guild_id = t.guild_id),
        $3::int4)
    RETURNING 1
), p AS (
    DELETE FROM picks t WHERE t.at < $1::int8 - $2::int8 * COALESCE(
        (SELECT s.unanswered_retention_days FROM guild_settings s WHERE s.guild_id = t.guild_id),
        $3::int4)
    RETURNING 1
), f AS (
    DELETE FROM feedback WHERE at < $4::int8 RETURNING 1
)
SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM p), (SELECT count(*) FROM f)";

/// Deletes every row naming a server in one statement; returns the counts.
const FORGET_SQL: &str = "
WITH a AS (DELETE FROM guild_settings WHERE guild_id = $1 RETURNING 1),
     b AS (DELETE FROM feedback WHERE guild_id = $1 RETURNING 1),
     c AS (DELETE FROM served WHERE guild_id = $1 RETURNING 1),
     d AS (DELETE FROM unanswered WHERE guild_id = $1 RETURNING 1),
     e AS (DELETE FROM picks WHERE guild_id = $1 RETURNING 1)
SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b), (SELECT count(*) FROM c),
       (SELECT count(*) FROM d), (SELECT count(*) FROM e)";

/// A count from the database as a `u64`.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A retention in days as PostgreSQL's `integer`.
fn days_to_db(days: u32) -> i32 {
    i32::try_from(clamp_retention(days)).unwrap_or(i32::MAX)
}

#[async_trait]
impl Store for PostgresStore {
    fn describe(&self) -> String {
        self.name.clone()
    }

    async fn guild_settings(&self, guild_id: u64) -> Result<Option<GuildSettings>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT region, answers_public, answer_mentions, moderator_channel_id,
                        moderator_role_id, unanswered_log, unanswered_retention_days
                 FROM guild_settings WHERE guild_id = $1",
                &[&id_to_db(guild_id)],
            )
            .await
            .map_err(|e| self.error(&e))?;
        let Some(r) = row else {
            return Ok(None);
        };
        Ok(Some(GuildSettings {
            region: self.col(&r, 0)?,
            answers_public: self.col(&r, 1)?,
            answer_mentions: self.col(&r, 2)?,
            moderator_channel_id: self.col::<Option<i64>>(&r, 3)?.map(id_from_db),
            moderator_role_id: self.col::<Option<i64>>(&r, 4)?.map(id_from_db),
            unanswered_log: self.col(&r, 5)?,
            unanswered_retention_days: self
                .col::<Option<i32>>(&r, 6)?
                .and_then(|d| u32::try_from(d).ok()),
        }))
    }

    async fn set_guild_settings(
        &self,
        guild_id: u64,
        settings: &GuildSettings,
        at: Timestamp,
    ) -> Result<()> {
        let s = settings;
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO guild_settings (guild_id, region, answers_public, answer_mentions,
                     moderator_channel_id, moderator_role_id, unanswered_log,
                     unanswered_retention_days, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (guild_id) DO UPDATE SET
                     region = EXCLUDED.region,
                     answers_public = EXCLUDED.answers_public,
                     answer_mentions = EXCLUDED.answer_mentions,
                     moderator_channel_id = EXCLUDED.moderator_channel_id,
                     moderator_role_id = EXCLUDED.moderator_role_id,
                     unanswered_log = EXCLUDED.unanswered_log,
                     unanswered_retention_days = EXCLUDED.unanswered_retention_days,
                     updated_at = EXCLUDED.updated_at",
                &[
                    &id_to_db(guild_id),
                    &s.region.as_deref().map(|r| cap(r, MAX_ID_CHARS)),
                    &s.answers_public,
                    &s.answer_mentions,
                    &s.moderator_channel_id.map(id_to_db),
                    &s.moderator_role_id.map(id_to_db),
                    &s.unanswered_log,
                    &s.unanswered_retention_days.map(days_to_db),
                    &at.unix(),
                ],
            )
            .await
            .map_err(|e| self.error(&e))?;
        Ok(())
    }

    async fn record(&self, records: &[Record]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let (mut f_entry, mut f_outcome, mut f_comment, mut f_region, mut f_guild, mut f_at) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut u_guild, mut u_question, mut u_at) = (vec![], vec![], vec![]);
        let (mut p_guild, mut p_question, mut p_entry, mut p_at) = (vec![], vec![], vec![], vec![]);
        for r in records {
            match r {
                Record::Feedback(f) => {
                    let (entry, outcome, comment, region) = feedback_columns(f);
                    f_entry.push(entry);
                    f_outcome.push(outcome);
                    f_comment.push(comment);
                    f_region.push(region);
                    f_guild.push(f.guild_id.map(id_to_db));
                    f_at.push(f.at.unix());
                }
                Record::Unanswered(u) => {
                    u_guild.push(id_to_db(u.guild_id));
                    u_question.push(cap(u.question.trim(), MAX_QUESTION_CHARS));
                    u_at.push(u.at.unix());
                }
                Record::Pick(p) => {
                    p_guild.push(id_to_db(p.guild_id));
                    p_question.push(cap(p.question.trim(), MAX_QUESTION_CHARS));
                    p_entry.push(cap(&p.entry_id, MAX_ID_CHARS));
                    p_at.push(p.at.unix());
                }
                Record::Served(_) => {}
            }
        }
        let (mut s_entry, mut s_guild, mut s_hour, mut s_count) = (vec![], vec![], vec![], vec![]);
        for ((entry, guild, hour), n) in served_totals(records) {
            s_entry.push(entry);
            s_guild.push(guild);
            s_hour.push(hour);
            s_count.push(n);
        }
        let client = self.client().await?;
        client
            .execute(
                RECORD_SQL,
                &[
                    &f_entry,
                    &f_outcome,
                    &f_comment,
                    &f_region,
                    &f_guild,
                    &f_at,
                    &u_guild,
                    &u_question,
                    &u_at,
                    &p_guild,
                    &p_question,
                    &p_entry,
                    &p_at,
                    &s_entry,
                    &s_guild,
                    &s_hour,
                    &s_count,
                ],
            )
            .await
            .map_err(|e| self.error(&e))?;
        Ok(())
    }

    async fn purge_expired(&self, now: Timestamp, retention: Retention) -> Result<Purged> {
        let client = self.client().await?;
        let row = client
            .query_one(
                PURGE_SQL,
                &[
                    &now.unix(),
                    &DAY_SECONDS,
                    &days_to_db(retention.unanswered_days),
                    &now.days_before(retention.feedback_days).unix(),
                ],
            )
            .await
            .map_err(|e| self.error(&e))?;
        Ok(Purged {
            unanswered: count(self.col(&row, 0)?),
            picks: count(self.col(&row, 1)?),
            feedback: count(self.col(&row, 2)?),
        })
    }

    async fn forget_guild(&self, guild_id: u64) -> Result<Forgotten> {
        let client = self.client().await?;
        let row = client
            .query_one(FORGET_SQL, &[&id_to_db(guild_id)])
            .await
            .map_err(|e| self.error(&e))?;
        Ok(Forgotten {
            settings: count(self.col(&row, 0)?),
            feedback: count(self.col(&row, 1)?),
            served: count(self.col(&row, 2)?),
            unanswered: count(self.col(&row, 3)?),
            picks: count(self.col(&row, 4)?),
        })
    }

    async fn report_rows(&self, since: Option<Timestamp>) -> Result<ReportRows> {
        // Counters are hourly: the hour `since` falls in counts whole.
        let since_hour = since.map_or(i64::MIN, |s| s.hour().unix());
        let since = since.map_or(i64::MIN, Timestamp::unix);
        let client = self.client().await?;
        let err = |e: tokio_postgres::Error| self.error(&e);
        let mut rows = ReportRows::default();
        for r in client
            .query(
                "SELECT entry_id, SUM(count)::int8 FROM served WHERE hour >= $1 GROUP BY entry_id",
                &[&since_hour],
            )
            .await
            .map_err(err)?
        {
            rows.served
                .insert(self.col(&r, 0)?, count(self.col(&r, 1)?));
        }
        for r in client
            .query(
                "SELECT entry_id, outcome, count(*) FROM feedback WHERE at >= $1
                 GROUP BY entry_id, outcome",
                &[&since],
            )
            .await
            .map_err(err)?
        {
            let outcome: &str = self.col(&r, 1)?;
            add_count(
                rows.feedback.entry(self.col(&r, 0)?).or_default(),
                outcome,
                self.col(&r, 2)?,
            );
        }
        for r in client
            .query(
                "SELECT entry_id, comment FROM feedback
                 WHERE at >= $1 AND comment IS NOT NULL ORDER BY at, id",
                &[&since],
            )
            .await
            .map_err(err)?
        {
            rows.feedback
                .entry(self.col(&r, 0)?)
                .or_default()
                .comments
                .push(self.col(&r, 1)?);
        }
        for r in client
            .query(
                "SELECT question FROM unanswered WHERE at >= $1 ORDER BY at, id",
                &[&since],
            )
            .await
            .map_err(err)?
        {
            rows.unanswered.push(self.col(&r, 0)?);
        }
        for r in client
            .query(
                "SELECT question, entry_id FROM picks WHERE at >= $1 ORDER BY at, id",
                &[&since],
            )
            .await
            .map_err(err)?
        {
            rows.picks.push((self.col(&r, 0)?, self.col(&r, 1)?));
        }
        Ok(rows)
    }

    async fn schema_version(&self) -> Result<u32> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM medfaq_migrations",
                &[],
            )
            .await
            .map_err(|e| self.error(&e))?;
        let v: i32 = self.col(&row, 0)?;
        Ok(u32::try_from(v).unwrap_or(0))
    }

    async fn ping(&self) -> Result<()> {
        let client = self.client().await?;
        client
            .simple_query("SELECT 1")
            .await
            .map_err(|e| self.error(&e))?;
        Ok(())
    }
}
