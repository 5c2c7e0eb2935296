//! The Discord adapter: `medfaq serve` on serenity and tokio.
//!
//! [`serve`] connects, registers the slash commands once, and hands every event to a
//! [`Bot`], which routes it to a handler. One file per slash command ([`ask`], [`topics`],
//! [`about`], [`emergency`], [`settings`], [`status`]), each giving its name, definition and
//! handlers as one [`SlashCommand`](slash::SlashCommand), all listed in the one table in
//! [`commands`], which both registration and routing use; [`messages`] answers DMs and
//! mentions; [`community`] puts feedback and moderator buttons under replies, which
//! [`feedback`] and [`moderator`] handle. Handlers get a [`Ctx`] ([`context`]: engine,
//! storage and each server's settings, rate limiter, metrics) and answer through its
//! [`Delivery`] ([`delivery`]: retry, defer-then-edit) over an [`Outbound`]; [`render`] turns
//! replies into Discord's builders. [`reload`] swaps in edited knowledge. [`health`] serves,
//! and [`status`] shows, the [`Metrics`](crate::metrics::Metrics) all of them count into.
//!
//! Imports only point down: `mod` → `bot` → `commands` → one file per command and
//! `messages` → `slash`, `context` → `delivery` → `outbound`, `render`.

pub mod about;
pub mod ask;
pub mod bot;
pub mod commands;
pub mod community;
pub mod context;
pub mod delivery;
pub mod emergency;
pub mod feedback;
pub mod health;
pub mod logging;
pub mod messages;
pub mod moderator;
pub mod outbound;
pub mod reload;
pub mod render;
pub mod settings;
pub mod slash;
pub mod status;
pub mod topics;

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arc_swap::ArcSwap;
use serenity::all::{
    Context, EventHandler, GatewayIntents, Guild, Interaction, Message, Ready, UnavailableGuild,
};
use serenity::async_trait;
use serenity::client::ClientBuilder;
use serenity::http::HttpBuilder;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use bot::Bot;
pub use context::{Ctx, Settings, SharedEngine};
pub use delivery::{Delivery, Respond};
pub use outbound::{Call, Outbound, Recorder, SendError, Sent, SerenityOutbound, Step};

use crate::config::{Config, Shards};
use crate::storage::Storage;
use crate::Engine;

/// The gateway intents: server messages (for mentions), direct messages, and servers (to
/// learn when the bot is removed from one). None is privileged; Discord delivers the content
/// of DMs and of messages that mention the bot without `MESSAGE_CONTENT`.
pub const INTENTS: GatewayIntents = GatewayIntents::GUILD_MESSAGES
    .union(GatewayIntents::DIRECT_MESSAGES)
    .union(GatewayIntents::GUILDS);

/// How often idle members' rate-limit state is forgotten.
const FORGET_IDLE_EVERY: Duration = Duration::from_secs(60);

/// The pause before the second try at reaching Discord when starting fails for a reason that
/// passes (no network yet at boot, DNS not up, Discord 5xx): short, since a boot race is over
/// in a second or two.
pub const START_RETRY_FIRST: Duration = Duration::from_secs(1);

/// The longest pause between tries at reaching Discord: the pause doubles from
/// [`START_RETRY_FIRST`] up to this, so a long outage costs one request a minute and the bot
/// is back within a minute of Discord.
pub const START_RETRY_MAX: Duration = Duration::from_secs(60);

/// Why the bot stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Discord refused the token.
    #[error("Discord refused the token: set DISCORD_TOKEN to the bot token from the developer portal (Bot → Reset Token)")]
    Unauthorized,
    /// The knowledge folder cannot be watched.
    #[error("could not watch {path} for changes: {source}; set bot.watch_knowledge = false to run without reloading")]
    Watch {
        /// The folder.
        path: std::path::PathBuf,
        /// Why.
        source: notify::Error,
    },
    /// The configuration cannot be served (e.g. an impossible shard range).
    #[error("{0}")]
    Config(String),
    /// The connection to Discord failed.
    #[error("the connection to Discord failed: {0}")]
    Discord(String),
}

impl ServeError {
    /// Returns true if and only if trying again later may succeed (the network or Discord
    /// failed), as opposed to a problem with the configuration or the token, which needs a
    /// person to fix it.
    pub fn is_transient(&self) -> bool {
        matches!(self, ServeError::Discord(_))
    }
}

/// A task that ends with the scope holding it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Capped exponential backoff for reaching Discord at start.
#[derive(Debug)]
struct Backoff {
    attempt: u32,
    pause: Duration,
}

impl Backoff {
    fn new() -> Backoff {
        Backoff {
            attempt: 0,
            pause: START_RETRY_FIRST,
        }
    }

    /// Logs why an attempt failed, then waits before the next one. Returns false if `stop`
    /// was cancelled meanwhile (the bot is shutting down; no further attempt).
    async fn wait(&mut self, why: &ServeError, stop: &CancellationToken) -> bool {
        self.attempt += 1;
        tracing::warn!(
            attempt = self.attempt,
            retry_in_seconds = self.pause.as_secs(),
            "could not reach Discord while starting ({why}); trying again"
        );
        let pause = self.pause;
        self.pause = (self.pause * 2).min(START_RETRY_MAX);
        tokio::select! {
            () = tokio::time::sleep(pause) => true,
            () = stop.cancelled() => false,
        }
    }
}

/// Asks Discord for the gateway URL (and, when sharding automatically, checks the token with
/// the authenticated gateway call), trying again with [`Backoff`] while that fails for a
/// transient reason. `Ok(None)` means the bot was told to stop while waiting.
async fn reach_discord(
    http: &serenity::http::Http,
    check_token: bool,
    stop: &CancellationToken,
) -> Result<Option<String>, ServeError> {
    let mut backoff = Backoff::new();
    loop {
        let reached = async {
            let url = http.get_gateway().await?.url;
            if check_token {
                http.get_bot_gateway().await?;
            }
            Ok::<String, serenity::Error>(url)
        };
        let why = tokio::select! {
            reached = reached => match reached {
                Ok(url) => {
                    if backoff.attempt > 0 {
                        tracing::info!(attempts = backoff.attempt + 1, "reached Discord");
                    }
                    return Ok(Some(url));
                }
                Err(e) => discord_error(&e),
            },
            () = stop.cancelled() => return Ok(None),
        };
        if !why.is_transient() {
            return Err(why);
        }
        if !backoff.wait(&why, stop).await {
            return Ok(None);
        }
    }
}

/// The serenity event handler: every event goes to the [`Bot`], tracked so shutdown can wait
/// for answers in flight.
struct Handler {
    /// Set once the client (and so its REST client) exists, before any event can arrive.
    bot: Arc<OnceLock<Arc<Bot>>>,
    tracker: TaskTracker,
    open: Arc<AtomicBool>,
    registered: AtomicBool,
    register: bool,
    guilds: Vec<u64>,
}

impl Handler {
    /// The bot, if events are being taken.
    fn bot(&self) -> Option<Arc<Bot>> {
        if !self.open.load(Ordering::SeqCst) {
            return None;
        }
        self.bot.get().cloned()
    }
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        if let Some(bot) = self.bot.get() {
            bot.set_user(ready.user.id);
        }
        tracing::info!(
            shard = ready.shard.map_or(0, |s| s.id.0),
            guilds = ready.guilds.len(),
            "connected to Discord"
        );
        // READY arrives on every shard and after every re-identify: register once per process.
        if self.register && !self.registered.swap(true, Ordering::SeqCst) {
            let joined: Vec<u64> = ready.guilds.iter().map(|g| g.id.get()).collect();
            match commands::register(&ctx.http, &self.guilds, &joined).await {
                Ok(registered) => {
                    if let Some(bot) = self.bot.get() {
                        bot.context().set_commands(&registered);
                    }
                }
                Err(e) => {
                    tracing::error!("registering the slash commands failed: {e}");
                    self.registered.store(false, Ordering::SeqCst);
                }
            }
        }
    }

    async fn interaction_create(&self, _ctx: Context, interaction: Interaction) {
        let Some(bot) = self.bot() else { return };
        self.tracker
            .track_future(async move { bot.interaction(interaction).await })
            .await;
    }

    async fn message(&self, _ctx: Context, message: Message) {
        let Some(bot) = self.bot() else { return };
        self.tracker
            .track_future(async move { bot.message(&message).await })
            .await;
    }

    async fn guild_delete(&self, _ctx: Context, gone: UnavailableGuild, _: Option<Guild>) {
        let Some(bot) = self.bot() else { return };
        self.tracker
            .track_future(async move { bot.guild_delete(&gone).await })
            .await;
    }
}

/// Runs the bot until `shutdown` completes (or the connection fails for good).
///
/// `engine` is the already loaded knowledge from `knowledge_dir`, which is watched for
/// changes when the config says so. While Discord cannot be reached at start (no network
/// yet, Discord down), the bot tries again with a pause doubling from [`START_RETRY_FIRST`]
/// to [`START_RETRY_MAX`], logging each attempt; only a refused token or a bad configuration
/// is an error. Once connected, serenity itself reconnects shards that lose the gateway. On shutdown the bot stops taking events, lets answers in
/// flight finish (up to `bot.shutdown_grace_seconds`), closes the shards, and writes what
/// `storage` has queued ([`Bot::flush`]).
pub async fn serve(
    config: &Config,
    token: &str,
    knowledge_dir: &Path,
    engine: Arc<Engine>,
    storage: Storage,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let shards = config
        .shards()
        .map_err(|e| ServeError::Config(e.to_string()))?;
    let mut http = HttpBuilder::new(token);
    if !config.discord.is_discord() {
        // serenity's rate limiter ignores the proxy (serenity#1739), so a stand-in needs it off.
        tracing::warn!(url = %config.discord.api_url, "using a Discord stand-in");
        http = http
            .proxy(config.discord.api_url.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    let http = http.default_allowed_mentions(render::no_mentions()).build();

    let started = health::start(config, &engine, knowledge_dir).await; // 503 until connected
    let (metrics, _endpoint) = started.map_err(ServeError::Config)?;
    // The shutdown signal, shareable: it also ends the waits between attempts to connect.
    let stop = CancellationToken::new();
    let _signal = AbortOnDrop({
        let stop = stop.clone();
        tokio::spawn(async move {
            shutdown.await;
            stop.cancel();
        })
    });
    let auto = matches!(shards, Shards::Auto);
    let Some(ws_url) = reach_discord(&http, auto, &stop).await? else {
        tracing::info!("stopped before connecting");
        return Ok(());
    };

    let engine: SharedEngine = Arc::new(ArcSwap::new(engine));
    let _reloader = if config.bot.watch_knowledge {
        let watch = reload::watch(knowledge_dir, Arc::clone(&engine), Arc::clone(&metrics));
        Some(watch.map_err(|source| ServeError::Watch {
            path: knowledge_dir.to_path_buf(),
            source,
        })?)
    } else {
        None
    };

    let slot = Arc::new(OnceLock::new());
    let tracker = TaskTracker::new();
    let open = Arc::new(AtomicBool::new(true));
    let handler = Handler {
        bot: Arc::clone(&slot),
        tracker: tracker.clone(),
        open: Arc::clone(&open),
        registered: AtomicBool::new(false),
        register: shards.includes_first(),
        guilds: config.bot.guilds.clone(),
    };
    let mut client = ClientBuilder::new_with_http(http, INTENTS)
        .event_handler(handler)
        .event_handler(health::Gateway(Arc::clone(&metrics)))
        .await
        .map_err(|e| discord_error(&e))?;
    // The builder asks for the gateway URL again and, should that fail, silently falls back
    // to Discord's: use the one just reached.
    *client.ws_url.lock().await = ws_url;
    let out = SerenityOutbound::new(Arc::clone(&client.http));
    let bot = Bot::new(engine, out, Settings::from_config(config)).with_storage(storage);
    let _shards = health::check_shards(Arc::clone(&client.shard_manager), Arc::clone(&metrics));
    let bot = Arc::new(bot.with_metrics(metrics));
    let _ = slot.set(Arc::clone(&bot));

    // Forget members who stopped asking, so the rate limiter's memory stays flat.
    let forget = {
        let bot = Arc::clone(&bot);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FORGET_IDLE_EVERY);
            loop {
                every.tick().await;
                bot.forget_idle();
            }
        })
    };

    let grace = Duration::from_secs(config.bot.shutdown_grace_seconds);
    let shard_manager = Arc::clone(&client.shard_manager);
    let stopping = Arc::new(AtomicBool::new(false));
    let stopper = {
        let stopping = Arc::clone(&stopping);
        let stop = stop.clone();
        tokio::spawn(async move {
            stop.cancelled().await;
            stopping.store(true, Ordering::SeqCst);
            tracing::info!("shutting down: no new events; waiting for answers in flight");
            open.store(false, Ordering::SeqCst);
            tracker.close();
            if tokio::time::timeout(grace, tracker.wait()).await.is_err() {
                tracing::warn!(
                    grace_seconds = grace.as_secs(),
                    "answers still in flight after the grace period; closing anyway"
                );
            }
            shard_manager.shutdown_all().await;
        })
    };

    let mut backoff = Backoff::new();
    let result = loop {
        let result = match shards {
            Shards::Auto => client.start_autosharded().await,
            // serenity's range end is inclusive, like the config's `last`.
            Shards::Range { first, last, total } => {
                client.start_shard_range(first..last, total).await
            }
        };
        // A REST call failing before any shard starts (the network dropped again since
        // `reach_discord`) leaves the client as it was: try again. Gateway failures are not
        // seen here: serenity re-queues a shard that cannot connect.
        match &result {
            Err(e @ serenity::Error::Http(_)) if !stop.is_cancelled() => {
                let why = discord_error(e);
                if why.is_transient() && backoff.wait(&why, &stop).await {
                    continue;
                }
            }
            _ => {}
        }
        break result;
    };
    forget.abort();
    if !stopping.load(Ordering::SeqCst) && !stop.is_cancelled() {
        stopper.abort();
    } else {
        let _ = stopper.await;
    }
    bot.flush().await;
    match result {
        Ok(()) => {
            tracing::info!("stopped");
            Ok(())
        }
        Err(_) if stopping.load(Ordering::SeqCst) || stop.is_cancelled() => Ok(()),
        Err(e) => Err(discord_error(&e)),
    }
}

/// A serenity error as a [`ServeError`], without anything secret in it.
fn discord_error(e: &serenity::Error) -> ServeError {
    use serenity::gateway::GatewayError;
    use serenity::http::HttpError;
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r))
            if r.status_code.as_u16() == 401 =>
        {
            ServeError::Unauthorized
        }
        serenity::Error::Gateway(GatewayError::InvalidAuthentication) => ServeError::Unauthorized,
        serenity::Error::Gateway(g) => ServeError::Discord(format!("gateway: {g}")),
        other => ServeError::Discord(SendError::from_serenity(other).to_string()),
    }
}

#[cfg(test)]
mod tests;
