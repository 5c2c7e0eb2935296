//! Every call the bot makes to Discord, behind one small trait: [`Outbound`]. The running bot
//! uses [`SerenityOutbound`] (serenity's REST client); tests use [`Recorder`], an in-memory
//! double that keeps each call as the JSON Discord would have received.

use std::future::Future;
use std::sync::{Arc, Mutex};

use serenity::builder::{CreateInteractionResponse, CreateMessage, EditInteractionResponse};
use serenity::http::Http;
use serenity::model::id::{ChannelId, InteractionId};

/// Why a call to Discord failed, described without URLs, tokens or message text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

impl SendError {
    /// Describes a serenity error by its kind and HTTP status only: serenity's own `Display`
    /// can include the request URL, and an interaction's URL carries its token.
    pub fn from_serenity(err: &serenity::Error) -> SendError {
        use serenity::http::HttpError;
        let text = match err {
            serenity::Error::Http(HttpError::UnsuccessfulRequest(resp)) => format!(
                "Discord answered HTTP {} (code {})",
                resp.status_code.as_u16(),
                resp.error.code
            ),
            serenity::Error::Http(HttpError::Request(e)) if e.is_timeout() => {
                "the request to Discord timed out".to_string()
            }
            serenity::Error::Http(HttpError::Request(e)) => match e.status() {
                Some(s) => format!("Discord answered HTTP {}", s.as_u16()),
                None => "could not reach Discord".to_string(),
            },
            serenity::Error::Http(_) => "the request to Discord failed".to_string(),
            serenity::Error::Json(_) => "Discord's answer was not the expected JSON".to_string(),
            serenity::Error::Model(e) => format!("Discord would refuse the message: {e}"),
            _ => "the call to Discord failed".to_string(),
        };
        SendError(text)
    }

    /// Returns true if and only if the call may have reached Discord even though it failed
    /// (a timeout or a server error), so the response might already be shown.
    pub fn maybe_delivered(&self) -> bool {
        self.0.contains("timed out") || self.0.contains("HTTP 5")
    }
}

/// The calls the bot makes to Discord.
pub trait Outbound: Send + Sync + 'static {
    /// Sends the first response to an interaction (`POST /interactions/{id}/{token}/callback`).
    fn respond(
        &self,
        id: InteractionId,
        token: &str,
        response: CreateInteractionResponse,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// Replaces the first response to an interaction
    /// (`PATCH /webhooks/{app}/{token}/messages/@original`).
    fn edit_original(
        &self,
        token: &str,
        edit: EditInteractionResponse,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// Posts a message in a channel or DM (`POST /channels/{id}/messages`).
    fn send(
        &self,
        channel: ChannelId,
        message: CreateMessage,
    ) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// [`Outbound`] over serenity's REST client.
#[derive(Debug, Clone)]
pub struct SerenityOutbound {
    http: Arc<Http>,
}

impl SerenityOutbound {
    /// Sends through `http`.
    pub fn new(http: Arc<Http>) -> SerenityOutbound {
        SerenityOutbound { http }
    }
}

impl Outbound for SerenityOutbound {
    async fn respond(
        &self,
        id: InteractionId,
        token: &str,
        response: CreateInteractionResponse,
    ) -> Result<(), SendError> {
        self.http
            .create_interaction_response(id, token, &response, Vec::new())
            .await
            .map_err(|e| SendError::from_serenity(&e))
    }

    async fn edit_original(
        &self,
        token: &str,
        edit: EditInteractionResponse,
    ) -> Result<(), SendError> {
        self.http
            .edit_original_interaction_response(token, &edit, Vec::new())
            .await
            .map(|_| ())
            .map_err(|e| SendError::from_serenity(&e))
    }

    async fn send(&self, channel: ChannelId, message: CreateMessage) -> Result<(), SendError> {
        self.http
            .send_message(channel, Vec::new(), &message)
            .await
            .map(|_| ())
            .map_err(|e| SendError::from_serenity(&e))
    }
}

/// One call recorded by [`Recorder`].
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// A first response to interaction `id`.
    Respond {
        /// The interaction.
        id: u64,
        /// The body Discord would receive.
        body: serde_json::Value,
    },
    /// An edit of an interaction's first response.
    EditOriginal {
        /// The body Discord would receive.
        body: serde_json::Value,
    },
    /// A message posted in `channel`.
    Message {
        /// The channel or DM.
        channel: u64,
        /// The body Discord would receive.
        body: serde_json::Value,
    },
}

impl Sent {
    /// The JSON body of the call.
    pub fn body(&self) -> &serde_json::Value {
        match self {
            Sent::Respond { body, .. }
            | Sent::EditOriginal { body }
            | Sent::Message { body, .. } => body,
        }
    }
}

/// An in-memory [`Outbound`] that records every call and always succeeds.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl Recorder {
    /// A recorder with nothing sent yet.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// Takes everything sent so far.
    pub fn take(&self) -> Vec<Sent> {
        std::mem::take(&mut *self.sent.lock().expect("recorder lock is never poisoned"))
    }

    fn push(&self, sent: Sent) {
        self.sent
            .lock()
            .expect("recorder lock is never poisoned")
            .push(sent);
    }
}

fn json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("serenity's builders serialise to JSON")
}

impl Outbound for Recorder {
    async fn respond(
        &self,
        id: InteractionId,
        _token: &str,
        response: CreateInteractionResponse,
    ) -> Result<(), SendError> {
        self.push(Sent::Respond {
            id: id.get(),
            body: json(&response),
        });
        Ok(())
    }

    async fn edit_original(
        &self,
        _token: &str,
        edit: EditInteractionResponse,
    ) -> Result<(), SendError> {
        self.push(Sent::EditOriginal { body: json(&edit) });
        Ok(())
    }

    async fn send(&self, channel: ChannelId, message: CreateMessage) -> Result<(), SendError> {
        self.push(Sent::Message {
            channel: channel.get(),
            body: json(&message),
        });
        Ok(())
    }
}
