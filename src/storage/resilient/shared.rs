//! The work behind every clone of [`Storage`](super::Storage): the settings cache, purging, and the writer
//! task that drains the queue in batches, retrying with [`backoff`].

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{
    backoff, Cached, Job, Op, Shared, MAX_BATCH, MAX_WRITE_ATTEMPTS, PROBE_EVERY, QUEUE_CAPACITY,
    WRITE_TIMEOUT,
};
use crate::error::Result;
use crate::storage::{GuildSettings, Purged, Record, Timestamp};

impl Shared {
    pub(super) fn lock_cache(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Cached>> {
        // The map is only ever replaced whole under the lock, so a panic elsewhere cannot
        // leave it half-updated: keep using it.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn cache_settings(&self, guild_id: u64, settings: Option<GuildSettings>) {
        self.lock_cache().insert(
            guild_id,
            Cached {
                settings,
                fetched: Instant::now(),
            },
        );
    }

    pub(super) fn note_dropped(&self, n: u64) {
        self.dropped.fetch_add(n, Ordering::Relaxed);
        self.health.add_dropped(n);
    }

    pub(super) async fn purge(&self, now: Timestamp) -> Result<Purged> {
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
            Err(e) => self.health.failed(Op::Write, e),
        }
        purged
    }

    /// Writes a batch, retrying with [`backoff`]; drops it after [`MAX_WRITE_ATTEMPTS`].
    pub(super) async fn write(&self, batch: &[Record]) {
        for attempt in 1..=MAX_WRITE_ATTEMPTS {
            match tokio::time::timeout(WRITE_TIMEOUT, self.store.record(batch)).await {
                Ok(Ok(())) => {
                    self.health.up(Op::Write);
                    self.written
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    return;
                }
                Ok(Err(e)) => self.health.failed(Op::Write, &e),
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
pub(super) async fn writer(shared: Arc<Shared>, mut jobs: mpsc::Receiver<Job>) {
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
                    Ok(Err(e)) => shared.health.failed(Op::Read, &e),
                    Err(_) => shared.health.down(Op::Read, "checking the store timed out"),
                }
            }
        }
    }
}
