//! Page handlers and their templates (askama: compiled with the crate, escaping by default).

use std::hash::{Hash, Hasher};

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Days, Utc, Weekday};
use chrono_tz::Europe::Warsaw;
use witryna_core::content::{AccessibilitySettings, Content, NewsArticle, Page, Programme, Unit};
use witryna_core::office_hours::DayKind;
use witryna_core::validate::{contains_forbidden_char, is_forbidden_char};
use witryna_core::{pl, slugs, Cms, CmsError, Item, OfficeHours, Query as CmsQuery, SlugLookup, View};

use crate::markdown::render_blocking;
use crate::settings::Visitor;
use crate::SiteState;

/// Why a page could not be shown.
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
        PageError::Internal(format!("rendering Markdown: {e}"))
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
    breadcrumbs: Vec<Crumb>,
    cookie_notice: Option<String>,
    cookies_ok_href: String,
    rodo: Option<String>,
    etr: Option<String>,
    pjm: Option<String>,
    visitor: Visitor,
}

/// The request's context: site settings, the visitor's choices, addresses.
struct Ctx {
    settings: Option<AccessibilitySettings>,
    visitor: Visitor,
    /// The configured public URL without a trailing `/`; empty: links stay relative.
    base_url: String,
    /// This page's canonical address (path and the query parameters it understands,
    /// normalised): the cache key and where settings links return to.
    path: String,
    now: DateTime<Utc>,
}

fn font_steps(settings: &Option<AccessibilitySettings>) -> Vec<(String, u16)> {
    match settings {
        Some(s) if !s.font_sizes.is_empty() => s.font_sizes.iter().map(|f| (f.label.clone(), f.percent)).collect(),
        _ => vec![("A".into(), 100), ("A+".into(), 125), ("A++".into(), 150)],
    }
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn change_href(ctx: &Ctx, key: &str, value: &str) -> String {
    format!("/ustawienia/ustaw?{key}={value}&powrot={}", encode(&ctx.path))
}

/// The context of a page whose canonical address is `path`. Absolute URLs come only from
/// the configured public URL, never from request headers (`Host`, `X-Forwarded-*`): a
/// forged header must not reach a page, a feed or the cache.
async fn context(s: &SiteState, headers: &HeaderMap, path: String) -> Result<Ctx, PageError> {
    let settings = s.cms.singleton::<AccessibilitySettings>().await?.map(|i| i.content);
    let visitor = Visitor::from_headers(headers, font_steps(&settings).len());
    let base_url = s.base_url().to_owned();
    Ok(Ctx { settings, visitor, base_url, path, now: s.cms.now() })
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
    let menu = [
        ("Strona główna", "/"),
        ("Aktualności", "/aktualnosci"),
        ("Projekty", "/projekty"),
        ("Jednostki", "/jednostki"),
        ("Szukaj", "/szukaj"),
    ]
    .into_iter()
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
        breadcrumbs,
        cookie_notice: if v.cookies_ok { None } else { settings.map(|s| s.cookie_notice.clone()) },
        cookies_ok_href: change_href(ctx, "o", "1"),
        rodo: settings.map(|s| s.rodo_clause.clone()),
        etr: settings.and_then(|s| s.easy_to_read_info.clone()),
        pjm: settings.and_then(|s| s.sign_language_info.clone()),
        visitor: v,
    }
}

/// The site's security headers: no scripts at all (the site has none), styles and forms
/// only from itself, never framed, no full addresses sent to other sites (a search for
/// „przemoc” should not follow a visitor out), never sniffed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; \
     img-src 'self' http: https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn harden(h: &mut HeaderMap, html: bool) {
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

fn etag_of(body: &str) -> String {
    let mut h = std::hash::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:016x}\"", h.finish())
}

fn internal_error(message: &str) -> Response {
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
async fn serve<F, Fut>(s: &SiteState, headers: &HeaderMap, page: String, render: F) -> Response
where
    F: FnOnce(Ctx) -> Fut,
    Fut: std::future::Future<Output = Result<Rendered, PageError>>,
{
    let generation = s.cms.generation(); // before reading: a racing write leaves the entry stale
    let ctx = match context(s, headers, page).await {
        Ok(c) => c,
        Err(PageError::Internal(m)) => return internal_error(&m),
        Err(PageError::NotFound) => return not_found_page(s, headers, "/").await,
    };
    let key = format!("{}|{}", ctx.path, ctx.visitor.cookie_value());
    if let Some(hit) = s.cache.get(&key, generation) {
        return html_response(headers, StatusCode::OK, &hit.etag, hit.body);
    }
    let asked = ctx.path.clone();
    match render(ctx).await {
        Ok(Rendered::Html(html)) => {
            let html = scrub(html);
            let etag = etag_of(&html);
            let body = Bytes::from(html);
            s.cache.put(key, generation, etag.clone(), body.clone());
            html_response(headers, StatusCode::OK, &etag, body)
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

async fn public_list<C: Content>(
    cms: &Cms,
    limit: usize,
    cursor: Option<String>,
) -> Result<witryna_core::ItemPage<C>, PageError> {
    Ok(cms.list::<C>(CmsQuery { limit: Some(limit), cursor, ..CmsQuery::default() }).await?)
}

/// Every public item of a kind (for search, the site map and the sitemap).
async fn all_public<C: Content>(cms: &Cms) -> Result<Vec<Item<C>>, PageError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = public_list::<C>(cms, 100, cursor).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

enum Found<C> {
    Item(Item<C>),
    Moved(String),
}

async fn find<C: Content>(cms: &Cms, slug: &str) -> Result<Found<C>, PageError> {
    Ok(match cms.find::<C>(slug, View::Public).await? {
        SlugLookup::Found(item) => Found::Item(item),
        SlugLookup::Moved { current, .. } => Found::Moved(current),
    })
}

fn when(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (lt, ln) = (t.with_timezone(&Warsaw), now.with_timezone(&Warsaw));
    if lt.date_naive() == ln.date_naive() {
        format!("dziś o {}", lt.format("%H:%M"))
    } else {
        format!("{}, {}", pl::weekday(lt.weekday()), pl::datetime(t))
    }
}

fn has_hours(h: &OfficeHours) -> bool {
    h.weekly != Default::default() || !h.exceptions.is_empty()
}

/// The "open now" badge: text, CSS class, and when it changes.
fn badge(h: &OfficeHours, now: DateTime<Utc>) -> (String, &'static str, String) {
    if !has_hours(h) {
        return ("Godziny pracy nie podane".into(), "brak", String::new());
    }
    let open = h.is_open_at(now);
    let next = h.next_change_after(now);
    match (open, next) {
        (true, Some(t)) => ("Otwarte teraz".into(), "otwarte", format!("Zamknięcie: {}.", when(t, now))),
        (true, None) => ("Otwarte teraz".into(), "otwarte", String::new()),
        (false, Some(t)) => ("Zamknięte".into(), "zamkniete", format!("Otwarcie: {}.", when(t, now))),
        (false, None) => ("Zamknięte".into(), "zamkniete", String::new()),
    }
}

pub(crate) struct NewsRow {
    href: String,
    title: String,
    lead: String,
    author: String,
    date: String,
    datetime: String,
}

fn news_row(item: &Item<NewsArticle>) -> NewsRow {
    let t = item.meta.publish_at.unwrap_or(item.meta.created_at);
    NewsRow {
        href: format!("/aktualnosci/{}", item.meta.slug),
        title: item.content.title.clone(),
        lead: item.content.lead.clone(),
        author: item.content.author.clone(),
        date: pl::datetime(t),
        datetime: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

pub(crate) struct UnitRow {
    href: String,
    name: String,
    badge: String,
    badge_class: &'static str,
    next: String,
}

pub(crate) struct ProgrammeRow {
    href: String,
    name: String,
    status: String,
    period: String,
    summary: String,
}

fn period_text(p: &Programme) -> String {
    p.period.map(|p| format!("{} – {}", pl::date(p.start), pl::date(p.end))).unwrap_or_default()
}

fn status_text(p: &Programme, now: DateTime<Utc>) -> String {
    p.status_on(now.with_timezone(&Warsaw).date_naive()).map_or("bez okresu realizacji", |s| s.label_pl()).to_owned()
}

fn programme_row(item: &Item<Programme>, now: DateTime<Utc>) -> ProgrammeRow {
    ProgrammeRow {
        href: format!("/projekty/{}", item.meta.slug),
        name: item.content.name.clone(),
        status: status_text(&item.content, now),
        period: period_text(&item.content),
        summary: item.content.summary.clone(),
    }
}

fn unit_row(item: &Item<Unit>, now: DateTime<Utc>) -> UnitRow {
    let (badge, badge_class, next) = badge(&item.content.office_hours, now);
    UnitRow {
        href: format!("/jednostki/{}", item.meta.slug),
        name: item.content.name.clone(),
        badge,
        badge_class,
        next,
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    news: Vec<NewsRow>,
    units: Vec<UnitRow>,
    programmes: Vec<ProgrammeRow>,
    motion_on: String,
    motion_off: String,
}

pub(crate) async fn home(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, "/".into(), |ctx| async move {
        let news = public_list::<NewsArticle>(&cms, 5, None).await?.items.iter().map(news_row).collect();
        let mut units: Vec<Item<Unit>> = all_public(&cms).await?;
        units.sort_by(|a, b| a.content.name.cmp(&b.content.name));
        let units = units.iter().map(|u| unit_row(u, ctx.now)).collect();
        let programmes = all_public::<Programme>(&cms).await?.iter().map(|p| programme_row(p, ctx.now)).collect();
        let page = HomePage {
            motion_on: change_href(&ctx, "m", "1"),
            motion_off: change_href(&ctx, "m", "0"),
            layout: layout(&ctx, "Strona główna", &[], "/"),
            news,
            units,
            programmes,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "news_list.html")]
struct NewsListPage {
    layout: Layout,
    news: Vec<NewsRow>,
    older: Option<String>,
}

#[derive(serde::Deserialize)]
pub(crate) struct ListParams {
    od: Option<String>,
}

pub(crate) async fn news_list(
    State(s): State<SiteState>,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Response {
    let cms = s.cms.clone();
    let cursor = params.ok().and_then(|Query(p)| p.od);
    let page = match &cursor {
        Some(c) => format!("/aktualnosci?od={}", encode(c)),
        None => "/aktualnosci".to_owned(),
    };
    serve(&s, &headers, page, |ctx| async move {
        let page = public_list::<NewsArticle>(&cms, 10, cursor).await?;
        let older = page.next_cursor.map(|c| format!("/aktualnosci?od={}", encode(&c)));
        let page = NewsListPage {
            layout: layout(&ctx, "Aktualności", &[("Aktualności", "/aktualnosci")], "/aktualnosci"),
            news: page.items.iter().map(news_row).collect(),
            older,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

pub(crate) struct CoverImage {
    src: String,
    alt: String,
}

#[derive(Template)]
#[template(path = "news_item.html")]
struct NewsItemPage {
    layout: Layout,
    title: String,
    author: String,
    date: String,
    datetime: String,
    lead: String,
    cover: Option<CoverImage>,
    event: Vec<(String, String)>,
    body: String,
    tags: Vec<String>,
}

pub(crate) async fn news_item(State(s): State<SiteState>, Path(slug): Path<String>, headers: HeaderMap) -> Response {
    let cms = s.cms.clone();
    let page = format!("/aktualnosci/{}", encode(&slug));
    serve(&s, &headers, page, |ctx| async move {
        let item = match find::<NewsArticle>(&cms, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(current) => return Ok(Rendered::Redirect(format!("/aktualnosci/{current}"))),
        };
        let row = news_row(&item);
        let n = item.content;
        let mut event = Vec::new();
        if let Some(e) = &n.event {
            let mut when = pl::date(e.date);
            if let Some(t) = e.time {
                when = format!("{when}, godz. {}", t.format("%H:%M"));
            }
            event.push(("Kiedy".to_owned(), when));
            if let Some(place) = &e.place {
                event.push(("Gdzie".to_owned(), place.clone()));
            }
            if let Some(count) = e.participants {
                event.push(("Liczba uczestników".to_owned(), count.to_string()));
            }
        }
        let page = NewsItemPage {
            layout: layout(&ctx, &n.title, &[("Aktualności", "/aktualnosci"), (&n.title, "")], "/aktualnosci"),
            title: n.title.clone(),
            author: n.author.clone(),
            date: row.date,
            datetime: row.datetime,
            lead: n.lead.clone(),
            cover: n.cover.map(|c| CoverImage { src: c.src, alt: c.alt }),
            event,
            body: render_blocking(n.body).await?,
            tags: n.tags,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "programme_list.html")]
struct ProgrammeListPage {
    layout: Layout,
    programmes: Vec<ProgrammeRow>,
}

pub(crate) async fn programme_list(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, "/projekty".into(), |ctx| async move {
        let programmes = all_public::<Programme>(&cms).await?.iter().map(|p| programme_row(p, ctx.now)).collect();
        let page = ProgrammeListPage {
            layout: layout(&ctx, "Projekty", &[("Projekty", "/projekty")], "/projekty"),
            programmes,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "programme_item.html")]
struct ProgrammeItemPage {
    layout: Layout,
    p: Programme,
    status: String,
    period: String,
    budget: Vec<(&'static str, String)>,
    indicators: Vec<(String, String, String)>,
    recruitment: String,
    body: String,
}

pub(crate) async fn programme_item(
    State(s): State<SiteState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let cms = s.cms.clone();
    let page = format!("/projekty/{}", encode(&slug));
    serve(&s, &headers, page, |ctx| async move {
        let item = match find::<Programme>(&cms, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(current) => return Ok(Rendered::Redirect(format!("/projekty/{current}"))),
        };
        let p = item.content;
        let budget = p
            .budget
            .map(|b| {
                [
                    ("Wartość projektu", b.total),
                    ("Dofinansowanie", b.co_financing),
                    ("Wkład własny", b.own_contribution),
                ]
                .into_iter()
                .filter_map(|(label, m)| m.map(|m| (label, m.to_string())))
                .collect()
            })
            .unwrap_or_default();
        let dash = |v: Option<u64>, unit: &Option<String>| {
            v.map_or_else(
                || "–".to_owned(),
                |v| format!("{v}{}", unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()),
            )
        };
        let indicators = p
            .indicators
            .iter()
            .map(|i| (i.label.clone(), dash(i.target, &i.unit), dash(i.achieved, &i.unit)))
            .collect();
        let page = ProgrammeItemPage {
            layout: layout(&ctx, &p.name, &[("Projekty", "/projekty"), (&p.name, "")], "/projekty"),
            status: status_text(&p, ctx.now),
            period: period_text(&p),
            budget,
            indicators,
            recruitment: render_blocking(p.recruitment.clone().unwrap_or_default()).await?,
            body: render_blocking(p.body.clone()).await?,
            p,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitListPage {
    layout: Layout,
    units: Vec<UnitRow>,
}

pub(crate) async fn unit_list(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, "/jednostki".into(), |ctx| async move {
        let mut units: Vec<Item<Unit>> = all_public(&cms).await?;
        units.sort_by(|a, b| a.content.name.cmp(&b.content.name));
        let page = UnitListPage {
            layout: layout(&ctx, "Jednostki", &[("Jednostki", "/jednostki")], "/jednostki"),
            units: units.iter().map(|u| unit_row(u, ctx.now)).collect(),
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    layout: Layout,
    u: Unit,
    badge: String,
    badge_class: &'static str,
    next: String,
    description: String,
    phones: Vec<(String, String)>,
    parent: Option<(String, String)>,
    children: Vec<(String, String)>,
    week: Vec<(&'static str, String)>,
    upcoming: Vec<(String, String)>,
}

fn intervals_text(intervals: &[witryna_core::Interval]) -> String {
    if intervals.is_empty() {
        "nieczynne".to_owned()
    } else {
        intervals
            .iter()
            .map(|i| format!("{}–{}", i.opens.format("%H:%M"), i.closes.format("%H:%M")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub(crate) async fn unit_item(State(s): State<SiteState>, Path(slug): Path<String>, headers: HeaderMap) -> Response {
    let cms = s.cms.clone();
    let page = format!("/jednostki/{}", encode(&slug));
    serve(&s, &headers, page, |ctx| async move {
        let item = match find::<Unit>(&cms, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(current) => return Ok(Rendered::Redirect(format!("/jednostki/{current}"))),
        };
        let all: Vec<Item<Unit>> = all_public(&cms).await?;
        let parent = match &item.content.parent {
            Some(p) => match cms.find::<Unit>(p, View::Public).await {
                Ok(SlugLookup::Found(u)) | Ok(SlugLookup::Moved { item: u, .. }) => {
                    Some((format!("/jednostki/{}", u.meta.slug), u.content.name))
                }
                Err(_) => None,
            },
            None => None,
        };
        let own_slugs: Vec<&String> = std::iter::once(&item.meta.slug).chain(&item.meta.previous_slugs).collect();
        let children = all
            .iter()
            .filter(|u| u.content.parent.as_ref().is_some_and(|p| own_slugs.contains(&p)))
            .map(|u| (format!("/jednostki/{}", u.meta.slug), u.content.name.clone()))
            .collect();
        let u = item.content;
        let h = &u.office_hours;
        let (badge, badge_class, next) = badge(h, ctx.now);
        let week = if has_hours(h) {
            [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun]
                .into_iter()
                .map(|d| (pl::weekday(d), intervals_text(h.weekly.day(d))))
                .collect()
        } else {
            Vec::new()
        };
        let today = ctx.now.with_timezone(&Warsaw).date_naive();
        let upcoming = if has_hours(h) {
            (0..14)
                .filter_map(|i| today.checked_add_days(Days::new(i)))
                .filter_map(|date| {
                    let day = h.hours_on(date);
                    let label = if date == today { format!("dziś ({})", pl::date(date)) } else { pl::date(date) };
                    match day.kind {
                        DayKind::Regular => None,
                        DayKind::Exception(note) => Some((
                            label,
                            format!(
                                "{}{}",
                                intervals_text(day.intervals),
                                note.map(|n| format!(" – {n}")).unwrap_or_default()
                            ),
                        )),
                        DayKind::PublicHoliday(name) => Some((label, format!("nieczynne – {name}"))),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let page = UnitPage {
            layout: layout(&ctx, &u.name, &[("Jednostki", "/jednostki"), (&u.name, "")], "/jednostki"),
            badge,
            badge_class,
            next,
            description: render_blocking(u.description.clone()).await?,
            phones: u
                .phones
                .iter()
                .map(|p| (p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect(), p.clone()))
                .collect(),
            parent,
            children,
            week,
            upcoming,
            u,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "page.html")]
struct StaticPage {
    layout: Layout,
    title: String,
    summary: String,
    body: String,
}

pub(crate) async fn page_item(State(s): State<SiteState>, Path(slug): Path<String>, headers: HeaderMap) -> Response {
    let cms = s.cms.clone();
    let page = format!("/strony/{}", encode(&slug));
    serve(&s, &headers, page, |ctx| async move {
        let item = match find::<Page>(&cms, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(current) => return Ok(Rendered::Redirect(format!("/strony/{current}"))),
        };
        let p = item.content;
        let page = StaticPage {
            layout: layout(&ctx, &p.title, &[(&p.title, "")], ""),
            body: render_blocking(p.body).await?,
            summary: p.summary,
            title: p.title,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "declaration.html")]
struct DeclarationPage {
    layout: Layout,
    d: witryna_core::content::AccessibilityDeclaration,
    status: &'static str,
    auditor: String,
}

pub(crate) async fn declaration(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    serve(&s, &headers, "/deklaracja-dostepnosci".into(), |ctx| async move {
        let settings = ctx.settings.clone().ok_or(PageError::NotFound)?;
        let d = settings.declaration;
        let self_assessed = d.assessment.trim().eq_ignore_ascii_case("samoocena");
        let page = DeclarationPage {
            layout: layout(&ctx, "Deklaracja dostępności", &[("Deklaracja dostępności", "")], ""),
            status: d.status.label_pl(),
            auditor: if self_assessed { "nie dotyczy – samoocena".into() } else { d.assessment.clone() },
            d,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    options: Vec<(&'static str, &'static str, bool)>,
}

pub(crate) async fn settings_page(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    serve(&s, &headers, "/ustawienia".into(), |ctx| async move {
        let v = ctx.visitor;
        let page = SettingsPage {
            options: vec![
                ("c", "Wysoki kontrast", v.contrast),
                ("u", "Podkreślaj wszystkie linki", v.underline),
                ("s", "Większe odstępy w tekście", v.spacing),
                ("m", "Animacje (przewijanie projektów)", v.motion),
                ("k", "Skróty klawiszowe", v.shortcuts),
            ],
            layout: layout(&ctx, "Ustawienia dostępności", &[("Ustawienia dostępności", "")], ""),
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

/// Applies settings from links (`?c=1&powrot=/...`) or the settings form, stores them in
/// the cookie and goes back (303). Only site paths are accepted as `powrot`.
pub(crate) async fn change_settings(
    State(s): State<SiteState>,
    headers: HeaderMap,
    pairs: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let pairs = pairs.map(|Query(p)| p).unwrap_or_default();
    let settings = s.cms.singleton::<AccessibilitySettings>().await.ok().flatten().map(|i| i.content);
    let steps = font_steps(&settings).len();
    let mut v = Visitor::from_headers(&headers, steps);
    if pairs.iter().any(|(k, _)| k == "formularz") {
        // A form sends only the boxes that are ticked.
        v = Visitor { contrast: false, underline: false, spacing: false, motion: false, shortcuts: false, ..v };
    }
    let mut back = "/".to_owned();
    for (key, value) in &pairs {
        if key == "powrot" {
            back = safe_return_path(value).unwrap_or_else(|| "/".to_owned());
        } else {
            v.apply(key, value, steps);
        }
    }
    let secure = s.config.is_https(&headers);
    let mut res =
        (StatusCode::SEE_OTHER, [(header::LOCATION, back), (header::SET_COOKIE, v.set_cookie(secure))]).into_response();
    harden(res.headers_mut(), false);
    res
}

#[derive(Template)]
#[template(path = "shortcuts.html")]
struct ShortcutsPage {
    layout: Layout,
    shortcuts: Vec<witryna_core::content::KeyboardShortcut>,
    enabled: bool,
    toggle: String,
}

pub(crate) async fn shortcuts(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    serve(&s, &headers, "/skroty-klawiszowe".into(), |ctx| async move {
        let list = ctx.settings.as_ref().map(|s| s.keyboard_shortcuts.clone()).unwrap_or_default();
        let enabled = ctx.visitor.shortcuts;
        let page = ShortcutsPage {
            toggle: change_href(&ctx, "k", if enabled { "0" } else { "1" }),
            layout: layout(&ctx, "Skróty klawiszowe", &[("Skróty klawiszowe", "")], ""),
            shortcuts: list,
            enabled,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    query: String,
    results: Vec<SearchRow>,
    total: usize,
    more: Option<String>,
}

pub(crate) struct SearchRow {
    href: String,
    title: String,
    kind: &'static str,
    snippet: String,
    date: String,
}

#[derive(serde::Deserialize)]
pub(crate) struct SearchParams {
    q: Option<String>,
    od: Option<String>,
}

fn kind_path(kind: &str) -> Option<(&'static str, &'static str)> {
    match kind {
        NewsArticle::KIND => Some(("/aktualnosci", "aktualność")),
        Programme::KIND => Some(("/projekty", "projekt")),
        Unit::KIND => Some(("/jednostki", "jednostka")),
        Page::KIND => Some(("/strony", "strona")),
        _ => None,
    }
}

/// Case- and diacritic-insensitive title match: the fallback without a search index.
fn title_matches(title: &str, query: &str) -> bool {
    let (t, q) = (slugs::slugify(title), slugs::slugify(query));
    !q.is_empty() && t.contains(&q)
}

async fn title_search(cms: &Cms, query: &str) -> Result<Vec<SearchRow>, PageError> {
    let mut rows = Vec::new();
    let mut push = |kind: &str, slug: &str, title: &str, t: DateTime<Utc>| {
        if let Some((base, label)) = kind_path(kind) {
            if title_matches(title, query) {
                let snippet = String::new();
                rows.push(SearchRow {
                    href: format!("{base}/{slug}"),
                    title: title.to_owned(),
                    kind: label,
                    snippet,
                    date: pl::date(t.date_naive()),
                });
            }
        }
    };
    for n in all_public::<NewsArticle>(cms).await? {
        push(NewsArticle::KIND, &n.meta.slug, &n.content.title, n.meta.sort_time());
    }
    for p in all_public::<Programme>(cms).await? {
        push(Programme::KIND, &p.meta.slug, &p.content.name, p.meta.sort_time());
    }
    for u in all_public::<Unit>(cms).await? {
        push(Unit::KIND, &u.meta.slug, &u.content.name, u.meta.sort_time());
    }
    for p in all_public::<Page>(cms).await? {
        push(Page::KIND, &p.meta.slug, &p.content.title, p.meta.sort_time());
    }
    Ok(rows)
}

/// Full-text search through the Cms's index; a title filter when there is none.
pub(crate) async fn search(
    State(s): State<SiteState>,
    headers: HeaderMap,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    use witryna_core::search::SearchQuery;
    const PAGE: usize = 20;
    let cms = s.cms.clone();
    let (query, offset) = match params {
        Ok(Query(p)) => (p.q.unwrap_or_default(), p.od.and_then(|o| o.parse::<usize>().ok()).unwrap_or(0)),
        Err(_) => (String::new(), 0),
    };
    let query = query.trim().chars().take(SearchQuery::MAX_CHARS).collect::<String>();
    // Past the deepest page there is nothing to show: an empty page, not an error.
    let past_the_end = offset >= SearchQuery::MAX_DEPTH;
    let page = match (query.is_empty(), offset) {
        (true, _) => "/szukaj".to_owned(),
        (false, 0) => format!("/szukaj?q={}", encode(&query)),
        (false, od) => format!("/szukaj?q={}&od={od}", encode(&query)),
    };
    serve(&s, &headers, page, |ctx| async move {
        let (mut results, mut total, mut more) = (Vec::new(), 0, None);
        if !query.is_empty() && !past_the_end {
            let q = SearchQuery { text: query.clone(), limit: PAGE, offset, ..Default::default() };
            match cms.search(q).await {
                Ok(found) => {
                    total = found.total;
                    more = found.next_cursor.map(|c| format!("/szukaj?q={}&od={c}", encode(&query)));
                    results = found
                        .items
                        .into_iter()
                        .filter_map(|h| {
                            let (base, label) = kind_path(&h.kind)?;
                            Some(SearchRow {
                                href: format!("{base}/{}", h.slug),
                                title: h.title,
                                kind: label,
                                snippet: h.snippet,
                                date: pl::date(h.publish_at.with_timezone(&Warsaw).date_naive()),
                            })
                        })
                        .collect();
                }
                Err(CmsError::SearchUnavailable) => {
                    results = title_search(&cms, &query).await?;
                    total = results.len();
                }
                Err(e) => return Err(e.into()),
            }
        }
        let title = if query.is_empty() { "Szukaj".to_owned() } else { format!("Wyniki wyszukiwania: {query}") };
        let page = SearchPage {
            layout: layout(&ctx, &title, &[("Szukaj", "/szukaj")], "/szukaj"),
            query,
            results,
            total,
            more,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

/// Every public page of the site: (path, title, last change).
async fn public_pages(cms: &Cms) -> Result<Vec<(String, String, DateTime<Utc>)>, PageError> {
    let now = cms.now();
    let mut out = vec![
        ("/".to_owned(), "Strona główna".to_owned(), now),
        ("/aktualnosci".to_owned(), "Aktualności".to_owned(), now),
        ("/projekty".to_owned(), "Projekty".to_owned(), now),
        ("/jednostki".to_owned(), "Jednostki".to_owned(), now),
        ("/deklaracja-dostepnosci".to_owned(), "Deklaracja dostępności".to_owned(), now),
        ("/skroty-klawiszowe".to_owned(), "Skróty klawiszowe".to_owned(), now),
        ("/szukaj".to_owned(), "Szukaj".to_owned(), now),
    ];
    for n in all_public::<NewsArticle>(cms).await? {
        out.push((format!("/aktualnosci/{}", n.meta.slug), n.content.title, n.meta.updated_at));
    }
    for p in all_public::<Programme>(cms).await? {
        out.push((format!("/projekty/{}", p.meta.slug), p.content.name, p.meta.updated_at));
    }
    for u in all_public::<Unit>(cms).await? {
        out.push((format!("/jednostki/{}", u.meta.slug), u.content.name, u.meta.updated_at));
    }
    for p in all_public::<Page>(cms).await? {
        out.push((format!("/strony/{}", p.meta.slug), p.content.title, p.meta.updated_at));
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "sitemap_page.html")]
struct SiteMapPage {
    layout: Layout,
    links: Vec<(String, String)>,
}

pub(crate) async fn site_map(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, "/mapa-strony".into(), |ctx| async move {
        let links = public_pages(&cms).await?.into_iter().map(|(href, title, _)| (href, title)).collect();
        let page = SiteMapPage { layout: layout(&ctx, "Mapa strony", &[("Mapa strony", "")], ""), links };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

/// Escapes text for XML; characters XML cannot carry become U+FFFD.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_forbidden_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A generated document (feed, sitemap, robots) through the page cache: it depends on the
/// store and the configuration only, so one copy serves everyone until the next write.
async fn generated<F, Fut>(s: &SiteState, key: &str, content_type: &'static str, fill: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<String, PageError>>,
{
    let generation = s.cms.generation();
    let body = match s.cache.get(key, generation) {
        Some(hit) => hit.body,
        None => match fill().await {
            Ok(text) => {
                let body = Bytes::from(text);
                s.cache.put(key.to_owned(), generation, String::new(), body.clone());
                body
            }
            Err(PageError::NotFound) => return internal_error(&format!("{key}: nothing to show")),
            Err(PageError::Internal(m)) => return internal_error(&format!("{key}: {m}")),
        },
    };
    let mut res =
        (StatusCode::OK, [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=300")], body)
            .into_response();
    harden(res.headers_mut(), false);
    res
}

/// The Atom feed of the newest news. Links are absolute when a public URL is configured.
pub(crate) async fn atom(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    let state = s.clone();
    generated(&s, "/atom.xml", "application/atom+xml; charset=utf-8", || async move {
        let ctx = context(&state, &headers, "/atom.xml".into()).await?;
        let news = public_list::<NewsArticle>(&state.cms, 20, None).await?.items;
        let site = ctx.settings.as_ref().map_or("Witryna".to_owned(), |s| s.declaration.entity.clone());
        let base = xml_escape(&ctx.base_url);
        let updated = news.iter().map(|n| n.meta.updated_at).max().unwrap_or(ctx.now);
        let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"pl\">\n\
             <title>Aktualności – {}</title>\n<id>{base}/aktualnosci</id>\n<link rel=\"self\" href=\"{base}/atom.xml\"/>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{base}/aktualnosci\"/>\n<updated>{}</updated>\n",
            xml_escape(&site),
            rfc(updated)
        );
        for n in news {
            let published = n.meta.publish_at.unwrap_or(n.meta.created_at);
            let html = render_blocking(n.content.body).await?;
            xml.push_str(&format!(
                "<entry>\n<title>{}</title>\n<id>urn:uuid:{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}/aktualnosci/{}\"/>\n\
                 <published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n<summary>{}</summary>\n\
                 <content type=\"html\">{}</content>\n</entry>\n",
                xml_escape(&n.content.title),
                n.meta.id,
                xml_escape(&n.meta.slug),
                rfc(published),
                rfc(n.meta.updated_at),
                xml_escape(&n.content.author),
                xml_escape(&n.content.lead),
                xml_escape(&html),
            ));
        }
        xml.push_str("</feed>\n");
        Ok(xml)
    })
    .await
}

/// `sitemap.xml` of every public page (absolute addresses need the public URL).
pub(crate) async fn sitemap(State(s): State<SiteState>) -> Response {
    let state = s.clone();
    generated(&s, "/sitemap.xml", "application/xml; charset=utf-8", || async move {
        let base = xml_escape(state.base_url());
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (path, _, changed) in public_pages(&state.cms).await? {
            xml.push_str(&format!(
                "<url><loc>{base}{}</loc><lastmod>{}</lastmod></url>\n",
                xml_escape(&path),
                changed.format("%Y-%m-%d")
            ));
        }
        xml.push_str("</urlset>\n");
        Ok(xml)
    })
    .await
}

pub(crate) async fn robots(State(s): State<SiteState>) -> Response {
    let base = s.base_url().to_owned();
    generated(&s, "/robots.txt", "text/plain; charset=utf-8", || async move {
        Ok(format!("User-agent: *\nDisallow: /ustawienia/\nDisallow: /api/\nSitemap: {base}/sitemap.xml\n"))
    })
    .await
}

pub(crate) async fn stylesheet() -> Response {
    let mut res = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../static/site.css"),
    )
        .into_response();
    harden(res.headers_mut(), false);
    res
}
