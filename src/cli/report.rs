//! `medfaq report`: the curators' report from the bot's store.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use crate::storage::report::{self, KnownEntry, Report};
use crate::storage::{FeedbackCounts, Timestamp};

use super::StoreArgs;

pub(super) fn run(
    knowledge: &Path,
    store: &StoreArgs,
    since: Option<Timestamp>,
    json: bool,
) -> anyhow::Result<u8> {
    let location = store.location()?;
    let rows = super::block_on(async {
        let store = super::open_existing(&location).await?;
        anyhow::Ok(store.report_rows(since).await?)
    })?;
    let known = known_entries(knowledge);
    let report = report::build(rows, &known);
    let mut out = super::out::Out::new();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", render(&report, &location.to_string(), since))?;
    }
    out.flush()?;
    Ok(super::EXIT_OK)
}

/// Titles and stored questions from the knowledge, when it loads; the report works without.
fn known_entries(dir: &Path) -> BTreeMap<String, KnownEntry> {
    match crate::KnowledgeBase::load(dir) {
        Ok(kb) => kb
            .enabled()
            .map(|e| {
                (
                    e.id.clone(),
                    KnownEntry {
                        title: e.title().to_string(),
                        questions: e.questions.clone(),
                    },
                )
            })
            .collect(),
        Err(e) => {
            eprintln!(
                "medfaq: titles are left out and every picked phrasing is listed: could not \
                 load the knowledge ({e}); pass --knowledge DIR"
            );
            BTreeMap::new()
        }
    }
}

/// The report as text for a terminal.
fn render(r: &Report, store: &str, since: Option<Timestamp>) -> String {
    let mut out = String::new();
    let period = since.map_or_else(
        || "everything stored".to_string(),
        |s| format!("since {}", s.date()),
    );
    out.push_str(&format!("medfaq report: {store}, {period}\n\n"));

    let width = r
        .entries
        .iter()
        .map(|e| e.entry_id.len())
        .chain([NO_ANSWER.len(), "entry".len()])
        .max()
        .unwrap_or(0);
    out.push_str(&format!(
        "{:width$}  {:>7}  {:>7}  {:>11}  {:>7}\n",
        "entry", "served", "helpful", "not helpful", "reports"
    ));
    for e in &r.entries {
        out.push_str(&row(&e.entry_id, Some(e.served), &e.feedback, width));
        if let Some(title) = &e.title {
            out.push_str(&format!("    {title}\n"));
        }
        out.push_str(&comments(&e.feedback));
    }
    if r.entries.is_empty() {
        out.push_str("  (no answers served)\n");
    }
    let n = &r.no_answer;
    if n.helpful + n.not_helpful + n.reports > 0 {
        out.push_str(&row(NO_ANSWER, None, n, width));
        out.push_str(&comments(n));
    }

    let total: usize = r.unanswered.iter().map(|g| g.count).sum();
    out.push_str(&format!(
        "\nUnanswered questions (servers that opted in): {total} in {} group(s), largest first\n",
        r.unanswered.len()
    ));
    for g in &r.unanswered {
        out.push_str(&format!("  {}× [{}]\n", g.count, g.shared_words.join(", ")));
        for p in &g.questions {
            out.push_str(&format!("      {}× {}\n", p.count, p.text));
        }
    }

    out.push_str(
        "\n\"Did you mean\" phrasings: review, then paste under each entry's `questions:`\n",
    );
    if r.phrasings.is_empty() {
        out.push_str("  (none)\n");
    }
    for p in &r.phrasings {
        let picks: usize = p.questions.iter().map(|q| q.count).sum();
        out.push_str(&format!("# {} ({picks} pick(s))\n", p.entry_id));
        out.push_str(&p.yaml());
    }
    out
}

/// The report's name for feedback on the "I don't have an answer" reply.
const NO_ANSWER: &str = "(no answer)";

fn row(name: &str, served: Option<u64>, f: &FeedbackCounts, width: usize) -> String {
    let served = served.map_or_else(|| "-".to_string(), |s| s.to_string());
    format!(
        "{name:width$}  {served:>7}  {:>7}  {:>11}  {:>7}\n",
        f.helpful, f.not_helpful, f.reports
    )
}

fn comments(f: &FeedbackCounts) -> String {
    f.comments
        .iter()
        .map(|c| format!("    report: {c:?}\n"))
        .collect()
}
