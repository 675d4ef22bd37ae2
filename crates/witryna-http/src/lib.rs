//! # witryna-http
//!
//! The JSON REST API of Witryna as an axum [`Router`]: mount [`router`] in your own app
//! under any prefix, or run it with the `witryna serve` command.
//!
//! ```no_run
//! # async fn run(cms: witryna_core::Cms) {
//! let app = axum::Router::new().nest("/cms", witryna_http::router(witryna_http::ApiState::new(cms)));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! axum::serve(listener, app).await.unwrap();
//! # }
//! ```
//!
//! Resources live under `/api/v1`, one set for every kind the [`Cms`]'s registry
//! ([`Kinds`]) exposes: collections at their API segment (`news`, `programmes`, `units`,
//! `pages`, an integrator's `job-offers`), singletons such as `settings/accessibility`;
//! besides them `search`, `tokens` and `units/{key}/open`. The OpenAPI 3.1 document, made
//! from the same route table as the router and its access checks, is at
//! `/api/v1/openapi.json`; errors are `application/problem+json` (RFC 9457).

mod api;
pub mod auth;
mod error;
mod extract;
mod items;
mod openapi;
mod respond;

use std::sync::Arc;

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use witryna_core::cache::ResponseCache;
use witryna_core::{Cms, Kinds};

pub use auth::{NewToken, Role, TokenInfo};
pub use error::ApiError;

/// How the API behaves.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Largest accepted request body in bytes (default 1 MiB); larger is 413.
    pub body_limit: usize,
    /// Origins allowed by CORS (e.g. `https://mops.example.pl`); none: no CORS headers.
    pub cors_origins: Vec<String>,
    /// `max-age` of public reads, in seconds (default 60).
    pub public_max_age: u32,
    /// Public read responses kept in memory (default 1024; 0 turns the cache off).
    /// Every write through this service makes them stale at once.
    pub public_cache_entries: usize,
    /// Most bytes of keys and bodies the public response cache holds (default 32 MiB).
    pub public_cache_bytes: usize,
    /// How long a cached public response may be served (default 1 s): the most a
    /// scheduled item can appear late in a cached list.
    pub public_cache_ttl: std::time::Duration,
    /// What uploads to `POST /api/v1/media` may be (default 25 MiB, 50 megapixels).
    pub media_limits: witryna_media::Limits,
    /// Whether webhook endpoints may be on loopback, private or link-local addresses
    /// (default false; tests and receivers inside the site's own network).
    pub webhooks_allow_private: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            body_limit: 1024 * 1024,
            cors_origins: Vec::new(),
            public_max_age: 60,
            public_cache_entries: 1024,
            public_cache_bytes: 32 << 20,
            public_cache_ttl: std::time::Duration::from_secs(1),
            media_limits: witryna_media::Limits::default(),
            webhooks_allow_private: false,
        }
    }
}

/// What the handlers share: the Cms, the configuration, and the OpenAPI document of the
/// Cms's kinds (made once).
#[derive(Clone)]
pub struct ApiState(Arc<Shared>);

/// What [`ApiState`] shares, behind one `Arc`: every request clones the state (several
/// times, through axum's extractors), so a clone is one counter.
pub(crate) struct Shared {
    cms: Cms,
    config: ApiConfig,
    cache: ResponseCache<axum::body::Bytes>,
    failed_logins: auth::FailedLogins,
    openapi: axum::body::Bytes,
}

impl std::fmt::Debug for ApiState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiState").field("config", &self.0.config).finish_non_exhaustive()
    }
}

impl ApiState {
    /// State with the default configuration.
    pub fn new(cms: Cms) -> Self {
        Self::with_config(cms, ApiConfig::default())
    }

    /// State with a configuration.
    pub fn with_config(cms: Cms, config: ApiConfig) -> Self {
        let cache = ResponseCache::new(config.public_cache_entries, config.public_cache_bytes, config.public_cache_ttl);
        let openapi = serde_json::to_vec(&openapi_document(cms.kinds())).expect("the document serializes").into();
        Self(Arc::new(Shared { cms, config, cache, failed_logins: auth::FailedLogins::default(), openapi }))
    }

    /// Entries and bytes held by the public response cache now.
    pub fn cache_usage(&self) -> (usize, usize) {
        self.0.cache.usage()
    }
}

/// The API's answer for a path it has no route for: a problem+json 404.
pub async fn not_found() -> Response {
    error::problem(
        StatusCode::NOT_FOUND,
        "urn:witryna:problem:no-route",
        "No such route",
        "no API route matches this path; see /api/v1/openapi.json".into(),
        &[],
        None,
    )
}

async fn wrong_method() -> Response {
    error::problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "urn:witryna:problem:method-not-allowed",
        "Method not allowed",
        "this route does not take this method; see /api/v1/openapi.json".into(),
        &[],
        None,
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal("a handler panicked".into()).into_response()
}

/// The OpenAPI 3.1 document of the API for a registry of kinds (what
/// `/api/v1/openapi.json` serves for a Cms with these kinds).
pub fn openapi_document(kinds: &Kinds) -> serde_json::Value {
    api::build(kinds).document()
}

/// The API router, with its state and a request log (`tracing`, INFO), ready to serve or
/// to nest under a prefix.
pub fn router(state: ApiState) -> Router {
    routes(state).fallback(not_found).layer(
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
    )
}

/// The CORS layer for the configured origins: `*` allows any origin (the API takes bearer
/// tokens, never cookies, so no credentials are involved); other entries are exact origins
/// (`https://mops.example.pl`) and entries that are not valid header values are skipped.
fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, header::IF_NONE_MATCH])
        .expose_headers([header::ETAG, header::LOCATION])
}

/// The API routes (with CORS and panic handling) without a fallback or request log, to
/// merge into an app that has its own — `witryna serve` merges them with the HTML site,
/// logs every request once, and sends unknown `/api/` paths to [`not_found`].
pub fn routes(state: ApiState) -> Router {
    let mut router = api::build(state.0.cms.kinds()).into_router(&state).method_not_allowed_fallback(wrong_method);
    if !state.0.config.cors_origins.is_empty() {
        router = router.layer(cors(&state.0.config.cors_origins));
    }
    router
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::map_response(nosniff))
        .with_state(state)
}

/// API answers are data, never to be sniffed into something a browser would run.
async fn nosniff(mut res: Response) -> Response {
    res.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}
