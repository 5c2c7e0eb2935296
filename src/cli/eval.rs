//! `medfaq eval FILE`: the six metrics with their bars, and every miss. Exit 1 if a bar is
//! missed.

use std::path::Path;

use crate::eval::{Expect, Report};

pub(super) fn run(dir: &Path, file: &Path, json: bool) -> anyhow::Result<u8> {
    let engine = super::load_engine(dir)?;
    let items = crate::eval::load(file)?;
    let report = crate::eval::score(&engine, &items);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    Ok(if report.passes() {
        super::EXIT_OK
    } else {
        super::EXIT_FINDINGS
    })
}

fn print_text(report: &Report) {
    println!("{} questions\n", report.questions);
    println!("{:<20} {:>7}  {:>8}  over", "metric", "value", "bar");
    for m in &report.metrics {
        println!(
            "{:<20} {:>7.3}  {} {:<5.2}  {:>4}  {}",
            m.name,
            m.value,
            if m.at_least { ">=" } else { "<=" },
            m.bar,
            m.over,
            if m.passes() { "ok" } else { "MISSED" }
        );
    }
    if !report.kinds.is_empty() {
        println!(
            "\n{:<12} {:>9} {:>11} {:>14}",
            "kind", "questions", "recognised", "led with kind"
        );
        for k in &report.kinds {
            println!(
                "{:<12} {:>9} {:>11} {:>14}",
                k.kind, k.questions, k.recognised, k.led_with_kind
            );
        }
    }
    if !report.misses.is_empty() {
        println!("\n{} miss(es):", report.misses.len());
        for m in &report.misses {
            let expect = match &m.expect {
                Expect::Entries(ids) => ids.join(" | "),
                Expect::NoMatch => "no_match".to_string(),
                Expect::Emergency => "emergency".to_string(),
            };
            println!(
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
            );
        }
    }
}
