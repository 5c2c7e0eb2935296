//! Discord payloads as Discord sends them (the fields serenity 0.12.5 needs), for the
//! stand-in's gateway and for handler tests that deserialise them directly.

use serde_json::{json, Value};

use super::{APP_ID, BOT_ID};

/// Where an event happens.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    /// A server channel.
    Guild {
        /// The server.
        guild: u64,
        /// The channel.
        channel: u64,
    },
    /// A DM between the member and the bot.
    Dm {
        /// The DM channel.
        channel: u64,
    },
}

impl Place {
    /// The channel id.
    pub fn channel(self) -> u64 {
        match self {
            Place::Guild { channel, .. } | Place::Dm { channel } => channel,
        }
    }
}

/// A user object.
pub fn user(id: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": null,
        "public_flags": 0
    })
}

/// The bot's own user.
pub fn bot_user() -> Value {
    let mut u = user(BOT_ID, "medfaq");
    u["bot"] = json!(true);
    u
}

fn member(user_id: u64) -> Value {
    json!({
        "user": user(user_id, "member"),
        "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "permissions": "0",
        "nick": null,
        "avatar": null
    })
}

/// The fields every interaction carries.
fn interaction(id: u64, kind: u8, user_id: u64, place: Place, data: Value) -> Value {
    let mut i = json!({
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "data": data,
        "channel_id": place.channel().to_string(),
        "token": format!("interaction-token-{id}"),
        "version": 1,
        "app_permissions": "0",
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 8_388_608,
    });
    match place {
        Place::Guild { guild, .. } => {
            i["guild_id"] = json!(guild.to_string());
            i["guild_locale"] = json!("en-US");
            i["member"] = member(user_id);
            i["context"] = json!(0);
            i["authorizing_integration_owners"] = json!({"0": guild.to_string()});
        }
        Place::Dm { .. } => {
            i["user"] = user(user_id, "member");
            i["context"] = json!(1);
            i["authorizing_integration_owners"] = json!({"0": "0"});
        }
    }
    i
}

/// `/ask question:<question> [public:<public>]`.
pub fn ask(id: u64, user_id: u64, place: Place, question: &str, public: Option<bool>) -> Value {
    let mut options = vec![json!({"name": "question", "type": 3, "value": question})];
    if let Some(p) = public {
        options.push(json!({"name": "public", "type": 5, "value": p}));
    }
    command(id, user_id, place, "ask", options)
}

/// Any slash command.
pub fn command(id: u64, user_id: u64, place: Place, name: &str, options: Vec<Value>) -> Value {
    interaction(
        id,
        2,
        user_id,
        place,
        json!({"id": "800000000000000001", "name": name, "type": 1, "options": options}),
    )
}

/// Autocomplete on `/ask question` with `partial` typed so far.
pub fn autocomplete(id: u64, user_id: u64, place: Place, partial: &str) -> Value {
    interaction(
        id,
        4,
        user_id,
        place,
        json!({"id": "800000000000000001", "name": "ask", "type": 1, "options": [
            {"name": "question", "type": 3, "value": partial, "focused": true}
        ]}),
    )
}

/// A button press on a bot message with `flags` (64 = ephemeral).
pub fn button(id: u64, user_id: u64, place: Place, custom_id: &str, flags: u64) -> Value {
    interaction(
        id,
        3,
        user_id,
        place,
        json!({"custom_id": custom_id, "component_type": 2}),
    )
    .with_message(bot_message(id + 1, place, flags))
}

/// A string select choice on a bot message.
pub fn select(
    id: u64,
    user_id: u64,
    place: Place,
    custom_id: &str,
    value: &str,
    flags: u64,
) -> Value {
    interaction(
        id,
        3,
        user_id,
        place,
        json!({"custom_id": custom_id, "component_type": 3, "values": [value]}),
    )
    .with_message(bot_message(id + 1, place, flags))
}

trait WithMessage {
    fn with_message(self, message: Value) -> Value;
}

impl WithMessage for Value {
    fn with_message(mut self, message: Value) -> Value {
        self["message"] = message;
        self
    }
}

/// A message object with the required fields.
fn message_object(id: u64, channel: u64, author: Value, content: &str, flags: u64) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": channel.to_string(),
        "author": author,
        "content": content,
        "timestamp": "2025-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
        "flags": flags
    })
}

fn bot_message(id: u64, place: Place, flags: u64) -> Value {
    message_object(id, place.channel(), bot_user(), "", flags)
}

/// What a REST call that creates or edits a message returns: the message, echoing `body`.
pub fn sent_message(id: u64, channel: u64, body: &Value) -> Value {
    let mut m = message_object(
        id,
        channel,
        bot_user(),
        body["content"].as_str().unwrap_or_default(),
        body["flags"].as_u64().unwrap_or(0),
    );
    if let Some(embeds) = body.get("embeds") {
        m["embeds"] = embeds.clone();
    }
    m
}

/// `MESSAGE_CREATE` from a member; `mentions_bot` adds the bot to `mentions`.
pub fn message_create(
    id: u64,
    user_id: u64,
    place: Place,
    content: &str,
    mentions_bot: bool,
) -> Value {
    let mut m = message_object(id, place.channel(), user(user_id, "member"), content, 0);
    if mentions_bot {
        m["mentions"] = json!([bot_user()]);
    }
    if let Place::Guild { guild, .. } = place {
        m["guild_id"] = json!(guild.to_string());
        let mut mem = member(user_id);
        mem.as_object_mut().unwrap().remove("user");
        m["member"] = mem;
    }
    m
}

/// `/settings <subcommand>` with the subcommand's `options` (name, type, value).
pub fn settings(id: u64, user_id: u64, place: Place, sub: &str, options: Vec<Value>) -> Value {
    command(
        id,
        user_id,
        place,
        "settings",
        vec![json!({"name": sub, "type": 1, "options": options})],
    )
}

/// A submitted modal (`type 5`) with one text input per `(custom_id, value)`.
pub fn modal_submit(
    id: u64,
    user_id: u64,
    place: Place,
    custom_id: &str,
    fields: &[(&str, &str)],
) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(field, value)| {
            json!({"type": 1, "components": [
                {"type": 4, "custom_id": field, "value": value}
            ]})
        })
        .collect();
    interaction(
        id,
        5,
        user_id,
        place,
        json!({"custom_id": custom_id, "components": rows}),
    )
}

/// A submitted modal opened from a button on the bot's message `message`.
pub fn modal_submit_on(
    id: u64,
    user_id: u64,
    place: Place,
    message: u64,
    custom_id: &str,
    fields: &[(&str, &str)],
) -> Value {
    modal_submit(id, user_id, place, custom_id, fields)
        .with_message(bot_message(message, place, 64))
}

/// `GUILD_DELETE`: the bot was removed from `guild` (`unavailable: false`) or the server is
/// in an outage (`unavailable: true`).
pub fn guild_delete(guild: u64, unavailable: bool) -> Value {
    json!({"id": guild.to_string(), "unavailable": unavailable})
}
