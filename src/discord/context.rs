//! What every handler gets: [`Ctx`], the bot's state (the engine being served, the settings,
//! the rate limiter, the bot's own user id) and its [`Delivery`]. Handlers take a `&Ctx` and
//! never see the router, so the modules of `discord` import downwards only.

use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use arc_swap::ArcSwap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serenity::builder::{CreateEmbed, CreateEmbedFooter};
use serenity::model::application::Command;
use serenity::model::id::{GuildId, UserId};

use super::delivery::Delivery;
use super::render::{self, Rendered};
use crate::config::Config;
use crate::knowledge::EmergencyKind;
use crate::metrics::{Handled, Metrics};
use crate::reply::Reply;
use crate::storage::{self, Storage};
use crate::{Engine, Outcome};

/// The engine being served, swapped whole when the knowledge reloads.
pub type SharedEngine = Arc<ArcSwap<Engine>>;

/// Prefix of an autocomplete choice's value: the member picked this entry from the list, so
/// it is answered directly instead of being matched again.
pub const PICKED_PREFIX: &str = "entry:";

/// Prefix of an autocomplete choice's value offered while the typed text described an
/// emergency: whichever suggestion the member picks, the emergency reply follows.
pub const EMERGENCY_PREFIX: &str = "emergency:";

/// What the bot does, from the `[bot]` config: the rate limit, and the defaults a server's
/// own choices (from storage, through [`Ctx::here`]) override.
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

/// Where a question is answered: the server (`None` in a direct message) and the settings in
/// force there (the server's own choices from storage over the config's defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Here {
    /// The server, or `None` in a direct message.
    pub guild: Option<GuildId>,
    /// The settings in force there.
    pub settings: storage::Settings,
}

impl Here {
    /// The server's id as storage keeps it.
    pub fn guild_id(&self) -> Option<u64> {
        self.guild.map(GuildId::get)
    }

    /// The region whose crisis lines replies here show.
    pub fn region(&self) -> Option<&str> {
        self.settings.region.as_deref()
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

/// The member asked too often: answer with [`Ctx::slow_down`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited;

/// The bot's state and its way out, as every handler sees it.
pub struct Ctx {
    engine: SharedEngine,
    delivery: Delivery,
    settings: Settings,
    limiter: DefaultKeyedRateLimiter<UserId>,
    me: OnceLock<UserId>,
    commands: OnceLock<render::Commands>,
    metrics: Arc<Metrics>,
    storage: Option<Storage>,
    community: super::community::State,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("settings", &self.settings)
            .field("me", &self.me.get())
            .finish_non_exhaustive()
    }
}

impl Ctx {
    /// State serving `engine`, answering through `delivery`.
    pub fn new(engine: SharedEngine, delivery: Delivery, settings: Settings) -> Ctx {
        let per_minute = NonZeroU32::new(settings.rate_limit_per_minute).unwrap_or(NonZeroU32::MIN);
        Ctx {
            engine,
            delivery,
            settings,
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            me: OnceLock::new(),
            commands: OnceLock::new(),
            metrics: Arc::new(Metrics::new()),
            storage: None,
            community: super::community::State::default(),
        }
    }

    /// The same state, counting into `metrics` (shared with the gateway handler, the reloader
    /// and the HTTP endpoint) instead of its own.
    pub fn with_metrics(self, metrics: Arc<Metrics>) -> Ctx {
        Ctx { metrics, ..self }
    }

    /// What the bot counts and knows about itself.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Logs and counts one answered question (never its text or who asked).
    pub fn answered(&self, via: Via, reply: &Reply, started: Instant) {
        self.metrics.answered(reply, started.elapsed());
        log_answer(via, reply, started);
    }

    /// The same state, keeping per-server settings, feedback and logs in `storage`.
    pub fn with_storage(mut self, storage: Storage) -> Ctx {
        self.storage = Some(storage);
        self
    }

    /// The storage, when the bot has one (tests of the router may run without).
    pub fn storage(&self) -> Option<&Storage> {
        self.storage.as_ref()
    }

    /// In-memory state of the community tools (help-request limits, pending picks).
    pub fn community(&self) -> &super::community::State {
        &self.community
    }

    /// Where a question in `guild` is answered, with the settings in force there: from
    /// storage (never failing; see [`Storage::settings`]), or without storage the config's.
    pub async fn here(&self, guild: Option<GuildId>) -> Here {
        let settings = match &self.storage {
            Some(storage) => storage.settings(guild.map(GuildId::get)).await,
            None => storage::Settings {
                region: self.settings.region.clone(),
                answers_public: self.settings.answers_public,
                answer_mentions: self.settings.answer_mentions,
                ..storage::Settings::from_config(&Config::default())
            },
        };
        Here { guild, settings }
    }

    /// Remembers the ids Discord gave the globally registered commands, so replies can
    /// mention them as clickable commands.
    pub fn set_commands(&self, registered: &[Command]) {
        if registered.is_empty() {
            return;
        }
        let _ = self.commands.set(render::Commands::new(
            registered
                .iter()
                .map(|c| (c.name.clone(), c.id.get()))
                .collect(),
        ));
    }

    /// The registered commands' ids, for mentions (none known before registration).
    pub fn commands(&self) -> render::Commands {
        self.commands.get().cloned().unwrap_or_default()
    }

    /// The command `name` as members should see it in a reply: a clickable mention
    /// (`</topics:ID>`) when its id is known from registration, plain `/topics` otherwise.
    pub fn mention(&self, name: &str) -> String {
        self.commands().mention(name)
    }

    /// Renders an engine reply, with the commands it names made clickable.
    pub fn render(&self, reply: &Reply) -> Rendered {
        Rendered::reply_linked(reply, &self.commands())
    }

    /// Renders a reply given in `here`, with the community tools' buttons (feedback, asking
    /// a moderator) under it, as far as Discord's rows allow.
    pub fn render_in(&self, reply: &Reply, here: &Here) -> Rendered {
        let mut rendered = self.render(reply);
        for row in super::community::rows(reply, here) {
            if rendered.components.len() < super::community::MAX_ROWS {
                rendered.components.push(row);
            }
        }
        rendered
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
    pub fn delivery(&self) -> &Delivery {
        &self.delivery
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
        self.community.forget_idle();
    }

    /// Returns true if and only if an answer in this place should be shown to the asker only.
    pub fn ephemeral(&self, here: &Here, public: Option<bool>) -> bool {
        here.guild.is_some() && !public.unwrap_or(here.settings.answers_public)
    }

    /// Answers `text` for `user` in `here`: an autocomplete pick answers its entry; anything
    /// else goes through the engine. Emergencies are answered even past the rate limit. An
    /// answer is counted in storage; a question without one is logged only where the server
    /// turned its unanswered-question log on.
    pub fn ask(
        &self,
        engine: &Engine,
        user: UserId,
        text: &str,
        via: Via,
        here: &Here,
    ) -> Result<Reply, RateLimited> {
        let started = Instant::now();
        let region = here.region();
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
            self.metrics.handled(Handled::RateLimited);
            return Err(RateLimited);
        }
        self.answered(via, &reply, started);
        let typed = !text.starts_with(EMERGENCY_PREFIX) && !text.starts_with(PICKED_PREFIX);
        self.note(&reply, here, user, typed.then_some(text));
        Ok(reply)
    }

    /// Keeps what storage needs of a reply given in `here`: an answer is counted; when the
    /// server's log is on, a question (`typed` by the member) without an answer is logged
    /// and one answered with "did you mean" is remembered until a choice is picked.
    pub fn note(&self, reply: &Reply, here: &Here, user: UserId, typed: Option<&str>) {
        let Some(storage) = &self.storage else { return };
        if let (Outcome::Answer, Some(entry)) = (reply.outcome, &reply.entry_id) {
            storage.record_served(entry, here.guild_id());
        }
        let (Some(guild), Some(question)) = (here.guild_id(), typed) else {
            return;
        };
        if !here.settings.unanswered_log {
            return;
        }
        match reply.outcome {
            Outcome::NoMatch => {
                storage.record(storage::Record::Unanswered(storage::Unanswered {
                    guild_id: guild,
                    question: question.to_string(),
                    at: storage::Timestamp::now(),
                }));
            }
            Outcome::Clarify => self.community.remember_question(guild, user, question),
            _ => {}
        }
    }

    /// The polite "slow down", which still names the emergency number of `here`.
    pub fn slow_down(&self, engine: &Engine, here: &Here) -> Rendered {
        let region = engine.knowledge().region(here.region());
        let texts = crate::lang::texts(None);
        Rendered::embed(
            CreateEmbed::new()
                .title(texts.slow_down_title)
                .description((texts.slow_down_body)(
                    self.settings.rate_limit_per_minute,
                    &region.emergency,
                ))
                .colour(render::COLOUR_CAUTION)
                .footer(CreateEmbedFooter::new(
                    engine.knowledge().safety.disclaimer.clone(),
                )),
        )
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
