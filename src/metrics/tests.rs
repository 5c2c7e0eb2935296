use std::path::Path;
use std::time::Duration;

use super::*;
use crate::knowledge::EmergencyKind;
use crate::Outcome;

fn engine() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    Engine::load(&dir).expect("the shipped knowledge loads")
}

/// The value of the sample line `series` (name and labels exactly as encoded).
#[track_caller]
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .parse()
        .expect("a number")
}

/// The first reply of `engine` to `questions` with `outcome`.
fn reply_with(engine: &Engine, outcome: Outcome, questions: &[&str]) -> Reply {
    questions
        .iter()
        .map(|q| engine.ask(q).reply)
        .find(|r| r.outcome == outcome)
        .unwrap_or_else(|| panic!("none of {questions:?} is {outcome:?}"))
}

#[test]
fn every_fixed_label_is_there_from_the_start_at_zero() {
    let text = Metrics::new().encode();
    for h in Handled::ALL {
        let series = format!("medfaq_interactions_total{{outcome=\"{}\"}}", h.as_str());
        assert_eq!(value(&text, &series), 0.0);
    }
    for k in EmergencyKind::ALL {
        let series = format!("medfaq_triage_total{{kind=\"{}\"}}", k.as_str());
        assert_eq!(value(&text, &series), 0.0);
    }
    assert_eq!(value(&text, "medfaq_gateway_shards_ready"), 0.0);
    assert_eq!(value(&text, "medfaq_answer_duration_seconds_count"), 0.0);
    assert!(text.ends_with("# EOF\n"));
}

#[test]
fn an_answer_counts_its_outcome_entry_and_time_and_an_emergency_its_kinds() {
    let engine = engine();
    let metrics = Metrics::new();
    let answer = reply_with(
        &engine,
        Outcome::Answer,
        &[
            "can i drink alcohol on naltrexone",
            "can i take percs on vivitrol",
        ],
    );
    let emergency = reply_with(
        &engine,
        Outcome::Emergency,
        &[
            "my friend took too many percs and is not breathing",
            "he is not breathing after using heroin",
        ],
    );
    metrics.answered(&answer, Duration::from_micros(300));
    metrics.answered(&answer, Duration::from_micros(300));
    metrics.answered(&emergency, Duration::from_micros(300));
    metrics.handled(Handled::RateLimited);
    let text = metrics.encode();
    let entry = answer
        .entry_id
        .as_deref()
        .expect("an answer names its entry");
    assert_eq!(
        value(&text, &format!("medfaq_answers_total{{entry=\"{entry}\"}}")),
        2.0
    );
    assert_eq!(
        value(&text, "medfaq_interactions_total{outcome=\"answer\"}"),
        2.0
    );
    assert_eq!(
        value(&text, "medfaq_interactions_total{outcome=\"emergency\"}"),
        1.0
    );
    assert_eq!(
        value(&text, "medfaq_interactions_total{outcome=\"rate_limited\"}"),
        1.0
    );
    for kind in &emergency.kinds {
        let series = format!("medfaq_triage_total{{kind=\"{}\"}}", kind.as_str());
        assert_eq!(value(&text, &series), 1.0);
    }
    assert_eq!(value(&text, "medfaq_answer_duration_seconds_count"), 3.0);
}

#[test]
fn reloads_and_refusals_are_counted_and_the_last_refusal_shown_until_a_reload_works() {
    let engine = engine();
    let metrics = Metrics::new();
    assert!(metrics.status().knowledge.is_none());
    metrics.knowledge_loaded(&engine, "aaaaaaaaaaaa".into());
    let reloads = |m: &Metrics| value(&m.encode(), "medfaq_knowledge_reloads_total");
    let failures = |m: &Metrics| value(&m.encode(), "medfaq_knowledge_reload_failures_total");
    assert_eq!(reloads(&metrics), 0.0, "the first load is no reload");
    let entries = engine.knowledge().enabled().count();
    assert_eq!(
        value(&metrics.encode(), "medfaq_knowledge_entries"),
        entries as f64
    );

    metrics.reload_failed("entries/x.yaml:3: bad indentation".into());
    let status = metrics.status();
    assert_eq!(failures(&metrics), 1.0);
    assert_eq!(
        status.reload_error.map(|e| e.why).as_deref(),
        Some("entries/x.yaml:3: bad indentation")
    );
    assert_eq!(
        status.knowledge.map(|k| k.version).as_deref(),
        Some("aaaaaaaaaaaa"),
        "the previous knowledge is still served"
    );

    metrics.knowledge_loaded(&engine, "bbbbbbbbbbbb".into());
    assert_eq!(reloads(&metrics), 1.0);
    assert_eq!(metrics.status().reload_error, None);
}

#[test]
fn later_sessions_on_a_shard_are_reconnects_and_leaving_connected_a_disconnect() {
    let metrics = Metrics::new();
    let count = |m: &Metrics, series: &str| value(&m.encode(), series);
    metrics.gateway_session(Session::Ready, 0, Some(2));
    metrics.gateway_session(Session::Ready, 1, Some(2));
    assert_eq!(count(&metrics, "medfaq_gateway_reconnects_total"), 0.0);
    assert_eq!(count(&metrics, "medfaq_gateway_shards_ready"), 2.0);

    metrics.gateway_stage(1, false);
    metrics.gateway_stage(1, false);
    assert_eq!(count(&metrics, "medfaq_gateway_disconnects_total"), 1.0);
    assert_eq!(count(&metrics, "medfaq_gateway_shards_ready"), 1.0);
    metrics.gateway_session(Session::Resumed, 1, None);
    metrics.gateway_session(Session::Ready, 0, Some(2));
    assert_eq!(count(&metrics, "medfaq_gateway_reconnects_total"), 2.0);
    assert_eq!(
        count(&metrics, "medfaq_gateway_sessions_total{event=\"ready\"}"),
        3.0
    );
    assert_eq!(
        count(&metrics, "medfaq_gateway_sessions_total{event=\"resumed\"}"),
        1.0
    );
    let status = metrics.status();
    assert_eq!(status.shards_ready, [0, 1]);
    assert_eq!(status.shard_total, Some(2));

    // The shard manager's view: shard 1 is being restarted.
    metrics.gateway_connected(&[0]);
    assert_eq!(count(&metrics, "medfaq_gateway_disconnects_total"), 2.0);
    assert_eq!(metrics.status().shards_ready, [0]);
    metrics.gateway_connected(&[]);
    assert!(!metrics.status().healthy(), "no shard connected");
}

#[test]
fn the_shards_run_are_the_configured_range_when_there_is_one() {
    let metrics = Metrics::new();
    metrics.shards_configured(2, 3, 4);
    assert_eq!(metrics.status().shards_run, [2, 3], "before any connects");
    metrics.gateway_session(Session::Ready, 2, Some(4));
    let status = metrics.status();
    assert_eq!(
        (status.shards_run, status.shards_ready),
        (vec![2, 3], vec![2])
    );
    assert_eq!(status.shard_total, Some(4));
}

#[test]
fn the_knowledge_version_follows_the_knowledge_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("entries")).unwrap();
    std::fs::write(root.join("safety.yaml"), "a: 1\n").unwrap();
    std::fs::write(root.join("entries/x.yaml"), "- id: x\n").unwrap();
    let first = knowledge_version(root);
    assert_eq!(first.len(), VERSION_CHARS);
    assert!(first.chars().all(|c| c.is_ascii_hexdigit()), "{first}");
    assert_eq!(
        knowledge_version(root),
        first,
        "the same files, the same version"
    );

    std::fs::write(root.join("README.md"), "notes").unwrap();
    std::fs::write(root.join("entries/notes.txt"), "notes").unwrap();
    assert_eq!(knowledge_version(root), first, "other files do not count");

    std::fs::write(root.join("entries/x.yaml"), "- id: y\n").unwrap();
    let edited = knowledge_version(root);
    assert_ne!(edited, first);
    std::fs::rename(root.join("entries/x.yaml"), root.join("entries/z.yaml")).unwrap();
    assert_ne!(
        knowledge_version(root),
        edited,
        "a renamed file is another version"
    );
}
