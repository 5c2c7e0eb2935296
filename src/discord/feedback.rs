//! Feedback on replies: "Helpful" and "Not helpful" under answers, and "Report a problem"
//! (a form with a short optional comment) under answers and under "I don't have an answer".
//! Each press is stored with the entry, the outcome, the region, the server and the time —
//! never who pressed.

use serenity::builder::{
    CreateActionRow, CreateEmbed, CreateInputText, CreateInteractionResponse, CreateModal,
};
use serenity::model::application::{
    ActionRowComponent, ComponentInteraction, InputTextStyle, ModalInteraction,
};

use super::community::{
    Said, ID_FEEDBACK, ID_HELPFUL, ID_NOT_HELPFUL, ID_REPORT, ID_REPORT_COMMENT, ID_REPORT_FORM,
};
use super::context::{Ctx, Here};
use super::delivery::Respond;
use super::render::{self, Rendered};
use crate::lang;
use crate::storage::{Feedback, FeedbackOutcome, Timestamp, MAX_COMMENT_CHARS};

/// Returns true if and only if the component with `custom_id` is a feedback button.
pub fn owns(custom_id: &str) -> bool {
    custom_id.starts_with(ID_FEEDBACK)
}

/// A pressed feedback button: records "Helpful" or "Not helpful" and thanks the member
/// privately, or opens the report form.
pub async fn component(ctx: &Ctx, c: &ComponentInteraction) {
    let id = c.data.custom_id.as_str();
    if let Some(entry) = id.strip_prefix(ID_REPORT) {
        let form = report_form(entry);
        ctx.delivery()
            .respond_raw(c.id, &c.token, CreateInteractionResponse::Modal(form))
            .await;
        return;
    }
    let (outcome, entry) = if let Some(entry) = id.strip_prefix(ID_HELPFUL) {
        (FeedbackOutcome::Helpful, entry)
    } else if let Some(entry) = id.strip_prefix(ID_NOT_HELPFUL) {
        (FeedbackOutcome::NotHelpful, entry)
    } else {
        return;
    };
    // A member pressing again on the same message is thanked again but counted once.
    if ctx
        .community()
        .first_feedback(c.message.id.get(), c.user.id, Said::Vote)
    {
        let here = ctx.here(c.guild_id).await;
        record(ctx, &here, entry, outcome);
    }
    thank(ctx, c.id, &c.token, lang::texts(None).feedback_thanks).await;
}

/// A submitted report form: records the report with its comment and thanks the member.
pub async fn modal(ctx: &Ctx, m: &ModalInteraction) {
    let Some(entry) = m.data.custom_id.strip_prefix(ID_REPORT_FORM) else {
        return;
    };
    let comment = m
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == ID_REPORT_COMMENT => t.value.clone(),
            _ => None,
        })
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    // One report per member per message counts (a form sent twice is one report). Discord
    // names the message for a form opened from a button, which is how medfaq opens it.
    let first = m.message.as_ref().is_none_or(|msg| {
        ctx.community()
            .first_feedback(msg.id.get(), m.user.id, Said::Report)
    });
    if first {
        let here = ctx.here(m.guild_id).await;
        record(ctx, &here, entry, FeedbackOutcome::Report { comment });
    }
    thank(ctx, m.id, &m.token, lang::texts(None).report_thanks).await;
}

/// The report form for `entry` (empty: the "I don't have an answer" reply).
pub fn report_form(entry: &str) -> CreateModal {
    let texts = lang::texts(None);
    let comment = CreateInputText::new(
        InputTextStyle::Paragraph,
        texts.report_label,
        ID_REPORT_COMMENT,
    )
    .placeholder(texts.report_placeholder)
    .required(false)
    .max_length(MAX_COMMENT_CHARS as u16);
    CreateModal::new(format!("{ID_REPORT_FORM}{entry}"), texts.report_title)
        .components(vec![CreateActionRow::InputText(comment)])
}

/// Queues one feedback record (nothing without storage).
fn record(ctx: &Ctx, here: &Here, entry: &str, outcome: FeedbackOutcome) {
    tracing::info!(
        feedback = outcome.name(),
        entry = if entry.is_empty() { "-" } else { entry },
        "feedback received"
    );
    let Some(storage) = ctx.storage() else { return };
    // The region whose lines the reply showed: the knowledge's default when none is set.
    let region = ctx.engine().knowledge().region(here.region()).code.clone();
    storage.record_feedback(Feedback {
        entry_id: (!entry.is_empty()).then(|| entry.to_string()),
        outcome,
        region: Some(region),
        guild_id: here.guild_id(),
        at: Timestamp::now(),
    });
}

/// Thanks the member, privately.
async fn thank(ctx: &Ctx, id: serenity::model::id::InteractionId, token: &str, text: &str) {
    let thanks = Rendered::embed(
        CreateEmbed::new()
            .description(text)
            .colour(render::COLOUR_INFO),
    );
    ctx.delivery()
        .respond(id, token, thanks, Respond::New { ephemeral: true })
        .await;
}
