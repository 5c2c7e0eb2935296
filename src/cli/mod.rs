//! The command line: `ask`, `chat`, `check`, `eval`, `topics`. Each command is a few lines:
//! call the engine, render, print.

mod ask;
mod chat;
mod check;
mod eval;
mod serve;
mod topics;

use std::path::PathBuf;

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
        Command::Check { dir, json } => check::run(dir.as_deref().unwrap_or(&cli.knowledge), json),
        Command::Eval { file, json } => eval::run(&cli.knowledge, &file, json),
        Command::Topics => topics::run(&cli.knowledge),
        Command::Serve { config } => serve::run(&cli.knowledge, config.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("medfaq: {e:#}");
            EXIT_ERROR
        }
    }
}

/// Loads the engine, with an error that says what to fix.
fn load_engine(dir: &std::path::Path) -> anyhow::Result<crate::Engine> {
    crate::Engine::load(dir).map_err(|e| match e {
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
    })
}
