//! Load: `/ask` interactions at a steady rate plus autocomplete traffic, through the stand-in
//! against the real serenity client and medfaq's handler, all in this test process.
//!
//! Measured: interactions lost (no accepted first response within Discord's 3 s), the time
//! from the stand-in handing INTERACTION_CREATE to the gateway connection to the first
//! callback request arriving (p50, p99, max), and this process's resident memory (VmRSS)
//! after a warm-up and after the run. The bot, serenity and the stand-in share the process,
//! so the memory figure covers all three; the stand-in keeps no request bodies during a soak
//! and reserves its per-interaction bookkeeping before the first measurement.
//!
//! `soak_short` (200 interactions) runs with `cargo test`. The full soak is ignored:
//!
//! ```text
//! cargo test --release --test integration soak -- --ignored --nocapture
//! ```
//!
//! tuned by `MEDFAQ_SOAK_INTERACTIONS` (2000), `MEDFAQ_SOAK_RATE` (per second, 50),
//! `MEDFAQ_SOAK_AUTOCOMPLETE` (autocomplete events per `/ask`, 2) and `MEDFAQ_SOAK_WARMUP`
//! (`/ask`s before the first memory reading, 200).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::standin::live::{self, Live, Options, GUILD};
use crate::standin::payloads::Place;
use crate::standin::DEADLINE;

/// Members are numbered from here, one per `/ask`, so the per-member rate limit stays out
/// of the way (it is tested elsewhere).
const FIRST_MEMBER: u64 = 557_000_000_000_000_000;
const DM: Place = Place::Dm {
    channel: 710_000_000_000_000_003,
};

/// A mix of what members ask: confident answers, vague ones, off-topic, an emergency.
const QUESTIONS: &[&str] = &[
    "can i drink alcohol on naltrexone",
    "what are the side effects of naltrexone",
    "can i take percs on vivitrol",
    "is naltrexone addictive",
    "side effects",
    "what is naltrexone and how does it work",
    "how long does the shot last",
    "what is the capital of france",
    "i took too many pills and my friend won't wake up",
    "can i take ibuprofen with naltrexone",
    "liver",
    "does vivitrol help with drinking",
];

/// What members have typed when autocomplete fires.
const PARTIALS: &[&str] = &[
    "n", "nal", "naltrex", "side", "side eff", "alc", "can i dr", "vivi", "perc", "liver",
    "how long", "",
];

/// How one soak run is shaped.
#[derive(Debug, Clone, Copy)]
struct Shape {
    asks: usize,
    rate: f64,
    autocomplete_per_ask: usize,
    warmup: usize,
}

impl Shape {
    fn from_env() -> Shape {
        fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        }
        Shape {
            asks: var("MEDFAQ_SOAK_INTERACTIONS", 2000),
            rate: var("MEDFAQ_SOAK_RATE", 50.0),
            autocomplete_per_ask: var("MEDFAQ_SOAK_AUTOCOMPLETE", 2),
            warmup: var("MEDFAQ_SOAK_WARMUP", 200),
        }
    }
}

/// The figures of one run.
#[derive(Debug, Clone, Default)]
struct Report {
    asks: usize,
    autocompletes: usize,
    rate: f64,
    lost_asks: usize,
    lost_autocompletes: usize,
    deferred: usize,
    ask_ms: Percentiles,
    autocomplete_ms: Percentiles,
    rss_before_kib: u64,
    rss_after_kib: u64,
    warn_lines: usize,
    took: Duration,
}

#[derive(Debug, Clone, Copy, Default)]
struct Percentiles {
    p50: f64,
    p99: f64,
    max: f64,
}

impl Percentiles {
    fn of(mut ms: Vec<f64>) -> Percentiles {
        if ms.is_empty() {
            return Percentiles::default();
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
        Percentiles {
            p50: at(0.50),
            p99: at(0.99),
            max: ms[ms.len() - 1],
        }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "soak: {} /ask + {} autocomplete at {}/s in {:.1} s | lost {} /ask, {} autocomplete | \
             deferred {} | /ask first response p50 {:.2} ms p99 {:.2} ms max {:.2} ms | \
             autocomplete p50 {:.2} ms p99 {:.2} ms max {:.2} ms | \
             VmRSS {} KiB after warm-up, {} KiB after ({:+} KiB) | medfaq warnings {}",
            self.asks,
            self.autocompletes,
            self.rate,
            self.took.as_secs_f64(),
            self.lost_asks,
            self.lost_autocompletes,
            self.deferred,
            self.ask_ms.p50,
            self.ask_ms.p99,
            self.ask_ms.max,
            self.autocomplete_ms.p50,
            self.autocomplete_ms.p99,
            self.autocomplete_ms.max,
            self.rss_before_kib,
            self.rss_after_kib,
            self.rss_after_kib as i64 - self.rss_before_kib as i64,
            self.warn_lines,
        )
    }
}

/// This process's resident memory in KiB (Linux; 0 elsewhere).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Dispatches `asks` `/ask`s at `rate` per second, each followed by `autocomplete_per_ask`
/// autocomplete events; returns the ids of both kinds.
async fn drive(
    live: &Live,
    asks: usize,
    rate: f64,
    autocomplete_per_ask: usize,
    first: usize,
) -> (Vec<u64>, Vec<u64>) {
    let mut ask_ids = Vec::with_capacity(asks);
    let mut autocomplete_ids = Vec::with_capacity(asks * autocomplete_per_ask);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for i in first..first + asks {
        tick.tick().await;
        let member = FIRST_MEMBER + i as u64;
        let place = if i % 3 == 0 { DM } else { GUILD };
        for k in 0..autocomplete_per_ask {
            let partial = PARTIALS[(i + k) % PARTIALS.len()];
            autocomplete_ids.push(live.autocomplete(member, place, partial));
        }
        ask_ids.push(live.ask(member, place, QUESTIONS[i % QUESTIONS.len()]));
    }
    (ask_ids, autocomplete_ids)
}

/// Waits until every interaction in `ids` is acknowledged or its deadline has passed.
async fn settle(live: &Live, ids: &[u64]) {
    let until = Instant::now() + DEADLINE + Duration::from_secs(2);
    while Instant::now() < until
        && ids.iter().any(|id| {
            live.standin
                .interaction(*id)
                .is_some_and(|r| r.acknowledged.is_none())
        })
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Latencies (ms) of the first callback, and how many were lost or deferred.
fn measure(live: &Live, ids: &[u64], kind: u64) -> (Vec<f64>, usize, usize) {
    let mut ms = Vec::with_capacity(ids.len());
    let (mut lost, mut deferred) = (0, 0);
    for id in ids {
        let r = live.standin.interaction(*id).expect("dispatched");
        match r.acknowledged {
            Some((at, k)) if at.duration_since(r.dispatched) <= DEADLINE => {
                if k == 5 {
                    deferred += 1;
                } else {
                    assert_eq!(k, kind, "interaction {id} answered with type {k}");
                }
            }
            _ => lost += 1,
        }
        if let Some(first) = r.first_callback {
            ms.push(first.duration_since(r.dispatched).as_secs_f64() * 1000.0);
        }
    }
    (ms, lost, deferred)
}

/// Runs one soak and returns its figures.
fn soak(shape: Shape) -> Report {
    let report = Arc::new(Mutex::new(Report::default()));
    let out = Arc::clone(&report);
    let options = Options {
        log_filter: "info",
        loud_only: true,
        worker_threads: 2,
        standin_late: false,
    };
    live::run(options, move |live| async move {
        live.standin.set_recording(false);
        let total = (shape.warmup + shape.asks) * (1 + shape.autocomplete_per_ask);
        live.standin.reserve_interactions(total);
        let (warm, _) = drive(&live, shape.warmup, shape.rate, 1, 0).await;
        settle(&live, &warm).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss_before_kib = rss_kib();

        let started = Instant::now();
        let (asks, autocompletes) = drive(
            &live,
            shape.asks,
            shape.rate,
            shape.autocomplete_per_ask,
            shape.warmup,
        )
        .await;
        settle(&live, &asks).await;
        settle(&live, &autocompletes).await;
        let took = started.elapsed();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let rss_after_kib = rss_kib();

        let (ask_ms, lost_asks, deferred) = measure(&live, &asks, 4);
        let (autocomplete_ms, lost_autocompletes, _) = measure(&live, &autocompletes, 8);
        let warn_lines = live
            .logs
            .loud()
            .iter()
            .filter(|l| l.contains(" medfaq::") && !l.contains("using a Discord stand-in"))
            .count();
        *out.lock().unwrap() = Report {
            asks: asks.len(),
            autocompletes: autocompletes.len(),
            rate: shape.rate,
            lost_asks,
            lost_autocompletes,
            deferred,
            ask_ms: Percentiles::of(ask_ms),
            autocomplete_ms: Percentiles::of(autocomplete_ms),
            rss_before_kib,
            rss_after_kib,
            warn_lines,
            took,
        };
    });
    let report = report.lock().unwrap().clone();
    println!("{report}");
    report
}

/// Every interaction answered, every first response within Discord's 3 s. (Only the
/// deadline is asserted: CI machines are too noisy for tighter timing.)
#[track_caller]
fn assert_held(r: &Report) {
    assert_eq!(r.lost_asks, 0, "{r}");
    assert_eq!(r.lost_autocompletes, 0, "{r}");
    let deadline_ms = DEADLINE.as_secs_f64() * 1000.0;
    assert!(r.ask_ms.max < deadline_ms, "{r}");
    assert!(r.autocomplete_ms.max < deadline_ms, "{r}");
}

#[test]
fn soak_short() {
    let r = soak(Shape {
        asks: 200,
        rate: 50.0,
        autocomplete_per_ask: 2,
        warmup: 20,
    });
    assert_eq!(r.asks, 200);
    assert_eq!(r.autocompletes, 400);
    assert_held(&r);
}

#[test]
#[ignore = "the full soak takes about 50 s: cargo test --release --test integration soak -- --ignored --nocapture"]
fn soak_full() {
    let shape = Shape::from_env();
    let r = soak(shape);
    assert_eq!(r.asks, shape.asks);
    assert_held(&r);
}
