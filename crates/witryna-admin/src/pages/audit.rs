//! The audit log (administrators only): who did what, to which item, when, from where and
//! why, newest first, filtered by person, action, item and dates. Read-only: nothing here
//! (or anywhere) changes or removes an entry.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use witryna_accounts::{tokens, users, Role};
use witryna_core::audit::{AuditAction, AuditEntry, AuditQuery};
use witryna_core::Id;

use super::items::item_href;
use super::{html, summary, warsaw, Layout};
use crate::error::AdminError;
use crate::session::Editor;
use crate::AdminState;

/// Entries on one page.
const PAGE: usize = 50;

/// What the log calls an action, in Polish.
pub(crate) fn action_label(action: AuditAction) -> &'static str {
    match action {
        AuditAction::Login => "logowanie",
        AuditAction::LoginFailed => "nieudane logowanie",
        AuditAction::Logout => "wylogowanie",
        AuditAction::PasswordChanged => "zmiana hasła",
        AuditAction::UserCreated => "nowe konto",
        AuditAction::UserChanged => "zmiana konta",
        AuditAction::RoleChanged => "zmiana roli",
        AuditAction::TokenCreated => "nowy token API",
        AuditAction::TokenRevoked => "unieważnienie tokenu API",
        AuditAction::Created => "utworzenie",
        AuditAction::Updated => "zmiana treści",
        AuditAction::Published => "publikacja",
        AuditAction::Unpublished => "wycofanie z publikacji",
        AuditAction::Archived => "archiwizacja",
        AuditAction::Deleted => "usunięcie",
        AuditAction::Restored => "przywrócenie wersji",
        AuditAction::SlugChanged => "zmiana adresu",
        AuditAction::RecordChanged => "zmiana metryczki",
        AuditAction::SettingsChanged => "zmiana ustawień",
        AuditAction::Imported => "import",
        AuditAction::WebhookChanged => "zmiana webhooka",
    }
}

/// The filter as the form sends it (`kto`, `akcja`, `tresc`, `od`, `do`, `przed`).
#[derive(serde::Deserialize, Default)]
pub(crate) struct Filter {
    kto: Option<String>,
    akcja: Option<String>,
    tresc: Option<String>,
    od: Option<String>,
    #[serde(rename = "do")]
    to: Option<String>,
    przed: Option<String>,
}

struct Row {
    when: String,
    who: String,
    address: String,
    what: &'static str,
    item: Option<(String, Option<String>)>,
    note: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<Row>,
    people: Vec<(String, String)>,
    actions: Vec<(&'static str, &'static str)>,
    person: String,
    action: String,
    /// The item id and the two dates.
    fields: Vec<FilterField>,
    older: Option<String>,
}

/// A text or date field of the filter.
struct FilterField {
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    error: String,
}

/// A date of the form (Europe/Warsaw), as the first or the last instant of its day.
fn day_bound(text: &str, end: bool) -> Result<Option<chrono::DateTime<Utc>>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "Wpisz datę w postaci RRRR-MM-DD.".to_owned())?;
    let time = if end { NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).expect("a time") } else { NaiveTime::MIN };
    let local = chrono_tz::Europe::Warsaw.from_local_datetime(&day.and_time(time)).earliest();
    Ok(local.map(|t| t.with_timezone(&Utc)))
}

/// `?…` of the filter, for the next page's link.
fn query_of(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.append_pair(k, v);
    }
    out.finish()
}

pub(crate) async fn list(
    State(s): State<AdminState>,
    editor: Editor,
    filter: Result<Query<Filter>, QueryRejection>,
) -> Result<Response, AdminError> {
    editor.require(Role::Administrator)?;
    let f = filter.map(|Query(f)| f).unwrap_or_default();
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let (person, action, item, from, to) = (text(&f.kto), text(&f.akcja), text(&f.tresc), text(&f.od), text(&f.to));
    let mut errors: [String; 3] = Default::default();
    let item_id = match item.parse::<Id>() {
        Ok(id) => Some(id),
        Err(_) if item.is_empty() => None,
        Err(_) => {
            errors[0] = "Wpisz identyfikator treści (z adresu jej strony w panelu), np. 01a2…-….".into();
            None
        }
    };
    let from_at = day_bound(&from, false).unwrap_or_else(|e| {
        errors[1] = e;
        None
    });
    let until = day_bound(&to, true).unwrap_or_else(|e| {
        errors[2] = e;
        None
    });
    let query = AuditQuery {
        actor: person.parse().ok(),
        item: item_id,
        action: AuditAction::parse(&action),
        from: from_at,
        until,
        public_only: false,
        before: f.przed.as_deref().and_then(|p| p.parse().ok()),
        limit: PAGE,
    };
    let valid = errors.iter().all(String::is_empty);
    let entries = if valid { s.cms().audit(&query).await? } else { Vec::new() };
    let older = (entries.len() == PAGE).then(|| entries.last().map(|e| e.seq)).flatten().map(|seq| {
        let seq = seq.to_string();
        let pairs = [("kto", &*person), ("akcja", &*action), ("tresc", &*item), ("od", &*from), ("do", &*to)];
        let mut pairs = pairs.to_vec();
        pairs.push(("przed", &seq));
        format!("/admin/dziennik?{}", query_of(&pairs))
    });
    let rows = entries.iter().map(|e| row(&s, e)).collect();
    let mut people = Vec::new();
    for u in users::list_users(s.cms()).await? {
        people.push((u.meta.id.to_string(), u.content.display_name));
    }
    for t in tokens::list_tokens(s.cms()).await? {
        people.push((t.id.to_string(), tokens::acting_name(&t.name)));
    }
    let mut layout = Layout::new(&s, &editor, "Dziennik zdarzeń", "/admin/dziennik");
    let [item_error, from_error, to_error] = errors;
    let fields = vec![
        FilterField { id: "tresc", label: "Treść (identyfikator)", kind: "text", value: item, error: item_error },
        FilterField { id: "od", label: "Od dnia", kind: "date", value: from, error: from_error },
        FilterField { id: "do", label: "Do dnia", kind: "date", value: to, error: to_error },
    ];
    layout.errors = summary(&fields.iter().map(|f| (f.id, f.label, &f.error)).collect::<Vec<_>>());
    let page = AuditPage {
        layout,
        rows,
        people,
        actions: AuditAction::ALL.iter().map(|a| (a.as_str(), action_label(*a))).collect(),
        person,
        action,
        fields,
        older,
    };
    html(if valid { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY }, &page)
}

/// One entry as the table shows it; an item links to its page in the editor while its kind
/// has one.
fn row(s: &AdminState, e: &AuditEntry) -> Row {
    let item = e.item.as_ref().map(|i| {
        let kind = s.cms().kinds().get(&i.kind).filter(|k| k.spec().is_some());
        let label = if i.title.is_empty() { i.kind.clone() } else { format!("{} ({}, {})", i.title, i.kind, i.locale) };
        let href = kind.filter(|_| e.action != AuditAction::Deleted).map(|k| item_href(k, i.id));
        (label, href)
    });
    Row {
        when: warsaw(e.at),
        who: e.actor.name.clone(),
        address: e.actor.address.clone().unwrap_or_default(),
        what: action_label(e.action),
        item,
        note: e.note.clone().unwrap_or_default(),
    }
}
