//! [`Reply`] → serenity builders: one embed (title; crisis notice, warning and answer in the
//! description; sources; disclaimer and review date in the footer; colour by severity) plus
//! buttons, as an interaction response, a message or an edit. Every builder made here disallows all mentions.

use serenity::builder::{
    CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateInteractionResponseMessage, CreateMessage, CreateSelectMenu, CreateSelectMenuKind,
    CreateSelectMenuOption, EditInteractionResponse,
};
use serenity::model::application::ButtonStyle;
use serenity::model::channel::MessageReference;
use serenity::model::Colour;

use crate::knowledge::Severity;
use crate::lang;
// Options in a select menu (and choices in autocomplete, the same 25), as the command
// modules name it.
pub use crate::limits::MAX_SELECT_OPTIONS as MAX_OPTIONS;
use crate::limits::{MAX_BODY, MAX_LABEL};
pub use crate::limits::{MAX_BUTTONS_PER_ROW, MAX_CUSTOM_ID, MAX_OPTION_TEXT};
use crate::reply::{truncate, Choice, Reply};
use crate::Outcome;

/// Prefix of every custom id medfaq puts on a component, so it never handles another app's.
pub const ID_PREFIX: &str = "medfaq:";
/// Button answering a related entry as a new message: `medfaq:entry:<id>`.
pub const ID_ENTRY: &str = "medfaq:entry:";
/// Button picking one "did you mean" choice: `medfaq:pick:<id>`.
pub const ID_PICK: &str = "medfaq:pick:";
/// Button for "none of these".
pub const ID_NONE: &str = "medfaq:none";
/// Select menu of topics.
pub const ID_TOPICS: &str = "medfaq:topics";
/// Button opening the topics menu as a new message ("Browse topics" under "I don't have an
/// answer").
pub const ID_BROWSE: &str = "medfaq:browse";
/// Button going back from a topic's questions to the topics menu, in place.
pub const ID_BACK: &str = "medfaq:back";
/// Select menu of one topic's entries.
pub const ID_TOPIC_ENTRY: &str = "medfaq:topic-entry";

/// Blue: general information.
pub const COLOUR_INFO: Colour = Colour::new(0x3B82F6);
/// Amber: act on it with care.
pub const COLOUR_CAUTION: Colour = Colour::new(0xF59E0B);
/// Red: risk of serious harm, and emergencies.
pub const COLOUR_DANGER: Colour = Colour::new(0xDC2626);

/// The embed colour for a severity.
pub fn colour(severity: Severity) -> Colour {
    match severity {
        Severity::Info => COLOUR_INFO,
        Severity::Caution => COLOUR_CAUTION,
        Severity::Danger => COLOUR_DANGER,
    }
}

/// The ids Discord gave medfaq's registered commands, to mention them as clickable commands
/// (`</topics:ID>`); empty until registration, and then plain `/topics` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Commands {
    ids: Vec<(String, u64)>,
}

impl Commands {
    /// Commands with the ids `(name, id)`.
    pub fn new(ids: Vec<(String, u64)>) -> Commands {
        Commands { ids }
    }

    /// The command `name` as members should see it: a clickable mention when its id is
    /// known, plain `/name` otherwise.
    pub fn mention(&self, name: &str) -> String {
        self.ids
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(|| format!("/{name}"), |(_, id)| format!("</{name}:{id}>"))
    }

    /// `text` with each `/name` of a known command (standing alone, not inside a path or a
    /// URL) replaced by its mention.
    pub fn link(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (name, _) in &self.ids {
            let plain = format!("/{name}");
            let mut linked = String::with_capacity(out.len());
            let mut rest = out.as_str();
            while let Some(i) = rest.find(&plain) {
                let before = rest[..i].chars().next_back();
                let after = rest[i + plain.len()..].chars().next();
                let alone = before.is_none_or(|c| c.is_whitespace() || "(*_`".contains(c))
                    && after.is_none_or(|c| !c.is_alphanumeric() && c != '/' && c != '-');
                linked.push_str(&rest[..i]);
                if alone {
                    linked.push_str(&self.mention(name));
                } else {
                    linked.push_str(&plain);
                }
                rest = &rest[i + plain.len()..];
            }
            linked.push_str(rest);
            out = linked;
        }
        out
    }
}

/// No pings at all: `{"parse":[],"users":[],"roles":[]}`, and no ping of the member replied to.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new().replied_user(false)
}

/// A reply ready to send anywhere: optional leading text, one embed and component rows.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Text above the embed.
    pub content: Option<String>,
    /// The embed.
    pub embed: CreateEmbed,
    /// Buttons and menus.
    pub components: Vec<CreateActionRow>,
}

impl Rendered {
    /// Renders an engine reply: related entries and "did you mean" choices become buttons.
    pub fn reply(reply: &Reply) -> Rendered {
        Rendered::reply_linked(reply, &Commands::default())
    }

    /// Like [`Rendered::reply`], with the slash commands named in the text made clickable
    /// where `commands` knows their ids.
    pub fn reply_linked(reply: &Reply, commands: &Commands) -> Rendered {
        let mut components = Vec::new();
        if reply.outcome == Outcome::Clarify && !reply.choices.is_empty() {
            let mut row: Vec<CreateButton> = choice_buttons(reply)
                .into_iter()
                .filter_map(|c| button(ID_PICK, &c.entry_id, &c.label, ButtonStyle::Primary))
                .collect();
            row.push(
                CreateButton::new(ID_NONE)
                    .label(lang::texts(None).none_of_these)
                    .style(ButtonStyle::Secondary),
            );
            components.push(CreateActionRow::Buttons(row));
        }
        if reply.outcome == Outcome::NoMatch {
            components.push(CreateActionRow::Buttons(vec![topics_button(
                ID_BROWSE,
                lang::texts(None).browse_topics,
            )]));
        }
        let related: Vec<CreateButton> = reply
            .related
            .iter()
            .filter_map(|c| button(ID_ENTRY, &c.entry_id, &c.label, ButtonStyle::Secondary))
            .collect();
        for chunk in related.chunks(MAX_BUTTONS_PER_ROW) {
            components.push(CreateActionRow::Buttons(chunk.to_vec()));
        }
        let embed = if reply.outcome == Outcome::Clarify && !reply.choices.is_empty() {
            clarify_embed(reply, commands)
        } else {
            embed_linked(reply, commands)
        };
        Rendered {
            content: None,
            embed,
            components,
        }
    }

    /// Just an embed, no buttons.
    pub fn embed(embed: CreateEmbed) -> Rendered {
        Rendered {
            content: None,
            embed,
            components: Vec::new(),
        }
    }

    /// Adds a row of buttons.
    pub fn with_buttons(mut self, buttons: Vec<CreateButton>) -> Rendered {
        self.components.push(CreateActionRow::Buttons(buttons));
        self
    }

    /// Adds a select menu row.
    pub fn with_menu(mut self, menu: CreateSelectMenu) -> Rendered {
        self.components.push(CreateActionRow::SelectMenu(menu));
        self
    }

    /// As the first response to an interaction; `ephemeral` shows it to the asker only.
    pub fn interaction(self, ephemeral: bool) -> CreateInteractionResponseMessage {
        let mut m = CreateInteractionResponseMessage::new()
            .embed(self.embed)
            .components(self.components)
            .allowed_mentions(no_mentions())
            .ephemeral(ephemeral);
        if let Some(c) = self.content {
            m = m.content(c);
        }
        m
    }

    /// As a replacement of the message a component sits on (content and old menus cleared).
    pub fn update(self) -> CreateInteractionResponseMessage {
        CreateInteractionResponseMessage::new()
            .content(self.content.unwrap_or_default())
            .embed(self.embed)
            .components(self.components)
            .allowed_mentions(no_mentions())
    }

    /// As a message, optionally a reply to `reply_to` (which is not pinged).
    pub fn message(self, reply_to: Option<MessageReference>) -> CreateMessage {
        let mut m = CreateMessage::new()
            .embed(self.embed)
            .components(self.components)
            .allowed_mentions(no_mentions());
        if let Some(c) = self.content {
            m = m.content(c);
        }
        if let Some(r) = reply_to {
            m = m.reference_message(r);
        }
        m
    }

    /// As an edit of an interaction's first response.
    pub fn edit(self) -> EditInteractionResponse {
        EditInteractionResponse::new()
            .content(self.content.unwrap_or_default())
            .embed(self.embed)
            .components(self.components)
            .allowed_mentions(no_mentions())
    }
}

/// The "did you mean" choices that get a button: one row, leaving room for "None of these",
/// and only those whose custom id fits.
fn choice_buttons(reply: &Reply) -> Vec<&Choice> {
    reply
        .choices
        .iter()
        .filter(|c| format!("{ID_PICK}{}", c.entry_id).chars().count() <= MAX_CUSTOM_ID)
        .take(MAX_BUTTONS_PER_ROW - 1)
        .collect()
}

/// The embed of a "did you mean" reply: the choices are buttons, so the description only
/// asks to pick one (listing a choice only when it has no button) instead of naming each
/// choice twice.
fn clarify_embed(reply: &Reply, commands: &Commands) -> CreateEmbed {
    let texts = lang::texts(None);
    let buttons = choice_buttons(reply);
    let mut text = format!("{}\n", texts.clarify_prompt);
    for c in reply.choices.iter().filter(|c| !buttons.contains(c)) {
        text.push_str(&format!("\n• {}", c.label));
    }
    text.push_str(&format!("\n\n{}", texts.clarify_fallback));
    let bodyless = Reply {
        body: text,
        ..reply.clone()
    };
    embed_linked(&bodyless, commands)
}

/// A button with custom id `id` ([`ID_BROWSE`] or [`ID_BACK`]) that opens the topics menu.
pub fn topics_button(id: &str, label: &str) -> CreateButton {
    CreateButton::new(id)
        .label(truncate(label, MAX_LABEL))
        .style(ButtonStyle::Secondary)
}

/// A button whose custom id is `prefix` + `entry_id`, or `None` when that would exceed
/// Discord's limit (such an entry is still reachable through `/ask` and `/topics`).
fn button(prefix: &str, entry_id: &str, label: &str, style: ButtonStyle) -> Option<CreateButton> {
    let id = format!("{prefix}{entry_id}");
    (id.chars().count() <= MAX_CUSTOM_ID).then(|| {
        CreateButton::new(id)
            .label(truncate(label, MAX_LABEL))
            .style(style)
    })
}

/// The text that leads a reply's description, before its body: the crisis notice (when the
/// question touched a crisis topic), then the warning, so that on a phone the first screen
/// is the title, the warning and the start of the answer. Empty when there is neither.
pub fn lead(reply: &Reply) -> String {
    let texts = lang::texts(None);
    let mut lead = String::new();
    if let Some(notice) = &reply.notice {
        lead.push_str(&format!("**☎ {notice}**\n\n"));
    }
    if let Some(warning) = &reply.warning {
        let label = match reply.severity {
            Severity::Danger => texts.warning_danger,
            Severity::Caution | Severity::Info => texts.warning_caution,
        };
        lead.push_str(&format!("**{label}:** {warning}\n\n"));
    }
    lead
}

/// The embed for a reply: the description is the [`lead`] (notice, warning), then the body;
/// sources follow as a field, which Discord draws below the description.
pub fn embed(reply: &Reply) -> CreateEmbed {
    embed_linked(reply, &Commands::default())
}

/// Like [`embed`], with the slash commands named in the description made clickable where
/// `commands` knows their ids.
pub fn embed_linked(reply: &Reply, commands: &Commands) -> CreateEmbed {
    // `Reply::fit` leaves room for the lead; the cut only guards against a reply built by
    // hand, and falls on the body's end, never on the warning. A mention is longer than the
    // plain name it replaces, so it is put in before the cut.
    let description = truncate(
        &commands.link(&format!("{}{}", lead(reply), reply.body)),
        MAX_BODY,
    );
    let mut e = CreateEmbed::new()
        .title(&reply.title)
        .description(description)
        .colour(colour(reply.severity))
        .footer(CreateEmbedFooter::new(reply.footer()));
    let sources = reply.sources_markdown();
    if !sources.is_empty() {
        e = e.field(lang::texts(None).sources_heading, sources, false);
    }
    e
}

/// A select menu of `(label, value, description)` options, cut to Discord's limits; options
/// whose value would be cut are left out rather than sent broken.
pub fn menu(
    custom_id: &str,
    placeholder: &str,
    options: &[(String, String, String)],
) -> CreateSelectMenu {
    let options = options
        .iter()
        .filter(|(_, value, _)| value.chars().count() <= MAX_OPTION_TEXT)
        .take(MAX_OPTIONS)
        .map(|(label, value, description)| {
            let mut o = CreateSelectMenuOption::new(truncate(label, MAX_OPTION_TEXT), value);
            if !description.is_empty() {
                o = o.description(truncate(description, MAX_OPTION_TEXT));
            }
            o
        })
        .collect();
    CreateSelectMenu::new(custom_id, CreateSelectMenuKind::String { options })
        .placeholder(truncate(placeholder, MAX_OPTION_TEXT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(text: &str, expected: &str) {
        let commands = Commands::new(vec![("topics".into(), 7), ("ask".into(), 9)]);
        assert_eq!(commands.link(text), expected);
    }

    #[test]
    fn known_commands_become_mentions_only_where_they_stand_alone() {
        case("browse /topics.", "browse </topics:7>.");
        case("/ask or /topics", "</ask:9> or </topics:7>");
        case("see https://x.org/topics/a", "see https://x.org/topics/a");
        case("/topicsfoo and /emergency", "/topicsfoo and /emergency");
        assert_eq!(Commands::default().link("browse /topics"), "browse /topics");
        assert_eq!(Commands::default().mention("topics"), "/topics");
    }
}
