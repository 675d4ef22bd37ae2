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
mod history;
pub(crate) mod home;
pub(crate) mod information;
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
use witryna_core::content::{AccessibilitySettings, ActivityInformation, Content, NewsArticle, Page, Programme, Unit};
use witryna_core::validate::{contains_forbidden_char, is_forbidden_char};
use witryna_core::{Cms, CmsError, Item, Kind, KindSpec, Kinds, Query as CmsQuery, Record, RecordLookup, View};

use crate::media::MediaSet;
use crate::messages::{messages, Messages, PL};
use crate::settings::Visitor;
use crate::SiteState;

/// The catalogue of the language a page is written in.
pub(crate) type Lang = &'static Messages;

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
    /// `Some("pl")` for a Polish label on a page in another language.
    lang: Option<&'static str>,
}

pub(crate) struct SkipLink {
    label: String,
    target: String,
    key: Option<String>,
    /// `Some("pl")` for an editor's Polish label on a page in another language.
    lang: Option<&'static str>,
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
    href: String,
    current: bool,
    /// `Some("pl")` for an integrator's section named only in Polish.
    lang: Option<&'static str>,
}

/// One entry of the language switcher: a language named in itself, and this page in it.
pub(crate) struct LanguageLink {
    code: &'static str,
    name: &'static str,
    href: String,
    current: bool,
}

/// Where a page is in every language: how the switcher and the `hreflang` alternates find
/// its counterparts.
pub(crate) enum Place {
    /// A page every locale has, at the path this gives for a catalogue.
    Page(Box<dyn Fn(Lang) -> String + Send + Sync>),
    /// An item: the public members of its translation group with their addresses, and
    /// where a locale without one shows the Polish source (`{section}/{polish slug}`), when
    /// the source is public (else that locale's section, or home page).
    Item { members: Vec<(Lang, String)>, section: Box<Section>, polish_slug: Option<String> },
    /// A page only the default locale has (the declaration), or no page at all (404):
    /// the switcher leads to each locale's home page, and there are no alternates.
    Home,
}

impl Place {
    /// The same page in the language of `t` (its Polish fallback for an item without a
    /// public translation there).
    fn href(&self, t: Lang) -> String {
        match self {
            Place::Page(path) => path(t),
            Place::Item { members, section, polish_slug } => match members.iter().find(|(m, _)| m.locale == t.locale) {
                Some((_, href)) => href.clone(),
                None => match polish_slug {
                    Some(slug) => section.item_href(t, slug),
                    None if section.has_list() => section.list_path(t),
                    None => t.paths.home.to_owned(),
                },
            },
            Place::Home => t.paths.home.to_owned(),
        }
    }

    /// The `hreflang` alternates: every locale's counterpart that exists in that locale,
    /// and `x-default`, the Polish one.
    fn alternates(&self, on: &[Lang]) -> Vec<(&'static str, String)> {
        let langs: Vec<Lang> = match self {
            Place::Page(_) => on.to_vec(),
            Place::Item { members, .. } => {
                on.iter().copied().filter(|t| members.iter().any(|(m, _)| m.locale == t.locale)).collect()
            }
            Place::Home => Vec::new(),
        };
        let mut out: Vec<(&'static str, String)> = langs.iter().map(|t| (t.locale.code, self.href(t))).collect();
        if let Some((_, polish)) = out.iter().find(|(code, _)| *code == PL.locale.code) {
            out.push(("x-default", polish.clone()));
        }
        out
    }
}

/// A [`Place::Page`] at a path of every catalogue.
fn page_at(path: fn(Lang) -> &'static str) -> Place {
    Place::Page(Box::new(move |t| path(t).to_owned()))
}

/// What every page shows around its content.
pub(crate) struct Layout {
    /// The reader's catalogue: the page's language.
    t: Lang,
    /// Whether the page is in another language than Polish: Polish fragments on it (the
    /// site's name, an editor's labels) then carry `lang="pl"`.
    foreign: bool,
    /// `Some("pl")` when the content is the Polish source shown for a missing translation.
    body_lang: Option<&'static str>,
    /// The canonical address, when it is another page's (a fallback's Polish original).
    canonical: Option<String>,
    /// Not to be indexed (a preview, a fallback).
    noindex: bool,
    /// `hreflang` alternates: (code, address).
    alternates: Vec<(&'static str, String)>,
    /// The language switcher.
    languages: Vec<LanguageLink>,
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
    /// The Atom feed's title and address, when the site has a feed.
    feed: Option<(String, String)>,
    breadcrumbs: Vec<Crumb>,
    cookie_notice: Option<String>,
    cookies_href: String,
    cookies_ok_href: String,
    rodo: Option<String>,
    visitor: Visitor,
    /// On a [`preview`]: its note (status, version); the page then has the preview banner
    /// and is not indexed.
    preview: Option<String>,
}

/// The request's context: site settings, the visitor's choices, the sections, addresses.
struct Ctx {
    /// The reader's catalogue (the page's language, from its address).
    t: Lang,
    /// The catalogue the content is shown in: the reader's, or Polish for an item with no
    /// translation in the reader's language ([`Ctx::showing_polish`]).
    content: Lang,
    /// The locales turned on, Polish first.
    on: Vec<Lang>,
    /// Where this page is in every language.
    place: Place,
    settings: Option<Arc<AccessibilitySettings>>,
    visitor: Visitor,
    /// The sections with a list page, in menu order.
    listed: Vec<Section>,
    /// The Atom feed's section ([`feeds::feed_section`]).
    feed: Option<Section>,
    /// The configured public URL without a trailing `/`; empty: links stay relative.
    base_url: String,
    /// This page's canonical address (path and the query parameters it understands,
    /// normalised): the cache key and where settings links return to.
    path: String,
    /// [`Ctx::path`] percent-encoded once for every settings link of the page.
    return_to: String,
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

fn font_steps(settings: Option<&AccessibilitySettings>) -> Vec<(String, u16)> {
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
    format!("/ustawienia/ustaw?{key}={value}&powrot={}", ctx.return_to)
}

/// The context of a page whose canonical address is `path`. Absolute URLs come only from
/// the configured public URL, never from request headers (`Host`, `X-Forwarded-*`): a
/// forged header must not reach a page, a feed or the cache.
///
/// A preview of the accessibility settings replaces the saved ones on the page.
async fn context(s: &SiteState, headers: &HeaderMap, t: Lang, path: String, place: Place) -> Result<Ctx, PageError> {
    let previewed = s.preview.as_ref().filter(|p| p.record.meta.kind == AccessibilitySettings::KIND);
    let settings = match previewed {
        Some(p) => Some(Arc::new(decode::<AccessibilitySettings>(p.record.clone())?.content)),
        None => site_settings(s).await?,
    };
    let visitor = Visitor::from_headers(headers, font_steps(settings.as_deref()).len());
    let kinds = s.cms.kinds();
    let listed = sections(kinds).filter(Section::has_list).collect();
    let feed = feeds::feed_section(kinds);
    let base_url = s.base_url().to_owned();
    let preview = s.preview.clone();
    let on = s.cms.locales().iter().map(|l| messages(l.code)).collect();
    let return_to = encode(&path);
    let now = s.cms.now();
    Ok(Ctx { t, content: t, on, place, settings, visitor, listed, feed, base_url, path, return_to, now, preview })
}

/// The saved accessibility settings, read from the store once per change generation: every
/// page needs them, and they change about never.
async fn site_settings(s: &SiteState) -> Result<Option<Arc<AccessibilitySettings>>, PageError> {
    let generation = s.cms.generation();
    {
        let held = s.settings.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, settings)) = held.as_ref().filter(|(at, _)| *at == generation) {
            return Ok(settings.clone());
        }
    }
    // Read after the generation: a racing write leaves the snapshot stale, never wrong
    // for long (the next request sees a newer generation and reads again).
    let settings = s.cms.singleton::<AccessibilitySettings>().await?.map(|i| Arc::new(i.content));
    *s.settings.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((generation, settings.clone()));
    Ok(settings)
}

impl Ctx {
    /// Whether the content is the Polish source shown for a missing translation.
    fn showing_polish(&self) -> bool {
        !std::ptr::eq(self.content, self.t)
    }
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

/// A page's breadcrumb: its label, its address (none for the page itself), and `Some("pl")`
/// when the label is Polish on a page in another language.
type CrumbOf = (String, String, Option<&'static str>);

/// A breadcrumb of a page in the reader's language.
fn crumb(label: &str, href: &str) -> CrumbOf {
    (label.to_owned(), href.to_owned(), None)
}

/// The skip link of an editor's shortcut in the reader's language: the site's own targets
/// (content, menu, search, the declaration) by the catalogue, any other target with the
/// editor's Polish label.
pub(super) fn skip_link(t: Lang, shortcut: &witryna_core::content::KeyboardShortcut, key: Option<String>) -> SkipLink {
    let own = match shortcut.target.as_str() {
        "#tresc" => Some((t.skip_to_content, "#tresc".to_owned())),
        "#menu" => Some((t.skip_to_menu, "#menu".to_owned())),
        target if target == PL.paths.search => Some((t.search_heading, t.paths.search.to_owned())),
        "/deklaracja-dostepnosci" => Some((t.declaration, "/deklaracja-dostepnosci".to_owned())),
        _ => None,
    };
    match own.filter(|_| !t.is_polish()) {
        Some((label, target)) => SkipLink { label: label.to_owned(), target, key, lang: None },
        None => SkipLink {
            label: shortcut.label.clone(),
            target: shortcut.target.clone(),
            key,
            lang: (!t.is_polish()).then_some("pl"),
        },
    }
}

fn layout(ctx: &Ctx, title: &str, crumbs: &[CrumbOf], current: &str) -> Layout {
    let t = ctx.t;
    let foreign = !t.is_polish();
    let steps = font_steps(ctx.settings.as_deref());
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
        toggle(v.contrast, "c", t.contrast_on, t.contrast_off),
        toggle(v.underline, "u", t.underline_on, t.underline_off),
        toggle(v.spacing, "s", t.spacing_on, t.spacing_off),
        toggle(v.motion, "m", t.motion_on, t.motion_off),
    ];
    let sections = ctx.listed.iter().map(|section| {
        let (label, lang) = section.plural(t);
        MenuItem { label, href: section.list_path(t), current: false, lang }
    });
    let home = MenuItem { label: t.home, href: t.paths.home.to_owned(), current: false, lang: None };
    let search = MenuItem { label: t.search, href: t.paths.search.to_owned(), current: false, lang: None };
    let menu = std::iter::once(home)
        .chain(sections)
        .chain([search])
        .map(|item| MenuItem { current: item.href == current, ..item })
        .collect();
    let settings = ctx.settings.as_deref();
    let shortcuts_on = v.shortcuts || settings.is_some_and(|s| !s.shortcuts_can_be_disabled);
    let mut skip_links: Vec<SkipLink> = settings
        .map(|s| s.keyboard_shortcuts.iter().map(|k| skip_link(t, k, shortcuts_on.then(|| k.key.clone()))).collect())
        .unwrap_or_default();
    // The skip link to the content is always first (WCAG 2.4.1).
    match skip_links.iter().position(|l| l.target == "#tresc") {
        Some(i) => {
            let first = skip_links.remove(i);
            skip_links.insert(0, first);
        }
        None => skip_links
            .insert(0, SkipLink { label: t.skip_to_content.into(), target: "#tresc".into(), key: None, lang: None }),
    }
    let mut breadcrumbs =
        vec![Crumb { label: t.home.into(), href: (!crumbs.is_empty()).then(|| t.paths.home.into()), lang: None }];
    for (i, (label, href, lang)) in crumbs.iter().enumerate() {
        let last = i + 1 == crumbs.len();
        breadcrumbs.push(Crumb { label: label.clone(), href: (!last).then(|| href.clone()), lang: *lang });
    }
    let languages = ctx
        .on
        .iter()
        .map(|l| LanguageLink {
            code: l.locale.code,
            name: l.locale.name,
            href: ctx.place.href(l),
            current: std::ptr::eq(*l, t),
        })
        .collect();
    let showing_polish = ctx.showing_polish();
    let site_name = settings.map_or_else(|| "Witryna".to_owned(), |s| s.declaration.entity.clone());
    // A Polish site shows its editors' notice; other languages the catalogue's.
    let cookie_notice = settings.map(|s| if foreign { t.cookie_notice.to_owned() } else { s.cookie_notice.clone() });
    Layout {
        t,
        foreign,
        body_lang: showing_polish.then_some("pl"),
        canonical: showing_polish.then(|| format!("{}{}", ctx.base_url, ctx.place.href(&PL))),
        noindex: showing_polish || ctx.preview.is_some(),
        alternates: ctx.place.alternates(&ctx.on),
        languages,
        title: title.to_owned(),
        feed: ctx.feed.map(|section| {
            let (label, _) = section.plural(t);
            ((t.feed_title)(label, &site_name), t.paths.feed.to_owned())
        }),
        site_name,
        classes: v.classes(),
        font_percent: steps.get(v.font).map_or(100, |s| s.1),
        declaration_url: format!("{}/deklaracja-dostepnosci", ctx.base_url),
        asset_version: env!("CARGO_PKG_VERSION"),
        skip_links,
        fonts,
        toggles,
        menu,
        breadcrumbs,
        cookie_notice: if v.cookies_ok { None } else { cookie_notice },
        cookies_href: format!("{}/cookies", t.paths.pages),
        cookies_ok_href: change_href(ctx, "o", "1"),
        rodo: settings.map(|s| s.rodo_clause.clone()),
        visitor: v,
        preview: ctx.preview.as_ref().map(|p| p.note.clone()),
    }
}

/// The site's security headers: no scripts at all (the site has none), styles and forms
/// only from itself, never framed, no full addresses sent to other sites (a search for
/// „przemoc” should not follow a visitor out), never sniffed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; \
     img-src 'self' http: https: data:; media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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

/// The 500 page in the reader's language; `message` goes to the log only.
pub(crate) fn internal_error(t: Lang, message: &str) -> Response {
    tracing::error!(error = %message, "page failed");
    let body = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body><main><h1>{}</h1><p>{} <a href=\"{}\">{}</a></p></main></body></html>",
        t.locale.code, t.error_title, t.error_heading, t.error_text, t.paths.home, t.home
    );
    let mut res =
        (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    harden(res.headers_mut(), true);
    res
}

/// Renders a page through the cache, keyed by its canonical address `page` (see
/// [`Ctx::path`]: it begins with the locale's prefix, so every language has its own
/// entries) and the visitor's settings: nothing else of the request reaches the key.
/// A preview (the state carries one) is rendered afresh, never stored in or served from the
/// cache, and marked [`no_store`].
async fn serve<F, Fut>(s: &SiteState, headers: &HeaderMap, t: Lang, page: String, place: Place, render: F) -> Response
where
    F: FnOnce(Ctx) -> Fut,
    Fut: std::future::Future<Output = Result<Rendered, PageError>>,
{
    let generation = if s.preview.is_some() {
        None
    } else {
        Some(s.cms.generation()) // before reading: a racing write leaves the entry stale
    };
    let res = render_page(s, headers, t, page, place, generation, render).await;
    if s.preview.is_some() {
        no_store(res)
    } else {
        res
    }
}

/// [`serve`]'s work: through the cache at `generation`, or past it when `None`.
async fn render_page<F, Fut>(
    s: &SiteState,
    headers: &HeaderMap,
    t: Lang,
    page: String,
    place: Place,
    generation: Option<u64>,
    render: F,
) -> Response
where
    F: FnOnce(Ctx) -> Fut,
    Fut: std::future::Future<Output = Result<Rendered, PageError>>,
{
    let ctx = match context(s, headers, t, page, place).await {
        Ok(c) => c,
        Err(PageError::Internal(m)) => return internal_error(t, &m),
        Err(PageError::NotFound) => return not_found_page(s, headers, t, t.paths.home).await,
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
        Err(PageError::NotFound) => not_found_page(s, headers, t, &asked).await,
        Err(PageError::Internal(m)) => internal_error(t, &m),
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    layout: Layout,
}

/// The helpful 404 page (status 404) for the address `uri`, with search and the main
/// sections, in the language of the address's prefix (`/en/…`, `/uk/…` when turned on;
/// else Polish); its settings links return to that address (when it is a safe one).
pub async fn not_found(s: &SiteState, headers: &HeaderMap, uri: &Uri) -> Response {
    let asked = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    not_found_page(s, headers, reader_of(s, uri.path()), asked).await
}

/// The catalogue of the locale whose prefix begins `path`, when it is turned on; Polish
/// otherwise.
fn reader_of(s: &SiteState, path: &str) -> Lang {
    let code = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    match s.cms.locales().get(code) {
        Some(locale) => messages(locale.code),
        None => &PL,
    }
}

async fn not_found_page(s: &SiteState, headers: &HeaderMap, t: Lang, asked: &str) -> Response {
    let path = safe_return_path(asked).unwrap_or_else(|| t.paths.home.to_owned());
    let ctx = match context(s, headers, t, path, Place::Home).await {
        Ok(c) => c,
        Err(_) => return internal_error(t, "context of the 404 page"),
    };
    let page = NotFoundPage { layout: layout(&ctx, t.not_found_title, &[crumb(t.not_found_title, "")], "") };
    match page.render() {
        Ok(html) => {
            let html = scrub(html);
            html_response(headers, StatusCode::NOT_FOUND, &etag_of(&html), Bytes::from(html))
        }
        Err(e) => internal_error(t, &e.to_string()),
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
/// `{section}` and `{section}/{slug}` in every language ([`Section::list_path`]).
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

    /// The section's path in a language: the catalogue's for a built-in kind, the
    /// registry's (Polish) path under the locale's prefix for an integrator's kind, which
    /// has no names in other languages.
    fn list_path(&self, t: Lang) -> String {
        match self.templates {
            Templates::News => t.paths.news.to_owned(),
            Templates::Programmes => t.paths.programmes.to_owned(),
            Templates::Units => t.paths.units.to_owned(),
            Templates::StaticPages => t.paths.pages.to_owned(),
            Templates::Generic => format!("{}{}", t.prefix, self.spec.site_section),
        }
    }

    /// On a page in another language than Polish, the Polish list, where more is published.
    fn polish_list(&self, t: Lang) -> Option<String> {
        (!t.is_polish()).then(|| self.list_path(&PL))
    }

    /// The address of an item in a language (`slug` is the item's own in that language).
    fn item_href(&self, t: Lang, slug: &str) -> String {
        format!("{}/{slug}", self.list_path(t))
    }

    /// The section's name (plural, singular) in a language, and `Some("pl")` when it has
    /// only its Polish name (an integrator's kind on a page in another language).
    fn names(&self, t: Lang) -> (&'static str, &'static str, Option<&'static str>) {
        match self.templates {
            Templates::News => (t.news, t.news_one, None),
            Templates::Programmes => (t.programmes, t.programme_one, None),
            Templates::Units => (t.units, t.unit_one, None),
            Templates::StaticPages => (t.pages, t.page_one, None),
            Templates::Generic => {
                (self.spec.labels.plural, self.spec.labels.singular, (!t.is_polish()).then_some("pl"))
            }
        }
    }

    /// The plural name ([`Section::names`]).
    fn plural(&self, t: Lang) -> (&'static str, Option<&'static str>) {
        let (plural, _, lang) = self.names(t);
        (plural, lang)
    }

    /// An item page's breadcrumbs in the reader's language: the section (when it has a
    /// list page), then the item's title (Polish on a fallback).
    fn crumbs(&self, ctx: &Ctx, title: &str) -> Vec<CrumbOf> {
        let (label, lang) = self.plural(ctx.t);
        let section = self.has_list().then(|| (label.to_owned(), self.list_path(ctx.t), lang));
        let title_lang = ctx.showing_polish().then_some("pl");
        section.into_iter().chain([(title.to_owned(), String::new(), title_lang)]).collect()
    }
}

/// The site's sections, one per collection kind of the registry, in menu order.
pub(crate) fn sections(kinds: &Kinds) -> impl Iterator<Item = Section> + '_ {
    kinds.collections().filter_map(Section::of)
}

/// When an item was published (else created), in words in `t`'s language and for
/// `<time datetime>`.
fn published(t: Lang, meta: &witryna_core::Meta) -> (String, String) {
    let at = meta.publish_at.unwrap_or(meta.created_at);
    (t.datetime(at), at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The site address of an item of `kind` in `locale` (`/en/news/{slug}`); `None` for a
/// kind without pages. Slugs are the item's own in that locale.
pub fn item_path(kinds: &Kinds, kind: &str, locale: &str, slug: &str) -> Option<String> {
    section_of(kinds, kind).map(|section| section.item_href(crate::messages::messages(locale), slug))
}

/// The section of a kind, when the registry has it as a collection (the home page asks for
/// the built-in ones).
fn section_of(kinds: &Kinds, kind: &str) -> Option<Section> {
    kinds.get(kind).and_then(Section::of)
}

/// Every page of one language: its home page, sections, search, settings, shortcuts, site
/// map and feed, at the catalogue's paths. A translated home page (`/en/`) also answers
/// without its final slash, by a redirect.
pub(crate) fn locale_routes(kinds: &Kinds, t: Lang) -> Router<SiteState> {
    let mut router = Router::new()
        .route(t.paths.home, get(move |State(s): State<SiteState>, headers: HeaderMap| home::home(s, headers, t)))
        .route(t.paths.settings, get(move |State(s), headers| static_pages::settings_page(s, headers, t)))
        .route(t.paths.shortcuts, get(move |State(s), headers| static_pages::shortcuts(s, headers, t)))
        .route(t.paths.search, get(move |State(s), headers, params| search::search(s, headers, t, params)))
        .route(t.paths.site_map, get(move |State(s), headers| feeds::site_map(s, headers, t)))
        .route(
            t.paths.register,
            get(move |State(s), headers, params: Result<Query<ListParams>, QueryRejection>| {
                history::register(s, headers, t, params.ok().and_then(|Query(p)| p.od))
            }),
        )
        .route(t.paths.register_feed, get(move |State(s)| history::register_feed(s, t)))
        .merge(section_routes(kinds, t));
    if !t.prefix.is_empty() {
        let home = t.paths.home;
        router = router.route(t.prefix, get(move || async move { axum::response::Redirect::permanent(home) }));
    }
    if feeds::feed_section(kinds).is_some() {
        router = router.route(t.paths.feed, get(move |State(s), headers| feeds::atom(s, headers, t)));
    }
    router
}

/// The routes of every section in one language: each built-in kind with its own
/// templates, every other collection kind with the generic ones.
pub(crate) fn section_routes(kinds: &Kinds, t: Lang) -> Router<SiteState> {
    sections(kinds).fold(Router::new(), |router, section| {
        let list = section.list_path(t);
        let router = match section.templates {
            Templates::News => router.route(&list, paged(t, section, news::list)),
            Templates::Programmes => router.route(&list, whole(t, section, programmes::list)),
            Templates::Units => router.route(&list, whole(t, section, units::list)),
            Templates::StaticPages => router,
            Templates::Generic => router.route(&list, paged(t, section, generic::list)),
        };
        let history = get(
            move |State(s): State<SiteState>,
                  Path(slug): Path<String>,
                  headers: HeaderMap,
                  compare: Result<Query<history::Compare>, QueryRejection>| {
                let compare = compare.map(|Query(c)| c).unwrap_or_default();
                history::history(s, headers, t, section, slug, compare)
            },
        );
        router
            .route(&format!("{list}/{{slug}}"), item_page(t, section))
            .route(&format!("{list}/{{slug}}/{}", t.history_segment), history)
    })
}

/// An item's page at `{section}/{slug}` by the section's templates: the public page, or a
/// [`preview`] when the state carries one.
async fn item(s: SiteState, headers: HeaderMap, t: Lang, section: Section, slug: String) -> Response {
    match section.templates {
        Templates::News => news::item(s, headers, t, section, slug).await,
        Templates::Programmes => programmes::item(s, headers, t, section, slug).await,
        Templates::Units => units::item(s, headers, t, section, slug).await,
        Templates::StaticPages => static_pages::page_item(s, headers, t, section, slug).await,
        Templates::Generic => generic::item(s, headers, t, section, slug).await,
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
/// `{section}/{slug}`, by the section's templates, in the record's language) or the
/// accessibility settings (the declaration page, and every part of the layout they fill
/// in). The rest of the page — the menu, lists of other items, a unit's parent and
/// children — is what the public sees now. A kind without a site section answers the 404
/// page. The visitor's settings (the cookie in `headers`) apply as on any page.
///
/// The media items the record shows (pictures, attachments, `media:` images) are shown
/// whatever their status, so the editor sees them in place; but the file of one not public
/// yet answers 404 at `/media/…` until published content shows it, so such a picture shows
/// as its alternative text in the preview.
pub async fn preview(s: &SiteState, headers: &HeaderMap, record: Record, note: &str) -> Response {
    let section = section_of(s.cms.kinds(), &record.meta.kind);
    let activity = record.meta.kind == ActivityInformation::KIND;
    let singleton = [AccessibilitySettings::KIND, ActivityInformation::KIND].contains(&record.meta.kind.as_str());
    if section.is_none() && !singleton {
        return no_store(not_found_page(s, headers, &PL, "/").await);
    }
    let slug = record.meta.slug.clone();
    let t = messages(&record.meta.locale);
    let mut previewing = s.clone();
    previewing.preview = Some(Arc::new(Preview { record, note: note.to_owned() }));
    match section {
        Some(section) => item(previewing, headers.clone(), t, section, slug).await,
        None if activity => information::easy_to_read(State(previewing), headers.clone()).await,
        None => static_pages::declaration(State(previewing), headers.clone()).await,
    }
}

#[derive(serde::Deserialize)]
struct ListParams {
    od: Option<String>,
}

/// A list page in pages: `?od=` is the cursor of the next one.
fn paged<F, Fut>(t: Lang, section: Section, page: F) -> MethodRouter<SiteState>
where
    F: Fn(SiteState, HeaderMap, Lang, Section, Option<String>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    get(move |State(s): State<SiteState>, headers: HeaderMap, params: Result<Query<ListParams>, QueryRejection>| {
        page(s, headers, t, section, params.ok().and_then(|Query(p)| p.od))
    })
}

/// A list page of every item at once.
fn whole<F, Fut>(t: Lang, section: Section, page: F) -> MethodRouter<SiteState>
where
    F: Fn(SiteState, HeaderMap, Lang, Section) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    get(move |State(s): State<SiteState>, headers: HeaderMap| page(s, headers, t, section))
}

/// An item's page at `{section}/{slug}`.
fn item_page(t: Lang, section: Section) -> MethodRouter<SiteState> {
    get(move |State(s): State<SiteState>, Path(slug): Path<String>, headers: HeaderMap| {
        item(s, headers, t, section, slug)
    })
}

/// Items on one page of a section's list.
const LIST_PAGE: usize = 10;

/// A query of public items in a language.
fn in_locale(t: Lang, limit: usize, cursor: Option<String>) -> CmsQuery {
    CmsQuery { limit: Some(limit), cursor, locale: Some(t.locale.code.to_owned()), ..CmsQuery::default() }
}

/// One page of a section's public records in the reader's language from `cursor`, newest
/// first, and the address of the next page.
async fn list_page(
    cms: &Cms,
    t: Lang,
    section: &Section,
    cursor: Option<String>,
) -> Result<(Vec<Record>, Option<String>), PageError> {
    let page = cms.list_records(section.kind.name(), in_locale(t, LIST_PAGE, cursor)).await?;
    Ok((page.records, page.next_cursor.map(|c| list_address(&section.list_path(t), Some(&c)))))
}

/// The layout of a section's list page.
fn list_layout(ctx: &Ctx, section: &Section) -> Layout {
    let ((label, lang), path) = (section.plural(ctx.t), section.list_path(ctx.t));
    layout(ctx, label, &[(label.to_owned(), path.clone(), lang)], &path)
}

/// The page address of a section's list in a language.
fn list_place(section: Section) -> Place {
    Place::Page(Box::new(move |t| section.list_path(t)))
}

async fn public_list<C: Content>(
    cms: &Cms,
    t: Lang,
    limit: usize,
    cursor: Option<String>,
) -> Result<witryna_core::ItemPage<C>, PageError> {
    Ok(cms.list::<C>(in_locale(t, limit, cursor)).await?)
}

/// Every public record of a kind in a language, newest first (for search, the site map
/// and the sitemap).
async fn all_public_records(cms: &Cms, t: Lang, kind: &str) -> Result<Vec<Record>, PageError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = cms.list_records(kind, in_locale(t, 100, cursor)).await?;
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
    Arc::new(MediaSet::load(cms, &content.media(), ctx.preview.is_some(), "", ctx.content).await)
}

/// A record of a built-in kind with its typed content.
fn decode<C: Content>(record: Record) -> Result<Item<C>, PageError> {
    match serde_json::from_str(&record.body) {
        Ok(content) => Ok(Item { meta: record.meta, content }),
        Err(e) => Err(PageError::Internal(format!("{} {}: {e}", record.meta.kind, record.meta.id))),
    }
}

/// Every public item of a built-in kind in a language, decoded.
async fn all_public<C: Content>(cms: &Cms, t: Lang) -> Result<Vec<Item<C>>, PageError> {
    all_public_records(cms, t, C::KIND).await?.into_iter().map(decode).collect()
}

/// What an item page's address leads to.
enum Found<T> {
    Item(T),
    /// Elsewhere: the item's current slug, or its translation into the reader's language
    /// (the address to redirect to).
    Moved(String),
}

/// The record an item page shows, and where the page is in every language (set on `ctx`).
///
/// On a preview: the previewed record (of this kind; no lookup). Else the public record
/// of the section's kind at `slug` in the reader's language; under `/en/`, `/uk/` a slug
/// not found there is looked up in Polish: a Polish item with a public translation in the
/// reader's language moves there, one without is shown in Polish ([`Ctx::showing_polish`])
/// — a missing translation never answers 404.
async fn find_record(cms: &Cms, ctx: &mut Ctx, section: &Section, slug: &str) -> Result<Found<Record>, PageError> {
    let kind = section.kind.name();
    let t = ctx.t;
    let record = if let Some(preview) = &ctx.preview {
        if preview.record.meta.kind != kind {
            return Err(PageError::NotFound);
        }
        preview.record.clone()
    } else {
        match cms.find_record(kind, t.locale.code, slug, View::Public).await {
            Ok(RecordLookup::Found(record)) => record,
            Ok(RecordLookup::Moved { current, .. }) => return Ok(Found::Moved(section.item_href(t, &current))),
            Err(CmsError::SlugNotFound { .. }) if !t.is_polish() => {
                match cms.find_record(kind, PL.locale.code, slug, View::Public).await? {
                    RecordLookup::Moved { current, .. } => return Ok(Found::Moved(section.item_href(t, &current))),
                    RecordLookup::Found(polish) => {
                        let translation = cms.translation(polish.meta.id, t.locale.code).await?;
                        if let Some(translation) = translation.filter(|r| r.meta.is_public_at(cms.now())) {
                            return Ok(Found::Moved(section.item_href(t, &translation.meta.slug)));
                        }
                        ctx.content = &PL;
                        polish
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    };
    ctx.place = item_place(cms, section, &record.meta).await?;
    Ok(Found::Item(record))
}

/// Where an item is in every language: the public members of its translation group in
/// locales turned on (itself included), and the public Polish member's slug for the
/// fallback addresses (a draft source's slug would lead to a 404, and tell its address).
async fn item_place(cms: &Cms, section: &Section, meta: &witryna_core::Meta) -> Result<Place, PageError> {
    let now = cms.now();
    let group: Vec<witryna_core::Meta> =
        std::iter::once(meta.clone()).chain(cms.translations_of(meta).await?).collect();
    let polish_slug = group.iter().find(|m| m.locale == PL.locale.code && m.is_public_at(now)).map(|m| m.slug.clone());
    let members = group
        .iter()
        .filter(|m| m.is_public_at(now) && cms.locales().is_on(&m.locale))
        .map(|m| {
            let t = messages(&m.locale);
            (t, section.item_href(t, &m.slug))
        })
        .collect();
    Ok(Place::Item { members, section: Box::new(*section), polish_slug })
}

/// [`find_record`] for a built-in kind, decoded.
async fn find<C: Content>(
    cms: &Cms,
    ctx: &mut Ctx,
    section: &Section,
    slug: &str,
) -> Result<Found<Item<C>>, PageError> {
    Ok(match find_record(cms, ctx, section, slug).await? {
        Found::Item(record) => Found::Item(decode(record)?),
        Found::Moved(to) => Found::Moved(to),
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
