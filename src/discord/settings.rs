//! `/settings`: a server's own choices, for members with Manage Server (Discord hides the
//! command from everyone else through `default_member_permissions`). Each subcommand shows
//! or changes one setting and answers privately with the settings now in force: the region
//! whose crisis lines replies show, whether answers are private or public, whether mentions
//! are answered, the moderators' channel and role for help requests, and the opt-in
//! unanswered-question log with its retention.

use std::time::Duration;

use serenity::builder::{
    AutocompleteChoice, CreateAutocompleteResponse, CreateCommand, CreateCommandOption,
    CreateEmbed, CreateInteractionResponse,
};
use serenity::model::application::{
    CommandDataOption, CommandDataOptionValue, CommandInteraction, CommandOptionType,
    InstallationContext, InteractionContext,
};
use serenity::model::channel::ChannelType;
use serenity::model::Permissions;

use super::context::Ctx;
use super::delivery::Respond;
use super::render::{self, Rendered, MAX_OPTIONS};
use super::slash::SlashCommand;
use crate::config::MAX_UNANSWERED_RETENTION_DAYS;
use crate::knowledge::KnowledgeBase;
use crate::lang;
use crate::storage::{GuildSettings, Settings};

/// The command's name.
pub const NAME: &str = "settings";

/// `/settings` in the command table.
pub const COMMAND: SlashCommand = SlashCommand {
    name: NAME,
    definition,
    run: |ctx, c| Box::pin(command(ctx, c)),
    autocomplete: Some(|ctx, c| Box::pin(autocomplete(ctx, c))),
    components: &[],
    component: None,
};

/// `/settings show`.
pub const SHOW: &str = "show";
/// `/settings region region:<code>`.
pub const REGION: &str = "region";
/// `/settings answers visibility:<private|public>`.
pub const ANSWERS: &str = "answers";
/// The option of `/settings answers`.
pub const VISIBILITY: &str = "visibility";
/// `/settings mentions on:<bool>`.
pub const MENTIONS: &str = "mentions";
/// `/settings moderators [channel:<channel>] [role:<role>]`.
pub const MODERATORS: &str = "moderators";
/// `/settings unanswered-log on:<bool> [days:<1–90>]`.
pub const LOG: &str = "unanswered-log";
/// The on/off option of `/settings mentions` and `/settings unanswered-log`.
pub const ON: &str = "on";
/// The channel option of `/settings moderators`.
pub const CHANNEL: &str = "channel";
/// The role option of `/settings moderators`.
pub const ROLE: &str = "role";
/// The days option of `/settings unanswered-log`.
pub const DAYS: &str = "days";

/// `/settings`, as registered: in servers only, for members with Manage Server.
pub fn definition() -> CreateCommand {
    let t = lang::texts(None);
    let sub = |name: &str, description: &str| {
        CreateCommandOption::new(CommandOptionType::SubCommand, name, description)
    };
    let option =
        |kind, name: &str, description: &str| CreateCommandOption::new(kind, name, description);
    CreateCommand::new(NAME)
        .description(t.describe_settings)
        .contexts(vec![InteractionContext::Guild])
        .integration_types(vec![InstallationContext::Guild])
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .add_option(sub(SHOW, t.describe_settings_show))
        .add_option(
            sub(REGION, t.describe_settings_region).add_sub_option(
                option(CommandOptionType::String, REGION, t.describe_region)
                    .required(true)
                    .set_autocomplete(true),
            ),
        )
        .add_option(
            sub(ANSWERS, t.describe_settings_answers).add_sub_option(
                option(CommandOptionType::String, VISIBILITY, t.describe_visibility)
                    .required(true)
                    .add_string_choice(t.choice_private, "private")
                    .add_string_choice(t.choice_public, "public"),
            ),
        )
        .add_option(sub(MENTIONS, t.describe_settings_mentions).add_sub_option(
            option(CommandOptionType::Boolean, ON, t.describe_mentions).required(true),
        ))
        .add_option(
            sub(MODERATORS, t.describe_settings_moderators)
                .add_sub_option(
                    option(
                        CommandOptionType::Channel,
                        CHANNEL,
                        t.describe_moderator_channel,
                    )
                    .channel_types(vec![ChannelType::Text]),
                )
                .add_sub_option(option(
                    CommandOptionType::Role,
                    ROLE,
                    t.describe_moderator_role,
                )),
        )
        .add_option(
            sub(LOG, t.describe_settings_log)
                .add_sub_option(
                    option(CommandOptionType::Boolean, ON, t.describe_log).required(true),
                )
                .add_sub_option(
                    option(CommandOptionType::Integer, DAYS, t.describe_log_days)
                        .min_int_value(1)
                        .max_int_value(u64::from(MAX_UNANSWERED_RETENTION_DAYS)),
                ),
        )
}

/// One change `/settings` asked for, applied to a server's stored choices. Returns the
/// member-facing reason when the value cannot be taken.
pub fn apply(
    kb: &KnowledgeBase,
    stored: &mut GuildSettings,
    subcommand: &str,
    options: &[CommandDataOption],
) -> Result<(), String> {
    let find = |name: &str| options.iter().find(|o| o.name == name).map(|o| &o.value);
    match subcommand {
        REGION => {
            let Some(CommandDataOptionValue::String(code)) = find(REGION) else {
                return Err(unknown_region(kb));
            };
            let region = kb
                .safety
                .regions
                .values()
                .find(|r| r.code.eq_ignore_ascii_case(code.trim()))
                .ok_or_else(|| unknown_region(kb))?;
            stored.region = Some(region.code.clone());
        }
        ANSWERS => {
            if let Some(CommandDataOptionValue::String(v)) = find(VISIBILITY) {
                stored.answers_public = Some(v == "public");
            }
        }
        MENTIONS => {
            if let Some(CommandDataOptionValue::Boolean(on)) = find(ON) {
                stored.answer_mentions = Some(*on);
            }
        }
        MODERATORS => {
            let channel = match find(CHANNEL) {
                Some(CommandDataOptionValue::Channel(c)) => Some(c.get()),
                _ => None,
            };
            let role = match find(ROLE) {
                Some(CommandDataOptionValue::Role(r)) => Some(r.get()),
                _ => None,
            };
            if channel.is_none() && role.is_none() {
                // Both left empty: moderator help is off.
                stored.moderator_channel_id = None;
                stored.moderator_role_id = None;
            } else {
                stored.moderator_channel_id = channel.or(stored.moderator_channel_id);
                stored.moderator_role_id = role.or(stored.moderator_role_id);
            }
        }
        LOG => {
            if let Some(CommandDataOptionValue::Boolean(on)) = find(ON) {
                stored.unanswered_log = Some(*on);
            }
            if let Some(CommandDataOptionValue::Integer(days)) = find(DAYS) {
                let days = (*days).clamp(1, i64::from(MAX_UNANSWERED_RETENTION_DAYS));
                stored.unanswered_retention_days = u32::try_from(days).ok();
            }
        }
        _ => {}
    }
    Ok(())
}

fn unknown_region(kb: &KnowledgeBase) -> String {
    let codes: Vec<&str> = kb
        .safety
        .regions
        .values()
        .map(|r| r.code.as_str())
        .collect();
    (lang::texts(None).settings_unknown_region)(&codes.join(", "))
}

/// The card showing the settings in force.
pub fn card(kb: &KnowledgeBase, settings: &Settings, lead: Option<&str>) -> Rendered {
    let t = lang::texts(None);
    let region = kb.region(settings.region.as_deref());
    let region = format!("{} ({})", region.name, region.code);
    let channel = settings.moderator_channel_id.map(|c| format!("<#{c}>"));
    let role = settings.moderator_role_id.map(|r| format!("<@&{r}>"));
    let body = (t.settings_body)(&lang::SettingsCard {
        region: &region,
        answers_public: settings.answers_public,
        answer_mentions: settings.answer_mentions,
        moderator_channel: channel.as_deref(),
        moderator_role: role.as_deref(),
        unanswered_log: settings.unanswered_log,
        retention_days: settings.unanswered_retention_days,
    });
    let description = match lead {
        Some(lead) => format!("{lead}\n\n{body}"),
        None => body,
    };
    Rendered::embed(
        CreateEmbed::new()
            .title(t.settings_title)
            .description(description)
            .colour(render::COLOUR_INFO),
    )
}

/// How long `/settings` may spend reading and saving before it answers that storage is not
/// answering: the answer must still reach Discord within its 3 seconds.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(2);

/// `/settings <subcommand>`.
pub async fn command(ctx: &Ctx, c: &CommandInteraction) {
    let rendered = match tokio::time::timeout(STORE_TIMEOUT, settings(ctx, c)).await {
        Ok(rendered) => rendered,
        Err(_) => {
            tracing::warn!(
                timeout_ms = STORE_TIMEOUT.as_millis() as u64,
                "server settings not read or saved in time"
            );
            note(lang::texts(None).settings_unavailable)
        }
    };
    ctx.delivery()
        .respond(c.id, &c.token, rendered, Respond::New { ephemeral: true })
        .await;
}

/// A short private note instead of the card.
fn note(text: &str) -> Rendered {
    Rendered::embed(
        CreateEmbed::new()
            .description(text)
            .colour(render::COLOUR_CAUTION),
    )
}

/// What `/settings` answers: the card, or why nothing changed.
async fn settings(ctx: &Ctx, c: &CommandInteraction) -> Rendered {
    let t = lang::texts(None);
    let Some(guild) = c.guild_id else {
        return note(t.settings_guild_only);
    };
    let Some((subcommand, options)) = c.data.options.first().and_then(|o| match &o.value {
        CommandDataOptionValue::SubCommand(options) => Some((o.name.as_str(), options)),
        _ => None,
    }) else {
        return note(t.settings_unavailable);
    };
    let Some(storage) = ctx.storage() else {
        return note(t.settings_unavailable);
    };
    let engine = ctx.engine();
    let kb = engine.knowledge();
    let Ok(stored) = storage.guild_settings(guild.get()).await else {
        return note(t.settings_unavailable);
    };
    let mut stored = stored.unwrap_or_default();
    if subcommand == SHOW {
        return card(kb, &storage.defaults().merged(Some(&stored)), None);
    }
    if let Err(why) = apply(kb, &mut stored, subcommand, options) {
        return note(&why);
    }
    if storage
        .set_guild_settings(guild.get(), stored.clone())
        .await
        .is_err()
    {
        return note(t.settings_unavailable);
    }
    tracing::info!(setting = subcommand, "server settings changed");
    card(
        kb,
        &storage.defaults().merged(Some(&stored)),
        Some(t.settings_saved),
    )
}

/// Autocomplete on `/settings region`: the knowledge's regions matching what was typed.
pub async fn autocomplete(ctx: &Ctx, c: &CommandInteraction) {
    let typed = c
        .data
        .autocomplete()
        .map_or(String::new(), |a| a.value.to_lowercase());
    let engine = ctx.engine();
    let choices: Vec<AutocompleteChoice> = engine
        .knowledge()
        .safety
        .regions
        .values()
        .filter(|r| {
            r.code.to_lowercase().contains(typed.trim())
                || r.name.to_lowercase().contains(typed.trim())
        })
        .take(MAX_OPTIONS)
        .map(|r| AutocompleteChoice::new(format!("{} ({})", r.name, r.code), r.code.clone()))
        .collect();
    ctx.delivery()
        .respond_raw(
            c.id,
            &c.token,
            CreateInteractionResponse::Autocomplete(
                CreateAutocompleteResponse::new().set_choices(choices),
            ),
        )
        .await;
}
