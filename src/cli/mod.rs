//! The command line: `ask`, `chat`, `check`, `eval`, `topics`. Each command is a few lines:
//! call the engine, render, print.

mod ask;
mod chat;
mod check;
mod eval;
mod out;
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
