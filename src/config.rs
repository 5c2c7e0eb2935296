//! The Discord bot's settings: a TOML file (see `config.example.toml`) plus the bot token,
//! which comes from the `DISCORD_TOKEN` environment variable and nowhere else.
//!
//! Every key is optional; unknown keys are errors that name the key, so a typo never silently
//! falls back to a default. A `token` key is refused: tokens do not belong in files that get
//! copied, committed or pasted into support threads.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

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
    fn check(&self) -> Result<()> {
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
fn config_error(message: impl Into<String>) -> Error {
    Error::Config {
        path: None,
        line: None,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn err(text: &str) -> String {
        Config::parse(text)
            .expect_err("should be refused")
            .to_string()
    }

    #[test]
    fn empty_config_is_all_defaults() {
        let c = Config::parse("").unwrap();
        assert_eq!(c, Config::default());
        assert!(!c.bot.answers_public);
        assert!(c.bot.answer_mentions);
        assert_eq!(c.bot.rate_limit_per_minute, DEFAULT_RATE_LIMIT_PER_MINUTE);
        assert!(c.discord.is_discord());
        assert_eq!(c.shards().unwrap(), Shards::Auto);
    }

    #[test]
    fn example_config_parses() {
        let text = include_str!("../config.example.toml");
        Config::parse(text).expect("config.example.toml is valid");
    }

    #[test]
    fn token_key_is_refused_anywhere() {
        for text in [
            "token = 'x'",
            "[bot]\ntoken = 'x'",
            "[discord]\nTOKEN = 'x'",
        ] {
            let e = err(text);
            assert!(e.contains("DISCORD_TOKEN"), "{e}");
            assert!(!e.contains("'x'"), "the value is never echoed: {e}");
        }
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let e = err("[bot]\nregion = 'US'\nanswers_pubic = true\n");
        assert!(e.starts_with(":3:"), "{e}");
        assert!(e.contains("answers_pubic"), "{e}");
        assert!(err("[bots]\n").contains("bots"));
    }

    #[test]
    fn shard_range_is_inclusive_and_checked() {
        let c = Config::parse("[sharding]\ntotal = 4\nfirst = 2\nlast = 3\n").unwrap();
        assert_eq!(
            c.shards().unwrap(),
            Shards::Range {
                first: 2,
                last: 3,
                total: 4
            }
        );
        assert!(!c.shards().unwrap().includes_first());
        let all = Config::parse("[sharding]\ntotal = 2\n").unwrap();
        assert_eq!(
            all.shards().unwrap(),
            Shards::Range {
                first: 0,
                last: 1,
                total: 2
            }
        );
        assert!(err("[sharding]\ntotal = 2\nlast = 2\n").contains("inclusive"));
        assert!(err("[sharding]\nfirst = 1\n").contains("sharding.total"));
    }

    #[test]
    fn nonsense_values_are_refused() {
        assert!(err("[bot]\nrate_limit_per_minute = 0\n").contains("at least 1"));
        assert!(err("[discord]\napi_url = 'discord.com'\n").contains("api_url"));
    }

    #[test]
    fn storage_defaults_to_sqlite_beside_the_config() {
        let c = Config::parse("").unwrap();
        let dir = Path::new("/etc/medfaq");
        assert_eq!(
            c.storage.location_with(dir, None).unwrap(),
            StorageLocation::Sqlite(dir.join(DEFAULT_STORAGE_FILE))
        );
        assert!(!c.storage.unanswered_log);
        let c = Config::parse("[storage]\npath = 'data/bot.db'\n").unwrap();
        assert_eq!(
            c.storage.location_with(dir, None).unwrap(),
            StorageLocation::Sqlite(dir.join("data/bot.db"))
        );
        assert_eq!(
            Config::dir_of(Some(Path::new("config.toml"))),
            Path::new(".")
        );
        assert_eq!(Config::dir_of(Some(dir.join("c.toml").as_path())), dir);
    }

    #[test]
    fn storage_url_comes_from_the_environment_first() {
        let c = Config::parse("[storage]\nurl = 'postgres://a@db1/medfaq'\n").unwrap();
        let here = Path::new(".");
        assert_eq!(
            c.storage.location_with(here, None).unwrap(),
            StorageLocation::Postgres("postgres://a@db1/medfaq".into())
        );
        assert_eq!(
            c.storage
                .location_with(here, Some("postgresql://b:pw@db2/x".into()))
                .unwrap(),
            StorageLocation::Postgres("postgresql://b:pw@db2/x".into())
        );
        assert!(c
            .storage
            .location_with(here, Some("medfaq.db".into()))
            .is_err());
    }

    #[test]
    fn storage_location_never_shows_the_password() {
        #[track_caller]
        fn case(value: &str, shown: &str) {
            let location = StorageLocation::parse(value);
            assert_eq!(location.to_string(), shown);
            assert_eq!(format!("{location:?}"), format!("StorageLocation({shown})"));
        }
        case(
            "postgres://medfaq:s3cret@db:5432/medfaq",
            "postgres db:5432/medfaq",
        );
        case(
            "postgresql://db/medfaq?password=s3cret",
            "postgres db/medfaq",
        );
        case("postgres://u:p@ss@host/db", "postgres host/db");
        case("medfaq.db", "sqlite medfaq.db");
    }

    #[test]
    fn storage_nonsense_is_refused() {
        assert!(err("[storage]\npath = 'a.db'\nurl = 'postgres://h/db'\n").contains("both"));
        let e = err("[storage]\nurl = 'mysql://u:s3cret@h/db'\n");
        assert!(e.contains("postgres://") && !e.contains("s3cret"), "{e}");
        assert!(err("[storage]\nunanswered_retention_days = 0\n").contains("1 to"));
        assert!(err("[storage]\nunanswered_retention_days = 400\n").contains("1 to"));
        assert!(err("[storage]\nfeedback_retention_days = 0\n").contains("at least 1"));
        assert!(err("[storage]\nretention = 3\n").contains("retention"));
    }

    #[test]
    fn missing_or_blank_token_names_the_variable() {
        assert!(token_from(None)
            .unwrap_err()
            .to_string()
            .contains(TOKEN_ENV));
        assert!(token_from(Some("  ".into())).is_err());
        assert_eq!(token_from(Some(" abc \n".into())).unwrap(), "abc");
    }
}
