//! What machines read — the Atom feed, `sitemap.xml`, `robots.txt` — and the site map page
//! people read: every public page, from the registry's sections.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use witryna_core::content::{MediaRefs, NewsArticle};
use witryna_core::{Cms, Kinds, Query as CmsQuery, Record};

use super::generic::{describe, lead_of, title_of};
use super::{
    all_public_records, context, crumb, decode, harden, internal_error, item_place, layout, list_place, page_at,
    sections, serve, Lang, Layout, PageError, Place, Rendered, Section, Templates,
};
use crate::markdown::render_blocking;
use crate::media::MediaSet;
use crate::messages::{messages, PL};
use crate::SiteState;

/// The section the Atom feed carries: the first section with a list page, the first in the
/// menu (Aktualności with the built-in kinds). One section only: a feed says what is new,
/// and the sections after it (programmes, units, an integrator's job offers) are
/// reference pages rather than a stream of news. `None` when the site has no list page:
/// then there is no feed.
pub(crate) fn feed_section(kinds: &Kinds) -> Option<Section> {
    sections(kinds).find(Section::has_list)
}

/// One public page, as the site map and `sitemap.xml` list it.
struct PublicPage {
    path: String,
    title: String,
    /// `Some("pl")` for a Polish page or name on a list in another language.
    lang: Option<&'static str>,
    changed: DateTime<Utc>,
    /// Its `hreflang` alternates (code, path), `x-default` last.
    alternates: Vec<(&'static str, String)>,
}

/// The catalogues of the locales turned on, Polish first.
fn locales_on(cms: &Cms) -> Vec<Lang> {
    cms.locales().iter().map(|l| messages(l.code)).collect()
}

/// Every public page of the site in one language: its home, section lists, shortcuts and
/// search pages, the (Polish) declaration, and its public items.
async fn public_pages(cms: &Cms, t: Lang) -> Result<Vec<PublicPage>, PageError> {
    let now = cms.now();
    let on = locales_on(cms);
    let page = |place: Place, title: &str, lang: Option<&'static str>| PublicPage {
        path: place.href(t),
        title: title.to_owned(),
        lang,
        changed: now,
        alternates: place.alternates(&on),
    };
    let mut out = vec![page(page_at(|t| t.paths.home), t.home, None)];
    for section in sections(cms.kinds()).filter(Section::has_list) {
        let (label, lang) = section.plural(t);
        out.push(page(list_place(section), label, lang));
    }
    // The declaration and the centre's information for everyone are Polish only (the law's
    // template, the easy-to-read text and the sign-language recordings): listed in every
    // language.
    for (path, title) in [
        ("/deklaracja-dostepnosci", t.declaration),
        (super::information::EASY_TO_READ, t.easy_to_read),
        (super::information::SIGN_LANGUAGE, t.sign_language),
    ] {
        out.push(PublicPage { path: path.into(), alternates: Vec::new(), ..page(Place::Home, title, None) });
    }
    out.push(page(page_at(|t| t.paths.shortcuts), t.shortcuts, None));
    out.push(page(page_at(|t| t.paths.search), t.search, None));
    for section in sections(cms.kinds()) {
        for record in all_public_records(cms, t, section.kind.name()).await? {
            let place = item_place(cms, &section, &record.meta).await?;
            out.push(PublicPage {
                path: place.href(t),
                title: title_of(&section, &record.body),
                lang: None,
                changed: record.meta.updated_at,
                alternates: place.alternates(&on),
            });
        }
    }
    Ok(out)
}

/// A link of the site map page.
struct SiteMapLink {
    href: String,
    title: String,
    lang: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "sitemap_page.html")]
struct SiteMapPage {
    layout: Layout,
    links: Vec<SiteMapLink>,
}

pub(crate) async fn site_map(s: SiteState, headers: HeaderMap, t: Lang) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, t, t.paths.site_map.into(), page_at(|t| t.paths.site_map), |ctx| async move {
        let links = public_pages(&cms, t)
            .await?
            .into_iter()
            .map(|p| SiteMapLink { href: p.path, title: p.title, lang: p.lang })
            .collect();
        let page = SiteMapPage { layout: layout(&ctx, t.site_map, &[crumb(t.site_map, "")], ""), links };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

/// Escapes text for XML; characters XML cannot carry become U+FFFD.
pub(super) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    witryna_core::content::escape_markup(s, &mut out);
    out
}

/// A generated document (feed, sitemap, robots) through the page cache: it depends on the
/// store and the configuration only, so one copy serves everyone until the next write.
pub(super) async fn generated<F, Fut>(
    s: &SiteState,
    t: Lang,
    key: &str,
    content_type: &'static str,
    fill: F,
) -> Response
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
            Err(PageError::NotFound) => return internal_error(t, &format!("{key}: nothing to show")),
            Err(PageError::Internal(m)) => return internal_error(t, &format!("{key}: {m}")),
        },
    };
    let mut res =
        (StatusCode::OK, [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=300")], body)
            .into_response();
    harden(res.headers_mut(), false);
    res
}

/// What the feed says of one item.
struct Entry {
    title: String,
    author: String,
    summary: String,
    html: String,
}

impl Entry {
    /// News say who wrote them and carry their article (its media-library images with
    /// addresses under `base`, the public URL); an item of any other kind is signed by the
    /// site and carries its generic page's fields.
    async fn of(
        cms: &Cms,
        t: Lang,
        section: &Section,
        record: Record,
        site: &str,
        base: &str,
    ) -> Result<Self, PageError> {
        if section.templates == Templates::News {
            let n = decode::<NewsArticle>(record)?.content;
            let mut refs = MediaRefs::default();
            refs.markdown("body", &n.body);
            let media = std::sync::Arc::new(MediaSet::load(cms, &refs.into_vec(), false, base, t).await);
            return Ok(Entry {
                title: n.title,
                author: n.author,
                summary: n.lead,
                html: render_blocking(n.body, &media).await?,
            });
        }
        let summary = lead_of(section, &record.body);
        let described = describe(t, section, record.body).await?;
        Ok(Entry { html: described.fields()?, title: described.title, author: site.to_owned(), summary })
    }
}

/// The Atom feed of the newest items of [`feed_section`] in one language (`/atom.xml`,
/// `/en/atom.xml`). Links are absolute when a public URL is configured.
pub(crate) async fn atom(s: SiteState, headers: HeaderMap, t: Lang) -> Response {
    let state = s.clone();
    generated(&s, t, t.paths.feed, "application/atom+xml; charset=utf-8", || async move {
        let section = feed_section(state.cms.kinds()).ok_or(PageError::NotFound)?;
        let ctx = context(&state, &headers, t, t.paths.feed.into(), Place::Home).await?;
        let query = CmsQuery { limit: Some(20), locale: Some(t.locale.code.to_owned()), ..CmsQuery::default() };
        let records = state.cms.list_records(section.kind.name(), query).await?.records;
        let site = ctx.settings.as_ref().map_or("Witryna".to_owned(), |s| s.declaration.entity.clone());
        let base = xml_escape(&ctx.base_url);
        let path = xml_escape(&section.list_path(t));
        let updated = records.iter().map(|r| r.meta.updated_at).max().unwrap_or(ctx.now);
        let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (label, _) = section.plural(t);
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n\
             <title>{}</title>\n<id>{base}{path}</id>\n<link rel=\"self\" href=\"{base}{}\"/>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{base}{path}\"/>\n<updated>{}</updated>\n",
            t.locale.code,
            xml_escape(&(t.feed_title)(label, &site)),
            xml_escape(t.paths.feed),
            rfc(updated)
        );
        for record in records {
            let meta = record.meta.clone();
            let entry = Entry::of(&state.cms, t, &section, record, &site, &ctx.base_url).await?;
            xml.push_str(&format!(
                "<entry>\n<title>{}</title>\n<id>urn:uuid:{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}{}\"/>\n\
                 <published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n<summary>{}</summary>\n\
                 <content type=\"html\">{}</content>\n</entry>\n",
                xml_escape(&entry.title),
                meta.id,
                xml_escape(&section.item_href(t, &meta.slug)),
                rfc(meta.publish_at.unwrap_or(meta.created_at)),
                rfc(meta.updated_at),
                xml_escape(&entry.author),
                xml_escape(&entry.summary),
                xml_escape(&entry.html),
            ));
        }
        xml.push_str("</feed>\n");
        Ok(xml)
    })
    .await
}

/// `sitemap.xml` of every public page in every language turned on, each with its
/// `xhtml:link` alternates (absolute addresses need the public URL).
pub(crate) async fn sitemap(State(s): State<SiteState>) -> Response {
    let state = s.clone();
    generated(&s, &PL, "/sitemap.xml", "application/xml; charset=utf-8", || async move {
        let base = xml_escape(state.base_url());
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
             xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
        );
        let mut listed = std::collections::HashSet::new();
        for t in locales_on(&state.cms) {
            for page in public_pages(&state.cms, t).await? {
                if !listed.insert(page.path.clone()) {
                    continue; // the declaration, listed in every language, is one page
                }
                xml.push_str(&format!("<url><loc>{base}{}</loc>", xml_escape(&page.path)));
                for (code, path) in &page.alternates {
                    xml.push_str(&format!(
                        "<xhtml:link rel=\"alternate\" hreflang=\"{code}\" href=\"{base}{}\"/>",
                        xml_escape(path)
                    ));
                }
                xml.push_str(&format!("<lastmod>{}</lastmod></url>\n", page.changed.format("%Y-%m-%d")));
            }
        }
        xml.push_str("</urlset>\n");
        Ok(xml)
    })
    .await
}

pub(crate) async fn robots(State(s): State<SiteState>) -> Response {
    let base = s.base_url().to_owned();
    generated(&s, &PL, "/robots.txt", "text/plain; charset=utf-8", || async move {
        Ok(format!("User-agent: *\nDisallow: /ustawienia/\nDisallow: /api/\nSitemap: {base}/sitemap.xml\n"))
    })
    .await
}
