//! Criterion benchmarks, one per stage: loading the shipped knowledge, one question against
//! it (and triage alone beside it), and one question against a generated 10,000-entry
//! knowledge base. A whole-string
//! `strsim` scan over the same questions runs beside the engine for comparison.
//!
//! Run with `cargo bench --bench matching`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use medfaq::knowledge::{Entry, KnowledgeBase, Origin, Severity};
use medfaq::Engine;

/// Fixed member-style questions: answered, clarified, declined and misspelled ones.
const QUERIES: &[&str] = &[
    "can i take percs while im on the vivitrol shot",
    "how long does naltrexone block opioids",
    "is it ok to drink a beer on revia",
    "naltrexne making me nauseous",
    "can i drink on lexapro",
    "how do i bake sourdough bread",
    "my dentist wants to give me hydrocodone after a tooth pull but i take naltrexone every day",
    "what's the difference between narcan and naltrexone",
];

fn shipped() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

/// Builds a knowledge base of `n` entries from the shipped one: its lexicon and safety data,
/// and questions recombined from its vocabulary plus made-up words, so the index has realistic
/// token statistics at scale.
fn generated(base: &KnowledgeBase, n: usize) -> KnowledgeBase {
    let vocab: Vec<String> = base
        .entries
        .iter()
        .flat_map(|e| e.questions.iter())
        .flat_map(|q| q.split_whitespace().map(str::to_lowercase))
        .collect();
    let source = base.sources.keys().next().cloned().unwrap_or_default();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let entries = (0..n)
        .map(|i| {
            let questions = (0..7)
                .map(|_| {
                    let len = 5 + (next() % 8) as usize;
                    let mut words: Vec<String> = (0..len)
                        .map(|_| vocab[(next() as usize) % vocab.len()].clone())
                        .collect();
                    words.push(format!("topic{}", next() % (n as u64 / 4 + 1)));
                    words.join(" ")
                })
                .collect();
            Entry {
                id: format!("generated-{i}"),
                topic: format!("Topic {}", i % 20),
                severity: Severity::Info,
                questions,
                answer: "Generated answer.".to_string(),
                warning: None,
                sources: vec![source.clone()],
                related: Vec::new(),
                reviewed: "2026-11-26".to_string(),
                reviewed_by: None,
                enabled: true,
                overview: false,
                origin: Origin {
                    path: PathBuf::from("generated.yaml"),
                    line: i + 1,
                },
                question_lines: vec![i + 1; 7],
            }
        })
        .collect();
    KnowledgeBase {
        entries,
        ..base.clone()
    }
}

/// The naive alternative: normalized Levenshtein of the whole question against every stored
/// question, best entry wins.
fn whole_string_scan(kb: &KnowledgeBase, q: &str) -> usize {
    let q = q.to_lowercase();
    let mut best = (0.0, 0);
    for (i, e) in kb.entries.iter().enumerate() {
        for s in &e.questions {
            let score = strsim::normalized_levenshtein(&q, &s.to_lowercase());
            if score > best.0 {
                best = (score, i);
            }
        }
    }
    best.1
}

fn load(c: &mut Criterion) {
    let dir = shipped();
    c.bench_function("load/shipped_knowledge", |b| {
        b.iter(|| Engine::load(black_box(Path::new(&dir))).expect("the shipped knowledge loads"))
    });
}

fn ask_shipped(c: &mut Criterion) {
    let engine = Engine::load(&shipped()).expect("the shipped knowledge loads");
    let mut group = c.benchmark_group("ask/shipped");
    let mut i = 0;
    group.bench_function("engine", |b| {
        b.iter(|| {
            i = (i + 1) % QUERIES.len();
            black_box(engine.ask(black_box(QUERIES[i])))
        })
    });
    // Triage alone, on the analysis `ask` shares with matching: its share of `engine`.
    let analyses: Vec<_> = QUERIES.iter().map(|q| engine.analyze(q)).collect();
    let mut i = 0;
    group.bench_function("triage", |b| {
        b.iter(|| {
            i = (i + 1) % analyses.len();
            black_box(engine.triage_analysis(black_box(&analyses[i])))
        })
    });
    let mut i = 0;
    group.bench_function("whole_string_levenshtein", |b| {
        b.iter(|| {
            i = (i + 1) % QUERIES.len();
            black_box(whole_string_scan(engine.knowledge(), black_box(QUERIES[i])))
        })
    });
    group.finish();
}

fn ask_10k(c: &mut Criterion) {
    let base = KnowledgeBase::load(&shipped()).expect("the shipped knowledge loads");
    let engine = Engine::new(generated(&base, 10_000));
    let mut group = c.benchmark_group("ask/generated_10k");
    group.sample_size(30);
    let mut i = 0;
    group.bench_function("engine", |b| {
        b.iter(|| {
            i = (i + 1) % QUERIES.len();
            black_box(engine.ask(black_box(QUERIES[i])))
        })
    });
    group.finish();
}

#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, load, ask_shipped, ask_10k);
}
criterion_main!(group::benches);
