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
             I never keep who you are; /about says what is kept."
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
             **Content:** {entries} entries in {n_topics} topics, citing {sources} sources; \
             reviewed between {oldest} and {reviewed}.\n\n\
             **Your messages:** medfaq reads a question only to answer it and never keeps who \
             you are. It counts which answers were shown and what the feedback buttons say. \
             Only if this server turned on its unanswered-question log does it keep the words \
             of questions it could not answer (for the curators, without names, deleted after \
             at most 90 days). Moderators are told about you only if you press \
             \"Ask a moderator to help\".",
            topics = a.topics,
            emergency = a.emergency,
            entries = a.entries,
            n_topics = a.n_topics,
            sources = a.sources,
            reviewed = a.reviewed,
            oldest = a.oldest_reviewed,
        )
    },
    about_sources: "Where the answers come from",
    not_recorded: "not recorded",
    describe_ask:
        "Ask a question about medication safety; answers come from curated, sourced entries",
    describe_question: "Your question, in your own words",
    describe_public: "Show the answer to everyone in the channel (by default only you see it)",
    describe_topics: "Browse the topics and questions medfaq can answer",
    describe_about: "What medfaq is and is not, where its answers come from, and what it keeps",
    describe_emergency: "Emergency, crisis, poison and treatment lines for this server's region",
    describe_status:
        "For moderators: the knowledge being served, its last reload, shards and uptime",
    helpful: "Helpful",
    not_helpful: "Not helpful",
    report_problem: "Report a problem",
    report_title: "Report a problem",
    report_label: "What is wrong? (optional)",
    report_placeholder: "Please leave out names and personal health details.",
    feedback_thanks: "Thanks! The curators see how often each answer helps. Your name is not kept.",
    report_thanks: "Thanks for the report. The curators will review this answer. Your name is not \
                    kept.",
    ask_moderator: "Ask a moderator to help",
    emergency_kind: |kind| match kind {
        "suicide" => "thoughts of suicide",
        "self_harm" => "self-harm",
        "seizure" => "a seizure",
        "withdrawal" => "dangerous withdrawal",
        "poisoning" => "a possible poisoning",
        "overdose" => "a possible overdose",
        _ => "an emergency",
    },
    moderator_notice: |role, member, kinds| {
        format!(
            "{role}{member} pressed \"Ask a moderator to help\" under medfaq's emergency reply \
             about {kinds}. Please reach out to them. medfaq has already shown them the \
             emergency and crisis lines."
        )
    },
    moderator_sent: |emergency| {
        format!(
            "The moderators have been asked to help you. If anyone is in danger now, don't \
             wait for them: call {emergency}."
        )
    },
    moderator_failed: |emergency| {
        format!(
            "I couldn't reach the moderators just now. Please contact one directly, and if \
             anyone is in danger, call {emergency} now."
        )
    },
    moderator_already: |emergency| {
        format!(
            "The moderators were already asked a few minutes ago. If anyone is in danger now, \
             call {emergency}."
        )
    },
    describe_settings: "Set up medfaq for this server (crisis lines, answers, moderators, logs)",
    describe_settings_show: "Show this server's medfaq settings",
    describe_settings_region: "Choose whose emergency and crisis lines replies show",
    describe_region: "The region (its emergency and crisis lines)",
    describe_settings_answers: "Show answers only to the member who asked, or to the channel",
    describe_visibility: "Who sees answers by default",
    choice_private: "Only the member who asked",
    choice_public: "Everyone in the channel",
    describe_settings_mentions: "Answer messages that mention medfaq, or ignore them",
    describe_mentions: "Answer messages that mention medfaq",
    describe_settings_moderators: "Where members' requests for help go; leave both empty to turn \
                                   it off",
    describe_moderator_channel: "The channel for members' requests for a moderator's help",
    describe_moderator_role: "The role pinged with each request",
    describe_settings_log: "Keep questions medfaq could not answer, for its curators (no names)",
    describe_log: "Keep unanswered questions and \"did you mean\" picks",
    describe_log_days: "Days to keep them (1 to 90)",
    settings_title: "medfaq settings for this server",
    settings_body: |c| {
        let answers = if c.answers_public {
            "visible to everyone in the channel"
        } else {
            "visible only to the member who asked"
        };
        let mentions = if c.answer_mentions {
            "answered"
        } else {
            "ignored"
        };
        let moderators = match (c.moderator_channel, c.moderator_role) {
            (Some(channel), Some(role)) => {
                format!("requests go to {channel}, pinging {role}")
            }
            (Some(channel), None) => format!("requests go to {channel}, pinging no role"),
            (None, _) => "off (no channel set)".to_string(),
        };
        let log = if c.unanswered_log {
            format!(
                "on: questions without an answer and \"did you mean\" picks are kept {} days, \
                 without names",
                c.retention_days
            )
        } else {
            "off: no member's words are kept".to_string()
        };
        format!(
            "**Region:** {region}\n**Answers:** {answers}\n**Mentions:** {mentions}\n\
             **Moderator help:** {moderators}\n**Unanswered-question log:** {log}",
            region = c.region
        )
    },
    settings_saved: "Saved.",
    settings_unavailable: "medfaq's storage is not answering right now, so the settings could \
                           not be saved. Please try again in a minute.",
    settings_unknown_region: |codes| format!("Unknown region. Choose one of: {codes}."),
    settings_guild_only: "Settings belong to a server: use /settings in one.",
};
