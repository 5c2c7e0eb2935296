//! `/topics`: a menu of topics, then the chosen topic's entries, then the answer, each step
//! replacing the previous one.

use serenity::builder::{CreateCommand, CreateEmbed};
use serenity::model::application::{
    CommandInteraction, ComponentInteraction, ComponentInteractionDataKind,
};

use super::ask::gone;
use super::context::{Ctx, Via};
use super::delivery::Respond;
use super::render::{self, Rendered, MAX_OPTIONS, MAX_OPTION_TEXT};
use super::slash::{self, SlashCommand};
use crate::lang;
use crate::reply::truncate;
use crate::Engine;

/// The command's name.
pub const NAME: &str = "topics";

/// `/topics` in the command table.
pub const COMMAND: SlashCommand = SlashCommand {
    name: NAME,
    definition,
    run: |ctx, c| Box::pin(command(ctx, c)),
    autocomplete: None,
    components: &[
        render::ID_TOPICS,
        render::ID_TOPIC_ENTRY,
        render::ID_BROWSE,
        render::ID_BACK,
    ],
    component: Some(|ctx, c| Box::pin(component(ctx, c))),
};

/// `/topics`, as registered.
pub fn definition() -> CreateCommand {
    slash::definition(NAME, lang::texts(None).describe_topics)
}

/// The topics menu.
pub fn topics(engine: &Engine) -> Rendered {
    let texts = lang::texts(None);
    let topics = engine.knowledge().topics();
    let mut text = format!("{}\n", texts.topics_prompt);
    for (name, entries) in &topics {
        text.push_str(&format!(
            "\n**{name}** — {}",
            (texts.topic_size)(entries.len())
        ));
    }
    let options: Vec<(String, String, String)> = topics
        .iter()
        .map(|(name, entries)| {
            (
                name.clone(),
                truncate(name, MAX_OPTION_TEXT),
                (texts.topic_size)(entries.len()),
            )
        })
        .collect();
    Rendered::embed(
        CreateEmbed::new()
            .title(texts.topics_title)
            .description(truncate(&text, crate::reply::MAX_BODY))
            .colour(render::COLOUR_INFO),
    )
    .with_menu(render::menu(
        render::ID_TOPICS,
        texts.choose_topic,
        &options,
    ))
}

/// The entries of the topic whose menu value is `value`, or `None` if it no longer exists;
/// `ask` is how `/ask` is shown.
pub fn topic(engine: &Engine, value: &str, ask: &str) -> Option<Rendered> {
    let texts = lang::texts(None);
    let topics = engine.knowledge().topics();
    let (name, entries) = topics
        .iter()
        .find(|(name, _)| truncate(name, MAX_OPTION_TEXT) == value)?;
    let mut text = String::new();
    for e in entries.iter().take(MAX_OPTIONS) {
        text.push_str(&format!("• {}\n", e.title()));
    }
    if entries.len() > MAX_OPTIONS {
        text.push_str(&(texts.more_questions)(entries.len() - MAX_OPTIONS, ask));
    }
    let options: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| (e.title().to_string(), e.id.clone(), String::new()))
        .collect();
    Some(
        Rendered::embed(
            CreateEmbed::new()
                .title(truncate(name, crate::reply::MAX_TITLE))
                .description(truncate(&text, crate::reply::MAX_BODY))
                .colour(render::COLOUR_INFO),
        )
        .with_menu(render::menu(
            render::ID_TOPIC_ENTRY,
            texts.choose_question,
            &options,
        ))
        .with_buttons(vec![render::topics_button(
            render::ID_BACK,
            texts.back_to_topics,
        )]),
    )
}

/// `/topics`.
pub async fn command(ctx: &Ctx, c: &CommandInteraction) {
    let rendered = topics(&ctx.engine());
    let here = ctx.here(c.guild_id).await;
    let ephemeral = ctx.ephemeral(&here, None);
    ctx.delivery()
        .respond(c.id, &c.token, rendered, Respond::New { ephemeral })
        .await;
}

/// A choice in the topics menu or a topic's entries menu, or a "Browse topics" or "Back"
/// button.
pub async fn component(ctx: &Ctx, c: &ComponentInteraction) {
    let id = c.data.custom_id.as_str();
    let here = ctx.here(c.guild_id).await;
    if id == render::ID_BROWSE || id == render::ID_BACK {
        // "Back" replaces the topic's questions; "Browse topics" keeps the answer it sits
        // under and opens the menu as a new message.
        let how = if id == render::ID_BACK {
            Respond::Update
        } else {
            Respond::New {
                ephemeral: ctx.ephemeral(&here, None),
            }
        };
        ctx.delivery()
            .respond(c.id, &c.token, topics(&ctx.engine()), how)
            .await;
        return;
    }
    let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
        return;
    };
    let Some(value) = values.first() else {
        return;
    };
    let engine = ctx.engine();
    let started = std::time::Instant::now();
    let rendered = if c.data.custom_id == render::ID_TOPICS {
        topic(&engine, value, &ctx.mention(super::ask::NAME)).unwrap_or_else(|| topics(&engine))
    } else if c.data.custom_id == render::ID_TOPIC_ENTRY {
        match engine.entry_reply(value, here.region()) {
            Some(reply) => {
                ctx.answered(Via::Component, &reply, started);
                ctx.note(&reply, &here, c.user.id, None);
                ctx.render_in(&reply, &here)
            }
            None => gone(ctx),
        }
    } else {
        return;
    };
    ctx.delivery()
        .respond(c.id, &c.token, rendered, Respond::Update)
        .await;
}
