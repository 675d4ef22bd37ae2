//! What a public body owes its readers about its information: every item's metryczka (who
//! produced, entered, published and last changed it), its change history (every published
//! version with its date, author and reason, and what changed between two of them), and
//! the site-wide change register with its Atom feed.
//!
//! History pages read the item's revisions; the register reads the public entries of the
//! audit log ([`witryna_core::audit`]), so it reaches back as far as the log's retention.
//! Only versions that were public are shown or compared: a draft's words never reach these
//! pages.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use witryna_core::audit::{AuditAction, AuditEntry, AuditQuery};
use witryna_core::{Meta, Status};

use super::{
    crumb, encode, find_record, layout, page_at, serve, Found, Lang, Layout, PageError, Place, Rendered, Section,
};
use crate::messages::messages;
use crate::SiteState;

/// An item's metryczka as its page shows it: labelled rows in the content's language, and
/// the link to its change history.
pub(crate) struct RecordTable {
    pub(crate) heading: &'static str,
    pub(crate) rows: Vec<(&'static str, String)>,
    pub(crate) history_label: &'static str,
    /// None for a singleton, which has no history page.
    pub(crate) history_href: Option<String>,
}

/// A name and the time it acted: „Anna Nowak, 3 lutego 2017, 09:41”.
fn signed(t: Lang, name: Option<&str>, at: DateTime<Utc>) -> String {
    match name {
        Some(name) => format!("{name}, {}", t.datetime(at)),
        None => t.datetime(at),
    }
}

/// The address of an item's history page, in the item's own language.
fn history_href(section: &Section, meta: &Meta) -> String {
    let t = messages(&meta.locale);
    format!("{}/{}", section.item_href(t, &encode(&meta.slug)), t.history_segment)
}

/// The metryczka of an item (in `t`, the content's language).
pub(crate) fn record_table(t: Lang, section: &Section, meta: &Meta) -> RecordTable {
    table_of(t, meta, Some(history_href(section, meta)))
}

/// The metryczka of a singleton (the centre's activity information): no history page.
pub(crate) fn singleton_record_table(t: Lang, meta: &Meta) -> RecordTable {
    table_of(t, meta, None)
}

fn table_of(t: Lang, meta: &Meta, history_href: Option<String>) -> RecordTable {
    let r = &meta.record;
    let mut rows = Vec::new();
    if let Some(by) = &r.produced_by {
        rows.push((t.produced_by, by.clone()));
    }
    if let Some(who) = &r.responsible {
        rows.push((t.responsible, who.clone()));
    }
    if let Some(day) = r.produced_on {
        rows.push((t.produced_on, t.date(day)));
    }
    rows.push((t.entered_by, signed(t, r.entered_by.as_deref(), meta.created_at)));
    if let Some(at) = meta.publish_at {
        rows.push((t.published_by, signed(t, r.published_by_name.as_deref(), at)));
    }
    rows.push((t.last_change, signed(t, r.changed_by.as_deref(), meta.updated_at)));
    RecordTable { heading: t.item_record, rows, history_label: t.change_history, history_href }
}

/// Whether a version was ever what the public saw: published, its time come by `now`, and
/// that before the next version replaced it (a scheduled version edited before its time
/// never was).
fn was_public(meta: &Meta, next: Option<&Meta>, now: DateTime<Utc>) -> bool {
    let until = next.map_or(now, |n| n.updated_at);
    meta.status == Status::Published
        && meta.publish_at.is_some_and(|at| at <= now)
        && (public_from(meta) < until || next.is_none() && public_from(meta) <= now)
}

/// When a version went public: when it was written, or its scheduled time if later.
fn public_from(meta: &Meta) -> DateTime<Utc> {
    meta.publish_at.map_or(meta.updated_at, |at| at.max(meta.updated_at))
}

/// One row of an item's history.
struct VersionRow {
    version: u64,
    when: String,
    datetime: String,
    who: String,
    what: &'static str,
    reason: Option<String>,
    /// What changed since the previous public version.
    changes_href: Option<String>,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    layout: Layout,
    t: Lang,
    title: String,
    item_href: String,
    rows: Vec<VersionRow>,
    /// The comparison asked for: its heading and table (escaped by the diff).
    comparison: Option<(String, String)>,
}

/// `?od=` and `?do=`: the two versions to compare.
#[derive(serde::Deserialize, Default)]
pub(crate) struct Compare {
    od: Option<String>,
    #[serde(rename = "do")]
    to: Option<String>,
}

/// An item's change history at `{item}/{history_segment}`; with `?od=a&do=b`, also what
/// changed between public versions `a` and `b` (any other pair is the 404 page).
pub(super) async fn history(
    s: SiteState,
    headers: HeaderMap,
    t: Lang,
    section: Section,
    slug: String,
    compare: Compare,
) -> Response {
    let cms = s.cms.clone();
    let versions = match (compare.od.as_deref().map(str::parse::<u64>), compare.to.as_deref().map(str::parse::<u64>)) {
        (None, None) => None,
        (Some(Ok(a)), Some(Ok(b))) if a < b => Some((a, b)),
        // A malformed pair names no page: its address is not echoed into a cache key.
        _ => Some((0, 0)),
    };
    let mut path = format!("{}/{}", section.item_href(t, &encode(&slug)), t.history_segment);
    if let Some((a, b)) = versions {
        path.push_str(&format!("?od={a}&do={b}"));
    }
    serve(&s, &headers, t, path, Place::Home, |mut ctx| async move {
        let record = match find_record(&cms, &mut ctx, &section, &slug).await? {
            Found::Item(record) => record,
            Found::Moved(to) => return Ok(Rendered::Redirect(format!("{to}/{}", ctx.t.history_segment))),
        };
        let c = ctx.content;
        let kind = section.kind;
        let title = kind.title(&record.body).unwrap_or_default();
        let all = cms.revisions(record.meta.id).await?;
        let metas: Vec<Meta> = all
            .iter()
            .enumerate()
            .filter(|(i, m)| was_public(m, all.get(i + 1), ctx.now))
            .map(|(_, m)| m.clone())
            .collect();
        let item_href = section.item_href(c, &encode(&record.meta.slug));
        let own = format!("{item_href}/{}", c.history_segment);
        let mut rows = Vec::with_capacity(metas.len());
        let mut previous: Option<&Meta> = None;
        for m in &metas {
            let editable =
                |m: &Meta| (m.record.produced_by.clone(), m.record.responsible.clone(), m.record.produced_on);
            // A version right after a public one changed it; after a gap (taken off the
            // site, or first published) it was published.
            let what = match previous {
                Some(p) if p.version + 1 == m.version && p.slug != m.slug => c.change_slug,
                Some(p) if p.version + 1 == m.version && editable(p) != editable(m) => c.change_record,
                Some(p) if p.version + 1 == m.version => c.change_updated,
                _ => c.change_published,
            };
            let at = public_from(m);
            rows.push(VersionRow {
                version: m.version,
                when: c.datetime(at),
                datetime: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                who: m.record.changed_by.clone().or_else(|| m.record.published_by_name.clone()).unwrap_or_default(),
                what,
                reason: m.record.change_note.clone(),
                changes_href: previous.map(|p| format!("{own}?od={}&do={}", p.version, m.version)),
            });
            previous = Some(m);
        }
        rows.reverse();
        let comparison = match versions {
            None => None,
            Some((a, b)) => {
                let public = |v: u64| metas.iter().any(|m| m.version == v);
                if !(public(a) && public(b)) {
                    return Err(PageError::NotFound);
                }
                let before = cms.revision_record(record.meta.id, a).await?;
                let after = cms.revision_record(record.meta.id, b).await?;
                let schema = crate::schema::root_schema(&kind);
                let diffs = crate::diff::diff_stored(&schema, &before.body, &after.body)
                    .map_err(|e| PageError::Internal(format!("stored version is not JSON: {e}")))?;
                let label = |v: u64| format!("{} {v}", c.version);
                let table = crate::diff::render_html(&diffs, &label(a), &label(b));
                Some((format!("{} {a} – {b}", c.changes_in), table))
            }
        };
        let heading = format!("{}: {title}", c.change_history);
        let mut crumbs = section.crumbs(&ctx, &title);
        if let Some(last) = crumbs.last_mut() {
            last.1 = item_href.clone();
        }
        crumbs.push(crumb(ctx.t.change_history, ""));
        let page =
            HistoryPage { layout: layout(&ctx, &heading, &crumbs, ""), t: c, title, item_href, rows, comparison };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

/// One entry of the change register.
struct RegisterRow {
    when: String,
    datetime: String,
    what: &'static str,
    title: String,
    href: Option<String>,
    /// The item's language when it is not the page's.
    lang: Option<String>,
    who: String,
    reason: Option<String>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    rows: Vec<RegisterRow>,
    older: Option<String>,
}

/// How the register names an action.
fn action_words(t: Lang, action: AuditAction) -> &'static str {
    match action {
        AuditAction::Published => t.change_published,
        AuditAction::Unpublished => t.change_unpublished,
        AuditAction::Archived => t.change_archived,
        AuditAction::Deleted => t.change_deleted,
        AuditAction::Restored => t.change_restored,
        AuditAction::SlugChanged => t.change_slug,
        AuditAction::RecordChanged => t.change_record,
        _ => t.change_updated,
    }
}

/// Entries on one page of the register.
const REGISTER_PAGE: usize = 20;

/// A page of public changes, newest first, below `before`; the cursor of the next page.
async fn register_page(
    s: &SiteState,
    before: Option<u64>,
    limit: usize,
) -> Result<(Vec<AuditEntry>, Option<u64>), PageError> {
    let query = AuditQuery { public_only: true, before, limit, ..AuditQuery::default() };
    let entries = s.cms.audit(&query).await?;
    let next = (entries.len() == limit).then(|| entries.last().map(|e| e.seq)).flatten();
    Ok((entries, next))
}

/// Where an entry's item is now, if it still exists and is public (a deleted item's or
/// withdrawn item's old address would answer 404).
async fn entry_href(s: &SiteState, e: &AuditEntry) -> Result<Option<String>, PageError> {
    let Some(item) = &e.item else { return Ok(None) };
    let Some(section) = super::section_of(s.cms.kinds(), &item.kind) else { return Ok(None) };
    let record = match s.cms.get_record(&item.kind, item.id).await {
        Ok(r) => r,
        Err(witryna_core::CmsError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(record.meta.is_public_at(s.cms.now()).then(|| history_href(&section, &record.meta)))
}

/// The site-wide change register (`/rejestr-zmian`, `?od=` the next page's cursor).
pub(super) async fn register(s: SiteState, headers: HeaderMap, t: Lang, od: Option<String>) -> Response {
    let before = match od.as_deref().map(str::parse::<u64>) {
        None => None,
        Some(Ok(seq)) => Some(seq),
        // Not a cursor this page handed out: the first page, at its own address.
        Some(Err(_)) => None,
    };
    let path = match before {
        Some(seq) => format!("{}?od={seq}", t.paths.register),
        None => t.paths.register.to_owned(),
    };
    let state = s.clone();
    serve(&s, &headers, t, path, page_at(|t| t.paths.register), |ctx| async move {
        let (entries, next) = register_page(&state, before, REGISTER_PAGE).await?;
        let mut rows = Vec::with_capacity(entries.len());
        for e in &entries {
            let item = e.item.as_ref();
            let href = entry_href(&state, e).await?;
            rows.push(RegisterRow {
                when: t.datetime(e.at),
                datetime: e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                what: action_words(t, e.action),
                title: match item {
                    Some(i) if href.is_some() || e.action != AuditAction::Deleted => i.title.clone(),
                    Some(i) => format!("{} {}", i.title, t.item_gone),
                    None => String::new(),
                },
                lang: item.map(|i| i.locale.clone()).filter(|l| l != t.locale.code),
                href,
                who: e.actor.name.clone(),
                reason: e.note.clone(),
            });
        }
        let older = next.map(|seq| format!("{}?od={seq}", t.paths.register));
        let page =
            RegisterPage { layout: layout(&ctx, t.change_register, &[crumb(t.change_register, "")], ""), rows, older };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

/// The change register as Atom (`/rejestr-zmian/atom.xml`): the newest 50 public changes.
pub(super) async fn register_feed(s: SiteState, t: Lang) -> Response {
    let state = s.clone();
    super::feeds::generated(&s, t, t.paths.register_feed, "application/atom+xml; charset=utf-8", || async move {
        let (entries, _) = register_page(&state, None, 50).await?;
        let base = super::feeds::xml_escape(state.base_url());
        let site = state
            .cms
            .singleton::<witryna_core::content::AccessibilitySettings>()
            .await?
            .map_or("Witryna".to_owned(), |s| s.content.declaration.entity);
        let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let updated = entries.first().map_or_else(|| state.cms.now(), |e| e.at);
        let x = super::feeds::xml_escape;
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n\
             <title>{}</title>\n<id>{base}{}</id>\n<link rel=\"self\" href=\"{base}{}\"/>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{base}{}\"/>\n<updated>{}</updated>\n\
             <author><name>{}</name></author>\n",
            t.locale.code,
            x(&(t.feed_title)(t.change_register, &site)),
            x(t.paths.register),
            x(t.paths.register_feed),
            x(t.paths.register),
            rfc(updated),
            x(&site),
        );
        for e in &entries {
            let href = entry_href(&state, e).await?.unwrap_or_else(|| t.paths.register.to_owned());
            let title = e.item.as_ref().map_or("", |i| i.title.as_str());
            let what = action_words(t, e.action);
            let mut summary = format!("{what}: {title}");
            if let Some(reason) = &e.note {
                summary.push_str(&format!(" — {reason}"));
            }
            xml.push_str(&format!(
                "<entry>\n<title>{}</title>\n<id>{base}{}#{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}{}\"/>\n\
                 <updated>{}</updated>\n<author><name>{}</name></author>\n<summary>{}</summary>\n</entry>\n",
                x(&format!("{title} ({what})")),
                x(t.paths.register),
                e.seq,
                x(&href),
                rfc(e.at),
                x(&e.actor.name),
                x(&summary),
            ));
        }
        xml.push_str("</feed>\n");
        Ok(xml)
    })
    .await
}
