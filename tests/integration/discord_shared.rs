//! What the Discord suites share: members and places, the shipped knowledge with questions
//! it answers, and checks on every body the bot sends (Discord's limits, no pings) and on its
//! logs (nothing private).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use medfaq::config::Config;
use medfaq::{Engine, Outcome};
use serde_json::{json, Value};

use crate::standin::live::{self, repo_knowledge, Live, FAKE_TOKEN, WAIT};
use crate::standin::payloads::{self, Place};

/// Members in these tests; their ids must never show up in an info log line.
pub const MEMBER: u64 = 555_000_111_222_333_444;
pub const OTHER_MEMBER: u64 = 555_000_999_888_777_666;
pub const GUILD: Place = Place::Guild {
    guild: 700_000_000_000_000_001,
    channel: 700_000_000_000_000_002,
};
pub const DM: Place = Place::Dm {
    channel: 700_000_000_000_000_003,
};

/// Questions the shipped knowledge should answer with confidence; the tests use the first
/// one that it does (curators tune the knowledge, so no single one is hard-wired).
pub const CONFIDENT_CANDIDATES: &[&str] = &[
    "can i drink alcohol on naltrexone",
    "can i take percs on vivitrol",
    "what are the side effects of naltrexone",
    "what is naltrexone and how does it work",
    "is naltrexone addictive",
];

/// A question `engine` answers with confidence.
pub fn confident(engine: &Engine) -> &'static str {
    CONFIDENT_CANDIDATES
        .iter()
        .copied()
        .find(|q| engine.ask(q).outcome == Outcome::Answer)
        .expect("the knowledge answers at least one of the confident questions")
}

/// The shipped knowledge, loaded once for all handler tests.
pub fn engine() -> Arc<Engine> {
    static ENGINE: std::sync::OnceLock<Arc<Engine>> = std::sync::OnceLock::new();
    Arc::clone(ENGINE.get_or_init(|| {
        Arc::new(Engine::load(&repo_knowledge()).expect("the shipped knowledge loads"))
    }))
}

/// The entry the engine answers `question` with (the test's expectation, computed rather
/// than hard-coded, since curators tune the knowledge).
pub fn expected_entry(engine: &Engine, question: &str) -> String {
    let r = engine.ask(question);
    assert_eq!(
        r.outcome,
        Outcome::Answer,
        "{question:?} should be answered"
    );
    r.entry_id.expect("an answer names its entry")
}

/// A question the knowledge answers with "did you mean".
pub fn clarify_question(engine: &Engine) -> &'static str {
    [
        "pain",
        "side effects",
        "dose",
        "naltrexone",
        "alcohol",
        "opioids",
        "liver",
        "how long",
        "help with drinking",
        "naltrexone and alcohol",
        "is alcohol withdrawal dangerous",
        "side effects of the shot",
    ]
    .into_iter()
    .find(|q| engine.ask(q).outcome == Outcome::Clarify)
    .expect("one of the candidates gets a did-you-mean")
}

// ---------------------------------------------------------------------------------------------
// Discord's limits, checked on any message body the bot sends

pub fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// Checks a message body (interaction response data, message or edit) against Discord's
/// limits, and that it pings nobody.
#[track_caller]
pub fn assert_fits_discord(body: &Value) {
    assert_eq!(
        body["allowed_mentions"]["parse"],
        json!([]),
        "allowed_mentions must be empty: {body}"
    );
    assert_eq!(body["allowed_mentions"]["users"], json!([]));
    assert_eq!(body["allowed_mentions"]["roles"], json!([]));
    assert!(chars(&body["content"]) <= 2000);
    let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    assert!(embeds.len() <= 10);
    let mut total = 0;
    for e in &embeds {
        let title = chars(&e["title"]);
        let description = chars(&e["description"]);
        let footer = chars(&e["footer"]["text"]);
        assert!(title <= 256, "title {title}");
        assert!(description <= 4096, "description {description}");
        assert!(footer <= 2048, "footer {footer}");
        total += title + description + footer;
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        assert!(fields.len() <= 25);
        for f in &fields {
            assert!((1..=256).contains(&chars(&f["name"])), "{f}");
            assert!((1..=1024).contains(&chars(&f["value"])), "{f}");
            total += chars(&f["name"]) + chars(&f["value"]);
        }
    }
    assert!(total <= 6000, "embed text {total}");
    let rows = body["components"].as_array().cloned().unwrap_or_default();
    assert!(rows.len() <= 5);
    let mut ids = std::collections::HashSet::new();
    for row in &rows {
        let items = row["components"].as_array().unwrap();
        assert!((1..=5).contains(&items.len()));
        for c in items {
            let id = c["custom_id"].as_str().unwrap();
            assert!((1..=100).contains(&id.chars().count()), "{id}");
            assert!(ids.insert(id.to_string()), "custom ids are unique: {id}");
            if c["type"] == 2 {
                assert!(chars(&c["label"]) <= 80);
            }
            for o in c["options"].as_array().into_iter().flatten().take(26) {
                assert!(c["options"].as_array().unwrap().len() <= 25);
                assert!(chars(&o["label"]) <= 100 && chars(&o["value"]) <= 100);
            }
        }
    }
}

pub fn is_ephemeral(data: &Value) -> bool {
    data["flags"].as_u64().unwrap_or(0) & 64 != 0
}

/// No info, warn or error line holds the token, a member's id, or anything a member said.
#[track_caller]
pub fn assert_private(logs: &str, said: &[String]) {
    let loud = logs.lines().filter(|l| {
        [" INFO ", " WARN ", "ERROR "]
            .iter()
            .any(|lv| l.contains(lv))
    });
    for line in loud {
        assert!(!line.contains(FAKE_TOKEN), "token in log: {line}");
        assert!(!line.contains("FAKE-medfaq"), "token part in log: {line}");
        for id in [MEMBER, OTHER_MEMBER] {
            assert!(!line.contains(&id.to_string()), "user id in log: {line}");
        }
        // Single words ("pain") may legitimately appear in entry ids; whole phrases may not.
        for text in said
            .iter()
            .filter(|t| t.contains(' ') && t.chars().count() >= 12)
        {
            assert!(
                !line.contains(text.as_str()),
                "member text {text:?} in log: {line}"
            );
        }
    }
    assert!(
        !logs.contains(FAKE_TOKEN),
        "the token is in the logs at some level"
    );
}

// ---------------------------------------------------------------------------------------------
// A running bot

/// One running bot and its stand-in, remembering what members typed (to check the logs
/// against).
pub struct Harness {
    live: Arc<Live>,
    /// Everything members "typed".
    said: Arc<Mutex<Vec<String>>>,
    /// When set, every interaction's first response must come within this long.
    first_response_within: Option<Duration>,
}

impl std::ops::Deref for Harness {
    type Target = Live;
    fn deref(&self) -> &Live {
        &self.live
    }
}

impl Harness {
    pub fn id(&self) -> u64 {
        self.standin.next_id()
    }

    /// Remembers something a member typed, to check the logs against.
    pub fn remember(&self, text: &str) {
        self.said.lock().unwrap().push(text.to_string());
    }

    /// Dispatches an interaction and returns the body of the bot's first response (checking
    /// that it came in time, when the harness was started with a deadline).
    pub async fn interact(&self, payload: Value) -> Value {
        let id: u64 = payload["id"].as_str().unwrap().parse().unwrap();
        let sent = std::time::Instant::now();
        self.standin.dispatch("INTERACTION_CREATE", payload);
        let callback = self.standin.callback_for(id, WAIT).await;
        if let Some(limit) = self.first_response_within {
            let took = callback.at.duration_since(sent);
            assert!(took < limit, "first response after {took:?}");
        }
        callback.body
    }

    /// Dispatches `/ask` and returns the body of the bot's first response.
    pub async fn ask(
        &self,
        user: u64,
        place: Place,
        question: &str,
        public: Option<bool>,
    ) -> Value {
        self.remember(question);
        let id = self.id();
        self.interact(payloads::ask(id, user, place, question, public))
            .await
    }
}

/// Runs `body` against a freshly started bot (config adjusted by `tweak`; first responses
/// checked against `first_response_within` when set), then checks that no info-or-above log
/// line holds a member's text, a user id or the token, and returns the logs.
pub fn run_harness<F, Fut>(
    tweak: impl FnOnce(&mut Config),
    first_response_within: Option<Duration>,
    body: F,
) -> String
where
    F: FnOnce(Arc<Harness>) -> Fut,
    Fut: Future<Output = ()>,
{
    let said = Arc::new(Mutex::new(Vec::new()));
    let for_body = Arc::clone(&said);
    let text = live::run_with(live::Options::default(), tweak, move |live| async move {
        body(Arc::new(Harness {
            live,
            said: for_body,
            first_response_within,
        }))
        .await;
    });
    let said = said.lock().unwrap().clone();
    assert_private(&text, &said);
    text
}

/// The names of the commands in a list of command definitions, as Discord receives it.
pub fn command_names(commands: &Value) -> Vec<&str> {
    commands
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

/// The commands the bot registers, in order.
pub const COMMAND_NAMES: [&str; 6] = [
    "ask",
    "topics",
    "about",
    "emergency",
    "settings",
    "medfaq-status",
];
