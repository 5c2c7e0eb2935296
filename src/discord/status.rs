//! `/medfaq-status`, for moderators (Manage Server): the knowledge being served (version,
//! entries, when it was loaded, the last reload error), the shards this process runs, and
//! uptime. Shown only to the moderator who asked.

use std::time::{SystemTime, UNIX_EPOCH};

use serenity::builder::{CreateCommand, CreateEmbed};
use serenity::model::application::{CommandInteraction, InteractionContext};
use serenity::model::Permissions;

use super::context::Ctx;
use super::delivery::Respond;
use super::render::{self, Rendered};
use super::slash::{self, SlashCommand};
use crate::lang;
use crate::metrics::Status;
use crate::reply::{truncate, MAX_FIELD};

/// The command's name.
pub const NAME: &str = "medfaq-status";

/// Who sees the command in a server's command list by default: server managers. A server's
/// admins may change that in Server Settings → Integrations.
pub const PERMISSIONS: Permissions = Permissions::MANAGE_GUILD;

/// `/medfaq-status` in the command table.
pub const COMMAND: SlashCommand = SlashCommand {
    name: NAME,
    definition,
    run: |ctx, c| Box::pin(status(ctx, c)),
    autocomplete: None,
    components: &[],
    component: None,
};

/// `/medfaq-status`, as registered: in servers only (default permissions do not apply in
/// DMs), for members with [`PERMISSIONS`].
pub fn definition() -> CreateCommand {
    slash::definition(NAME, lang::texts(None).describe_status)
        .contexts(vec![InteractionContext::Guild])
        .default_member_permissions(PERMISSIONS)
}

/// Seconds since the Unix epoch, for Discord's `<t:…>` timestamps.
fn unix(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A time as Discord shows it to each reader, in their time zone: date and time, then how
/// long ago.
fn when(at: SystemTime) -> String {
    let t = unix(at);
    format!("<t:{t}:f> (<t:{t}:R>)")
}

/// Shard ids as a short list: `0–3` for a run, else `0, 2, 5`.
fn shard_list(ids: &[u32]) -> String {
    match (ids.first(), ids.last()) {
        (Some(first), Some(last)) if ids.len() > 2 && (last - first) as usize + 1 == ids.len() => {
            format!("{first}–{last}")
        }
        _ => ids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The status card.
pub fn card(status: &Status) -> Rendered {
    let texts = lang::texts(None);
    let (version, entries, loaded) = match &status.knowledge {
        Some(k) => (
            format!("`{}`", k.version),
            k.entries.to_string(),
            when(k.loaded_at),
        ),
        None => (
            texts.not_recorded.to_string(),
            texts.not_recorded.to_string(),
            texts.not_recorded.to_string(),
        ),
    };
    let reload_error = match &status.reload_error {
        Some(e) => truncate(
            &format!("{}\n```\n{}\n```", when(e.at), e.why.replace("```", "'''")),
            MAX_FIELD,
        ),
        None => texts.status_no_reload_error.to_string(),
    };
    let shards = (texts.status_shards_value)(
        &shard_list(&status.shards_run),
        status.shard_total,
        status.shards_ready.len(),
    );
    let embed = CreateEmbed::new()
        .title(texts.status_title)
        .colour(if status.reload_error.is_some() {
            render::COLOUR_CAUTION
        } else {
            render::COLOUR_INFO
        })
        .field(texts.status_version, version, true)
        .field(texts.status_entries, entries, true)
        .field(texts.status_loaded, loaded, false)
        .field(texts.status_reload_error, reload_error, false)
        .field(texts.status_shards, shards, true)
        .field(
            texts.status_uptime,
            format!(
                "{}, since <t:{}:f>",
                (texts.status_uptime_value)(status.uptime.as_secs()),
                unix(status.started_at)
            ),
            true,
        );
    Rendered::embed(embed)
}

/// `/medfaq-status`: always shown to the asker only.
pub async fn status(ctx: &Ctx, c: &CommandInteraction) {
    let rendered = card(&ctx.metrics().status());
    tracing::info!(via = "slash", outcome = "status", "status shown");
    ctx.delivery()
        .respond(c.id, &c.token, rendered, Respond::New { ephemeral: true })
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(ids: &[u32], expected: &str) {
        assert_eq!(shard_list(ids), expected);
    }

    #[test]
    fn shard_lists_are_short() {
        case(&[], "");
        case(&[0], "0");
        case(&[0, 1], "0, 1");
        case(&[0, 1, 2, 3], "0–3");
        case(&[0, 2, 5], "0, 2, 5");
    }

    #[test]
    fn the_definition_is_for_server_managers_in_servers_only() {
        let json = serde_json::to_value(definition()).expect("a definition is JSON");
        assert_eq!(json["name"], NAME);
        assert_eq!(
            json["default_member_permissions"],
            Permissions::MANAGE_GUILD.bits().to_string()
        );
        assert_eq!(json["contexts"], serde_json::json!([0]));
    }
}
