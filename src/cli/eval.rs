//! `medfaq eval FILE`: the six metrics with their bars, and every miss. Exit 1 if a bar is
//! missed.

use std::io::Write;
use std::path::Path;

use crate::eval::{Expect, Report};

use super::out::Out;

pub(super) fn run(dir: &Path, file: &Path, json: bool) -> anyhow::Result<u8> {
    let engine = super::load_engine(dir)?;
    let text = std::fs::read_to_string(file).map_err(|source| crate::Error::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let items = crate::eval::parse(file, &text)?;
    let unknown = crate::eval::unknown_ids(file, &text, engine.knowledge());
    if !unknown.is_empty() {
        let mut msg = format!(
            "{} expects {} id(s) that are not entries of the knowledge in {}; correct them:",
            file.display(),
            unknown.len(),
            dir.display()
        );
        for u in &unknown {
            msg.push_str(&format!("\n  {}:{}: `{}`", file.display(), u.line, u.id));
            if let Some(s) = &u.suggestion {
                msg.push_str(&format!(" (did you mean `{s}`?)"));
            }
        }
        anyhow::bail!(msg);
    }
    let report = crate::eval::score(&engine, &items);
    let mut out = Out::new();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print_text(&mut out, &report)?;
    }
    out.flush()?;
    Ok(if report.passes() {
        super::EXIT_OK
    } else {
        super::EXIT_FINDINGS
    })
}

fn print_text(out: &mut Out, report: &Report) -> std::io::Result<()> {
    writeln!(out, "{} questions\n", report.questions)?;
    writeln!(out, "{:<20} {:>7}  {:>8}  over", "metric", "value", "bar")?;
    for m in &report.metrics {
        writeln!(
            out,
            "{:<20} {:>7.3}  {} {:<5.2}  {:>4}  {}",
            m.name,
            m.value,
            if m.at_least { ">=" } else { "<=" },
            m.bar,
            m.over,
            if m.passes() { "ok" } else { "MISSED" }
        )?;
    }
    if !report.kinds.is_empty() {
        writeln!(
            out,
            "\n{:<12} {:>9} {:>11} {:>14}",
            "kind", "questions", "recognised", "led with kind"
        )?;
        for k in &report.kinds {
            writeln!(
                out,
                "{:<12} {:>9} {:>11} {:>14}",
                k.kind, k.questions, k.recognised, k.led_with_kind
            )?;
        }
    }
    if !report.misses.is_empty() {
        writeln!(out, "\n{} miss(es):", report.misses.len())?;
        for m in &report.misses {
            let expect = match &m.expect {
                Expect::Entries(ids) => ids.join(" | "),
                Expect::NoMatch => "no_match".to_string(),
                Expect::Emergency => "emergency".to_string(),
            };
            writeln!(
                out,
                "{} {:?}\n    expected {expect}; got {}{}{}{}",
                if m.wrong_answer { "WRONG" } else { "miss " },
                m.q,
                m.outcome.as_str(),
                m.entry_id
                    .as_deref()
                    .map(|id| format!(" {id}"))
                    .unwrap_or_default(),
                if m.alternatives.is_empty() {
                    String::new()
                } else {
                    format!(" (alternatives: {})", m.alternatives.join(", "))
                },
                if m.kinds.is_empty() {
                    String::new()
                } else {
                    let kinds: Vec<&str> = m.kinds.iter().map(|k| k.as_str()).collect();
                    format!(" (led with {})", kinds.join(", "))
                }
            )?;
        }
    }
    Ok(())
}
