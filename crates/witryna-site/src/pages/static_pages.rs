//! Static pages, the accessibility declaration, the visitor's settings and the keyboard
//! shortcuts.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use witryna_core::content::Page;

use super::history::{record_table, RecordTable};
use super::{
    change_href, crumb, encode, find, font_steps, harden, layout, media_of, page_at, safe_return_path, serve,
    skip_link, Found, Lang, Layout, PageError, Place, Rendered, Section, SkipLink,
};
use crate::markdown::render_blocking;
use crate::media::AttachmentLink;
use crate::messages::PL;
use crate::settings::Visitor;
use crate::SiteState;

#[derive(Template)]
#[template(path = "page.html")]
struct StaticPage {
    layout: Layout,
    /// The metryczka.
    record: RecordTable,
    /// The catalogue of the content's language (Polish on a fallback).
    t: Lang,
    title: String,
    summary: String,
    body: String,
    attachments: Vec<AttachmentLink>,
}

pub(super) async fn page_item(s: SiteState, headers: HeaderMap, t: Lang, section: Section, slug: String) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, t, section.item_href(t, &encode(&slug)), Place::Home, |mut ctx| async move {
        let item = match find::<Page>(&cms, &mut ctx, &section, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(to) => return Ok(Rendered::Redirect(to)),
        };
        let media = media_of(&cms, &ctx, &item.content).await;
        let p = item.content;
        let page = StaticPage {
            layout: layout(&ctx, &p.title, &section.crumbs(&ctx, &p.title), ""),
            record: record_table(ctx.content, &section, &item.meta),
            t: ctx.content,
            attachments: media.attachments(ctx.content, &p.attachments),
            body: render_blocking(p.body, &media).await?,
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

/// The accessibility declaration: Polish only, in the law's template, whatever language
/// the reader came from.
pub(crate) async fn declaration(State(s): State<SiteState>, headers: HeaderMap) -> Response {
    serve(&s, &headers, &PL, "/deklaracja-dostepnosci".into(), Place::Home, |ctx| async move {
        let settings = ctx.settings.clone().ok_or(PageError::NotFound)?;
        let d = settings.declaration.clone();
        let self_assessed = d.assessment.trim().eq_ignore_ascii_case("samoocena");
        let page = DeclarationPage {
            layout: layout(&ctx, PL.declaration, &[crumb(PL.declaration, "")], ""),
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
    t: Lang,
    options: Vec<(&'static str, &'static str, bool)>,
}

pub(crate) async fn settings_page(s: SiteState, headers: HeaderMap, t: Lang) -> Response {
    serve(&s, &headers, t, t.paths.settings.into(), page_at(|t| t.paths.settings), |ctx| async move {
        let v = ctx.visitor;
        let page = SettingsPage {
            options: vec![
                ("c", t.option_contrast, v.contrast),
                ("u", t.option_underline, v.underline),
                ("s", t.option_spacing, v.spacing),
                ("m", t.option_motion, v.motion),
                ("k", t.shortcuts, v.shortcuts),
            ],
            layout: layout(&ctx, t.accessibility_settings, &[crumb(t.accessibility_settings, "")], ""),
            t,
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
    let settings = super::site_settings(&s).await.ok().flatten();
    let steps = font_steps(settings.as_deref()).len();
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
    t: Lang,
    shortcuts: Vec<SkipLink>,
    enabled: bool,
    toggle: String,
}

pub(crate) async fn shortcuts(s: SiteState, headers: HeaderMap, t: Lang) -> Response {
    serve(&s, &headers, t, t.paths.shortcuts.into(), page_at(|t| t.paths.shortcuts), |ctx| async move {
        let enabled = ctx.visitor.shortcuts;
        let shortcuts = ctx
            .settings
            .as_ref()
            .map(|s| s.keyboard_shortcuts.iter().map(|k| skip_link(t, k, Some(k.key.clone()))).collect())
            .unwrap_or_default();
        let page = ShortcutsPage {
            toggle: change_href(&ctx, "k", if enabled { "0" } else { "1" }),
            layout: layout(&ctx, t.shortcuts, &[crumb(t.shortcuts, "")], ""),
            t,
            shortcuts,
            enabled,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
