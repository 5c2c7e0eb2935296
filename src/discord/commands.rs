//! The one table of slash commands, used both to register them with Discord and to route
//! their interactions: adding a command is one file and one line in [`COMMANDS`].

use serenity::builder::CreateCommand;
use serenity::http::Http;
use serenity::model::application::Command;
use serenity::model::id::GuildId;

use super::outbound::SendError;
use super::slash::SlashCommand;
use super::{about, ask, emergency, topics};

/// Every slash command, in the order Discord lists them.
pub const COMMANDS: &[SlashCommand] = &[
    ask::COMMAND,
    topics::COMMAND,
    about::COMMAND,
    emergency::COMMAND,
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
