//! The community tools' buttons under replies and their in-memory state: "Helpful", "Not
//! helpful" and "Report a problem" under answers ([`feedback`](super::feedback) handles
//! them), "Report a problem" under "I don't have an answer", and "Ask a moderator to help"
//! under emergency replies in servers that set a moderator channel
//! ([`moderator`](super::moderator) handles it).
//!
//! The state here lives only in memory and only briefly: when a member may next ask the
//! moderators, which messages a member already gave feedback on (so a button pressed twice
//! counts once), and the question behind a "did you mean" reply in a server whose
//! unanswered-question log is on, until the member picks a choice.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serenity::builder::{CreateActionRow, CreateButton};
use serenity::model::application::ButtonStyle;
use serenity::model::id::UserId;

use super::context::Here;
use super::render::MAX_CUSTOM_ID;
use crate::lang;
use crate::reply::Reply;
use crate::Outcome;

/// Button: the answer helped. `medfaq:fb:helpful:<entry id>`.
pub const ID_HELPFUL: &str = "medfaq:fb:helpful:";
/// Button: the answer did not help. `medfaq:fb:not-helpful:<entry id>`.
pub const ID_NOT_HELPFUL: &str = "medfaq:fb:not-helpful:";
/// Button opening the report form. `medfaq:fb:report:<entry id>`, nothing after the colon
/// under "I don't have an answer".
pub const ID_REPORT: &str = "medfaq:fb:report:";
/// Every feedback button starts with this.
pub const ID_FEEDBACK: &str = "medfaq:fb:";
/// The report form (a modal): `medfaq:report:<entry id>`.
pub const ID_REPORT_FORM: &str = "medfaq:report:";
/// The report form's comment field.
pub const ID_REPORT_COMMENT: &str = "comment";
/// Button asking the moderators for help: `medfaq:help:<kinds, comma-separated>`.
pub const ID_HELP: &str = "medfaq:help:";

/// Action rows in one message, at most (Discord's limit).
pub const MAX_ROWS: usize = 5;

/// How long after asking the moderators a member's next press is refused: one ping per
/// member per crisis is the point; a button pressed again and again must not flood the
/// channel or the role.
pub const HELP_COOLDOWN: Duration = Duration::from_secs(10 * 60);

/// How long the question behind a "did you mean" reply is held for the pick that follows:
/// the interaction token's own lifetime, after which the buttons rarely get pressed.
pub const PENDING_QUESTION: Duration = Duration::from_secs(15 * 60);

/// The most questions held at once: past it the oldest are let go, so memory stays flat.
pub const MAX_PENDING: usize = 1_000;

/// How long a member's feedback on one message is remembered, so that pressing the same
/// buttons again counts once: long enough for a conversation, short enough to forget.
pub const FEEDBACK_MEMORY: Duration = Duration::from_secs(60 * 60);

/// The most feedback presses remembered at once (then all are let go, so memory stays flat).
pub const MAX_FEEDBACK_MEMORY: usize = 10_000;

/// What a member said about one message, for counting it once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Said {
    /// "Helpful" or "Not helpful": the first press counts.
    Vote,
    /// A report.
    Report,
}

/// The community tools' rows for `reply` in `here`, to put under it.
pub fn rows(reply: &Reply, here: &Here) -> Vec<CreateActionRow> {
    let texts = lang::texts(None);
    let mut buttons = Vec::new();
    match (reply.outcome, &reply.entry_id) {
        (Outcome::Answer, Some(entry)) => {
            let ids = [ID_HELPFUL, ID_NOT_HELPFUL, ID_REPORT].map(|p| format!("{p}{entry}"));
            if ids.iter().all(|id| id.chars().count() <= MAX_CUSTOM_ID) {
                let [helpful, not_helpful, report] = ids;
                buttons.push(button(helpful, texts.helpful, ButtonStyle::Secondary));
                buttons.push(button(
                    not_helpful,
                    texts.not_helpful,
                    ButtonStyle::Secondary,
                ));
                buttons.push(button(report, texts.report_problem, ButtonStyle::Secondary));
            }
        }
        (Outcome::NoMatch, _) => buttons.push(button(
            ID_REPORT.to_string(),
            texts.report_problem,
            ButtonStyle::Secondary,
        )),
        (Outcome::Emergency, _)
            if here.guild.is_some() && here.settings.moderator_channel_id.is_some() =>
        {
            let kinds: Vec<&str> = reply.kinds.iter().map(|k| k.as_str()).collect();
            let id = format!("{ID_HELP}{}", kinds.join(","));
            if id.chars().count() <= MAX_CUSTOM_ID {
                buttons.push(button(id, texts.ask_moderator, ButtonStyle::Danger));
            }
        }
        _ => {}
    }
    if buttons.is_empty() {
        Vec::new()
    } else {
        vec![CreateActionRow::Buttons(buttons)]
    }
}

fn button(id: String, label: &str, style: ButtonStyle) -> CreateButton {
    CreateButton::new(id).label(label).style(style)
}

/// The community tools' short-lived memory (see the module's documentation).
#[derive(Debug, Default)]
pub struct State {
    /// The question behind a "did you mean" reply, per (server, member), with when.
    pending: Mutex<HashMap<(u64, UserId), (String, Instant)>>,
    /// When each (server, member) last asked the moderators.
    helped: Mutex<HashMap<(u64, UserId), Instant>>,
    /// Feedback already counted, per (message, member, kind).
    said: Mutex<HashMap<(u64, UserId, Said), Instant>>,
}

impl State {
    /// Holds the question a member in `guild` got "did you mean" for, until a pick (the
    /// caller has checked that the server's log is on).
    pub fn remember_question(&self, guild: u64, user: UserId, question: &str) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() >= MAX_PENDING {
            pending.retain(|_, (_, at)| at.elapsed() < PENDING_QUESTION);
            if pending.len() >= MAX_PENDING {
                pending.clear();
            }
        }
        pending.insert((guild, user), (question.to_string(), Instant::now()));
    }

    /// The question a member's pick answers, if still held; it is let go either way.
    pub fn take_question(&self, guild: u64, user: UserId) -> Option<String> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending
            .remove(&(guild, user))
            .filter(|(_, at)| at.elapsed() < PENDING_QUESTION)
            .map(|(q, _)| q)
    }

    /// Returns true if and only if the member may ask the moderators of `guild` now (no
    /// request from them in the last [`HELP_COOLDOWN`]); a true answer starts the cooldown.
    pub fn may_ask_moderators(&self, guild: u64, user: UserId) -> bool {
        let mut helped = self.helped.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        match helped.get(&(guild, user)) {
            Some(at) if now.duration_since(*at) < HELP_COOLDOWN => false,
            _ => {
                helped.insert((guild, user), now);
                true
            }
        }
    }

    /// Lets a failed request not count against the member.
    pub fn undo_moderator_request(&self, guild: u64, user: UserId) {
        let mut helped = self.helped.lock().unwrap_or_else(|e| e.into_inner());
        helped.remove(&(guild, user));
    }

    /// Returns true if and only if this is the member's first feedback of this kind on this
    /// message (within [`FEEDBACK_MEMORY`]); it is remembered either way.
    pub fn first_feedback(&self, message: u64, user: UserId, said: Said) -> bool {
        let mut seen = self.said.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= MAX_FEEDBACK_MEMORY {
            seen.retain(|_, at| at.elapsed() < FEEDBACK_MEMORY);
            if seen.len() >= MAX_FEEDBACK_MEMORY {
                seen.clear();
            }
        }
        let now = Instant::now();
        match seen.insert((message, user, said), now) {
            Some(at) => now.duration_since(at) >= FEEDBACK_MEMORY,
            None => true,
        }
    }

    /// Lets go of whatever has expired.
    pub fn forget_idle(&self) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (_, at)| at.elapsed() < PENDING_QUESTION);
        self.helped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, at| at.elapsed() < HELP_COOLDOWN);
        self.said
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, at| at.elapsed() < FEEDBACK_MEMORY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_asks_the_moderators_once_per_cooldown() {
        let state = State::default();
        let (guild, member) = (7, UserId::new(9));
        assert!(state.may_ask_moderators(guild, member));
        assert!(!state.may_ask_moderators(guild, member));
        assert!(state.may_ask_moderators(8, member), "another server");
        state.undo_moderator_request(guild, member);
        assert!(state.may_ask_moderators(guild, member));
    }

    #[test]
    fn feedback_on_one_message_counts_once_per_kind() {
        let state = State::default();
        let member = UserId::new(9);
        assert!(state.first_feedback(1, member, Said::Vote));
        assert!(!state.first_feedback(1, member, Said::Vote));
        assert!(state.first_feedback(1, member, Said::Report));
        assert!(
            state.first_feedback(2, member, Said::Vote),
            "another message"
        );
        assert!(
            state.first_feedback(1, UserId::new(10), Said::Vote),
            "another member"
        );
    }

    #[test]
    fn a_held_question_is_taken_once() {
        let state = State::default();
        state.remember_question(7, UserId::new(9), "pain");
        assert_eq!(
            state.take_question(7, UserId::new(9)).as_deref(),
            Some("pain")
        );
        assert_eq!(state.take_question(7, UserId::new(9)), None);
    }
}
