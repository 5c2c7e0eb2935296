//! `/emergency`: the region's emergency, crisis, poison and treatment lines.

use serenity::builder::CreateCommand;
use serenity::model::application::CommandInteraction;

use super::context::Ctx;
use super::delivery::Respond;
use super::slash::{self, SlashCommand};

/// The command's name.
pub const NAME: &str = "emergency";

/// `/emergency` in the command table.
pub const COMMAND: SlashCommand = SlashCommand {
    name: NAME,
    definition,
    run: |ctx, c| Box::pin(emergency(ctx, c)),
    autocomplete: None,
    components: &[],
    component: None,
};

/// `/emergency`, as registered.
pub fn definition() -> CreateCommand {
    slash::definition(NAME, crate::lang::texts(None).describe_emergency)
}

/// `/emergency`: the region's emergency, crisis, poison and treatment lines.
pub async fn emergency(ctx: &Ctx, c: &CommandInteraction) {
    let engine = ctx.engine();
    let here = ctx.here(c.guild_id).await;
    let reply = engine.help_lines(here.region());
    let ephemeral = ctx.ephemeral(&here, None);
    tracing::info!(
        via = "slash",
        outcome = "help_lines",
        "emergency lines shown"
    );
    ctx.metrics().handled(crate::metrics::Handled::HelpLines);
    ctx.delivery()
        .respond(
            c.id,
            &c.token,
            ctx.render(&reply),
            Respond::New { ephemeral },
        )
        .await;
}
