//! `medfaq ask`: one question from the arguments, or one per line of standard input.

use std::io::{BufRead, Write};
use std::path::Path;

use crate::engine::{Engine, Response};

/// The longest line read from standard input; the rest of a longer line is skipped so a
/// runaway input cannot exhaust memory. The engine reads far less than this anyway.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// How to print answers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Format {
    /// One JSON object per line.
    pub json: bool,
    /// Add the tokens and the best-scoring entries.
    pub explain: bool,
}

pub(super) fn run(
    dir: &Path,
    format: Format,
    region: Option<&str>,
    question: &[String],
) -> anyhow::Result<u8> {
    let engine = super::load_engine(dir)?;
    let mut out = super::out::Out::new();
    if !question.is_empty() {
        let q = question.join(" ");
        if format.explain {
            explain(&engine, &mut out, &q)?;
        }
        let r = engine.ask_in(&q, region);
        print(&mut out, &r, format.json)?;
        out.flush()?;
        return Ok(super::EXIT_OK);
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut first = true;
    while let Some(line) = read_line(&mut input)? {
        if !format.json && !first {
            writeln!(out, "\n────────\n")?;
        }
        first = false;
        if format.explain {
            explain(&engine, &mut out, &line)?;
        }
        answer_line(&engine, &mut out, &line, format.json, region)?;
    }
    out.flush()?;
    Ok(super::EXIT_OK)
}

fn answer_line(
    engine: &Engine,
    out: &mut impl Write,
    line: &str,
    json: bool,
    region: Option<&str>,
) -> anyhow::Result<()> {
    let r = engine.ask_in(line, region);
    print(out, &r, json)
}

fn print(out: &mut impl Write, r: &Response, json: bool) -> anyhow::Result<()> {
    if json {
        // Back to the io::Error it wraps, so a closed standard output is recognised.
        serde_json::to_writer(&mut *out, r).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", r.reply.to_text())?;
        if !r.reply.choices.is_empty() {
            writeln!(out)?;
            for (i, c) in r.reply.choices.iter().enumerate() {
                writeln!(out, "  {}. {} [{}]", i + 1, c.label, c.entry_id)?;
            }
        }
    }
    Ok(())
}

/// Prints how the engine read `question` (see [`Engine::explain`]): tokens (kind, and
/// similarity when corrected), triage's clauses and rules, then the best-scoring entries.
fn explain(engine: &Engine, out: &mut impl Write, question: &str) -> anyhow::Result<()> {
    let explanation = engine.explain(question);
    let tokens: Vec<String> = explanation
        .tokens
        .iter()
        .map(|t| {
            let kind = format!("{:?}", t.kind).to_lowercase();
            if t.similarity < 1.0 {
                format!("{}:{kind}~{:.2}", t.text, t.similarity)
            } else {
                format!("{}:{kind}", t.text)
            }
        })
        .collect();
    writeln!(out, "tokens: {}", tokens.join(" "))?;
    if !explanation.asking.is_empty() {
        writeln!(out, "asking: {}", explanation.asking.join(" "))?;
    }
    let triage = &explanation.triage;
    for (i, concepts) in triage.clauses.iter().enumerate() {
        writeln!(out, "clause {}: {}", i + 1, list(concepts))?;
    }
    if triage.fired.is_empty() {
        writeln!(out, "triage: no emergency rule fired")?;
    } else {
        writeln!(out, "triage: fired {}", triage.fired.join(", "))?;
    }
    for why in &triage.held_back {
        writeln!(out, "  not fired: {why}")?;
    }
    if let Some(learned) = &triage.learned {
        writeln!(out, "triage, learned reader: {learned}")?;
    }
    for e in &explanation.entries {
        writeln!(
            out,
            "  {:.3}  {}  (title drugs: {}; required: {})",
            e.score,
            e.entry_id,
            list(&e.title_drugs),
            list(&e.required_drugs)
        )?;
        if let Some(why) = &e.held_back {
            writeln!(out, "         offered, not answered: {why}")?;
        }
    }
    if explanation.entries.len() > 1 {
        writeln!(
            out,
            "  second opinion: {:.2} of the likelihood for the best entry",
            explanation.agreement
        )?;
    }
    if let Some(id) = &explanation.overview {
        writeln!(
            out,
            "  a bare medicine or topic: its topic's overview is {id}"
        )?;
    }
    if let Some(medicine) = &explanation.passing_medicine {
        writeln!(
            out,
            "  the drug guard ignored {medicine}, named only in passing: only offered, unless \
             the best entry's title names the medicines the message is about"
        )?;
    }
    if let Some(id) = &explanation.question_leader {
        writeln!(out, "  the asking clauses alone lead to {id}")?;
    }
    if let Some(id) = &explanation.settled_by_question {
        writeln!(
            out,
            "  the asking clauses alone settle on {id}: answered if it is offered"
        )?;
    }
    if explanation.asks_elsewhere {
        writeln!(
            out,
            "  the asking clauses are about another medicine than the best entry's: the \
             second opinion does not answer it"
        )?;
    }
    if explanation.offered_on_the_second_opinion {
        writeln!(
            out,
            "  under the usual floors: offered, never answered, because the second opinion all \
             but settles the best entry"
        )?;
    }
    if let Some(term) = &explanation.covered_only_for_others {
        writeln!(
            out,
            "  declined: the question asks about {term}, which only entries about other \
             medicines have as their subject"
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// Reads one line of standard input as text, replacing invalid UTF-8 and cutting it at
/// [`MAX_LINE_BYTES`]; `None` at the end of input.
pub(super) fn read_line(input: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    let mut saw_any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        saw_any = true;
        let (take, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        input.consume(take);
        if done {
            break;
        }
    }
    if !saw_any {
        return Ok(None);
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_line_handles_crlf_invalid_utf8_and_long_lines() {
        let mut data = b"one\r\ntwo \xff\xfe\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES * 2));
        data.extend(b"\nlast");
        let mut input = std::io::Cursor::new(data);
        assert_eq!(read_line(&mut input).unwrap().unwrap(), "one");
        assert_eq!(
            read_line(&mut input).unwrap().unwrap(),
            "two \u{FFFD}\u{FFFD}"
        );
        assert_eq!(
            read_line(&mut input).unwrap().unwrap().len(),
            MAX_LINE_BYTES
        );
        assert_eq!(read_line(&mut input).unwrap().unwrap(), "last");
        assert_eq!(read_line(&mut input).unwrap(), None);
    }
}
