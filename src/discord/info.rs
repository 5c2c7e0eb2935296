//! `/about` and `/emergency`, and the short introduction a greeting gets.

use serenity::builder::{CreateEmbed, CreateEmbedFooter};
use serenity::model::application::CommandInteraction;

use super::bot::{Bot, Respond};
use super::outbound::Outbound;
use super::render::{self, Rendered};
use crate::reply::{truncate, MAX_BODY, MAX_FIELD};
use crate::Engine;

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

/// The introduction a greeting or an empty mention gets.
pub fn intro(engine: &Engine) -> Rendered {
    let kb = engine.knowledge();
    let topics: Vec<String> = kb.topics().into_iter().map(|(t, _)| t).collect();
    let mut text = format!(
        "Hi, I'm medfaq. I answer questions about medication safety — {} — from curated \
         entries that cite their sources. Ask in your own words, for example:\n",
        topics.join(", ")
    );
    for choice in engine.suggest("", 3).choices {
        text.push_str(&format!("\n• {}", choice.label));
    }
    text.push_str(
        "\n\nBrowse everything with /topics; /emergency lists crisis and emergency lines. \
         I don't store your messages.",
    );
    Rendered::embed(
        CreateEmbed::new()
            .title("Hi! Ask me about your medicines")
            .description(truncate(&text, MAX_BODY))
            .colour(render::COLOUR_INFO)
            .footer(CreateEmbedFooter::new(kb.safety.disclaimer.clone())),
    )
}

/// `/about`.
pub async fn about<O: Outbound>(bot: &Bot<O>, c: &CommandInteraction) {
    let rendered = about_card(&bot.engine(), bot.settings().region.as_deref());
    let ephemeral = bot.ephemeral(c.guild_id.is_some(), None);
    bot.respond(c.id, &c.token, rendered, Respond::New { ephemeral })
        .await;
}

/// `/emergency`: the region's emergency, crisis, poison and treatment lines.
pub async fn emergency<O: Outbound>(bot: &Bot<O>, c: &CommandInteraction) {
    let engine = bot.engine();
    let reply = engine.help_lines(bot.settings().region.as_deref());
    let ephemeral = bot.ephemeral(c.guild_id.is_some(), None);
    tracing::info!(
        via = "slash",
        outcome = "help_lines",
        "emergency lines shown"
    );
    bot.respond(
        c.id,
        &c.token,
        Rendered::reply(&reply),
        Respond::New { ephemeral },
    )
    .await;
}
