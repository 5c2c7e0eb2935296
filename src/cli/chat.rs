//! `medfaq chat`: a terminal conversation that behaves as the bot does in a direct message,
//! including picking a "did you mean…" choice by number.

use std::io::Write;
use std::path::Path;

use crate::engine::Engine;

pub(super) fn run(dir: &Path, region: Option<&str>) -> anyhow::Result<u8> {
    let engine = super::load_engine(dir)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", intro(&engine))?;
    let mut pending: Vec<String> = Vec::new();
    loop {
        write!(out, "\n> ")?;
        out.flush()?;
        let Some(line) = super::ask::read_line(&mut input)? else {
            writeln!(out)?;
            break;
        };
        let text = line.trim();
        if matches!(text, "quit" | "exit" | "/quit" | "/exit") {
            break;
        }
        if text.is_empty() {
            continue;
        }
        if !pending.is_empty() {
            if let Ok(n) = text.parse::<usize>() {
                let reply = match n {
                    0 => None,
                    n => pending
                        .get(n - 1)
                        .and_then(|id| engine.entry_reply(id, region)),
                };
                pending.clear();
                match reply {
                    Some(r) => write!(out, "\n{}", r.to_text())?,
                    None => writeln!(
                        out,
                        "\nOkay. Try asking in other words, or type `topics` to browse."
                    )?,
                }
                continue;
            }
        }
        pending.clear();
        if text == "topics" || text == "/topics" {
            for (topic, entries) in engine.knowledge().topics() {
                writeln!(out, "\n{topic}")?;
                for e in entries {
                    writeln!(out, "  - {}", e.title())?;
                }
            }
            continue;
        }
        if engine.is_greeting(text) {
            writeln!(out, "\n{}", intro(&engine))?;
            continue;
        }
        let r = engine.ask_in(text, region);
        write!(out, "\n{}", r.reply.to_text())?;
        if !r.reply.choices.is_empty() {
            writeln!(out)?;
            for (i, c) in r.reply.choices.iter().enumerate() {
                writeln!(out, "  {}. {}", i + 1, c.label)?;
            }
            writeln!(out, "  0. None of these")?;
            writeln!(out, "Type a number to choose.")?;
            pending = r.reply.choices.iter().map(|c| c.entry_id.clone()).collect();
        }
    }
    Ok(super::EXIT_OK)
}

fn intro(engine: &Engine) -> String {
    let kb = engine.knowledge();
    format!(
        "medfaq: answers about naltrexone and related medicines from {} curated, sourced entries.\n\
         Ask a question in your own words, type `topics` to browse, or `quit` to leave.\n\
         {}",
        kb.enabled().count(),
        kb.safety.disclaimer
    )
}
