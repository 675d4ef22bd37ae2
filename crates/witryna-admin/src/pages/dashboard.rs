//! The dashboard: my drafts, scheduled items, recently changed, items due for review.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use witryna_core::{Query as CmsQuery, Record, Status, View};

use super::items::{item_href as href_of, status_label as label_of, title_of as title_for};
use super::{html, see_other, warsaw, Layout};
use crate::error::AdminError;
use crate::pages::account::Flash;
use crate::session::Editor;
use crate::AdminState;

/// Items of each kind the dashboard reads (the newest by publish or creation time).
const PER_KIND: usize = 100;
/// Entries in each dashboard list.
const SHOWN: usize = 10;
/// A published item unchanged for this long is due for review (public bodies keep their
/// information current).
const REVIEW_AFTER: Duration = Duration::days(365);

struct Entry {
    title: String,
    href: String,
    kind: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    name: String,
    drafts: Vec<Entry>,
    scheduled: Vec<Entry>,
    recent: Vec<Entry>,
    review: Vec<Entry>,
    kinds: Vec<(String, &'static str)>,
}

pub(crate) async fn redirect() -> Response {
    see_other("/admin")
}

pub(crate) async fn show(
    State(s): State<AdminState>,
    editor: Editor,
    flash: Result<Query<Flash>, QueryRejection>,
) -> Result<Response, AdminError> {
    let now = s.cms().now();
    let me = editor.id();
    let mut all: Vec<(witryna_core::Kind, Record)> = Vec::new();
    let mut kinds = Vec::new();
    for kind in s.cms().kinds().collections() {
        let Some(spec) = kind.spec() else { continue };
        kinds.push((format!("/admin{}/nowy", spec.site_section), spec.labels.add_new));
        let query = CmsQuery { view: View::Editor, limit: Some(PER_KIND), ..CmsQuery::default() };
        for record in s.cms().list_records(kind.name(), query).await?.records {
            all.push((*kind, record));
        }
    }
    let entry = |kind: &witryna_core::Kind, r: &Record, detail: String| Entry {
        title: title_for(kind, r),
        href: href_of(kind, r.meta.id),
        kind: kind.spec().map_or("", |s| s.labels.singular),
        detail,
    };
    let pick = |filter: &dyn Fn(&Record) -> bool, detail: &dyn Fn(&Record) -> String, by: &dyn Fn(&Record) -> i64| {
        let mut chosen: Vec<&(witryna_core::Kind, Record)> = all.iter().filter(|(_, r)| filter(r)).collect();
        chosen.sort_by_key(|(_, r)| by(r));
        chosen.into_iter().take(SHOWN).map(|(k, r)| entry(k, r, detail(r))).collect::<Vec<_>>()
    };
    let newest_change = |r: &Record| -r.meta.updated_at.timestamp_micros();
    let drafts = pick(
        &|r| r.meta.status == Status::Draft && r.meta.created_by == Some(me),
        &|r| format!("zmieniono {}", warsaw(r.meta.updated_at)),
        &newest_change,
    );
    let scheduled = pick(
        &|r| r.meta.status == Status::Published && r.meta.publish_at.is_some_and(|t| t > now),
        &|r| label_of(r, now),
        &|r| r.meta.publish_at.map_or(0, |t| t.timestamp_micros()),
    );
    let recent = pick(&|_| true, &|r| format!("{}, {}", label_of(r, now), warsaw(r.meta.updated_at)), &newest_change);
    let review = pick(
        &|r| r.meta.is_public_at(now) && now - r.meta.updated_at > REVIEW_AFTER,
        &|r| format!("bez zmian od {}", warsaw(r.meta.updated_at)),
        &|r| r.meta.updated_at.timestamp_micros(),
    );
    let flash = flash.ok().and_then(|Query(f)| f.komunikat);
    let layout = Layout::new(&s, &editor, "Pulpit", "/admin").with_flash(flash.as_deref());
    let name = editor.session.user.content.display_name.clone();
    html(StatusCode::OK, &DashboardPage { layout, name, drafts, scheduled, recent, review, kinds })
}
