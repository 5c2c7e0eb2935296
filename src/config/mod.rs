//! The Discord bot's settings: a TOML file (see `config.example.toml`) plus the bot token,
//! which comes from the `DISCORD_TOKEN` environment variable and nowhere else.
//!
//! Every key is optional; unknown keys are errors that name the key, so a typo never silently
//! falls back to a default. A `token` key is refused: tokens do not belong in files that get
//! copied, committed or pasted into support threads.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

mod metrics;
mod sharding;
mod storage;

pub use metrics::MetricsConfig;
pub use sharding::{ShardingConfig, Shards};
pub use storage::{
    redact_url, StorageConfig, StorageLocation, DEFAULT_FEEDBACK_RETENTION_DAYS,
    DEFAULT_STORAGE_FILE, DEFAULT_UNANSWERED_RETENTION_DAYS, MAX_UNANSWERED_RETENTION_DAYS,
    STORAGE_URL_ENV,
};

/// The environment variable that holds the bot token.
pub const TOKEN_ENV: &str = "DISCORD_TOKEN";

/// The file `medfaq serve` reads when `--config` is not given and it exists.
pub const DEFAULT_CONFIG_FILE: &str = "config.toml";

/// Discord's own API address; anything else is a stand-in for tests.
pub const DISCORD_API_URL: &str = "https://discord.com";

/// Questions a member may ask per minute by default: enough for a real conversation, too few
/// to flood a channel or use the bot as a spam relay.
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 6;

/// Seconds to let answers in flight finish after SIGINT/SIGTERM: an answer takes
/// milliseconds, so this only waits for slow REST calls, and stays well under systemd's
/// default 90 s stop timeout.
pub const DEFAULT_SHUTDOWN_GRACE_SECONDS: u64 = 10;

/// The log filter when neither the config nor `RUST_LOG` sets one: one line per question,
/// and only warnings from serenity (its info lines are per-connection chatter).
pub const DEFAULT_LOG_LEVEL: &str = "info,serenity=warn";

/// All settings of `medfaq serve`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// How the bot behaves towards members.
    pub bot: BotConfig,
    /// Where Discord is.
    pub discord: DiscordConfig,
    /// Which shards this process runs.
    pub sharding: ShardingConfig,
    /// Where per-server settings, feedback and counts are kept, and the servers' defaults.
    pub storage: StorageConfig,
    /// Where `/healthz` and `/metrics` are served, if anywhere.
    pub metrics: MetricsConfig,
}

/// The `[bot]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BotConfig {
    /// Region whose emergency numbers are shown (US, CA, UK, IE, AU, NZ, INTL); the
    /// knowledge's default region when unset.
    pub region: Option<String>,
    /// Returns answers in servers visibly to the whole channel when true; by default only the
    /// asker sees them (health questions carry stigma). `/ask public:true` overrides per
    /// question.
    pub answers_public: bool,
    /// Answers messages in server channels that mention the bot.
    pub answer_mentions: bool,
    /// Guild ids to register the slash commands in (instant updates, good for testing);
    /// empty registers them globally.
    pub guilds: Vec<u64>,
    /// Questions one member may ask per minute.
    pub rate_limit_per_minute: u32,
    /// The knowledge folder; the command line's `--knowledge` when unset.
    pub knowledge: Option<PathBuf>,
    /// Watches the knowledge folder and reloads it when files change.
    pub watch_knowledge: bool,
    /// The log filter (`info`, `debug`, or a `tracing` filter); `RUST_LOG` wins when set.
    pub log_level: Option<String>,
    /// Seconds to wait for answers in flight at shutdown.
    pub shutdown_grace_seconds: u64,
}

impl Default for BotConfig {
    fn default() -> BotConfig {
        BotConfig {
            region: None,
            answers_public: false,
            answer_mentions: true,
            guilds: Vec::new(),
            rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
            knowledge: None,
            watch_knowledge: true,
            log_level: None,
            shutdown_grace_seconds: DEFAULT_SHUTDOWN_GRACE_SECONDS,
        }
    }
}

/// The `[discord]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordConfig {
    /// Base URL of Discord's REST API. A testing aid: point it at a local Discord stand-in
    /// (such as the one in medfaq's test suite). Any other value than Discord's own sends
    /// every request there and turns serenity's client-side rate limiter off.
    pub api_url: String,
}

impl Default for DiscordConfig {
    fn default() -> DiscordConfig {
        DiscordConfig {
            api_url: DISCORD_API_URL.to_string(),
        }
    }
}

impl DiscordConfig {
    /// Returns true if and only if the bot talks to Discord itself rather than a stand-in.
    pub fn is_discord(&self) -> bool {
        self.api_url.trim_end_matches('/') == DISCORD_API_URL
    }
}

impl Config {
    /// Reads the config file at `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text).map_err(|e| match e {
            Error::Config {
                path: None,
                line,
                message,
            } => Error::Config {
                path: Some(path.to_path_buf()),
                line,
                message,
            },
            other => other,
        })
    }

    /// Reads `path` when given, else [`DEFAULT_CONFIG_FILE`] when it exists, else defaults.
    pub fn load_or_default(path: Option<&Path>) -> Result<Config> {
        match path {
            Some(p) => Config::load(p),
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => {
                Config::load(Path::new(DEFAULT_CONFIG_FILE))
            }
            None => Ok(Config::default()),
        }
    }

    /// Parses and checks config text. Errors carry the line when known but no file:
    /// [`Config::load`] fills that in.
    pub fn parse(text: &str) -> Result<Config> {
        let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        if let Some(place) = find_token_key(&table) {
            return Err(config_error(format!(
                "`{place}` is not allowed: the bot token is read only from the {TOKEN_ENV} \
                 environment variable, so it never ends up in a file that gets copied or \
                 committed; remove the key and set {TOKEN_ENV} instead"
            )));
        }
        let config: Config = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        config.check()?;
        Ok(config)
    }

    /// Checks values that parse but make no sense.
    fn check(&self) -> Result<()> {
        let bad = |msg: String| Err(config_error(msg));
        if self.bot.rate_limit_per_minute == 0 {
            return bad("bot.rate_limit_per_minute must be at least 1".into());
        }
        let url = &self.discord.api_url;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return bad(format!(
                "discord.api_url must start with https:// or http:// (got {url:?}); leave it \
                 out to use {DISCORD_API_URL}"
            ));
        }
        self.storage.check()?;
        self.shards().map(|_| ())
    }

    /// The folder a config file's relative paths are relative to: the file's own folder, or
    /// the current folder when there is no file.
    pub fn dir_of(path: Option<&Path>) -> PathBuf {
        match path.and_then(Path::parent) {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// Reads the bot token from [`TOKEN_ENV`].
pub fn token_from_env() -> Result<String> {
    token_from(std::env::var(TOKEN_ENV).ok())
}

/// Checks a token value read from the environment.
pub fn token_from(value: Option<String>) -> Result<String> {
    match value.map(|v| v.trim().to_string()) {
        Some(t) if !t.is_empty() => Ok(t),
        _ => Err(config_error(format!(
            "set {TOKEN_ENV} to the bot's token (Discord developer portal → your application → \
             Bot → Reset Token); it is read only from the environment"
        ))),
    }
}

/// Where a key named `token` hides in the config, if anywhere ("token", "bot.token").
fn find_token_key(table: &toml::Table) -> Option<String> {
    for (key, value) in table {
        if key.eq_ignore_ascii_case("token") || key.eq_ignore_ascii_case("discord_token") {
            return Some(key.clone());
        }
        if let toml::Value::Table(inner) = value {
            if let Some(found) = find_token_key(inner) {
                return Some(format!("{key}.{found}"));
            }
        }
    }
    None
}

/// One line from a TOML error, with its line, without the source snippet (which could
/// show a secret pasted into the file).
fn toml_error(text: &str, e: &toml::de::Error) -> Error {
    let message = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            Error::Config {
                path: None,
                line: Some(line),
                message,
            }
        }
        None => config_error(message),
    }
}

/// A config problem not tied to a line; [`Config::load`] adds the file.
pub(crate) fn config_error(message: impl Into<String>) -> Error {
    Error::Config {
        path: None,
        line: None,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests;
