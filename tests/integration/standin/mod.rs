//! A Discord stand-in on loopback: the REST routes and the gateway exchange that serenity
//! needs (see `discord-notes.md`), recording every REST request so tests can check the exact
//! JSON the bot sent. Reusable by soak and fault tests: [`StandIn::fail_next`] makes a route
//! answer slowly or with an error.

#![allow(dead_code)]

pub mod payloads;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// The application id the stand-in announces in READY.
pub const APP_ID: u64 = 900_000_000_000_000_001;
/// The bot's user id.
pub const BOT_ID: u64 = 900_000_000_000_000_002;

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

/// How one matching request is answered instead of the normal way.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Requests whose path contains this are affected.
    pub path_contains: String,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Answer with this status and body instead (`None`: the normal answer, after `delay`).
    pub status: Option<(u16, Value)>,
}

#[derive(Default)]
struct State {
    ws_url: Mutex<String>,
    requests: Mutex<Vec<Request>>,
    faults: Mutex<VecDeque<Fault>>,
    gateway: Mutex<Option<mpsc::UnboundedSender<String>>>,
    seq: AtomicU64,
    identifies: AtomicU64,
    identify_token: Mutex<Option<String>>,
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
        let rest = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let api_url = format!("http://{}", rest.local_addr().unwrap());
        let ws_url = format!("ws://{}", ws.local_addr().unwrap());
        let state = Arc::new(State {
            ws_url: Mutex::new(ws_url.clone()),
            next_id: AtomicU64::new(1_000_000),
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

    /// The token the bot identified with.
    pub fn identify_token(&self) -> Option<String> {
        self.state.identify_token.lock().unwrap().clone()
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

    /// Sends a gateway dispatch (`op 0`) with the next sequence number.
    pub fn dispatch(&self, event: &str, data: Value) {
        let s = self.state.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let frame = json!({"op": 0, "t": event, "s": s, "d": data}).to_string();
        let gateway = self.state.gateway.lock().unwrap();
        gateway
            .as_ref()
            .expect("the bot is connected to the gateway")
            .send(frame)
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
        state.requests.lock().unwrap().push(Request {
            method: method.clone(),
            path: path.clone(),
            body: body.clone(),
            at: Instant::now(),
        });
        let fault = {
            let mut faults = state.faults.lock().unwrap();
            let at = faults.iter().position(|f| path.contains(&f.path_contains));
            at.and_then(|i| faults.remove(i))
        };
        let (status, answer) = match fault {
            Some(f) => {
                tokio::time::sleep(f.delay).await;
                f.status
                    .unwrap_or_else(|| route(&state, &method, &path, &body))
            }
            None => route(&state, &method, &path, &body),
        };
        let text = if status == 204 {
            String::new()
        } else {
            answer.to_string()
        };
        let reason = match status {
            200 => "OK",
            204 => "No Content",
            404 => "Not Found",
            429 => "Too Many Requests",
            _ => "Status",
        };
        let mut head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\n",
            text.len()
        );
        if status != 204 {
            head.push_str("Content-Type: application/json\r\n");
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
        ("POST", ["interactions", _, _, "callback"]) => (204, Value::Null),
        ("PATCH", ["webhooks", _, _, "messages", "@original"]) => {
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

async fn gateway_connection(sock: TcpStream, state: Arc<State>) {
    let Ok(ws) = tokio_tungstenite::accept_async(sock).await else {
        return;
    };
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
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
                let reply = match frame["op"].as_u64() {
                    Some(1) => Some(json!({"op": 11, "d": null, "s": null, "t": null})),
                    Some(2) => {
                        *state.identify_token.lock().unwrap() =
                            frame["d"]["token"].as_str().map(str::to_string);
                        let shard = frame["d"]["shard"].clone();
                        let s = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let ws_url = state.ws_url.lock().unwrap().clone();
                        Some(json!({"op": 0, "t": "READY", "s": s, "d": {
                            "v": 10,
                            "user": payloads::bot_user(),
                            "guilds": [],
                            "session_id": "standin-session",
                            "resume_gateway_url": ws_url,
                            "shard": if shard.is_null() { json!([0, 1]) } else { shard },
                            "application": {"id": APP_ID.to_string(), "flags": 0}
                        }}))
                    }
                    Some(6) => {
                        let s = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        Some(json!({"op": 0, "t": "RESUMED", "s": s, "d": {}}))
                    }
                    _ => None,
                };
                if let Some(reply) = reply {
                    if sink.send(WsMessage::Text(reply.to_string())).await.is_err() {
                        return;
                    }
                    if frame["op"].as_u64() == Some(2) {
                        state.identifies.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
            out = rx.recv() => {
                let Some(out) = out else { return };
                if sink.send(WsMessage::Text(out)).await.is_err() {
                    return;
                }
            }
        }
    }
}
