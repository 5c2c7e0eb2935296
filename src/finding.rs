//! One problem found in the knowledge files, with where it is.
//!
//! It stands on its own, importing nothing of the crate, so that both [`crate::error`] (which
//! carries findings in [`crate::Error::Invalid`]) and [`crate::knowledge`] (which produces them)
//! can use it without importing each other.

use std::fmt;
use std::path::PathBuf;

/// One problem in the knowledge files, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (0 when the whole file is meant).
    pub line: usize,
    /// The entry concerned, if any.
    pub entry: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(id) = &self.entry {
            write!(f, ": entry `{id}`")?;
        }
        write!(f, ": {}", self.message)
    }
}
