//! "Ask a moderator to help": the button under an emergency reply in a server that set a
//! moderator channel. Pressing it is the member's consent: one notice goes to that channel
//! with the member's mention and the kind of emergency, pinging the moderator role — the one
//! deliberate ping medfaq makes. Nothing the member wrote is in it, and without a press
//! nothing about the member leaves the conversation.

use std::time::Duration;

use serenity::builder::{CreateAllowedMentions, CreateEmbed, CreateMessage};
use serenity::model::application::ComponentInteraction;
use serenity::model::id::{ChannelId, RoleId};

use super::community::ID_HELP;
use super::context::Ctx;
use super::delivery::Respond;
use super::render::{self, Rendered};
use crate::lang;

/// How long posting the notice may take before the member is told it failed: the member's
/// own answer must still reach Discord within its 3 seconds.
pub const POST_TIMEOUT: Duration = Duration::from_millis(1_500);

/// Returns true if and only if the component with `custom_id` is the moderator button.
pub fn owns(custom_id: &str) -> bool {
    custom_id.starts_with(ID_HELP)
}

/// The notice for the moderators: the role's mention (if any) to ping it, the member's
/// mention and the kinds of emergency. Only the role may be pinged: not the member, not
/// @everyone, not any other role or user.
pub fn notice(role: Option<u64>, member: u64, kinds: &str) -> CreateMessage {
    let texts = lang::texts(None);
    let named: Vec<&str> = kinds
        .split(',')
        .filter(|k| !k.is_empty())
        .map(texts.emergency_kind)
        .collect();
    let named = if named.is_empty() {
        (texts.emergency_kind)("").to_string()
    } else {
        named.join(" and ")
    };
    let ping = role.map_or(String::new(), |r| format!("<@&{r}> "));
    let allowed = CreateAllowedMentions::new()
        .roles(role.map(RoleId::new))
        .replied_user(false);
    CreateMessage::new()
        .content((texts.moderator_notice)(
            &ping,
            &format!("<@{member}>"),
            &named,
        ))
        .allowed_mentions(allowed)
}

/// A press of "Ask a moderator to help".
pub async fn component(ctx: &Ctx, c: &ComponentInteraction) {
    let Some(kinds) = c.data.custom_id.strip_prefix(ID_HELP) else {
        return;
    };
    let texts = lang::texts(None);
    let here = ctx.here(c.guild_id).await;
    let engine = ctx.engine();
    let emergency = engine.knowledge().region(here.region()).emergency.clone();
    let text = match (here.guild_id(), here.settings.moderator_channel_id) {
        (Some(guild), Some(channel)) => {
            if ctx.community().may_ask_moderators(guild, c.user.id) {
                let message = notice(here.settings.moderator_role_id, c.user.id.get(), kinds);
                let post = ctx.delivery().send(ChannelId::new(channel), message);
                match tokio::time::timeout(POST_TIMEOUT, post).await {
                    Ok(Ok(())) => {
                        tracing::info!(outcome = "moderators_asked", "moderator help requested");
                        (texts.moderator_sent)(&emergency)
                    }
                    Ok(Err(e)) => {
                        tracing::warn!("posting a help request to the moderators failed: {e}");
                        ctx.community().undo_moderator_request(guild, c.user.id);
                        (texts.moderator_failed)(&emergency)
                    }
                    Err(_) => {
                        tracing::warn!(
                            "posting a help request to the moderators took over {} ms",
                            POST_TIMEOUT.as_millis()
                        );
                        ctx.community().undo_moderator_request(guild, c.user.id);
                        (texts.moderator_failed)(&emergency)
                    }
                }
            } else {
                (texts.moderator_already)(&emergency)
            }
        }
        // The server turned moderator help off since the reply was sent.
        _ => (texts.moderator_failed)(&emergency),
    };
    let answer = Rendered::embed(
        CreateEmbed::new()
            .description(text)
            .colour(render::COLOUR_DANGER),
    );
    ctx.delivery()
        .respond(c.id, &c.token, answer, Respond::New { ephemeral: true })
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_pings_exactly_the_role() {
        let json = serde_json::to_value(notice(Some(77), 55, "overdose")).unwrap();
        assert_eq!(json["allowed_mentions"]["roles"], serde_json::json!(["77"]));
        assert_eq!(json["allowed_mentions"]["users"], serde_json::json!([]));
        assert_eq!(json["allowed_mentions"]["parse"], serde_json::json!([]));
        let content = json["content"].as_str().unwrap();
        assert!(content.starts_with("<@&77> <@55>"), "{content}");
        assert!(content.contains("overdose"), "{content}");
    }

    #[test]
    fn without_a_role_the_notice_pings_no_one() {
        let json = serde_json::to_value(notice(None, 55, "suicide")).unwrap();
        assert_eq!(json["allowed_mentions"]["roles"], serde_json::json!([]));
        assert!(!json["content"].as_str().unwrap().contains("<@&"));
    }
}
