use super::*;
use crate::knowledge::{Lexicon, LexiconTerm, TermKind};

fn term(name: &str, kind: TermKind, variants: &[&str]) -> LexiconTerm {
    LexiconTerm {
        name: name.to_string(),
        kind,
        classes: Vec::new(),
        variants: variants.iter().map(|v| v.to_string()).collect(),
    }
}

fn normalizer() -> Normalizer {
    let lexicon = Lexicon {
        terms: vec![
            term(
                "naltrexone",
                TermKind::Drug,
                &["revia", "vivitrol", "the shot", "naltrexon"],
            ),
            term("naloxone", TermKind::Drug, &["narcan"]),
            term("naloxegol", TermKind::Drug, &["movantik"]),
            term("methylnaltrexone", TermKind::Drug, &["relistor"]),
            term(
                "codeine",
                TermKind::Drug,
                &["tylenol 3", "tylenol with codeine"],
            ),
            term("acetaminophen", TermKind::Drug, &["tylenol"]),
            term("oxycodone", TermKind::Drug, &["percs", "percocet"]),
            term("opioid", TermKind::Class, &["opioids", "opiates"]),
            term("alcohol", TermKind::Term, &["drink", "drinking", "booze"]),
        ],
        may_mean: Vec::new(),
    };
    let vocabulary = vec!["what are the side effects of tiredness".to_string()];
    Normalizer::new(&lexicon, &vocabulary, &[])
}

#[track_caller]
fn case(text: &str, expected: &[&str]) {
    let got: Vec<String> = normalizer()
        .tokens(text)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Stop)
        .map(|t| t.text)
        .collect();
    assert_eq!(got, expected, "tokens of {text:?}");
}

#[test]
fn fold_handles_unicode_case_and_invisible_characters() {
    assert_eq!(fold("ＮＡＬＴＲＥＸＯＮＥ"), "naltrexone");
    assert_eq!(fold("nal\u{200B}trex\u{200D}one"), "naltrexone");
    assert_eq!(fold("\u{202E}abc\u{202C}"), "abc");
    assert_eq!(fold("can’t"), "can't");
    // Lowercasing "İ" adds a combining dot; only letters and digits stay.
    assert_eq!(fold("İ"), "i");
    assert_eq!(words("🅐"), ["🅐"]);
    assert_eq!(fold("hi!!💊👍").trim_end(), "hi");
    assert_eq!(
        fold(&"x".repeat(MAX_INPUT_CHARS * 3)).len(),
        MAX_INPUT_CHARS
    );
}

#[test]
fn words_expand_contractions_with_or_without_apostrophes() {
    assert_eq!(words("I can't"), ["i", "can", "not"]);
    assert_eq!(words("i cant"), ["i", "can", "not"]);
    assert_eq!(words("he isn't"), ["he", "is", "not"]);
    assert_eq!(words("he isnt"), ["he", "is", "not"]);
    assert_eq!(words("im on it"), ["i", "am", "on", "it"]);
    assert_eq!(words("naltrexone's label"), ["naltrexone", "label"]);
    assert_eq!(words("he od'd"), ["he", "overdosed"]);
    assert_eq!(words("n'T"), ["not"]);
    assert!(words("").is_empty());
    assert!(words("   🙂  ").is_empty());
}

#[test]
fn words_expand_texting_shorthand() {
    assert_eq!(
        words("cn i tk it b4 bed w food"),
        ["can", "i", "take", "it", "before", "bed", "with", "food"]
    );
    assert_eq!(
        words("missed my appt, up all nite"),
        ["missed", "my", "appointment", "up", "all", "night"]
    );
    assert_eq!(words("3 hrs"), ["3", "hours"]);
    // A shorthand clause opening with a question word asks.
    asking_case(
        "been on it a wk. wat r the side effects of revia",
        &[false, true],
    );
    // An apostrophe typed inside shorthand is dropped first, as it would be on reading the
    // words again.
    assert_eq!(words("b`4"), ["before"]);
    assert_eq!(words("b'4 bed"), words("b4 bed"));
    // Not expanded: shorthand that means something else beside medicines, and numbers.
    assert_eq!(words("bc and 2 rn"), ["bc", "and", "2", "rn"]);
    // Each spelling expands one way.
    let mut from: Vec<&str> = english::CONTRACTIONS
        .iter()
        .chain(english::SHORTHAND)
        .map(|(f, _)| *f)
        .collect();
    let n = from.len();
    from.sort_unstable();
    from.dedup();
    assert_eq!(from.len(), n, "a spelling is listed twice");
}

#[test]
fn lexicon_maps_brands_slang_and_phrases() {
    case("percs on the shot", &["oxycodone", "naltrexone"]);
    case("Tylenol 3 with Revia", &["codeine", "naltrexone"]);
    case("tylenol with codeine", &["codeine"]);
    case("plain tylenol", &["plain", "acetaminophen"]);
    case("drinking on vivitrol", &["alcohol", "naltrexone"]);
    case("opiates", &["opioid"]);
}

#[test]
fn misspelled_drug_names_are_corrected() {
    case("naltrexne", &["naltrexone"]);
    case("vivitroll", &["naltrexone"]);
    case("percocett", &["oxycodone"]);
}

#[test]
fn look_alike_drugs_are_never_fuzzed_into_each_other() {
    case("naloxone", &["naloxone"]);
    case("naloxegol", &["naloxegol"]);
    case("methylnaltrexone", &["methylnaltrexone"]);
    case("relistor", &["methylnaltrexone"]);
    // Within reach of two different drugs: left alone rather than guessed.
    let t = normalizer().tokens("naloxgol");
    assert!(
        t.iter()
            .all(|t| t.text != "naltrexone" && t.text != "naloxone"),
        "{t:?}"
    );
}

#[test]
fn english_words_are_not_corrected_into_the_vocabulary() {
    // "tiredness" is in the vocabulary; "tirednes" is a slip of it, "couch" and "thanks"
    // are words of their own, one edit from "cough" and "thinks".
    let n = Normalizer::new(
        &Lexicon::default(),
        &["a cough and tiredness, he thinks".to_string()],
        &[],
    );
    let texts = |q: &str| -> Vec<String> { n.tokens(q).into_iter().map(|t| t.text).collect() };
    assert_eq!(texts("tirednes"), texts("tiredness"));
    assert_ne!(texts("couch"), texts("cough"));
    assert_ne!(texts("thanks"), texts("thinks"));
    assert!(spelling::is_english_word("infection"));
    assert!(!spelling::is_english_word("injeccion"));
}

#[test]
fn short_words_are_not_corrected() {
    // "oxy" is one edit from nothing here, but even so it stays an ordinary (stemmed) word.
    let t = normalizer().tokens("oxy");
    assert_eq!(t[0].kind, TokenKind::Word);
}

#[test]
fn corrected_tokens_carry_lower_similarity() {
    let t = normalizer().tokens("naltrexne");
    assert_eq!(t[0].text, "naltrexone");
    assert!(t[0].similarity < 1.0 && t[0].similarity > 0.5);
}

#[test]
fn ordinary_words_are_stemmed() {
    case("side effects", &["side", "effect"]);
}

#[track_caller]
fn asking_case(text: &str, expected: &[bool]) {
    let a = normalizer().analyze(text);
    assert_eq!(a.asking, expected, "asking clauses of {text:?}");
}

#[test]
fn finds_the_clauses_that_ask() {
    // A question mark, a question word or modal opening the clause, or one a word in.
    asking_case(
        "two weeks on revia, doing well. can i take codeine for my knee?",
        &[false, false, true],
    );
    asking_case(
        "been on the shot a month, can i take codeine for my tooth",
        &[false, true],
    );
    asking_case("so should i stop before surgery", &[true]);
    asking_case("i feel sick every morning", &[false]);
    // A run of question marks after a space still marks the clause before it.
    asking_case("my doctor said wait a week ??", &[true]);
    // Only the opening words count: "is it" later in a statement does not ask.
    asking_case("i think that is it, the pills", &[false, false]);
    // A question put as a statement asks.
    asking_case("i wonder if it is the pills", &[true]);
    asking_case(
        "he is clean now. i honestly do not know how narcan is used",
        &[false, true],
    );
    asking_case("not sure whether to take it at night", &[true]);
    // "know" without a question word after it does not.
    asking_case("i do not know anyone on it", &[false]);
    // A subject before the modal makes a statement.
    asking_case(
        "i can't go to a local rehab where people know me. where do people in my town look for help with drinking",
        &[false, true],
    );
    asking_case(
        "he's been drinking a lot, is a detox at home with librium and a nurse safe",
        &[false, true],
    );
    asking_case("ok can i drink on it", &[true]);
    // A modal after any other word is a statement: "things are really good".
    asking_case(
        "things are really good, the doctor can see me monday",
        &[false, false],
    );
    asking_case("so what is it", &[true]);
}

#[test]
fn a_question_that_says_almost_nothing_asks_about_what_came_before() {
    for (text, expected) in [
        // "what now?" asks about the knee, and about revia: back to a clause that names a
        // medicine or a term of the lexicon…
        (
            "two weeks on revia. my knee hurts. what now?",
            &[true, true, true][..],
        ),
        (
            "on the shot for a month. my roommate said imodium is an opioid. is that true?",
            &[false, true, true],
        ),
        // …two clauses at most.
        (
            "revia for a month. my knee hurts. it swelled up overnight. what now?",
            &[false, true, true, true],
        ),
        (
            "on the shot. the lump got red, then it grew. is it?",
            &[false, true, true, true],
        ),
    ] {
        asking_case(text, expected);
    }
    // A question of a few words that names nothing the lexicon knows: back to a clause that
    // does.
    let a = normalizer().analyze(
        "i forget pills. the doctor offered revia or the shot. what are the pros and cons of each?",
    );
    assert_eq!(a.asking, [false, true, true]);
    assert_eq!(a.lent, [false, true, false]);
    // A question that says enough lends nothing; nor does a clause that only asks because
    // another lent it asking.
    asking_case(
        "two weeks on revia. my knee hurts. can i take codeine for the pain?",
        &[false, false, true],
    );
    // A question of more words that names nothing the lexicon knows and points back at what
    // came before ("that", "this") asks about it too.
    asking_case(
        "i keep thinking if i used more i would feel it through the shot. i want to know how \
         dangerous that really is so i can be honest with myself",
        &[true, true],
    );
    asking_case(
        "i keep thinking if i used more i would feel it through the shot. i want to know how \
         dangerous the whole plan really is so i can be honest with myself",
        &[false, true],
    );
}

#[test]
fn who_reports_what_a_clause_says_is_not_what_it_is_about() {
    let a = normalizer().analyze("my counselor says the wait is the hard part. why?");
    let reports = a.reporters();
    let texts: Vec<&str> = a.tokens.iter().map(|t| t.text.as_str()).collect();
    let counselor = texts
        .iter()
        .position(|t| *t == "counselor")
        .expect("a token");
    let wait = texts.iter().position(|t| *t == "wait").expect("a token");
    assert!(reports[counselor], "{texts:?}");
    assert!(!reports[wait], "{texts:?}");
    // The member's own thoughts are what they ask about.
    let a = normalizer().analyze("i am starting to think revia does not work");
    assert!(a.reporters().iter().all(|r| !r));
    // A medicine is never the reporter.
    let a = normalizer().analyze("revia says on the label take with food");
    assert!(!a.reporters()[0]);
    // Only near the clause's start: a verb later in a long clause reports nothing.
    let a = normalizer().analyze("the wait is the hard part of the whole plan they said");
    assert!(a.reporters().iter().all(|r| !r));
}

#[test]
fn a_request_for_information_leaves_only_its_subject() {
    let n = normalizer();
    for q in [
        "tell me about naltrexone",
        "can you tell me about naltrexone",
        "i want to know about naltrexone",
        "info on naltrexone",
    ] {
        let a = n.analyze(q);
        assert_eq!(a.tokens, n.tokens("naltrexone"), "{q:?}");
        assert_eq!(a.starts.len(), a.tokens.len(), "{q:?}");
        assert_eq!(a.clauses.len(), a.tokens.len(), "{q:?}");
    }
    // "tell" that is not a request keeps its meaning.
    assert!(n
        .tokens("should i tell my doctor about my drinking")
        .iter()
        .any(|t| t.text == "tell"));
}

#[test]
fn function_words_of_mixed_in_languages_are_stopwords_and_their_question_words_english() {
    // "meine", "und", "mi", "la" weigh like "my", "and"; "que es" reads "what is".
    case(
        "Ich nehme Naltrexon und meine werte",
        &["nehm", "naltrexone", "wert"],
    );
    case("mi esposo toma la revia", &["esposo", "toma", "naltrexone"]);
    case("que es naltrexona", &["what", "naltrexone"]);
}
