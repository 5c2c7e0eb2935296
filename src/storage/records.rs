//! What a store keeps and returns: server settings, feedback, served counts, the opt-in
//! unanswered log, and what purging, forgetting and the report give back.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Timestamp;
use crate::config::Config;

/// A server's own choices, as stored; `None` means "the config's default".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GuildSettings {
    /// Region whose crisis lines are shown (US, CA, UK, IE, AU, NZ, INTL).
    pub region: Option<String>,
    /// Posts answers visibly to the channel by default.
    pub answers_public: Option<bool>,
    /// Answers messages that mention the bot.
    pub answer_mentions: Option<bool>,
    /// The channel where members' help requests go to the moderators.
    pub moderator_channel_id: Option<u64>,
    /// The role pinged with a help request.
    pub moderator_role_id: Option<u64>,
    /// Logs questions that got no answer, and "did you mean" picks, for the curators.
    pub unanswered_log: Option<bool>,
    /// Days that log is kept (the config caps it).
    pub unanswered_retention_days: Option<u32>,
}

/// The settings in force for one server (or a direct message): the config's defaults with the
/// server's own choices on top.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Region whose crisis lines are shown; `None` is the knowledge's default region.
    pub region: Option<String>,
    /// Posts answers visibly to the channel by default.
    pub answers_public: bool,
    /// Answers messages that mention the bot.
    pub answer_mentions: bool,
    /// The channel for help requests; `None` turns the moderator button off.
    pub moderator_channel_id: Option<u64>,
    /// The role pinged with a help request.
    pub moderator_role_id: Option<u64>,
    /// Logs questions that got no answer and "did you mean" picks.
    pub unanswered_log: bool,
    /// Days that log is kept.
    pub unanswered_retention_days: u32,
}

impl Settings {
    /// The defaults from the config: `[bot]` for region and answers, `[storage]` for the log.
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            region: config.bot.region.clone(),
            answers_public: config.bot.answers_public,
            answer_mentions: config.bot.answer_mentions,
            moderator_channel_id: None,
            moderator_role_id: None,
            unanswered_log: config.storage.unanswered_log,
            unanswered_retention_days: config.storage.unanswered_retention_days,
        }
    }

    /// These defaults with a server's stored choices on top; a retention longer than the
    /// config allows is capped.
    pub fn merged(&self, stored: Option<&GuildSettings>) -> Settings {
        let Some(s) = stored else {
            return self.clone();
        };
        Settings {
            region: s.region.clone().or_else(|| self.region.clone()),
            answers_public: s.answers_public.unwrap_or(self.answers_public),
            answer_mentions: s.answer_mentions.unwrap_or(self.answer_mentions),
            moderator_channel_id: s.moderator_channel_id.or(self.moderator_channel_id),
            moderator_role_id: s.moderator_role_id.or(self.moderator_role_id),
            unanswered_log: s.unanswered_log.unwrap_or(self.unanswered_log),
            unanswered_retention_days: s
                .unanswered_retention_days
                .unwrap_or(self.unanswered_retention_days)
                .clamp(1, crate::config::MAX_UNANSWERED_RETENTION_DAYS),
        }
    }
}

/// What a member said about an answer with the feedback buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FeedbackOutcome {
    /// "This helped".
    Helpful,
    /// "This did not help".
    NotHelpful,
    /// "Report a problem", with an optional short comment (cut to
    /// [`MAX_COMMENT_CHARS`](super::MAX_COMMENT_CHARS)).
    Report {
        /// What the member says is wrong.
        comment: Option<String>,
    },
}

impl FeedbackOutcome {
    /// The stored name: `helpful`, `not_helpful` or `report`.
    pub fn name(&self) -> &'static str {
        match self {
            FeedbackOutcome::Helpful => "helpful",
            FeedbackOutcome::NotHelpful => "not_helpful",
            FeedbackOutcome::Report { .. } => "report",
        }
    }
}

/// One press of a feedback button. No user id, by design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// The entry the answer came from; `None` for the "I don't have an answer" reply.
    pub entry_id: Option<String>,
    /// What the member said.
    pub outcome: FeedbackOutcome,
    /// The region whose crisis lines the reply showed.
    pub region: Option<String>,
    /// The server; `None` in a direct message.
    pub guild_id: Option<u64>,
    /// When.
    pub at: Timestamp,
}

/// One answer served, counted per entry, server and hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// The entry whose answer was shown.
    pub entry_id: String,
    /// The server; `None` in a direct message.
    pub guild_id: Option<u64>,
    /// When.
    pub at: Timestamp,
}

/// A question that got no answer, in a server that opted in to the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    /// The server (direct messages are never logged).
    pub guild_id: u64,
    /// The member's question (cut to [`MAX_QUESTION_CHARS`](super::MAX_QUESTION_CHARS)).
    pub question: String,
    /// When.
    pub at: Timestamp,
}

/// A "did you mean" choice a member picked, in a server that opted in to the log: a phrasing
/// curators may add to the entry's questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    /// The server (direct messages are never logged).
    pub guild_id: u64,
    /// The member's question (cut to [`MAX_QUESTION_CHARS`](super::MAX_QUESTION_CHARS)).
    pub question: String,
    /// The entry they picked.
    pub entry_id: String,
    /// When.
    pub at: Timestamp,
}

/// One thing to write; the bot's hot path queues these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A feedback button press.
    Feedback(Feedback),
    /// An answer served.
    Served(Served),
    /// A question with no answer (opt-in log).
    Unanswered(Unanswered),
    /// A "did you mean" pick (opt-in log).
    Pick(Pick),
}

/// How long what is kept stays: the server's own choice for its log, else these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days the unanswered log is kept in servers that have not chosen.
    pub unanswered_days: u32,
    /// Days feedback is kept.
    pub feedback_days: u32,
}

impl Retention {
    /// The retention the config sets.
    pub fn from_config(config: &Config) -> Retention {
        Retention {
            unanswered_days: config.storage.unanswered_retention_days,
            feedback_days: config.storage.feedback_retention_days,
        }
    }
}

/// Rows deleted by [`Store::purge_expired`](super::Store::purge_expired).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Purged {
    /// Logged questions with no answer.
    pub unanswered: u64,
    /// Logged "did you mean" picks.
    pub picks: u64,
    /// Feedback presses.
    pub feedback: u64,
}

/// Rows deleted by [`Store::forget_guild`](super::Store::forget_guild): everything that named
/// the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Forgotten {
    /// The server's settings (0 or 1).
    pub settings: u64,
    /// Feedback presses made in the server.
    pub feedback: u64,
    /// Hourly answers-served counters.
    pub served: u64,
    /// Logged questions with no answer.
    pub unanswered: u64,
    /// Logged "did you mean" picks.
    pub picks: u64,
}

impl Forgotten {
    /// All rows deleted.
    pub fn total(&self) -> u64 {
        self.settings + self.feedback + self.served + self.unanswered + self.picks
    }
}

/// Feedback counts for one entry (or for the "no answer" reply).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackCounts {
    /// "This helped" presses.
    pub helpful: u64,
    /// "This did not help" presses.
    pub not_helpful: u64,
    /// "Report a problem" presses.
    pub reports: u64,
    /// The reports' comments, oldest first.
    pub comments: Vec<String>,
}

/// What the curators' report is built from, since a given time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRows {
    /// Answers served per entry id.
    pub served: BTreeMap<String, u64>,
    /// Feedback per entry id; the key `None` is feedback on "I don't have an answer".
    pub feedback: BTreeMap<Option<String>, FeedbackCounts>,
    /// Logged questions that got no answer, oldest first.
    pub unanswered: Vec<String>,
    /// Logged "did you mean" picks: (member's question, picked entry id), oldest first.
    pub picks: Vec<(String, String)>,
}
