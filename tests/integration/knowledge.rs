//! The shipped knowledge covers the whole catalogue the project committed to, and follows the
//! content rules curators work by.

use std::path::PathBuf;

use medfaq::knowledge::{KnowledgeBase, Severity};

/// Every entry id of the project's knowledge catalogue (copied here: a clone of this
/// repository has no shared folder).
const CATALOGUE: &[&str] = &[
    "naltrexone-basics",
    "naltrexone-forms",
    "naltrexone-uses",
    "naltrexone-how-long-it-lasts",
    "naltrexone-vs-naloxone",
    "naltrexone-vs-agonist-treatment",
    "naltrexone-getting-a-prescription",
    "naltrexone-opioid-pain-medicines",
    "naltrexone-overriding-blockade-overdose",
    "naltrexone-opioid-cough-diarrhea-medicines",
    "naltrexone-precipitated-withdrawal",
    "naltrexone-opioid-free-before-starting",
    "naltrexone-switching-from-buprenorphine-methadone",
    "naltrexone-stopping-overdose-risk",
    "naltrexone-surgery-emergency-pain",
    "naltrexone-drinking-alcohol",
    "naltrexone-alcohol-how-it-helps",
    "naltrexone-sinclair-method",
    "naltrexone-start-while-drinking",
    "naltrexone-side-effects",
    "naltrexone-nausea",
    "naltrexone-sleep-problems",
    "naltrexone-liver-safety",
    "naltrexone-mood-depression",
    "naltrexone-injection-site-reactions",
    "naltrexone-pregnancy-breastfeeding",
    "naltrexone-missed-dose",
    "naltrexone-other-medicines",
    "aud-medications-overview",
    "acamprosate-basics",
    "disulfiram-basics",
    "naltrexone-vs-acamprosate",
    "aud-medications-effectiveness",
    "aud-medications-underused",
    "aud-medications-with-therapy",
    "aud-medications-how-long",
    "oic-basics",
    "oic-pamora-medicines",
    "oic-pamora-with-naltrexone",
    "oic-pamora-warnings",
    "alcohol-withdrawal-danger",
    "alcohol-withdrawal-symptoms-timeline",
    "alcohol-withdrawal-treatment",
    "opioid-overdose-signs-naloxone",
    "finding-treatment-support",
    "alcohol-or-benzodiazepines-with-buprenorphine-methadone",
    "naltrexone-kratom-tianeptine-7oh",
    "nalmefene-vs-naltrexone",
    "other-medicines-for-alcohol-off-label",
    "accidental-ingestion-poison-help",
    "naltrexone-drug-tests",
    "naltrexone-fentanyl-long-acting-opioids-before-starting",
    "low-dose-naltrexone",
    "naloxone-carrying-storage",
    "naltrexone-weight-contrave",
];

fn shipped() -> KnowledgeBase {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    KnowledgeBase::load(&dir).expect("the shipped knowledge loads")
}

#[test]
fn every_catalogue_entry_is_present_and_enabled() {
    let kb = shipped();
    for id in CATALOGUE {
        let entry = kb
            .entry(id)
            .unwrap_or_else(|| panic!("catalogue entry {id} is missing"));
        assert!(entry.enabled, "{id} is disabled");
    }
    assert_eq!(
        kb.entries.len(),
        CATALOGUE.len(),
        "entries outside the catalogue"
    );
}

#[test]
fn entries_follow_the_content_rules() {
    let kb = shipped();
    for e in &kb.entries {
        assert!(
            e.questions.len() >= 6,
            "{}: at least 5 alternate questions",
            e.id
        );
        if e.severity == Severity::Danger {
            assert!(e.warning.is_some(), "{}: danger needs a warning", e.id);
        }
        assert!(
            !e.answer.contains("http://") && !e.answer.contains("https://"),
            "{}: URLs belong in sources, not answers",
            e.id
        );
        assert!(
            (1..=3).contains(&e.related.len()),
            "{}: link the 1-3 entries a member would want next",
            e.id
        );
        let answer = e.answer.to_lowercase();
        assert!(
            [
                "prescriber",
                "pharmacist",
                "doctor",
                "emergency",
                "clinician",
                "helpline"
            ]
            .iter()
            .any(|who| answer.contains(who)),
            "{}: an answer sends people to a prescriber, pharmacist or emergency services",
            e.id
        );
    }
}

#[test]
fn sources_are_all_https_and_cited() {
    let kb = shipped();
    for s in kb.sources.values() {
        assert!(s.url.starts_with("https://"), "{}", s.key);
    }
    for e in &kb.entries {
        for key in &e.sources {
            assert!(kb.sources.contains_key(key), "{} cites unknown {key}", e.id);
        }
    }
}

#[test]
fn a_review_date_is_shown_only_when_a_clinician_signed_the_entry() {
    let mut kb = shipped();
    let id = kb.entries[0].id.clone();
    kb.entries[0].reviewed_by = None;
    let engine = medfaq::Engine::new(kb.clone());
    let unsigned = engine.entry_reply(&id, None).expect("the entry is served");
    assert!(unsigned.reviewed.is_none());
    assert!(
        !unsigned.footer().contains("Reviewed"),
        "{}",
        unsigned.footer()
    );
    kb.entries[0].reviewed_by = Some("Dr A. Example".into());
    let engine = medfaq::Engine::new(kb);
    let signed = engine.entry_reply(&id, None).expect("the entry is served");
    assert!(signed.footer().contains("Reviewed"), "{}", signed.footer());
}
