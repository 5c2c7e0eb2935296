use std::path::{Path, PathBuf};

use super::*;
use crate::engine::Engine;

fn engine() -> Engine {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    Engine::load(&dir).expect("the valid fixture loads")
}

fn metric(report: &Report, name: &str) -> f64 {
    report
        .metrics
        .iter()
        .find(|m| m.name == name)
        .expect("the metric exists")
        .value
}

#[test]
fn expectations_parse_as_ids_lists_and_keywords() {
    let items = parse(
        Path::new("t.yaml"),
        "- q: a\n  expect: x\n- q: b\n  expect: [x, y]\n- q: c\n  expect: no_match\n- q: d\n  expect: emergency\n",
    )
    .expect("valid eval YAML");
    assert_eq!(items[0].expect, Expect::Entries(vec!["x".into()]));
    assert_eq!(
        items[1].expect,
        Expect::Entries(vec!["x".into(), "y".into()])
    );
    assert_eq!(items[2].expect, Expect::NoMatch);
    assert_eq!(items[3].expect, Expect::Emergency);
}

#[test]
fn outcome_lists_and_kinds_parse() {
    let items = parse(
        Path::new("t.yaml"),
        "- q: a\n  expect: [x, no_match]\n- q: b\n  expect: emergency\n  kind: overdose\n",
    )
    .expect("valid eval YAML");
    assert_eq!(items[0].expect, Expect::Entries(vec!["x".into()]));
    assert_eq!(items[0].also, vec![Outcome::NoMatch]);
    assert_eq!(items[1].kind.as_deref(), Some("overdose"));
    for bad in [
        "- q: a\n  expect: x\n  kind: overdose\n",
        "- q: a\n  expect: emergency\n  kind: sadness\n",
    ] {
        assert!(parse(Path::new("t.yaml"), bad).is_err(), "{bad}");
    }
}

#[test]
fn a_decline_counts_when_the_list_allows_it() {
    let engine = engine();
    let mut item = Item::new(
        "how do i bake bread",
        Expect::Entries(vec!["naltrexone-opioid-pain-medicines".into()]),
    );
    assert_eq!(
        metric(&score(&engine, &[item.clone()]), "answer_accuracy"),
        0.0
    );
    item.also = vec![Outcome::NoMatch];
    assert_eq!(metric(&score(&engine, &[item]), "answer_accuracy"), 1.0);
}

#[test]
fn unknown_ids_are_found_with_their_line_and_closest_id() {
    let text = "- q: a\n  expect: naltrexone-drinking-alcohol\n\
                - q: b\n  expect: naltrexone-drinking-alchol\n\
                - q: c\n  expect: [no_match, emergency, disabled-entry]\n\
                - q: d\n  expect:\n    - naltrexone-vs-naloxone\n    - zzz-made-up\n";
    let unknown = unknown_ids(Path::new("t.yaml"), text, engine().knowledge());
    assert_eq!(
        unknown,
        vec![
            UnknownId {
                line: 4,
                id: "naltrexone-drinking-alchol".into(),
                suggestion: Some("naltrexone-drinking-alcohol".into()),
            },
            UnknownId {
                line: 10,
                id: "zzz-made-up".into(),
                suggestion: None,
            },
        ]
    );
}

#[test]
fn metrics_follow_the_eval_definitions() {
    let engine = engine();
    let items = vec![
        // Correct answer.
        Item::new(
            "will percs work if im on the shot",
            Expect::Entries(vec!["naltrexone-opioid-pain-medicines".into()]),
        ),
        // A confident answer with another id: a wrong answer.
        Item::new(
            "will percs work if im on the shot",
            Expect::Entries(vec!["naltrexone-drinking-alcohol".into()]),
        ),
        // Declined correctly.
        Item::new("how do i bake bread", Expect::NoMatch),
        // An emergency on an in-scope question: a false escalation.
        Item::new(
            "he overdosed on oxycodone while on vivitrol and is not breathing",
            Expect::Entries(vec!["naltrexone-opioid-pain-medicines".into()]),
        ),
        // Emergency recognised.
        Item::new("she is not breathing", Expect::Emergency),
    ];
    let report = score(&engine, &items);
    assert_eq!(metric(&report, "answer_accuracy"), 1.0 / 3.0);
    assert_eq!(metric(&report, "wrong_answer_rate"), 1.0 / 4.0);
    assert_eq!(metric(&report, "abstention"), 1.0);
    assert_eq!(metric(&report, "emergency_recall"), 1.0);
    assert_eq!(metric(&report, "false_escalation"), 1.0 / 4.0);
    assert_eq!(report.misses.len(), 2);
    assert!(report.misses.iter().any(|m| m.wrong_answer));
    assert!(!report.passes());
}
