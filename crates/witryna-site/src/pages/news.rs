//! News („Aktualności”): the list in pages and one article.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use witryna_core::content::NewsArticle;
use witryna_core::Item;

use super::history::{record_table, RecordTable};
use super::{
    decode, encode, find, layout, list_address, list_layout, list_page, list_place, media_of, published, serve, Found,
    Lang, Layout, Place, Rendered, Section,
};
use crate::markdown::render_blocking;
use crate::media::{AttachmentLink, Loading, Picture, SIZES_COLUMN, SIZES_GALLERY};
use crate::SiteState;

pub(crate) struct NewsRow {
    pub(super) href: String,
    pub(super) title: String,
    pub(super) lead: String,
    pub(super) author: String,
    pub(super) date: String,
    pub(super) datetime: String,
}

pub(super) fn news_row(t: Lang, section: &Section, item: &Item<NewsArticle>) -> NewsRow {
    let (date, datetime) = published(t, &item.meta);
    NewsRow {
        href: section.item_href(t, &item.meta.slug),
        title: item.content.title.clone(),
        lead: item.content.lead.clone(),
        author: item.content.author.clone(),
        date,
        datetime,
    }
}

#[derive(Template)]
#[template(path = "news_list.html")]
struct NewsListPage {
    layout: Layout,
    t: Lang,
    news: Vec<NewsRow>,
    older: Option<String>,
    /// On a page in another language: the Polish list, where more is published.
    polish_href: Option<String>,
}

pub(super) async fn list(
    s: SiteState,
    headers: HeaderMap,
    t: Lang,
    section: Section,
    cursor: Option<String>,
) -> Response {
    let cms = s.cms.clone();
    let address = list_address(&section.list_path(t), cursor.as_deref());
    serve(&s, &headers, t, address, list_place(section), |ctx| async move {
        let (records, older) = list_page(&cms, t, &section, cursor).await?;
        let items = records.into_iter().map(decode::<NewsArticle>).collect::<Result<Vec<_>, _>>()?;
        let page = NewsListPage {
            layout: list_layout(&ctx, &section),
            t,
            news: items.iter().map(|item| news_row(t, &section, item)).collect(),
            older,
            polish_href: section.polish_list(t),
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "news_item.html")]
struct NewsItemPage {
    layout: Layout,
    /// The metryczka.
    record: RecordTable,
    /// The catalogue of the content's language (Polish on a fallback).
    t: Lang,
    section: String,
    title: String,
    author: String,
    date: String,
    datetime: String,
    lead: String,
    /// The page's main picture, fetched first.
    cover: Option<Picture>,
    event: Vec<(&'static str, String)>,
    body: String,
    gallery: Vec<Picture>,
    attachments: Vec<AttachmentLink>,
    tags: Vec<String>,
}

pub(super) async fn item(s: SiteState, headers: HeaderMap, t: Lang, section: Section, slug: String) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, t, section.item_href(t, &encode(&slug)), Place::Home, |mut ctx| async move {
        let item = match find::<NewsArticle>(&cms, &mut ctx, &section, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(to) => return Ok(Rendered::Redirect(to)),
        };
        let c = ctx.content;
        let row = news_row(c, &section, &item);
        let media = media_of(&cms, &ctx, &item.content).await;
        let n = item.content;
        let mut event = Vec::new();
        if let Some(e) = &n.event {
            let mut when = c.date(e.date);
            if let Some(time) = e.time {
                when = (c.date_at_time)(&when, &time.format("%H:%M").to_string());
            }
            event.push((c.event_when, when));
            if let Some(place) = &e.place {
                event.push((c.event_where, place.clone()));
            }
            if let Some(count) = e.participants {
                event.push((c.participants, count.to_string()));
            }
        }
        let list = section.list_path(ctx.t);
        let page = NewsItemPage {
            layout: layout(&ctx, &n.title, &section.crumbs(&ctx, &n.title), &list),
            record: record_table(c, &section, &item.meta),
            t: c,
            section: section.list_path(c),
            title: n.title.clone(),
            author: n.author.clone(),
            date: row.date,
            datetime: row.datetime,
            lead: n.lead.clone(),
            cover: n.cover.as_ref().and_then(|c| media.picture(c, SIZES_COLUMN, Loading::Priority)),
            event,
            gallery: n.gallery.iter().filter_map(|i| media.picture(i, SIZES_GALLERY, Loading::Lazy)).collect(),
            attachments: media.attachments(c, &n.attachments),
            body: render_blocking(n.body, &media).await?,
            tags: n.tags,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
