//! The site search: full text through the Cms's index, a title filter without one. Every
//! section of the registry is searched, and a hit links to its item page there.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono_tz::Europe::Warsaw;
use witryna_core::search::SearchQuery;
use witryna_core::{pl, slugs, Cms, CmsError};

use super::generic::title_of;
use super::{all_public_records, encode, layout, sections, serve, Layout, PageError, Rendered, Section};
use crate::SiteState;

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
    /// The section's name for one item („Aktualność”).
    kind: &'static str,
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

async fn title_search(cms: &Cms, query: &str) -> Result<Vec<SearchRow>, PageError> {
    let mut rows = Vec::new();
    for section in sections(cms.kinds()) {
        for record in all_public_records(cms, section.kind.name()).await? {
            let title = title_of(&section, &record.body);
            if title_matches(&title, query) {
                rows.push(SearchRow {
                    href: section.item_href(&record.meta.slug),
                    title,
                    kind: section.spec.labels.singular,
                    snippet: String::new(),
                    date: pl::date(record.meta.sort_time().date_naive()),
                });
            }
        }
    }
    Ok(rows)
}

/// Full-text search through the Cms's index; a title filter when there is none.
pub(crate) async fn search(
    State(s): State<SiteState>,
    headers: HeaderMap,
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
        (true, _) => "/szukaj".to_owned(),
        (false, 0) => format!("/szukaj?q={}", encode(&query)),
        (false, od) => format!("/szukaj?q={}&od={od}", encode(&query)),
    };
    serve(&s, &headers, page, |ctx| async move {
        let (mut results, mut total, mut more) = (Vec::new(), 0, None);
        if !query.is_empty() && !past_the_end {
            let sections: Vec<Section> = sections(cms.kinds()).collect();
            let kinds = sections.iter().map(|section| section.kind.name().to_owned()).collect();
            let q = SearchQuery { text: query.clone(), kinds, limit: PAGE, offset, ..Default::default() };
            match cms.search(q).await {
                Ok(found) => {
                    total = found.total;
                    more = found.next_cursor.map(|c| format!("/szukaj?q={}&od={c}", encode(&query)));
                    results = found
                        .items
                        .into_iter()
                        .filter_map(|h| {
                            let section = sections.iter().find(|section| section.kind.name() == h.kind)?;
                            Some(SearchRow {
                                href: section.item_href(&h.slug),
                                title: h.title,
                                kind: section.spec.labels.singular,
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
