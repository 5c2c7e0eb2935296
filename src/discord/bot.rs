//! The router, independent of the network: [`Bot`] takes serenity's parsed events and hands
//! each to its handler (slash commands, autocomplete and components through the one table in
//! [`commands`], messages to [`messages`]), which answers through the [`Delivery`] in its
//! [`Ctx`]. Tests drive it with real Discord payloads and an in-memory
//! [`Recorder`](super::Recorder).

use std::sync::Arc;
use std::time::Duration;

use serenity::model::application::Interaction;
use serenity::model::channel::Message;
use serenity::model::guild::UnavailableGuild;
use serenity::model::id::UserId;

use super::commands;
use super::context::{Ctx, Settings, SharedEngine};
use super::delivery::Delivery;
use super::outbound::Outbound;
use super::render;
use super::{feedback, messages, moderator};
use crate::storage::Storage;
use crate::Engine;

/// How long shutdown waits for queued storage writes (feedback, counters, logs): one write
/// timeout; a store that is down by then loses what is queued, and the log says so.
pub const FLUSH_TIMEOUT: Duration = crate::storage::WRITE_TIMEOUT;

/// medfaq on Discord: its state ([`Ctx`]) and the routing of every event to a handler.
#[derive(Debug)]
pub struct Bot {
    ctx: Ctx,
}

impl Bot {
    /// A bot serving `engine`, sending through `out`.
    pub fn new(engine: SharedEngine, out: impl Outbound, settings: Settings) -> Bot {
        Bot {
            ctx: Ctx::new(engine, Delivery::new(out), settings),
        }
    }

    /// The same bot, counting into `metrics` (see [`Ctx::with_metrics`]).
    pub fn with_metrics(self, metrics: Arc<crate::metrics::Metrics>) -> Bot {
        Bot {
            ctx: self.ctx.with_metrics(metrics),
        }
    }

    /// The same bot, keeping per-server settings, feedback and logs in `storage`.
    pub fn with_storage(self, storage: Storage) -> Bot {
        Bot {
            ctx: self.ctx.with_storage(storage),
        }
    }

    /// Writes what storage has queued, waiting at most [`FLUSH_TIMEOUT`] (at shutdown).
    pub async fn flush(&self) {
        let Some(storage) = self.ctx.storage() else {
            return;
        };
        if tokio::time::timeout(FLUSH_TIMEOUT, storage.flush())
            .await
            .is_err()
        {
            tracing::warn!(
                timeout_seconds = FLUSH_TIMEOUT.as_secs(),
                "storage writes still queued at shutdown were not all written"
            );
        }
    }

    /// A server is gone: when the bot was removed from it (not when it is only unavailable
    /// in an outage), everything stored about it is deleted.
    pub async fn guild_delete(&self, gone: &UnavailableGuild) {
        if !gone.unavailable {
            self.forget_guild(gone.id.get()).await;
        }
    }

    /// Deletes everything stored about a server the bot has left (settings, feedback,
    /// counters, logs), trying again like a storage write (up to
    /// [`MAX_WRITE_ATTEMPTS`](crate::storage::MAX_WRITE_ATTEMPTS) times) while the store is
    /// down, and logging the outcome in one line.
    pub async fn forget_guild(&self, guild: u64) {
        use crate::storage::{backoff, MAX_WRITE_ATTEMPTS};
        let Some(storage) = self.ctx.storage() else {
            return;
        };
        let mut attempt = 1;
        loop {
            match storage.forget_guild(guild).await {
                Ok(_) => {
                    tracing::info!("left a server: its stored settings and logs were deleted");
                    return;
                }
                Err(_) if attempt < MAX_WRITE_ATTEMPTS => {
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                Err(e) => {
                    // Server ids stay out of info-and-above lines (PRIVACY.md); an operator
                    // running at debug level gets it for `medfaq forget --guild`.
                    tracing::warn!(
                        "left a server, but deleting its stored data failed {attempt} times \
                         ({e}); its id is logged at debug level for `medfaq forget --guild`"
                    );
                    tracing::debug!(guild, "server whose stored data could not be deleted");
                    return;
                }
            }
        }
    }

    /// What the handlers see.
    pub fn context(&self) -> &Ctx {
        &self.ctx
    }

    /// The engine being served now.
    pub fn engine(&self) -> Arc<Engine> {
        self.ctx.engine()
    }

    /// Remembers the bot's own user id (from READY), to recognise mentions.
    pub fn set_user(&self, id: UserId) {
        self.ctx.set_user(id);
    }

    /// Forgets rate-limit state of members who have not asked recently, so memory stays flat.
    pub fn forget_idle(&self) {
        self.ctx.forget_idle();
    }

    /// Handles one interaction.
    pub async fn interaction(&self, interaction: Interaction) {
        let ctx = &self.ctx;
        match interaction {
            Interaction::Command(c) => match commands::named(&c.data.name) {
                Some(command) => (command.run)(ctx, &c).await,
                None => tracing::debug!(command = c.data.name, "unknown command ignored"),
            },
            Interaction::Autocomplete(c) => {
                if let Some(autocomplete) =
                    commands::named(&c.data.name).and_then(|c| c.autocomplete)
                {
                    autocomplete(ctx, &c).await;
                }
            }
            Interaction::Component(c) => {
                let id = c.data.custom_id.as_str();
                if !id.starts_with(render::ID_PREFIX) {
                    return;
                }
                if feedback::owns(id) {
                    return feedback::component(ctx, &c).await;
                }
                if moderator::owns(id) {
                    return moderator::component(ctx, &c).await;
                }
                if let Some(component) = commands::owning(id).and_then(|c| c.component) {
                    component(ctx, &c).await;
                }
            }
            Interaction::Modal(m) => feedback::modal(ctx, &m).await,
            _ => {}
        }
    }

    /// Handles one message (a DM, or a server message that may mention the bot).
    pub async fn message(&self, message: &Message) {
        messages::message(&self.ctx, message).await;
    }
}
