//! The library's error type: every failure names what went wrong and where.

use std::path::{Path, PathBuf};

use crate::finding::Finding;

/// Everything that can go wrong in the medfaq library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read.
    #[error("could not read {}: {source}", path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A knowledge file is not valid YAML or does not have the expected shape.
    #[error("{}:{line}: {message}", path.display())]
    ParseYaml {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The knowledge base loaded but has problems that stop it from being served.
    #[error("the knowledge base has {} problem(s); first: {}", findings.len(), findings.first().map(ToString::to_string).unwrap_or_default())]
    Invalid {
        /// Every problem found.
        findings: Vec<Finding>,
    },
    /// The configuration is wrong: a value in the config file, or in the environment.
    #[error("{}{message}", place(path.as_deref(), *line))]
    Config {
        /// The config file, when the problem is in one and it has been named.
        path: Option<PathBuf>,
        /// 1-based line in the config text, when known.
        line: Option<usize>,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The store (the SQLite file or the PostgreSQL server) could not be opened, read or
    /// written.
    #[error("storage {store}: {message}")]
    Storage {
        /// Which store, without credentials (`sqlite medfaq.db`, `postgres 127.0.0.1:5432/medfaq`).
        store: String,
        /// What went wrong; never holds stored values such as a member's words.
        message: String,
    },
    /// A storage call the runtime stopped because the bot is shutting down: not a failure
    /// of the store, so it starts no outage and logs no warning.
    #[error("storage {store}: stopped because the bot is shutting down")]
    StorageStopped {
        /// Which store, without credentials.
        store: String,
    },
}

/// Where a config problem is, as a prefix: `FILE:LINE: `, `FILE: `, `:LINE: `, or nothing
/// when the problem is not in a file.
fn place(path: Option<&Path>, line: Option<usize>) -> String {
    let mut out = path.map(|p| p.display().to_string()).unwrap_or_default();
    if let Some(line) = line {
        out.push_str(&format!(":{line}"));
    }
    if !out.is_empty() {
        out.push_str(": ");
    }
    out
}

/// A `Result` with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
