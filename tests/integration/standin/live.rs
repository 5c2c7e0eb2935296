//! The real bot (`medfaq::discord::serve`, serenity's client included) running in-process
//! against a [`StandIn`], with its log captured: the harness of the fault and soak tests.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use medfaq::config::Config;
use medfaq::Engine;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::payloads::{self, Place};
use super::{Request, StandIn};

/// A recognisable fake token: it must never show up in a log line.
pub const FAKE_TOKEN: &str = "MTIzNDU2Nzg5.FAKE-medfaq-live-token.never-log-me-0c4d1e";
/// How long a test waits for anything before failing: generous, because CI's 2 cores run
/// many tests (and their bots) at once. Only a failing test waits this long.
pub const WAIT: Duration = Duration::from_secs(30);
/// A server channel.
pub const GUILD: Place = Place::Guild {
    guild: 710_000_000_000_000_001,
    channel: 710_000_000_000_000_002,
};

/// Captured log output. With `loud_only`, lines below WARN are counted but not kept (so a
/// long run's memory is not the log's).
#[derive(Clone, Default)]
pub struct Logs {
    kept: Arc<Mutex<Vec<u8>>>,
    lines: Arc<AtomicU64>,
    loud_only: bool,
}

/// One write of the subscriber (one formatted event).
pub struct LogWriter(Logs);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lines.fetch_add(
            buf.iter().filter(|b| **b == b'\n').count() as u64,
            Ordering::Relaxed,
        );
        let loud = || {
            let text = String::from_utf8_lossy(buf);
            text.contains(" WARN ") || text.contains("ERROR ")
        };
        if !self.0.loud_only || loud() {
            self.0.kept.lock().unwrap().extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = LogWriter;
    fn make_writer(&'a self) -> LogWriter {
        LogWriter(self.clone())
    }
}

impl Logs {
    /// Everything kept so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.kept.lock().unwrap()).into_owned()
    }

    /// Lines written so far, kept or not.
    pub fn lines(&self) -> u64 {
        self.lines.load(Ordering::Relaxed)
    }

    /// The kept WARN and ERROR lines.
    pub fn loud(&self) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| l.contains(" WARN ") || l.contains("ERROR "))
            .map(str::to_string)
            .collect()
    }
}

/// How to run the bot.
pub struct Options {
    /// The `tracing` filter (the privacy test's approach: every level the test cares about).
    pub log_filter: &'static str,
    /// Keep only WARN and ERROR lines.
    pub loud_only: bool,
    /// Tokio worker threads (the bot and the stand-in share the runtime).
    pub worker_threads: usize,
    /// Start the bot first, against an address where nothing listens, and the stand-in
    /// there only once the bot has logged a failed attempt to reach Discord.
    pub standin_late: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            log_filter: "debug",
            loud_only: false,
            worker_threads: 2,
            standin_late: false,
        }
    }
}

/// A running bot and its stand-in.
pub struct Live {
    /// The stand-in the bot talks to.
    pub standin: StandIn,
    /// The knowledge the bot serves.
    pub engine: Arc<Engine>,
    /// The bot's copy of the knowledge folder (tests may edit it to trigger a reload).
    pub knowledge: PathBuf,
    /// The bot's log so far.
    pub logs: Logs,
    /// The bot's storage (flush it before reading the store).
    pub storage: medfaq::storage::Storage,
    /// Where the store is (an SQLite file in a temporary folder unless the test's config
    /// named a PostgreSQL server).
    pub store: medfaq::config::StorageLocation,
}

impl Live {
    /// Dispatches `/ask` from `user` and returns the interaction id.
    pub fn ask(&self, user: u64, place: Place, question: &str) -> u64 {
        let id = self.standin.next_id();
        self.standin.dispatch(
            "INTERACTION_CREATE",
            payloads::ask(id, user, place, question, None),
        );
        id
    }

    /// Dispatches autocomplete on `/ask` with `partial` typed, and returns its id.
    pub fn autocomplete(&self, user: u64, place: Place, partial: &str) -> u64 {
        let id = self.standin.next_id();
        self.standin.dispatch(
            "INTERACTION_CREATE",
            payloads::autocomplete(id, user, place, partial),
        );
        id
    }

    /// Every callback request for interaction `id`, in order.
    pub fn callbacks(&self, id: u64) -> Vec<Request> {
        let needle = format!("/interactions/{id}/");
        self.standin
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.contains(&needle))
            .collect()
    }

    /// Every edit of interaction `id`'s original response.
    pub fn edits(&self, id: u64) -> Vec<Request> {
        let needle = format!("/interaction-token-{id}/messages/@original");
        self.standin
            .requests()
            .into_iter()
            .filter(|r| r.method == "PATCH" && r.path.ends_with(&needle))
            .collect()
    }

    /// Asks `question` and returns the accepted first response's body, checking that the
    /// stand-in accepted it within Discord's 3 seconds.
    pub async fn ask_answered(&self, user: u64, place: Place, question: &str) -> Value {
        let id = self.ask(user, place, question);
        self.wait_acknowledged(id).await;
        let record = self.standin.interaction(id).unwrap();
        let (at, kind) = record.acknowledged.unwrap();
        assert!(at.duration_since(record.dispatched) <= super::DEADLINE);
        assert_eq!(kind, 4, "answered with a message");
        self.callbacks(id)
            .into_iter()
            .find(|r| r.body["type"] == 4)
            .expect("the answer was recorded")
            .body
    }

    /// Waits until interaction `id` has an accepted first response.
    pub async fn wait_acknowledged(&self, id: u64) {
        let until = Instant::now() + WAIT;
        while self
            .standin
            .interaction(id)
            .and_then(|r| r.acknowledged)
            .is_none()
        {
            assert!(
                Instant::now() < until,
                "interaction {id} was never acknowledged: {:?}\nlogs:\n{}",
                self.standin.interaction(id),
                self.logs.text()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The address the bot's metrics endpoint listens on, from its log (tests give it port
    /// 0, so no other test can take the port between choosing and binding it).
    pub async fn metrics_addr(&self) -> std::net::SocketAddr {
        const SERVING: &str = "serving /healthz and /metrics addr=";
        self.wait_log(SERVING).await;
        let text = self.logs.text();
        let line = text.lines().find(|l| l.contains(SERVING)).unwrap();
        let addr = line.split(SERVING).nth(1).unwrap().trim();
        addr.parse().unwrap_or_else(|e| panic!("{addr:?}: {e}"))
    }

    /// Waits until the log has a line containing `needle`.
    pub async fn wait_log(&self, needle: &str) {
        let until = Instant::now() + WAIT;
        while !self.logs.text().contains(needle) {
            assert!(
                Instant::now() < until,
                "no log line with {needle:?}:\n{}",
                self.logs.text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Dispatches nothing for `d`, letting the bot finish what it is doing.
    pub async fn settle(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}

/// The repository's shipped knowledge folder.
pub fn repo_knowledge() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Like [`run_with`], without watching the knowledge folder.
pub fn run<F, Fut>(options: Options, body: F) -> String
where
    F: FnOnce(Arc<Live>) -> Fut,
    Fut: Future<Output = ()>,
{
    run_with(options, |config| config.bot.watch_knowledge = false, body)
}

/// Starts the bot on a copy of the shipped knowledge against a fresh stand-in (its config
/// adjusted by `tweak`), runs `body`, shuts the bot down (checking it stops cleanly), and
/// returns the captured log. Whatever the faults, the token and interaction tokens never
/// appear in the log.
pub fn run_with<F, Fut>(options: Options, tweak: impl FnOnce(&mut Config), body: F) -> String
where
    F: FnOnce(Arc<Live>) -> Fut,
    Fut: Future<Output = ()>,
{
    let standin_late = options.standin_late;
    with_logs(&options, |logs| async move {
        let bot = start(standin_late, tweak, &logs).await;
        body(Arc::clone(&bot.live)).await;
        bot.stop().await;
    })
}

/// A change to one bot's config.
pub type Tweak = Box<dyn FnOnce(&mut Config)>;

/// Like [`run_with`] for several bots at once (as several processes would run, each with
/// its own stand-in), each with its own config tweak; `body` gets them in the same order.
pub fn run_several<F, Fut>(options: Options, tweaks: Vec<Tweak>, body: F) -> String
where
    F: FnOnce(Vec<Arc<Live>>) -> Fut,
    Fut: Future<Output = ()>,
{
    with_logs(&options, |logs| async move {
        let mut bots = Vec::new();
        for tweak in tweaks {
            bots.push(start(false, tweak, &logs).await);
        }
        body(bots.iter().map(|b| Arc::clone(&b.live)).collect()).await;
        for bot in bots {
            bot.stop().await;
        }
    })
}

/// Runs `run` on a fresh runtime whose every thread logs into captured [`Logs`], then checks
/// the log and returns it.
fn with_logs<F, Fut>(options: &Options, run: F) -> String
where
    F: FnOnce(Logs) -> Fut,
    Fut: Future<Output = ()>,
{
    let logs = Logs {
        loud_only: options.loud_only,
        ..Logs::default()
    };
    let dispatch = tracing::Dispatch::new(medfaq::discord::logging::subscriber(
        options.log_filter,
        logs.clone(),
    ));
    let for_threads = dispatch.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.worker_threads)
        .enable_all()
        .on_thread_start(move || {
            std::mem::forget(tracing::dispatcher::set_default(&for_threads));
        })
        .build()
        .unwrap();
    let _main = tracing::dispatcher::set_default(&dispatch);
    runtime.block_on(run(logs.clone()));
    runtime.shutdown_timeout(Duration::from_secs(2));
    let text = logs.text();
    if std::env::var_os("MEDFAQ_SHOW_LOGS").is_some() {
        eprintln!("{text}");
    }
    assert!(!text.contains(FAKE_TOKEN), "the token is in the log");
    assert!(
        !text.contains("FAKE-medfaq"),
        "part of the token is in the log"
    );
    for line in text
        .lines()
        .filter(|l| l.contains(" INFO ") || l.contains(" WARN ") || l.contains("ERROR "))
    {
        assert!(
            !line.contains("interaction-token-"),
            "an interaction token is in the log: {line}"
        );
    }
    text
}

/// A bot started by [`start`].
struct Running {
    live: Arc<Live>,
    cancel: CancellationToken,
    serve: tokio::task::JoinHandle<Result<(), medfaq::discord::ServeError>>,
    _knowledge: tempfile::TempDir,
    _state: tempfile::TempDir,
}

impl Running {
    /// Shuts the bot down, checking that it stops cleanly.
    async fn stop(self) {
        self.cancel.cancel();
        let stopped = tokio::time::timeout(WAIT, self.serve)
            .await
            .expect("serve stops after shutdown")
            .expect("serve does not panic");
        assert!(stopped.is_ok(), "serve stopped with {stopped:?}");
    }
}

/// Starts a bot on a copy of the shipped knowledge and a store of its own (unless the
/// config names PostgreSQL), against a fresh stand-in — or, `standin_late`, first against an
/// address where nothing listens, with the stand-in started there once the bot has logged a
/// failed attempt to reach Discord. Returns once the bot has identified (and, if its shards
/// include the first, registered its commands).
async fn start(standin_late: bool, tweak: impl FnOnce(&mut Config), logs: &Logs) -> Running {
    // A late stand-in gets an address that was free a moment ago.
    let (early, api_url) = if standin_late {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        (None, format!("http://{}", free.local_addr().unwrap()))
    } else {
        let standin = StandIn::start().await;
        let url = standin.api_url.clone();
        (Some(standin), url)
    };
    let knowledge = tempfile::tempdir().unwrap();
    copy_dir(&repo_knowledge(), knowledge.path());
    let mut config = Config::default();
    config.discord.api_url = api_url.clone();
    config.bot.shutdown_grace_seconds = 2;
    tweak(&mut config);
    let registers = config.shards().unwrap().includes_first();
    // The store sits in a folder of its own, as beside a config file.
    let state = tempfile::tempdir().unwrap();
    let store = config.storage.location(state.path()).unwrap();
    let storage = medfaq::storage::Storage::open(&config, state.path())
        .await
        .expect("the store opens");
    let for_serve = storage.clone();
    let engine = Arc::new(Engine::load(knowledge.path()).unwrap());
    let for_bot = Arc::clone(&engine);
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let dir = knowledge.path().to_path_buf();
    let serve = tokio::spawn(async move {
        medfaq::discord::serve(&config, FAKE_TOKEN, &dir, for_bot, for_serve, async move {
            stop.cancelled().await
        })
        .await
    });
    let standin = match early {
        Some(standin) => standin,
        None => {
            let until = Instant::now() + WAIT;
            while !logs
                .text()
                .contains("could not reach Discord while starting")
            {
                assert!(Instant::now() < until, "no failed attempt logged");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            StandIn::start_at(api_url.trim_start_matches("http://")).await
        }
    };
    // A bot whose serve ended (a bad config, a metrics address taken) never identifies:
    // say why rather than time out.
    let ended = async {
        while !serve.is_finished() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let stopped = tokio::select! {
        () = standin.wait_identified(WAIT) => false,
        () = ended => true,
    };
    if stopped {
        let result = serve.await;
        panic!(
            "the bot stopped before identifying: {result:?}\nlogs:\n{}",
            logs.text()
        );
    }
    if registers {
        standin
            .wait_request("command registration", WAIT, |r| {
                r.method == "PUT" && r.path.ends_with("/commands")
            })
            .await;
    }
    let live = Arc::new(Live {
        standin,
        engine,
        knowledge: knowledge.path().to_path_buf(),
        logs: logs.clone(),
        storage,
        store,
    });
    Running {
        live,
        cancel,
        serve,
        _knowledge: knowledge,
        _state: state,
    }
}
