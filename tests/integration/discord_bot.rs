//! Real Discord payloads through the bot's router and handlers, answered into the in-memory
//! [`Recorder`](medfaq::discord::Recorder).

use std::sync::Arc;

use arc_swap::ArcSwap;
use medfaq::discord::{render, Bot, Recorder, Sent, Settings, SharedEngine};
use serde_json::{json, Value};
use serenity::model::application::Interaction;
use serenity::model::channel::Message;

use crate::discord_shared::{
    assert_fits_discord, chars, confident, engine, expected_entry, is_ephemeral, DM, GUILD, MEMBER,
    OTHER_MEMBER,
};
use crate::standin::payloads;
use crate::standin::BOT_ID;

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
    let back = &second[0].body()["data"]["components"][1]["components"][0];
    assert_eq!(back["custom_id"], render::ID_BACK, "a Back button");
    let entry = menu["options"][0]["value"].as_str().unwrap().to_string();
    bot.interaction(interaction(payloads::button(
        20,
        MEMBER,
        GUILD,
        render::ID_BACK,
        64,
    )))
    .await;
    let back = sent.take();
    assert_eq!(
        back[0].body()["type"],
        7,
        "Back replaces the topic's questions"
    );
    assert_eq!(
        back[0].body()["data"]["components"][0]["components"][0]["custom_id"],
        render::ID_TOPICS
    );
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
    assert!(text.contains("never keeps who"), "{text}");
    let oldest = e.knowledge().oldest_reviewed().unwrap();
    assert!(
        text.contains(&format!("reviewed between {oldest} and")),
        "{text}"
    );
    assert!(text.contains("unanswered-question log"), "{text}");
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

#[tokio::test]
async fn no_match_and_none_of_these_offer_browse_topics_which_opens_the_menu() {
    let (bot, sent) = bot_with(Settings::default());
    bot.interaction(interaction(payloads::ask(
        1,
        MEMBER,
        DM,
        "what is the airspeed of an unladen swallow",
        None,
    )))
    .await;
    bot.interaction(interaction(payloads::button(
        2,
        MEMBER,
        DM,
        render::ID_NONE,
        0,
    )))
    .await;
    for answer in sent.take() {
        let data = &answer.body()["data"];
        assert_fits_discord(data);
        let ids: Vec<&str> = data["components"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["components"].as_array().unwrap())
            .map(|b| b["custom_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [render::ID_BROWSE, medfaq::discord::community::ID_REPORT],
            "browse topics, and a report under \"I don't have an answer\": {data}"
        );
    }
    bot.interaction(interaction(payloads::button(
        3,
        MEMBER,
        DM,
        render::ID_BROWSE,
        0,
    )))
    .await;
    let menu = sent.take();
    assert_eq!(menu[0].body()["type"], 4, "a new message; the answer stays");
    assert_eq!(
        menu[0].body()["data"]["components"][0]["components"][0]["custom_id"],
        render::ID_TOPICS
    );
}

#[test]
fn greeting_examples_come_from_different_topics() {
    let engine = engine();
    let examples = medfaq::discord::messages::examples(&engine);
    assert_eq!(examples.len(), medfaq::discord::messages::EXAMPLES);
    let topics: Vec<&str> = examples
        .iter()
        .map(|t| {
            engine
                .knowledge()
                .enabled()
                .find(|e| e.title() == t)
                .unwrap()
                .topic
                .as_str()
        })
        .collect();
    let mut distinct = topics.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), topics.len(), "{topics:?}");
}
