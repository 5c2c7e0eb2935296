//! The Discord adapter: rendering against Discord's limits, real payloads routed through the
//! handler with an in-memory double, and end to end — the real serenity client running
//! medfaq's handler against the Discord stand-in on loopback.

use std::future::Future;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use assert_cmd::Command;
use medfaq::config::Config;
use medfaq::discord::{render, Bot, Recorder, Sent, Settings, SharedEngine};
use medfaq::knowledge::Severity;
use medfaq::reply::{Choice, SourceLink};
use medfaq::{Engine, Outcome, Reply};
use serde_json::{json, Value};
use serenity::model::application::Interaction;
use serenity::model::channel::Message;

use crate::standin::live::{self, copy_dir, repo_knowledge, Live, FAKE_TOKEN, WAIT};
use crate::standin::payloads::{self, Place};
use crate::standin::{StandIn, BOT_ID};

/// A recognisable fake token: it must never show up in a log line.
/// Members in these tests; their ids must never show up in an info log line.
const MEMBER: u64 = 555_000_111_222_333_444;
const OTHER_MEMBER: u64 = 555_000_999_888_777_666;
const GUILD: Place = Place::Guild {
    guild: 700_000_000_000_000_001,
    channel: 700_000_000_000_000_002,
};
const DM: Place = Place::Dm {
    channel: 700_000_000_000_000_003,
};

/// Questions the shipped knowledge should answer with confidence; the tests use the first
/// one that it does (curators tune the knowledge, so no single one is hard-wired).
const CONFIDENT_CANDIDATES: &[&str] = &[
    "can i drink alcohol on naltrexone",
    "can i take percs on vivitrol",
    "what are the side effects of naltrexone",
    "what is naltrexone and how does it work",
    "is naltrexone addictive",
];

/// A question `engine` answers with confidence.
fn confident(engine: &Engine) -> &'static str {
    CONFIDENT_CANDIDATES
        .iter()
        .copied()
        .find(|q| engine.ask(q).outcome == Outcome::Answer)
        .expect("the knowledge answers at least one of the confident questions")
}

/// The shipped knowledge, loaded once for all handler tests.
fn engine() -> Arc<Engine> {
    static ENGINE: std::sync::OnceLock<Arc<Engine>> = std::sync::OnceLock::new();
    Arc::clone(ENGINE.get_or_init(|| {
        Arc::new(Engine::load(&repo_knowledge()).expect("the shipped knowledge loads"))
    }))
}

/// The entry the engine answers `question` with (the test's expectation, computed rather
/// than hard-coded, since curators tune the knowledge).
fn expected_entry(engine: &Engine, question: &str) -> String {
    let r = engine.ask(question);
    assert_eq!(
        r.outcome,
        Outcome::Answer,
        "{question:?} should be answered"
    );
    r.entry_id.expect("an answer names its entry")
}

/// A question the knowledge answers with "did you mean".
fn clarify_question(engine: &Engine) -> &'static str {
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

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// Checks a message body (interaction response data, message or edit) against Discord's
/// limits, and that it pings nobody.
#[track_caller]
fn assert_fits_discord(body: &Value) {
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

fn is_ephemeral(data: &Value) -> bool {
    data["flags"].as_u64().unwrap_or(0) & 64 != 0
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn long_reply() -> Reply {
    Reply {
        outcome: Outcome::Answer,
        title: "A very long title about naltrexone and opioid pain medicines ".repeat(6),
        body: "x".repeat(1200),
        notice: None,
        warning: Some("Never take more opioids to push through the block.".into()),
        severity: Severity::Danger,
        sources: (0..5)
            .map(|i| SourceLink {
                title: format!("Source {i}: {}", "a long source title ".repeat(5)),
                url: format!("https://example.org/{}/{i}", "path/".repeat(10)),
            })
            .collect(),
        disclaimer: "General information, not medical advice.".into(),
        reviewed: Some("2026-11-26".into()),
        entry_id: Some("long-entry".into()),
        related: (0..7)
            .map(|i| Choice {
                entry_id: format!("related-entry-{i}"),
                label: "A related question that is rather long to fit a button label ".repeat(2),
            })
            .collect(),
        choices: Vec::new(),
        kinds: Vec::new(),
    }
    .fit()
}

#[test]
fn long_answer_with_five_sources_fits_discord_limits() {
    let reply = long_reply();
    let data = serde_json::to_value(render::Rendered::reply(&reply).interaction(true)).unwrap();
    assert_fits_discord(&data);
    let embed = &data["embeds"][0];
    assert_eq!(chars(&embed["description"]), 1200, "the answer is not cut");
    let sources = embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Sources")
        .expect("a sources field");
    assert_eq!(
        sources["value"]
            .as_str()
            .unwrap()
            .matches("](https://")
            .count(),
        5
    );
    assert!(embed["footer"]["text"]
        .as_str()
        .unwrap()
        .contains("2026-11-26"));
    assert_eq!(embed["color"], json!(render::COLOUR_DANGER.0));
    assert!(is_ephemeral(&data));
}

#[test]
fn every_builder_disallows_mentions_and_sets_ephemeral_only_when_asked() {
    let reply = long_reply();
    let r = render::Rendered::reply(&reply);
    let public = serde_json::to_value(r.clone().interaction(false)).unwrap();
    assert!(!is_ephemeral(&public));
    assert_fits_discord(&public);
    let message = serde_json::to_value(r.clone().message(None)).unwrap();
    assert_fits_discord(&message);
    assert_eq!(
        message["allowed_mentions"],
        json!({"parse": [], "users": [], "roles": [], "replied_user": false})
    );
    assert_fits_discord(&serde_json::to_value(r.clone().edit()).unwrap());
    assert_fits_discord(&serde_json::to_value(r.update()).unwrap());
}

#[test]
fn clarify_renders_choices_and_none_of_these() {
    let engine = engine();
    let q = clarify_question(&engine);
    let reply = engine.ask(q).reply;
    let data = serde_json::to_value(render::Rendered::reply(&reply).interaction(true)).unwrap();
    assert_fits_discord(&data);
    let row = &data["components"][0]["components"];
    let ids: Vec<&str> = row
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["custom_id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 2 && ids.len() <= 4, "{ids:?}");
    assert_eq!(*ids.last().unwrap(), render::ID_NONE);
    for (id, choice) in ids.iter().zip(&reply.choices) {
        assert_eq!(*id, format!("{}{}", render::ID_PICK, choice.entry_id));
    }
}

#[test]
fn command_definitions_fit_discord_and_work_in_dms() {
    let commands = serde_json::to_value(medfaq::discord::commands::definitions()).unwrap();
    let names: Vec<&str> = commands
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ask", "topics", "about", "emergency"]);
    for c in commands.as_array().unwrap() {
        assert!((1..=100).contains(&chars(&c["description"])), "{c}");
        assert_eq!(c["contexts"], json!([0, 1]), "guilds and bot DMs");
        for o in c["options"].as_array().into_iter().flatten() {
            assert!((1..=100).contains(&chars(&o["description"])), "{o}");
        }
    }
    assert_eq!(commands[0]["options"][0]["autocomplete"], json!(true));
}

// ---------------------------------------------------------------------------------------------
// Real payloads through the handler, with the in-memory double

fn bot_with(settings: Settings) -> (Bot, Recorder) {
    let shared: SharedEngine = Arc::new(ArcSwap::new(engine()));
    let recorder = Recorder::new();
    let bot = Bot::new(shared, recorder.clone(), settings);
    bot.set_user(serenity::model::id::UserId::new(BOT_ID));
    (bot, recorder)
}

fn interaction(v: Value) -> Interaction {
    serde_json::from_value(v).expect("serenity parses the payload")
}

fn message(v: Value) -> Message {
    serde_json::from_value(v).expect("serenity parses the message")
}

#[tokio::test]
async fn slash_ask_payload_is_answered_privately_in_a_guild() {
    let (bot, sent) = bot_with(Settings::default());
    let engine = engine();
    bot.interaction(interaction(payloads::ask(
        1,
        MEMBER,
        GUILD,
        confident(&engine),
        None,
    )))
    .await;
    let sent = sent.take();
    let [Sent::Respond { id: 1, body }] = sent.as_slice() else {
        panic!("one response: {sent:?}")
    };
    assert_eq!(body["type"], 4);
    let data = &body["data"];
    assert_fits_discord(data);
    assert!(is_ephemeral(data));
    let entry = expected_entry(&engine, confident(&engine));
    assert_eq!(
        data["embeds"][0]["title"].as_str().unwrap(),
        engine.entry_reply(&entry, None).unwrap().title
    );
}

#[tokio::test]
async fn public_option_and_dms_are_not_ephemeral() {
    let (bot, sent) = bot_with(Settings::default());
    bot.interaction(interaction(payloads::ask(
        1,
        MEMBER,
        GUILD,
        confident(&engine()),
        Some(true),
    )))
    .await;
    bot.interaction(interaction(payloads::ask(
        2,
        MEMBER,
        DM,
        confident(&engine()),
        None,
    )))
    .await;
    for s in sent.take() {
        assert!(!is_ephemeral(&s.body()["data"]), "{s:?}");
    }
}

#[tokio::test]
async fn autocomplete_offers_titles_and_a_pick_answers_that_entry() {
    let (bot, sent) = bot_with(Settings::default());
    bot.interaction(interaction(payloads::autocomplete(
        1, MEMBER, GUILD, "naltrex",
    )))
    .await;
    let sent_now = sent.take();
    let body = sent_now[0].body();
    assert_eq!(body["type"], 8);
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25);
    for c in choices {
        assert!((1..=100).contains(&chars(&c["name"])));
        assert!(chars(&c["value"]) <= 100);
    }
    let value = choices[0]["value"].as_str().unwrap();
    let picked = value
        .strip_prefix("entry:")
        .expect("the value names the entry");
    let title = engine().entry_reply(picked, None).unwrap().title;
    bot.interaction(interaction(payloads::ask(2, MEMBER, GUILD, value, None)))
        .await;
    let answer = sent.take();
    assert_eq!(answer[0].body()["data"]["embeds"][0]["title"], json!(title));
}

#[tokio::test]
async fn mention_payload_answers_only_the_text_after_the_mention() {
    let (bot, sent) = bot_with(Settings::default());
    let content = format!("<@{BOT_ID}> {}", confident(&engine()));
    bot.message(&message(payloads::message_create(
        10, MEMBER, GUILD, &content, true,
    )))
    .await;
    let sent = sent.take();
    let [Sent::Message { channel, body }] = sent.as_slice() else {
        panic!("one message: {sent:?}")
    };
    assert_eq!(*channel, GUILD.channel());
    assert_fits_discord(body);
    assert_eq!(body["message_reference"]["message_id"], json!("10"));
    assert_eq!(body["allowed_mentions"]["replied_user"], json!(false));
    let e = engine();
    let title = e
        .entry_reply(&expected_entry(&e, confident(&engine())), None)
        .unwrap()
        .title;
    assert_eq!(body["embeds"][0]["title"], json!(title));
}

#[tokio::test]
async fn messages_without_a_mention_from_bots_or_with_mentions_off_are_ignored() {
    let (bot, sent) = bot_with(Settings::default());
    bot.message(&message(payloads::message_create(
        10,
        MEMBER,
        GUILD,
        confident(&engine()),
        false,
    )))
    .await;
    let mut from_bot = payloads::message_create(11, MEMBER, DM, confident(&engine()), false);
    from_bot["author"]["bot"] = json!(true);
    bot.message(&message(from_bot)).await;
    assert!(sent.take().is_empty());
    let (quiet, sent) = bot_with(Settings {
        answer_mentions: false,
        ..Settings::default()
    });
    let content = format!("<@{BOT_ID}> {}", confident(&engine()));
    quiet
        .message(&message(payloads::message_create(
            12, MEMBER, GUILD, &content, true,
        )))
        .await;
    assert!(sent.take().is_empty());
}

#[tokio::test]
async fn topics_menu_leads_to_entries_then_to_the_answer() {
    let (bot, sent) = bot_with(Settings::default());
    bot.interaction(interaction(payloads::command(
        1,
        MEMBER,
        GUILD,
        "topics",
        vec![],
    )))
    .await;
    let first = sent.take();
    let data = &first[0].body()["data"];
    assert_fits_discord(data);
    let menu = &data["components"][0]["components"][0];
    assert_eq!(menu["custom_id"], render::ID_TOPICS);
    let topic = menu["options"][0]["value"].as_str().unwrap().to_string();
    bot.interaction(interaction(payloads::select(
        2,
        MEMBER,
        GUILD,
        render::ID_TOPICS,
        &topic,
        64,
    )))
    .await;
    let second = sent.take();
    assert_eq!(second[0].body()["type"], 7, "updates the menu message");
    let menu = &second[0].body()["data"]["components"][0]["components"][0];
    assert_eq!(menu["custom_id"], render::ID_TOPIC_ENTRY);
    let entry = menu["options"][0]["value"].as_str().unwrap().to_string();
    bot.interaction(interaction(payloads::select(
        3,
        MEMBER,
        GUILD,
        render::ID_TOPIC_ENTRY,
        &entry,
        64,
    )))
    .await;
    let third = sent.take();
    let title = engine().entry_reply(&entry, None).unwrap().title;
    assert_eq!(third[0].body()["data"]["embeds"][0]["title"], json!(title));
    assert_fits_discord(&third[0].body()["data"]);
}

#[tokio::test]
async fn about_and_emergency_commands_answer() {
    let (bot, sent) = bot_with(Settings::default());
    bot.interaction(interaction(payloads::command(
        1,
        MEMBER,
        GUILD,
        "about",
        vec![],
    )))
    .await;
    bot.interaction(interaction(payloads::command(
        2,
        MEMBER,
        DM,
        "emergency",
        vec![],
    )))
    .await;
    let sent = sent.take();
    let about = &sent[0].body()["data"];
    assert_fits_discord(about);
    let text = about["embeds"][0]["description"].as_str().unwrap();
    let e = engine();
    assert!(text.contains(&format!("{} entries", e.knowledge().enabled().count())));
    assert!(text.contains("stores nothing"));
    let emergency = &sent[1].body()["data"];
    assert_fits_discord(emergency);
    let region = e.knowledge().region(None);
    assert!(emergency["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .contains(&region.emergency));
}

#[tokio::test]
async fn rate_limit_slows_a_member_down_but_never_an_emergency() {
    let (bot, sent) = bot_with(Settings {
        rate_limit_per_minute: 2,
        ..Settings::default()
    });
    for id in 1..=3 {
        bot.interaction(interaction(payloads::ask(
            id,
            MEMBER,
            GUILD,
            confident(&engine()),
            Some(true),
        )))
        .await;
    }
    bot.interaction(interaction(payloads::ask(
        4,
        MEMBER,
        GUILD,
        "my friend is not breathing",
        Some(true),
    )))
    .await;
    bot.interaction(interaction(payloads::ask(
        5,
        OTHER_MEMBER,
        GUILD,
        confident(&engine()),
        None,
    )))
    .await;
    let sent = sent.take();
    let titles: Vec<String> = sent
        .iter()
        .map(|s| {
            s.body()["data"]["embeds"][0]["title"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_ne!(titles[0], "Please slow down a little");
    assert_ne!(titles[1], "Please slow down a little");
    assert_eq!(titles[2], "Please slow down a little");
    assert!(
        is_ephemeral(&sent[2].body()["data"]),
        "the slow-down is private"
    );
    assert_eq!(
        titles[3],
        engine().ask("my friend is not breathing").reply.title,
        "an emergency is answered past the limit"
    );
    assert_ne!(
        titles[4], "Please slow down a little",
        "limits are per member"
    );
}

// ---------------------------------------------------------------------------------------------
// End to end: the real serenity client against the stand-in

/// One running bot and its stand-in, remembering what members said.
struct Harness {
    live: Arc<Live>,
    /// Everything members "typed", to check the logs against.
    said: Arc<Mutex<Vec<String>>>,
}

impl std::ops::Deref for Harness {
    type Target = Live;
    fn deref(&self) -> &Live {
        &self.live
    }
}

impl Harness {
    fn id(&self) -> u64 {
        self.standin.next_id()
    }

    fn remember(&self, text: &str) {
        self.said.lock().unwrap().push(text.to_string());
    }

    /// Dispatches `/ask` and returns the callback body.
    async fn ask(&self, user: u64, place: Place, question: &str, public: Option<bool>) -> Value {
        self.remember(question);
        let id = self.id();
        self.interact(payloads::ask(id, user, place, question, public))
            .await
    }

    /// Dispatches an interaction and returns the callback body, checking that it came
    /// within Discord's 3 seconds.
    async fn interact(&self, payload: Value) -> Value {
        let id: u64 = payload["id"].as_str().unwrap().parse().unwrap();
        let sent = std::time::Instant::now();
        self.standin.dispatch("INTERACTION_CREATE", payload);
        let callback = self.standin.callback_for(id, WAIT).await;
        let took = callback.at.duration_since(sent);
        assert!(
            took < Duration::from_secs(3),
            "first response after {took:?}"
        );
        callback.body
    }

    /// Sends a message and returns what the bot posted in that channel.
    async fn say(&self, user: u64, place: Place, content: &str, mentions_bot: bool) -> Value {
        self.remember(content);
        let since = self.standin.requests().len();
        let id = self.id();
        self.standin.dispatch(
            "MESSAGE_CREATE",
            payloads::message_create(id, user, place, content, mentions_bot),
        );
        self.standin
            .message_in(place.channel(), since, WAIT)
            .await
            .body
    }
}

/// Runs `body` against a freshly started bot, then shuts it down, checks it stopped cleanly,
/// and checks that no info-or-above log line holds a member's text, a user id or the token.
fn e2e<F, Fut>(tweak: impl FnOnce(&mut Config), body: F) -> String
where
    F: FnOnce(Arc<Harness>) -> Fut,
    Fut: Future<Output = ()>,
{
    let said = Arc::new(Mutex::new(Vec::new()));
    let for_body = Arc::clone(&said);
    let text = live::run_with(live::Options::default(), tweak, move |live| async move {
        let identified = live.standin.identify_token().unwrap_or_default();
        assert_eq!(identified.trim_start_matches("Bot "), FAKE_TOKEN);
        body(Arc::new(Harness {
            live,
            said: for_body,
        }))
        .await;
    });
    let said = said.lock().unwrap().clone();
    assert_private(&text, &said);
    text
}

/// No info, warn or error line holds the token, a member's id, or anything a member said.
#[track_caller]
fn assert_private(logs: &str, said: &[String]) {
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

#[test]
fn e2e_registers_commands_with_one_bulk_overwrite() {
    e2e(
        |_| {},
        |h| async move {
            let puts: Vec<_> = h
                .standin
                .requests()
                .into_iter()
                .filter(|r| r.method == "PUT")
                .collect();
            assert_eq!(puts.len(), 1, "one bulk overwrite");
            assert!(puts[0].path.ends_with(&format!(
                "/applications/{}/commands",
                crate::standin::APP_ID
            )));
            let names: Vec<&str> = puts[0]
                .body
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["ask", "topics", "about", "emergency"]);
            assert!(h.standin.requests().iter().all(|r| r.method != "POST"));
        },
    );
}

#[test]
fn e2e_guild_list_registers_per_guild() {
    e2e(
        |c| c.bot.guilds = vec![42, 43],
        |h| async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let paths: Vec<String> = h
                .standin
                .requests()
                .into_iter()
                .filter(|r| r.method == "PUT")
                .map(|r| r.path)
                .collect();
            let app = crate::standin::APP_ID;
            assert_eq!(
                paths,
                [
                    format!("/api/v10/applications/{app}/guilds/42/commands"),
                    format!("/api/v10/applications/{app}/guilds/43/commands"),
                ]
            );
        },
    );
}

#[test]
fn e2e_ask_answers_with_the_entry_embed() {
    e2e(
        |_| {},
        |h| async move {
            let entry = expected_entry(&h.engine, confident(&h.engine));
            let reply = h.engine.entry_reply(&entry, None).unwrap();
            let body = h.ask(MEMBER, GUILD, confident(&h.engine), None).await;
            assert_eq!(body["type"], 4);
            let data = &body["data"];
            assert_fits_discord(data);
            assert_eq!(data["flags"], json!(64), "private in a guild by default");
            assert_eq!(
                data["allowed_mentions"],
                json!({"parse": [], "users": [], "roles": [], "replied_user": false})
            );
            let embed = &data["embeds"][0];
            assert_eq!(embed["title"], json!(reply.title));
            assert_eq!(embed["description"], json!(reply.body));
            assert_eq!(embed["footer"]["text"], json!(reply.footer()));
            assert!(embed["footer"]["text"]
                .as_str()
                .unwrap()
                .contains(&h.engine.knowledge().safety.disclaimer));
            if !reply.sources.is_empty() {
                let sources = embed["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["name"] == "Sources")
                    .expect("a sources field");
                assert_eq!(sources["value"], json!(reply.sources_markdown()));
            }
            assert_eq!(embed["color"], json!(render::colour(reply.severity).0));
            let related: Vec<String> = data["components"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|row| row["components"].as_array().unwrap().clone())
                .map(|b| b["custom_id"].as_str().unwrap().to_string())
                .collect();
            let expected: Vec<String> = reply
                .related
                .iter()
                .map(|c| format!("{}{}", render::ID_ENTRY, c.entry_id))
                .collect();
            assert_eq!(related, expected);

            let public = h.ask(MEMBER, GUILD, confident(&h.engine), Some(true)).await;
            assert!(
                !is_ephemeral(&public["data"]),
                "public:true posts in the channel"
            );
        },
    );
}

#[test]
fn e2e_autocomplete_then_the_picked_entry() {
    e2e(
        |_| {},
        |h| async move {
            let id = h.id();
            let body = h
                .interact(payloads::autocomplete(
                    id,
                    MEMBER,
                    GUILD,
                    "naltrexone and alc",
                ))
                .await;
            assert_eq!(body["type"], 8);
            let choices = body["data"]["choices"].as_array().unwrap();
            assert!(!choices.is_empty() && choices.len() <= 25);
            let expected: Vec<String> = h
                .engine
                .suggest("naltrexone and alc", 25)
                .choices
                .into_iter()
                .map(|c| c.label)
                .collect();
            let names: Vec<&str> = choices
                .iter()
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, expected);
            let value = choices[0]["value"].as_str().unwrap();
            let entry = value.strip_prefix("entry:").unwrap();
            let answer = h.ask(MEMBER, GUILD, value, None).await;
            assert_eq!(
                answer["data"]["embeds"][0]["title"],
                json!(h.engine.entry_reply(entry, None).unwrap().title)
            );
        },
    );
}

#[test]
fn e2e_clarify_then_a_button_press_answers() {
    e2e(
        |_| {},
        |h| async move {
            let q = clarify_question(&h.engine);
            let expected = h.engine.ask(q).reply;
            let body = h.ask(MEMBER, GUILD, q, None).await;
            assert_fits_discord(&body["data"]);
            assert_eq!(body["data"]["embeds"][0]["title"], json!(expected.title));
            let pick = body["data"]["components"][0]["components"][0]["custom_id"]
                .as_str()
                .unwrap()
                .to_string();
            let entry = pick.strip_prefix(render::ID_PICK).unwrap().to_string();
            assert_eq!(entry, expected.choices[0].entry_id);
            // The did-you-mean was private, so the answer replaces it.
            let id = h.id();
            let pressed = h
                .interact(payloads::button(id, MEMBER, GUILD, &pick, 64))
                .await;
            assert_eq!(pressed["type"], 7);
            assert_fits_discord(&pressed["data"]);
            assert_eq!(
                pressed["data"]["embeds"][0]["title"],
                json!(h.engine.entry_reply(&entry, None).unwrap().title)
            );
            let id = h.id();
            let none = h
                .interact(payloads::button(id, MEMBER, GUILD, render::ID_NONE, 64))
                .await;
            assert!(none["data"]["embeds"][0]["description"]
                .as_str()
                .unwrap()
                .contains("/topics"));
        },
    );
}

#[test]
fn e2e_dm_is_answered_like_ask_and_greetings_get_an_intro() {
    e2e(
        |_| {},
        |h| async move {
            let entry = expected_entry(&h.engine, confident(&h.engine));
            let body = h.say(MEMBER, DM, confident(&h.engine), false).await;
            assert_fits_discord(&body);
            assert_eq!(
                body["embeds"][0]["title"],
                json!(h.engine.entry_reply(&entry, None).unwrap().title)
            );
            assert!(body.get("message_reference").is_none());
            let hello = h.say(MEMBER, DM, "hi", false).await;
            assert_fits_discord(&hello);
            assert!(hello["embeds"][0]["description"]
                .as_str()
                .unwrap()
                .contains("/topics"));
        },
    );
}

#[test]
fn e2e_guild_mention_is_answered_as_a_reply() {
    e2e(
        |_| {},
        |h| async move {
            let entry = expected_entry(&h.engine, confident(&h.engine));
            let content = format!("<@{BOT_ID}> {}", confident(&h.engine));
            let body = h.say(MEMBER, GUILD, &content, true).await;
            assert_fits_discord(&body);
            assert_eq!(
                body["embeds"][0]["title"],
                json!(h.engine.entry_reply(&entry, None).unwrap().title)
            );
            assert!(body["message_reference"]["message_id"].is_string());
            assert_eq!(body["allowed_mentions"]["replied_user"], json!(false));
        },
    );
}

#[test]
fn e2e_emergency_message_leads_with_emergency_help() {
    e2e(
        |_| {},
        |h| async move {
            let text = "my friend took too much and is not breathing";
            assert_eq!(h.engine.ask(text).outcome, Outcome::Emergency);
            let region = h.engine.knowledge().region(None).clone();
            let body = h.say(MEMBER, DM, text, false).await;
            assert_fits_discord(&body);
            let title = body["embeds"][0]["title"].as_str().unwrap();
            assert!(title.contains(&region.emergency), "{title}");
            let description = body["embeds"][0]["description"].as_str().unwrap();
            assert!(
                description.starts_with(&format!("**Call {} now**", region.emergency)),
                "{description}"
            );
            assert_eq!(
                description.matches(region.emergency.as_str()).count(),
                1,
                "the body names the emergency number once: {description}"
            );
            assert!(body["components"].as_array().is_none_or(Vec::is_empty));
            assert_eq!(body["embeds"][0]["color"], json!(render::COLOUR_DANGER.0));
        },
    );
}

/// Typing an emergency into `/ask` offers emergency help first, and whichever suggestion the
/// member picks, the answer is the emergency reply, never the entry the title names.
#[test]
fn e2e_autocomplete_on_an_emergency_offers_help_first_and_any_pick_leads_to_it() {
    e2e(
        |_| {},
        |h| async move {
            let typed = "i want to kill myself";
            let emergency = h.engine.ask(typed).reply;
            assert_eq!(emergency.outcome, Outcome::Emergency);
            let id = h.id();
            let body = h
                .interact(payloads::autocomplete(id, MEMBER, GUILD, typed))
                .await;
            assert_eq!(body["type"], 8);
            let choices = body["data"]["choices"].as_array().unwrap().clone();
            assert!(choices.len() > 1, "entry titles still follow: {choices:?}");
            assert_eq!(
                choices[0]["name"],
                json!(medfaq::discord::ask::EMERGENCY_LABEL)
            );
            for (i, choice) in choices.iter().enumerate() {
                let value = choice["value"].as_str().unwrap();
                assert!(value.starts_with("emergency:"), "{value}");
                // Picking the first, a middle and the last suggestion.
                if i == 0 || i == choices.len() / 2 || i == choices.len() - 1 {
                    let answer = h.ask(MEMBER, GUILD, value, None).await;
                    assert_fits_discord(&answer["data"]);
                    assert_eq!(
                        answer["data"]["embeds"][0]["title"],
                        json!(emergency.title),
                        "picking {:?}",
                        choice["name"]
                    );
                }
            }
        },
    );
}

/// A server in the UK sees its own lines: Samaritans in a crisis notice above the answer,
/// and no US number anywhere.
#[test]
fn e2e_uk_region_shows_uk_lines_and_no_us_number() {
    e2e(
        |c| c.bot.region = Some("UK".into()),
        |h| async move {
            let q = "can naltrexone cause depression or suicidal thoughts";
            let body = h.ask(MEMBER, GUILD, q, None).await;
            assert_fits_discord(&body["data"]);
            let text = body["data"].to_string();
            assert!(text.contains("Samaritans"), "{text}");
            for us in ["988", "911"] {
                assert!(
                    !text.contains(us),
                    "a US number ({us}) in a UK reply: {text}"
                );
            }
            let description = body["data"]["embeds"][0]["description"].as_str().unwrap();
            assert!(
                description.starts_with("**☎"),
                "the crisis line leads: {description}"
            );
            let emergency = h.ask(MEMBER, GUILD, "he is not breathing", None).await;
            let text = emergency["data"].to_string();
            assert!(text.contains("999") && !text.contains("911"), "{text}");
        },
    );
}

#[test]
fn e2e_rate_limit_answers_with_a_private_slow_down() {
    e2e(
        |c| c.bot.rate_limit_per_minute = 2,
        |h| async move {
            for _ in 0..2 {
                let ok = h.ask(MEMBER, GUILD, confident(&h.engine), Some(true)).await;
                assert_ne!(
                    ok["data"]["embeds"][0]["title"],
                    "Please slow down a little"
                );
            }
            let slow = h.ask(MEMBER, GUILD, confident(&h.engine), Some(true)).await;
            assert_eq!(
                slow["data"]["embeds"][0]["title"],
                "Please slow down a little"
            );
            assert!(is_ephemeral(&slow["data"]));
            assert_fits_discord(&slow["data"]);
            let dm = h.say(MEMBER, DM, confident(&h.engine), false).await;
            assert_eq!(dm["embeds"][0]["title"], "Please slow down a little");
        },
    );
}

const CANARY: &str = r#"
- id: zz-reload-canary
  topic: Naltrexone
  severity: info
  questions:
    - What does the xylophone canary entry say?
    - xylophone canary
    - tell me about the xylophone canary
  answer: This entry exists only while the reload test runs.
  sources: [medlineplus-naltrexone]
  reviewed: 2026-11-26
"#;

#[test]
fn e2e_knowledge_reload_swaps_good_edits_and_survives_broken_ones() {
    let logs = e2e(
        |_| {},
        |h| async move {
            let entries = h.knowledge.join("entries");
            // A broken file: the reload is refused with file and line, and answers go on.
            std::fs::write(
                entries.join("zz-broken.yaml"),
                "- id: broken\n  topic: [unclosed\n",
            )
            .unwrap();
            h.wait_log("knowledge file problem").await;
            let entry = expected_entry(&h.engine, confident(&h.engine));
            let body = h.ask(MEMBER, GUILD, confident(&h.engine), None).await;
            assert_eq!(
                body["data"]["embeds"][0]["title"],
                json!(h.engine.entry_reply(&entry, None).unwrap().title)
            );
            // Fix it and add an entry: the new set is swapped in.
            std::fs::remove_file(entries.join("zz-broken.yaml")).unwrap();
            let mut f = std::fs::File::create(entries.join("zz-canary.yaml")).unwrap();
            f.write_all(CANARY.as_bytes()).unwrap();
            drop(f);
            h.wait_log("knowledge reloaded").await;
            let body = h
                .ask(
                    MEMBER,
                    GUILD,
                    "what does the xylophone canary entry say",
                    None,
                )
                .await;
            assert_eq!(
                body["data"]["embeds"][0]["description"],
                json!("This entry exists only while the reload test runs.")
            );
        },
    );
    let problem = logs
        .lines()
        .find(|l| l.contains("knowledge file problem"))
        .unwrap();
    assert!(problem.contains("ERROR"), "{problem}");
    assert!(
        problem.contains("zz-broken.yaml"),
        "names the file: {problem}"
    );
    let line = problem.split("zz-broken.yaml:").nth(1).unwrap_or_default();
    assert!(
        line.starts_with(|c: char| c.is_ascii_digit()),
        "names the line: {problem}"
    );
}

#[test]
fn e2e_logs_hold_no_member_text_user_id_or_token() {
    let logs = e2e(
        |_| {},
        |h| async move {
            h.ask(
                MEMBER,
                GUILD,
                "zebra-canary question about naltrexone and wine",
                None,
            )
            .await;
            h.ask(OTHER_MEMBER, DM, confident(&h.engine), None).await;
            h.say(
                MEMBER,
                DM,
                "zebra-canary dm: can i take percs on vivitrol",
                false,
            )
            .await;
            let content = format!("<@{BOT_ID}> zebra-canary mention about codeine");
            h.say(OTHER_MEMBER, GUILD, &content, true).await;
            let id = h.id();
            h.interact(payloads::autocomplete(
                id,
                MEMBER,
                GUILD,
                "zebra-canary partial",
            ))
            .await;
        },
    );
    // assert_private ran inside e2e; the log did record the questions' outcomes.
    assert!(logs.matches("question answered").count() >= 4, "{logs}");
    assert!(
        !logs.contains("zebra-canary"),
        "member text at any level:\n{logs}"
    );
}

// ---------------------------------------------------------------------------------------------
// Start-up errors

#[test]
fn serve_without_token_exits_2_naming_discord_token() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("medfaq")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("DISCORD_TOKEN")
        .args(["--knowledge", repo_knowledge().to_str().unwrap(), "serve"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("DISCORD_TOKEN"));
}

#[test]
fn serve_refuses_a_token_in_the_config_and_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[bot]\ntoken = \"abc-secret\"\n").unwrap();
    let out = Command::cargo_bin("medfaq")
        .unwrap()
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", FAKE_TOKEN)
        .args(["--knowledge", repo_knowledge().to_str().unwrap(), "serve"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bot.token"))
        .stderr(predicates::str::contains("DISCORD_TOKEN"))
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("abc-secret") && !stderr.contains(FAKE_TOKEN));
    std::fs::write(&config, "[bot]\nanswers_pubic = true\n").unwrap();
    Command::cargo_bin("medfaq")
        .unwrap()
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", FAKE_TOKEN)
        .args(["--knowledge", repo_knowledge().to_str().unwrap(), "serve"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("answers_pubic"));
}

#[test]
fn serve_with_broken_knowledge_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_knowledge(), dir.path());
    std::fs::write(dir.path().join("entries/zz.yaml"), "- id: [\n").unwrap();
    Command::cargo_bin("medfaq")
        .unwrap()
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", FAKE_TOKEN)
        .args(["--knowledge", dir.path().to_str().unwrap(), "serve"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("zz.yaml"));
}

/// The real executable: config file, token from the environment, a DM answered through the
/// stand-in, then SIGTERM → a clean exit 0, with nothing private in its log.
#[cfg(unix)]
#[test]
fn binary_answers_a_dm_and_exits_0_on_sigterm() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let standin = StandIn::start().await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            format!(
                "[bot]\nknowledge = {:?}\nlog_level = \"info\"\n\n[discord]\napi_url = {:?}\n",
                repo_knowledge().to_str().unwrap(),
                standin.api_url
            ),
        )
        .unwrap();
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("medfaq"))
            .current_dir(dir.path())
            .env("DISCORD_TOKEN", FAKE_TOKEN)
            .env_remove("RUST_LOG")
            .arg("serve")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let output = tokio::task::spawn_blocking(move || child.wait_with_output());
        standin.wait_identified(WAIT).await;
        standin
            .wait_request("command registration", WAIT, |r| r.method == "PUT")
            .await;
        let question = "zebra-canary can i take percs on vivitrol";
        let since = standin.requests().len();
        standin.dispatch(
            "MESSAGE_CREATE",
            payloads::message_create(standin.next_id(), MEMBER, DM, question, false),
        );
        let answer = standin.message_in(DM.channel(), since, WAIT).await;
        assert_fits_discord(&answer.body);
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let output = tokio::time::timeout(WAIT, output)
            .await
            .expect("medfaq exits after SIGTERM")
            .unwrap()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("question answered"), "{stderr}");
        assert!(stderr.contains("SIGTERM received"), "{stderr}");
        assert_private(&stderr, &[question.to_string()]);
        assert!(!stderr.contains("zebra-canary"), "{stderr}");
    });
}
