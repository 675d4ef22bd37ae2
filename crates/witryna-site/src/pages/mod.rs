//! Page handlers and their templates (askama: compiled with the crate, escaping by default),
//! one module per part of the site:
//!
//! - this file: what every page shares (the request's context, the layout around the
//!   content, the page cache, errors, security headers, the 404 page), the site's
//!   sections, one per collection kind of the registry ([`Section`]), and [`preview`];
//! - [`home`], and the built-in kinds' own templates: [`news`], [`programmes`], [`units`],
//!   [`static_pages`] (with the declaration, the visitor's settings and shortcuts);
//! - [`generic`]: the list and item pages of every other kind, rendered from its JSON Schema;
//! - [`search`]; [`feeds`]: the Atom feed, `sitemap.xml`, `robots.txt` and the site map page.

pub(crate) mod feeds;
mod generic;
pub(crate) mod home;
mod news;
mod programmes;
pub(crate) mod search;
pub(crate) mod static_pages;
mod units;

use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use chrono::{DateTime, Utc};
use witryna_core::cms::DEFAULT_LOCALE;
use witryna_core::content::{AccessibilitySettings, Content, NewsArticle, Page, Programme, Unit};
use witryna_core::validate::{contains_forbidden_char, is_forbidden_char};
use witryna_core::{Cms, CmsError, Item, Kind, KindSpec, Kinds, Query as CmsQuery, Record, RecordLookup, View};

use crate::media::MediaSet;
use crate::settings::Visitor;
use crate::SiteState;

/// Why a page could not be shown.
#[derive(Debug)]
enum PageError {
    NotFound,
    Internal(String),
}

impl From<CmsError> for PageError {
    fn from(e: CmsError) -> Self {
        match e {
            // A visitor's bad address (unknown slug, a cursor or number out of range) is a
            // page that does not exist, never a server error.
            CmsError::NotFound { .. }
            | CmsError::SlugNotFound { .. }
            | CmsError::InvalidCursor(_)
            | CmsError::Invalid(_) => PageError::NotFound,
            other => PageError::Internal(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for PageError {
    fn from(e: tokio::task::JoinError) -> Self {
        PageError::Internal(format!("rendering off the workers: {e}"))
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::Internal(format!("template: {e}"))
    }
}

/// What a page handler produces.
enum Rendered {
    Html(String),
    Redirect(String),
}

pub(crate) struct Crumb {
    label: String,
    href: Option<String>,
}

pub(crate) struct SkipLink {
    label: String,
    target: String,
    key: Option<String>,
}

pub(crate) struct FontLink {
    index: usize,
    label: String,
    percent: u16,
    href: String,
    current: bool,
}

pub(crate) struct Toggle {
    label: &'static str,
    href: String,
}

pub(crate) struct MenuItem {
    label: &'static str,
    href: &'static str,
    current: bool,
}

/// What every page shows around its content.
pub(crate) struct Layout {
    title: String,
    site_name: String,
    classes: String,
    font_percent: u16,
    declaration_url: String,
    asset_version: &'static str,
    skip_links: Vec<SkipLink>,
    fonts: Vec<FontLink>,
    toggles: Vec<Toggle>,
    menu: Vec<MenuItem>,
    /// The name of the Atom feed's section, when the site has a feed.
    feed_title: Option<&'static str>,
    breadcrumbs: Vec<Crumb>,
    cookie_notice: Option<String>,
    cookies_ok_href: String,
    rodo: Option<String>,
    etr: Option<String>,
    pjm: Option<String>,
    visitor: Visitor,
    /// On a [`preview`]: its note (status, version); the page then has the preview banner
    /// and is not indexed.
    preview: Option<String>,
}

/// The request's context: site settings, the visitor's choices, the sections, addresses.
struct Ctx {
    settings: Option<AccessibilitySettings>,
    visitor: Visitor,
    /// The sections with a list page, in menu order.
    listed: Vec<KindSpec>,
    /// The name of the Atom feed's section ([`feeds::feed_section`]).
    feed_title: Option<&'static str>,
    /// The configured public URL without a trailing `/`; empty: links stay relative.
    base_url: String,
    /// This page's canonical address (path and the query parameters it understands,
    /// normalised): the cache key and where settings links return to.
    path: String,
    now: DateTime<Utc>,
    /// The record this page previews ([`preview`]): [`find`] answers it instead of looking
    /// the address up.
    preview: Option<Arc<Preview>>,
}

/// What a [`preview`] shows: one version of an item, whatever its status, and the note
/// its banner carries.
pub(crate) struct Preview {
    record: Record,
    note: String,
}

fn font_steps(settings: &Option<AccessibilitySettings>) -> Vec<(String, u16)> {
    match settings {
        Some(s) if !s.font_sizes.is_empty() => s.font_sizes.iter().map(|f| (f.label.clone(), f.percent)).collect(),
        _ => vec![("A".into(), 100), ("A+".into(), 125), ("A++".into(), 150)],
    }
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    crate::media::percent_encode(s, b"/")
}

/// A list page's canonical address: the section's, or with the cursor of a later page.
fn list_address(section: &str, cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!("{section}?od={}", encode(c)),
        None => section.to_owned(),
    }
}

fn change_href(ctx: &Ctx, key: &str, value: &str) -> String {
    format!("/ustawienia/ustaw?{key}={value}&powrot={}", encode(&ctx.path))
}

/// The context of a page whose canonical address is `path`. Absolute URLs come only from
/// the configured public URL, never from request headers (`Host`, `X-Forwarded-*`): a
/// forged header must not reach a page, a feed or the cache.
///
/// A preview of the accessibility settings replaces the saved ones on the page.
async fn context(s: &SiteState, headers: &HeaderMap, path: String) -> Result<Ctx, PageError> {
    let previewed = s.preview.as_ref().filter(|p| p.record.meta.kind == AccessibilitySettings::KIND);
    let settings = match previewed {
        Some(p) => Some(decode::<AccessibilitySettings>(p.record.clone())?.content),
        None => s.cms.singleton::<AccessibilitySettings>().await?.map(|i| i.content),
    };
    let visitor = Visitor::from_headers(headers, font_steps(&settings).len());
    let kinds = s.cms.kinds();
    let listed = sections(kinds).filter(Section::has_list).map(|section| section.spec).collect();
    let feed_title = feeds::feed_section(kinds).map(|section| section.spec.labels.plural);
    let base_url = s.base_url().to_owned();
    let preview = s.preview.clone();
    Ok(Ctx { settings, visitor, listed, feed_title, base_url, path, now: s.cms.now(), preview })
}

/// Longest page address that settings links carry back; longer ones return to `/`.
const MAX_RETURN_PATH: usize = 1024;

/// `value` when it is a path of this site that is safe to send a browser back to: one
/// leading `/` (not `//`, which is another host), no backslash (some browsers read it as
/// `/`), no whitespace or control character (browsers drop tabs and newlines, turning
/// `/\t/evil.example` into `//evil.example`), at most [`MAX_RETURN_PATH`] bytes, and
/// parseable as a path and query. Non-ASCII is percent-encoded for the header.
pub(crate) fn safe_return_path(value: &str) -> Option<String> {
    let ok = value.len() <= MAX_RETURN_PATH
        && value.starts_with('/')
        && !value.starts_with("//")
        && !value.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    if !ok {
        return None;
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out.parse::<axum::http::uri::PathAndQuery>().ok().map(|_| out)
}

fn layout(ctx: &Ctx, title: &str, crumbs: &[(&str, &str)], current: &str) -> Layout {
    let steps = font_steps(&ctx.settings);
    let v = ctx.visitor;
    let fonts = steps
        .iter()
        .enumerate()
        .map(|(i, (label, percent))| FontLink {
            index: i,
            label: label.clone(),
            percent: *percent,
            href: change_href(ctx, "f", &i.to_string()),
            current: i == v.font,
        })
        .collect();
    let toggle = |on: bool, key: &str, enable: &'static str, disable: &'static str| Toggle {
        label: if on { disable } else { enable },
        href: change_href(ctx, key, if on { "0" } else { "1" }),
    };
    let toggles = vec![
        toggle(v.contrast, "c", "Włącz wysoki kontrast", "Wyłącz wysoki kontrast"),
        toggle(v.underline, "u", "Podkreśl linki", "Nie podkreślaj linków"),
        toggle(v.spacing, "s", "Zwiększ odstępy w tekście", "Zwykłe odstępy w tekście"),
        toggle(v.motion, "m", "Uruchom animacje", "Wstrzymaj animacje"),
    ];
    let sections = ctx.listed.iter().map(|spec| (spec.labels.plural, spec.site_section));
    let menu = std::iter::once(("Strona główna", "/"))
        .chain(sections)
        .chain([("Szukaj", "/szukaj")])
        .map(|(label, href)| MenuItem { label, href, current: href == current })
        .collect();
    let settings = ctx.settings.as_ref();
    let shortcuts_on = v.shortcuts || settings.is_some_and(|s| !s.shortcuts_can_be_disabled);
    let mut skip_links: Vec<SkipLink> = settings
        .map(|s| {
            s.keyboard_shortcuts
                .iter()
                .map(|k| SkipLink {
                    label: k.label.clone(),
                    target: k.target.clone(),
                    key: shortcuts_on.then(|| k.key.clone()),
                })
                .collect()
        })
        .unwrap_or_default();
    // The skip link to the content is always first (WCAG 2.4.1).
    match skip_links.iter().position(|l| l.target == "#tresc") {
        Some(i) => {
            let first = skip_links.remove(i);
            skip_links.insert(0, first);
        }
        None => {
            skip_links.insert(0, SkipLink { label: "Przejdź do treści".into(), target: "#tresc".into(), key: None })
        }
    }
    let mut breadcrumbs =
        vec![Crumb { label: "Strona główna".into(), href: (!crumbs.is_empty()).then(|| "/".into()) }];
    for (i, (label, href)) in crumbs.iter().enumerate() {
        let last = i + 1 == crumbs.len();
        breadcrumbs.push(Crumb { label: (*label).to_owned(), href: (!last).then(|| (*href).to_owned()) });
    }
    Layout {
        title: title.to_owned(),
        site_name: settings.map_or_else(|| "Witryna".to_owned(), |s| s.declaration.entity.clone()),
        classes: v.classes(),
        font_percent: steps.get(v.font).map_or(100, |s| s.1),
        declaration_url: format!("{}/deklaracja-dostepnosci", ctx.base_url),
        asset_version: env!("CARGO_PKG_VERSION"),
        skip_links,
        fonts,
        toggles,
        menu,
        feed_title: ctx.feed_title,
        breadcrumbs,
        cookie_notice: if v.cookies_ok { None } else { settings.map(|s| s.cookie_notice.clone()) },
        cookies_ok_href: change_href(ctx, "o", "1"),
        rodo: settings.map(|s| s.rodo_clause.clone()),
        etr: settings.and_then(|s| s.easy_to_read_info.clone()),
        pjm: settings.and_then(|s| s.sign_language_info.clone()),
        visitor: v,
        preview: ctx.preview.as_ref().map(|p| p.note.clone()),
    }
}

/// The site's security headers: no scripts at all (the site has none), styles and forms
/// only from itself, never framed, no full addresses sent to other sites (a search for
/// „przemoc” should not follow a visitor out), never sniffed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; \
     img-src 'self' http: https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub(crate) fn harden(h: &mut HeaderMap, html: bool) {
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if html {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

/// Replaces characters that are never valid in HTML or XML text (see
/// [`is_forbidden_char`](witryna_core::validate::is_forbidden_char)) by U+FFFD: the last
/// guard on output, for text that reached the store before validation refused them.
fn scrub(text: String) -> String {
    if contains_forbidden_char(&text) {
        text.chars().map(|c| if is_forbidden_char(c) { '\u{FFFD}' } else { c }).collect()
    } else {
        text
    }
}

fn html_response(headers: &HeaderMap, status: StatusCode, etag: &str, body: Bytes) -> Response {
    let fresh = status == StatusCode::OK
        && headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if fresh { StatusCode::NOT_MODIFIED.into_response() } else { (status, body).into_response() };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    harden(h, true);
    res
}

/// Marks a preview's response: never stored by a browser or a proxy, never indexed.
fn no_store(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(HeaderName::from_static("x-robots-tag"), HeaderValue::from_static("noindex"));
    h.remove(header::ETAG);
    res
}

fn etag_of(body: &str) -> String {
    let mut h = std::hash::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:016x}\"", h.finish())
}

pub(crate) fn internal_error(message: &str) -> Response {
    tracing::error!(error = %message, "page failed");
    let body = "<!DOCTYPE html><html lang=\"pl\"><head><meta charset=\"utf-8\"><title>Błąd serwera</title></head>\
                <body><main><h1>Przepraszamy, wystąpił błąd</h1><p>Spróbuj ponownie za chwilę. \
                <a href=\"/\">Strona główna</a></p></main></body></html>";
    let mut res =
        (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    harden(res.headers_mut(), true);
    res
}

/// Renders a page through the cache, keyed by its canonical address `page` (see
/// [`Ctx::path`]) and the visitor's settings: nothing else of the request reaches the key.
/// A preview (the state carries one) is rendered afresh, never stored in or served from the
/// cache, and marked [`no_store`].
async fn serve<F, Fut>(s: &SiteState, headers: &HeaderMap, page: String, render: F) -> Response
where
    F: FnOnce(Ctx) -> Fut,
    Fut: std::future::Future<Output = Result<Rendered, PageError>>,
{
    if s.preview.is_some() {
        return no_store(render_page(s, headers, page, None, render).await);
    }
    let generation = s.cms.generation(); // before reading: a racing write leaves the entry stale
    render_page(s, headers, page, Some(generation), render).await
}

/// [`serve`]'s work: through the cache at `generation`, or past it when `None`.
async fn render_page<F, Fut>(
    s: &SiteState,
    headers: &HeaderMap,
    page: String,
    generation: Option<u64>,
    render: F,
) -> Response
where
    F: FnOnce(Ctx) -> Fut,
    Fut: std::future::Future<Output = Result<Rendered, PageError>>,
{
    let ctx = match context(s, headers, page).await {
        Ok(c) => c,
        Err(PageError::Internal(m)) => return internal_error(&m),
        Err(PageError::NotFound) => return not_found_page(s, headers, "/").await,
    };
    let key = format!("{}|{}", ctx.path, ctx.visitor.cookie_value());
    if let Some(hit) = generation.and_then(|generation| s.cache.get(&key, generation)) {
        return html_response(headers, StatusCode::OK, &hit.etag, hit.body);
    }
    let asked = ctx.path.clone();
    match render(ctx).await {
        Ok(Rendered::Html(html)) => {
            let html = scrub(html);
            let etag = etag_of(&html);
            let body = Bytes::from(html);
            match generation {
                Some(generation) => {
                    s.cache.put(key, generation, etag.clone(), body.clone());
                    html_response(headers, StatusCode::OK, &etag, body)
                }
                // Uncached: no conditional answer either.
                None => html_response(&HeaderMap::new(), StatusCode::OK, &etag, body),
            }
        }
        Ok(Rendered::Redirect(location)) => {
            (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response()
        }
        Err(PageError::NotFound) => not_found_page(s, headers, &asked).await,
        Err(PageError::Internal(m)) => internal_error(&m),
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    layout: Layout,
}

/// The helpful 404 page (status 404) for the address `uri`, with search and the main
/// sections; its settings links return to that address (when it is a safe one).
pub async fn not_found(s: &SiteState, headers: &HeaderMap, uri: &Uri) -> Response {
    let asked = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    not_found_page(s, headers, asked).await
}

async fn not_found_page(s: &SiteState, headers: &HeaderMap, asked: &str) -> Response {
    let path = safe_return_path(asked).unwrap_or_else(|| "/".to_owned());
    let ctx = match context(s, headers, path).await {
        Ok(c) => c,
        Err(_) => return internal_error("context of the 404 page"),
    };
    let page = NotFoundPage { layout: layout(&ctx, "Nie znaleziono strony", &[("Nie znaleziono strony", "")], "") };
    match page.render() {
        Ok(html) => {
            let html = scrub(html);
            html_response(headers, StatusCode::NOT_FOUND, &etag_of(&html), Bytes::from(html))
        }
        Err(e) => internal_error(&e.to_string()),
    }
}

/// Which pages show a collection kind: the built-in kinds have their own templates, every
/// other kind (an integrator's) the generic ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Templates {
    News,
    Programmes,
    Units,
    StaticPages,
    Generic,
}

/// A collection kind of the registry as the site shows it: list and item pages at
/// `{site_section}` and `{site_section}/{slug}`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Section {
    kind: Kind,
    spec: KindSpec,
    templates: Templates,
}

impl Section {
    /// The section of a kind; `None` unless the kind is a collection (singletons and
    /// internal kinds have no section of items).
    fn of(kind: &Kind) -> Option<Self> {
        let spec = *kind.spec().filter(|_| kind.is_collection() && kind.is_on_site())?;
        let templates = match kind.name() {
            NewsArticle::KIND => Templates::News,
            Programme::KIND => Templates::Programmes,
            Unit::KIND => Templates::Units,
            Page::KIND => Templates::StaticPages,
            _ => Templates::Generic,
        };
        Some(Self { kind: *kind, spec, templates })
    }

    /// Whether the section has a list page, and so a place in the menu and the sitemap.
    /// Static pages have none: each is linked from where it is needed (the footer, the
    /// declaration, other pages).
    fn has_list(&self) -> bool {
        self.templates != Templates::StaticPages
    }

    /// The address of an item.
    fn item_href(&self, slug: &str) -> String {
        format!("{}/{slug}", self.spec.site_section)
    }

    /// A page's breadcrumbs: the section (when it has a list page), then `title`.
    fn crumbs<'a>(&self, title: &'a str) -> Vec<(&'a str, &'a str)> {
        let section = self.has_list().then_some((self.spec.labels.plural, self.spec.site_section));
        section.into_iter().chain([(title, "")]).collect()
    }
}

/// The site's sections, one per collection kind of the registry, in menu order.
pub(crate) fn sections(kinds: &Kinds) -> impl Iterator<Item = Section> + '_ {
    kinds.collections().filter_map(Section::of)
}

/// The section of a kind, when the registry has it as a collection (the home page asks for
/// the built-in ones).
fn section_of(kinds: &Kinds, kind: &str) -> Option<Section> {
    kinds.get(kind).and_then(Section::of)
}

/// The routes of every section: each built-in kind with its own templates, every other
/// collection kind with the generic ones.
pub(crate) fn section_routes(kinds: &Kinds) -> Router<SiteState> {
    sections(kinds).fold(Router::new(), |router, section| {
        let list = section.spec.site_section;
        let router = match section.templates {
            Templates::News => router.route(list, paged(section, news::list)),
            Templates::Programmes => router.route(list, whole(section, programmes::list)),
            Templates::Units => router.route(list, whole(section, units::list)),
            Templates::StaticPages => router,
            Templates::Generic => router.route(list, paged(section, generic::list)),
        };
        router.route(&format!("{list}/{{slug}}"), item_page(section))
    })
}

/// An item's page at `{section}/{slug}` by the section's templates: the public page, or a
/// [`preview`] when the state carries one.
async fn item(s: SiteState, headers: HeaderMap, section: Section, slug: String) -> Response {
    match section.templates {
        Templates::News => news::item(s, headers, section, slug).await,
        Templates::Programmes => programmes::item(s, headers, section, slug).await,
        Templates::Units => units::item(s, headers, section, slug).await,
        Templates::StaticPages => static_pages::page_item(s, headers, section, slug).await,
        Templates::Generic => generic::item(s, headers, section, slug).await,
    }
}

/// Renders `record` — any status, any version, saved or not — as its public page would look
/// once published, marked as a preview: a banner at the top of the content („Podgląd — tak
/// ta wersja wygląda na stronie…” and `note`, e.g. its status and version: the version
/// may be the published one), `<meta
/// name="robots" content="noindex, nofollow">`, `Cache-Control: no-store` and
/// `X-Robots-Tag: noindex`; never stored in or served from the page cache.
///
/// The record is an item of a collection kind of the registry (its page at
/// `{section}/{slug}`, by the section's templates) or the accessibility settings (the
/// declaration page, and every part of the layout they fill in). The rest of the page — the
/// menu, lists of other items, a unit's parent and children — is what the public sees now.
/// A kind without a site section answers the 404 page. The visitor's settings (the cookie
/// in `headers`) apply as on any page.
///
/// The media items the record shows (pictures, attachments, `media:` images) are shown
/// whatever their status, so the editor sees them in place; but the file of one not public
/// yet answers 404 at `/media/…` until published content shows it, so such a picture shows
/// as its alternative text in the preview.
pub async fn preview(s: &SiteState, headers: &HeaderMap, record: Record, note: &str) -> Response {
    let section = section_of(s.cms.kinds(), &record.meta.kind);
    let settings = record.meta.kind == AccessibilitySettings::KIND;
    if section.is_none() && !settings {
        return no_store(not_found_page(s, headers, "/").await);
    }
    let slug = record.meta.slug.clone();
    let mut previewing = s.clone();
    previewing.preview = Some(Arc::new(Preview { record, note: note.to_owned() }));
    match section {
        Some(section) => item(previewing, headers.clone(), section, slug).await,
        None => static_pages::declaration(State(previewing), headers.clone()).await,
    }
}

#[derive(serde::Deserialize)]
struct ListParams {
    od: Option<String>,
}

/// A list page in pages: `?od=` is the cursor of the next one.
fn paged<F, Fut>(section: Section, page: F) -> MethodRouter<SiteState>
where
    F: Fn(SiteState, HeaderMap, Section, Option<String>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    get(move |State(s): State<SiteState>, headers: HeaderMap, params: Result<Query<ListParams>, QueryRejection>| {
        page(s, headers, section, params.ok().and_then(|Query(p)| p.od))
    })
}

/// A list page of every item at once.
fn whole<F, Fut>(section: Section, page: F) -> MethodRouter<SiteState>
where
    F: Fn(SiteState, HeaderMap, Section) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    get(move |State(s): State<SiteState>, headers: HeaderMap| page(s, headers, section))
}

/// An item's page at `{section}/{slug}`.
fn item_page(section: Section) -> MethodRouter<SiteState> {
    get(move |State(s): State<SiteState>, Path(slug): Path<String>, headers: HeaderMap| item(s, headers, section, slug))
}

/// Items on one page of a section's list.
const LIST_PAGE: usize = 10;

/// One page of a section's public records from `cursor`, newest first, and the address of
/// the next page.
async fn list_page(
    cms: &Cms,
    section: &Section,
    cursor: Option<String>,
) -> Result<(Vec<Record>, Option<String>), PageError> {
    let query = CmsQuery { limit: Some(LIST_PAGE), cursor, ..CmsQuery::default() };
    let page = cms.list_records(section.kind.name(), query).await?;
    Ok((page.records, page.next_cursor.map(|c| list_address(section.spec.site_section, Some(&c)))))
}

/// The layout of a section's list page.
fn list_layout(ctx: &Ctx, section: &Section) -> Layout {
    let (label, path) = (section.spec.labels.plural, section.spec.site_section);
    layout(ctx, label, &[(label, path)], path)
}

async fn public_list<C: Content>(
    cms: &Cms,
    limit: usize,
    cursor: Option<String>,
) -> Result<witryna_core::ItemPage<C>, PageError> {
    Ok(cms.list::<C>(CmsQuery { limit: Some(limit), cursor, ..CmsQuery::default() }).await?)
}

/// Every public record of a kind, newest first (for search, the site map and the sitemap).
async fn all_public_records(cms: &Cms, kind: &str) -> Result<Vec<Record>, PageError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = cms.list_records(kind, CmsQuery { limit: Some(100), cursor, ..CmsQuery::default() }).await?;
        out.extend(page.records);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// The media items `content` shows, for its page: public ones, or on a preview every one
/// (the editor sees the pictures and links; files of media not yet public stay 404 at
/// `/media/…` until the item is published).
async fn media_of<C: Content>(cms: &Cms, ctx: &Ctx, content: &C) -> Arc<MediaSet> {
    Arc::new(MediaSet::load(cms, &content.media(), ctx.preview.is_some(), "").await)
}

/// A record of a built-in kind with its typed content.
fn decode<C: Content>(record: Record) -> Result<Item<C>, PageError> {
    match serde_json::from_str(&record.body) {
        Ok(content) => Ok(Item { meta: record.meta, content }),
        Err(e) => Err(PageError::Internal(format!("{} {}: {e}", record.meta.kind, record.meta.id))),
    }
}

/// Every public item of a built-in kind, decoded.
async fn all_public<C: Content>(cms: &Cms) -> Result<Vec<Item<C>>, PageError> {
    all_public_records(cms, C::KIND).await?.into_iter().map(decode).collect()
}

/// What an item page's address leads to.
enum Found<T> {
    Item(T),
    /// An old slug: the item's current one.
    Moved(String),
}

/// The record an item page shows: on a preview the previewed record (of this kind; no
/// lookup), else the public record of `kind` at `slug`.
async fn find_record(cms: &Cms, ctx: &Ctx, kind: &str, slug: &str) -> Result<Found<Record>, PageError> {
    if let Some(preview) = &ctx.preview {
        return if preview.record.meta.kind == kind {
            Ok(Found::Item(preview.record.clone()))
        } else {
            Err(PageError::NotFound)
        };
    }
    Ok(match cms.find_record(kind, DEFAULT_LOCALE, slug, View::Public).await? {
        RecordLookup::Found(record) => Found::Item(record),
        RecordLookup::Moved { current, .. } => Found::Moved(current),
    })
}

/// [`find_record`] for a built-in kind, decoded.
async fn find<C: Content>(cms: &Cms, ctx: &Ctx, slug: &str) -> Result<Found<Item<C>>, PageError> {
    Ok(match find_record(cms, ctx, C::KIND, slug).await? {
        Found::Item(record) => Found::Item(decode(record)?),
        Found::Moved(current) => Found::Moved(current),
    })
}

pub(crate) async fn stylesheet() -> Response {
    let mut res = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../static/site.css"),
    )
        .into_response();
    harden(res.headers_mut(), false);
    res
}
