//! The English word lists the normalizer reads: stopwords, contractions, and which stemmer.
//! Another language would be another file like this one.

use rust_stemmers::Algorithm;

/// The stemmer for ordinary words.
pub(super) const STEMMER: Algorithm = Algorithm::English;

/// Common words that carry little meaning in a question. They still count a little (see the
/// matcher's `STOPWORD_WEIGHT`), never as evidence on their own.
pub(super) const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "also",
    "am",
    "an",
    "and",
    "any",
    "anyone",
    "anything",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "but",
    "by",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "for",
    "from",
    "get",
    "got",
    "guys",
    "had",
    "has",
    "have",
    "having",
    "he",
    "hello",
    "her",
    "hers",
    "hey",
    "hi",
    "him",
    "his",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "know",
    "like",
    "lol",
    "me",
    "might",
    "my",
    "myself",
    "of",
    "oh",
    "ok",
    "okay",
    "on",
    "or",
    "our",
    "please",
    "pls",
    "plz",
    "really",
    "she",
    "so",
    "some",
    "someone",
    "something",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "this",
    "those",
    "to",
    "too",
    "u",
    "um",
    "ur",
    "us",
    "very",
    "was",
    "we",
    "were",
    "while",
    "will",
    "with",
    "would",
    "ya",
    "yeah",
    "you",
    "your",
    "yours",
    "only",
    "even",
    "actually",
    "ever",
    "kinda",
    "sorta",
    "basically",
    "literally",
    "totally",
    "anyway",
    "though",
    "maybe",
    "probably",
    "btw",
    "idk",
];

/// Function words of the languages members most often mix into English (Spanish, Portuguese,
/// German): "mi esposo toma naltrexona", "meine Leberwerte sind hoch". They say as little as
/// English stopwords, so they count as stopwords rather than as unknown words that pull a
/// question away from every entry. Words that are also English words members use for meaning
/// ("die", "son", "no") are left out; the question words are read as English (see
/// [`CONTRACTIONS`]).
pub(super) const BORROWED_STOPWORDS: &[&str] = &[
    "al", "como", "con", "del", "el", "en", "esta", "este", "la", "las", "lo", "los", "mi", "mis",
    "para", "pero", "por", "se", "su", "sus", "un", "una", "y", "ao", "com", "da", "das", "dos",
    "ela", "ele", "em", "meu", "minha", "os", "um", "uma", "ich", "mein", "meine", "mit", "sind",
    "und", "der", "zu", "le", "o", "e", "hola", "oi",
];

/// Contractions and common apostrophe-less spellings, expanded before anything else so that
/// "isn't", "isnt" and "is not" read the same.
pub(super) const CONTRACTIONS: &[(&str, &str)] = &[
    // "o que é naltrexona", "qué es", "was ist": the question word and verb of the languages
    // members mix in most (their other function words are in [`BORROWED_STOPWORDS`]).
    ("que", "what"),
    ("qué", "what"),
    ("é", "is"),
    ("es", "is"),
    ("ist", "is"),
    ("can't", "can not"),
    ("cant", "can not"),
    ("cannot", "can not"),
    ("won't", "will not"),
    ("wont", "will not"),
    ("isnt", "is not"),
    ("arent", "are not"),
    ("wasnt", "was not"),
    ("werent", "were not"),
    ("dont", "do not"),
    ("doesnt", "does not"),
    ("didnt", "did not"),
    ("havent", "have not"),
    ("hasnt", "has not"),
    ("hadnt", "had not"),
    ("shouldnt", "should not"),
    ("wouldnt", "would not"),
    ("couldnt", "could not"),
    ("aint", "is not"),
    ("im", "i am"),
    ("i'm", "i am"),
    ("ive", "i have"),
    ("i've", "i have"),
    ("i'd", "i would"),
    ("i'll", "i will"),
    ("youre", "you are"),
    ("you're", "you are"),
    ("you've", "you have"),
    ("you'll", "you will"),
    ("hes", "he is"),
    ("he's", "he is"),
    ("shes", "she is"),
    ("she's", "she is"),
    ("it's", "it is"),
    ("thats", "that is"),
    ("that's", "that is"),
    ("whats", "what is"),
    ("what's", "what is"),
    ("theres", "there is"),
    ("there's", "there is"),
    ("theyre", "they are"),
    ("they're", "they are"),
    ("we're", "we are"),
    ("wanna", "want to"),
    ("gonna", "going to"),
    ("gotta", "got to"),
    ("od'd", "overdosed"),
    ("od'ed", "overdosed"),
    ("oded", "overdosed"),
];

/// Texting shorthand, expanded like contractions: members type on phones ("cn i tk benadryl
/// on revia"). Only spellings that mean nothing else in a message about medicines: not "bc"
/// (birth control), "rn" (a nurse), "2" or "4" (doses and days).
pub(super) const SHORTHAND: &[(&str, &str)] = &[
    ("abt", "about"),
    ("appt", "appointment"),
    ("appts", "appointments"),
    ("b4", "before"),
    ("becuz", "because"),
    ("bcuz", "because"),
    ("coz", "because"),
    ("cuz", "because"),
    ("cn", "can"),
    ("cud", "could"),
    ("dnt", "do not"),
    ("dunno", "do not know"),
    ("gf", "girlfriend"),
    ("hrs", "hours"),
    ("hw", "how"),
    ("lemme", "let me"),
    ("n", "and"),
    ("nite", "night"),
    ("ppl", "people"),
    ("r", "are"),
    ("shd", "should"),
    ("shld", "should"),
    ("shud", "should"),
    ("smth", "something"),
    ("tho", "though"),
    ("thru", "through"),
    ("tk", "take"),
    ("tmrw", "tomorrow"),
    ("w", "with"),
    ("wat", "what"),
    ("wen", "when"),
    ("wht", "what"),
    ("wud", "would"),
    ("wut", "what"),
    ("yday", "yesterday"),
];

/// Question words: they open a question when they come first in a clause, or nearly (see
/// [`QUESTION_OPENER_REACH`]).
pub(super) const QUESTION_WORDS: &[&str] = &[
    "how", "what", "whats", "why", "when", "which", "who", "where",
];

/// The modals and auxiliaries a yes/no question starts with: first in a clause, or after
/// lead-ins only (see [`LEAD_INS`]).
pub(super) const QUESTION_AUXILIARIES: &[&str] = &[
    "can", "could", "should", "would", "will", "is", "are", "do", "does", "did", "may", "might",
    "shall", "must",
];

/// Words members lead into a question with ("so can i…", "ok is it…"): any other word before
/// a modal makes a statement ("things are really good", "the doctor can see me monday").
pub(super) const LEAD_INS: &[&str] = &[
    "so",
    "ok",
    "okay",
    "k",
    "and",
    "but",
    "or",
    "anyway",
    "anyways",
    "also",
    "well",
    "hey",
    "hi",
    "then",
    "now",
    "plus",
    "like",
    "um",
    "umm",
    "hmm",
    "sorry",
    "honestly",
    "seriously",
    "basically",
    "yeah",
    "yes",
    "no",
    "oh",
    "wait",
    "lol",
    "question",
    "q",
    "pls",
    "please",
];

/// Words that, opening a clause, make it a statement even when a modal follows ("i can't go
/// to a local rehab", "he's been drinking").
pub(super) const SUBJECT_PRONOUNS: &[&str] = &[
    "i", "im", "ive", "id", "ill", "you", "he", "hes", "she", "shes", "we", "they", "it", "its",
    "my", "our", "his", "her", "their",
];

/// Words that, followed closely by a question word (see [`INDIRECT_QUESTION_WORDS`]), put a
/// question as a statement: "i was wondering if", "i do not know how", "not sure whether".
pub(super) const INDIRECT_QUESTION_CUES: &[&[&str]] = &[
    &["wonder"],
    &["wondering"],
    &["wondered"],
    &["not", "sure"],
    &["unsure"],
    &["not", "know"],
    &["no", "idea"],
    &["curious"],
    &["want", "to", "know"],
    &["need", "to", "know"],
    &["anyone", "know"],
    &["somebody", "know"],
    &["someone", "know"],
];

/// The question words an indirect question goes on with.
pub(super) const INDIRECT_QUESTION_WORDS: &[&str] = &[
    "if", "whether", "how", "what", "why", "when", "where", "which", "who",
];

/// How many words after a cue the question word may come: "i do not really know how".
pub(super) const INDIRECT_QUESTION_REACH: usize = 2;

/// Phrases that only ask for information ("tell me about naltrexone" asks what "naltrexone"
/// does): dropped, so the subject after them decides.
pub(super) const REQUEST_PHRASES: &[&[&str]] = &[
    &["can", "you", "tell", "me", "about"],
    &["could", "you", "tell", "me", "about"],
    &["i", "want", "to", "know", "about"],
    &["i", "wanna", "know", "about"],
    &["i", "would", "like", "to", "know", "about"],
    &["tell", "me", "about"],
    &["tell", "me", "more", "about"],
    &["tell", "us", "about"],
    &["info", "on"],
    &["info", "about"],
    &["information", "on"],
    &["information", "about"],
    &["want", "to", "know", "about"],
    &["wanna", "know", "about"],
    &["learn", "about"],
    &["learn", "more", "about"],
];

/// A question word counts as opening its clause within this many words: members lead in with
/// "so", "ok", "but", "and" or "anyway" ("anyway what do i tell him").
pub(super) const QUESTION_OPENER_REACH: usize = 2;

/// An asking clause with fewer meaningful tokens than this ("is it?", "what do i tell
/// him?") asks about the clauses before it (see `lend_asking_to_the_subject`). (At 3 one
/// story gained its answer and another lost its choices.)…
pub(super) const THIN_QUESTION_WORDS: usize = 2;
/// …and so does one with fewer than this that names no medicine or lexicon term ("what are
/// the real pros and cons of each?", "a coworker said that could be dangerous??"). At 4
/// three stories of the development and regression questions gained their answer and one
/// lost its choices (its lent clause names "the kids"); 5 answered one more; at 6 an
/// off-topic post about a sponsor was offered choices…
pub(super) const SUBJECTLESS_QUESTION_WORDS: usize = 5;
/// …going back at most this many clauses. (At 1 a story whose question points two
/// clauses back, past "I'm ok now.", lost its answer; at 3 one story lost its answer and
/// another its choices.)
pub(super) const THIN_QUESTION_REACH: usize = 2;

/// Verbs (as the normalizer stems them) that report what someone else says or thinks: the
/// words before one, near the start of a clause, name the reporter ("my counselor says the
/// hardest part is…"), not the subject (see `Analysis::reporters`).
pub(super) const REPORTING_VERBS: &[&str] = &[
    "say", "said", "tell", "told", "think", "thought", "swear", "swore", "claim", "insist",
];

/// A reporting verb counts within this many tokens of its clause's start ("my new
/// girlfriend keeps saying").
pub(super) const REPORTER_REACH: usize = 4;
