//! Whether the store is up: one warning when an outage starts, one line when it ends.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tokio::time::Instant;

/// What kind of call succeeded or failed: a store whose writes fail (a full disk) can still
/// answer reads, so only a write ends an outage in which writes failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Read,
    Write,
}

/// Whether the store is up, and the one-line-per-outage logging.
pub(super) struct Health {
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
    pub(super) fn new(store: String) -> Health {
        Health {
            store,
            down: AtomicBool::new(false),
            outage: Mutex::new(Outage::default()),
        }
    }

    pub(super) fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Outage> {
        // Plain fields, each written in one step: a panic cannot leave them inconsistent.
        self.outage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes a failed call (see [`Health::down`]); a call stopped by shutdown is no failure.
    pub(super) fn failed(&self, op: Op, e: &crate::Error) {
        if !matches!(e, crate::Error::StorageStopped { .. }) {
            self.down(op, &e.to_string());
        }
    }

    /// Notes a failure; the first one of an outage logs the one warning.
    pub(super) fn down(&self, op: Op, reason: &str) {
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
    pub(super) fn up(&self, op: Op) {
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
    pub(super) fn overflowing(&self, capacity: usize) {
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
    pub(super) fn drained(&self) {
        let mut outage = self.lock();
        if let Some(dropped) = outage.overflow_dropped.take() {
            if outage.since.is_none() {
                tracing::info!(store = %self.store, dropped, "storage write queue drained");
            }
        }
    }

    pub(super) fn add_dropped(&self, n: u64) {
        let mut outage = self.lock();
        outage.dropped += n;
        if let Some(d) = outage.overflow_dropped.as_mut() {
            *d += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_stopped_by_shutdown_starts_no_outage() {
        let health = Health::new("sqlite medfaq.db".to_string());
        let stopped = crate::Error::StorageStopped {
            store: "sqlite medfaq.db".to_string(),
        };
        health.failed(Op::Write, &stopped);
        assert!(!health.is_down());
        health.failed(
            Op::Write,
            &crate::storage::storage_error("sqlite medfaq.db", "disk full"),
        );
        assert!(health.is_down());
    }
}
