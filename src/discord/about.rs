//! `/about`: what medfaq is and is not, where its answers come from, and what it keeps.

use serenity::builder::{CreateCommand, CreateEmbed, CreateEmbedFooter};
use serenity::model::application::CommandInteraction;

use super::context::Ctx;
use super::delivery::Respond;
use super::render::{self, Rendered};
use super::slash::{self, SlashCommand};
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
    slash::definition(
        NAME,
        "What medfaq is and is not, where its answers come from, and what it keeps (nothing)",
    )
}

/// What medfaq is and is not, where its content comes from, and what it does with messages.
pub fn about_card(engine: &Engine, region: Option<&str>) -> Rendered {
    let kb = engine.knowledge();
    let topics: Vec<String> = kb.topics().into_iter().map(|(t, _)| t).collect();
    let entries = kb.enabled().count();
    let emergency = &kb.region(region).emergency;
    let reviewed = kb.last_reviewed().unwrap_or("not recorded");
    let text = format!(
        "**What it is:** a bot that answers common questions about medication safety ({topics}) \
         from a curated knowledge base. Every answer is written and reviewed by people and \
         links its sources.\n\n\
         **What it is not:** a doctor, a pharmacist or a crisis service. It does not know your \
         situation, and it never tells you to start, stop or change a medicine: ask your \
         prescriber or pharmacist. In an emergency, call {emergency}.\n\n\
         **Content:** {entries} entries in {n_topics} topics, citing {n_sources} sources; last \
         reviewed {reviewed}.\n\n\
         **Your messages:** medfaq reads a question only to answer it and stores nothing. Its \
         logs record the kind of answer and which entry was shown — never your words or who \
         you are.",
        topics = topics.join(", "),
        n_topics = topics.len(),
        n_sources = kb.sources.len(),
    );
    let mut sources = String::new();
    for s in kb.sources.values() {
        let line = format!("[{}]({})\n", s.title.replace(['[', ']'], ""), s.url);
        if sources.chars().count() + line.chars().count() > MAX_FIELD {
            break;
        }
        sources.push_str(&line);
    }
    let mut embed = CreateEmbed::new()
        .title("About medfaq")
        .description(truncate(&text, MAX_BODY))
        .colour(render::COLOUR_INFO)
        .footer(CreateEmbedFooter::new(kb.safety.disclaimer.clone()));
    if !sources.is_empty() {
        embed = embed.field("Where the answers come from", sources.trim_end(), false);
    }
    Rendered::embed(embed)
}

/// `/about`.
pub async fn about(ctx: &Ctx, c: &CommandInteraction) {
    let rendered = about_card(&ctx.engine(), ctx.settings().region.as_deref());
    let ephemeral = ctx.ephemeral(c.guild_id.is_some(), None);
    ctx.delivery()
        .respond(c.id, &c.token, rendered, Respond::New { ephemeral })
        .await;
}
