//! The bot's state and event routing, independent of the network: [`Bot`] takes serenity's
//! parsed events and answers through an [`Outbound`], so tests drive it with real Discord
//! payloads and an in-memory [`Recorder`](super::Recorder).

use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serenity::builder::{
    CreateEmbed, CreateEmbedFooter, CreateInteractionResponse, CreateInteractionResponseMessage,
};
use serenity::model::application::Interaction;
use serenity::model::channel::Message;
use serenity::model::id::{InteractionId, UserId};

use super::outbound::{Outbound, SendError};
use super::render::{self, Rendered};
use super::{ask, browse, info, messages};
use crate::config::Config;
use crate::knowledge::EmergencyKind;
use crate::reply::Reply;
use crate::{Engine, Outcome};

/// The engine being served, swapped whole when the knowledge reloads.
pub type SharedEngine = Arc<ArcSwap<Engine>>;

/// Prefix of an autocomplete choice's value: the member picked this entry from the list, so
/// it is answered directly instead of being matched again.
pub const PICKED_PREFIX: &str = "entry:";

/// Prefix of an autocomplete choice's value offered while the typed text described an
/// emergency: whichever suggestion the member picks, the emergency reply follows.
pub const EMERGENCY_PREFIX: &str = "emergency:";

/// What the bot does, from the `[bot]` config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Region for emergency numbers.
    pub region: Option<String>,
    /// Answers in servers are visible to the channel by default.
    pub answers_public: bool,
    /// Answers server messages that mention the bot.
    pub answer_mentions: bool,
    /// Questions per member per minute.
    pub rate_limit_per_minute: u32,
}

impl Settings {
    /// The settings in `config`.
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            region: config.bot.region.clone(),
            answers_public: config.bot.answers_public,
            answer_mentions: config.bot.answer_mentions,
            rate_limit_per_minute: config.bot.rate_limit_per_minute,
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings::from_config(&Config::default())
    }
}

/// Where a question came from, for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `/ask`.
    Slash,
    /// A direct message.
    Dm,
    /// A mention in a server channel.
    Mention,
    /// A button or a menu.
    Component,
}

impl Via {
    /// The name used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Slash => "slash",
            Via::Dm => "dm",
            Via::Mention => "mention",
            Via::Component => "component",
        }
    }
}

/// The member asked too often: answer with [`Bot::slow_down`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited;

/// medfaq on Discord: the engine, the settings, the rate limiter and the way out.
pub struct Bot<O> {
    engine: SharedEngine,
    out: O,
    settings: Settings,
    limiter: DefaultKeyedRateLimiter<UserId>,
    me: OnceLock<UserId>,
}

impl<O> std::fmt::Debug for Bot<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("settings", &self.settings)
            .field("me", &self.me.get())
            .finish_non_exhaustive()
    }
}

impl<O: Outbound> Bot<O> {
    /// A bot serving `engine`, sending through `out`.
    pub fn new(engine: SharedEngine, out: O, settings: Settings) -> Bot<O> {
        let per_minute = NonZeroU32::new(settings.rate_limit_per_minute).unwrap_or(NonZeroU32::MIN);
        Bot {
            engine,
            out,
            settings,
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            me: OnceLock::new(),
        }
    }

    /// The engine being served now.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load_full()
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The way out.
    pub fn outbound(&self) -> &O {
        &self.out
    }

    /// Remembers the bot's own user id (from READY), to recognise mentions.
    pub fn set_user(&self, id: UserId) {
        let _ = self.me.set(id);
    }

    /// The bot's own user id, once READY has arrived.
    pub fn user(&self) -> Option<UserId> {
        self.me.get().copied()
    }

    /// Forgets rate-limit state of members who have not asked recently, so memory stays flat.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Handles one interaction.
    pub async fn interaction(&self, interaction: Interaction) {
        match interaction {
            Interaction::Command(c) => match c.data.name.as_str() {
                "ask" => ask::command(self, &c).await,
                "topics" => browse::command(self, &c).await,
                "about" => info::about(self, &c).await,
                "emergency" => info::emergency(self, &c).await,
                other => tracing::debug!(command = other, "unknown command ignored"),
            },
            Interaction::Autocomplete(c) => ask::autocomplete(self, &c).await,
            Interaction::Component(c) => {
                let id = c.data.custom_id.as_str();
                if id == render::ID_TOPICS || id == render::ID_TOPIC_ENTRY {
                    browse::component(self, &c).await;
                } else if id.starts_with(render::ID_PREFIX) {
                    ask::component(self, &c).await;
                }
            }
            _ => {}
        }
    }

    /// Handles one message (a DM, or a server message that may mention the bot).
    pub async fn message(&self, message: &Message) {
        messages::message(self, message).await;
    }

    /// Returns true if and only if an answer in this place should be shown to the asker only.
    pub fn ephemeral(&self, in_guild: bool, public: Option<bool>) -> bool {
        in_guild && !public.unwrap_or(self.settings.answers_public)
    }

    /// Answers `text` for `user`: an autocomplete pick answers its entry; anything else goes
    /// through the engine. Emergencies are answered even past the rate limit.
    pub fn ask(
        &self,
        engine: &Engine,
        user: UserId,
        text: &str,
        via: Via,
    ) -> Result<Reply, RateLimited> {
        let started = Instant::now();
        let region = self.settings.region.as_deref();
        let reply = if let Some(kinds) = text.strip_prefix(EMERGENCY_PREFIX) {
            let kinds: Vec<EmergencyKind> =
                kinds.split(',').filter_map(EmergencyKind::parse).collect();
            engine.emergency_reply(&kinds, region)
        } else if let Some(reply) = text
            .strip_prefix(PICKED_PREFIX)
            .and_then(|id| engine.entry_reply(id.trim(), region))
        {
            reply
        } else {
            engine.ask_in(text, region).reply
        };
        if reply.outcome != Outcome::Emergency && self.limiter.check_key(&user).is_err() {
            tracing::info!(
                via = via.as_str(),
                outcome = "rate_limited",
                "question refused"
            );
            return Err(RateLimited);
        }
        log_answer(via, &reply, started);
        Ok(reply)
    }

    /// The polite "slow down", which still names the emergency number.
    pub fn slow_down(&self, engine: &Engine) -> Rendered {
        let region = engine.knowledge().region(self.settings.region.as_deref());
        Rendered::embed(
            CreateEmbed::new()
                .title("Please slow down a little")
                .description(format!(
                    "You've asked {} questions in the last minute, which is as many as I take \
                     from one person. Please wait a minute, then ask again.\n\nIf someone may be \
                     in danger, don't wait: call {} now.",
                    self.settings.rate_limit_per_minute, region.emergency
                ))
                .colour(render::COLOUR_CAUTION)
                .footer(CreateEmbedFooter::new(
                    engine.knowledge().safety.disclaimer.clone(),
                )),
        )
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
        let Err(e) = self
            .call(self.out.respond(id, token, response.clone()))
            .await
        else {
            return FirstResponse::Sent;
        };
        if !e.worth_retrying() || started.elapsed() + RETRY_PAUSE >= DEFER_AFTER {
            return FirstResponse::Failed(e);
        }
        // serenity's error does not carry Discord's `retry_after`; with its rate limiter on
        // (the normal case) serenity waits `retry_after` itself and a 429 never gets here.
        tokio::time::sleep(RETRY_PAUSE).await;
        match self.call(self.out.respond(id, token, response)).await {
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
        if let Err(e) = self.call(self.out.respond(id, token, deferral)).await {
            return Rescue::DeferralRefused(e);
        }
        match self
            .call(self.out.edit_original(token, rendered.edit()))
            .await
        {
            Ok(()) => Rescue::Edited,
            Err(e) => Rescue::EditFailed(e),
        }
    }

    /// One call to Discord, given up after [`CALL_TIMEOUT`]: serenity's REST client has no
    /// timeout of its own, and a hung call must not hold the handler (or shutdown) forever.
    async fn call(
        &self,
        call: impl std::future::Future<Output = Result<(), SendError>>,
    ) -> Result<(), SendError> {
        tokio::time::timeout(CALL_TIMEOUT, call)
            .await
            .unwrap_or_else(|_| Err(SendError::timed_out(CALL_TIMEOUT)))
    }

    /// Sends any other first response (autocomplete choices), logging a failure in one line.
    pub async fn respond_raw(
        &self,
        id: InteractionId,
        token: &str,
        response: CreateInteractionResponse,
    ) {
        // Autocomplete cannot be deferred, and is stale a moment later: no retry.
        if let Err(e) = self.call(self.out.respond(id, token, response)).await {
            tracing::warn!("interaction response failed: {e}");
        }
    }
}

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

/// How long the bot waits for Discord to take an interaction's first response before it
/// defers instead. Discord drops an interaction that is not acknowledged within 3 s of its
/// creation; this leaves about a second for the deferral's own trip. The clock starts when
/// the answer is sent, which is microseconds after the event arrived (matching is fast).
pub const DEFER_AFTER: Duration = Duration::from_secs(2);

/// The pause before the one retry of a first response refused with 429 or 5xx.
pub const RETRY_PAUSE: Duration = Duration::from_millis(600);

/// No single call to Discord is awaited longer than this.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Logs one answered question: where from, the outcome, the entry and how long it took —
/// never the text or who asked.
pub fn log_answer(via: Via, reply: &Reply, started: Instant) {
    tracing::info!(
        via = via.as_str(),
        outcome = reply.outcome.as_str(),
        entry = reply.entry_id.as_deref().unwrap_or("-"),
        micros = started.elapsed().as_micros() as u64,
        "question answered"
    );
}
