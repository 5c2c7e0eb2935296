use std::path::PathBuf;
use std::sync::OnceLock;

use crate::knowledge::EmergencyKind::{self, *};
use crate::Engine;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        Engine::load(&dir).expect("the shipped knowledge loads")
    })
}

/// `text` is triaged as `expected` (the leading kind first; empty for "not an emergency").
#[track_caller]
fn case(text: &str, expected: &[EmergencyKind]) {
    let got = engine().triage(text).kinds;
    let lead = got.first().copied();
    assert_eq!(
        lead,
        expected.first().copied(),
        "{text:?}: got {got:?}\n{:#?}",
        engine().explain_triage(text)
    );
    for kind in expected {
        assert!(
            got.contains(kind),
            "{text:?}: {kind:?} missing from {got:?}"
        );
    }
}

#[test]
fn word_forms_and_slang_meet_the_same_concept() {
    case("i wanna end it", &[Suicide]);
    case("im ending it all tonight", &[Suicide]);
    case("gonna kms", &[Suicide]);
    case("he aint breathin", &[Overdose]);
    case("she wont wake up", &[Overdose]);
    case("my friend is oding", &[Overdose]);
    case("HES NOT BREATHING!!!", &[Overdose]);
}

#[test]
fn question_words_do_not_silence_a_suicide_statement() {
    case(
        "i want to kill myself, could naltrexone cause this",
        &[Suicide],
    );
    case("can naltrexone cause this? i want to die", &[Suicide]);
    case("does naltrexone cause suicidal thoughts", &[]);
}

#[test]
fn suppressors_only_silence_their_own_clause() {
    case("what are the signs of an overdose", &[]);
    case(
        "how do i know if he overdosed? he is not breathing",
        &[Overdose],
    );
    case(
        "is this normal? day 3 no alcohol and i see bugs on the walls",
        &[Withdrawal],
    );
    case("i overdosed in 2019 and they gave me narcan", &[]);
}

#[test]
fn now_overrides_the_past_unless_the_danger_is_over() {
    case("he overdosed last year", &[]);
    case(
        "he overdosed last year and is not breathing right now",
        &[Overdose],
    );
    case("my overdose was years ago and im clean now", &[]);
}

#[test]
fn hyperbole_is_not_an_emergency() {
    case("this nausea is killing me lol", &[]);
    case("im dying to know if i can drink on naltrexone", &[]);
    case("my doctor is going to kill me, i missed my shot", &[]);
}

#[test]
fn context_decides_the_kind() {
    case(
        "stopped drinking 2 days ago and now hes seeing things",
        &[Withdrawal],
    );
    // No rule fires without the context; the learned reader, which has seen many messages
    // of this community, may still read it as withdrawal.
    assert!(engine()
        .explain_triage("he is seeing things")
        .fired
        .is_empty());
    case(
        "drank a whole bottle of vodka and we cant wake her",
        &[Poisoning],
    );
    case(
        "drank vodka on top of his methadone and we cant wake him",
        &[Overdose],
    );
    case("my toddler swallowed one of my pills", &[Poisoning]);
    case("my mum quit the wine and is having a fit", &[Seizure]);
    case(
        "took my naltrexone after using and cant stop throwing up",
        &[Withdrawal],
    );
}

#[test]
fn spanish_emergencies_are_recognised() {
    case("mi amigo no respira", &[Overdose]);
    case("no despierta", &[Overdose]);
    case("se quiere matar", &[Suicide]);
}

#[test]
fn explanations_name_the_rule_and_what_held_others_back() {
    let e = engine().explain_triage("what are the signs that someone is not breathing");
    assert!(e.fired.is_empty(), "{e:?}");
    assert!(
        e.held_back.iter().any(|w| w.contains("suppressed by")),
        "{e:?}"
    );
    let e = engine().explain_triage("he stopped breathing");
    assert_eq!(e.fired.len(), 1, "{e:?}");
    assert!(e.fired[0].contains("overdose"), "{e:?}");
    assert!(e.clauses[0].contains(&"breathing".to_string()), "{e:?}");
}

#[test]
fn a_crisis_topic_without_an_emergency_earns_a_notice() {
    let a = engine().triage("can naltrexone cause suicidal thoughts");
    assert!(!a.is_emergency());
    assert_eq!(a.notices.len(), 1, "{a:?}");
    assert!(engine()
        .triage("can i drink on naltrexone")
        .notices
        .is_empty());
}

#[test]
fn a_negator_denies_the_words_just_after_it() {
    for text in [
        "im not thinking of hurting myself, just feeling low today",
        "not drinking, not using, just sitting in my car feeling like a failure",
    ] {
        let explained = engine().explain_triage(text);
        assert!(explained.fired.is_empty(), "{text:?}: {explained:#?}");
    }
    // Only what it denies: the rest of the message still counts, and a form that starts
    // with the negator ("not breathing") is read as written.
    case(
        "i dont want to die but i took too many of my pills and i cant stay awake",
        &[Overdose],
    );
    case("i could not believe it, he is not breathing", &[Overdose]);
    case(
        "i never wanted to kill myself until tonight, i have the pills here",
        &[Suicide],
    );
}

#[test]
fn a_settled_event_is_not_an_emergency_unless_its_signs_are_happening_now() {
    for text in [
        "my dog chewed an empty suboxone foil, the vet says he is fine",
        "took my naltrexone twice by mistake this morning, i feel completely normal",
        "in the movie the guy stops breathing and his lips go blue, is that realistic",
    ] {
        let explained = engine().explain_triage(text);
        assert!(explained.fired.is_empty(), "{text:?}: {explained:#?}");
        assert!(
            explained.held_back.iter().any(|w| w.contains("settled by")),
            "{text:?}: {explained:#?}"
        );
    }
    case(
        "they sent her home from the er yesterday but she is seizing again right now",
        &[Seizure],
    );
    case(
        "we were watching a movie and he just stopped breathing, his lips are going grey",
        &[Overdose],
    );
    // A parent's "she seems fine" does not settle a child's swallowed medicine: methadone
    // and buprenorphine harm hours later.
    case(
        "my 2 year old chewed one of my suboxone films, she seems totally fine right now",
        &[Poisoning],
    );
}

#[test]
fn the_learned_reader_escalates_what_no_rule_fires_on() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let mut kb = crate::KnowledgeBase::load(&dir).expect("the shipped knowledge loads");
    kb.safety.examples.clear();
    let rules_alone = Engine::new(kb);
    for (text, kind) in [
        (
            "brother has been off the bottle since friday and keeps brushing spiders off his arms that nobody else can see",
            Withdrawal,
        ),
        (
            "the bleeding from my wrist wont slow down even with a towel pressed on it",
            SelfHarm,
        ),
    ] {
        let explained = engine().explain_triage(text);
        assert!(explained.fired.is_empty(), "{text:?}: {explained:#?}");
        let assessment = engine().triage(text);
        assert_eq!(assessment.kinds, [kind], "{text:?}: {explained:#?}");
        assert!(assessment.learned);
        assert!(
            explained.learned.as_deref().is_some_and(|l| l.contains("escalates;")),
            "{explained:#?}"
        );
        let without = rules_alone.triage(text);
        assert!(!without.is_emergency(), "{text:?} without examples: {without:?}");
        assert!(rules_alone.explain_triage(text).learned.is_none());
    }
}

#[test]
fn recovered_cancels_now_in_its_clause() {
    // "tonight" would make the clause live; "ago tonight" says it is an anniversary.
    let text = "3 years ago tonight i tried to kill myself, today im 2 years sober";
    let explained = engine().explain_triage(text);
    assert!(explained.fired.is_empty(), "{explained:#?}");
    case(
        "i tried to kill myself tonight, i took all my pills",
        &[Suicide],
    );
}
