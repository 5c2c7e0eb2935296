//! The command line: `ask`, `chat`, `check`, `eval`, `topics`, `serve`, and for the bot's
//! store `report` and `forget`. Each command is a few lines: call the library, render, print.

mod ask;
mod chat;
mod check;
mod eval;
mod forget;
mod out;
mod report;
mod serve;
mod topics;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the command ran and found problems (`check` findings, `eval` bars missed).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the command could not run (bad arguments, unreadable files, broken knowledge).
pub const EXIT_ERROR: u8 = 2;

/// Answers medication-safety questions from a curated, sourced knowledge base.
///
/// General information, not medical advice.
#[derive(Debug, Parser)]
#[command(name = "medfaq", version, about, long_about = None)]
pub struct Cli {
    /// The knowledge folder.
    #[arg(
        long,
        global = true,
        env = "MEDFAQ_KNOWLEDGE",
        default_value = "knowledge"
    )]
    pub knowledge: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer one question as a member would see it; with no question, answer one question per
    /// line of standard input.
    Ask {
        /// Print one JSON object per question, one per line.
        #[arg(long)]
        json: bool,
        /// Region for emergency numbers (US, CA, UK, IE, AU, NZ, INTL).
        #[arg(long)]
        region: Option<String>,
        /// Also show how the question was read: its tokens and the best-scoring entries (for
        /// curators tuning questions and the lexicon).
        #[arg(long, conflicts_with = "json")]
        explain: bool,
        /// The question; several words are joined with spaces.
        question: Vec<String>,
    },
    /// Talk to the bot in the terminal, as in a direct message.
    Chat {
        /// Region for emergency numbers.
        #[arg(long)]
        region: Option<String>,
    },
    /// Lint a knowledge folder: every problem with file, line and entry id.
    Check {
        /// The folder to check (defaults to --knowledge).
        dir: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Warn about entries whose `reviewed` date is more than this many days ago.
        #[arg(long, value_name = "N", default_value_t = crate::check::DEFAULT_REVIEW_MAX_DAYS)]
        review_max_days: u32,
    },
    /// Score an evaluation file and list every miss.
    Eval {
        /// A YAML list of `{q, expect}` items.
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List topics and entry titles.
    Topics,
    /// Run the Discord bot (token from DISCORD_TOKEN; settings from config.toml).
    Serve {
        /// The config file (default: config.toml when it exists; see config.example.toml).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// For curators: answers served and feedback per entry, unanswered questions grouped by
    /// similarity, and "did you mean" phrasings as YAML, from the bot's store.
    Report {
        /// Only what happened on or after this date (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: Option<crate::storage::Timestamp>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Which store.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Delete everything stored about one server: its settings, feedback, counters and logs.
    Forget {
        /// The server (guild) id.
        #[arg(long, value_name = "ID", value_parser = clap::value_parser!(u64).range(1..))]
        guild: u64,
        /// Which store.
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Which store `report` and `forget` read: the config's `[storage]`, or `--db`.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The config file whose `[storage]` names the store (default: config.toml when it
    /// exists, else medfaq.db in the current folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The store itself: an SQLite file or a postgres:// URL (MEDFAQ_STORAGE_URL keeps a
    /// password off the command line).
    #[arg(long, value_name = "PATH|URL", conflicts_with = "config")]
    pub db: Option<String>,
}

impl StoreArgs {
    /// The store these options name.
    fn location(&self) -> anyhow::Result<crate::config::StorageLocation> {
        use crate::config::{Config, StorageLocation, DEFAULT_CONFIG_FILE};
        if let Some(db) = &self.db {
            return Ok(StorageLocation::parse(db));
        }
        let config = Config::load_or_default(self.config.as_deref())?;
        let file = match &self.config {
            Some(path) => Some(path.as_path()),
            None => Some(std::path::Path::new(DEFAULT_CONFIG_FILE)),
        };
        Ok(config.storage.location(&Config::dir_of(file))?)
    }
}

/// Reads `--since`.
fn parse_date(text: &str) -> Result<crate::storage::Timestamp, String> {
    crate::storage::Timestamp::parse_date(text)
        .ok_or_else(|| format!("{text:?} is not a date; write it as YYYY-MM-DD"))
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Ask {
            json,
            region,
            explain,
            question,
        } => ask::run(
            &cli.knowledge,
            ask::Format { json, explain },
            region.as_deref(),
            &question,
        ),
        Command::Chat { region } => chat::run(&cli.knowledge, region.as_deref()),
        Command::Check {
            dir,
            json,
            review_max_days,
        } => check::run(
            dir.as_deref().unwrap_or(&cli.knowledge),
            json,
            review_max_days,
        ),
        Command::Eval { file, json } => eval::run(&cli.knowledge, &file, json),
        Command::Topics => topics::run(&cli.knowledge),
        Command::Serve { config } => serve::run(&cli.knowledge, config.as_deref()),
        Command::Report { since, json, store } => report::run(&cli.knowledge, &store, since, json),
        Command::Forget { guild, store } => forget::run(&store, guild),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`| head`): it has all it wanted, so end quietly.
        Err(e) if out::stdout_closed(&e) => EXIT_OK,
        Err(e) => {
            eprintln!("medfaq: {}", describe(&e));
            EXIT_ERROR
        }
    }
}

/// The error and its causes on one line, each cause once: a library error that already
/// quotes its cause (`could not read x: No such file…`) is not followed by the same text again.
fn describe(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}

/// How to point medfaq at a knowledge folder, for a message about one that cannot be read.
const POINT_AT_KNOWLEDGE: &str =
    "point medfaq at one with `--knowledge DIR` or the MEDFAQ_KNOWLEDGE environment variable";

/// Turns an error from loading the knowledge folder `dir` into one that says what to fix:
/// a folder that cannot be read is named, with where it was looked for and `how` to point
/// medfaq at another.
fn knowledge_error(dir: &Path, e: crate::Error, how: &str) -> anyhow::Error {
    match e {
        crate::Error::Read { path, source } if path == dir => {
            let looked = if dir.is_absolute() {
                String::new()
            } else {
                std::env::current_dir()
                    .map(|cwd| format!(" (looked for {})", cwd.join(dir).display()))
                    .unwrap_or_default()
            };
            anyhow::anyhow!(
                "could not read the knowledge folder {}{looked}: {source}; {how}",
                dir.display()
            )
        }
        crate::Error::Invalid { findings } => {
            let mut msg = format!(
                "the knowledge in {} has {} problem(s); run `medfaq check {}` for all of them:",
                dir.display(),
                findings.len(),
                dir.display()
            );
            for f in findings.iter().take(5) {
                msg.push_str(&format!("\n  {f}"));
            }
            anyhow::anyhow!(msg)
        }
        other => anyhow::Error::new(other),
    }
}

/// Loads the engine, with an error that says what to fix.
fn load_engine(dir: &Path) -> anyhow::Result<crate::Engine> {
    crate::Engine::load(dir).map_err(|e| knowledge_error(dir, e, POINT_AT_KNOWLEDGE))
}

/// Runs a future to completion on a small runtime of its own (for the store commands).
fn block_on<T>(future: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    use anyhow::Context as _;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?
        .block_on(future)
}

/// Opens a store that must already exist: a missing SQLite file is an error rather than a
/// new empty store.
async fn open_existing(
    location: &crate::config::StorageLocation,
) -> anyhow::Result<std::sync::Arc<dyn crate::storage::Store>> {
    if let crate::config::StorageLocation::Sqlite(path) = location {
        if !path.exists() {
            anyhow::bail!(
                "there is no store at {}: `medfaq serve` creates it on first start; pass \
                 --config FILE or --db PATH|URL to use another",
                path.display()
            );
        }
    }
    Ok(crate::storage::open(location).await?)
}
