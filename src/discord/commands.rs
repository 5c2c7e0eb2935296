//! The slash commands, and their registration: one bulk overwrite, globally or per guild.

use serenity::builder::{CreateCommand, CreateCommandOption};
use serenity::http::Http;
use serenity::model::application::{
    Command, CommandOptionType, InstallationContext, InteractionContext,
};
use serenity::model::id::GuildId;

use super::ask::{OPTION_PUBLIC, OPTION_QUESTION};
use super::outbound::SendError;

/// Longest question `/ask` takes: long enough for a real question with context, short
/// enough that it cannot carry a wall of text.
pub const MAX_QUESTION: u16 = 300;

/// The commands, in servers and in DMs with the bot.
pub fn definitions() -> Vec<CreateCommand> {
    let contexts = vec![InteractionContext::Guild, InteractionContext::BotDm];
    let installs = vec![InstallationContext::Guild];
    let command = |name: &str, description: &str| {
        CreateCommand::new(name)
            .description(description)
            .contexts(contexts.clone())
            .integration_types(installs.clone())
    };
    vec![
        command(
            "ask",
            "Ask a question about medication safety; answers come from curated, sourced entries",
        )
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::String,
                OPTION_QUESTION,
                "Your question, in your own words",
            )
            .required(true)
            .set_autocomplete(true)
            .max_length(MAX_QUESTION),
        )
        .add_option(CreateCommandOption::new(
            CommandOptionType::Boolean,
            OPTION_PUBLIC,
            "Show the answer to everyone in the channel (by default only you see it)",
        )),
        command(
            "topics",
            "Browse the topics and questions medfaq can answer",
        ),
        command(
            "about",
            "What medfaq is and is not, where its answers come from, and what it keeps (nothing)",
        ),
        command(
            "emergency",
            "Emergency, crisis, poison and treatment lines for this server's region",
        ),
    ]
}

/// Registers [`definitions`] with one bulk overwrite: in each of `guilds`, or globally when
/// that is empty.
pub async fn register(http: &Http, guilds: &[u64]) -> Result<(), SendError> {
    let commands = definitions();
    let count = commands.len();
    if guilds.is_empty() {
        Command::set_global_commands(http, commands)
            .await
            .map_err(|e| SendError::from_serenity(&e))?;
        tracing::info!(commands = count, "slash commands registered globally");
    } else {
        for &guild in guilds {
            GuildId::new(guild)
                .set_commands(http, commands.clone())
                .await
                .map_err(|e| SendError::from_serenity(&e))?;
        }
        tracing::info!(
            commands = count,
            guilds = guilds.len(),
            "slash commands registered in guilds"
        );
    }
    Ok(())
}
