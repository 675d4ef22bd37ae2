//! `witryna serve`'s connection handling: hyper's HTTP/1 server driven directly (not
//! `axum::serve`) for what a public server facing careless and hostile clients needs.
//!
//! - A connection that sends no complete request head within the header timeout is
//!   closed — from the moment it is accepted, and again while it idles between requests.
//!   (hyper-util's auto builder first waits, without a timer, for bytes to tell HTTP/1
//!   from HTTP/2; HTTP/1 alone starts hyper's header timer at once.)
//! - At most `max_connections` are open. When all are taken, a new client takes the place
//!   of the connection that has been idle longest (nothing in flight for at least 1 s), so
//!   silent sockets cannot make visitors wait; only while none qualifies does it wait in
//!   the kernel's backlog.
//! - Accept errors (EMFILE and the like) back off up to 1 s and are logged at most every
//!   10 s with a count, instead of spinning and flooding the log.
//! - A request body must arrive whole within the body timeout, counted from the request
//!   head, not per chunk.
//! - Every request is logged once (method, path, status, time, client address).

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;

/// How connections are served.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionLimits {
    /// Time to send a request head, from the connection's start or the previous response.
    pub(crate) header_timeout: Duration,
    /// Time to send a whole request body, from the end of its head.
    pub(crate) body_timeout: Duration,
    /// The same for an upload ([`is_upload`]), and the time to answer it.
    pub(crate) upload_timeout: Duration,
    /// Most connections open at once.
    pub(crate) max_connections: usize,
    /// Take the client address from the last `X-Forwarded-For` entry (a trusted proxy).
    pub(crate) trust_proxy: bool,
}

/// A body passed through with what the connection layer watches: for a request body, a
/// deadline after which it fails however it trickles; for a response body, the request's
/// in-flight count, which ends when the body has been sent (or dropped).
struct WatchedBody {
    inner: Body,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    _in_flight: Option<InFlight>,
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within the body timeout")]
struct BodyTimedOut;

impl http_body::Body for WatchedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        // What has arrived is taken even after the deadline (the server may read late); a
        // client that trickles leaves the body pending most of the time, and then the
        // deadline counts.
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Pending if this.deadline.as_mut().is_some_and(|d| d.as_mut().poll(cx).is_ready()) => {
                Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut))))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The client address of a request: the peer, or behind a trusted proxy the last address
/// the proxy appended to `X-Forwarded-For`.
fn client_address<B>(request: &Request<B>, peer: SocketAddr, trust_proxy: bool) -> SocketAddr {
    if !trust_proxy {
        return peer;
    }
    request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|last| last.trim().parse::<IpAddr>().ok())
        .map_or(peer, |ip| SocketAddr::new(ip, 0))
}

/// Accept errors: a growing pause, and a log line at most every 10 s.
struct AcceptBackoff {
    delay: Duration,
    suppressed: u64,
    last_log: Option<Instant>,
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(5);
    const MAX: Duration = Duration::from_secs(1);
    const LOG_EVERY: Duration = Duration::from_secs(10);

    fn new() -> Self {
        Self { delay: Self::FIRST, suppressed: 0, last_log: None }
    }

    async fn failed(&mut self, error: &std::io::Error) {
        if self.last_log.is_none_or(|t| t.elapsed() >= Self::LOG_EVERY) {
            tracing::warn!(%error, suppressed = self.suppressed, "accepting a connection failed; backing off");
            self.last_log = Some(Instant::now());
            self.suppressed = 0;
        } else {
            self.suppressed += 1;
        }
        tokio::time::sleep(self.delay).await;
        self.delay = (self.delay * 2).min(Self::MAX);
    }

    fn succeeded(&mut self) {
        self.delay = Self::FIRST;
    }
}

/// Milliseconds on a process-wide monotonic clock (for idle times kept in atomics).
fn now_ms() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// One open connection, shared by its task and the registry: requests in flight, since
/// when it is idle, and how to close it. Requests touch only its atomics.
struct Connection {
    in_flight: AtomicUsize,
    idle_since_ms: AtomicU64,
    evict: tokio::sync::Notify,
}

impl Connection {
    fn request_starts(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }
}

/// Ends a request's count however it ends (response body sent, or dropped).
struct InFlight(Arc<Connection>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.idle_since_ms.store(now_ms(), Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The open connections, to find the one idle longest when every slot is taken.
#[derive(Default)]
struct Connections {
    next: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Connection>>>,
}

impl Connections {
    /// Idle time after which a connection may be closed to make room.
    const MIN_IDLE: Duration = Duration::from_secs(1);

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Connection>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self) -> (u64, Arc<Connection>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let connection = Arc::new(Connection {
            in_flight: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(now_ms()),
            evict: tokio::sync::Notify::new(),
        });
        self.lock().insert(id, connection.clone());
        (id, connection)
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Closes the connection idle longest, if one has been idle at least
    /// [`Connections::MIN_IDLE`] (a client whose request is still on its way is not cut
    /// off).
    fn evict_longest_idle(&self) {
        let mut open = self.lock();
        let latest = now_ms().saturating_sub(Self::MIN_IDLE.as_millis() as u64);
        let victim = open
            .iter()
            .map(|(id, c)| (*id, c.in_flight.load(Ordering::Relaxed), c.idle_since_ms.load(Ordering::Relaxed)))
            .filter(|(_, in_flight, idle_since)| *in_flight == 0 && *idle_since <= latest)
            .min_by_key(|(_, _, idle_since)| *idle_since)
            .map(|(id, _, _)| id);
        if let Some(c) = victim.and_then(|id| open.remove(&id)) {
            c.evict.notify_one();
        }
    }
}

/// Longest request target written to the log: a 64 KiB URL must not become a 64 KiB line.
const LOGGED_TARGET: usize = 200;

/// Paths whose last segment is a secret that works by itself (a setup or preview link),
/// and what the log shows instead.
const SECRET_PATHS: &[(&str, &str)] =
    &[("/admin/pierwsze-konto/", "/admin/pierwsze-konto/[hidden]"), ("/admin/podglad/", "/admin/podglad/[hidden]")];

fn span_for(request: &Request<Body>) -> tracing::Span {
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let target = SECRET_PATHS.iter().find(|(prefix, _)| target.starts_with(prefix)).map_or(target, |(_, shown)| shown);
    let mut cut = target.len().min(LOGGED_TARGET);
    while !target.is_char_boundary(cut) {
        cut -= 1;
    }
    let client = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    tracing::info_span!(
        "request",
        method = %request.method(),
        target = %&target[..cut],
        client = %client.map(|ip| ip.to_string()).unwrap_or_default(),
    )
}

/// Adds the request log (one line per response, with status and latency) to the app.
/// The requests that send files: `POST /api/v1/media` and the editor's upload form.
pub(crate) fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST && (path == "/api/v1/media" || path == "/admin/media/nowy")
}

/// Answers 408 when a request takes longer than `normal` (an upload: `upload`).
pub(crate) async fn answer_within(
    request: Request<Body>,
    next: axum::middleware::Next,
    normal: Duration,
    upload: Duration,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let allowed = if is_upload(request.method(), request.uri().path()) { upload } else { normal };
    match tokio::time::timeout(allowed, next.run(request)).await {
        Ok(response) => response,
        Err(_) => axum::http::StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

pub(crate) fn logged(app: Router) -> Router {
    use tower_http::trace::{DefaultOnResponse, TraceLayer};
    app.layer(
        TraceLayer::new_for_http()
            .make_span_with(span_for)
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
    )
}

/// Serves `app` on `listener` until `shutdown`, then lets requests in flight finish (up
/// to 30 s).
pub(crate) async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
    limits: ConnectionLimits,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let connections = Arc::new(Connections::default());
    let mut backoff = AcceptBackoff::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    backoff.failed(&e).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        backoff.succeeded();
        // A free slot, else the one of the connection idle longest; while none is free or
        // idle long enough, wait (the next clients wait in the backlog meanwhile).
        let permit = loop {
            if let Ok(permit) = permits.clone().try_acquire_owned() {
                break Some(permit);
            }
            connections.evict_longest_idle();
            tokio::select! {
                permit = permits.clone().acquire_owned() => break permit.ok(),
                _ = tokio::time::sleep(Connections::MIN_IDLE / 4) => {}
                _ = &mut shutdown => break None,
            }
        };
        let Some(permit) = permit else { break };
        let (id, this) = connections.add();
        let app = app.clone();
        let (body_timeout, upload_timeout, trust_proxy) =
            (limits.body_timeout, limits.upload_timeout, limits.trust_proxy);
        let watched = this.clone();
        let service = tower::service_fn(move |request: Request<hyper::body::Incoming>| {
            let client = client_address(&request, peer, trust_proxy);
            // A body that is already complete (most GETs) needs no deadline.
            let empty = http_body::Body::is_end_stream(request.body());
            let allowed = if is_upload(request.method(), request.uri().path()) { upload_timeout } else { body_timeout };
            let mut request = request.map(|body| {
                let deadline = (!empty).then(|| Box::pin(tokio::time::sleep(allowed)));
                Body::new(WatchedBody { inner: Body::new(body), deadline, _in_flight: None })
            });
            request.extensions_mut().insert(ConnectInfo(client));
            let in_flight = watched.request_starts();
            let response = app.clone().oneshot(request);
            async move {
                let response = response.await?;
                Ok::<_, std::convert::Infallible>(
                    response.map(|inner| Body::new(WatchedBody { inner, deadline: None, _in_flight: Some(in_flight) })),
                )
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        let connections = connections.clone();
        tokio::spawn(async move {
            tokio::select! {
                result = connection => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended");
                    }
                }
                _ = this.evict.notified() => tracing::debug!("idle connection closed to make room"),
            }
            connections.remove(id);
            drop(permit);
        });
    }
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(30)) => tracing::warn!("requests still running after 30 s; stopping"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_only_from_a_trusted_proxy() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let request = Request::builder().header("x-forwarded-for", "203.0.113.9, 198.51.100.7").body(()).unwrap();
        assert_eq!(client_address(&request, peer, false), peer);
        assert_eq!(client_address(&request, peer, true).ip(), "198.51.100.7".parse::<IpAddr>().unwrap());
        let forged = Request::builder().header("x-forwarded-for", "nonsense").body(()).unwrap();
        assert_eq!(client_address(&forged, peer, true), peer);
    }
}
