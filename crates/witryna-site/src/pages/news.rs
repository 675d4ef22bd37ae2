//! News („Aktualności”): the list in pages and one article.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use witryna_core::content::NewsArticle;
use witryna_core::{pl, Item};

use super::{
    decode, encode, find, layout, list_address, list_layout, list_page, media_of, serve, Found, Layout, Rendered,
    Section,
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

pub(super) fn news_row(section: &Section, item: &Item<NewsArticle>) -> NewsRow {
    let t = item.meta.publish_at.unwrap_or(item.meta.created_at);
    NewsRow {
        href: section.item_href(&item.meta.slug),
        title: item.content.title.clone(),
        lead: item.content.lead.clone(),
        author: item.content.author.clone(),
        date: pl::datetime(t),
        datetime: t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

#[derive(Template)]
#[template(path = "news_list.html")]
struct NewsListPage {
    layout: Layout,
    news: Vec<NewsRow>,
    older: Option<String>,
}

pub(super) async fn list(s: SiteState, headers: HeaderMap, section: Section, cursor: Option<String>) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, list_address(section.spec.site_section, cursor.as_deref()), |ctx| async move {
        let (records, older) = list_page(&cms, &section, cursor).await?;
        let items = records.into_iter().map(decode::<NewsArticle>).collect::<Result<Vec<_>, _>>()?;
        let page = NewsListPage {
            layout: list_layout(&ctx, &section),
            news: items.iter().map(|item| news_row(&section, item)).collect(),
            older,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "news_item.html")]
struct NewsItemPage {
    layout: Layout,
    section: &'static str,
    title: String,
    author: String,
    date: String,
    datetime: String,
    lead: String,
    /// The page's main picture, fetched first.
    cover: Option<Picture>,
    event: Vec<(String, String)>,
    body: String,
    gallery: Vec<Picture>,
    attachments: Vec<AttachmentLink>,
    tags: Vec<String>,
}

pub(super) async fn item(s: SiteState, headers: HeaderMap, section: Section, slug: String) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, section.item_href(&encode(&slug)), |ctx| async move {
        let item = match find::<NewsArticle>(&cms, &ctx, &slug).await? {
            Found::Item(item) => item,
            Found::Moved(current) => return Ok(Rendered::Redirect(section.item_href(&current))),
        };
        let row = news_row(&section, &item);
        let media = media_of(&cms, &ctx, &item.content).await;
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
            layout: layout(&ctx, &n.title, &section.crumbs(&n.title), section.spec.site_section),
            section: section.spec.site_section,
            title: n.title.clone(),
            author: n.author.clone(),
            date: row.date,
            datetime: row.datetime,
            lead: n.lead.clone(),
            cover: n.cover.as_ref().and_then(|c| media.picture(c, SIZES_COLUMN, Loading::Priority)),
            event,
            gallery: n.gallery.iter().filter_map(|i| media.picture(i, SIZES_GALLERY, Loading::Lazy)).collect(),
            attachments: media.attachments(&n.attachments),
            body: render_blocking(n.body, &media).await?,
            tags: n.tags,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
