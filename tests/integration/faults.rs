//! Discord faults. In each case the bot must survive, not spin, say what happened in one log
//! line, and keep answering.
//!
//! - The gateway, end to end: the real serenity client running medfaq's handler against the
//!   stand-in, which closes or drops the connection.
//! - Delivery (retry, defer-then-edit) on the in-memory [`Recorder`], scripted to refuse or
//!   stall calls, in tokio's paused time: the timings checked are the bot's own, exactly,
//!   whatever the load on the machine.
//! - Two of those cases once more over real sockets, for serenity's side of them, without
//!   timing checks.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use medfaq::discord::delivery::{DEFER_AFTER, RETRY_PAUSE};
use medfaq::discord::outbound::ALREADY_ACKNOWLEDGED;
use medfaq::discord::{Bot, Call, Recorder, SendError, Sent, Settings, Step};
use serenity::model::application::Interaction;
use tokio::time::Instant;

use crate::standin::live::{self, Live, Logs, Options, GUILD};
use crate::standin::{payloads, Fault, DEADLINE};

/// A member asking in these tests.
const MEMBER: u64 = 556_000_111_222_333_444;
/// Questions for the answers checked here (any outcome will do: each gets an embed).
const FIRST: &str = "can i drink alcohol on naltrexone";
const NEXT: &str = "what are the side effects of naltrexone";

/// medfaq's own WARN and ERROR lines (serenity's are its business).
fn our_loud(live: &Live) -> Vec<String> {
    live.logs
        .loud()
        .into_iter()
        .filter(|l| l.contains(" medfaq::") && !l.contains("using a Discord stand-in"))
        .collect()
}

/// Asks and checks the answer is an embed.
async fn answered(live: &Live, question: &str) {
    let body = live.ask_answered(MEMBER, GUILD, question).await;
    assert!(
        body["data"]["embeds"][0]["title"].is_string(),
        "an answer embed: {body}"
    );
}

/// Answers once, breaks the gateway with `fault`, waits for the bot to have a session
/// again, and checks it answers the next `/ask`. Returns (identifies, resumes) after.
fn reconnects_and_answers(fault: impl FnOnce(&Live) + Send + 'static) -> (u64, u64) {
    let counts = std::sync::Arc::new(std::sync::Mutex::new((0, 0)));
    let out = std::sync::Arc::clone(&counts);
    live::run(Options::default(), |live| async move {
        answered(&live, FIRST).await;
        let sessions = live.standin.sessions_started();
        let connections = live.standin.connections();
        fault(&live);
        // A re-identify waits for serenity's 5 s spacing between IDENTIFYs.
        live.standin
            .wait_session_after(sessions, Duration::from_secs(15))
            .await;
        assert!(live.standin.connections() > connections, "a new connection");
        answered(&live, NEXT).await;
        let registrations = live
            .standin
            .requests()
            .iter()
            .filter(|r| r.method == "PUT" && r.body.as_array().is_some_and(|c| !c.is_empty()))
            .count();
        assert_eq!(
            registrations, 1,
            "commands are registered once, not per READY"
        );
        *out.lock().unwrap() = (live.standin.identifies(), live.standin.resumes());
    });
    let counts = *counts.lock().unwrap();
    counts
}

#[test]
fn gateway_normal_close_1000_resumes_and_keeps_answering() {
    let (identifies, resumes) = reconnects_and_answers(|l| l.standin.close_gateway(1000));
    assert_eq!(
        (identifies, resumes),
        (1, 1),
        "serenity resumes its session"
    );
}

#[test]
fn gateway_resumable_close_4000_resumes_and_keeps_answering() {
    let (identifies, resumes) = reconnects_and_answers(|l| l.standin.close_gateway(4000));
    assert_eq!((identifies, resumes), (1, 1));
}

#[test]
fn gateway_dropped_socket_resumes_and_keeps_answering() {
    let (identifies, resumes) = reconnects_and_answers(|l| l.standin.drop_gateway());
    assert_eq!((identifies, resumes), (1, 1));
}

#[test]
fn gateway_invalid_session_reidentifies_and_keeps_answering() {
    let (identifies, resumes) = reconnects_and_answers(|l| l.standin.invalidate_session(false));
    assert_eq!((identifies, resumes), (2, 0), "a new IDENTIFY, no RESUME");
}

#[test]
fn gateway_close_4009_session_timed_out_reidentifies_and_keeps_answering() {
    let (identifies, resumes) = reconnects_and_answers(|l| l.standin.close_gateway(4009));
    assert_eq!((identifies, resumes), (2, 0));
}

// ---------------------------------------------------------------------------------------------
// Interaction callbacks over real sockets (the timings are checked in paused time below)

#[test]
fn rest_500_on_the_callback_is_sent_once_more_and_delivered() {
    live::run(Options::default(), |live| async move {
        live.standin.fail_next(Fault::server_error("/callback"));
        let id = live.ask(MEMBER, GUILD, FIRST);
        live.wait_acknowledged(id).await;
        let record = live.standin.interaction(id).unwrap();
        assert_eq!(record.callbacks, 2, "the refused answer and one retry");
        assert_eq!(record.acknowledged.unwrap().1, 4, "the retry is the answer");
        answered(&live, NEXT).await;
        live.settle(Duration::from_millis(300)).await;
        assert_eq!(
            live.standin.interaction(id).unwrap().callbacks,
            2,
            "no spinning"
        );
        let loud = our_loud(&live);
        assert_eq!(loud.len(), 1, "one line: {loud:#?}");
        assert!(
            loud[0].contains("HTTP 500") && loud[0].contains("delivered"),
            "{}",
            loud[0]
        );
    });
}

#[test]
fn slow_callback_arrival_over_3s_defers_then_edits_in_the_answer() {
    live::run(Options::default(), |live| async move {
        // The answer reaches Discord only after 3.5 s: too late to count.
        live.standin.fail_next(Fault::slow_arrival(
            "/callback",
            Duration::from_millis(3500),
        ));
        let id = live.ask(MEMBER, GUILD, FIRST);
        live.wait_log("delivered the answer as an edit").await;
        let record = live.standin.interaction(id).unwrap();
        let (_, kind) = record.acknowledged.unwrap();
        assert_eq!(kind, 5, "acknowledged by the deferral");
        let edits = live.edits(id);
        assert_eq!(edits.len(), 1);
        assert!(
            edits[0].body["embeds"][0]["title"].is_string(),
            "the edit carries the answer: {}",
            edits[0].body
        );
        assert_eq!(
            edits[0].body["allowed_mentions"]["parse"],
            serde_json::json!([])
        );
        // The deferral keeps the answer's visibility (private in a server by default).
        let deferral = live
            .callbacks(id)
            .into_iter()
            .find(|r| r.body["type"] == 5)
            .unwrap();
        assert_eq!(deferral.body["data"]["flags"], 64, "{}", deferral.body);
        answered(&live, NEXT).await;
        // The stuck answer arrives late and is refused; nothing more is sent.
        live.settle(Duration::from_secs(2)).await;
        assert_eq!(live.callbacks(id).len(), 2);
        let loud = our_loud(&live);
        assert_eq!(loud.len(), 1, "one line: {loud:#?}");
    });
}

// ---------------------------------------------------------------------------------------------
// Delivery on the in-memory recorder, in tokio's paused time

/// A bot answering into `recorder`, and its log lines (kept until the guard is dropped).
fn in_memory(recorder: &Recorder) -> (Bot, Logs, tracing::subscriber::DefaultGuard) {
    let logs = Logs::default();
    let guard = tracing::subscriber::set_default(medfaq::discord::logging::subscriber(
        "info",
        logs.clone(),
    ));
    let engine = Arc::new(ArcSwap::new(crate::discord_shared::engine()));
    (
        Bot::new(engine, recorder.clone(), Settings::default()),
        logs,
        guard,
    )
}

/// `/ask` from [`MEMBER`] in a server, as interaction `id`.
async fn ask(bot: &Bot, id: u64, question: &str) {
    let payload = payloads::ask(id, MEMBER, GUILD, question, None);
    let interaction: Interaction =
        serde_json::from_value(payload).expect("serenity parses the payload");
    bot.interaction(interaction).await;
}

/// The first responses tried for interaction `id`, taken or not.
fn responses(recorder: &Recorder, id: u64) -> Vec<Call> {
    recorder
        .calls()
        .into_iter()
        .filter(|c| matches!(c.sent, Sent::Respond { id: i, .. } if i == id))
        .collect()
}

/// The edits of first responses.
fn edits(recorder: &Recorder) -> Vec<Call> {
    recorder
        .calls()
        .into_iter()
        .filter(|c| matches!(c.sent, Sent::EditOriginal { .. }))
        .collect()
}

/// Asks `question` as interaction `id` and checks an answer embed was taken at once.
async fn answered_in_memory(bot: &Bot, recorder: &Recorder, id: u64, question: &str) {
    let asked = Instant::now();
    ask(bot, id, question).await;
    let calls = responses(recorder, id);
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert!(calls[0].taken && calls[0].at == asked);
    assert!(
        calls[0].sent.body()["data"]["embeds"][0]["title"].is_string(),
        "an answer embed: {}",
        calls[0].sent.body()
    );
}

/// medfaq's own WARN and ERROR lines.
fn loud(logs: &Logs) -> Vec<String> {
    logs.loud()
        .into_iter()
        .filter(|l| l.contains(" medfaq::"))
        .collect()
}

/// Discord's refusal of a second first response.
fn already_acknowledged() -> SendError {
    SendError::http(400, Some(ALREADY_ACKNOWLEDGED))
}

#[tokio::test(start_paused = true)]
async fn paused_500_on_the_callback_is_sent_once_more_within_the_deadline() {
    let recorder = Recorder::new();
    let (bot, logs, _guard) = in_memory(&recorder);
    recorder.script(Step::refuse(SendError::http(500, None)));
    let asked = Instant::now();
    ask(&bot, 1, FIRST).await;
    let calls = responses(&recorder, 1);
    assert_eq!(calls.len(), 2, "the refused answer and one retry");
    assert!(!calls[0].taken && calls[1].taken);
    assert_eq!(calls[1].sent.body()["type"], 4, "the retry is the answer");
    assert_eq!(calls[1].at - calls[0].at, RETRY_PAUSE);
    assert!(calls[1].at - asked < DEADLINE, "within Discord's 3 seconds");
    answered_in_memory(&bot, &recorder, 2, NEXT).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(responses(&recorder, 1).len(), 2, "no spinning");
    let loud = loud(&logs);
    assert_eq!(loud.len(), 1, "one line: {loud:#?}");
    assert!(
        loud[0].contains("HTTP 500") && loud[0].contains("delivered"),
        "{}",
        loud[0]
    );
}

#[tokio::test(start_paused = true)]
async fn paused_500_for_an_answer_that_landed_is_not_sent_twice() {
    let recorder = Recorder::new();
    let (bot, logs, _guard) = in_memory(&recorder);
    recorder.script(Step::take_then_refuse(SendError::http(500, None)));
    recorder.script(Step::refuse(already_acknowledged()));
    ask(&bot, 1, FIRST).await;
    let calls = responses(&recorder, 1);
    assert_eq!(calls.len(), 2, "one retry, refused as already acknowledged");
    assert!(calls[0].taken, "the first try was the answer");
    assert_eq!(calls[0].sent.body()["type"], 4);
    assert!(!calls[1].taken);
    assert!(edits(&recorder).is_empty());
    answered_in_memory(&bot, &recorder, 2, NEXT).await;
    let loud = loud(&logs);
    assert_eq!(loud.len(), 1, "one line: {loud:#?}");
    assert!(
        loud[0].contains("HTTP 500") && loud[0].contains("had reached Discord"),
        "{}",
        loud[0]
    );
}

#[tokio::test(start_paused = true)]
async fn paused_429_is_sent_once_more_after_the_pause() {
    let recorder = Recorder::new();
    let (bot, logs, _guard) = in_memory(&recorder);
    recorder.script(Step::refuse(SendError::http(429, None)));
    let asked = Instant::now();
    ask(&bot, 1, FIRST).await;
    let calls = responses(&recorder, 1);
    assert_eq!(calls.len(), 2, "the refused answer and one retry");
    let gap = calls[1].at - calls[0].at;
    assert_eq!(gap, RETRY_PAUSE);
    assert!(
        gap >= Duration::from_millis(500),
        "waited out a retry_after of 0.5 s: {gap:?}"
    );
    assert!(calls[1].taken && calls[1].at - asked < DEADLINE);
    answered_in_memory(&bot, &recorder, 2, NEXT).await;
    let loud = loud(&logs);
    assert_eq!(loud.len(), 1, "one line: {loud:#?}");
    assert!(
        loud[0].contains("HTTP 429 (rate limited)") && loud[0].contains("delivered"),
        "{}",
        loud[0]
    );
}

#[tokio::test(start_paused = true)]
async fn paused_429_twice_gives_up_after_two_tries_and_keeps_answering() {
    let recorder = Recorder::new();
    let (bot, logs, _guard) = in_memory(&recorder);
    for _ in 0..2 {
        recorder.script(Step::refuse(SendError::http(429, None)));
    }
    ask(&bot, 1, FIRST).await;
    // Well past the deadline: still two calls, no retry storm, no deferral.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let calls = responses(&recorder, 1);
    assert_eq!(calls.len(), 2, "bounded: {calls:#?}");
    assert!(calls.iter().all(|c| !c.taken), "never acknowledged");
    assert!(edits(&recorder).is_empty());
    answered_in_memory(&bot, &recorder, 2, NEXT).await;
    let loud = loud(&logs);
    assert_eq!(loud.len(), 1, "one line: {loud:#?}");
    assert!(
        loud[0].contains("HTTP 429") && loud[0].contains("this answer is lost"),
        "{}",
        loud[0]
    );
}

#[tokio::test(start_paused = true)]
async fn paused_slow_callback_answer_over_3s_keeps_the_answer_that_landed() {
    let recorder = Recorder::new();
    let (bot, logs, _guard) = in_memory(&recorder);
    // Discord takes the answer at once but replies after 3.5 s.
    recorder.script(Step::slow_answer(Duration::from_millis(3500)));
    // The other member's answer (sent meanwhile) is taken; then the deferral is refused.
    recorder.script(Step::take());
    recorder.script(Step::refuse(already_acknowledged()));
    let asked = Instant::now();
    // Other members are answered meanwhile.
    tokio::join!(ask(&bot, 1, FIRST), async {
        tokio::task::yield_now().await;
        answered_in_memory(&bot, &recorder, 2, NEXT).await;
        assert_eq!(Instant::now(), asked, "answered while the slow call hangs");
    });
    let calls = responses(&recorder, 1);
    assert_eq!(calls.len(), 2, "the answer and a deferral: {calls:#?}");
    assert!(calls[0].taken && calls[0].at - asked < DEADLINE);
    assert_eq!(
        calls[0].sent.body()["type"],
        4,
        "the answer itself was taken"
    );
    assert_eq!(calls[1].sent.body()["type"], 5, "the deferral");
    assert_eq!(calls[1].at - asked, DEFER_AFTER);
    assert!(
        calls[1].at - asked < DEADLINE,
        "deferred before the deadline"
    );
    // Let the slow reply come back; nothing else is sent.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(edits(&recorder).is_empty(), "no edit needed");
    assert_eq!(responses(&recorder, 1).len(), 2);
    let loud = loud(&logs);
    assert_eq!(loud.len(), 1, "one line: {loud:#?}");
    assert!(loud[0].contains("had reached Discord"), "{}", loud[0]);
}

#[tokio::test(start_paused = true)]
async fn paused_slow_callback_arrival_over_3s_defers_then_edits_in_the_answer() {
    let recorder = Recorder::new();
    let (bot, logs, _guard) = in_memory(&recorder);
    // The answer reaches Discord only after 3.5 s: too late to count.
    recorder.script(Step::slow_arrival(Duration::from_millis(3500)));
    let asked = Instant::now();
    ask(&bot, 1, FIRST).await;
    let calls = responses(&recorder, 1);
    assert_eq!(calls.len(), 2, "the answer and a deferral: {calls:#?}");
    assert!(!calls[0].taken);
    let deferral = &calls[1];
    assert!(deferral.taken, "acknowledged by the deferral");
    assert_eq!(deferral.sent.body()["type"], 5);
    assert_eq!(deferral.at - asked, DEFER_AFTER);
    assert!(
        deferral.at - asked < DEADLINE,
        "deferred before the deadline"
    );
    // The deferral keeps the answer's visibility (private in a server by default).
    assert_eq!(
        deferral.sent.body()["data"]["flags"],
        64,
        "{}",
        deferral.sent.body()
    );
    let edits = edits(&recorder);
    assert_eq!(edits.len(), 1);
    assert!(edits[0].taken);
    let edit = edits[0].sent.body();
    assert!(
        edit["embeds"][0]["title"].is_string(),
        "the edit carries the answer: {edit}"
    );
    assert_eq!(edit["allowed_mentions"]["parse"], serde_json::json!([]));
    answered_in_memory(&bot, &recorder, 2, NEXT).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(responses(&recorder, 1).len(), 2);
    let loud = loud(&logs);
    assert_eq!(loud.len(), 1, "one line: {loud:#?}");
    assert!(
        loud[0].contains("delivered the answer as an edit"),
        "{}",
        loud[0]
    );
}
