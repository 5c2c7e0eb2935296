//! Delivery: how an answer reaches Discord. [`Delivery`] sends an interaction's first response
//! (one retry, or a deferral then an edit when Discord is slow), autocomplete choices, and
//! messages, through any [`Outbound`], with every call bounded by [`CALL_TIMEOUT`].

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serenity::builder::{
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage,
    EditInteractionResponse,
};
use serenity::model::id::{ChannelId, InteractionId};
use tokio::time::Instant;

use super::outbound::{Outbound, SendError};
use super::render::Rendered;

/// How long the bot waits for Discord to take an interaction's first response before it
/// defers instead. Discord drops an interaction that is not acknowledged within 3 s of its
/// creation; this leaves about a second for the deferral's own trip. The clock starts when
/// the answer is sent, which is microseconds after the event arrived (matching is fast).
pub const DEFER_AFTER: Duration = Duration::from_secs(2);

/// The pause before the one retry of a first response refused with 429 or 5xx.
pub const RETRY_PAUSE: Duration = Duration::from_millis(600);

/// No single call to Discord is awaited longer than this.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// How a rendered reply answers an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Respond {
    /// As a new message; `ephemeral` shows it to the member only.
    New {
        /// Show it to the member only.
        ephemeral: bool,
    },
    /// By replacing the message the pressed component sits on.
    Update,
}

/// A call to Discord in flight.
type Call<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// [`Outbound`] with its futures boxed, so [`Delivery`] (and everything above it) need not be
/// generic over the way out.
trait AnyOutbound: Send + Sync {
    fn respond<'a>(
        &'a self,
        id: InteractionId,
        token: &'a str,
        response: CreateInteractionResponse,
    ) -> Call<'a>;
    fn edit_original<'a>(&'a self, token: &'a str, edit: EditInteractionResponse) -> Call<'a>;
    fn send(&self, channel: ChannelId, message: CreateMessage) -> Call<'_>;
}

impl<O: Outbound> AnyOutbound for O {
    fn respond<'a>(
        &'a self,
        id: InteractionId,
        token: &'a str,
        response: CreateInteractionResponse,
    ) -> Call<'a> {
        Box::pin(Outbound::respond(self, id, token, response))
    }

    fn edit_original<'a>(&'a self, token: &'a str, edit: EditInteractionResponse) -> Call<'a> {
        Box::pin(Outbound::edit_original(self, token, edit))
    }

    fn send(&self, channel: ChannelId, message: CreateMessage) -> Call<'_> {
        Box::pin(Outbound::send(self, channel, message))
    }
}

/// The way out: every answer the bot gives goes through here.
pub struct Delivery {
    out: Box<dyn AnyOutbound>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery").finish_non_exhaustive()
    }
}

impl Delivery {
    /// Delivers through `out`.
    pub fn new(out: impl Outbound) -> Delivery {
        Delivery { out: Box::new(out) }
    }

    /// Sends a rendered reply as an interaction's first response: a new message, or an
    /// update of the message a component sits on.
    ///
    /// Discord drops an interaction that is not acknowledged within 3 s, so the answer is
    /// not simply awaited:
    /// - Refused with 429 or 5xx: sent once more after [`RETRY_PAUSE`] (if that still fits
    ///   before [`DEFER_AFTER`]). A 5xx may have taken effect; the retry then gets "already
    ///   acknowledged", which means the member has the answer.
    /// - No reply from Discord within [`DEFER_AFTER`]: the bot defers (Discord's "thinking…",
    ///   or a silent acknowledgement for a component) and, if the deferral is taken, puts the
    ///   answer in as an edit of the original response. If the deferral is refused as
    ///   "already acknowledged", the slow answer had reached Discord and stands.
    ///
    /// So a failure costs at most four calls (answer, retry, deferral, edit), never a loop,
    /// and the outcome of anything unusual is logged
    /// in one line (without text, ids or tokens).
    pub async fn respond(&self, id: InteractionId, token: &str, rendered: Rendered, how: Respond) {
        let response = match how {
            Respond::New { ephemeral } => {
                CreateInteractionResponse::Message(rendered.clone().interaction(ephemeral))
            }
            Respond::Update => CreateInteractionResponse::UpdateMessage(rendered.clone().update()),
        };
        let started = Instant::now();
        let answer = self.first_response(id, token, response, started);
        tokio::pin!(answer);
        let outcome = match tokio::time::timeout(DEFER_AFTER, &mut answer).await {
            Ok(outcome) => outcome,
            Err(_) => {
                // Keep waiting for the answer (it may still land) while deferring.
                let (late, rescue) = tokio::join!(
                    tokio::time::timeout(CALL_TIMEOUT, &mut answer),
                    self.defer_then_edit(id, token, rendered, how),
                );
                log_rescue(&rescue);
                tracing::debug!(outcome = ?late.ok(), "slow interaction response finished");
                return;
            }
        };
        match outcome {
            FirstResponse::Sent => {}
            FirstResponse::Failed(e) => tracing::warn!("interaction response failed: {e}"),
            FirstResponse::SentOnRetry(e) => tracing::warn!(
                "interaction response refused: {e}; sent again after {} ms and delivered",
                RETRY_PAUSE.as_millis()
            ),
            FirstResponse::LandedFirstTime(e) => tracing::warn!(
                "interaction response refused: {e}; but it had reached Discord (a second try \
                 was refused as already acknowledged)"
            ),
            FirstResponse::FailedTwice(e, e2) => tracing::warn!(
                "interaction response refused: {e}; sent again after {} ms and refused again \
                 ({e2}); this answer is lost",
                RETRY_PAUSE.as_millis()
            ),
        }
    }

    /// The first response, with one retry if Discord refused it with 429 or 5xx and the
    /// retry still fits before [`DEFER_AFTER`] (counted from `started`).
    async fn first_response(
        &self,
        id: InteractionId,
        token: &str,
        response: CreateInteractionResponse,
        started: Instant,
    ) -> FirstResponse {
        let Err(e) = call(self.out.respond(id, token, response.clone())).await else {
            return FirstResponse::Sent;
        };
        if !e.worth_retrying() || started.elapsed() + RETRY_PAUSE >= DEFER_AFTER {
            return FirstResponse::Failed(e);
        }
        // serenity's error does not carry Discord's `retry_after`; with its rate limiter on
        // (the normal case) serenity waits `retry_after` itself and a 429 never gets here.
        tokio::time::sleep(RETRY_PAUSE).await;
        match call(self.out.respond(id, token, response)).await {
            Ok(()) => FirstResponse::SentOnRetry(e),
            Err(e2) if e2.already_acknowledged() => FirstResponse::LandedFirstTime(e),
            Err(e2) => FirstResponse::FailedTwice(e, e2),
        }
    }

    /// Acknowledges an interaction whose answer is slow to reach Discord, then puts the
    /// answer in as an edit of the original response.
    async fn defer_then_edit(
        &self,
        id: InteractionId,
        token: &str,
        rendered: Rendered,
        how: Respond,
    ) -> Rescue {
        let deferral = match how {
            Respond::New { ephemeral } => CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new().ephemeral(ephemeral),
            ),
            Respond::Update => CreateInteractionResponse::Acknowledge,
        };
        if let Err(e) = call(self.out.respond(id, token, deferral)).await {
            return Rescue::DeferralRefused(e);
        }
        match call(self.out.edit_original(token, rendered.edit())).await {
            Ok(()) => Rescue::Edited,
            Err(e) => Rescue::EditFailed(e),
        }
    }

    /// Sends any other first response (autocomplete choices), logging a failure in one line.
    pub async fn respond_raw(
        &self,
        id: InteractionId,
        token: &str,
        response: CreateInteractionResponse,
    ) {
        // Autocomplete cannot be deferred, and is stale a moment later: no retry.
        if let Err(e) = call(self.out.respond(id, token, response)).await {
            tracing::warn!("interaction response failed: {e}");
        }
    }

    /// Posts a message in a channel or DM.
    pub async fn send(&self, channel: ChannelId, message: CreateMessage) -> Result<(), SendError> {
        self.out.send(channel, message).await
    }
}

/// One call to Discord, given up after [`CALL_TIMEOUT`]: serenity's REST client has no
/// timeout of its own, and a hung call must not hold the handler (or shutdown) forever.
async fn call(call: Call<'_>) -> Result<(), SendError> {
    tokio::time::timeout(CALL_TIMEOUT, call)
        .await
        .unwrap_or_else(|_| Err(SendError::timed_out(CALL_TIMEOUT)))
}

/// What became of a first response (within [`DEFER_AFTER`]).
#[derive(Debug)]
enum FirstResponse {
    /// Taken at the first try.
    Sent,
    /// Refused for good.
    Failed(SendError),
    /// Refused, then taken at the second try.
    SentOnRetry(SendError),
    /// Refused, but the second try learned that the first had been taken.
    LandedFirstTime(SendError),
    /// Refused twice.
    FailedTwice(SendError, SendError),
}

/// What became of a deferral sent because the answer was slow.
#[derive(Debug)]
enum Rescue {
    /// Deferred, and the answer is in as an edit.
    Edited,
    /// Deferred, but the edit failed: the member sees "thinking…" only.
    EditFailed(SendError),
    /// The deferral was refused ("already acknowledged" means the slow answer had landed).
    DeferralRefused(SendError),
}

/// Logs what a deferral achieved, in one line.
fn log_rescue(rescue: &Rescue) {
    let waited = DEFER_AFTER.as_secs();
    match rescue {
        Rescue::Edited => tracing::warn!(
            "interaction response slow: no reply from Discord within {waited} s, so the bot \
             deferred and delivered the answer as an edit"
        ),
        Rescue::EditFailed(e) => tracing::warn!(
            "interaction response slow: no reply from Discord within {waited} s; the bot \
             deferred, but the edit with the answer failed ({e})"
        ),
        Rescue::DeferralRefused(e) if e.already_acknowledged() => tracing::warn!(
            "interaction response slow: no reply from Discord within {waited} s, but the \
             answer had reached Discord (a deferral was refused as already acknowledged)"
        ),
        Rescue::DeferralRefused(e) => tracing::warn!(
            "interaction response slow: no reply from Discord within {waited} s, and a \
             deferral failed ({e}); this answer may be lost"
        ),
    }
}
