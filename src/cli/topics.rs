//! `medfaq topics`: topics and entry titles.

use std::io::Write;
use std::path::Path;

pub(super) fn run(dir: &Path) -> anyhow::Result<u8> {
    let engine = super::load_engine(dir)?;
    let mut out = super::out::Out::new();
    for (topic, entries) in engine.knowledge().topics() {
        writeln!(out, "{topic}")?;
        for e in entries {
            writeln!(out, "  {}  [{}]", e.title(), e.id)?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(super::EXIT_OK)
}
