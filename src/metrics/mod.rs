//! What the bot counts and knows about itself while it serves: Prometheus metrics (questions
//! by outcome, answers per entry, emergencies by kind, how long answering takes, knowledge
//! reloads, gateway sessions) and the [`Status`] that `/healthz` and `/medfaq-status` show
//! (shards connected, the knowledge being served, the last reload error, uptime).
//!
//! Every label value comes from a closed set fixed in code (outcomes, emergency kinds, gateway
//! events) or from the knowledge (entry ids): never a member's words or id, so a scrape can be
//! shared freely. The adapter records into one [`Metrics`]; it touches neither the network nor
//! serenity, which `discord` keeps to itself.

mod status;
#[cfg(test)]
mod tests;
mod version;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

pub use status::{KnowledgeInfo, ReloadError, Status};
pub use version::{knowledge_version, VERSION_CHARS};

use crate::reply::Reply;
use crate::Engine;

/// The content type of [`Metrics::encode`]'s text (OpenMetrics, which Prometheus reads).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The smallest bucket of the answer-time histogram: matching a short question takes some
/// tens of microseconds, so anything under this is "instant".
const LATENCY_FIRST_BUCKET: f64 = 0.000_05;

/// Each bucket of the answer-time histogram is this many times the one before.
const LATENCY_FACTOR: f64 = 2.0;

/// Buckets of the answer-time histogram: from [`LATENCY_FIRST_BUCKET`] doubling up to ~0.4 s,
/// far beyond a healthy answer, so a slowdown shows up as a shift rather than an overflow.
const LATENCY_BUCKETS: u16 = 14;

/// What became of one question or request, as counted by `medfaq_interactions_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Handled {
    /// Answered from one entry.
    Answer,
    /// "Did you mean…" with choices.
    Clarify,
    /// Nothing curated fits.
    NoMatch,
    /// An emergency happening now: emergency help led.
    Emergency,
    /// Refused by the per-member rate limit.
    RateLimited,
    /// A greeting (or an empty mention) got the introduction.
    Intro,
    /// `/emergency` listed the region's help lines.
    HelpLines,
    /// A button's entry had been removed by a knowledge reload.
    Gone,
}

impl Handled {
    /// Every value, in the order the metric lists them.
    pub const ALL: [Handled; 8] = [
        Handled::Answer,
        Handled::Clarify,
        Handled::NoMatch,
        Handled::Emergency,
        Handled::RateLimited,
        Handled::Intro,
        Handled::HelpLines,
        Handled::Gone,
    ];

    /// The label value (the same words the logs use).
    pub fn as_str(self) -> &'static str {
        match self {
            Handled::Answer => "answer",
            Handled::Clarify => "clarify",
            Handled::NoMatch => "no_match",
            Handled::Emergency => "emergency",
            Handled::RateLimited => "rate_limited",
            Handled::Intro => "intro",
            Handled::HelpLines => "help_lines",
            Handled::Gone => "gone",
        }
    }

    /// The value for an engine outcome.
    pub fn of(outcome: crate::Outcome) -> Handled {
        match outcome {
            crate::Outcome::Answer => Handled::Answer,
            crate::Outcome::Clarify => Handled::Clarify,
            crate::Outcome::NoMatch => Handled::NoMatch,
            crate::Outcome::Emergency => Handled::Emergency,
        }
    }
}

/// How a gateway session started, as counted by `medfaq_gateway_sessions_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Session {
    /// READY: a new session (the first connection, or a re-identify).
    Ready,
    /// RESUMED: a dropped session picked up where it left off.
    Resumed,
}

impl Session {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Session::Ready => "ready",
            Session::Resumed => "resumed",
        }
    }
}

/// A label set of one label whose value is fixed in code.
type Fixed = [(&'static str, &'static str); 1];

/// The bot's metrics and status: one per running bot, shared by its handlers, the reloader,
/// the gateway handler and the HTTP endpoint.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    interactions: Family<Fixed, Counter>,
    answers: Family<[(&'static str, String); 1], Counter>,
    triage: Family<Fixed, Counter>,
    latency: Histogram,
    reloads: Counter,
    reload_failures: Counter,
    sessions: Family<Fixed, Counter>,
    reconnects: Counter,
    disconnects: Counter,
    shards_ready: Gauge,
    entries: Gauge,
    started: Instant,
    started_at: SystemTime,
    state: Mutex<status::State>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Empty metrics, with the clock of uptime starting now.
    pub fn new() -> Metrics {
        let interactions = Family::<Fixed, Counter>::default();
        let answers = Family::default();
        let triage = Family::<Fixed, Counter>::default();
        let latency = Histogram::new(exponential_buckets(
            LATENCY_FIRST_BUCKET,
            LATENCY_FACTOR,
            LATENCY_BUCKETS,
        ));
        let sessions = Family::<Fixed, Counter>::default();
        let (reloads, reload_failures) = (Counter::default(), Counter::default());
        let (reconnects, disconnects) = (Counter::default(), Counter::default());
        let (shards_ready, entries) = (Gauge::default(), Gauge::default());
        // Every fixed label appears from the start, at zero, so rates work from the first
        // scrape and the set of series does not depend on what members asked.
        for h in Handled::ALL {
            let _ = interactions.get_or_create(&[("outcome", h.as_str())]);
        }
        for k in crate::knowledge::EmergencyKind::ALL {
            let _ = triage.get_or_create(&[("kind", k.as_str())]);
        }
        for s in [Session::Ready, Session::Resumed] {
            let _ = sessions.get_or_create(&[("event", s.as_str())]);
        }

        let mut registry = Registry::with_prefix("medfaq");
        registry.register(
            "interactions",
            "Questions and requests handled, by outcome",
            interactions.clone(),
        );
        registry.register(
            "answers",
            "Answers given, by knowledge entry id",
            answers.clone(),
        );
        registry.register(
            "triage",
            "Emergency replies, by kind of emergency",
            triage.clone(),
        );
        registry.register_with_unit(
            "answer_duration",
            "Time to choose and build an answer (triage and matching), not counting Discord",
            prometheus_client::registry::Unit::Seconds,
            latency.clone(),
        );
        registry.register(
            "knowledge_reloads",
            "Knowledge reloads swapped in",
            reloads.clone(),
        );
        registry.register(
            "knowledge_reload_failures",
            "Knowledge reloads refused (the previous knowledge kept serving)",
            reload_failures.clone(),
        );
        registry.register(
            "knowledge_entries",
            "Entries in the knowledge being served",
            entries.clone(),
        );
        registry.register(
            "gateway_sessions",
            "Gateway sessions started (ready) or resumed (resumed), all shards",
            sessions.clone(),
        );
        registry.register(
            "gateway_reconnects",
            "Gateway connections after a shard's first: every resume and every later ready",
            reconnects.clone(),
        );
        registry.register(
            "gateway_disconnects",
            "Times a connected shard lost its gateway connection",
            disconnects.clone(),
        );
        registry.register(
            "gateway_shards_ready",
            "Shards of this process connected to the gateway now",
            shards_ready.clone(),
        );
        Metrics {
            registry,
            interactions,
            answers,
            triage,
            latency,
            reloads,
            reload_failures,
            sessions,
            reconnects,
            disconnects,
            shards_ready,
            entries,
            started: Instant::now(),
            started_at: SystemTime::now(),
            state: Mutex::new(status::State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, status::State> {
        // The state is a few plain values, consistent after every update: a panic elsewhere
        // while holding the lock leaves nothing half-written worth refusing.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts one question or request that ended as `handled`.
    pub fn handled(&self, handled: Handled) {
        self.interactions
            .get_or_create(&[("outcome", handled.as_str())])
            .inc();
    }

    /// Counts an answered question: its outcome, its entry (by id), the emergency kinds it
    /// led with, and how long choosing it took.
    pub fn answered(&self, reply: &Reply, took: Duration) {
        self.handled(Handled::of(reply.outcome));
        if let Some(id) = &reply.entry_id {
            self.answers.get_or_create(&[("entry", id.clone())]).inc();
        }
        if reply.outcome == crate::Outcome::Emergency {
            for kind in &reply.kinds {
                self.triage.get_or_create(&[("kind", kind.as_str())]).inc();
            }
        }
        self.latency.observe(took.as_secs_f64());
    }

    /// Notes the knowledge now being served (at start, or after a reload): its version
    /// (see [`knowledge_version`]) and entries.
    pub fn knowledge_loaded(&self, engine: &Engine, version: String) {
        let entries = engine.knowledge().enabled().count();
        self.entries.set(i64::try_from(entries).unwrap_or(i64::MAX));
        let mut state = self.state();
        let first = state.knowledge.is_none();
        state.knowledge = Some(KnowledgeInfo {
            version,
            entries,
            loaded_at: SystemTime::now(),
        });
        state.reload_error = None;
        drop(state);
        if !first {
            self.reloads.inc();
        }
    }

    /// Notes a refused reload: `why` is what `/medfaq-status` shows (files and lines, never
    /// member data); the previous knowledge keeps serving.
    pub fn reload_failed(&self, why: String) {
        self.reload_failures.inc();
        self.state().reload_error = Some(ReloadError {
            at: SystemTime::now(),
            why,
        });
    }

    /// Notes that the config gives this process shards `first..=last` of `total`.
    pub fn shards_configured(&self, first: u32, last: u32, total: u32) {
        let mut state = self.state();
        state.shard_range = Some((first, last));
        state.shard_total = Some(total);
    }

    /// Notes a gateway session on `shard` (of `total`, when the event says) starting or
    /// resuming.
    pub fn gateway_session(&self, session: Session, shard: u32, total: Option<u32>) {
        self.sessions
            .get_or_create(&[("event", session.as_str())])
            .inc();
        let mut state = self.state();
        if total.is_some() {
            state.shard_total = total;
        }
        let seen_before = !state.seen.insert(shard);
        state.ready.insert(shard);
        let ready = state.ready.len();
        drop(state);
        if session == Session::Resumed || seen_before {
            self.reconnects.inc();
        }
        self.shards_ready
            .set(i64::try_from(ready).unwrap_or(i64::MAX));
    }

    /// Notes `shard`'s connection changing stage: `connected` is whether it is connected now.
    pub fn gateway_stage(&self, shard: u32, connected: bool) {
        let mut state = self.state();
        let was = if connected {
            !state.ready.insert(shard)
        } else {
            state.ready.remove(&shard)
        };
        let ready = state.ready.len();
        drop(state);
        if was && !connected {
            self.disconnects.inc();
        }
        self.shards_ready
            .set(i64::try_from(ready).unwrap_or(i64::MAX));
    }

    /// Notes which shards are connected now, as serenity's shard manager says (a shard being
    /// restarted is not listed): this catches a connection lost without a stage event, which
    /// serenity does not always send.
    pub fn gateway_connected(&self, connected: &[u32]) {
        let mut state = self.state();
        let now: std::collections::BTreeSet<u32> = connected.iter().copied().collect();
        let lost = state.ready.difference(&now).count();
        state.ready = now;
        let ready = state.ready.len();
        drop(state);
        self.disconnects.inc_by(lost as u64);
        self.shards_ready
            .set(i64::try_from(ready).unwrap_or(i64::MAX));
    }

    /// What the bot knows about itself now.
    pub fn status(&self) -> Status {
        let state = self.state();
        Status {
            knowledge: state.knowledge.clone(),
            reload_error: state.reload_error.clone(),
            shards_ready: state.ready.iter().copied().collect(),
            shards_run: match state.shard_range {
                Some((first, last)) => (first..=last).collect(),
                None => state.seen.iter().copied().collect(),
            },
            shard_total: state.shard_total,
            started_at: self.started_at,
            uptime: self.started.elapsed(),
        }
    }

    /// Every metric in the text format Prometheus scrapes ([`CONTENT_TYPE`]).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail; the encoder only forwards the writer's errors.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
