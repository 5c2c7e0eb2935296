//! `/ask`, its autocomplete, and the answer buttons ("did you mean" choices, "none of these",
//! related entries).

use serenity::builder::{
    AutocompleteChoice, CreateAutocompleteResponse, CreateCommand, CreateCommandOption,
    CreateInteractionResponse,
};
use serenity::model::application::{
    CommandDataOptionValue, CommandInteraction, CommandOptionType, ComponentInteraction,
};
use serenity::model::channel::MessageFlags;

use super::context::{Ctx, RateLimited, Via, EMERGENCY_PREFIX, PICKED_PREFIX};
use super::delivery::Respond;
use super::render::{self, Rendered, MAX_OPTIONS, MAX_OPTION_TEXT};
use super::slash::{self, SlashCommand};
use crate::lang;
use crate::reply::truncate;

/// The command's name.
pub const NAME: &str = "ask";

/// `/ask` in the command table.
pub const COMMAND: SlashCommand = SlashCommand {
    name: NAME,
    definition,
    run: |ctx, c| Box::pin(command(ctx, c)),
    autocomplete: Some(|ctx, c| Box::pin(autocomplete(ctx, c))),
    components: &[render::ID_PICK, render::ID_ENTRY, render::ID_NONE],
    component: Some(|ctx, c| Box::pin(component(ctx, c))),
};

/// Longest question `/ask` takes: long enough for a real question with context, short
/// enough that it cannot carry a wall of text.
pub const MAX_QUESTION: u16 = 300;

/// The `/ask` option holding the question.
pub const OPTION_QUESTION: &str = "question";
/// The `/ask` option choosing who sees the answer.
pub const OPTION_PUBLIC: &str = "public";

/// `/ask question:<text> [public:<bool>]`, as registered.
pub fn definition() -> CreateCommand {
    let texts = lang::texts(None);
    slash::definition(NAME, texts.describe_ask)
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::String,
                OPTION_QUESTION,
                texts.describe_question,
            )
            .required(true)
            .set_autocomplete(true)
            .max_length(MAX_QUESTION),
        )
        .add_option(CreateCommandOption::new(
            CommandOptionType::Boolean,
            OPTION_PUBLIC,
            texts.describe_public,
        ))
}

/// `/ask question:<text> [public:<bool>]`.
pub async fn command(ctx: &Ctx, c: &CommandInteraction) {
    let mut question = "";
    let mut public = None;
    for option in &c.data.options {
        match (option.name.as_str(), &option.value) {
            (OPTION_QUESTION, CommandDataOptionValue::String(s)) => question = s,
            (OPTION_PUBLIC, CommandDataOptionValue::Boolean(b)) => public = Some(*b),
            _ => {}
        }
    }
    let engine = ctx.engine();
    let here = ctx.here(c.guild_id).await;
    let (rendered, ephemeral) = match ctx.ask(&engine, c.user.id, question, Via::Slash, &here) {
        Ok(reply) => (ctx.render_in(&reply, &here), ctx.ephemeral(&here, public)),
        Err(RateLimited) => (ctx.slow_down(&engine, &here), c.guild_id.is_some()),
    };
    ctx.delivery()
        .respond(c.id, &c.token, rendered, Respond::New { ephemeral })
        .await;
}

/// The choices for a partly typed question: up to 25 entry titles. When the text so far
/// describes an emergency, emergency help comes first and every choice's value leads to the
/// emergency reply, so picking any suggestion can never skip triage of what was typed.
pub fn choices(engine: &crate::Engine, partial: &str) -> Vec<AutocompleteChoice> {
    let suggestions = engine.suggest(partial, MAX_OPTIONS);
    if let Some(kinds) = suggestions.emergency {
        let value = emergency_value(&kinds);
        return std::iter::once(lang::texts(None).emergency_label.to_string())
            .chain(suggestions.choices.into_iter().map(|c| c.label))
            .take(MAX_OPTIONS)
            .map(|label| AutocompleteChoice::new(truncate(&label, MAX_OPTION_TEXT), value.clone()))
            .collect();
    }
    suggestions
        .choices
        .into_iter()
        .map(|choice| {
            let name = truncate(&choice.label, MAX_OPTION_TEXT);
            let picked = format!("{PICKED_PREFIX}{}", choice.entry_id);
            // A value over Discord's limit would be refused; the title itself still finds
            // the entry when matched.
            let value = if picked.chars().count() <= MAX_OPTION_TEXT {
                picked
            } else {
                name.clone()
            };
            AutocompleteChoice::new(name, value)
        })
        .collect()
}

/// The value of an autocomplete choice that leads to the emergency reply for `kinds`.
fn emergency_value(kinds: &[crate::knowledge::EmergencyKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    format!("{EMERGENCY_PREFIX}{}", names.join(","))
}

/// Autocomplete on `/ask question`.
pub async fn autocomplete(ctx: &Ctx, c: &CommandInteraction) {
    let partial = c.data.autocomplete().map_or("", |a| a.value);
    let engine = ctx.engine();
    let response = CreateAutocompleteResponse::new().set_choices(choices(&engine, partial));
    ctx.delivery()
        .respond_raw(
            c.id,
            &c.token,
            CreateInteractionResponse::Autocomplete(response),
        )
        .await;
}

/// A pressed answer button.
pub async fn component(ctx: &Ctx, c: &ComponentInteraction) {
    let id = c.data.custom_id.as_str();
    let engine = ctx.engine();
    let here = ctx.here(c.guild_id).await;
    let region = here.region();
    let in_guild = c.guild_id.is_some();
    let private = c
        .message
        .flags
        .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL));
    // A "did you mean" answer replaces the question it answers when only the member can see
    // it; on a message others see, it comes as a new message instead.
    let replace = if private || !in_guild {
        Respond::Update
    } else {
        Respond::New {
            ephemeral: ctx.ephemeral(&here, None),
        }
    };
    let started = std::time::Instant::now();
    let (reply, how) = if let Some(entry) = id.strip_prefix(render::ID_PICK) {
        log_pick(ctx, &here, c, entry);
        (engine.entry_reply(entry, region), replace)
    } else if let Some(entry) = id.strip_prefix(render::ID_ENTRY) {
        let how = Respond::New {
            ephemeral: ctx.ephemeral(&here, None),
        };
        (engine.entry_reply(entry, region), how)
    } else if id == render::ID_NONE {
        (Some(engine.none_of_these(region)), replace)
    } else {
        return;
    };
    let rendered = match reply {
        Some(reply) => {
            ctx.answered(Via::Component, &reply, started);
            ctx.note(&reply, &here, c.user.id, None);
            ctx.render_in(&reply, &here)
        }
        None => gone(ctx),
    };
    ctx.delivery().respond(c.id, &c.token, rendered, how).await;
}

/// Logs a "did you mean" pick with the question it answered, if the server's log is on and
/// the question is still held (never in direct messages).
fn log_pick(ctx: &Ctx, here: &super::context::Here, c: &ComponentInteraction, entry: &str) {
    let (Some(storage), Some(guild)) = (ctx.storage(), here.guild_id()) else {
        return;
    };
    if !here.settings.unanswered_log {
        return;
    }
    if let Some(question) = ctx.community().take_question(guild, c.user.id) {
        storage.record(crate::storage::Record::Pick(crate::storage::Pick {
            guild_id: guild,
            question,
            entry_id: entry.to_string(),
            at: crate::storage::Timestamp::now(),
        }));
    }
}

/// What a button for an entry that a knowledge reload removed shows.
pub fn gone(ctx: &Ctx) -> Rendered {
    ctx.metrics().handled(crate::metrics::Handled::Gone);
    let texts = lang::texts(None);
    Rendered::embed(
        serenity::builder::CreateEmbed::new()
            .title(texts.gone_title)
            .description((texts.gone_body)(
                &ctx.mention(NAME),
                &ctx.mention("topics"),
            ))
            .colour(render::COLOUR_INFO),
    )
}
