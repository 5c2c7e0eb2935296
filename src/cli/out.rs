//! Standard output for the commands, and what a closed pipe means.
//!
//! Every command prints through [`Out`] rather than `println!`, which panics when the reader
//! has gone away (`medfaq check | head`). A write to a closed pipe fails with an error that
//! [`stdout_closed`] recognises, and [`super::run`] ends the command quietly with exit 0, as
//! other Unix tools do.

use std::io::{self, BufWriter, StdoutLock, Write};

/// The marker inside the `io::Error` that a write to a closed standard output returns.
#[derive(Debug)]
struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Buffered, locked standard output whose writes report a closed pipe as [`StdoutClosed`].
pub(super) struct Out {
    inner: BufWriter<StdoutLock<'static>>,
}

impl Out {
    /// Locks standard output for the rest of the command.
    pub(super) fn new() -> Out {
        Out {
            inner: BufWriter::new(io::stdout().lock()),
        }
    }
}

/// Marks a broken pipe so it is told apart from any other `BrokenPipe` (a network socket in
/// `serve`, say), which must stay an error.
fn mark(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        io::Error::new(io::ErrorKind::BrokenPipe, StdoutClosed)
    } else {
        e
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(mark)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf).map_err(mark)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(mark)
    }
}

/// Returns true if and only if `e` was caused by a write to a closed standard output.
pub(super) fn stdout_closed(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
            .is_some_and(|inner| inner.is::<StdoutClosed>())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_marked_broken_pipe_counts_as_stdout_closed() {
        let marked = anyhow::Error::new(mark(io::Error::from(io::ErrorKind::BrokenPipe)));
        assert!(stdout_closed(&marked));
        let wrapped = marked.context("while printing");
        assert!(stdout_closed(&wrapped));
        let socket = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(!stdout_closed(&socket));
        let other = anyhow::Error::new(mark(io::Error::from(io::ErrorKind::NotFound)));
        assert!(!stdout_closed(&other));
    }
}
