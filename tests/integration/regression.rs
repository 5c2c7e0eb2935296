//! The project's own regression questions (`tests/regression/*.yaml`, written for this repo,
//! never copied from the shared dev set) must meet the same bars as the eval.

use std::path::PathBuf;

use medfaq::eval::{self, Expect};
use medfaq::Engine;

#[test]
fn regression_questions_meet_every_bar() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let engine = Engine::load(&root.join("knowledge")).expect("the shipped knowledge loads");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("tests/regression"))
        .expect("tests/regression exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    let mut items = Vec::new();
    for p in &paths {
        items.extend(eval::load(p).unwrap_or_else(|e| panic!("{e}")));
    }
    assert!(
        items.len() >= 300,
        "only {} regression questions",
        items.len()
    );
    for item in &items {
        if let Expect::Entries(ids) = &item.expect {
            for id in ids {
                assert!(
                    engine.knowledge().entry(id).is_some(),
                    "{:?} expects unknown entry {id}",
                    item.q
                );
            }
        }
    }
    let report = eval::score(&engine, &items);
    let failing: Vec<String> = report
        .metrics
        .iter()
        .filter(|m| !m.passes())
        .map(|m| {
            format!(
                "{} = {:.3} (bar {} {})",
                m.name,
                m.value,
                if m.at_least { ">=" } else { "<=" },
                m.bar
            )
        })
        .collect();
    let misses: Vec<String> = report
        .misses
        .iter()
        .map(|m| {
            format!(
                "{:?}: expected {:?}, got {} {:?}",
                m.q,
                m.expect,
                m.outcome.as_str(),
                m.entry_id
            )
        })
        .collect();
    assert!(
        failing.is_empty(),
        "bars missed: {failing:?}\nmisses:\n{}",
        misses.join("\n")
    );
}
