//! The bot's view of itself: which shards are connected, which knowledge it serves, how the
//! last reload went, and for how long it has run. `/healthz` and `/medfaq-status` show it.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

/// What [`Metrics`](super::Metrics) keeps behind its lock.
#[derive(Debug, Default)]
pub(super) struct State {
    /// The knowledge being served, once loaded.
    pub knowledge: Option<KnowledgeInfo>,
    /// The last refused reload, if no reload has succeeded since.
    pub reload_error: Option<ReloadError>,
    /// Shards connected now.
    pub ready: BTreeSet<u32>,
    /// Shards that have been connected at least once.
    pub seen: BTreeSet<u32>,
    /// The total number of shards of the bot (all processes), from the config or the gateway.
    pub shard_total: Option<u32>,
    /// The shards the config gives this process, when it names them.
    pub shard_range: Option<(u32, u32)>,
}

/// The knowledge being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeInfo {
    /// A short fingerprint of its files ([`knowledge_version`](super::knowledge_version)).
    pub version: String,
    /// Its enabled entries.
    pub entries: usize,
    /// When it was loaded (at start, or by the last successful reload).
    pub loaded_at: SystemTime,
}

/// A knowledge reload that was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadError {
    /// When.
    pub at: SystemTime,
    /// Why: the problems found, with files and lines.
    pub why: String,
}

/// A snapshot of [`Metrics::status`](super::Metrics::status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The knowledge being served, once loaded.
    pub knowledge: Option<KnowledgeInfo>,
    /// The last refused reload, if no reload has succeeded since.
    pub reload_error: Option<ReloadError>,
    /// Shards of this process connected now, by id.
    pub shards_ready: Vec<u32>,
    /// Shards this process runs, by id: the config's range when it names one, else those
    /// that have connected at least once.
    pub shards_run: Vec<u32>,
    /// The bot's total number of shards (all processes), once a shard has connected.
    pub shard_total: Option<u32>,
    /// When the bot started.
    pub started_at: SystemTime,
    /// How long it has been running.
    pub uptime: Duration,
}

impl Status {
    /// Returns true if and only if the bot can answer: at least one shard is connected to the
    /// gateway and knowledge is loaded.
    pub fn healthy(&self) -> bool {
        !self.shards_ready.is_empty() && self.knowledge.is_some()
    }

    /// One line for `/healthz` saying whether the bot is healthy and why (no member data).
    pub fn health_line(&self) -> String {
        let gateway = if self.shards_ready.is_empty() {
            "not connected to the Discord gateway".to_string()
        } else {
            format!(
                "connected to the Discord gateway ({} of {} shards ready)",
                self.shards_ready.len(),
                self.shards_run.len()
            )
        };
        let knowledge = match &self.knowledge {
            Some(k) => format!("knowledge {} loaded ({} entries)", k.version, k.entries),
            None => "knowledge not loaded".to_string(),
        };
        let verdict = if self.healthy() { "ok" } else { "unavailable" };
        format!("{verdict}: {gateway}; {knowledge}\n")
    }
}
