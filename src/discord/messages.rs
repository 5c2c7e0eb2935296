//! Messages: any direct message is a question; in a server, a message that mentions the bot
//! is answered as a reply, using only the text after the mention. A greeting gets a short
//! introduction.

use serenity::builder::{CreateEmbed, CreateEmbedFooter};
use serenity::model::channel::{Message, MessageReference};
use serenity::model::id::UserId;

use super::context::{Ctx, RateLimited, Via};
use super::render::{self, Rendered};
use crate::lang;
use crate::reply::{truncate, MAX_BODY};
use crate::Engine;

/// The question in a server message that mentions `me`: the text after the first mention of
/// the bot, with any other mention of the bot removed. A message that mentions the bot
/// without the mention in its text (a reply with the ping on) is taken whole.
pub fn question_after_mention(content: &str, me: UserId) -> String {
    let tags = [format!("<@{me}>"), format!("<@!{me}>")];
    let first = tags
        .iter()
        .filter_map(|t| content.find(t.as_str()).map(|i| (i, t.len())))
        .min();
    let mut rest = match first {
        Some((i, len)) => content[i + len..].to_string(),
        None => content.to_string(),
    };
    for t in &tags {
        rest = rest.replace(t.as_str(), " ");
    }
    rest.trim()
        .trim_start_matches([',', ':'])
        .trim()
        .to_string()
}

/// How many example questions the introduction shows.
pub const EXAMPLES: usize = 3;

/// Example questions for the introduction: the first entry of each topic, so the examples
/// show the range of what medfaq covers rather than one topic's first three entries.
pub fn examples(engine: &Engine) -> Vec<String> {
    engine
        .knowledge()
        .topics()
        .into_iter()
        .filter_map(|(_, entries)| entries.first().map(|e| e.title().to_string()))
        .take(EXAMPLES)
        .collect()
}

/// The introduction a greeting or an empty mention gets; `commands` makes the commands it
/// names clickable.
pub fn intro(engine: &Engine, commands: &render::Commands) -> Rendered {
    let texts = lang::texts(None);
    let kb = engine.knowledge();
    let topics: Vec<String> = kb.topics().into_iter().map(|(t, _)| t).collect();
    let mut text = (texts.intro_lead)(&topics.join(", "));
    for title in examples(engine) {
        text.push_str(&format!("\n• {title}"));
    }
    text.push_str(&(texts.intro_tail)(
        &commands.mention("topics"),
        &commands.mention("emergency"),
    ));
    Rendered::embed(
        CreateEmbed::new()
            .title(texts.intro_title)
            .description(truncate(&text, MAX_BODY))
            .colour(render::COLOUR_INFO)
            .footer(CreateEmbedFooter::new(kb.safety.disclaimer.clone())),
    )
}

/// Handles one message.
pub async fn message(ctx: &Ctx, m: &Message) {
    if m.author.bot {
        return;
    }
    let (text, via) = if m.guild_id.is_none() {
        (m.content.trim().to_string(), Via::Dm)
    } else {
        let Some(me) = ctx.user() else {
            return;
        };
        if !m.mentions.iter().any(|u| u.id == me) {
            return;
        }
        (question_after_mention(&m.content, me), Via::Mention)
    };
    // Read only for messages meant for the bot: a server's other messages cost nothing.
    let here = ctx.here(m.guild_id).await;
    if via == Via::Mention && !here.settings.answer_mentions {
        return;
    }
    let engine = ctx.engine();
    let rendered = if text.is_empty() || engine.is_greeting(&text) {
        tracing::info!(via = via.as_str(), outcome = "intro", "greeting answered");
        ctx.metrics().handled(crate::metrics::Handled::Intro);
        intro(&engine, &ctx.commands())
    } else {
        match ctx.ask(&engine, m.author.id, &text, via, &here) {
            Ok(reply) => ctx.render_in(&reply, &here),
            Err(RateLimited) => ctx.slow_down(&engine, &here),
        }
    };
    let reference = (via == Via::Mention).then(|| MessageReference::from(m));
    if let Err(e) = ctx
        .delivery()
        .send(m.channel_id, rendered.message(reference))
        .await
    {
        tracing::warn!(via = via.as_str(), "message reply failed: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(content: &str, expected: &str) {
        assert_eq!(question_after_mention(content, UserId::new(42)), expected);
    }

    #[test]
    fn only_the_text_after_the_mention_is_the_question() {
        case(
            "<@42> can i drink on naltrexone?",
            "can i drink on naltrexone?",
        );
        case("hey <@!42>, is it safe", "is it safe");
        case("<@42>", "");
        case("<@42> x <@42> y", "x   y");
        case("replying with ping on", "replying with ping on");
        case("<@7> and <@42> what about codeine", "what about codeine");
    }
}
