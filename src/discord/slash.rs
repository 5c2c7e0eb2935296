//! What a slash command file provides: a [`SlashCommand`], its name, definition and handlers
//! in one value, so [`commands`](super::commands) can list every command in one table for both
//! registration and routing.

use std::future::Future;
use std::pin::Pin;

use serenity::builder::CreateCommand;
use serenity::model::application::{
    CommandInteraction, ComponentInteraction, InstallationContext, InteractionContext,
};

use super::context::Ctx;

/// A handler's work in progress.
pub type Handled<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Handles a slash command (or autocomplete on one of its options).
pub type OnCommand = for<'a> fn(&'a Ctx, &'a CommandInteraction) -> Handled<'a>;

/// Handles a pressed button or a chosen menu option.
pub type OnComponent = for<'a> fn(&'a Ctx, &'a ComponentInteraction) -> Handled<'a>;

/// One slash command: everything Discord and the router need to know about it.
#[derive(Debug, Clone, Copy)]
pub struct SlashCommand {
    /// The name members type after `/`; Discord routes the interaction back by it.
    pub name: &'static str,
    /// The definition registered with Discord (made with [`definition`]).
    pub definition: fn() -> CreateCommand,
    /// Answers the command.
    pub run: OnCommand,
    /// Answers autocomplete on the command's options, if any has it on.
    pub autocomplete: Option<OnCommand>,
    /// Prefixes of the custom ids on the components the command's answers carry.
    pub components: &'static [&'static str],
    /// Handles a component whose custom id starts with one of [`Self::components`].
    pub component: Option<OnComponent>,
}

impl SlashCommand {
    /// Returns true if and only if a component with `custom_id` belongs to this command.
    pub fn owns_component(&self, custom_id: &str) -> bool {
        self.components.iter().any(|p| custom_id.starts_with(p))
    }
}

/// A command named `name`, usable in servers and in DMs with the bot.
pub fn definition(name: &str, description: &str) -> CreateCommand {
    CreateCommand::new(name)
        .description(description)
        .contexts(vec![InteractionContext::Guild, InteractionContext::BotDm])
        .integration_types(vec![InstallationContext::Guild])
}
