//! What medfaq itself says to members, one module per language: greetings it recognises,
//! the headings and sentences around curated text, and labels. The curated knowledge says
//! everything else. Adding a language is adding a file like `en.rs` and a line in its
//! list of languages.

mod en;
#[cfg(test)]
mod tests;

/// The words and sentences of one language.
#[derive(Debug)]
pub struct Texts {
    /// Words that, alone, make a message a greeting or a request for help rather than a
    /// question (compared with normalised words).
    pub greetings: &'static [&'static str],
    /// The heading of a "did you mean…" reply.
    pub clarify_title: &'static str,
    /// The line above the choices.
    pub clarify_prompt: &'static str,
    /// The line below the choices.
    pub clarify_fallback: &'static str,
    /// The heading when nothing curated fits.
    pub no_match_title: &'static str,
    /// Put before the member's own question, quoted, when nothing fits.
    pub you_asked: &'static str,
    /// Put before the list of topics when nothing fits.
    pub can_help_with: &'static str,
    /// The heading of the emergency and crisis lines for a region, by the region's name.
    pub help_title: fn(region: &str) -> String,
    /// The emergency line, by the emergency number.
    pub call_emergency: fn(number: &str) -> String,
    /// Label of the crisis line.
    pub crisis_support: &'static str,
    /// Label of the poison line.
    pub poison_advice: &'static str,
    /// Label of the urgent-advice line.
    pub urgent_advice: &'static str,
    /// Label of the treatment line.
    pub treatment: &'static str,
    /// The heading above the overdose steps in the emergency and crisis lines.
    pub if_overdosing: &'static str,
    /// The footer's review note, by the review date.
    pub reviewed: fn(date: &str) -> String,
    /// The heading of the sources in plain text.
    pub sources: &'static str,
    /// The heading of the related entries in plain text.
    pub related: &'static str,
    /// The label before a danger entry's warning.
    pub warning_danger: &'static str,
    /// The label before a caution entry's warning.
    pub warning_caution: &'static str,
    /// The heading of the sources under an embed.
    pub sources_heading: &'static str,
    /// The button that turns down every "did you mean" choice.
    pub none_of_these: &'static str,
    /// The button that opens the topics menu.
    pub browse_topics: &'static str,
    /// The button that goes back from a topic's questions to the topics.
    pub back_to_topics: &'static str,
    /// The heading when a button's entry was removed by a knowledge reload.
    pub gone_title: &'static str,
    /// The text under it, by how `/ask` and `/topics` are shown.
    pub gone_body: fn(ask: &str, topics: &str) -> String,
    /// The heading of the rate limit's "slow down".
    pub slow_down_title: &'static str,
    /// Its text, by the questions allowed per minute and the emergency number.
    pub slow_down_body: fn(per_minute: u32, emergency: &str) -> String,
    /// The heading of the introduction a greeting gets.
    pub intro_title: &'static str,
    /// The introduction's first paragraph, by the topics (joined), before the examples.
    pub intro_lead: fn(topics: &str) -> String,
    /// The introduction's last paragraph, by how `/topics` and `/emergency` are shown.
    pub intro_tail: fn(topics: &str, emergency: &str) -> String,
    /// The heading of the topics menu.
    pub topics_title: &'static str,
    /// The line above the list of topics.
    pub topics_prompt: &'static str,
    /// A topic's size, by its number of entries.
    pub topic_size: fn(entries: usize) -> String,
    /// The placeholder of the topics menu.
    pub choose_topic: &'static str,
    /// The placeholder of a topic's questions menu.
    pub choose_question: &'static str,
    /// The line under a topic's questions when the menu cannot hold them all, by how many
    /// more there are and how `/ask` is shown.
    pub more_questions: fn(more: usize, ask: &str) -> String,
    /// The autocomplete suggestion put first while the text typed describes an emergency.
    pub emergency_label: &'static str,
    /// The heading of `/medfaq-status`.
    pub status_title: &'static str,
    /// Its field with the knowledge's version.
    pub status_version: &'static str,
    /// Its field with the number of entries.
    pub status_entries: &'static str,
    /// Its field with when the knowledge was (re)loaded.
    pub status_loaded: &'static str,
    /// Its field with the last reload error.
    pub status_reload_error: &'static str,
    /// That field's value when the last reload went well.
    pub status_no_reload_error: &'static str,
    /// Its field with the shards.
    pub status_shards: &'static str,
    /// That field's value, by the shards this process has run (listed), the bot's total shard
    /// count if known, and how many are connected now.
    pub status_shards_value: fn(run: &str, total: Option<u32>, connected: usize) -> String,
    /// Its field with the uptime.
    pub status_uptime: &'static str,
    /// A duration, by its seconds: the largest two units are enough.
    pub status_uptime_value: fn(seconds: u64) -> String,
    /// The heading of `/about`.
    pub about_title: &'static str,
    /// The text of `/about`.
    pub about_body: fn(&About<'_>) -> String,
    /// The heading of the sources in `/about`.
    pub about_sources: &'static str,
    /// Shown for the last review date when none is recorded.
    pub not_recorded: &'static str,
    /// `/ask`'s description in Discord's command list (at most 100 characters).
    pub describe_ask: &'static str,
    /// The description of `/ask`'s question option.
    pub describe_question: &'static str,
    /// The description of `/ask`'s public option.
    pub describe_public: &'static str,
    /// `/topics`'s description.
    pub describe_topics: &'static str,
    /// `/about`'s description.
    pub describe_about: &'static str,
    /// `/emergency`'s description.
    pub describe_emergency: &'static str,
    /// `/medfaq-status`'s description (shown to server managers).
    pub describe_status: &'static str,
    /// The feedback button saying an answer helped.
    pub helpful: &'static str,
    /// The feedback button saying an answer did not help.
    pub not_helpful: &'static str,
    /// The button opening the report form.
    pub report_problem: &'static str,
    /// The report form's title (at most 45 characters).
    pub report_title: &'static str,
    /// The label of the report form's comment (at most 45 characters).
    pub report_label: &'static str,
    /// The placeholder in the report form's comment.
    pub report_placeholder: &'static str,
    /// The private thanks for a press of "Helpful" or "Not helpful".
    pub feedback_thanks: &'static str,
    /// The private thanks for a report.
    pub report_thanks: &'static str,
    /// The button under an emergency reply that asks the server's moderators for help.
    pub ask_moderator: &'static str,
    /// A kind of emergency as the moderators' notice names it, by its snake_case name.
    pub emergency_kind: fn(kind: &str) -> &'static str,
    /// The notice posted to the moderators' channel, by the role's mention (or nothing),
    /// the member's mention and the kinds of emergency.
    pub moderator_notice: fn(role: &str, member: &str, kinds: &str) -> String,
    /// The private confirmation that the moderators were asked, by the emergency number.
    pub moderator_sent: fn(emergency: &str) -> String,
    /// The private answer when the moderators could not be asked, by the emergency number.
    pub moderator_failed: fn(emergency: &str) -> String,
    /// The private answer to a second press within the cooldown, by the emergency number.
    pub moderator_already: fn(emergency: &str) -> String,
    /// `/settings`'s description.
    pub describe_settings: &'static str,
    /// `/settings show`'s description.
    pub describe_settings_show: &'static str,
    /// `/settings region`'s description.
    pub describe_settings_region: &'static str,
    /// The description of `/settings region`'s option.
    pub describe_region: &'static str,
    /// `/settings answers`'s description.
    pub describe_settings_answers: &'static str,
    /// The description of `/settings answers`'s option.
    pub describe_visibility: &'static str,
    /// The choice for answers only the asker sees.
    pub choice_private: &'static str,
    /// The choice for answers the channel sees.
    pub choice_public: &'static str,
    /// `/settings mentions`'s description.
    pub describe_settings_mentions: &'static str,
    /// The description of `/settings mentions`'s option.
    pub describe_mentions: &'static str,
    /// `/settings moderators`'s description.
    pub describe_settings_moderators: &'static str,
    /// The description of `/settings moderators`'s channel option.
    pub describe_moderator_channel: &'static str,
    /// The description of `/settings moderators`'s role option.
    pub describe_moderator_role: &'static str,
    /// `/settings unanswered-log`'s description.
    pub describe_settings_log: &'static str,
    /// The description of `/settings unanswered-log`'s on/off option.
    pub describe_log: &'static str,
    /// The description of `/settings unanswered-log`'s days option.
    pub describe_log_days: &'static str,
    /// The heading of the settings card.
    pub settings_title: &'static str,
    /// The settings card's text.
    pub settings_body: fn(&SettingsCard<'_>) -> String,
    /// Put above the card when a change was saved.
    pub settings_saved: &'static str,
    /// Shown when storage could not save (or read) the settings.
    pub settings_unavailable: &'static str,
    /// Shown for a region that the knowledge does not have, by the codes it has.
    pub settings_unknown_region: fn(codes: &str) -> String,
    /// Shown when `/settings` is used outside a server.
    pub settings_guild_only: &'static str,
}

/// What the `/settings` card shows.
#[derive(Debug, Clone, Copy)]
pub struct SettingsCard<'a> {
    /// The region's code and name.
    pub region: &'a str,
    /// Answers are visible to the channel by default.
    pub answers_public: bool,
    /// Mentions of the bot are answered.
    pub answer_mentions: bool,
    /// The moderators' channel as a mention, if set.
    pub moderator_channel: Option<&'a str>,
    /// The moderators' role as a mention, if set.
    pub moderator_role: Option<&'a str>,
    /// The unanswered-question log is on.
    pub unanswered_log: bool,
    /// Days the log is kept.
    pub retention_days: u32,
}

/// What `/about` says about the knowledge being served.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    /// The topics, joined.
    pub topics: &'a str,
    /// How many topics.
    pub n_topics: usize,
    /// How many enabled entries.
    pub entries: usize,
    /// How many sources.
    pub sources: usize,
    /// The last review date.
    pub reviewed: &'a str,
    /// The oldest review date among the entries.
    pub oldest_reviewed: &'a str,
    /// The emergency number.
    pub emergency: &'a str,
}

/// The language used when none is asked for, or one without texts is.
pub const DEFAULT_LANGUAGE: &str = "en";

/// Every language with texts, by code.
static LANGUAGES: &[(&str, &Texts)] = &[("en", &en::TEXTS)];

/// The texts for `language` (a code such as "en"); the default language's when `None` or
/// when there are none for it.
pub fn texts(language: Option<&str>) -> &'static Texts {
    let code = language.unwrap_or(DEFAULT_LANGUAGE);
    LANGUAGES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map_or(&en::TEXTS, |(_, t)| *t)
}
