use std::path::PathBuf;

use super::*;
use crate::knowledge::KnowledgeBase;

fn index() -> (KnowledgeBase, Index) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let kb = KnowledgeBase::load(&dir).expect("the valid fixture loads");
    let index = Index::new(&kb, &[]);
    (kb, index)
}

fn decision(q: &str) -> Option<String> {
    let (kb, index) = index();
    match decide(&index.rank(q)) {
        Decision::Answer(s) => Some(kb.entries[s.entry].id.clone()),
        _ => None,
    }
}

#[track_caller]
fn case(q: &str, expected: Option<&str>) {
    assert_eq!(decision(q).as_deref(), expected, "answer for {q:?}");
}

#[test]
fn answers_brand_and_slang_phrasings() {
    case(
        "will percs work if im on the shot",
        Some("naltrexone-opioid-pain-medicines"),
    );
    case(
        "can i have a beer on revia",
        Some("naltrexone-drinking-alcohol"),
    );
}

#[test]
fn drug_guard_rules_out_entries_about_other_drugs() {
    // Lexapro is a drug no entry covers: the alcohol entry must not answer.
    case("can i drink on lexapro", None);
    let (kb, index) = index();
    let ranking = index.rank("can i drink on lexapro");
    assert!(ranking
        .scored
        .iter()
        .all(|s| kb.entries[s.entry].id != "naltrexone-drinking-alcohol"));
}

/// The entries `q` ranks, best first; fails when it ranks none, so that a test asserting
/// something of every ranked entry cannot pass by checking nothing.
#[track_caller]
fn ranked(index: &Index, q: &str) -> Vec<Scored> {
    let scored = index.rank(q).scored;
    assert!(!scored.is_empty(), "{q:?} ranks no entry");
    scored
}

#[test]
fn a_drug_named_outside_an_entrys_anchors_rules_it_out() {
    // Narcan (naloxone) is covered by the comparison entry only: named beside naltrexone,
    // it rules out the alcohol entry that "drink" would otherwise favour.
    let (kb, index) = index();
    assert!(ranked(&index, "can i drink on narcan and naltrexone")
        .iter()
        .all(|s| kb.entries[s.entry].id == "naltrexone-vs-naloxone"));
}

#[test]
fn disabled_entries_are_never_served() {
    // The question shares words with the disabled entry and with enabled ones.
    let (kb, index) = index();
    assert!(
        ranked(&index, "hidden thing one: can i drink on naltrexone")
            .iter()
            .all(|s| kb.entries[s.entry].enabled)
    );
}

#[test]
fn exact_question_ranks_its_entry_first() {
    let (kb, index) = index();
    for (ei, e) in kb.entries.iter().enumerate().filter(|(_, e)| e.enabled) {
        for q in &e.questions {
            let top = index.rank(q).scored[0];
            assert_eq!(top.entry, ei, "{q:?}");
        }
    }
}

#[test]
fn unrelated_question_is_declined() {
    let (_, index) = index();
    assert_eq!(
        decide(&index.rank("how do i bake sourdough bread")),
        Decision::NoMatch
    );
    assert_eq!(decide(&index.rank("")), Decision::NoMatch);
}

#[test]
fn f_beta_is_one_only_for_a_full_match() {
    let b = Weights::DEFAULT.beta;
    assert!((f_beta(2.0, 2.0, 2.0, b) - 1.0).abs() < 1e-6);
    assert!(f_beta(1.0, 2.0, 2.0, b) < 1.0);
    assert_eq!(f_beta(0.0, 2.0, 2.0, b), 0.0);
    // Covering the stored question fully counts more than covering the member's words.
    assert!(f_beta(1.0, 4.0, 1.0, b) > f_beta(1.0, 1.0, 4.0, b));
}

#[test]
fn thresholds_are_ordered() {
    let w = Weights::DEFAULT;
    assert!(w.clarify_min <= w.answer_min);
    assert!(w.answer_margin < w.clarify_band);
    assert!((0.0..=1.0).contains(&w.coverage_share));
}

#[test]
fn large_indexes_still_rank_an_exact_question_first() {
    // Over PRUNE_FROM_QUESTIONS stored questions, common words only add to candidates found
    // by rarer ones; an entry's own question must still find it.
    let (kb, _) = index();
    let base = kb.entries[0].clone();
    let common = [
        "can",
        "take",
        "naltrexone",
        "drink",
        "work",
        "is",
        "it",
        "ok",
    ];
    let entries = (0..1_000)
        .map(|i| {
            let mut e = base.clone();
            e.id = format!("generated-{i}");
            e.questions = (0..6)
                .map(|j| {
                    format!(
                        "{} {} zeta{i} word{} {} {}",
                        common[(i + j) % common.len()],
                        common[(i * 3 + j) % common.len()],
                        (i * 7 + j) % 500,
                        common[(i + 2 * j) % common.len()],
                        ["alpha", "beta", "gamma"][j % 3],
                    )
                })
                .collect();
            e.related = Vec::new();
            e
        })
        .collect();
    let big = KnowledgeBase { entries, ..kb };
    let index = Index::new(&big, &[]);
    assert!(index.questions.len() >= PRUNE_FROM_QUESTIONS);
    for i in [0usize, 17, 500, 999] {
        let q = &big.entries[i].questions[2];
        let ranking = index.rank(q);
        assert_eq!(ranking.scored[0].entry, i, "{q:?}");
        assert!(ranking.scored.len() <= MAX_RANKED);
    }
    // A word of the knowledge drowned in unknown ones cannot reach any floor: nothing is
    // scored. The same word, with fewer unknown ones, is.
    let hopeless = "zeta17 bake sourdough bread rye flour sesame seeds oven tray \
                    starter yeast salt water loaf crust";
    let ranking = index.rank(hopeless);
    assert!(ranking.scored.is_empty(), "{:?}", ranking.scored.first());
    assert_eq!(index.decide(&ranking), Decision::NoMatch);
    assert_eq!(index.rank("zeta17 bake sourdough").scored[0].entry, 17);
}

/// The shipped knowledge, for tests of how member-style messages rank against it.
fn shipped() -> (KnowledgeBase, Index) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let kb = KnowledgeBase::load(&dir).expect("the shipped knowledge loads");
    let index = Index::new(&kb, &[]);
    (kb, index)
}

/// The ids an outcome offers: the answer, or the choices; none for no match.
fn offered(kb: &KnowledgeBase, d: &Decision) -> Vec<String> {
    let ids = |s: &[Scored]| s.iter().map(|s| kb.entries[s.entry].id.clone()).collect();
    match d {
        Decision::Answer(s) => ids(&[*s]),
        Decision::Clarify(c) => ids(c),
        Decision::NoMatch => Vec::new(),
    }
}

#[test]
fn a_story_counts_less_than_the_clause_that_asks() {
    let (kb, index) = shipped();
    let q = "i have been sober from booze for five months and sleeping better, my sister keeps \
             saying i look great and my liver numbers came back fine last week. how long \
             should people stay on naltrexone?";
    let analysis = index.normalizer().analyze(q);
    let with_context = index.rank_analysis(&analysis);
    let flat = index.rank_tokens(analysis.tokens.clone());
    let expected = "aud-medications-how-long";
    let id = |r: &Ranking| kb.entries[r.scored[0].entry].id.clone();
    assert_eq!(id(&with_context), expected);
    assert_eq!(id(&flat), expected);
    // Discounting the story's incidental words ("sleeping", "liver") turns a hesitant "did
    // you mean" into the answer.
    assert!(matches!(index.decide(&with_context), Decision::Answer(s)
        if kb.entries[s.entry].id == expected));
    assert!(!matches!(index.decide(&flat), Decision::Answer(_)));
}

#[test]
fn a_message_without_a_story_ranks_as_its_tokens() {
    // One clause, or a short aside: no word is discounted.
    let (_, index) = shipped();
    for q in [
        "can i drink on naltrexone",
        "this rash is bad, is it the shot?",
    ] {
        let analysis = index.normalizer().analyze(q);
        assert_eq!(
            index.rank_analysis(&analysis).scored,
            index.rank_tokens(analysis.tokens.clone()).scored,
            "{q:?}"
        );
    }
}

/// The outcome for `q` against `index`, read as the engine reads it.
fn decided(index: &Index, q: &str) -> Decision {
    let ranking = index.rank_analysis(&index.normalizer().analyze(q));
    assert!(ranking.short, "{q:?} should read as short");
    index.decide(&ranking)
}

#[test]
fn a_bare_medicine_or_topic_gets_its_topics_overview() {
    let (kb, index) = shipped();
    for (q, overview) in [
        ("vivitrol", "naltrexone-basics"),
        ("revia", "naltrexone-basics"),
        ("narcan", "opioid-overdose-signs-naloxone"),
        ("withdrawal from alcohol", "alcohol-withdrawal-danger"),
        ("tell me about vivitrol", "naltrexone-basics"),
    ] {
        let d = decided(&index, q);
        assert!(
            matches!(d, Decision::Answer(s) if kb.entries[s.entry].id == overview),
            "{q:?}: {:?}",
            offered(&kb, &d)
        );
    }
    // Two medicines, a word outside the lexicon, a term the overview's questions never name,
    // or entries from several topics: it asks which.
    for q in [
        "naltrexone for opiates",
        "naltrexone brochure",
        "naltrexone kidney",
        "withdrawal",
    ] {
        let d = decided(&index, q);
        assert!(matches!(d, Decision::Clarify(_)), "{q:?}: {d:?}");
    }
    // A short question naming nothing curated is still declined.
    assert_eq!(decided(&index, "weather"), Decision::NoMatch);
}

#[test]
fn without_an_overview_a_bare_medicine_or_topic_offers_its_central_entries() {
    let (mut kb, _) = shipped();
    for e in &mut kb.entries {
        e.overview = false;
    }
    let index = Index::new(&kb, &[]);
    for (q, central) in [
        ("vivitrol", "naltrexone-basics"),
        ("revia", "naltrexone-basics"),
        (
            "withdrawal from alcohol",
            "alcohol-withdrawal-symptoms-timeline",
        ),
    ] {
        let d = decided(&index, q);
        assert!(matches!(d, Decision::Clarify(_)), "{q:?}: {d:?}");
        assert!(offered(&kb, &d).iter().any(|i| i == central), "{q:?}");
    }
}

#[test]
fn the_second_opinion_favours_the_entry_whose_questions_use_the_members_words() {
    let (kb, index) = index();
    let id = |r: &Ranking, i: usize| kb.entries[r.scored[i].entry].id.clone();
    // "work" and "shot" are in the painkiller entry's questions only.
    let clear = index.rank("do painkillers work on the shot");
    assert_eq!(id(&clear, 0), "naltrexone-opioid-pain-medicines");
    assert_eq!(id(&clear, 1), "naltrexone-drinking-alcohol");
    assert!(clear.agreement > 0.9, "{}", clear.agreement);
    // The overlap favours the alcohol entry ("on revia" is in its questions), the word
    // counts the painkiller one: the second opinion does not back the leader.
    let split = index.rank("painkillers and a beer on revia");
    assert_eq!(id(&split, 0), "naltrexone-drinking-alcohol");
    assert!(split.agreement < 0.5, "{}", split.agreement);
    // One entry ranked, or none: no sibling to tell apart, no opinion.
    assert_eq!(index.rank("codeine or a beer on vivitrol").agreement, 0.0);
    assert_eq!(index.rank("sourdough").agreement, 0.0);
}

#[test]
fn a_medicine_a_story_names_in_passing_does_not_decide_what_it_asks() {
    let (kb, index) = shipped();
    let read = |q: &str| index.rank_analysis(&index.normalizer().analyze(q));
    // A detox medicine in the background: read strictly, only the detox entry mentions
    // diazepam, acamprosate and naltrexone together, and it would answer. Read with it
    // ignored, the entry titled with the two medicines the member weighs leads, and the
    // rules for stories answer it.
    let answered = |q: &str| match index.decide(&read(q)) {
        Decision::Answer(s) => Some(kb.entries[s.entry].id.as_str()),
        _ => None,
    };
    let q = "Some background: I did a hospital detox with valium last month and I'm 3 weeks \
             sober now. My doctor says I can pick acamprosate or naltrexone. Which one should \
             I go for?";
    let ranking = read(q);
    assert_eq!(ranking.passing_medicine.as_deref(), Some("diazepam"));
    assert!(ranking.anchored);
    assert_eq!(answered(q), Some("naltrexone-vs-acamprosate"), "{q:?}");
    // One that would leave nothing to offer read strictly.
    let q = "Quick note first, my detox last spring was done with librium in a hospital and \
             it went fine. Now the clinic has offered me either campral or revia and said to \
             think it over. What would suit someone like me better?";
    let ranking = read(q);
    assert_eq!(
        ranking.passing_medicine.as_deref(),
        Some("chlordiazepoxide")
    );
    assert!(offered(&kb, &index.decide(&ranking)).contains(&"naltrexone-vs-acamprosate".into()));
    // The medicine the member asks about names the entry a careful reader picks, though an
    // entry on the other one mentions it in passing and scores a little higher read strictly.
    let q = "Back home my GP had me on antabuse, the tablet that makes you ill if you drink. \
             Now that I have moved here my new doctor prescribes revia. What exactly does \
             antabuse do to you?";
    let ranking = read(q);
    assert_eq!(ranking.passing_medicine.as_deref(), Some("naltrexone"));
    // Its question, read alone, leads to the same entry: answered.
    assert_eq!(answered(q), Some("disulfiram-basics"), "{q:?}");
    // Not only in stories: a short message that says what the member takes, then asks
    // about another medicine.
    let d = index.decide(&read("i take campral. does naltrexone cause nausea"));
    assert_eq!(offered(&kb, &d)[0], "naltrexone-nausea");
    // The medicine the question asks about is never ignored, nor the only one named.
    for q in [
        "Some background: I did a hospital detox last month and I'm 3 weeks sober now. My \
         doctor put me on valium for sleep. Is valium ok with naltrexone?",
        "been on methadone for years and my clinic is moving across town, which is a pain \
         with the buses. has anyone else had their clinic move, how did it go?",
    ] {
        assert_eq!(read(q).passing_medicine, None, "{q:?}");
    }
}

#[test]
fn a_question_that_says_almost_nothing_reads_its_subject_at_full_weight_in_a_story() {
    let (kb, index) = shipped();
    let q = "Three weeks on revia for my drinking, all fine so far. My pharmacist just told me \
             loperamide is an opioid and useless while on it. Is that true?";
    let analysis = index.normalizer().analyze(q);
    // "Is that true?" asks about what the pharmacist said…
    assert_eq!(analysis.asking, [false, false, true, true]);
    assert_eq!(analysis.lent, [false, false, true, false]);
    // …and the message is still a story: what it asks about is not its circumstances.
    let ranking = index.rank_analysis(&analysis);
    assert!(ranking.story);
    assert_eq!(
        offered(&kb, &index.decide(&ranking)),
        ["naltrexone-opioid-cough-diarrhea-medicines"]
    );
}

#[test]
fn a_message_whose_question_is_about_another_medicine_than_its_context_is_not_answered_on_it() {
    let (kb, index) = shipped();
    // The context (fentanyl, starting naltrexone) would lead to the entry on starting
    // naltrexone after fentanyl, and the second opinion backs it; the question is about
    // naloxone, which that entry's title does not name.
    let q = "My sister is 19 and got clean from fentanyl last month, she just started the \
             naltrexone tablets. I'd like to keep naloxone in the house but I have no idea \
             where you buy it or how to give it. Any advice?";
    let analysis = index.normalizer().analyze(q);
    let strict = index.rank_inner(
        analysis.tokens.clone(),
        &vec![1.0; analysis.tokens.len()],
        &(0..analysis.tokens.len())
            .map(|i| analysis.token_asks(i))
            .collect::<Vec<_>>(),
        &[],
        None,
    );
    assert_eq!(
        kb.entries[strict.scored[0].entry].id,
        "naltrexone-fentanyl-long-acting-opioids-before-starting"
    );
    let ranking = index.rank_analysis(&analysis);
    assert!(ranking.asks_elsewhere);
    assert!(ranking.agreement >= index.weights().agreement_min);
    assert!(
        !matches!(index.decide(&ranking), Decision::Answer(_)),
        "{q:?} is not answered on its context"
    );
    // A question about the medicine the context names is still read with its context.
    let q = "My sister got clean from fentanyl last month and just started naltrexone tablets. \
             How long should she have waited after the fentanyl?";
    let d = index.decide(&index.rank_analysis(&index.normalizer().analyze(q)));
    assert_eq!(
        offered(&kb, &d)[0],
        "naltrexone-fentanyl-long-acting-opioids-before-starting"
    );
}

#[test]
fn words_read_with_no_weight_leave_each_entry_ranked_once() {
    let (_, index) = shipped();
    let analysis = index
        .normalizer()
        .analyze("almost died from fentanyl two years ago. should i carry narcan even though im on the shot?");
    let n = analysis.tokens.len();
    let asks: Vec<bool> = (0..n).map(|i| analysis.token_asks(i)).collect();
    assert!(asks.iter().any(|a| !a) && asks.iter().any(|a| *a));
    let focused: Vec<f32> = asks.iter().map(|a| if *a { 1.0 } else { 0.0 }).collect();
    let ranking = index.rank_inner(analysis.tokens.clone(), &focused, &asks, &[], None);
    let mut entries: Vec<usize> = ranking.scored.iter().map(|s| s.entry).collect();
    let ranked = entries.len();
    entries.sort_unstable();
    entries.dedup();
    assert_eq!(entries.len(), ranked);
}

#[test]
fn a_medicine_named_for_comparison_or_set_aside_is_not_what_the_question_asks_about() {
    let (kb, index) = shipped();
    let set_aside = |q: &str| -> Vec<String> {
        let tokens = index.normalizer().tokens(q);
        clauses::set_aside(&tokens)
            .into_iter()
            .map(|i| tokens[i].text.clone())
            .collect()
    };
    assert_eq!(
        set_aside("besides antabuse what else is there"),
        ["disulfiram"]
    );
    assert_eq!(
        set_aside("will revia make me throw up like with antabuse if i drink"),
        ["disulfiram"]
    );
    assert_eq!(
        set_aside("is antabuse safe with revia"),
        Vec::<String>::new()
    );
    // A story about naltrexone that compares it with disulfiram is not answered with the
    // disulfiram entry.
    let q = "Started revia 10 days ago. My best friend's birthday dinner is Friday and I will \
             probably have one beer, my doctor is fine with cutting down. Will I get really \
             ill like with antabuse if I drink on it?";
    let d = index.decide(&index.rank_analysis(&index.normalizer().analyze(q)));
    assert!(
        !matches!(d, Decision::Answer(s) if kb.entries[s.entry].id == "disulfiram-basics"),
        "{q:?}: {d:?}"
    );
}
