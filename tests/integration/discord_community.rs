//! End to end, the community tools on real storage: the real serenity client running medfaq
//! against the Discord stand-in, with the bot's SQLite store read back directly. `/settings`
//! changes what the next reply shows, the moderator button posts one notice with one role
//! ping, feedback and reports land in storage without a user id, a server that did not opt
//! in keeps no member's words, and leaving a server deletes what is stored about it.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use medfaq::config::{Config, StorageLocation};
use medfaq::discord::community::{
    ID_HELP, ID_HELPFUL, ID_REPORT, ID_REPORT_COMMENT, ID_REPORT_FORM,
};
use medfaq::{Engine, Outcome};
use serde_json::{json, Value};

use crate::discord_shared::{
    assert_fits_discord, clarify_question, confident, is_ephemeral, run_harness, Harness, DM,
};
use crate::discord_shared::{MEMBER, OTHER_MEMBER};
use crate::standin::live::{self, WAIT};
use crate::standin::payloads::{self, Place};
use medfaq::discord::render;

/// The server of these tests.
const GUILD_ID: u64 = 720_000_000_000_000_001;
/// A channel in it where members ask.
const GUILD: Place = Place::Guild {
    guild: GUILD_ID,
    channel: 720_000_000_000_000_002,
};
/// The moderators' channel.
const MOD_CHANNEL: u64 = 720_000_000_000_000_003;
/// The moderators' role.
const MOD_ROLE: u64 = 720_000_000_000_000_004;
/// A question nothing curated answers, and that should never be stored unless the server
/// opted in.
pub const NO_ANSWER: &str = "what is the airspeed of an unladen swallow";

/// A question the shipped knowledge answers with an emergency reply.
pub fn emergency_question(engine: &Engine) -> &'static str {
    [
        "my friend took too many pills and won't wake up",
        "he is not breathing after using fentanyl",
        "i think i am overdosing",
        "someone overdosed and is unresponsive",
    ]
    .into_iter()
    .find(|q| engine.ask(q).outcome == Outcome::Emergency)
    .expect("the knowledge answers one of these with an emergency reply")
}

impl Harness {
    async fn settings(&self, sub: &str, options: Vec<Value>) -> Value {
        let id = self.standin.next_id();
        let body = self
            .interact(payloads::settings(id, MEMBER, GUILD, sub, options))
            .await;
        assert!(is_ephemeral(&body["data"]), "settings are shown privately");
        assert_fits_discord(&body["data"]);
        body
    }

    async fn press(&self, user: u64, place: Place, custom_id: &str) -> Value {
        let id = self.standin.next_id();
        self.interact(payloads::button(id, user, place, custom_id, 64))
            .await
    }

    /// The bot's SQLite store, after everything queued has been written.
    async fn db(&self) -> rusqlite::Connection {
        self.storage.flush().await;
        let StorageLocation::Sqlite(path) = &self.store else {
            panic!("these tests read an SQLite store")
        };
        rusqlite::Connection::open(path).expect("the store opens for reading")
    }
}

/// Runs `body` against a fresh bot (config adjusted by `tweak`) and checks its logs kept no
/// member's words or ids.
fn community<F, Fut>(tweak: impl FnOnce(&mut Config), body: F)
where
    F: FnOnce(Arc<Harness>) -> Fut,
    Fut: Future<Output = ()>,
{
    run_harness(tweak, None, body);
}

/// Every value in every table of the store, as text.
pub fn dump(db: &rusqlite::Connection) -> Vec<String> {
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut values = Vec::new();
    for table in tables {
        let mut stmt = db.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                use rusqlite::types::ValueRef;
                values.push(match row.get_ref(i).unwrap() {
                    ValueRef::Null => String::new(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Real(x) => x.to_string(),
                    ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into(),
                });
            }
        }
    }
    values
}

/// A feedback row: entry id, outcome, comment, region, server.
type FeedbackRow = (
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

pub fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The custom ids of the components on a response.
pub fn custom_ids(body: &Value) -> Vec<String> {
    body["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().unwrap().clone())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The text of a response's embeds (titles, descriptions, fields, footers) as one string.
pub fn shown(body: &Value) -> String {
    body["data"]["embeds"].to_string()
}

pub fn string_option(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

pub fn bool_option(name: &str, value: bool) -> Value {
    json!({"name": name, "type": 5, "value": value})
}

#[test]
fn community_settings_region_changes_the_next_emergency_reply() {
    community(
        |_| {},
        |h| async move {
            let question = emergency_question(&h.engine);
            let before = h.ask(MEMBER, GUILD, question, None).await;
            assert!(shown(&before).contains("988"), "US lines by default");

            let set = h
                .settings("region", vec![string_option("region", "uk")])
                .await;
            let card = shown(&set);
            assert!(card.contains("Saved."), "{card}");
            assert!(card.contains("United Kingdom (UK)"), "{card}");

            let after = h.ask(OTHER_MEMBER, GUILD, question, None).await;
            let text = shown(&after);
            assert!(text.contains("999"), "UK emergency number: {text}");
            assert!(!text.contains("988"), "no US crisis line: {text}");
            assert!(!text.contains("911"), "no US emergency number: {text}");

            // A DM is not in the server: the defaults still apply there.
            let dm = h.ask(MEMBER, DM, question, None).await;
            assert!(shown(&dm).contains("988"));

            let db = h.db().await;
            assert_eq!(
                count(
                    &db,
                    "SELECT COUNT(*) FROM guild_settings WHERE region = 'UK'"
                ),
                1
            );

            // A region the knowledge does not have is refused, and nothing changes.
            let refused = h
                .settings("region", vec![string_option("region", "Atlantis")])
                .await;
            assert!(shown(&refused).contains("Unknown region"), "{refused}");
            let shown_now = h.settings("show", vec![]).await;
            assert!(shown(&shown_now).contains("United Kingdom (UK)"));
        },
    );
}

#[test]
fn community_moderator_button_posts_one_notice_with_one_role_ping() {
    community(
        |_| {},
        |h| async move {
            let question = emergency_question(&h.engine);
            let before = h.ask(MEMBER, GUILD, question, None).await;
            assert!(
                !custom_ids(&before).iter().any(|id| id.starts_with(ID_HELP)),
                "no button before a moderator channel is set"
            );

            h.settings(
                "moderators",
                vec![
                    json!({"name": "channel", "type": 7, "value": MOD_CHANNEL.to_string()}),
                    json!({"name": "role", "type": 8, "value": MOD_ROLE.to_string()}),
                ],
            )
            .await;
            let since = h.standin.requests().len();
            let reply = h.ask(MEMBER, GUILD, question, None).await;
            assert_fits_discord(&reply["data"]);
            let button = custom_ids(&reply)
                .into_iter()
                .find(|id| id.starts_with(ID_HELP))
                .expect("the emergency reply carries the moderator button");
            let channel_path = format!("/api/v10/channels/{MOD_CHANNEL}/messages");
            let posted = |h: &Harness| {
                h.standin
                    .requests()
                    .into_iter()
                    .skip(since)
                    .filter(|r| r.method == "POST" && r.path == channel_path)
                    .collect::<Vec<_>>()
            };
            h.settle(Duration::from_millis(200)).await;
            assert!(posted(&h).is_empty(), "nothing leaves without a press");

            let answer = h.press(MEMBER, GUILD, &button).await;
            assert!(is_ephemeral(&answer["data"]), "only the member is told");
            assert!(
                shown(&answer).contains("moderators have been asked"),
                "{answer}"
            );
            let notices = posted(&h);
            assert_eq!(notices.len(), 1, "exactly one notice");
            let notice = &notices[0].body;
            assert_eq!(
                notice["allowed_mentions"],
                json!({"parse": [], "users": [], "roles": [MOD_ROLE.to_string()], "replied_user": false}),
                "exactly the role may be pinged: no user, no @everyone"
            );
            let content = notice["content"].as_str().unwrap();
            assert_eq!(content.matches("<@&").count(), 1, "{content}");
            assert!(content.contains(&format!("<@&{MOD_ROLE}>")), "{content}");
            assert!(content.contains(&format!("<@{MEMBER}>")), "{content}");
            assert!(
                !content.contains(question),
                "the member's words stay private"
            );

            // Pressing again within the cooldown does not ping the role again.
            let again = h.press(MEMBER, GUILD, &button).await;
            assert!(shown(&again).contains("already asked"), "{again}");
            assert_eq!(posted(&h).len(), 1);
        },
    );
}

#[test]
fn community_feedback_and_a_report_land_in_storage_without_the_user() {
    community(
        |_| {},
        |h| async move {
            h.settings("region", vec![string_option("region", "AU")])
                .await;
            let answer = h.ask(MEMBER, GUILD, confident(&h.engine), None).await;
            let ids = custom_ids(&answer);
            let helpful = ids
                .iter()
                .find(|id| id.starts_with(ID_HELPFUL))
                .expect("an answer carries Helpful")
                .clone();
            let entry = helpful.strip_prefix(ID_HELPFUL).unwrap().to_string();
            // The stand-in's button presses are on message `interaction id + 1`: pressing
            // twice on one message counts once, and the member is thanked both times.
            let message = h.standin.next_id();
            for _ in 0..2 {
                let id = h.standin.next_id();
                let mut press = payloads::button(id, MEMBER, GUILD, &helpful, 64);
                press["message"]["id"] = json!(message.to_string());
                let thanks = h.interact(press).await;
                assert!(is_ephemeral(&thanks["data"]));
            }

            let report = format!("{ID_REPORT}{entry}");
            assert!(ids.contains(&report), "an answer carries Report a problem");
            let form = h.press(MEMBER, GUILD, &report).await;
            assert_eq!(form["type"], 9, "a modal opens: {form}");
            assert_eq!(
                form["data"]["custom_id"],
                json!(format!("{ID_REPORT_FORM}{entry}"))
            );
            let comment = "the dose in the second paragraph looks out of date";
            h.remember(comment);
            for _ in 0..2 {
                let id = h.standin.next_id();
                let submitted = h
                    .interact(payloads::modal_submit_on(
                        id,
                        MEMBER,
                        GUILD,
                        message,
                        &format!("{ID_REPORT_FORM}{entry}"),
                        &[(ID_REPORT_COMMENT, comment)],
                    ))
                    .await;
                assert!(is_ephemeral(&submitted["data"]));
            }

            // "I don't have an answer" carries a report too, for no entry, in a DM.
            let none = h.ask(MEMBER, DM, NO_ANSWER, None).await;
            assert!(custom_ids(&none).contains(&ID_REPORT.to_string()));
            let id = h.standin.next_id();
            h.interact(payloads::modal_submit(
                id,
                MEMBER,
                DM,
                ID_REPORT_FORM,
                &[(ID_REPORT_COMMENT, "")],
            ))
            .await;

            let db = h.db().await;
            let rows: Vec<FeedbackRow> = db
                .prepare(
                    "SELECT entry_id, outcome, comment, region, guild_id FROM feedback ORDER BY id",
                )
                .unwrap()
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let guild = Some(GUILD_ID as i64);
            let au = Some("AU".to_string());
            assert_eq!(
                rows,
                [
                    (
                        Some(entry.clone()),
                        "helpful".into(),
                        None,
                        au.clone(),
                        guild
                    ),
                    (
                        Some(entry.clone()),
                        "report".into(),
                        Some(comment.into()),
                        au,
                        guild
                    ),
                    (None, "report".into(), None, Some("US".into()), None),
                ]
            );
            assert!(
                count(&db, "SELECT COALESCE(SUM(count), 0) FROM served") >= 1,
                "the answer was counted"
            );
            let everything = dump(&db);
            for user in [MEMBER, OTHER_MEMBER] {
                assert!(
                    !everything.iter().any(|v| v.contains(&user.to_string())),
                    "a user id is in the store"
                );
            }
        },
    );
}

#[test]
fn community_server_that_did_not_opt_in_stores_no_question_text() {
    community(
        |_| {},
        |h| async move {
            let unclear = clarify_question(&h.engine);
            let pick = |body: &Value| {
                custom_ids(body)
                    .into_iter()
                    .find(|id| id.starts_with(render::ID_PICK))
                    .expect("a \"did you mean\" reply offers choices")
            };
            h.ask(MEMBER, GUILD, NO_ANSWER, None).await;
            h.ask(MEMBER, DM, NO_ANSWER, None).await;
            let choices = h.ask(MEMBER, GUILD, unclear, None).await;
            h.press(MEMBER, GUILD, &pick(&choices)).await;
            let db = h.db().await;
            assert_eq!(count(&db, "SELECT COUNT(*) FROM unanswered"), 0);
            assert_eq!(count(&db, "SELECT COUNT(*) FROM picks"), 0);
            assert!(
                !dump(&db)
                    .iter()
                    .any(|v| v.contains("swallow") || v == unclear),
                "no question text anywhere in the store"
            );

            // Once the server opts in, the same question is kept (so the check above would
            // have seen it); direct messages never are.
            let set = h
                .settings(
                    "unanswered-log",
                    vec![
                        bool_option("on", true),
                        json!({"name": "days", "type": 4, "value": 7}),
                    ],
                )
                .await;
            assert!(shown(&set).contains("7 days"), "{set}");
            h.ask(MEMBER, GUILD, NO_ANSWER, None).await;
            h.ask(MEMBER, DM, NO_ANSWER, None).await;
            let db = h.db().await;
            let kept: Vec<(i64, String)> = db
                .prepare("SELECT guild_id, question FROM unanswered")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(kept, [(GUILD_ID as i64, NO_ANSWER.to_string())]);

            // A "did you mean" choice picked is kept with the question it answered.
            let choices = h.ask(MEMBER, GUILD, unclear, None).await;
            let picked = pick(&choices);
            h.press(MEMBER, GUILD, &picked).await;
            let db = h.db().await;
            let picks: Vec<(String, String)> = db
                .prepare("SELECT question, entry_id FROM picks")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let entry = picked.strip_prefix(render::ID_PICK).unwrap();
            assert_eq!(picks, [(unclear.to_string(), entry.to_string())]);

            // The curators' report reads what the bot stored.
            let StorageLocation::Sqlite(path) = h.store.clone() else {
                unreachable!()
            };
            let report = tokio::task::spawn_blocking(move || {
                assert_cmd::Command::cargo_bin("medfaq")
                    .unwrap()
                    .arg("--knowledge")
                    .arg(live::repo_knowledge())
                    .args(["report", "--json", "--db"])
                    .arg(path)
                    .env_remove("MEDFAQ_STORAGE_URL")
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            assert!(report.status.success(), "{report:?}");
            let report: Value = serde_json::from_slice(&report.stdout).unwrap();
            assert_eq!(
                report["unanswered"][0]["questions"][0]["text"],
                json!(NO_ANSWER),
                "{report}"
            );
            assert_eq!(report["phrasings"][0]["entry_id"], json!(entry), "{report}");
            assert_eq!(
                report["phrasings"][0]["questions"][0]["text"],
                json!(unclear),
                "{report}"
            );
        },
    );
}

#[test]
fn community_leaving_a_guild_deletes_its_settings() {
    community(
        |_| {},
        |h| async move {
            h.settings("mentions", vec![bool_option("on", false)]).await;
            let db = h.db().await;
            let stored = "SELECT COUNT(*) FROM guild_settings";
            assert_eq!(count(&db, stored), 1);

            // An outage is not a removal: the settings stay.
            h.standin
                .dispatch("GUILD_DELETE", payloads::guild_delete(GUILD_ID, true));
            h.settle(Duration::from_millis(300)).await;
            assert_eq!(count(&h.db().await, stored), 1);

            h.standin
                .dispatch("GUILD_DELETE", payloads::guild_delete(GUILD_ID, false));
            let until = Instant::now() + WAIT;
            while count(&h.db().await, stored) != 0 {
                assert!(Instant::now() < until, "the settings were not deleted");
                h.settle(Duration::from_millis(50)).await;
            }
            h.wait_log("its stored settings and logs were deleted")
                .await;
        },
    );
}

#[test]
fn community_settings_answers_and_mentions_apply_per_server() {
    community(
        |_| {},
        |h| async move {
            let question = confident(&h.engine);
            assert!(is_ephemeral(
                &h.ask(MEMBER, GUILD, question, None).await["data"]
            ));
            h.settings("answers", vec![string_option("visibility", "public")])
                .await;
            let public = h.ask(MEMBER, GUILD, question, None).await;
            assert!(!is_ephemeral(&public["data"]), "answers now public");

            // Mentions: answered by default, ignored once turned off.
            h.remember(question);
            let mention = format!("<@{}> {question}", crate::standin::BOT_ID);
            let since = h.standin.requests().len();
            let id = h.standin.next_id();
            h.standin.dispatch(
                "MESSAGE_CREATE",
                payloads::message_create(id, MEMBER, GUILD, &mention, true),
            );
            h.standin.message_in(GUILD.channel(), since, WAIT).await;
            h.settings("mentions", vec![bool_option("on", false)]).await;
            let since = h.standin.requests().len();
            let id = h.standin.next_id();
            h.standin.dispatch(
                "MESSAGE_CREATE",
                payloads::message_create(id, MEMBER, GUILD, &mention, true),
            );
            h.settle(Duration::from_millis(500)).await;
            let path = format!("/api/v10/channels/{}/messages", GUILD.channel());
            assert!(
                !h.standin
                    .requests()
                    .iter()
                    .skip(since)
                    .any(|r| r.path == path),
                "a mention is ignored once mentions are off"
            );
        },
    );
}
