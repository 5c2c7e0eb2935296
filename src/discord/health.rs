//! `/healthz` and `/metrics` over plain HTTP/1, for `[metrics] listen`: what a load balancer,
//! systemd or Kubernetes probe and a Prometheus server ask the bot. Answered from the
//! [`Metrics`] the handlers record into; nothing else is served. The gateway's events tell
//! [`Gateway`] which shards are connected.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serenity::all::{
    ConnectionStage, Context, EventHandler, Ready, ResumedEvent, ShardManager,
    ShardStageUpdateEvent,
};
use serenity::async_trait;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::metrics::{self, Metrics, Session};
use crate::Engine;

/// The health check's path: 200 when the bot can answer, 503 otherwise.
pub const HEALTH_PATH: &str = "/healthz";

/// The Prometheus scrape path.
pub const METRICS_PATH: &str = "/metrics";

/// How long a client may take to send its request headers: scrapers and probes send theirs at
/// once, so this only closes connections that never will.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Most connections served at once: a scraper and a probe or two need a handful, and the cap
/// keeps a misbehaving client on the same network from holding more.
pub const MAX_CONNECTIONS: usize = 16;

const PLAIN: &str = "text/plain; charset=utf-8";

/// How often the shards' stages are read from serenity's shard manager: often enough for a
/// probe to see a lost connection within seconds, rare enough to cost nothing.
pub const CHECK_SHARDS_EVERY: Duration = Duration::from_secs(5);

/// A background task that ends when this is dropped.
#[derive(Debug)]
pub struct Task(tokio::task::JoinHandle<()>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Reads every [`CHECK_SHARDS_EVERY`] which shards `manager` has connected and tells
/// `metrics`, until dropped. serenity does not send a stage event for every lost connection
/// (a dropped socket it resumes at once, or a shard it restarts), so the events alone could
/// leave `/healthz` at 200 through an outage.
pub fn check_shards(manager: Arc<ShardManager>, metrics: Arc<Metrics>) -> Task {
    Task(tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECK_SHARDS_EVERY);
        every.tick().await;
        loop {
            every.tick().await;
            let connected: Vec<u32> = manager
                .runners
                .lock()
                .await
                .iter()
                .filter(|(_, runner)| runner.stage == ConnectionStage::Connected)
                .map(|(id, _)| id.0)
                .collect();
            metrics.gateway_connected(&connected);
        }
    }))
}

/// A running endpoint; dropping it stops serving (and closes open connections).
#[derive(Debug)]
pub struct Endpoint {
    addr: SocketAddr,
    _task: Task,
}

impl Endpoint {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// The bot's metrics, counting from now with `engine` (loaded from `dir`) as the knowledge
/// served, and their endpoint when the config has `[metrics] listen`. The error says why the
/// address cannot be served, and how to fix it.
pub async fn start(
    config: &Config,
    engine: &Engine,
    dir: &Path,
) -> Result<(Arc<Metrics>, Option<Endpoint>), String> {
    let metrics = Arc::new(Metrics::new());
    metrics.knowledge_loaded(engine, metrics::knowledge_version(dir));
    if let Ok(crate::config::Shards::Range { first, last, total }) = config.shards() {
        metrics.shards_configured(first, last, total);
    }
    let Some(addr) = config.metrics.listen else {
        return Ok((metrics, None));
    };
    match serve(addr, Arc::clone(&metrics)).await {
        Ok(endpoint) => Ok((metrics, Some(endpoint))),
        Err(e) => Err(format!(
            "could not serve metrics on {addr}: {e}; change `listen` under [metrics] or \
             leave it out"
        )),
    }
}

/// A second serenity event handler, beside the one that answers: it counts gateway sessions
/// and follows which shards are connected, for `/healthz`, `/metrics` and `/medfaq-status`.
#[derive(Debug)]
pub struct Gateway(pub Arc<Metrics>);

#[async_trait]
impl EventHandler for Gateway {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        let (shard, total) = ready.shard.map_or((0, 1), |s| (s.id.0, s.total));
        self.0.gateway_session(Session::Ready, shard, Some(total));
    }

    async fn resume(&self, ctx: Context, _: ResumedEvent) {
        tracing::info!(shard = ctx.shard_id.0, "gateway session resumed");
        self.0
            .gateway_session(Session::Resumed, ctx.shard_id.0, None);
    }

    async fn shard_stage_update(&self, _ctx: Context, event: ShardStageUpdateEvent) {
        let connected = event.new == ConnectionStage::Connected;
        if connected || event.old == ConnectionStage::Connected {
            tracing::debug!(shard = event.shard_id.0, stage = %event.new, "gateway stage");
        }
        self.0.gateway_stage(event.shard_id.0, connected);
    }
}

/// Listens on `addr` and serves [`HEALTH_PATH`] and [`METRICS_PATH`] from `metrics` until the
/// returned [`Endpoint`] is dropped. Fails if the address cannot be bound (in use, not this
/// machine's). Needs a tokio runtime.
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<Endpoint> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "serving {HEALTH_PATH} and {METRICS_PATH}");
    let task = Task(tokio::spawn(accept(listener, metrics)));
    Ok(Endpoint { addr, _task: task })
}

/// Takes connections until aborted; aborting drops the set, which ends every connection.
async fn accept(listener: TcpListener, metrics: Arc<Metrics>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: pause rather than spin.
                tracing::warn!("metrics endpoint: accepting a connection failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Reap finished connections so the set stays small.
        while connections.try_join_next().is_some() {}
        let metrics = Arc::clone(&metrics);
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let response = answer(req.method(), req.uri().path(), &metrics);
                async move { Ok::<_, Infallible>(response) }
            });
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = served {
                tracing::debug!("metrics endpoint connection ended: {e}");
            }
            drop(slot);
        });
    }
}

/// The response to `method` on `path`: the routing of the endpoint, without the network.
pub fn answer(method: &Method, path: &str, metrics: &Metrics) -> Response<Full<Bytes>> {
    if path != HEALTH_PATH && path != METRICS_PATH {
        return reply(
            StatusCode::NOT_FOUND,
            PLAIN,
            "not found: try /healthz or /metrics\n",
        );
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = reply(StatusCode::METHOD_NOT_ALLOWED, PLAIN, "use GET\n");
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if path == HEALTH_PATH {
        let status = metrics.status();
        let code = if status.healthy() {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        reply(code, PLAIN, status.health_line())
    } else {
        reply(StatusCode::OK, metrics::CONTENT_TYPE, metrics.encode())
    }
}

fn reply(
    code: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = code;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};

    use super::*;
    use crate::metrics::Session;

    fn engine() -> crate::Engine {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        crate::Engine::load(&dir).expect("the shipped knowledge loads")
    }

    #[test]
    fn healthz_is_503_until_a_shard_is_ready_and_knowledge_is_loaded() {
        let metrics = Metrics::new();
        let health = |m: &Metrics| answer(&Method::GET, HEALTH_PATH, m).status();
        assert_eq!(health(&metrics), StatusCode::SERVICE_UNAVAILABLE);
        metrics.knowledge_loaded(&engine(), "0123456789ab".into());
        assert_eq!(
            health(&metrics),
            StatusCode::SERVICE_UNAVAILABLE,
            "knowledge alone is not enough: the gateway is not connected"
        );
        metrics.gateway_session(Session::Ready, 0, Some(1));
        assert_eq!(health(&metrics), StatusCode::OK);
        metrics.gateway_stage(0, false);
        assert_eq!(
            health(&metrics),
            StatusCode::SERVICE_UNAVAILABLE,
            "a shard that lost the gateway is not ready"
        );
        metrics.gateway_stage(0, true);
        assert_eq!(health(&metrics), StatusCode::OK);
    }

    #[test]
    fn only_the_two_paths_are_served_and_only_for_reading() {
        let metrics = Metrics::new();
        let status = |method: Method, path: &str| answer(&method, path, &metrics).status();
        assert_eq!(status(Method::GET, METRICS_PATH), StatusCode::OK);
        assert_eq!(status(Method::HEAD, METRICS_PATH), StatusCode::OK);
        assert_eq!(status(Method::GET, "/"), StatusCode::NOT_FOUND);
        assert_eq!(status(Method::GET, "/metrics/x"), StatusCode::NOT_FOUND);
        assert_eq!(
            status(Method::POST, METRICS_PATH),
            StatusCode::METHOD_NOT_ALLOWED
        );
    }

    /// One HTTP/1.1 GET over a plain socket; returns the status line and the body.
    fn get(addr: SocketAddr, path: &str) -> (String, String) {
        let mut s = std::net::TcpStream::connect(addr).expect("the endpoint accepts");
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").expect("a full response");
        (
            head.lines().next().unwrap_or_default().to_string(),
            body.to_string(),
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_endpoint_answers_over_http_until_dropped() {
        let metrics = Arc::new(Metrics::new());
        let endpoint = serve(([127, 0, 0, 1], 0).into(), Arc::clone(&metrics))
            .await
            .expect("a loopback port is free");
        let addr = endpoint.addr();
        let (status, body) = tokio::task::spawn_blocking(move || get(addr, HEALTH_PATH))
            .await
            .unwrap();
        assert!(status.contains(" 503 "), "{status}");
        assert!(body.contains("not connected"), "{body}");
        let (status, body) = tokio::task::spawn_blocking(move || get(addr, METRICS_PATH))
            .await
            .unwrap();
        assert!(status.contains(" 200 "), "{status}");
        assert!(
            body.contains("medfaq_interactions_total{outcome=\"answer\"} 0"),
            "{body}"
        );
        assert!(body.ends_with("# EOF\n"), "{body}");
        drop(endpoint);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "dropping the endpoint stops listening"
        );
    }
}
