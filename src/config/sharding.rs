//! The `[sharding]` table: which of the bot's shards this process runs.

use serde::Deserialize;

use super::{config_error, Config};
use crate::error::Result;

/// The `[sharding]` table: empty means Discord's recommended shard count, all in this process.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShardingConfig {
    /// Total shards across every process.
    pub total: Option<u32>,
    /// First shard this process runs (inclusive); 0 when unset.
    pub first: Option<u32>,
    /// Last shard this process runs (inclusive); `total - 1` when unset.
    pub last: Option<u32>,
}

/// Which shards to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    /// As many as Discord recommends, all in this process.
    Auto,
    /// Shards `first..=last` of `total`.
    Range {
        /// First shard, inclusive.
        first: u32,
        /// Last shard, inclusive.
        last: u32,
        /// Total shards across every process.
        total: u32,
    },
}

impl Shards {
    /// Returns true if and only if this process runs shard 0, the one that receives direct
    /// messages and registers the commands.
    pub fn includes_first(self) -> bool {
        match self {
            Shards::Auto => true,
            Shards::Range { first, .. } => first == 0,
        }
    }
}

impl Config {
    /// The shards this process runs, from `[sharding]`.
    pub fn shards(&self) -> Result<Shards> {
        let s = &self.sharding;
        let Some(total) = s.total else {
            if s.first.is_some() || s.last.is_some() {
                return Err(config_error(
                    "sharding.first and sharding.last need sharding.total",
                ));
            }
            return Ok(Shards::Auto);
        };
        if total == 0 {
            return Err(config_error("sharding.total must be at least 1"));
        }
        let first = s.first.unwrap_or(0);
        let last = s.last.unwrap_or(total - 1);
        if first > last || last >= total {
            return Err(config_error(format!(
                "sharding.first ({first}) and sharding.last ({last}) must satisfy \
                 first <= last < total ({total}); both ends are inclusive"
            )));
        }
        Ok(Shards::Range { first, last, total })
    }
}
