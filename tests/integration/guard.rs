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

/// The entry `q` is answered with, if it is answered outright.
fn answered(q: &str) -> Option<String> {
    let r = ENGINE.ask(q);
    (r.outcome == Outcome::Answer).then(|| r.entry_id.unwrap_or_default())
}

#[test]
fn an_entry_naming_a_medicine_in_passing_does_not_answer_questions_about_it() {
    // Each entry may still be offered as a choice; it must not be the confident answer.
    for (q, not) in [
        (
            "what should i do when stopping taking oxycodone",
            "oic-basics",
        ),
        (
            "i'm on methadone, can i take naltrexone for my drinking",
            "naltrexone-pregnancy-breastfeeding",
        ),
        (
            "what is suboxone",
            "alcohol-or-benzodiazepines-with-buprenorphine-methadone",
        ),
        (
            "how to stop taking buprenorphine",
            "alcohol-or-benzodiazepines-with-buprenorphine-methadone",
        ),
        (
            "naloxegol while pregnant, is it safe",
            "oic-pamora-warnings",
        ),
        (
            "can you overdose on suboxone",
            "alcohol-or-benzodiazepines-with-buprenorphine-methadone",
        ),
        // The withdrawal-treatment entry names benzodiazepines as a treatment: naming a
        // benzodiazepine beside naltrexone is not asking about withdrawal.
        (
            "is xanax ok with naltrexone",
            "alcohol-withdrawal-treatment",
        ),
        (
            "can i take valium with revia",
            "alcohol-withdrawal-treatment",
        ),
    ] {
        assert_ne!(answered(q).as_deref(), Some(not), "{q:?}");
    }
}

#[test]
fn in_a_story_only_the_medicines_the_question_names_can_be_passing_mentions() {
    // The story names naltrexone, which the entry on why medicines for alcohol are
    // underused names only in its answer; the question asks how to raise the subject.
    assert_eq!(
        answered(
            "Ten years of appointments and my doctor never brought up any medication for my \
             drinking. I only learned about naltrexone from this group. How should I bring it \
             up with her without sounding like a drug seeker?"
        )
        .as_deref(),
        Some("aud-medications-underused")
    );
    // Asked about in the question, the medicine still holds the entry back.
    assert_ne!(
        answered("what should i do when stopping taking oxycodone").as_deref(),
        Some("oic-basics")
    );
}

#[test]
fn the_topic_guard_lets_an_entry_answer_its_own_subject() {
    for (q, id) in [
        ("oxycodone constipation", "oic-basics"),
        (
            "can i drink on subs",
            "alcohol-or-benzodiazepines-with-buprenorphine-methadone",
        ),
        (
            "can i drink alcohol on methadone",
            "alcohol-or-benzodiazepines-with-buprenorphine-methadone",
        ),
        (
            "can i take naltrexone while pregnant",
            "naltrexone-pregnancy-breastfeeding",
        ),
        (
            "does naltrexone show up on a drug test",
            "naltrexone-drug-tests",
        ),
        (
            "what does gabapentin do",
            "other-medicines-for-alcohol-off-label",
        ),
        // "by accident" is the accidental-ingestion entry's subject, and a missed dose's.
        (
            "i accidentally missed my naltrexone this morning, what now",
            "naltrexone-missed-dose",
        ),
        // A class named in words is its subject, though every naltrexone entry names it
        // through the drug.
        ("AUD meds", "aud-medications-overview"),
        ("alcohol meds", "aud-medications-overview"),
        (
            "which aud medications are approved",
            "aud-medications-overview",
        ),
        // Held back because it names none of the overview's subject words, but the second
        // opinion all but settles it.
        (
            "i just want to cut down not quit, any meds for that",
            "aud-medications-overview",
        ),
    ] {
        assert_eq!(answered(q).as_deref(), Some(id), "{q:?}");
    }
}

#[test]
fn a_subject_the_entry_never_covers_is_offered_not_answered() {
    // Storage and disposal: the disulfiram entry never speaks of either.
    for q in [
        "What should I know about storage and disposal of Disulfiram?",
        "how do i get rid of old naltrexone pills",
        // How long a medicine stays in the body: the gut-only blockers' entries never say.
        "how long does relistor stay in your system",
        // A missed dose: only the naltrexone entry covers one.
        "skipped one of my movantik pills, should i double up tomorrow",
        "my relistor shot is overdue, what now",
    ] {
        let r = ENGINE.ask(q);
        assert_ne!(r.outcome, Outcome::Answer, "{q:?} got {:?}", r.entry_id);
    }
    // Storing it alone: never the disulfiram entry; the entry on medicines children get into,
    // which names disulfiram and says how to keep every medicine safe, may answer.
    let r = ENGINE.ask("how do i store disulfiram");
    assert!(
        r.outcome != Outcome::Answer
            || r.entry_id.as_deref() == Some("accidental-ingestion-poison-help"),
        "{:?}",
        r.entry_id
    );
    // The naloxone entry does speak of storage, so it still answers; so does the naltrexone
    // entry on how long it lasts.
    assert_eq!(
        answered("how should naloxone be stored").as_deref(),
        Some("naloxone-carrying-storage")
    );
    assert_eq!(
        answered("how long does revia stay in your system").as_deref(),
        Some("naltrexone-how-long-it-lasts")
    );
    assert_eq!(
        answered("missed one of my naltrexone pills, should i double up").as_deref(),
        Some("naltrexone-missed-dose")
    );
}

#[test]
fn a_medicine_set_aside_is_not_what_the_question_is_about() {
    for q in [
        "besides antabuse what else can a doctor prescribe for drinking",
        "other than disulfiram, what medicines help with alcohol",
        "apart from antabuse is there anything for drinking",
    ] {
        never(q, &["disulfiram-basics"]);
    }
    // "not" directly before the medicine sets it aside too; "not on naltrexone yet" does not.
    for q in [
        "how long do the shakes last after quitting drinking, not the naltrexone",
        "does withdrawal from booze cause seizures, not naltrexone",
    ] {
        never(q, NALTREXONE_ONLY);
    }
    assert_eq!(
        answered("i'm not on naltrexone yet, is it ok to drink tonight").as_deref(),
        Some("naltrexone-start-while-drinking")
    );
    // Said before the medicine's own name, it does not hide the medicine.
    assert_eq!(
        answered("what other naloxone sprays are there besides narcan").as_deref(),
        Some("naloxone-carrying-storage")
    );
}

#[test]
fn a_question_about_a_medicine_no_entry_it_reaches_is_about_is_declined() {
    // The only entries these reach name the medicine beside their own subject (alcohol or
    // benzos with buprenorphine or methadone), and none of them covers what is asked.
    for q in [
        "side effects of methadone",
        "subs and pregnancy, is that safe for the baby",
        "whats the difference between subutex and suboxone",
        "can sublocade make you put on weight",
    ] {
        let r = ENGINE.ask(q);
        assert_eq!(r.outcome, Outcome::NoMatch, "{q:?} offers {:?}", offered(q));
    }
    // Two medicines named ask how they go together, which the entry covers: offered.
    assert!(offered("eszopiclone with my methadone, is that safe")
        .iter()
        .any(|i| i == "alcohol-or-benzodiazepines-with-buprenorphine-methadone"));
    // An entry about the medicine asked about is still offered, though the guard holds it
    // back for a subject its wording leaves out.
    assert!(
        offered("how long does antabuse stay in your system before you can drink")
            .iter()
            .any(|i| i == "disulfiram-basics")
    );
}

#[test]
fn a_subject_covered_only_for_other_medicines_is_declined() {
    // Alcohol, pregnancy and the liver have entries, but for naltrexone; the entries about
    // naloxone and the gut-only blockers never speak of them.
    for q in [
        "can you mix narcan and alcohol",
        "can i take movantik when im pregnant",
        "does relistor hurt the liver",
        "symproic and wine, ok to mix?",
    ] {
        let r = ENGINE.ask(q);
        assert_eq!(r.outcome, Outcome::NoMatch, "{q:?} got {:?}", r.entry_id);
        let why = ENGINE.explain(q).covered_only_for_others;
        assert!(why.is_some(), "{q:?}");
    }
    // Where an entry about the medicine asked about covers the subject, it still reaches it.
    for (q, id) in [
        (
            "is it ok to have a beer on naltrexone",
            "naltrexone-drinking-alcohol",
        ),
        (
            "can i take naltrexone when im pregnant",
            "naltrexone-pregnancy-breastfeeding",
        ),
        ("does revia hurt the liver", "naltrexone-liver-safety"),
        (
            "is a couple of beers ok on methadone",
            "alcohol-or-benzodiazepines-with-buprenorphine-methadone",
        ),
        // Stopping is one of the terms the entry on stopping naltrexone is about, not its
        // whole subject: a question about stopping another medicine is not declined for it.
        (
            "had a slip, should i quit my campral or keep taking it",
            "acamprosate-basics",
        ),
    ] {
        assert!(
            offered(q).iter().any(|i| i == id),
            "{q:?} offers {:?}",
            offered(q)
        );
    }
}

#[test]
fn the_shot_beside_another_drug_offers_the_entries_it_may_mean_and_never_answers() {
    // "The shot" is Vivitrol for some members, Sublocade or Brixadi for others: beside
    // another drug it reaches the naltrexone entries, but only as choices.
    for (q, id) in [
        (
            "can i take percs on the shot",
            "naltrexone-opioid-pain-medicines",
        ),
        (
            "how long after fent can i get the shot",
            "naltrexone-fentanyl-long-acting-opioids-before-starting",
        ),
        (
            "does the shot block kratom",
            "naltrexone-kratom-tianeptine-7oh",
        ),
    ] {
        let r = ENGINE.ask(q);
        assert_eq!(r.outcome, Outcome::Clarify, "{q:?} got {:?}", r.entry_id);
        assert!(
            offered(q).iter().any(|i| i == id),
            "{q:?} offers {:?}",
            offered(q)
        );
    }
    // "nal" is shorthand for naltrexone and for naloxone alike: beside another drug it
    // reaches the naltrexone entries as choices, and is not a subject nothing covers.
    let q = "took a nal 2 days after using fent and got really sick, why";
    let r = ENGINE.ask(q);
    assert_eq!(r.outcome, Outcome::Clarify, "{q:?} got {:?}", r.entry_id);
    assert!(
        offered(q)
            .iter()
            .any(|i| i == "naltrexone-precipitated-withdrawal"),
        "{q:?} offers {:?}",
        offered(q)
    );
    // Alone, "nal" says only which medicines it may be: their entries are offered, never
    // answered ("how long does nal last" may ask about naloxone, which wears off in an hour
    // or two). "The shot" is also the injection the entries describe, and keeps its answers.
    for q in ["how long does nal last", "can i drink on nal"] {
        let r = ENGINE.ask(q);
        assert_eq!(r.outcome, Outcome::Clarify, "{q:?} got {:?}", r.entry_id);
    }
    assert_eq!(
        answered("can i drink on the shot").as_deref(),
        Some("naltrexone-drinking-alcohol")
    );
    // Shooting up is not the shot.
    never(
        "how long does heroin stay in your system after you shot up",
        NALTREXONE_ONLY,
    );
    // Naming the medicine still answers.
    assert_eq!(
        answered("can i take percs on the vivitrol shot").as_deref(),
        Some("naltrexone-opioid-pain-medicines")
    );
}

#[test]
fn explain_names_the_subject_an_entry_never_covers() {
    let explanation = ENGINE.explain("how do i store disulfiram");
    let held = explanation
        .entries
        .iter()
        .find(|e| e.entry_id == "disulfiram-basics")
        .and_then(|e| e.held_back.clone())
        .expect("the disulfiram entry is held back");
    assert!(held.ends_with("(storage)"), "{held}");
}

#[test]
fn a_medicine_after_a_negated_question_verb_is_what_it_asks_about() {
    // "isn't", "doesn't", "won't" ask about the medicine; they do not set it aside.
    for (q, entry) in [
        (
            "isnt naltrexone bad for your liver? my aunt said it wrecks it",
            "naltrexone-liver-safety",
        ),
        (
            "doesnt naltrexone cause liver damage",
            "naltrexone-liver-safety",
        ),
        (
            "won't vivitrol block my pain meds",
            "naltrexone-opioid-pain-medicines",
        ),
    ] {
        assert_eq!(answered(q).as_deref(), Some(entry), "{q:?}");
        let tokens = ENGINE.explain(q).tokens;
        assert!(
            tokens.iter().any(|t| t.text == "naltrexone"),
            "{q:?} kept its medicine"
        );
    }
    // "not the naltrexone" still sets it aside.
    assert_eq!(
        answered("not the naltrexone, the actual withdrawal, what helps").as_deref(),
        Some("alcohol-withdrawal-treatment")
    );
}

#[test]
fn explain_says_what_the_asking_clauses_read_alone_decided() {
    let e = ENGINE.explain(
        "My sister is 19 and got clean from fentanyl last month, she just started the \
         naltrexone tablets. I'd like to keep naloxone in the house but I have no idea where \
         you buy it or how to give it. Any advice?",
    );
    assert!(e.asks_elsewhere);
    assert_eq!(
        e.entries[0].entry_id,
        "naltrexone-fentanyl-long-acting-opioids-before-starting"
    );
    assert_eq!(
        e.question_leader.as_deref(),
        Some("naloxone-carrying-storage")
    );
    // A plain question has no asking clauses apart from the rest.
    let plain = ENGINE.explain("how long does naltrexone block opioids");
    assert!(!plain.asks_elsewhere);
    assert_eq!(plain.question_leader, None);
    assert_eq!(plain.settled_by_question, None);
}

#[test]
fn a_help_seeking_question_the_usual_floors_decline_is_offered_on_the_second_opinion() {
    let q = "lost my counselor when my insurance changed, how do i find a new treatment program";
    let e = ENGINE.explain(q);
    assert!(e.offered_on_the_second_opinion);
    assert_eq!(e.entries[0].entry_id, "finding-treatment-support");
    let r = ENGINE.ask(q);
    assert_eq!(r.outcome, Outcome::Clarify);
    assert_eq!(r.alternatives[0].entry_id, "finding-treatment-support");
    // An answer, or a decline, says nothing of it.
    assert!(
        !ENGINE
            .explain("how long does naltrexone block opioids")
            .offered_on_the_second_opinion
    );
    assert!(
        !ENGINE
            .explain("how do i bake sourdough bread")
            .offered_on_the_second_opinion
    );
}
