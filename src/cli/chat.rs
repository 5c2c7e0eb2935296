//! `medfaq chat`: a terminal conversation that behaves as the bot does in a direct message,
//! including picking a "did you mean…" choice by number and browsing `topics` by number.

use std::io::Write;
use std::path::Path;

use crate::engine::Engine;

use super::out::Out;

/// The numbered list on screen, which decides what a number typed next picks.
enum Menu {
    /// Nothing numbered: a number is asked like any other question.
    Nothing,
    /// "Did you mean…" choices (entry ids); 0 is "none of these".
    Choices(Vec<String>),
    /// The topics listed by `topics` (topic names).
    Topics(Vec<String>),
    /// One topic's entries (entry ids).
    Entries(Vec<String>),
}

pub(super) fn run(dir: &Path, region: Option<&str>) -> anyhow::Result<u8> {
    let engine = super::load_engine(dir)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = Out::new();
    writeln!(out, "{}", intro(&engine))?;
    let mut menu = Menu::Nothing;
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
        if let Ok(n) = text.parse::<usize>() {
            if !matches!(menu, Menu::Nothing) {
                menu = pick(&engine, &mut out, menu, n, region)?;
                continue;
            }
        }
        menu = Menu::Nothing;
        if text == "topics" || text == "/topics" {
            menu = list_topics(&engine, &mut out)?;
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
            menu = Menu::Choices(r.reply.choices.iter().map(|c| c.entry_id.clone()).collect());
        }
    }
    out.flush()?;
    Ok(super::EXIT_OK)
}

/// Acts on number `n` typed while `menu` is on screen; returns the menu on screen afterwards.
fn pick(
    engine: &Engine,
    out: &mut Out,
    menu: Menu,
    n: usize,
    region: Option<&str>,
) -> anyhow::Result<Menu> {
    let chosen = |items: &[String]| n.checked_sub(1).and_then(|i| items.get(i)).cloned();
    match menu {
        Menu::Nothing => Ok(Menu::Nothing),
        Menu::Choices(ids) => {
            match chosen(&ids).and_then(|id| engine.entry_reply(&id, region)) {
                Some(r) => write!(out, "\n{}", r.to_text())?,
                None => writeln!(
                    out,
                    "\nOkay. Try asking in other words, or type `topics` to browse."
                )?,
            }
            Ok(Menu::Nothing)
        }
        Menu::Topics(names) => {
            let Some(name) = chosen(&names) else {
                writeln!(
                    out,
                    "\nThere is no topic {n}; type a number from 1 to {}, or ask a question.",
                    names.len()
                )?;
                return Ok(Menu::Topics(names));
            };
            let topics = engine.knowledge().topics();
            let entries = topics
                .iter()
                .find(|(t, _)| *t == name)
                .map(|(_, entries)| entries.as_slice())
                .unwrap_or_default();
            writeln!(out, "\n{name}")?;
            for (i, e) in entries.iter().enumerate() {
                writeln!(out, "  {}. {}", i + 1, e.title())?;
            }
            writeln!(out, "Type a number to read one, or ask a question.")?;
            Ok(Menu::Entries(
                entries.iter().map(|e| e.id.clone()).collect(),
            ))
        }
        Menu::Entries(ids) => match chosen(&ids).and_then(|id| engine.entry_reply(&id, region)) {
            Some(r) => {
                write!(out, "\n{}", r.to_text())?;
                Ok(Menu::Nothing)
            }
            None => {
                writeln!(
                    out,
                    "\nThere is no entry {n} here; type a number from 1 to {}, or ask a question.",
                    ids.len()
                )?;
                Ok(Menu::Entries(ids))
            }
        },
    }
}

/// Prints the topics, numbered, and returns the menu they make.
fn list_topics(engine: &Engine, out: &mut Out) -> anyhow::Result<Menu> {
    let topics = engine.knowledge().topics();
    writeln!(out, "\nTopics:")?;
    for (i, (topic, entries)) in topics.iter().enumerate() {
        writeln!(out, "  {}. {topic} ({})", i + 1, entries.len())?;
    }
    writeln!(out, "Type a number to open a topic, or ask a question.")?;
    Ok(Menu::Topics(topics.into_iter().map(|(t, _)| t).collect()))
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
