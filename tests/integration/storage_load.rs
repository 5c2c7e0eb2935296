//! Load: 2,000 feedback presses at 50 per second against each backend, each press its own
//! task and its own write (as a handler that awaited the store would do), none lost. Prints
//! the time taken and the write latency (p50, p99, max).
//!
//! ```sh
//! cargo test --release --test integration storage_load -- --ignored --nocapture
//! MEDFAQ_STORAGE_LOAD_PRESSES=6000 MEDFAQ_STORAGE_LOAD_RATE=200 cargo test --release --test integration storage_load -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use medfaq::storage::{Feedback, FeedbackOutcome, Record, Timestamp};

use crate::storage::{run, Backend, Fixture, GUILD_A};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn presses_are_all_recorded(fx: Fixture, backend: &str) -> Option<Fixture> {
    let presses = env_number("MEDFAQ_STORAGE_LOAD_PRESSES", 2_000);
    let rate = env_number("MEDFAQ_STORAGE_LOAD_RATE", 50).max(1);
    let store = fx.open().await;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(presses as usize);
    for i in 0..presses {
        tick.tick().await;
        let store = std::sync::Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let outcome = match i % 3 {
                0 => FeedbackOutcome::Helpful,
                1 => FeedbackOutcome::NotHelpful,
                _ => FeedbackOutcome::Report {
                    comment: Some(format!("press {i}")),
                },
            };
            let record = Record::Feedback(Feedback {
                entry_id: Some(format!("entry-{}", i % 40)),
                outcome,
                region: Some("US".into()),
                guild_id: (i % 4 != 0).then_some(GUILD_A + i % 7),
                at: Timestamp::now(),
            });
            let begun = Instant::now();
            store.record(&[record]).await.map(|()| begun.elapsed())
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut failed = 0;
    for t in tasks {
        match t.await.expect("a press task finishes") {
            Ok(latency) => latencies.push(latency),
            Err(e) => {
                failed += 1;
                eprintln!("a press failed: {e}");
            }
        }
    }
    let elapsed = start.elapsed();
    let rows = store.report_rows(None).await.unwrap();
    let stored: u64 = rows
        .feedback
        .values()
        .map(|c| c.helpful + c.not_helpful + c.reports)
        .sum();
    latencies.sort();
    println!(
        "storage load ({backend}): {presses} presses at {rate}/s in {:.1} s; stored {stored}, \
         failed {failed}, lost {}; write latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        elapsed.as_secs_f64(),
        presses - stored,
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    assert_eq!(failed, 0);
    assert_eq!(stored, presses, "no press is lost");
    Some(fx)
}

#[test]
#[ignore = "load test: 40 s per backend; run with --ignored --nocapture"]
fn sqlite_takes_2000_feedback_presses_at_50_per_second() {
    run(Backend::Sqlite, "storage_load", |fx| {
        presses_are_all_recorded(fx, "sqlite")
    });
}

#[test]
#[ignore = "load test: 40 s per backend; run with --ignored --nocapture"]
fn postgres_takes_2000_feedback_presses_at_50_per_second() {
    run(Backend::Postgres, "storage_load", |fx| {
        presses_are_all_recorded(fx, "postgres")
    });
}
