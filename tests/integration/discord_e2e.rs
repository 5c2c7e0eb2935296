//! End to end: the real serenity client running medfaq's handler against the Discord stand-in
//! on loopback.

use std::future::Future;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use medfaq::config::Config;
use medfaq::discord::render;
use medfaq::knowledge::Severity;
use medfaq::Outcome;
use serde_json::{json, Value};

use crate::discord_shared::{
    assert_fits_discord, clarify_question, command_names, confident, expected_entry, is_ephemeral,
    run_harness, Harness, COMMAND_NAMES, DM, GUILD, MEMBER, OTHER_MEMBER,
};
use crate::standin::live::{self, FAKE_TOKEN, WAIT};
use crate::standin::payloads::{self, Place};
use crate::standin::BOT_ID;

impl Harness {
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
/// and checks that no info-or-above log line holds a member's text, a user id or the token;
/// every interaction's first response must come within Discord's 3 seconds.
fn e2e<F, Fut>(tweak: impl FnOnce(&mut Config), body: F) -> String
where
    F: FnOnce(Arc<Harness>) -> Fut,
    Fut: Future<Output = ()>,
{
    run_harness(tweak, Some(Duration::from_secs(3)), move |h| async move {
        let identified = h.standin.identify_token().unwrap_or_default();
        assert_eq!(identified.trim_start_matches("Bot "), FAKE_TOKEN);
        body(h).await;
    })
}

/// The paths and bodies of the PUTs the bot sent, once the one to `last` is in (each
/// registration step follows the one before it).
async fn puts_until(h: &Harness, last: &str) -> Vec<(String, Value)> {
    h.standin
        .wait_request("the last registration call", WAIT, |r| {
            r.method == "PUT" && r.path == last
        })
        .await;
    h.standin
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .map(|r| (r.path, r.body))
        .collect()
}

#[test]
fn e2e_global_registration_is_one_bulk_overwrite_and_clears_leftover_guild_commands() {
    e2e(
        |_| {},
        |h| async move {
            let app = crate::standin::APP_ID;
            let [first, second] = crate::standin::JOINED_GUILDS;
            let puts = puts_until(
                &h,
                &format!("/api/v10/applications/{app}/guilds/{second}/commands"),
            )
            .await;
            let paths: Vec<&str> = puts.iter().map(|(p, _)| p.as_str()).collect();
            assert_eq!(
                paths,
                [
                    format!("/api/v10/applications/{app}/commands"),
                    format!("/api/v10/applications/{app}/guilds/{first}/commands"),
                    format!("/api/v10/applications/{app}/guilds/{second}/commands"),
                ],
                "one global bulk overwrite, then each joined server cleared"
            );
            assert_eq!(command_names(&puts[0].1), COMMAND_NAMES);
            assert_eq!(puts[1].1, json!([]));
            assert_eq!(puts[2].1, json!([]));
            assert!(h.standin.requests().iter().all(|r| r.method != "POST"));

            // With the ids known, "/topics" in a reply is a clickable command mention.
            h.settle(Duration::from_millis(200)).await;
            let body = h
                .ask(
                    MEMBER,
                    DM,
                    "what is the airspeed of an unladen swallow",
                    None,
                )
                .await;
            let description = body["data"]["embeds"][0]["description"].as_str().unwrap();
            assert!(description.contains("</topics:"), "{description:?}");
            assert!(!description.contains(" /topics"), "{description:?}");
        },
    );
}

#[test]
fn e2e_guild_list_registers_per_guild_and_clears_the_global_set() {
    e2e(
        |c| c.bot.guilds = vec![42, 43],
        |h| async move {
            let app = crate::standin::APP_ID;
            let global = format!("/api/v10/applications/{app}/commands");
            let puts = puts_until(&h, &global).await;
            let paths: Vec<&str> = puts.iter().map(|(p, _)| p.as_str()).collect();
            assert_eq!(
                paths,
                [
                    format!("/api/v10/applications/{app}/guilds/42/commands"),
                    format!("/api/v10/applications/{app}/guilds/43/commands"),
                    global.clone(),
                ]
            );
            assert_eq!(
                puts[0].1.as_array().unwrap().len(),
                medfaq::discord::commands::COMMANDS.len()
            );
            assert_eq!(puts[2].1, json!([]), "the global set is cleared");
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
            assert!(
                embed["description"]
                    .as_str()
                    .unwrap()
                    .ends_with(reply.body.as_str()),
                "the answer is the description, after any warning"
            );
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
            let entry = reply.entry_id.as_deref().unwrap();
            let feedback = [
                medfaq::discord::community::ID_HELPFUL,
                medfaq::discord::community::ID_NOT_HELPFUL,
                medfaq::discord::community::ID_REPORT,
            ];
            let expected: Vec<String> = reply
                .related
                .iter()
                .map(|c| format!("{}{}", render::ID_ENTRY, c.entry_id))
                .chain(feedback.iter().map(|p| format!("{p}{entry}")))
                .collect();
            assert_eq!(related, expected, "related entries, then feedback");

            let public = h.ask(MEMBER, GUILD, confident(&h.engine), Some(true)).await;
            assert!(
                !is_ephemeral(&public["data"]),
                "public:true posts in the channel"
            );
        },
    );
}

#[test]
fn e2e_discord_unreachable_at_start_is_retried_until_it_answers() {
    let options = live::Options {
        standin_late: true,
        ..live::Options::default()
    };
    let logs = live::run(options, |live| async move {
        let question = confident(&live.engine);
        let body = live.ask_answered(MEMBER, GUILD, question).await;
        assert_fits_discord(&body["data"]);
        assert_eq!(
            body["data"]["embeds"][0]["title"],
            json!(live.engine.ask(question).reply.title)
        );
    });
    let attempt = logs
        .lines()
        .find(|l| l.contains("could not reach Discord while starting"))
        .expect("a log line per failed attempt");
    assert!(
        attempt.contains("attempt=1") && attempt.contains("WARN"),
        "{attempt}"
    );
    assert!(!attempt.contains(&MEMBER.to_string()) && !attempt.contains(FAKE_TOKEN));
    assert!(logs.contains("reached Discord"), "{logs}");
}

#[test]
fn e2e_danger_warning_is_the_first_thing_in_the_answer() {
    e2e(
        |_| {},
        |h| async move {
            let kb = h.engine.knowledge();
            let danger = kb
                .enabled()
                .find(|e| e.severity == Severity::Danger && e.warning.is_some())
                .expect("the shipped knowledge has a danger entry with a warning");
            let reply = h.engine.entry_reply(&danger.id, None).unwrap();
            let warning = reply.warning.clone().unwrap();
            // Picked from autocomplete, so the entry is answered whatever the matcher does.
            let question = format!("{}{}", medfaq::discord::context::PICKED_PREFIX, danger.id);
            let body = h.ask(MEMBER, GUILD, &question, None).await;
            let data = &body["data"];
            assert_fits_discord(data);
            let embed = &data["embeds"][0];
            let description = embed["description"].as_str().unwrap();
            assert!(
                description.starts_with(&format!("**⛔ Important:** {warning}")),
                "the warning leads the description: {description:?}"
            );
            assert!(description.ends_with(reply.body.as_str()));
            let fields = embed["fields"].as_array().cloned().unwrap_or_default();
            assert!(
                fields.iter().all(|f| f["value"] != json!(warning)),
                "the warning is not repeated as a field below the answer"
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
                json!(medfaq::lang::texts(None).emergency_label)
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
            let first_paragraph = description.split("\n\n").next().unwrap();
            assert!(
                first_paragraph.contains("Samaritans"),
                "the crisis line leads, as a notice or the entry's warning: {description}"
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
