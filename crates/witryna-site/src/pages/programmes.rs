//! Funded programmes („Projekty”): the list and one programme with its budget and indicators.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Warsaw;
use witryna_core::content::Programme;
use witryna_core::Item;

use super::history::{record_table, RecordTable};
use super::{
    all_public, encode, find, layout, list_layout, list_place, media_of, serve, Found, Lang, Layout, Place, Rendered,
    Section,
};
use crate::markdown::render_blocking;
use crate::media::{AttachmentLink, Loading, Picture, SIZES_COLUMN};
use crate::SiteState;

pub(crate) struct ProgrammeRow {
    pub(super) href: String,
    pub(super) name: String,
    pub(super) status: String,
    pub(super) period: String,
    pub(super) summary: String,
}

fn period_text(t: Lang, p: &Programme) -> String {
    p.period.map(|p| format!("{} – {}", t.date(p.start), t.date(p.end))).unwrap_or_default()
}

fn status_text(t: Lang, p: &Programme, now: DateTime<Utc>) -> String {
    p.status_on(now.with_timezone(&Warsaw).date_naive()).map_or(t.no_period, |s| t.programme_status(s)).to_owned()
}

pub(super) fn programme_row(t: Lang, section: &Section, item: &Item<Programme>, now: DateTime<Utc>) -> ProgrammeRow {
    ProgrammeRow {
        href: section.item_href(t, &item.meta.slug),
        name: item.content.name.clone(),
        status: status_text(t, &item.content, now),
        period: period_text(t, &item.content),
        summary: item.content.summary.clone(),
    }
}

#[derive(Template)]
#[template(path = "programme_list.html")]
struct ProgrammeListPage {
    layout: Layout,
    t: Lang,
    programmes: Vec<ProgrammeRow>,
    /// On a page in another language: the Polish list, where more is published.
    polish_href: Option<String>,
}

pub(super) async fn list(s: SiteState, headers: HeaderMap, t: Lang, section: Section) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, t, section.list_path(t), list_place(section), |ctx| async move {
        let programmes = all_public::<Programme>(&cms, t).await?;
        let page = ProgrammeListPage {
            layout: list_layout(&ctx, &section),
            t,
            programmes: programmes.iter().map(|p| programme_row(t, &section, p, ctx.now)).collect(),
            polish_href: section.polish_list(t),
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "programme_item.html")]
struct ProgrammeItemPage {
    layout: Layout,
    /// The metryczka.
    record: RecordTable,
    /// The catalogue of the content's language (Polish on a fallback).
    t: Lang,
    section: String,
    p: Programme,
    status: String,
    period: String,
    budget: Vec<(&'static str, String)>,
    indicators: Vec<(String, String, String)>,
    recruitment: String,
    body: String,
    /// The strip of funding marks, in the funding box near the top: fetched at once.
    marks: Option<Picture>,
    attachments: Vec<AttachmentLink>,
}

pub(super) async fn item(s: SiteState, headers: HeaderMap, t: Lang, section: Section, slug: String) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, t, section.item_href(t, &encode(&slug)), Place::Home, |mut ctx| async move {
        let item = match find::<Programme>(&cms, &mut ctx, &section, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(to) => return Ok(Rendered::Redirect(to)),
        };
        let c = ctx.content;
        let media = media_of(&cms, &ctx, &item.content).await;
        let meta = item.meta;
        let p = item.content;
        let marks = p.funding.as_ref().and_then(|f| f.marks.as_ref());
        let budget = p
            .budget
            .map(|b| {
                [(c.total_value, b.total), (c.co_financing, b.co_financing), (c.own_contribution, b.own_contribution)]
                    .into_iter()
                    .filter_map(|(label, m)| m.map(|m| (label, (c.money)(m.grosze()))))
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
            layout: layout(&ctx, &p.name, &section.crumbs(&ctx, &p.name), &section.list_path(ctx.t)),
            record: record_table(c, &section, &meta),
            t: c,
            section: section.list_path(c),
            status: status_text(c, &p, ctx.now),
            period: period_text(c, &p),
            budget,
            indicators,
            recruitment: render_blocking(p.recruitment.clone().unwrap_or_default(), &media).await?,
            body: render_blocking(p.body.clone(), &media).await?,
            marks: marks.and_then(|m| media.picture(m, SIZES_COLUMN, Loading::Eager)),
            attachments: media.attachments(c, &p.attachments),
            p,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
