//! Funded programmes („Projekty”): the list and one programme with its budget and indicators.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Warsaw;
use witryna_core::content::Programme;
use witryna_core::{pl, Item};

use super::{all_public, encode, find, layout, list_layout, media_of, serve, Found, Layout, Rendered, Section};
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

fn period_text(p: &Programme) -> String {
    p.period.map(|p| format!("{} – {}", pl::date(p.start), pl::date(p.end))).unwrap_or_default()
}

fn status_text(p: &Programme, now: DateTime<Utc>) -> String {
    p.status_on(now.with_timezone(&Warsaw).date_naive()).map_or("bez okresu realizacji", |s| s.label_pl()).to_owned()
}

pub(super) fn programme_row(section: &Section, item: &Item<Programme>, now: DateTime<Utc>) -> ProgrammeRow {
    ProgrammeRow {
        href: section.item_href(&item.meta.slug),
        name: item.content.name.clone(),
        status: status_text(&item.content, now),
        period: period_text(&item.content),
        summary: item.content.summary.clone(),
    }
}

#[derive(Template)]
#[template(path = "programme_list.html")]
struct ProgrammeListPage {
    layout: Layout,
    programmes: Vec<ProgrammeRow>,
}

pub(super) async fn list(s: SiteState, headers: HeaderMap, section: Section) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, section.spec.site_section.to_owned(), |ctx| async move {
        let programmes = all_public::<Programme>(&cms).await?;
        let page = ProgrammeListPage {
            layout: list_layout(&ctx, &section),
            programmes: programmes.iter().map(|p| programme_row(&section, p, ctx.now)).collect(),
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "programme_item.html")]
struct ProgrammeItemPage {
    layout: Layout,
    section: &'static str,
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

pub(super) async fn item(s: SiteState, headers: HeaderMap, section: Section, slug: String) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, section.item_href(&encode(&slug)), |ctx| async move {
        let item = match find::<Programme>(&cms, &ctx, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(current) => return Ok(Rendered::Redirect(section.item_href(&current))),
        };
        let media = media_of(&cms, &ctx, &item.content).await;
        let p = item.content;
        let marks = p.funding.as_ref().and_then(|f| f.marks.as_ref());
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
            layout: layout(&ctx, &p.name, &section.crumbs(&p.name), section.spec.site_section),
            section: section.spec.site_section,
            status: status_text(&p, ctx.now),
            period: period_text(&p),
            budget,
            indicators,
            recruitment: render_blocking(p.recruitment.clone().unwrap_or_default(), &media).await?,
            body: render_blocking(p.body.clone(), &media).await?,
            marks: marks.and_then(|m| media.picture(m, SIZES_COLUMN, Loading::Eager)),
            attachments: media.attachments(&p.attachments),
            p,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
