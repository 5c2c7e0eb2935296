//! The `[storage]` table and where the store is: an SQLite file or a PostgreSQL server.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::config_error;
use crate::error::Result;

/// The environment variable that, when set, names the PostgreSQL store instead of
/// `[storage] url`, so a database password can stay out of the config file.
pub const STORAGE_URL_ENV: &str = "MEDFAQ_STORAGE_URL";

/// The SQLite file, beside the config file, when `[storage]` names no store.
pub const DEFAULT_STORAGE_FILE: &str = "medfaq.db";

/// Days a server's unanswered-question log is kept by default: long enough for a curator's
/// monthly review, short enough that members' words do not pile up.
pub const DEFAULT_UNANSWERED_RETENTION_DAYS: u32 = 30;

/// The longest retention a server may choose for its unanswered-question log: a quarter
/// covers any review cycle; longer keeps members' words for no curation benefit.
pub const MAX_UNANSWERED_RETENTION_DAYS: u32 = 90;

/// Days feedback (and a report's short comment) is kept by default: a year of trends for
/// the curators, then it goes.
pub const DEFAULT_FEEDBACK_RETENTION_DAYS: u32 = 365;

/// The `[storage]` table: which store keeps per-server settings, feedback, answer counts and
/// (for servers that opt in) unanswered questions, and the defaults for servers that have not
/// chosen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// The SQLite file; a relative path is relative to the config file's folder. Unset (and no
    /// `url`): [`DEFAULT_STORAGE_FILE`] beside the config file.
    pub path: Option<PathBuf>,
    /// A PostgreSQL URL (`postgres://user@host/db`) for several processes sharing one store;
    /// [`STORAGE_URL_ENV`] wins when set.
    pub url: Option<String>,
    /// Logs questions that got no answer, and "did you mean" picks, in servers that have not
    /// chosen (servers choose with `/settings`); direct messages are never logged.
    pub unanswered_log: bool,
    /// Days the unanswered-question log is kept in servers that have not chosen.
    pub unanswered_retention_days: u32,
    /// Days feedback is kept.
    pub feedback_retention_days: u32,
}

impl Default for StorageConfig {
    fn default() -> StorageConfig {
        StorageConfig {
            path: None,
            url: None,
            unanswered_log: false,
            unanswered_retention_days: DEFAULT_UNANSWERED_RETENTION_DAYS,
            feedback_retention_days: DEFAULT_FEEDBACK_RETENTION_DAYS,
        }
    }
}

/// Where the store is: an SQLite file or a PostgreSQL server.
#[derive(Clone, PartialEq, Eq)]
pub enum StorageLocation {
    /// An SQLite file, created with its schema on first open.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (which may hold a password: print it only through `Display`, which
    /// leaves the credentials out).
    Postgres(String),
}

impl StorageLocation {
    /// Reads a `--db` value: a `postgres://` or `postgresql://` URL, or else a file path.
    pub fn parse(value: &str) -> StorageLocation {
        if is_postgres_url(value) {
            StorageLocation::Postgres(value.to_string())
        } else {
            StorageLocation::Sqlite(PathBuf::from(value))
        }
    }
}

impl std::fmt::Display for StorageLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageLocation::Sqlite(path) => write!(f, "sqlite {}", path.display()),
            StorageLocation::Postgres(url) => write!(f, "postgres {}", redact_url(url)),
        }
    }
}

impl std::fmt::Debug for StorageLocation {
    // Debug output ends up in logs and panics too: never with the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StorageLocation({self})")
    }
}

/// Returns true if and only if `value` is a PostgreSQL URL.
fn is_postgres_url(value: &str) -> bool {
    value.starts_with("postgres://") || value.starts_with("postgresql://")
}

/// A PostgreSQL URL with the user, password and query (which may hold a password) left out:
/// `postgres://u:pw@host:5432/db?sslmode=…` becomes `host:5432/db`.
pub fn redact_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.to_string()
}

impl StorageConfig {
    /// The store to open: [`STORAGE_URL_ENV`] when set, else `url`, else `path` (relative to
    /// `config_dir`), else [`DEFAULT_STORAGE_FILE`] in `config_dir`.
    pub fn location(&self, config_dir: &Path) -> Result<StorageLocation> {
        self.location_with(config_dir, std::env::var(STORAGE_URL_ENV).ok())
    }

    /// [`StorageConfig::location`] with the environment variable's value passed in.
    pub fn location_with(
        &self,
        config_dir: &Path,
        env_url: Option<String>,
    ) -> Result<StorageLocation> {
        if let Some(url) = env_url.filter(|u| !u.trim().is_empty()) {
            let url = url.trim().to_string();
            if !is_postgres_url(&url) {
                return Err(config_error(format!(
                    "{STORAGE_URL_ENV} must be a postgres:// or postgresql:// URL; unset it to \
                     use the config's [storage]"
                )));
            }
            return Ok(StorageLocation::Postgres(url));
        }
        if let Some(url) = &self.url {
            return Ok(StorageLocation::Postgres(url.clone()));
        }
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_STORAGE_FILE));
        Ok(StorageLocation::Sqlite(if path.is_absolute() {
            path
        } else {
            config_dir.join(path)
        }))
    }

    /// Checks values that parse but make no sense.
    pub(super) fn check(&self) -> Result<()> {
        let bad = |msg: String| Err(config_error(msg));
        if self.path.is_some() && self.url.is_some() {
            return bad(
                "storage.path and storage.url are both set; keep path for an SQLite file or \
                 url for PostgreSQL"
                    .into(),
            );
        }
        if let Some(url) = &self.url {
            if !is_postgres_url(url) {
                // The URL is not echoed: it may hold a password.
                return bad(
                    "storage.url must start with postgres:// or postgresql://; for an SQLite \
                     file use storage.path"
                        .into(),
                );
            }
        }
        let days = self.unanswered_retention_days;
        if !(1..=MAX_UNANSWERED_RETENTION_DAYS).contains(&days) {
            return bad(format!(
                "storage.unanswered_retention_days must be 1 to {MAX_UNANSWERED_RETENTION_DAYS} \
                 (got {days})"
            ));
        }
        if self.feedback_retention_days == 0 {
            return bad("storage.feedback_retention_days must be at least 1".into());
        }
        Ok(())
    }
}
