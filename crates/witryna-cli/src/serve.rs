//! `witryna serve`'s connection handling: hyper's HTTP/1 server driven directly (not
//! `axum::serve`) for what a public server facing careless and hostile clients needs.
//!
//! - A connection that sends no complete request head within the header timeout is
//!   closed — from the moment it is accepted, and again while it idles between requests.
//!   (hyper-util's auto builder first waits, without a timer, for bytes to tell HTTP/1
//!   from HTTP/2; HTTP/1 alone starts hyper's header timer at once.)
//! - At most `max_connections` are open; further clients wait in the kernel's backlog.
//! - Accept errors (EMFILE and the like) back off up to 1 s and are logged at most every
//!   10 s with a count, instead of spinning and flooding the log.
//! - A request body must arrive whole within the body timeout, counted from the request
//!   head, not per chunk.
//! - Every request is logged once (method, path, status, time, client address).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
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
    /// Most connections open at once.
    pub(crate) max_connections: usize,
    /// Take the client address from the last `X-Forwarded-For` entry (a trusted proxy).
    pub(crate) trust_proxy: bool,
}

/// A request body that fails once its deadline has passed, however it trickles.
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within the body timeout")]
struct BodyTimedOut;

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        // The deadline first: a client sending a byte a second is always "ready".
        if this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut))));
        }
        Pin::new(&mut this.inner).poll_frame(cx)
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

/// Longest request target written to the log: a 64 KiB URL must not become a 64 KiB line.
const LOGGED_TARGET: usize = 200;

fn span_for(request: &Request<Body>) -> tracing::Span {
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
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
    let mut backoff = AcceptBackoff::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A free slot first: at the cap, new clients wait in the backlog, not in memory.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break, // never closed
            },
            _ = &mut shutdown => break,
        };
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
        let app = app.clone();
        let (body_timeout, trust_proxy) = (limits.body_timeout, limits.trust_proxy);
        let service = tower::service_fn(move |request: Request<hyper::body::Incoming>| {
            let client = client_address(&request, peer, trust_proxy);
            let mut request = request.map(|body| {
                Body::new(DeadlineBody { inner: Body::new(body), deadline: Box::pin(tokio::time::sleep(body_timeout)) })
            });
            request.extensions_mut().insert(ConnectInfo(client));
            app.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
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
