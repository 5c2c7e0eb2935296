//! medfaq answers medication-safety questions from a curated, sourced YAML knowledge base.
//!
//! A question flows one way: **knowledge → normalize → triage and match → reply**.
//! [`knowledge`] loads and checks the YAML; [`normalize`] folds text into tokens and clauses
//! using the lexicon (brands, slang, misspellings); [`triage`] reads those for emergencies
//! happening now, by concepts and rules from `safety.yaml`, before any answer is chosen;
//! [`matcher`] scores the question against every stored question and decides between
//! answering, asking "did you mean…", and declining; [`reply`] turns the outcome into a
//! platform-neutral [`reply::Reply`], filled for the member's region, that already fits
//! Discord's limits (all of them in [`limits`]), in the words of [`lang`] (what medfaq itself
//! says, one module per language). [`engine::Engine`] ties them together; [`cli`] (the
//! command line) and [`discord`] (the bot, configured by [`config`]) are the adapters, and the
//! only modules that print or touch the network; [`storage`] keeps the bot's per-server
//! settings, feedback and counts (SQLite or PostgreSQL); [`metrics`] is what the bot counts
//! and knows about itself while it serves.
//!
//! ```
//! use medfaq::{Engine, Outcome};
//!
//! let dir = tempfile_dir();
//! let engine = Engine::load(&dir).expect("the example knowledge loads");
//! let response = engine.ask("can i take percs on vivitrol?");
//! assert_eq!(response.outcome, Outcome::Answer);
//! assert_eq!(response.entry_id.as_deref(), Some("naltrexone-opioid-pain-medicines"));
//! # fn tempfile_dir() -> std::path::PathBuf {
//! #     let dir = std::env::temp_dir().join(format!("medfaq-doc-{}", std::process::id()));
//! #     std::fs::create_dir_all(dir.join("entries")).unwrap();
//! #     std::fs::write(dir.join("entries/opioids.yaml"), r#"
//! # - id: naltrexone-opioid-pain-medicines
//! #   topic: Opioids and naltrexone
//! #   severity: danger
//! #   questions:
//! #     - Can I take codeine or other opioid painkillers while on naltrexone?
//! #     - will oxycodone work if i am on vivitrol
//! #     - is tramadol safe with naltrexone
//! #   answer: Naltrexone blocks opioid painkillers, so they work poorly or not at all.
//! #   warning: Never take more opioids to push through the block.
//! #   sources: [label]
//! #   reviewed: 2026-11-26
//! # "#).unwrap();
//! #     std::fs::write(dir.join("sources.yaml"), "label:\n  title: Label\n  url: https://example.org/label\n").unwrap();
//! #     std::fs::write(dir.join("lexicon.yaml"), "drugs:\n  naltrexone:\n    classes: [opioidblocker]\n    variants: [vivitrol, revia]\n  oxycodone:\n    classes: [opioid]\n    variants: [percs, percocet]\n  codeine:\n    classes: [opioid]\n  tramadol:\n    classes: [opioid]\nclasses:\n  opioid: [opioids]\n  opioidblocker: []\n").unwrap();
//! #     std::fs::write(dir.join("safety.yaml"), "default_region: US\nreviewed: 2026-12-01\ndisclaimer: Not medical advice.\nno_match: No curated answer.\ncrisis_footer: 'Struggling? {crisis_short}.'\ninternational: Call your local number.\nregions:\n  US:\n    name: the United States\n    emergency: '911'\n    crisis: the 988 Lifeline\n    crisis_short: call or text 988\nhelp:\n  suicide: {title: t, first: f, steps: s}\n  self_harm: {title: t, first: f, steps: s}\n  seizure: {title: t, first: f, steps: s}\n  withdrawal: {title: t, first: f, steps: s}\n  poisoning: {title: t, first: f, steps: s}\n  overdose: {title: t, first: f, steps: s}\nconcepts:\n  now: [right now]\n  breathing: [not breathing]\nrules:\n  - kind: overdose\n    any: [breathing]\n").unwrap();
//! #     dir
//! # }
//! ```

pub mod error;

pub mod finding;

// Discord's limits, which every stage that shapes text reads.
pub mod limits;

// The flow, in order: knowledge → normalize → triage and match → reply.
pub mod knowledge;

pub mod normalize;

pub mod triage;

pub mod matcher;

pub mod reply;

// What medfaq itself says to members, per language.
pub mod lang;

// The engine that ties the flow together, and what is built on it.
pub mod engine;

pub mod check;

pub mod eval;

// What the bot counts about itself while serving (metrics, health, status).
pub mod metrics;

// The adapters: the only modules that print or touch the network.
pub mod cli;

pub mod config;

pub mod discord;

pub mod storage;

pub use engine::{Engine, Response};
pub use error::{Error, Result};
pub use knowledge::KnowledgeBase;
pub use reply::{Outcome, Reply};
