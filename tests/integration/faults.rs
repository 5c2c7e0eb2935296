//! Discord faults, end to end: the real serenity client running medfaq's handler against the
//! stand-in, which breaks the gateway connection or makes the interaction callback fail or
//! crawl. In each case the bot must survive, not spin, say what happened in one log line,
//! and keep answering.

use std::time::Duration;

use crate::standin::live::{self, Live, Options, GUILD};
use crate::standin::Fault;

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
            .filter(|r| r.method == "PUT")
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

#[test]
fn rest_500_on_the_callback_is_sent_once_more_and_delivered() {
    live::run(Options::default(), |live| async move {
        live.standin.fail_next(Fault::server_error("/callback"));
        let id = live.ask(MEMBER, GUILD, FIRST);
        live.wait_acknowledged(id).await;
        let record = live.standin.interaction(id).unwrap();
        assert_eq!(record.callbacks, 2, "the refused answer and one retry");
        assert_eq!(record.acknowledged.unwrap().1, 4, "the retry is the answer");
        assert!(
            record.acknowledged.unwrap().0 - record.dispatched < crate::standin::DEADLINE,
            "within Discord's 3 seconds"
        );
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
fn rest_500_for_an_answer_that_landed_is_not_sent_twice() {
    live::run(Options::default(), |live| async move {
        live.standin
            .fail_next(Fault::server_error_after_acting("/callback"));
        let id = live.ask(MEMBER, GUILD, FIRST);
        live.wait_log("had reached Discord").await;
        let record = live.standin.interaction(id).unwrap();
        assert_eq!(
            record.acknowledged.unwrap().1,
            4,
            "the first try was the answer"
        );
        assert_eq!(
            record.callbacks, 2,
            "one retry, refused as already acknowledged"
        );
        assert!(live.edits(id).is_empty());
        answered(&live, NEXT).await;
        let loud = our_loud(&live);
        assert_eq!(loud.len(), 1, "one line: {loud:#?}");
        assert!(loud[0].contains("HTTP 500"), "{}", loud[0]);
    });
}

#[test]
fn rest_429_with_retry_after_is_sent_once_more_after_the_pause() {
    live::run(Options::default(), |live| async move {
        live.standin
            .fail_next(Fault::rate_limited("/callback", 0.5));
        let id = live.ask(MEMBER, GUILD, FIRST);
        live.wait_acknowledged(id).await;
        let calls = live.callbacks(id);
        assert_eq!(calls.len(), 2, "the refused answer and one retry");
        let gap = calls[1].at - calls[0].at;
        assert!(
            gap >= Duration::from_millis(500),
            "waited out retry_after: {gap:?}"
        );
        let record = live.standin.interaction(id).unwrap();
        assert!(record.acknowledged.unwrap().0 - record.dispatched < crate::standin::DEADLINE);
        answered(&live, NEXT).await;
        let loud = our_loud(&live);
        assert_eq!(loud.len(), 1, "one line: {loud:#?}");
        assert!(
            loud[0].contains("HTTP 429 (rate limited)") && loud[0].contains("delivered"),
            "{}",
            loud[0]
        );
    });
}

#[test]
fn rest_429_twice_gives_up_after_two_tries_and_keeps_answering() {
    live::run(Options::default(), |live| async move {
        live.standin
            .fail_next(Fault::rate_limited("/callback", 0.5));
        live.standin
            .fail_next(Fault::rate_limited("/callback", 0.5));
        let id = live.ask(MEMBER, GUILD, FIRST);
        live.wait_log("this answer is lost").await;
        // Well past the deadline: still two calls, no retry storm, no deferral.
        live.settle(Duration::from_secs(3)).await;
        let record = live.standin.interaction(id).unwrap();
        assert_eq!(record.callbacks, 2, "bounded: {record:?}");
        assert!(record.acknowledged.is_none());
        assert!(live.edits(id).is_empty());
        answered(&live, NEXT).await;
        let loud = our_loud(&live);
        assert_eq!(loud.len(), 1, "one line: {loud:#?}");
        assert!(loud[0].contains("HTTP 429"), "{}", loud[0]);
    });
}

#[test]
fn slow_callback_answer_over_3s_keeps_the_answer_that_landed() {
    live::run(Options::default(), |live| async move {
        // Discord takes the answer at once but replies after 3.5 s.
        live.standin
            .fail_next(Fault::slow_answer("/callback", Duration::from_millis(3500)));
        let id = live.ask(MEMBER, GUILD, FIRST);
        // Once the slow call is under way (so the fault is not another's), other members
        // are answered meanwhile.
        while live
            .standin
            .interaction(id)
            .and_then(|r| r.first_callback)
            .is_none()
        {
            live.settle(Duration::from_millis(5)).await;
        }
        answered(&live, NEXT).await;
        live.wait_log("interaction response slow").await;
        let record = live.standin.interaction(id).unwrap();
        let (at, kind) = record.acknowledged.unwrap();
        assert_eq!(kind, 4, "the answer itself was taken");
        assert!(at - record.dispatched < crate::standin::DEADLINE);
        let calls = live.callbacks(id);
        assert_eq!(calls.len(), 2, "the answer and a deferral: {calls:#?}");
        assert_eq!(calls[1].body["type"], 5, "the deferral");
        assert!(
            calls[1].at - record.dispatched < crate::standin::DEADLINE,
            "deferred before the deadline"
        );
        // Let the slow reply come back; nothing else is sent.
        live.settle(Duration::from_secs(2)).await;
        assert!(live.edits(id).is_empty(), "no edit needed");
        assert_eq!(live.callbacks(id).len(), 2);
        let loud = our_loud(&live);
        assert_eq!(loud.len(), 1, "one line: {loud:#?}");
        assert!(loud[0].contains("had reached Discord"), "{}", loud[0]);
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
        let (at, kind) = record.acknowledged.unwrap();
        assert_eq!(kind, 5, "acknowledged by the deferral");
        assert!(
            at - record.dispatched < crate::standin::DEADLINE,
            "deferred before the deadline"
        );
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
