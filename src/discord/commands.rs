//! The one table of slash commands, used both to register them with Discord and to route
//! their interactions: adding a command is one file and one line in [`COMMANDS`].

use serenity::builder::CreateCommand;
use serenity::http::Http;
use serenity::model::application::Command;
use serenity::model::id::GuildId;

use super::outbound::SendError;
use super::slash::SlashCommand;
use super::{about, ask, emergency, settings, status, topics};

/// Every slash command, in the order Discord lists them.
pub const COMMANDS: &[SlashCommand] = &[
    ask::COMMAND,
    topics::COMMAND,
    about::COMMAND,
    emergency::COMMAND,
    settings::COMMAND,
    status::COMMAND,
];

/// The command named `name`, if medfaq has one.
pub fn named(name: &str) -> Option<&'static SlashCommand> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// The command whose answers carry the component with `custom_id`, if any.
pub fn owning(custom_id: &str) -> Option<&'static SlashCommand> {
    COMMANDS.iter().find(|c| c.owns_component(custom_id))
}

/// The definitions of [`COMMANDS`], as registered.
pub fn definitions() -> Vec<CreateCommand> {
    COMMANDS.iter().map(|c| (c.definition)()).collect()
}

/// Registers [`definitions`] with one bulk overwrite: in each of `guilds`, or globally when
/// that is empty; then removes this bot's commands from the other place, so a server never
/// lists each command twice (once global, once left over from a per-guild trial, or the
/// reverse). `joined` are the servers the bot is in (from READY), whose leftover per-guild
/// commands a global registration clears.
///
/// Returns the registered commands (with the ids Discord gave them) when registered
/// globally, so replies can mention them; per-guild ids only work in their own server.
pub async fn register(
    http: &Http,
    guilds: &[u64],
    joined: &[u64],
) -> Result<Vec<Command>, SendError> {
    let commands = definitions();
    let count = commands.len();
    if guilds.is_empty() {
        let registered = Command::set_global_commands(http, commands)
            .await
            .map_err(|e| SendError::from_serenity(&e))?;
        tracing::info!(commands = count, "slash commands registered globally");
        clear_guilds(http, joined).await;
        Ok(registered)
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
        match Command::set_global_commands(http, Vec::new()).await {
            Ok(_) => tracing::info!("global slash commands cleared"),
            Err(e) => tracing::warn!(
                "clearing the global slash commands failed: {}",
                SendError::from_serenity(&e)
            ),
        }
        Ok(Vec::new())
    }
}

/// Most servers whose leftover per-guild commands a global registration clears: one call
/// each, once per start, is cheap for a small community bot; a bot in more servers than this
/// was never trialled per guild in all of them, so it skips the clearing rather than spend
/// its start on thousands of calls.
pub const MAX_GUILDS_TO_CLEAR: usize = 100;

/// Removes this bot's per-guild commands from `guilds` (each a bulk overwrite with nothing),
/// logging failures in one line.
async fn clear_guilds(http: &Http, guilds: &[u64]) {
    if guilds.len() > MAX_GUILDS_TO_CLEAR {
        tracing::info!(
            guilds = guilds.len(),
            "too many servers to clear leftover per-guild commands; skipped"
        );
        return;
    }
    let mut failed = 0;
    for &guild in guilds {
        if GuildId::new(guild)
            .set_commands(http, Vec::new())
            .await
            .is_err()
        {
            failed += 1;
        }
    }
    if failed > 0 {
        tracing::warn!(
            failed,
            guilds = guilds.len(),
            "clearing leftover per-guild commands failed in some servers"
        );
    } else if !guilds.is_empty() {
        tracing::info!(guilds = guilds.len(), "leftover per-guild commands cleared");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_lowercase() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        assert!(names.iter().all(|n| *n == n.to_lowercase()), "{names:?}");
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len(), "a name used twice");
    }

    #[test]
    fn each_definition_registers_the_name_it_is_routed_by() {
        for c in COMMANDS {
            let json = serde_json::to_value((c.definition)()).expect("a definition is JSON");
            assert_eq!(json["name"], c.name);
        }
        assert_eq!(definitions().len(), COMMANDS.len());
    }

    #[test]
    fn component_prefixes_have_one_owner() {
        for c in COMMANDS {
            for p in c.components {
                let owners = COMMANDS.iter().filter(|o| o.owns_component(p)).count();
                assert_eq!(owners, 1, "{p} is claimed by {owners} commands");
                assert!(
                    c.component.is_some(),
                    "{} lists components but handles none",
                    c.name
                );
            }
        }
    }
}
