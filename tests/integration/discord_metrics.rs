//! End to end: `/healthz`, `/metrics` and `/medfaq-status` while the real serenity client
//! answers through the Discord stand-in.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use medfaq::config::Config;
use medfaq::knowledge::EmergencyKind;
use medfaq::metrics::{knowledge_version, Handled};
use medfaq::storage::Storage;
use medfaq::{Engine, Outcome};
use serde_json::{json, Value};

use crate::discord_shared::{
    assert_fits_discord, assert_private, confident, expected_entry, is_ephemeral, GUILD, MEMBER,
};
use crate::standin::live::{self, Live, FAKE_TOKEN, WAIT};
use crate::standin::payloads;

/// A question the shipped knowledge has no entry for.
const NO_MATCH: &str = "what is the airspeed of an unladen swallow";

/// A question describing an overdose happening now.
const EMERGENCY: &str = "he is not breathing";

/// A metrics address on a port the system picks; the test reads it back from the log.
const ANY_PORT: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

/// A loopback address that was free a moment ago.
fn free_addr() -> SocketAddr {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap()
}

/// One plain HTTP/1.1 GET; returns the status code and the body, or code 0 when nothing
/// listens (yet).
fn get_blocking(addr: SocketAddr, path: &str) -> (u16, String) {
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole response");
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    (code, body.to_string())
}

async fn get(addr: SocketAddr, path: &'static str) -> (u16, String) {
    tokio::task::spawn_blocking(move || get_blocking(addr, path))
        .await
        .unwrap()
}

/// Scrapes `path` until `done` holds for the answer (the gateway and the reloader report on
/// their own schedule), failing after [`WAIT`].
async fn scrape_until(
    addr: SocketAddr,
    path: &'static str,
    done: impl Fn(u16, &str) -> bool,
) -> (u16, String) {
    let until = Instant::now() + WAIT;
    loop {
        let (code, body) = get(addr, path).await;
        if done(code, &body) {
            return (code, body);
        }
        assert!(Instant::now() < until, "{path} stayed {code}:\n{body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value of the sample `series` (name and labels exactly as exposed), 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().expect("a number"))
}

/// Every `(label, value)` pair of every sample in an exposition, unescaped.
fn label_pairs(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some(open) = line.find('{') else {
            continue;
        };
        let mut rest = &line[open + 1..];
        while let Some((name, after)) = rest.split_once("=\"") {
            let mut value = String::new();
            let mut chars = after.char_indices();
            let mut end = after.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            pairs.push((name.trim_start_matches(',').to_string(), value));
            rest = &after[end..];
            if rest.starts_with('}') {
                break;
            }
        }
    }
    pairs
}

#[test]
fn e2e_metrics_and_health_follow_answers_and_no_label_holds_member_text() {
    let said: Arc<Mutex<Vec<String>>> = Arc::default();
    let for_body = Arc::clone(&said);
    let logs = live::run_with(
        live::Options::default(),
        |config| {
            config.bot.watch_knowledge = false;
            config.metrics.listen = Some(ANY_PORT);
        },
        move |live: Arc<Live>| async move {
            let addr = live.metrics_addr().await;
            let (code, health) = scrape_until(addr, "/healthz", |code, _| code == 200).await;
            assert_eq!(code, 200);
            assert!(health.starts_with("ok: connected"), "{health}");

            let engine = &live.engine;
            let answer = confident(engine);
            assert_eq!(engine.ask(NO_MATCH).outcome, Outcome::NoMatch);
            let emergency = engine.ask(EMERGENCY).reply;
            assert_eq!(emergency.outcome, Outcome::Emergency);
            for question in [answer, NO_MATCH, EMERGENCY] {
                for_body.lock().unwrap().push(question.to_string());
                live.ask_answered(MEMBER, GUILD, question).await;
            }

            let (code, text) = scrape_until(addr, "/metrics", |_, text| {
                sample(text, "medfaq_answer_duration_seconds_count") >= 3.0
            })
            .await;
            assert_eq!(code, 200);
            let count = |series: &str| sample(&text, series);
            for outcome in ["answer", "no_match", "emergency"] {
                let series = format!("medfaq_interactions_total{{outcome=\"{outcome}\"}}");
                assert_eq!(count(&series), 1.0, "{series}\n{text}");
            }
            let entry = expected_entry(engine, answer);
            assert_eq!(
                count(&format!("medfaq_answers_total{{entry=\"{entry}\"}}")),
                1.0
            );
            for kind in &emergency.kinds {
                let series = format!("medfaq_triage_total{{kind=\"{}\"}}", kind.as_str());
                assert_eq!(count(&series), 1.0, "{series}");
            }
            assert!(count("medfaq_gateway_sessions_total{event=\"ready\"}") >= 1.0);
            assert_eq!(count("medfaq_gateway_shards_ready"), 1.0);
            assert_eq!(
                count("medfaq_knowledge_entries"),
                engine.knowledge().enabled().count() as f64
            );
            assert_eq!(count("medfaq_knowledge_reload_failures_total"), 0.0);

            // Every label value comes from a known set; none is what a member typed or who.
            let outcomes: Vec<&str> = Handled::ALL.iter().map(|h| h.as_str()).collect();
            let kinds: Vec<&str> = EmergencyKind::ALL.iter().map(|k| k.as_str()).collect();
            let pairs = label_pairs(&text);
            assert!(pairs.len() > 20, "labels parsed: {pairs:?}");
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            for (name, value) in &pairs {
                *seen.entry(name.clone()).or_default() += 1;
                let known = match name.as_str() {
                    "outcome" => outcomes.contains(&value.as_str()),
                    "kind" => kinds.contains(&value.as_str()),
                    "event" => ["ready", "resumed"].contains(&value.as_str()),
                    "entry" => engine.knowledge().entry(value).is_some(),
                    "le" => value == "+Inf" || value.parse::<f64>().is_ok(),
                    _ => false,
                };
                assert!(known, "label {name}={value:?} is not from a known set");
            }
            assert!(
                seen.contains_key("entry") && seen.contains_key("kind"),
                "{seen:?}"
            );
            let member = MEMBER.to_string();
            assert!(!text.contains(&member), "a user id in /metrics");
            for question in [answer, NO_MATCH, EMERGENCY] {
                assert!(!text.contains(question), "{question:?} in /metrics");
            }
            for word in ["airspeed", "unladen", "swallow", "breathing"] {
                assert!(!text.contains(word), "{word:?} from a question in /metrics");
            }
        },
    );
    assert_private(&logs, &said.lock().unwrap());
}

/// The `/medfaq-status` reply's embed.
async fn status_embed(live: &Live) -> Value {
    let id = live.standin.next_id();
    live.standin.dispatch(
        "INTERACTION_CREATE",
        payloads::command(id, MEMBER, GUILD, "medfaq-status", vec![]),
    );
    live.wait_acknowledged(id).await;
    let body = live
        .callbacks(id)
        .into_iter()
        .find(|r| r.body["type"] == 4)
        .expect("answered with a message")
        .body;
    assert!(is_ephemeral(&body["data"]), "only the moderator sees it");
    assert_fits_discord(&body["data"]);
    body["data"]["embeds"][0].clone()
}

/// The value of the field named `name` in `embed`.
fn field(embed: &Value, name: &str) -> String {
    embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no field {name:?} in {embed}"))["value"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn e2e_medfaq_status_is_for_server_managers_and_answers_privately_with_the_entry_count() {
    live::run(live::Options::default(), |live| async move {
        let registered = live
            .standin
            .requests()
            .into_iter()
            .find(|r| r.method == "PUT" && r.path.ends_with("/commands"))
            .expect("the commands were registered")
            .body;
        let status = registered
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "medfaq-status")
            .expect("/medfaq-status is registered")
            .clone();
        assert_eq!(
            status["default_member_permissions"],
            json!("32"),
            "Manage Server"
        );
        assert_eq!(status["contexts"], json!([0]), "servers only");

        let texts = medfaq::lang::texts(None);
        let embed = status_embed(&live).await;
        let entries = live.engine.knowledge().enabled().count();
        assert_eq!(field(&embed, texts.status_entries), entries.to_string());
        let version = knowledge_version(&live.knowledge);
        assert_eq!(field(&embed, texts.status_version), format!("`{version}`"));
        assert_eq!(
            field(&embed, texts.status_reload_error),
            texts.status_no_reload_error
        );
        assert!(field(&embed, texts.status_shards).contains("1 connected"));
        assert!(field(&embed, texts.status_loaded).starts_with("<t:"));
    });
}

#[test]
fn e2e_a_refused_reload_shows_in_status_and_metrics_until_a_good_one() {
    live::run_with(
        live::Options::default(),
        |config| config.metrics.listen = Some(ANY_PORT),
        |live| async move {
            let addr = live.metrics_addr().await;
            let texts = medfaq::lang::texts(None);
            let broken = live.knowledge.join("entries/zz-broken.yaml");
            std::fs::write(&broken, "- id: broken\n  topic: [unclosed\n").unwrap();
            scrape_until(addr, "/metrics", |_, text| {
                sample(text, "medfaq_knowledge_reload_failures_total") >= 1.0
            })
            .await;
            let error = field(&status_embed(&live).await, texts.status_reload_error);
            assert!(error.contains("entries/zz-broken.yaml"), "{error}");
            assert!(
                !error.contains(&live.knowledge.display().to_string()),
                "names files relative to the knowledge folder: {error}"
            );

            std::fs::remove_file(&broken).unwrap();
            let (_, text) = scrape_until(addr, "/metrics", |_, text| {
                sample(text, "medfaq_knowledge_reloads_total") >= 1.0
            })
            .await;
            assert!(sample(&text, "medfaq_knowledge_reload_failures_total") >= 1.0);
            let embed = status_embed(&live).await;
            assert_eq!(
                field(&embed, texts.status_reload_error),
                texts.status_no_reload_error
            );
            assert_eq!(
                field(&embed, texts.status_version),
                format!("`{}`", knowledge_version(&live.knowledge))
            );
        },
    );
}

#[test]
fn e2e_a_dropped_gateway_counts_a_resume_and_health_stays_or_comes_back() {
    live::run_with(
        live::Options::default(),
        |config| {
            config.bot.watch_knowledge = false;
            config.metrics.listen = Some(ANY_PORT);
        },
        |live| async move {
            let addr = live.metrics_addr().await;
            scrape_until(addr, "/healthz", |code, _| code == 200).await;
            let sessions = live.standin.sessions_started();
            live.standin.drop_gateway();
            live.standin
                .wait_session_after(sessions, Duration::from_secs(15))
                .await;
            let (_, text) = scrape_until(addr, "/metrics", |_, text| {
                sample(text, "medfaq_gateway_reconnects_total") >= 1.0
            })
            .await;
            assert_eq!(
                sample(&text, "medfaq_gateway_sessions_total{event=\"resumed\"}"),
                1.0,
                "{text}"
            );
            let (_, health) = scrape_until(addr, "/healthz", |code, _| code == 200).await;
            assert!(health.contains("1 of 1 shards ready"), "{health}");
            live.ask_answered(MEMBER, GUILD, confident(&live.engine))
                .await;
        },
    );
}

#[test]
fn e2e_healthz_is_503_while_discord_cannot_be_reached_and_metrics_already_answer() {
    let addr = free_addr();
    let nowhere = free_addr();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut config = Config::default();
        config.discord.api_url = format!("http://{nowhere}");
        config.bot.watch_knowledge = false;
        config.metrics.listen = Some(addr);
        let dir = live::repo_knowledge();
        let engine = Arc::new(Engine::load(&dir).unwrap());
        let state = tempfile::tempdir().unwrap();
        let storage = Storage::open(&config, state.path()).await.unwrap();
        let stop = tokio_util::sync::CancellationToken::new();
        let stopped = stop.clone();
        let serve = tokio::spawn(async move {
            medfaq::discord::serve(&config, FAKE_TOKEN, &dir, engine, storage, async move {
                stopped.cancelled().await
            })
            .await
        });
        let (code, health) = scrape_until(addr, "/healthz", |code, _| code != 0).await;
        assert_eq!(code, 503, "{health}");
        assert!(
            health.starts_with("unavailable: not connected to the Discord gateway"),
            "{health}"
        );
        assert!(
            health.contains("knowledge") && health.contains("loaded"),
            "{health}"
        );
        let (code, text) = get(addr, "/metrics").await;
        assert_eq!(code, 200);
        assert_eq!(sample(&text, "medfaq_gateway_shards_ready"), 0.0);
        stop.cancel();
        let result = tokio::time::timeout(WAIT, serve)
            .await
            .expect("serve stops");
        assert!(result.unwrap().is_ok());
    });
    runtime.shutdown_timeout(Duration::from_secs(2));
}

#[test]
fn a_metrics_address_in_use_stops_serve_with_a_config_error_before_reaching_discord() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(async {
        let mut config = Config::default();
        config.discord.api_url = format!("http://{}", free_addr());
        config.bot.watch_knowledge = false;
        config.metrics.listen = Some(addr);
        let dir = live::repo_knowledge();
        let engine = Arc::new(Engine::load(&dir).unwrap());
        let state = tempfile::tempdir().unwrap();
        let storage = Storage::open(&config, state.path()).await.unwrap();
        let serve = medfaq::discord::serve(&config, FAKE_TOKEN, &dir, engine, storage, async {
            std::future::pending::<()>().await
        });
        tokio::time::timeout(WAIT, serve)
            .await
            .expect("fails at once")
    });
    let e = result.expect_err("the address is taken");
    assert!(!e.is_transient(), "a configuration error, not retried");
    let message = e.to_string();
    assert!(
        message.contains(&format!("could not serve metrics on {addr}")),
        "{message}"
    );
    assert!(
        message.contains("[metrics]"),
        "says where to fix it: {message}"
    );
}

/// Buttons and menus answer through the community tools' per-server settings and buttons
/// (with storage) and are still counted, like typed questions.
#[tokio::test]
async fn answers_from_buttons_and_menus_with_storage_are_counted_and_carry_feedback() {
    use medfaq::discord::{community, render, Bot, Recorder, Settings, SharedEngine};
    use medfaq::metrics::Metrics;

    let engine = crate::discord_shared::engine();
    let state = tempfile::tempdir().unwrap();
    let storage = Storage::open(&Config::default(), state.path())
        .await
        .unwrap();
    let metrics = Arc::new(Metrics::new());
    let recorder = Recorder::new();
    let shared: SharedEngine = Arc::new(arc_swap::ArcSwap::new(Arc::clone(&engine)));
    let bot = Bot::new(shared, recorder.clone(), Settings::default())
        .with_storage(storage)
        .with_metrics(Arc::clone(&metrics));
    let entry = expected_entry(&engine, confident(&engine));
    let presses = [
        payloads::select(1, MEMBER, GUILD, render::ID_TOPIC_ENTRY, &entry, 64),
        payloads::button(
            3,
            MEMBER,
            GUILD,
            &format!("{}{entry}", render::ID_ENTRY),
            64,
        ),
    ];
    for press in presses {
        let press = serde_json::from_value(press).expect("serenity parses the payload");
        bot.interaction(press).await;
        let sent = recorder.take();
        let [sent] = sent.as_slice() else {
            panic!("one response: {sent:?}")
        };
        let data = &sent.body()["data"];
        assert_fits_discord(data);
        let ids: Vec<&str> = data["components"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row["components"].as_array().into_iter().flatten())
            .filter_map(|c| c["custom_id"].as_str())
            .collect();
        assert!(
            ids.contains(&format!("{}{entry}", community::ID_HELPFUL).as_str()),
            "feedback buttons under the answer: {ids:?}"
        );
    }
    let text = metrics.encode();
    assert_eq!(
        sample(&text, "medfaq_interactions_total{outcome=\"answer\"}"),
        2.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, &format!("medfaq_answers_total{{entry=\"{entry}\"}}")),
        2.0,
        "{text}"
    );
}
