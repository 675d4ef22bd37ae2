//! # witryna-site
//!
//! The public site of Witryna: server-rendered, accessible (WCAG 2.1 AA), working fully
//! without JavaScript, in Polish and — for the locales a site turns on
//! ([`Cms::locales`](witryna_core::Cms::locales)) — English and Ukrainian. Mount [`router`]
//! at `/` (the `witryna serve` command does):
//!
//! ```no_run
//! # async fn run(cms: witryna_core::Cms) {
//! let app = witryna_site::router(witryna_site::SiteState::new(cms));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! axum::serve(listener, app).await.unwrap();
//! # }
//! ```
//!
//! Pages: `/`, a section per collection kind of the registry
//! ([`Kinds`](witryna_core::Kinds)) — `/aktualnosci`, `/projekty`, `/jednostki` with their
//! items at `{section}/{slug}`, static pages at `/strony/{slug}`, and an integrator's kind
//! (a job offer at `/oferty-pracy`) on generic pages rendered from its JSON Schema —,
//! `/deklaracja-dostepnosci`, the centre's activity for everyone (`/tekst-latwy-do-czytania`,
//! `/polski-jezyk-migowy`, `/informacje-o-dzialalnosci.txt`), `/ustawienia`,
//! `/skroty-klawiszowe`, `/szukaj`,
//! `/mapa-strony`, `/atom.xml`, `/sitemap.xml`, `/robots.txt`, the files of the media
//! library at `/media/{hash}/{name}` (public ones only, immutable, with byte ranges), and a
//! helpful 404. Visitor settings live in one cookie and are applied on the server, so every
//! page renders in the chosen mode.
//!
//! ## Languages
//!
//! Polish stays at `/` with its addresses unchanged. English and Ukrainian carry the same
//! pages under `/en/` and `/uk/` with translated paths: English words for `en`
//! (`/en/news`, `/en/projects`, `/en/units`, `/en/pages`, `/en/search`, `/en/settings`,
//! `/en/sitemap`, `/en/keyboard-shortcuts`, `/en/atom.xml`), and for `uk` Ukrainian words
//! in the official Ukrainian national transliteration (KMU 2010: `/uk/novyny`,
//! `/uk/proiekty`, `/uk/pidrozdily`, `/uk/storinky`, `/uk/poshuk`, `/uk/nalashtuvannia`,
//! `/uk/mapa-saitu`, `/uk/hariachi-klavishi`) — Latin paths survive copying, printing and
//! logs without percent-encoding. An item's page uses the translation's own slug; an
//! integrator's kind, which has no names in other languages, keeps its Polish segment
//! under the prefix (`/en/oferty-pracy`). Only locales turned on get routes: under the
//! prefix of one turned off every address is the (Polish) 404 page. The accessibility
//! declaration stays Polish at `/deklaracja-dostepnosci`, the law's template, linked from
//! every language's footer; so do the easy-to-read text and the sign-language page.
//!
//! `<html lang>` is the page's language; a Polish fragment on another language's page
//! (the site's name, an editor's label, a Polish item) carries `lang="pl"`. Every page has
//! a language switcher naming each language in itself and leading to the same page in it,
//! and `<link rel="alternate" hreflang>` to its counterparts (an item's: the public
//! members of its translation group) with `x-default` the Polish one; `sitemap.xml` lists
//! every language's pages with `xhtml:link` alternates. A Polish item without a public
//! translation, asked for under `/en/` or `/uk/`, is shown in Polish (its content
//! `lang="pl"`) with a note in the reader's language, `noindex` and a canonical link to the
//! Polish page — never a 404; one with a translation redirects to it. Lists and home pages
//! show the language's own items and link to the Polish section for more.
//!
//! Every text the site writes comes from one message catalogue per language
//! ([`messages`]): a compiled table, so a missing translation is a compile error (see the
//! module for why not `fluent`).
//!
//! [`preview`] renders any version of an item (a draft, an edit not yet published) as its
//! page would look once published, marked as a preview and never cached or indexed: the
//! editor interface shows it.
//!
//! Pictures and documents of the media library appear on pages as responsive `<img>`
//! (`srcset` of the stored variants, `width` and `height` from the stored dimensions) and
//! download links with their type and size („Wniosek <span>(PDF, 75 KB)</span>”); a
//! reference to a file that is missing or not public renders nothing.

pub mod diff;
mod files;
mod markdown;
mod media;
pub mod messages;

mod pages;
pub mod schema;
pub mod settings;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use witryna_core::cache::ResponseCache;
use witryna_core::Cms;

pub use files::private_file;
pub use markdown::render as render_markdown;

/// The site address of a stored file (`/media/{hash}/{name}`, the name percent-encoded).
pub fn file_href(hash: witryna_core::store::BlobHash, name: &str) -> String {
    media::file_href("", hash, name)
}
pub use pages::{item_path, not_found, preview};

/// [`render_markdown`] with the text's media-library images (`![opis](media:<id>)`) shown,
/// as the editor's preview of a text needs: every status (a draft's picture too; its file is
/// served once it is public), addresses relative to the site.
pub async fn render_markdown_with_media(cms: &Cms, markdown: String) -> String {
    let mut refs = witryna_core::content::MediaRefs::default();
    refs.markdown("", &markdown);
    let media = std::sync::Arc::new(media::MediaSet::load(cms, &refs.into_vec(), true, "", &messages::PL).await);
    markdown::render_blocking(markdown, &media).await.unwrap_or_default()
}

/// How the site behaves.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// The site's public address for feeds, sitemaps and the declaration (e.g.
    /// `https://mops.example.pl`). Absolute links are made only from it, never from request
    /// headers; without it they stay relative (`/aktualnosci/…`). `witryna serve` sets it
    /// from `--public-url`, else from the address it listens on.
    pub public_url: Option<String>,
    /// Whether a proxy in front sets `X-Forwarded-Proto` truthfully (default false): then
    /// `https` there marks cookies `Secure` even when the public URL is not set to https.
    pub trust_proxy: bool,
    /// Rendered pages kept in memory (default 2048; 0: off). Any write makes them stale.
    pub cache_entries: usize,
    /// Most bytes of URLs and pages the page cache holds (default 32 MiB; 0: off).
    pub cache_bytes: usize,
    /// How long a rendered page may be served (default 1 s): bounds how late an "open now"
    /// badge or a scheduled item can be.
    pub cache_ttl: Duration,
    /// Most bytes of small media files (at most 256 KiB each: pictures, variants) kept in
    /// memory (default 16 MiB; 0: off). Files are named by the hash of their bytes, so a
    /// kept copy is never stale; whether a file may be served is still looked up on every
    /// request.
    pub file_cache_bytes: usize,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            public_url: None,
            trust_proxy: false,
            cache_entries: 2048,
            cache_bytes: 32 << 20,
            cache_ttl: Duration::from_secs(1),
            file_cache_bytes: 16 << 20,
        }
    }
}

impl SiteConfig {
    /// Whether the visitor reached the site over HTTPS, as far as the configuration lets
    /// the server know: an https public URL, or a trusted proxy saying so.
    pub fn is_https(&self, headers: &axum::http::HeaderMap) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"))
            || (self.trust_proxy
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("https")))
    }
}

/// What the page handlers share.
#[derive(Clone)]
pub struct SiteState {
    cms: Cms,
    config: Arc<SiteConfig>,
    cache: Arc<ResponseCache<axum::body::Bytes>>,
    /// Small media files by blob hash ([`SiteConfig::file_cache_bytes`]); never the pages'.
    files: Arc<ResponseCache<axum::body::Bytes>>,
    /// The record a [`preview`] shows in place of a public lookup: set only on the copy of
    /// the state that one preview renders with, never on the router's.
    preview: Option<Arc<pages::Preview>>,
    /// The accessibility settings with the change generation they were read at.
    settings: Arc<std::sync::RwLock<Option<SettingsSnapshot>>>,
}

/// Saved accessibility settings as read at a change generation.
type SettingsSnapshot = (u64, Option<Arc<witryna_core::content::AccessibilitySettings>>);

impl std::fmt::Debug for SiteState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiteState").field("config", &self.config).finish_non_exhaustive()
    }
}

impl SiteState {
    /// State with the default configuration.
    pub fn new(cms: Cms) -> Self {
        Self::with_config(cms, SiteConfig::default())
    }

    /// State with a configuration.
    pub fn with_config(cms: Cms, mut config: SiteConfig) -> Self {
        let cache = Arc::new(ResponseCache::new(config.cache_entries, config.cache_bytes, config.cache_ttl));
        let files = Arc::new(files::file_cache(config.file_cache_bytes));
        // Normalised once: links are `{base}/path`.
        config.public_url = config.public_url.map(|u| u.trim_end_matches('/').to_owned());
        Self { cms, config: Arc::new(config), cache, files, preview: None, settings: Arc::default() }
    }

    /// The public URL without a trailing `/`; empty when none is configured (links then
    /// stay relative).
    pub(crate) fn base_url(&self) -> &str {
        self.config.public_url.as_deref().unwrap_or_default()
    }

    /// Entries and bytes held by the page cache now.
    pub fn cache_usage(&self) -> (usize, usize) {
        self.cache.usage()
    }
}

/// The site's routes without a fallback, to merge with other routers (the API).
///
/// Every collection kind of the Cms's registry is a section: the built-in kinds with their
/// own templates, any other kind with the generic list and item pages.
///
/// # Panics
/// When a kind's site section is not a path (`/…`) or is one of the site's own pages (a
/// mistake in the registry, found at startup).
pub fn routes(state: SiteState) -> Router {
    let kinds = state.cms.kinds();
    let mut router = Router::new()
        .route("/deklaracja-dostepnosci", get(pages::static_pages::declaration))
        .route(pages::information::EASY_TO_READ, get(pages::information::easy_to_read))
        .route(pages::information::SIGN_LANGUAGE, get(pages::information::sign_language))
        .route(pages::information::ACTIVITY_TEXT, get(pages::information::activity_text))
        .route("/ustawienia/ustaw", get(pages::static_pages::change_settings))
        .route("/sitemap.xml", get(pages::feeds::sitemap))
        .route("/robots.txt", get(pages::feeds::robots))
        .route("/static/site.css", get(pages::stylesheet))
        .route(files::ROUTE, get(files::media_file));
    // Only the locales turned on get routes: under the prefix of one turned off, every
    // address is the 404 page.
    for locale in state.cms.locales().iter() {
        router = router.merge(pages::locale_routes(kinds, messages::messages(locale.code)));
    }
    router.with_state(state)
}

/// The whole site with its 404 page, ready to serve.
pub fn router(state: SiteState) -> Router {
    let fallback_state = state.clone();
    routes(state).fallback(move |headers: axum::http::HeaderMap, uri: axum::http::Uri| {
        let state = fallback_state.clone();
        async move { not_found(&state, &headers, &uri).await }
    })
}
