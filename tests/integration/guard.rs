//! Must-not-match: on the shipped knowledge, a question about one drug is never answered (or
//! offered as a choice) with an entry about a look-alike or a different drug.

use std::path::PathBuf;
use std::sync::LazyLock;

use medfaq::{Engine, Outcome};

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    Engine::load(&dir).expect("the shipped knowledge loads")
});

/// Entries whose subject is naltrexone itself (not a comparison with another drug).
const NALTREXONE_ONLY: &[&str] = &[
    "naltrexone-basics",
    "naltrexone-forms",
    "naltrexone-uses",
    "naltrexone-how-long-it-lasts",
    "naltrexone-side-effects",
    "naltrexone-nausea",
    "naltrexone-liver-safety",
    "naltrexone-missed-dose",
    "naltrexone-drinking-alcohol",
    "naltrexone-opioid-pain-medicines",
];

const PAMORA_ONLY: &[&str] = &["oic-pamora-medicines", "oic-pamora-warnings"];

/// Every entry the engine answers with or offers for `q`.
fn offered(q: &str) -> Vec<String> {
    let r = ENGINE.ask(q);
    let mut ids: Vec<String> = r.entry_id.into_iter().collect();
    if r.outcome == Outcome::Clarify {
        ids.extend(r.reply.choices.into_iter().map(|c| c.entry_id));
    }
    ids
}

#[track_caller]
fn never(q: &str, forbidden: &[&str]) {
    let got = offered(q);
    for id in &got {
        assert!(
            !forbidden.contains(&id.as_str()),
            "{q:?} was matched to {id}"
        );
    }
}

#[test]
fn naloxone_is_never_answered_as_naltrexone() {
    for q in [
        "what is naloxone",
        "how does narcan work",
        "what is naloxon",
        "side effects of narcan",
        "how long does naloxone last",
        "is narcan addictive",
    ] {
        never(q, NALTREXONE_ONLY);
        never(q, PAMORA_ONLY);
    }
}

#[test]
fn naltrexone_is_never_answered_as_naloxone_or_a_gut_blocker() {
    for q in [
        "what is naltrexone",
        "what is naltrexon",
        "side effects of revia",
        "is revia addictive",
    ] {
        never(q, PAMORA_ONLY);
        never(
            q,
            &[
                "opioid-overdose-signs-naloxone",
                "oic-pamora-with-naltrexone",
            ],
        );
    }
}

#[test]
fn gut_only_blockers_are_never_answered_as_naltrexone() {
    for q in [
        "what is naloxegol",
        "what is methylnaltrexone",
        "what is relistor",
        "side effects of movantik",
        "is naloxegol addictive",
        "how long does methylnaltrexone last",
        "what is relistr",
    ] {
        never(q, NALTREXONE_ONLY);
        never(
            q,
            &["naltrexone-vs-naloxone", "opioid-overdose-signs-naloxone"],
        );
    }
}

#[test]
fn revia_and_relistor_are_not_confused() {
    never("what is revia", PAMORA_ONLY);
    never("what is relistor", NALTREXONE_ONLY);
}

#[test]
fn drinking_on_acamprosate_never_gets_the_disulfiram_entry() {
    for q in [
        "can i drink on acamprosate",
        "what happens if i drink on campral",
        "drinking while taking acamprosate",
        "will acamprosate make me sick if i have a beer",
    ] {
        never(q, &["disulfiram-basics"]);
    }
}

#[test]
fn other_drugs_do_not_get_naltrexone_answers() {
    never(
        "how long will suboxone block opioids",
        &["naltrexone-how-long-it-lasts"],
    );
    never("can i drink on lexapro", &["naltrexone-drinking-alcohol"]);
    never("can i drink on xanax", &["naltrexone-drinking-alcohol"]);
    never(
        "does zoloft cause nausea",
        &["naltrexone-nausea", "naltrexone-side-effects"],
    );
    never(
        "can i take gabapentin for alcohol withdrawal",
        &["alcohol-withdrawal-treatment"],
    );
}
