//! English.

use super::Texts;

/// medfaq's English.
pub(super) static TEXTS: Texts = Texts {
    greetings: &[
        "hi",
        "hello",
        "hey",
        "hiya",
        "yo",
        "help",
        "start",
        "menu",
        "thanks",
        "thank",
        "you",
        "ty",
        "good",
        "morning",
        "evening",
        "afternoon",
        "there",
        "bot",
        "medfaq",
        "please",
        "sup",
    ],
    clarify_title: "Did you mean…",
    clarify_prompt: "I'm not sure which of these you mean. Pick one:",
    clarify_fallback: "If none of these fits, try asking in other words or browse /topics.",
    no_match_title: "I don't have a curated answer for that",
    you_asked: "You asked:",
    can_help_with: "I can help with:",
    help_title: |region| format!("Emergency and crisis help ({region})"),
    call_emergency: |number| format!("**Emergency:** call {number}."),
    crisis_support: "Crisis support",
    poison_advice: "Poison advice",
    urgent_advice: "Urgent advice",
    treatment: "Treatment",
    if_overdosing: "If someone may be overdosing:",
    reviewed: |date| format!("Reviewed {date}."),
    sources: "Sources:",
    related: "Related:",
    warning_danger: "⛔ Important",
    warning_caution: "⚠️ Caution",
    sources_heading: "Sources",
    none_of_these: "None of these",
    browse_topics: "Browse topics",
    back_to_topics: "Back to topics",
    gone_title: "That entry is no longer available",
    gone_body: |ask, topics| {
        format!(
            "The knowledge was updated since this was sent. Ask again with {ask}, or browse \
             {topics}."
        )
    },
    slow_down_title: "Please slow down a little",
    slow_down_body: |per_minute, emergency| {
        format!(
            "You've asked {per_minute} questions in the last minute, which is as many as I take \
             from one person. Please wait a minute, then ask again.\n\nIf someone may be in \
             danger, don't wait: call {emergency} now."
        )
    },
    intro_title: "Hi! Ask me about your medicines",
    intro_lead: |topics| {
        format!(
            "Hi, I'm medfaq. I answer questions about medication safety — {topics} — from \
             curated entries that cite their sources. Ask in your own words, for example:\n"
        )
    },
    intro_tail: |topics, emergency| {
        format!(
            "\n\nBrowse everything with {topics}; {emergency} lists crisis and emergency lines. \
             I don't store your messages."
        )
    },
    topics_title: "Browse topics",
    topics_prompt: "Pick a topic to see its questions.",
    topic_size: |entries| format!("{entries} entries"),
    choose_topic: "Choose a topic",
    choose_question: "Choose a question",
    more_questions: |more, ask| format!("\n…and {more} more: ask about them with {ask}."),
    emergency_label: "⚠ Get emergency help now",
    status_title: "medfaq status",
    status_version: "Knowledge version",
    status_entries: "Entries",
    status_loaded: "Knowledge loaded",
    status_reload_error: "Last reload error",
    status_no_reload_error: "None: the last reload (or the start) went well.",
    status_shards: "Shards",
    status_shards_value: |run, total, connected| {
        let run = if run.is_empty() { "none yet" } else { run };
        match total {
            Some(total) => format!("{run} (of {total}); {connected} connected"),
            None => format!("{run}; {connected} connected"),
        }
    },
    status_uptime: "Uptime",
    status_uptime_value: |seconds| {
        let (d, h, m, s) = (
            seconds / 86_400,
            seconds / 3_600 % 24,
            seconds / 60 % 60,
            seconds % 60,
        );
        match (d, h, m) {
            (0, 0, 0) => format!("{s} s"),
            (0, 0, _) => format!("{m} min {s} s"),
            (0, _, _) => format!("{h} h {m} min"),
            _ => format!("{d} d {h} h"),
        }
    },
    about_title: "About medfaq",
    about_body: |a| {
        format!(
            "**What it is:** a bot that answers common questions about medication safety \
             ({topics}) from a curated knowledge base. Every answer is written and reviewed by \
             people and links its sources.\n\n\
             **What it is not:** a doctor, a pharmacist or a crisis service. It does not know \
             your situation, and it never tells you to start, stop or change a medicine: ask \
             your prescriber or pharmacist. In an emergency, call {emergency}.\n\n\
             **Content:** {entries} entries in {n_topics} topics, citing {sources} sources; last \
             reviewed {reviewed}.\n\n\
             **Your messages:** medfaq reads a question only to answer it and stores nothing. \
             Its logs record the kind of answer and which entry was shown — never your words or \
             who you are.",
            topics = a.topics,
            emergency = a.emergency,
            entries = a.entries,
            n_topics = a.n_topics,
            sources = a.sources,
            reviewed = a.reviewed,
        )
    },
    about_sources: "Where the answers come from",
    not_recorded: "not recorded",
    describe_ask:
        "Ask a question about medication safety; answers come from curated, sourced entries",
    describe_question: "Your question, in your own words",
    describe_public: "Show the answer to everyone in the channel (by default only you see it)",
    describe_topics: "Browse the topics and questions medfaq can answer",
    describe_about:
        "What medfaq is and is not, where its answers come from, and what it keeps (nothing)",
    describe_emergency: "Emergency, crisis, poison and treatment lines for this server's region",
    describe_status:
        "For moderators: the knowledge being served, its last reload, shards and uptime",
};
