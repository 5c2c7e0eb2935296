//! `medfaq topics`: topics and entry titles.

use std::path::Path;

pub(super) fn run(dir: &Path) -> anyhow::Result<u8> {
    let engine = super::load_engine(dir)?;
    for (topic, entries) in engine.knowledge().topics() {
        println!("{topic}");
        for e in entries {
            println!("  {}  [{}]", e.title(), e.id);
        }
        println!();
    }
    Ok(super::EXIT_OK)
}
