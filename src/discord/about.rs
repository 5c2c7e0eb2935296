//! `/about`: what medfaq is and is not, where its answers come from, and what it keeps.

use serenity::builder::{CreateCommand, CreateEmbed, CreateEmbedFooter};
use serenity::model::application::CommandInteraction;

use super::context::Ctx;
use super::delivery::Respond;
use super::render::{self, Rendered};
use super::slash::{self, SlashCommand};
use crate::lang;
use crate::reply::{truncate, MAX_BODY, MAX_FIELD};
use crate::Engine;

/// The command's name.
pub const NAME: &str = "about";

/// `/about` in the command table.
pub const COMMAND: SlashCommand = SlashCommand {
    name: NAME,
    definition,
    run: |ctx, c| Box::pin(about(ctx, c)),
    autocomplete: None,
    components: &[],
    component: None,
};

/// `/about`, as registered.
pub fn definition() -> CreateCommand {
    slash::definition(NAME, lang::texts(None).describe_about)
}

/// What medfaq is and is not, where its content comes from, and what it does with messages.
pub fn about_card(engine: &Engine, region: Option<&str>) -> Rendered {
    let kb = engine.knowledge();
    let topics: Vec<String> = kb.topics().into_iter().map(|(t, _)| t).collect();
    let entries = kb.enabled().count();
    let emergency = &kb.region(region).emergency;
    let texts = lang::texts(None);
    let reviewed = kb.last_reviewed().unwrap_or(texts.not_recorded);
    let oldest_reviewed = kb.oldest_reviewed().unwrap_or(texts.not_recorded);
    let text = (texts.about_body)(&lang::About {
        topics: &topics.join(", "),
        n_topics: topics.len(),
        entries,
        sources: kb.sources.len(),
        reviewed,
        oldest_reviewed,
        emergency,
    });
    let mut sources = String::new();
    for s in kb.sources.values() {
        let line = format!("[{}]({})\n", s.title.replace(['[', ']'], ""), s.url);
        if sources.chars().count() + line.chars().count() > MAX_FIELD {
            break;
        }
        sources.push_str(&line);
    }
    let mut embed = CreateEmbed::new()
        .title(texts.about_title)
        .description(truncate(&text, MAX_BODY))
        .colour(render::COLOUR_INFO)
        .footer(CreateEmbedFooter::new(kb.safety.disclaimer.clone()));
    if !sources.is_empty() {
        embed = embed.field(texts.about_sources, sources.trim_end(), false);
    }
    Rendered::embed(embed)
}

/// `/about`.
pub async fn about(ctx: &Ctx, c: &CommandInteraction) {
    let here = ctx.here(c.guild_id).await;
    let rendered = about_card(&ctx.engine(), here.region());
    let ephemeral = ctx.ephemeral(&here, None);
    ctx.delivery()
        .respond(c.id, &c.token, rendered, Respond::New { ephemeral })
        .await;
}
