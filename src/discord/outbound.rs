//! Every call the bot makes to Discord, behind one small trait: [`Outbound`]. The running bot
//! uses [`SerenityOutbound`] (serenity's REST client); tests use [`Recorder`], an in-memory
//! double that keeps each call as the JSON Discord would have received, and can be told to
//! refuse or stall calls ([`Step`]) to test delivery under tokio's paused clock.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serenity::builder::{CreateInteractionResponse, CreateMessage, EditInteractionResponse};
use serenity::http::Http;
use serenity::model::id::{ChannelId, InteractionId};

/// Why a call to Discord failed, described without URLs, tokens or message text.
///
/// Besides the one-line description it keeps the HTTP status and Discord's error code, so the
/// bot can tell a refusal worth one more try (429, 5xx) from one that is final, and can
/// recognise "Interaction has already been acknowledged" (code 40060).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct SendError {
    text: String,
    status: Option<u16>,
    code: Option<isize>,
}

/// Discord's error code for a second first response to one interaction.
pub const ALREADY_ACKNOWLEDGED: isize = 40060;

impl SendError {
    /// A failure described by `text`, without an HTTP status.
    pub fn new(text: impl Into<String>) -> SendError {
        SendError {
            text: text.into(),
            status: None,
            code: None,
        }
    }

    /// Discord answered with HTTP `status` and, if it sent one, its JSON error `code`.
    pub fn http(status: u16, code: Option<isize>) -> SendError {
        let text = match (status, code) {
            (429, _) => "Discord answered HTTP 429 (rate limited)".to_string(),
            (_, Some(code)) => format!("Discord answered HTTP {status} (code {code})"),
            (_, None) => format!("Discord answered HTTP {status}"),
        };
        SendError {
            text,
            status: Some(status),
            code,
        }
    }

    /// The call got no answer within `after`.
    pub fn timed_out(after: std::time::Duration) -> SendError {
        SendError::new(format!(
            "the request to Discord timed out after {} s",
            after.as_secs()
        ))
    }

    /// Describes a serenity error by its kind and HTTP status only: serenity's own `Display`
    /// can include the request URL, and an interaction's URL carries its token.
    pub fn from_serenity(err: &serenity::Error) -> SendError {
        use serenity::http::HttpError;
        match err {
            serenity::Error::Http(HttpError::UnsuccessfulRequest(resp)) => {
                // serenity reports a body it could not read as code -1; Discord's own
                // codes are positive (0 is "general error", not worth showing).
                let code = Some(resp.error.code).filter(|c| *c > 0);
                SendError::http(resp.status_code.as_u16(), code)
            }
            serenity::Error::Http(HttpError::Request(e)) if e.is_timeout() => {
                SendError::new("the request to Discord timed out")
            }
            serenity::Error::Http(HttpError::Request(e)) => match e.status() {
                Some(s) => SendError::http(s.as_u16(), None),
                None => SendError::new("could not reach Discord"),
            },
            serenity::Error::Http(_) => SendError::new("the request to Discord failed"),
            serenity::Error::Json(_) => {
                SendError::new("Discord's answer was not the expected JSON")
            }
            serenity::Error::Model(e) => {
                SendError::new(format!("Discord would refuse the message: {e}"))
            }
            _ => SendError::new("the call to Discord failed"),
        }
    }

    /// The HTTP status Discord answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Discord's JSON error code, if it sent one.
    pub fn code(&self) -> Option<isize> {
        self.code
    }

    /// Returns true if and only if Discord refused the call in a way that one more try, a
    /// moment later, may fix: rate limited (429) or a server error (5xx). Neither means the
    /// call took effect (a 5xx might have; a retry then gets [`ALREADY_ACKNOWLEDGED`]).
    pub fn worth_retrying(&self) -> bool {
        matches!(self.status, Some(429 | 500..=599))
    }

    /// Returns true if and only if Discord refused an interaction response because the
    /// interaction already has one.
    pub fn already_acknowledged(&self) -> bool {
        self.code == Some(ALREADY_ACKNOWLEDGED)
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

/// What [`Recorder`] does with one call, scripted by a test: how Discord would treat it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// How long the call takes to return (on tokio's clock, so paused time skips it).
    pub delay: Duration,
    /// Discord takes the call: it is kept for [`Recorder::take`] (when the call starts).
    pub takes: bool,
    /// What the call returns after [`Self::delay`].
    pub result: Result<(), SendError>,
}

impl Step {
    /// Taken at once: what an unscripted call does.
    pub fn take() -> Step {
        Step {
            delay: Duration::ZERO,
            takes: true,
            result: Ok(()),
        }
    }

    /// Refused at once with `error`, without effect.
    pub fn refuse(error: SendError) -> Step {
        Step {
            delay: Duration::ZERO,
            takes: false,
            result: Err(error),
        }
    }

    /// Taken, but answered with `error` (a 5xx after Discord acted).
    pub fn take_then_refuse(error: SendError) -> Step {
        Step {
            takes: true,
            ..Step::refuse(error)
        }
    }

    /// Taken at once, but answered only after `delay`.
    pub fn slow_answer(delay: Duration) -> Step {
        Step {
            delay,
            takes: true,
            result: Ok(()),
        }
    }

    /// Reaches Discord only after `delay`, too late: by then the interaction was acknowledged
    /// another way, so it is refused as [`ALREADY_ACKNOWLEDGED`] without effect.
    pub fn slow_arrival(delay: Duration) -> Step {
        Step {
            delay,
            takes: false,
            result: Err(SendError::http(400, Some(ALREADY_ACKNOWLEDGED))),
        }
    }
}

/// One call made to a [`Recorder`], taken or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// When the call was made, on tokio's clock.
    pub at: tokio::time::Instant,
    /// What was sent.
    pub sent: Sent,
    /// Discord took it.
    pub taken: bool,
}

/// An in-memory [`Outbound`] that records every call. Calls succeed at once unless a test
/// scripted otherwise with [`Recorder::script`].
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    sent: Arc<Mutex<Vec<Sent>>>,
    calls: Arc<Mutex<Vec<Call>>>,
    script: Arc<Mutex<VecDeque<Step>>>,
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

    /// Makes the next call not yet scripted do what `step` says (calls of any kind, in
    /// the order they are made).
    pub fn script(&self, step: Step) {
        self.script
            .lock()
            .expect("recorder lock is never poisoned")
            .push_back(step);
    }

    /// Every call made so far, taken or refused, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls
            .lock()
            .expect("recorder lock is never poisoned")
            .clone()
    }

    /// Records `sent` and plays the next scripted step (or succeeds at once).
    async fn push(&self, sent: Sent) -> Result<(), SendError> {
        let step = self
            .script
            .lock()
            .expect("recorder lock is never poisoned")
            .pop_front()
            .unwrap_or_else(Step::take);
        self.calls
            .lock()
            .expect("recorder lock is never poisoned")
            .push(Call {
                at: tokio::time::Instant::now(),
                sent: sent.clone(),
                taken: step.takes,
            });
        if step.takes {
            self.sent
                .lock()
                .expect("recorder lock is never poisoned")
                .push(sent);
        }
        if !step.delay.is_zero() {
            tokio::time::sleep(step.delay).await;
        }
        step.result
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
        })
        .await
    }

    async fn edit_original(
        &self,
        _token: &str,
        edit: EditInteractionResponse,
    ) -> Result<(), SendError> {
        self.push(Sent::EditOriginal { body: json(&edit) }).await
    }

    async fn send(&self, channel: ChannelId, message: CreateMessage) -> Result<(), SendError> {
        self.push(Sent::Message {
            channel: channel.get(),
            body: json(&message),
        })
        .await
    }
}
