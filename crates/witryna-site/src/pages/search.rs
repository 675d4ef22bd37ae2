//! The site search: full text through the Cms's index, a title filter without one. Every
//! section of the registry is searched, and a hit links to its item page there.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono_tz::Europe::Warsaw;
use witryna_core::search::SearchQuery;
use witryna_core::{slugs, Cms, CmsError};

use super::generic::title_of;
use super::{
    all_public_records, crumb, encode, layout, sections, serve, Lang, Layout, PageError, Place, Rendered, Section,
};
use crate::messages::{messages, PL};
use crate::SiteState;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    t: Lang,
    query: String,
    /// Over the results: the query and how many were found.
    results_heading: String,
    results: Vec<SearchRow>,
    more: Option<String>,
}

pub(crate) struct SearchRow {
    href: String,
    title: String,
    /// The section's name for one item („Aktualność”).
    kind: &'static str,
    /// `Some("pl")` when [`SearchRow::kind`] is Polish on a page in another language.
    kind_lang: Option<&'static str>,
    /// The item's language when it is not the page's (its title and snippet are in it).
    lang: Option<&'static str>,
    snippet: String,
    date: String,
}

#[derive(serde::Deserialize)]
pub(crate) struct SearchParams {
    q: Option<String>,
    od: Option<String>,
}

/// Case- and diacritic-insensitive title match: the fallback without a search index.
fn title_matches(title: &str, query: &str) -> bool {
    let (t, q) = (slugs::slugify(title), slugs::slugify(query));
    !q.is_empty() && t.contains(&q)
}

/// What a result row shows of one found item.
struct Hit {
    /// The item's locale code.
    locale: String,
    slug: String,
    title: String,
    snippet: String,
    date: chrono::NaiveDate,
}

/// A result row on a page in `t`'s language, linking to the item at its own language's
/// address, its words marked with that language when it is not the page's.
fn row(t: Lang, section: &Section, hit: Hit) -> SearchRow {
    let (_, kind, kind_lang) = section.names(t);
    let own = messages(&hit.locale);
    SearchRow {
        href: section.item_href(own, &hit.slug),
        title: hit.title,
        kind,
        kind_lang,
        lang: (!std::ptr::eq(own, t)).then_some(own.locale.code),
        snippet: hit.snippet,
        date: t.date(hit.date),
    }
}

/// The title filter over the reader's language, then Polish items not translated into it.
async fn title_search(cms: &Cms, t: Lang, query: &str) -> Result<Vec<SearchRow>, PageError> {
    let mut rows = Vec::new();
    for section in sections(cms.kinds()) {
        let mut records = all_public_records(cms, t, section.kind.name()).await?;
        if !t.is_polish() {
            let translated: Vec<_> = records.iter().filter_map(|r| r.meta.translation_of.map(|l| l.id)).collect();
            let polish = all_public_records(cms, &PL, section.kind.name()).await?;
            records.extend(polish.into_iter().filter(|r| !translated.contains(&r.meta.id)));
        }
        for record in records {
            let title = title_of(&section, &record.body);
            if title_matches(&title, query) {
                let date = record.meta.sort_time().date_naive();
                let (locale, slug) = (record.meta.locale, record.meta.slug);
                rows.push(row(t, &section, Hit { locale, slug, title, snippet: String::new(), date }));
            }
        }
    }
    Ok(rows)
}

/// Full-text search through the Cms's index; a title filter when there is none.
pub(crate) async fn search(
    s: SiteState,
    headers: HeaderMap,
    t: Lang,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
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
        (true, _) => t.paths.search.to_owned(),
        (false, 0) => format!("{}?q={}", t.paths.search, encode(&query)),
        (false, od) => format!("{}?q={}&od={od}", t.paths.search, encode(&query)),
    };
    // The same search in every language: the query is normalised and encoded above.
    let place = Place::Page(Box::new({
        let query = query.clone();
        move |t| {
            if query.is_empty() {
                t.paths.search.to_owned()
            } else {
                format!("{}?q={}", t.paths.search, encode(&query))
            }
        }
    }));
    serve(&s, &headers, t, page, place, |ctx| async move {
        let (mut results, mut total, mut more) = (Vec::new(), 0, None);
        if !query.is_empty() && !past_the_end {
            let sections: Vec<Section> = sections(cms.kinds()).collect();
            let kinds = sections.iter().map(|section| section.kind.name().to_owned()).collect();
            let q = SearchQuery {
                text: query.clone(),
                kinds,
                limit: PAGE,
                offset,
                locale: t.locale.code.to_owned(),
                ..Default::default()
            };
            match cms.search(q).await {
                Ok(found) => {
                    total = found.total;
                    more = found.next_cursor.map(|c| format!("{}?q={}&od={c}", t.paths.search, encode(&query)));
                    results = found
                        .items
                        .into_iter()
                        // Items of a language turned off have no pages to link to.
                        .filter(|h| cms.locales().is_on(&h.locale))
                        .filter_map(|h| {
                            let section = sections.iter().find(|section| section.kind.name() == h.kind)?;
                            let date = h.publish_at.with_timezone(&Warsaw).date_naive();
                            let (locale, slug, title, snippet) = (h.locale, h.slug, h.title, h.snippet);
                            Some(row(t, section, Hit { locale, slug, title, snippet, date }))
                        })
                        .collect();
                }
                Err(CmsError::SearchUnavailable) => {
                    results = title_search(&cms, t, &query).await?;
                    total = results.len();
                }
                Err(e) => return Err(e.into()),
            }
        }
        let title = if query.is_empty() { t.search.to_owned() } else { (t.results_title)(&query) };
        let page = SearchPage {
            layout: layout(&ctx, &title, &[crumb(t.search, t.paths.search)], t.paths.search),
            t,
            results_heading: (t.results_for)(&query, total),
            query,
            results,
            more,
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}
