//! A Discord stand-in on loopback: the REST routes and the gateway exchange that serenity
//! needs (see `discord-notes.md`), recording every REST request so tests can check the exact
//! JSON the bot sent. Reusable by soak and fault tests: [`StandIn::fail_next`] makes a route
//! answer slowly or with an error; [`StandIn::close_gateway`], [`StandIn::drop_gateway`] and
//! [`StandIn::invalidate_session`] break the gateway connection.
//!
//! Interaction callbacks follow Discord's rules: the first response must arrive within 3 s of
//! the INTERACTION_CREATE (later: 404, code 10062), a second one is refused (400, code
//! 40060), and `@original` can be edited only once the interaction is acknowledged (else 404,
//! code 10015). Each interaction's timeline is kept in an [`InteractionRecord`].

#![allow(dead_code)]

pub mod live;
pub mod payloads;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// The application id the stand-in announces in READY.
pub const APP_ID: u64 = 900_000_000_000_000_001;
/// The bot's user id.
pub const BOT_ID: u64 = 900_000_000_000_000_002;
/// The servers READY says the bot is in (whose leftover per-guild commands a global
/// registration clears).
pub const JOINED_GUILDS: [u64; 2] = [900_000_000_000_000_101, 900_000_000_000_000_102];

/// One REST request the bot made.
#[derive(Debug, Clone)]
pub struct Request {
    /// GET, PUT, POST, PATCH…
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The JSON body (`Null` when there was none).
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
}

/// Discord's deadline for an interaction's first response.
pub const DEADLINE: Duration = Duration::from_secs(3);

/// How one matching request is answered instead of the normal way.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Requests whose path contains this are affected.
    pub path_contains: String,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Answer with this status and body instead, without acting on the request (`None`: the
    /// normal answer, after `delay`).
    pub status: Option<(u16, Value)>,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
    /// With `status: None`: the request reaches "Discord" only after `delay` (it is recorded
    /// and acted on then), instead of being acted on at once and answered late.
    pub late_arrival: bool,
    /// With `status: Some`: act on the request all the same (an error answer for something
    /// that did happen, as a 5xx from Discord's edge can be).
    pub acted_anyway: bool,
}

impl Fault {
    /// Answers `status` with `body`, without acting on the request.
    pub fn status(path_contains: &str, status: u16, body: Value) -> Fault {
        Fault {
            path_contains: path_contains.to_string(),
            delay: Duration::ZERO,
            status: Some((status, body)),
            headers: Vec::new(),
            late_arrival: false,
            acted_anyway: false,
        }
    }

    /// HTTP 500, as Discord's edge answers when something behind it fails.
    pub fn server_error(path_contains: &str) -> Fault {
        Fault::status(
            path_contains,
            500,
            json!({"message": "500: Internal Server Error", "code": 0}),
        )
    }

    /// HTTP 500 for a request that nevertheless took effect.
    pub fn server_error_after_acting(path_contains: &str) -> Fault {
        Fault {
            acted_anyway: true,
            ..Fault::server_error(path_contains)
        }
    }

    /// HTTP 429 with Discord's body and headers for a per-route limit of `retry_after` s.
    pub fn rate_limited(path_contains: &str, retry_after: f64) -> Fault {
        let mut f = Fault::status(
            path_contains,
            429,
            json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false}),
        );
        f.headers = vec![
            (
                "Retry-After".into(),
                format!("{}", retry_after.ceil() as u64),
            ),
            ("X-RateLimit-Limit".into(), "5".into()),
            ("X-RateLimit-Remaining".into(), "0".into()),
            (
                "X-RateLimit-Reset-After".into(),
                format!("{retry_after:.3}"),
            ),
            (
                "X-RateLimit-Bucket".into(),
                "standin-interaction-callback".into(),
            ),
            ("X-RateLimit-Scope".into(), "user".into()),
        ];
        f
    }

    /// Acted on at once, but answered only after `delay` (a slow response).
    pub fn slow_answer(path_contains: &str, delay: Duration) -> Fault {
        Fault {
            path_contains: path_contains.to_string(),
            delay,
            status: None,
            headers: Vec::new(),
            late_arrival: false,
            acted_anyway: false,
        }
    }

    /// Reaches "Discord" only after `delay` (a request stuck on the way).
    pub fn slow_arrival(path_contains: &str, delay: Duration) -> Fault {
        Fault {
            late_arrival: true,
            ..Fault::slow_answer(path_contains, delay)
        }
    }
}

/// The timeline of one interaction the stand-in dispatched.
#[derive(Debug, Clone, Copy)]
pub struct InteractionRecord {
    /// When INTERACTION_CREATE was handed to the gateway connection.
    pub dispatched: Instant,
    /// When the first callback request for it arrived (whatever became of it).
    pub first_callback: Option<Instant>,
    /// When a callback was accepted, and its response type (4 message, 5 deferred, 6
    /// deferred update, 7 update, 8 autocomplete).
    pub acknowledged: Option<(Instant, u64)>,
    /// When `@original` was last edited.
    pub edited: Option<Instant>,
    /// Callback requests seen for it.
    pub callbacks: u32,
}

/// What the stand-in sends down the current gateway connection.
#[derive(Debug)]
enum Outgoing {
    Text(String),
    /// A close frame with this code.
    Close(u16),
    /// Drop the TCP connection without a close frame.
    Drop,
}

#[derive(Default)]
struct State {
    ws_url: Mutex<String>,
    requests: Mutex<Vec<Request>>,
    faults: Mutex<VecDeque<Fault>>,
    gateway: Mutex<Option<mpsc::UnboundedSender<Outgoing>>>,
    seq: AtomicU64,
    identifies: AtomicU64,
    resumes: AtomicU64,
    connections: AtomicU64,
    /// The session a RESUME may continue (`None` after an invalidation).
    session: Mutex<Option<String>>,
    interactions: Mutex<HashMap<u64, InteractionRecord>>,
    /// Keep each request in `requests` (off for long soaks).
    recording: AtomicBool,
    identify_token: Mutex<Option<String>>,
    /// The `[id, total]` shard the bot last identified as (`Null` when it sent none).
    identify_shard: Mutex<Value>,
    next_id: AtomicU64,
}

/// A running stand-in; its servers stop when it is dropped.
pub struct StandIn {
    /// Base URL of its REST API (`discord.api_url`).
    pub api_url: String,
    /// Its gateway URL.
    pub ws_url: String,
    state: Arc<State>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl StandIn {
    /// Starts REST and gateway listeners on 127.0.0.1 (ephemeral ports).
    pub async fn start() -> StandIn {
        StandIn::start_at("127.0.0.1:0").await
    }

    /// Starts its REST listener on `rest` (a bot may already be trying to reach it there)
    /// and its gateway on an ephemeral port.
    pub async fn start_at(rest: &str) -> StandIn {
        let rest = TcpListener::bind(rest).await.expect("bind REST");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let api_url = format!("http://{}", rest.local_addr().unwrap());
        let ws_url = format!("ws://{}", ws.local_addr().unwrap());
        let state = Arc::new(State {
            ws_url: Mutex::new(ws_url.clone()),
            next_id: AtomicU64::new(1_000_000),
            recording: AtomicBool::new(true),
            ..State::default()
        });
        let tasks = vec![
            tokio::spawn(accept_rest(rest, Arc::clone(&state))),
            tokio::spawn(accept_gateway(ws, Arc::clone(&state))),
        ];
        StandIn {
            api_url,
            ws_url,
            state,
            tasks,
        }
    }

    /// Every REST request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().unwrap().clone()
    }

    /// How many IDENTIFYs the gateway has seen.
    pub fn identifies(&self) -> u64 {
        self.state.identifies.load(Ordering::SeqCst)
    }

    /// How many RESUMEs the gateway has answered with RESUMED.
    pub fn resumes(&self) -> u64 {
        self.state.resumes.load(Ordering::SeqCst)
    }

    /// How many gateway connections the bot has opened.
    pub fn connections(&self) -> u64 {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Identifies plus resumes: grows by one each time the bot (re)gains a session.
    pub fn sessions_started(&self) -> u64 {
        self.identifies() + self.resumes()
    }

    /// Waits until [`Self::sessions_started`] exceeds `since`: the bot has reconnected.
    pub async fn wait_session_after(&self, since: u64, timeout: Duration) {
        let until = Instant::now() + timeout;
        while self.sessions_started() <= since {
            assert!(
                Instant::now() < until,
                "the bot did not reconnect within {timeout:?} (connections {}, identifies {}, resumes {})",
                self.connections(),
                self.identifies(),
                self.resumes()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Closes the gateway connection with a close frame carrying `code`. Code 4009 (session
    /// timed out) also ends the session, as on Discord.
    pub fn close_gateway(&self, code: u16) {
        if code == 4009 {
            *self.state.session.lock().unwrap() = None;
        }
        self.send_gateway(Outgoing::Close(code));
    }

    /// Drops the gateway's TCP connection without a close frame.
    pub fn drop_gateway(&self) {
        self.send_gateway(Outgoing::Drop);
    }

    /// Sends INVALID_SESSION (`op 9`) with `d: resumable`; when not resumable the session
    /// ends, so only a new IDENTIFY gets the bot back.
    pub fn invalidate_session(&self, resumable: bool) {
        if !resumable {
            *self.state.session.lock().unwrap() = None;
        }
        let frame = json!({"op": 9, "d": resumable, "s": null, "t": null});
        self.send_gateway(Outgoing::Text(frame.to_string()));
    }

    /// Stops (or resumes) keeping every request for [`Self::requests`]; interaction
    /// timelines are kept either way.
    pub fn set_recording(&self, on: bool) {
        self.state.recording.store(on, Ordering::SeqCst);
    }

    /// Makes room for `n` more interaction timelines (so a memory measurement does not
    /// count the stand-in's own bookkeeping).
    pub fn reserve_interactions(&self, n: usize) {
        self.state.interactions.lock().unwrap().reserve(n);
    }

    /// The timeline of interaction `id`, if the stand-in dispatched it.
    pub fn interaction(&self, id: u64) -> Option<InteractionRecord> {
        self.state.interactions.lock().unwrap().get(&id).copied()
    }

    /// The token the bot identified with.
    pub fn identify_token(&self) -> Option<String> {
        self.state.identify_token.lock().unwrap().clone()
    }

    /// The `[id, total]` shard the bot last identified as (`Null` if it sent none).
    pub fn identify_shard(&self) -> Value {
        self.state.identify_shard.lock().unwrap().clone()
    }

    /// Makes the next request whose path contains `fault.path_contains` misbehave.
    pub fn fail_next(&self, fault: Fault) {
        self.state.faults.lock().unwrap().push_back(fault);
    }

    /// Waits until the bot has identified (READY sent).
    pub async fn wait_identified(&self, timeout: Duration) {
        let until = Instant::now() + timeout;
        while self.identifies() == 0 {
            assert!(Instant::now() < until, "the bot never identified");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits for a REST request matching `pred` and returns the first one.
    pub async fn wait_request(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Request) -> bool,
    ) -> Request {
        let until = Instant::now() + timeout;
        loop {
            if let Some(r) = self.requests().into_iter().find(|r| pred(r)) {
                return r;
            }
            assert!(
                Instant::now() < until,
                "no request for {what} within {timeout:?}; saw: {:#?}",
                self.requests()
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The response the bot gave to interaction `id` (its callback body).
    pub async fn callback_for(&self, id: u64, timeout: Duration) -> Request {
        let needle = format!("/interactions/{id}/");
        self.wait_request(&format!("interaction {id}"), timeout, |r| {
            r.method == "POST" && r.path.contains(&needle) && r.path.ends_with("/callback")
        })
        .await
    }

    /// The message the bot posted in `channel` after `since` requests had been seen.
    pub async fn message_in(&self, channel: u64, since: usize, timeout: Duration) -> Request {
        let path = format!("/api/v10/channels/{channel}/messages");
        let until = Instant::now() + timeout;
        loop {
            if let Some(r) = self
                .requests()
                .into_iter()
                .skip(since)
                .find(|r| r.method == "POST" && r.path == path)
            {
                return r;
            }
            assert!(Instant::now() < until, "no message in channel {channel}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Sends a gateway dispatch (`op 0`) with the next sequence number. An
    /// INTERACTION_CREATE starts that interaction's 3-second clock.
    pub fn dispatch(&self, event: &str, data: Value) {
        if event == "INTERACTION_CREATE" {
            if let Some(id) = data["id"].as_str().and_then(|i| i.parse().ok()) {
                self.state.interactions.lock().unwrap().insert(
                    id,
                    InteractionRecord {
                        dispatched: Instant::now(),
                        first_callback: None,
                        acknowledged: None,
                        edited: None,
                        callbacks: 0,
                    },
                );
            }
        }
        let s = self.state.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let frame = json!({"op": 0, "t": event, "s": s, "d": data}).to_string();
        self.send_gateway(Outgoing::Text(frame));
    }

    fn send_gateway(&self, out: Outgoing) {
        let gateway = self.state.gateway.lock().unwrap();
        gateway
            .as_ref()
            .expect("the bot is connected to the gateway")
            .send(out)
            .expect("the gateway connection is open");
    }

    /// A fresh snowflake for test objects.
    pub fn next_id(&self) -> u64 {
        self.state.next_id.fetch_add(1, Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------------------------
// REST

async fn accept_rest(listener: TcpListener, state: Arc<State>) {
    while let Ok((sock, _)) = listener.accept().await {
        tokio::spawn(rest_connection(sock, Arc::clone(&state)));
    }
}

/// One keep-alive HTTP/1.1 connection: requests with `Content-Length` bodies, which is all
/// serenity's client sends for JSON.
async fn rest_connection(sock: TcpStream, state: Arc<State>) {
    let mut reader = BufReader::new(sock);
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default();
        let path = target.split('?').next().unwrap_or_default().to_string();
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).await.unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let fault = {
            let mut faults = state.faults.lock().unwrap();
            let at = faults.iter().position(|f| path.contains(&f.path_contains));
            at.and_then(|i| faults.remove(i))
        };
        let late_arrival = fault
            .as_ref()
            .is_some_and(|f| f.late_arrival && f.status.is_none());
        if late_arrival {
            // Stuck on the way: "Discord" sees it only after the delay.
            tokio::time::sleep(fault.as_ref().unwrap().delay).await;
        }
        state.arrived(&method, &path, &body);
        let (status, answer, headers) = match fault {
            Some(f) if late_arrival => {
                let (status, answer) = route(&state, &method, &path, &body);
                (status, answer, f.headers)
            }
            Some(Fault {
                delay,
                status: Some((status, answer)),
                headers,
                acted_anyway,
                ..
            }) => {
                if acted_anyway {
                    route(&state, &method, &path, &body);
                }
                tokio::time::sleep(delay).await;
                (status, answer, headers)
            }
            Some(f) => {
                // Acted on at once, answered late.
                let (status, answer) = route(&state, &method, &path, &body);
                tokio::time::sleep(f.delay).await;
                (status, answer, f.headers)
            }
            None => {
                let (status, answer) = route(&state, &method, &path, &body);
                (status, answer, Vec::new())
            }
        };
        let text = if status == 204 {
            String::new()
        } else {
            answer.to_string()
        };
        let reason = match status {
            200 => "OK",
            204 => "No Content",
            400 => "Bad Request",
            404 => "Not Found",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            _ => "Status",
        };
        let mut head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\n",
            text.len()
        );
        if status != 204 {
            head.push_str("Content-Type: application/json\r\n");
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let sock = reader.get_mut();
        if sock.write_all(head.as_bytes()).await.is_err()
            || sock.write_all(text.as_bytes()).await.is_err()
        {
            return;
        }
    }
}

impl State {
    /// A request reached "Discord": record it, and note a callback's arrival.
    fn arrived(&self, method: &str, path: &str, body: &Value) {
        let now = Instant::now();
        if self.recording.load(Ordering::SeqCst) {
            self.requests.lock().unwrap().push(Request {
                method: method.to_string(),
                path: path.to_string(),
                body: body.clone(),
                at: now,
            });
        }
        if let Some(id) = callback_id(method, path) {
            if let Some(r) = self.interactions.lock().unwrap().get_mut(&id) {
                r.first_callback.get_or_insert(now);
                r.callbacks += 1;
            }
        }
    }
}

/// The interaction id of a callback request.
fn callback_id(method: &str, path: &str) -> Option<u64> {
    let rest = path.strip_prefix("/api/v10/interactions/")?;
    if method != "POST" || !rest.ends_with("/callback") {
        return None;
    }
    rest.split('/').next()?.parse().ok()
}

/// The interaction id behind a stand-in interaction token (`interaction-token-{id}`).
fn token_id(token: &str) -> Option<u64> {
    token.strip_prefix("interaction-token-")?.parse().ok()
}

/// Discord's answer to a first response for interaction `id` of response `kind`.
fn callback(state: &State, id: Option<u64>, kind: u64) -> (u16, Value) {
    let now = Instant::now();
    let mut interactions = state.interactions.lock().unwrap();
    // Interactions the stand-in never dispatched are taken as they come.
    let Some(r) = id.and_then(|id| interactions.get_mut(&id)) else {
        return (204, Value::Null);
    };
    if r.acknowledged.is_some() {
        return (
            400,
            json!({"message": "Interaction has already been acknowledged.", "code": 40060}),
        );
    }
    if now.duration_since(r.dispatched) > DEADLINE {
        return (
            404,
            json!({"message": "Unknown interaction", "code": 10062}),
        );
    }
    r.acknowledged = Some((now, kind));
    (204, Value::Null)
}

fn route(state: &State, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let ws_url = state.ws_url.lock().unwrap().clone();
    let segments: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["gateway"]) => (200, json!({ "url": ws_url })),
        ("GET", ["gateway", "bot"]) => (
            200,
            json!({
                "url": ws_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1
                }
            }),
        ),
        ("GET", ["users", "@me"]) => (200, payloads::bot_user()),
        ("PUT", ["applications", _, "commands"])
        | ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            let guild = segments.get(3).copied();
            let commands: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut c| {
                    let obj = c.as_object_mut().expect("a command is an object");
                    obj.insert(
                        "id".into(),
                        json!(state.next_id.fetch_add(1, Ordering::SeqCst).to_string()),
                    );
                    obj.insert("application_id".into(), json!(APP_ID.to_string()));
                    obj.insert("version".into(), json!("1"));
                    obj.entry("type").or_insert(json!(1));
                    obj.entry("default_member_permissions")
                        .or_insert(Value::Null);
                    if let Some(g) = guild {
                        obj.insert("guild_id".into(), json!(g));
                    }
                    c
                })
                .collect();
            (200, Value::Array(commands))
        }
        ("POST", ["interactions", id, _, "callback"]) => {
            callback(state, id.parse().ok(), body["type"].as_u64().unwrap_or(0))
        }
        ("PATCH", ["webhooks", _, token, "messages", "@original"]) => {
            if let Some(id) = token_id(token) {
                let mut interactions = state.interactions.lock().unwrap();
                if let Some(r) = interactions.get_mut(&id) {
                    if r.acknowledged.is_none() {
                        return (404, json!({"message": "Unknown Webhook", "code": 10015}));
                    }
                    r.edited = Some(Instant::now());
                }
            }
            let id = state.next_id.fetch_add(1, Ordering::SeqCst);
            (200, payloads::sent_message(id, 1, body))
        }
        ("POST", ["channels", channel, "messages"]) => {
            let id = state.next_id.fetch_add(1, Ordering::SeqCst);
            (
                200,
                payloads::sent_message(id, channel.parse().unwrap_or(1), body),
            )
        }
        _ => (404, json!({"message": "404: Not Found", "code": 0})),
    }
}

// ---------------------------------------------------------------------------------------------
// Gateway

async fn accept_gateway(listener: TcpListener, state: Arc<State>) {
    while let Ok((sock, _)) = listener.accept().await {
        tokio::spawn(gateway_connection(sock, Arc::clone(&state)));
    }
}

/// One gateway connection: a fresh HELLO, then IDENTIFY → READY (a new session), RESUME →
/// RESUMED (or INVALID_SESSION when the session is gone), heartbeats → ACK, and whatever
/// the test sends through [`StandIn::dispatch`] and the fault methods.
async fn gateway_connection(sock: TcpStream, state: Arc<State>) {
    let Ok(ws) = tokio_tungstenite::accept_async(sock).await else {
        return;
    };
    state.connections.fetch_add(1, Ordering::SeqCst);
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Outgoing>();
    *state.gateway.lock().unwrap() = Some(tx);
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}, "s": null, "t": null});
    if sink.send(WsMessage::Text(hello.to_string())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(msg)) = incoming else { return };
                let text = match msg {
                    WsMessage::Text(t) => t,
                    WsMessage::Close(_) => {
                        // Answer the close handshake, as Discord does.
                        let _ = sink.close().await;
                        return;
                    }
                    _ => continue,
                };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                let op = frame["op"].as_u64();
                let reply = match op {
                    Some(1) => Some(json!({"op": 11, "d": null, "s": null, "t": null})),
                    Some(2) => {
                        *state.identify_token.lock().unwrap() =
                            frame["d"]["token"].as_str().map(str::to_string);
                        let shard = frame["d"]["shard"].clone();
                        *state.identify_shard.lock().unwrap() = shard.clone();
                        // A new session numbers its events from 1 again.
                        state.seq.store(0, Ordering::SeqCst);
                        let s = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let ws_url = state.ws_url.lock().unwrap().clone();
                        let session = format!(
                            "standin-session-{}",
                            state.identifies.load(Ordering::SeqCst) + 1
                        );
                        *state.session.lock().unwrap() = Some(session.clone());
                        Some(json!({"op": 0, "t": "READY", "s": s, "d": {
                            "v": 10,
                            "user": payloads::bot_user(),
                            "guilds": JOINED_GUILDS
                                .iter()
                                .map(|g| json!({"id": g.to_string(), "unavailable": true}))
                                .collect::<Vec<_>>(),
                            "session_id": session,
                            "resume_gateway_url": ws_url,
                            "shard": if shard.is_null() { json!([0, 1]) } else { shard },
                            "application": {"id": APP_ID.to_string(), "flags": 0}
                        }}))
                    }
                    Some(6) => {
                        let live = state.session.lock().unwrap().clone();
                        if live.is_some() && frame["d"]["session_id"].as_str() == live.as_deref() {
                            let s = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                            Some(json!({"op": 0, "t": "RESUMED", "s": s, "d": {}}))
                        } else {
                            // The session is gone: the bot must identify afresh.
                            Some(json!({"op": 9, "d": false, "s": null, "t": null}))
                        }
                    }
                    _ => None,
                };
                if let Some(reply) = reply {
                    let resumed = reply["t"] == "RESUMED";
                    if sink.send(WsMessage::Text(reply.to_string())).await.is_err() {
                        return;
                    }
                    if op == Some(2) {
                        state.identifies.fetch_add(1, Ordering::SeqCst);
                    }
                    if resumed {
                        state.resumes.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
            out = rx.recv() => {
                let Some(out) = out else { return };
                match out {
                    Outgoing::Text(text) => {
                        if sink.send(WsMessage::Text(text)).await.is_err() {
                            return;
                        }
                    }
                    Outgoing::Close(code) => {
                        let frame = CloseFrame {
                            code: CloseCode::from(code),
                            reason: "stand-in closes the connection".into(),
                        };
                        let _ = sink.send(WsMessage::Close(Some(frame))).await;
                        // Give the client a moment to answer the close, then hang up.
                        let _ = tokio::time::timeout(Duration::from_secs(1), async {
                            while let Some(Ok(m)) = stream.next().await {
                                if m.is_close() {
                                    break;
                                }
                            }
                        })
                        .await;
                        return;
                    }
                    Outgoing::Drop => return,
                }
            }
        }
    }
}
