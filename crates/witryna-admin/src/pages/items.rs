//! The items of every kind of the registry: lists, forms generated from the kind's schema,
//! the workflow, deletion, revisions and previews.
//!
//! Roles: an author („autor”) writes drafts and edits and deletes their own drafts; an
//! editor („redaktor”) edits, publishes, schedules, withdraws, archives and deletes any
//! item; site-wide settings (singleton kinds) are for administrators.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::Value;
use witryna_core::content::Media;
use witryna_core::{
    Checked, CmsError, Content, CreateOptions, Id, Kind, Query as CmsQuery, Record, Status, Step, View,
};

use super::translations::{self, LanguageLine, NewTranslation, SourcePanel};
use super::{account_name, html, see_other, warsaw, Layout};
use crate::error::AdminError;
use crate::form::{self, SummaryEntry};
use crate::session::{Editor, Posted};
use crate::{checks, messages, AdminState};
use witryna_core::cms::RecordFields;
use witryna_site::diff;

/// Items on one page of a list.
const LIST_PAGE: usize = 20;
/// Most items a title search reads before it stops (lists stay fast on large sites).
const SEARCH_SCAN: usize = 10_000;

/// The kind whose admin section is `section` (its site section without the `/`).
fn kind_of(s: &AdminState, section: &str) -> Result<Kind, AdminError> {
    let kind = *s.cms().kinds().by_section(&format!("/{section}")).ok_or(AdminError::NotFound)?;
    kind.spec().ok_or(AdminError::NotFound)?;
    Ok(kind)
}

fn section_href(kind: &Kind) -> String {
    format!("/admin{}", kind.spec().map_or("", |s| s.site_section))
}

pub(crate) fn item_href(kind: &Kind, id: Id) -> String {
    format!("{}/{id}", section_href(kind))
}

/// The kind of `section` when the editor may work in it: collections for everyone,
/// site-wide settings for administrators.
fn kind_for(s: &AdminState, editor: &Editor, section: &str) -> Result<Kind, AdminError> {
    let kind = kind_of(s, section)?;
    if super::may_edit_kind(editor.role(), &kind) {
        Ok(kind)
    } else {
        Err(AdminError::Forbidden)
    }
}

/// [`kind_for`] and the item `id` of that kind.
pub(crate) async fn item_for(
    s: &AdminState,
    editor: &Editor,
    section: &str,
    id: &str,
) -> Result<(Kind, Record), AdminError> {
    let kind = kind_for(s, editor, section)?;
    let record = load(s, &kind, id).await?;
    Ok((kind, record))
}

/// Whether the editor may change this item's content.
fn may_edit(editor: &Editor, record: &Record) -> bool {
    editor.role().may_publish() || (record.meta.status == Status::Draft && record.meta.created_by == Some(editor.id()))
}

/// A status as editors read it.
pub(crate) fn status_label(record: &Record, now: DateTime<Utc>) -> String {
    match record.meta.status {
        Status::Draft => "Szkic".into(),
        Status::Published => match record.meta.publish_at {
            Some(at) if at > now => format!("Zaplanowano na {}", warsaw(at)),
            _ => "Opublikowano".into(),
        },
        Status::Archived => "W archiwum".into(),
    }
}

pub(crate) fn title_of(kind: &Kind, record: &Record) -> String {
    kind.title(&record.body).filter(|t| !t.trim().is_empty()).unwrap_or_else(|| "(bez tytułu)".into())
}

/// Names of accounts, each looked up once per page.
#[derive(Default)]
struct Names(HashMap<Option<Id>, String>);

impl Names {
    async fn of(&mut self, s: &AdminState, id: Option<Id>) -> String {
        if let Some(name) = self.0.get(&id) {
            return name.clone();
        }
        let name = account_name(s, id).await;
        self.0.insert(id, name.clone());
        name
    }
}

// ---------------------------------------------------------------- list

struct Row {
    title: String,
    href: String,
    status: String,
    updated: String,
    author: String,
    languages: Vec<LanguageLine>,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    layout: Layout,
    plural: &'static str,
    add_new: &'static str,
    new_href: String,
    section: String,
    rows: Vec<Row>,
    q: String,
    status: String,
    mine: bool,
    next: Option<String>,
    may_create: bool,
    /// The other languages, as column headings (none for kinds without translations).
    languages: Vec<witryna_core::Locale>,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ListParams {
    q: Option<String>,
    status: Option<String>,
    moje: Option<String>,
    od: Option<String>,
    komunikat: Option<String>,
}

pub(crate) async fn list(
    State(s): State<AdminState>,
    editor: Editor,
    Path(section): Path<String>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Response, AdminError> {
    let kind = kind_for(&s, &editor, &section)?;
    if kind.is_singleton() {
        return singleton_form(&s, &editor, &kind).await;
    }
    let Query(p) = params.unwrap_or_default();
    let spec = kind.spec().ok_or(AdminError::NotFound)?;
    let q: String = p.q.unwrap_or_default().trim().chars().take(200).collect();
    let status = p.status.as_deref().and_then(|v| v.parse::<Status>().ok());
    let mine = p.moje.is_some();
    let me = editor.id();
    let wanted = |r: &Record| {
        (!mine || r.meta.created_by == Some(me)) && (q.is_empty() || folded(&title_of(&kind, r)).contains(&folded(&q)))
    };
    let mut records = Vec::new();
    let mut cursor = p.od.clone();
    let mut scanned = 0;
    // Filters the store cannot apply (title words, the author) read on, page by page, until a
    // page is full or SEARCH_SCAN items were read.
    let next = loop {
        let limit = if q.is_empty() && !mine { LIST_PAGE } else { 100 };
        let query =
            CmsQuery { view: View::Editor, status, cursor: cursor.clone(), limit: Some(limit), ..CmsQuery::default() };
        let page = s.cms().list_records(kind.name(), query).await.map_err(|e| match e {
            CmsError::InvalidCursor(_) => AdminError::NotFound,
            e => e.into(),
        })?;
        scanned += page.records.len();
        for record in page.records {
            if records.len() < LIST_PAGE && wanted(&record) {
                records.push(record);
            }
        }
        match page.next_cursor {
            Some(c) if records.len() < LIST_PAGE && scanned < SEARCH_SCAN => cursor = Some(c),
            other => break other.filter(|_| records.len() >= LIST_PAGE),
        }
    };
    let now = s.cms().now();
    let mut names = Names::default();
    let mut rows = Vec::with_capacity(records.len());
    for r in &records {
        rows.push(Row {
            title: title_of(&kind, r),
            href: item_href(&kind, r.meta.id),
            status: status_label(r, now),
            updated: warsaw(r.meta.updated_at),
            author: names.of(&s, r.meta.updated_by).await,
            languages: translations::languages(&s, &kind, r).await?,
        });
    }
    let base = section_href(&kind);
    let filters = format!(
        "{}{}{}",
        if q.is_empty() { String::new() } else { format!("&q={}", super::encode_query(&q)) },
        status.map_or(String::new(), |st| format!("&status={}", st.as_str())),
        if mine { "&moje=1" } else { "" }
    );
    let next = next.map(|c| format!("{base}?od={}{filters}", super::encode_query(&c)));
    let layout = Layout::new(&s, &editor, spec.labels.plural, &base).with_flash(p.komunikat.as_deref());
    html(
        StatusCode::OK,
        &ListPage {
            layout,
            plural: spec.labels.plural,
            add_new: spec.labels.add_new,
            new_href: format!("{base}/nowy"),
            section: base,
            rows,
            q,
            status: status.map_or("", Status::as_str).to_owned(),
            mine,
            next,
            may_create: true,
            languages: if kind.is_translatable() { s.cms().locales().translated().collect() } else { Vec::new() },
        },
    )
}

/// Lower case without diacritics, for title search („Żłobek” finds „zlobek”).
fn folded(text: &str) -> String {
    witryna_core::slugs::slugify(text)
}

// ---------------------------------------------------------------- the edit form

/// A button of the workflow.
struct Action {
    value: &'static str,
    label: &'static str,
    primary: bool,
}

struct Advice {
    href: String,
    message: String,
    excerpt: Option<String>,
}

struct Revision {
    version: u64,
    status: String,
    when: String,
    author: String,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    layout: Layout,
    heading: String,
    action: String,
    version: u64,
    fields: String,
    singleton: bool,
    slug: String,
    slug_error: String,
    public_href: Option<String>,
    status: String,
    saved: Option<String>,
    links: Vec<(String, String)>,
    actions: Vec<Action>,
    read_only: bool,
    advice: Vec<Advice>,
    publish_date: String,
    publish_time: String,
    publish_error: String,
    conflict: Option<Conflict>,
    languages: Vec<LanguageLine>,
    source: Option<SourcePanel>,
    reason: String,
    reason_error: String,
    /// The item is public: a change of its words needs a reason.
    reason_required: bool,
    record_view: Option<RecordView>,
    /// Errors of the metryczka's fields: producer, responsible, date produced.
    record_errors: [String; 3],
}

/// Someone else saved the item after this form was loaded.
struct Conflict {
    who: String,
    when: String,
    diff: String,
}

/// What the form page shows besides the fields.
pub(crate) struct FormState<'a> {
    kind: Kind,
    /// A translation being started (its source and language).
    translation: Option<NewTranslation>,
    record: Option<&'a Record>,
    value: Value,
    errors: Vec<(String, String)>,
    slug: String,
    publish_date: String,
    publish_time: String,
    conflict: Option<Conflict>,
    /// The version the form is based on, when not the record's (a form shown again keeps
    /// the version it was loaded at, so a colleague's save in between is still caught).
    based_on: Option<u64>,
    /// The reason given for the change, and the metryczka's editable fields, as typed.
    reason: String,
    record_inputs: RecordInputs,
}

/// The editable fields of the metryczka as the form holds them (text).
#[derive(Clone, Default)]
pub(crate) struct RecordInputs {
    produced_by: String,
    responsible: String,
    produced_on: String,
}

impl RecordInputs {
    fn of(record: &Record) -> Self {
        let r = &record.meta.record;
        RecordInputs {
            produced_by: r.produced_by.clone().unwrap_or_default(),
            responsible: r.responsible.clone().unwrap_or_default(),
            produced_on: r.produced_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    fn posted(form: &Posted) -> Self {
        let get = |name: &str| form.get(name).unwrap_or("").trim().to_owned();
        RecordInputs {
            produced_by: get("_wytworzyl"),
            responsible: get("_odpowiedzialny"),
            produced_on: get("_data_wytworzenia"),
        }
    }

    /// The fields as the Cms takes them; a date that does not read is an error on its field.
    fn fields(&self) -> Result<RecordFields, (String, String)> {
        let text = |t: &str| (!t.is_empty()).then(|| t.to_owned());
        let produced_on = match self.produced_on.as_str() {
            "" => None,
            d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                ("_data_wytworzenia".to_owned(), "Wpisz datę w postaci RRRR-MM-DD, np. 2026-11-20.".to_owned())
            })?),
        };
        Ok(RecordFields { produced_by: text(&self.produced_by), responsible: text(&self.responsible), produced_on })
    }
}

/// The metryczka as the edit page shows it: the fields the workflow fills in, and whether
/// the editable ones are offered.
struct RecordView {
    entered: String,
    published: Option<String>,
    changed: String,
    inputs: RecordInputs,
}

impl FormState<'_> {
    /// The form of a new item of `kind` holding `value`.
    pub(crate) fn new(kind: Kind, value: Value) -> Self {
        FormState {
            kind,
            translation: None,
            record: None,
            value,
            errors: Vec::new(),
            slug: String::new(),
            publish_date: String::new(),
            publish_time: String::new(),
            conflict: None,
            based_on: None,
            reason: String::new(),
            record_inputs: RecordInputs::default(),
        }
    }

    /// The same form starting a translation.
    pub(crate) fn translating(self, new: NewTranslation) -> Self {
        FormState { translation: Some(new), ..self }
    }
}

pub(crate) async fn form_page(
    s: &AdminState,
    editor: &Editor,
    state: FormState<'_>,
    flash: Option<&str>,
) -> Result<Response, AdminError> {
    let FormState {
        kind,
        record,
        value,
        errors,
        slug,
        publish_date,
        publish_time,
        conflict,
        based_on,
        translation,
        reason,
        record_inputs,
    } = state;
    let spec = kind.spec().ok_or(AdminError::NotFound)?;
    let schema = form_schema(s, &kind).await?;
    let content_errors: Vec<(String, String)> = errors.iter().filter(|(p, _)| !p.starts_with('_')).cloned().collect();
    let languages = translations::view(s, &kind, &schema, record, translation.as_ref()).await?;
    let rendered = form::render_in(&schema, &value, &content_errors, languages.lang);
    let now = s.cms().now();
    let title = record.map(|r| title_of(&kind, r));
    let heading = match (&title, kind.is_singleton(), &translation) {
        (_, true, _) => spec.labels.singular.to_owned(),
        (Some(t), false, _) => format!("Edytuj: {t}"),
        (None, false, Some(new)) => format!("Nowe tłumaczenie ({}): {}", new.locale.name, title_of(&kind, &new.source)),
        (None, false, None) => spec.labels.add_new.to_owned(),
    };
    let mut layout = Layout::new(s, editor, &heading, &section_href(&kind)).with_flash(flash);
    layout.errors = rendered.summary;
    let find = |name: &str| errors.iter().find(|(p, _)| p == name).map(|(_, m)| m.clone()).unwrap_or_default();
    let slug_error = find("_slug");
    let publish_error = find("_publish_at");
    let reason_error = find("_powod");
    let record_errors = [find("_wytworzyl"), find("_odpowiedzialny"), find("_data_wytworzenia")];
    for (id, label, message) in [
        ("slug", "Adres", &slug_error),
        ("data-publikacji", "Data publikacji", &publish_error),
        ("powod", "Powód zmiany", &reason_error),
        ("wytworzyl", "Wytworzył", &record_errors[0]),
        ("odpowiedzialny", "Odpowiedzialny", &record_errors[1]),
        ("data-wytworzenia", "Data wytworzenia", &record_errors[2]),
    ] {
        if !message.is_empty() {
            layout.errors.push(SummaryEntry { id: id.into(), label: label.into(), message: message.clone() });
        }
    }
    let read_only = record.is_some_and(|r| !may_edit(editor, r));
    let role = editor.role();
    let mut actions = Vec::new();
    if !read_only {
        let status = record.map(|r| r.meta.status);
        actions.push(Action {
            value: "zapisz",
            label: if status.is_none() || status == Some(Status::Draft) { "Zapisz szkic" } else { "Zapisz zmiany" },
            primary: !role.may_publish(),
        });
        if role.may_publish() && !kind.is_singleton() {
            actions.push(Action { value: "publikuj", label: "Zapisz i opublikuj teraz", primary: true });
            actions.push(Action { value: "zaplanuj", label: "Zapisz i zaplanuj publikację", primary: false });
            if status == Some(Status::Published) {
                actions.push(Action { value: "wycofaj", label: "Wycofaj z publikacji", primary: false });
            }
            if matches!(status, Some(Status::Published | Status::Draft)) {
                actions.push(Action { value: "archiwizuj", label: "Przenieś do archiwum", primary: false });
            }
        }
    }
    let mut links = Vec::new();
    let mut saved = None;
    let mut public_href = None;
    if let Some(r) = record {
        let href = item_href(&kind, r.meta.id);
        if kind.is_on_site() || kind.is_singleton() {
            links.push((format!("{href}/podglad"), "Podgląd".to_owned()));
        } else if kind.name() == Media::KIND {
            links.push((format!("{href}/plik"), "Zobacz plik".to_owned()));
        }
        links.push((format!("{href}/wersje"), format!("Wersje ({})", r.meta.version)));
        if !read_only && !kind.is_singleton() && (role.may_publish() || r.meta.status == Status::Draft) {
            links.push((format!("{href}/usun"), "Usuń".to_owned()));
        }
        saved = Some(format!("{} – {}", warsaw(r.meta.updated_at), account_name(s, r.meta.updated_by).await));
        if r.meta.is_public_at(now) {
            public_href = Some(if kind.is_singleton() {
                spec.site_section.to_owned()
            } else if kind.name() == Media::KIND {
                // A file, not a page: its address names the stored file.
                match serde_json::from_value::<Media>(value.clone()) {
                    Ok(media) => witryna_site::file_href(media.file.hash, &media.file.name),
                    Err(_) => spec.site_section.to_owned(),
                }
            } else {
                witryna_site::item_path(s.cms().kinds(), kind.name(), &r.meta.locale, &r.meta.slug)
                    .unwrap_or_else(|| format!("{}/{}", spec.site_section, r.meta.slug))
            });
        }
    }
    let reason_required = record.is_some_and(|r| r.meta.is_public_at(now)) && !kind.is_singleton();
    let record_view = match record {
        Some(r) if kind.is_on_site() && !kind.is_singleton() => {
            let m = &r.meta;
            let signed = |name: &Option<String>, at: DateTime<Utc>| {
                format!("{}, {}", name.as_deref().unwrap_or("konto sprzed dziennika"), warsaw(at))
            };
            Some(RecordView {
                entered: signed(&m.record.entered_by, m.created_at),
                published: m
                    .publish_at
                    .filter(|_| m.status != Status::Draft)
                    .map(|at| signed(&m.record.published_by_name, at)),
                changed: signed(&m.record.changed_by, m.updated_at),
                inputs: if errors.is_empty() && conflict.is_none() { RecordInputs::of(r) } else { record_inputs },
            })
        }
        _ => None,
    };
    let advice = checks::check_kind(&kind, &value)
        .into_iter()
        .map(|a| Advice { href: format!("#{}", form::field_id(&a.path)), message: a.message, excerpt: a.excerpt })
        .collect();
    let page = EditPage {
        layout,
        heading,
        action: match (record, &translation) {
            (Some(r), _) => item_href(&kind, r.meta.id),
            (None, Some(new)) => format!("{}/tlumaczenie/{}", item_href(&kind, new.source.meta.id), new.locale.code),
            (None, None) => format!("{}/nowy", section_href(&kind)),
        },
        version: based_on.or(record.map(|r| r.meta.version)).unwrap_or(0),
        fields: rendered.html,
        // A file's address is its hash: no slug field.
        singleton: kind.is_singleton() || kind.name() == Media::KIND,
        slug,
        slug_error,
        public_href,
        status: record.map_or_else(|| "Nowy szkic (jeszcze nie zapisany)".to_owned(), |r| status_label(r, now)),
        saved,
        links,
        actions,
        read_only,
        advice,
        publish_date,
        publish_time,
        publish_error,
        conflict,
        languages: languages.languages,
        source: languages.source,
        reason,
        reason_error,
        reason_required,
        record_view,
        record_errors,
    };
    let status = if !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if page.conflict.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    html(status, &page)
}

fn stored_value(record: &Record) -> Value {
    serde_json::from_str(&record.body).unwrap_or(Value::Null)
}

/// The publish time fields of a record (Europe/Warsaw), for a scheduled item.
fn publish_fields(record: Option<&Record>) -> (String, String) {
    match record.and_then(|r| r.meta.publish_at) {
        Some(at) => {
            let local = at.with_timezone(&chrono_tz::Europe::Warsaw);
            (local.format("%Y-%m-%d").to_string(), local.format("%H:%M").to_string())
        }
        None => (String::new(), String::new()),
    }
}

pub(crate) async fn new_form(
    State(s): State<AdminState>,
    editor: Editor,
    Path(section): Path<String>,
) -> Result<Response, AdminError> {
    let kind = kind_for(&s, &editor, &section)?;
    if kind.is_singleton() {
        return Err(AdminError::NotFound);
    }
    form_page(&s, &editor, FormState::new(kind, Value::Object(Default::default())), None).await
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct Flash {
    komunikat: Option<String>,
}

async fn load(s: &AdminState, kind: &Kind, id: &str) -> Result<Record, AdminError> {
    let id: Id = id.parse().map_err(|_| AdminError::NotFound)?;
    Ok(s.cms().get_record(kind.name(), id).await?)
}

pub(crate) async fn edit_form(
    State(s): State<AdminState>,
    editor: Editor,
    Path((section, id)): Path<(String, String)>,
    flash: Result<Query<Flash>, QueryRejection>,
) -> Result<Response, AdminError> {
    let (kind, record) = item_for(&s, &editor, &section, &id).await?;
    let flash = flash.ok().and_then(|Query(f)| f.komunikat);
    let (publish_date, publish_time) = publish_fields(Some(&record));
    let state = FormState {
        kind,
        translation: None,
        value: stored_value(&record),
        record: Some(&record),
        errors: Vec::new(),
        slug: record.meta.slug.clone(),
        publish_date,
        publish_time,
        conflict: None,
        based_on: None,
        reason: String::new(),
        record_inputs: RecordInputs::of(&record),
    };
    form_page(&s, &editor, state, flash.as_deref()).await
}

/// A singleton kind's list address shows its one item's form (or an empty one).
async fn singleton_form(s: &AdminState, editor: &Editor, kind: &Kind) -> Result<Response, AdminError> {
    let record = match s.cms().record_by_key(kind.name(), kind.name()).await {
        Ok(r) => Some(r),
        Err(CmsError::SlugNotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    match record {
        Some(r) => Ok(see_other(&item_href(kind, r.meta.id))),
        None => form_page(s, editor, FormState::new(*kind, Value::Object(Default::default())), None).await,
    }
}

/// The workflow step a button asks for, after the content is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Save,
    Publish,
    Schedule,
    Unpublish,
    Archive,
}

impl Wanted {
    fn of(form: &Posted) -> Self {
        match form.get("_akcja") {
            Some("publikuj") => Wanted::Publish,
            Some("zaplanuj") => Wanted::Schedule,
            Some("wycofaj") => Wanted::Unpublish,
            Some("archiwizuj") => Wanted::Archive,
            _ => Wanted::Save,
        }
    }

    fn flash(self, created: bool) -> &'static str {
        match self {
            Wanted::Save if created => "utworzono",
            Wanted::Save => "zapisano",
            Wanted::Publish => "opublikowano",
            Wanted::Schedule => "zaplanowano",
            Wanted::Unpublish => "wycofano",
            Wanted::Archive => "zarchiwizowano",
        }
    }
}

/// The scheduled time from the form's date and time (Europe/Warsaw); an error names the field.
fn publish_at(form: &Posted) -> Result<DateTime<Utc>, String> {
    let date = form.get("_data").unwrap_or("").trim();
    let time = form.get("_godzina").unwrap_or("").trim();
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| "Wpisz datę publikacji w postaci RRRR-MM-DD, np. 2026-12-01.".to_owned())?;
    let time = if time.is_empty() { Ok(NaiveTime::MIN) } else { NaiveTime::parse_from_str(time, "%H:%M") }
        .map_err(|_| "Wpisz godzinę w postaci GG:MM, np. 09:30.".to_owned())?;
    let local = chrono_tz::Europe::Warsaw
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .ok_or_else(|| "Tej godziny nie ma tego dnia (zmiana czasu). Wybierz inną.".to_owned())?;
    let at = local.with_timezone(&Utc);
    // What every answer carrying the item can write as a date (RFC 3339: years 0000–9999).
    if !(1..=9998).contains(&at.year()) {
        return Err("Wpisz datę z lat 0001–9998.".to_owned());
    }
    Ok(at)
}

fn step_of(wanted: Wanted, at: Option<DateTime<Utc>>) -> Option<Step> {
    match wanted {
        Wanted::Save => None,
        Wanted::Publish => Some(Step::Publish(None)),
        Wanted::Schedule => Some(Step::Publish(at)),
        Wanted::Unpublish => Some(Step::Unpublish),
        Wanted::Archive => Some(Step::Archive),
    }
}

/// Reads a posted edit form: the content, list operations, the slug and the schedule.
struct Submitted {
    value: Value,
    errors: Vec<(String, String)>,
    list_op: bool,
    slug: String,
    wanted: Wanted,
    at: Option<DateTime<Utc>>,
    publish_date: String,
    publish_time: String,
    reason: String,
    record_inputs: RecordInputs,
}

/// The most files offered in a form's choice of a library file (the newest).
const MAX_MEDIA_CHOICES: usize = 500;

/// A kind's form schema, its media fields turned into choices of the library's files
/// (images where an image is shown, videos for a recording, any file for attachments).
async fn form_schema(s: &AdminState, kind: &Kind) -> Result<Value, AdminError> {
    let mut schema = form::root_schema(kind);
    if !schema.to_string().contains("x-witryna-media") {
        return Ok(schema);
    }
    let (mut images, mut videos, mut files) = (Vec::new(), Vec::new(), Vec::new());
    let mut cursor = None;
    while files.len() < MAX_MEDIA_CHOICES {
        let query =
            CmsQuery { view: View::Editor, cursor, limit: Some(witryna_core::cms::MAX_PAGE), ..CmsQuery::default() };
        let page = s.cms().list::<Media>(query).await?;
        for item in page.items {
            let label = format!("{} ({}, {})", item.content.label(), item.content.file.name, item.meta.status.as_str());
            if item.content.is_image() {
                images.push((item.meta.id.to_string(), label.clone()));
            } else if item.content.file.is_video() {
                videos.push((item.meta.id.to_string(), label.clone()));
            }
            files.push((item.meta.id.to_string(), label));
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    form::offer_media(&mut schema, &|kind| match kind {
        "image" => images.clone(),
        "video" => videos.clone(),
        _ => files.clone(),
    });
    Ok(schema)
}

fn read_form(schema: &Value, form: &Posted) -> Submitted {
    let parsed = form::parse(schema, &form.pairs);
    let mut errors = parsed.errors;
    let wanted = Wanted::of(form);
    let at = if wanted == Wanted::Schedule {
        match publish_at(form) {
            Ok(at) => Some(at),
            Err(message) => {
                errors.push(("_publish_at".into(), message));
                None
            }
        }
    } else {
        None
    };
    Submitted {
        value: parsed.value,
        errors,
        list_op: parsed.list_op.is_some(),
        slug: form.get("_slug").unwrap_or("").trim().to_owned(),
        wanted,
        at,
        publish_date: form.get("_data").unwrap_or("").to_owned(),
        publish_time: form.get("_godzina").unwrap_or("").to_owned(),
        reason: form.get("_powod").unwrap_or("").trim().to_owned(),
        record_inputs: RecordInputs::posted(form),
    }
}

/// A form's value checked as its kind; a translation's (of `source`) with its source's
/// shared fields filled in first.
async fn check_form(s: &AdminState, kind: &Kind, value: &Value, source: Option<Id>) -> Result<Checked, CmsError> {
    let json = match source {
        Some(id) => s.cms().fill_shared(kind.name(), id, &value.to_string()).await?,
        None => value.to_string(),
    };
    Ok(kind.check(&json)?)
}

fn may_step(editor: &Editor, wanted: Wanted) -> Result<(), AdminError> {
    if wanted == Wanted::Save || editor.role().may_publish() {
        Ok(())
    } else {
        Err(AdminError::Forbidden)
    }
}

pub(crate) async fn create(
    State(s): State<AdminState>,
    editor: Editor,
    Path(section): Path<String>,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    let kind = kind_for(&s, &editor, &section)?;
    create_item(&s, &editor, kind, form, None).await
}

/// Saves a new item — a translation of `translation`'s source when given — and applies the
/// step the button asked for.
pub(crate) async fn create_item(
    s: &AdminState,
    editor: &Editor,
    kind: Kind,
    form: Posted,
    translation: Option<NewTranslation>,
) -> Result<Response, AdminError> {
    let sub = read_form(&form_schema(s, &kind).await?, &form);
    may_step(editor, sub.wanted)?;
    let source = translation.as_ref().map(|t| (t.source.meta.id, t.locale.code));
    let again = |errors: Vec<(String, String)>, sub: Submitted| FormState {
        kind,
        translation,
        record: None,
        value: sub.value,
        errors,
        slug: sub.slug,
        publish_date: sub.publish_date,
        publish_time: sub.publish_time,
        conflict: None,
        based_on: None,
        reason: sub.reason,
        record_inputs: sub.record_inputs,
    };
    if sub.list_op || !sub.errors.is_empty() {
        let errors = sub.errors.clone();
        return form_page(s, editor, again(errors, sub), None).await;
    }
    let checked = match check_form(s, &kind, &sub.value, source.map(|(id, _)| id)).await {
        Ok(c) => c,
        Err(e) => match messages::field_errors(&e) {
            Some(errors) => return form_page(s, editor, again(errors, sub), None).await,
            None => return Err(e.into()),
        },
    };
    let cms = editor.cms(s);
    let slug = (!sub.slug.is_empty()).then(|| sub.slug.clone());
    let options = CreateOptions {
        slug,
        locale: source.map(|(_, code)| code.to_owned()),
        translation_of: source.map(|(id, _)| id),
    };
    let record = match cms.create_checked(checked, options).await {
        Ok(r) => r,
        // Someone started this translation meanwhile (or the form was sent twice): theirs.
        Err(CmsError::TranslationTaken { owner, .. }) => return Ok(see_other(&item_href(&kind, owner))),
        Err(e) => match messages::field_errors(&e) {
            Some(errors) => return form_page(s, editor, again(errors, sub), None).await,
            None => return Err(e.into()),
        },
    };
    // A site-wide setting is in force once saved (as over the API): its first save publishes it.
    let step = if kind.is_singleton() { Some(Step::Publish(None)) } else { step_of(sub.wanted, sub.at) };
    let record = match step {
        Some(step) => cms.apply_step(record, None, step).await?,
        None => record,
    };
    let flash = sub.wanted.flash(true);
    Ok(see_other(&format!("{}?komunikat={flash}", item_href(&kind, record.meta.id))))
}

pub(crate) async fn save(
    State(s): State<AdminState>,
    editor: Editor,
    Path((section, id)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    let (kind, current) = item_for(&s, &editor, &section, &id).await?;
    if !may_edit(&editor, &current) {
        return Err(AdminError::Forbidden);
    }
    let schema = form_schema(&s, &kind).await?;
    let mut sub = read_form(&schema, &form);
    form::keep_read_only(&schema, &mut sub.value, &stored_value(&current));
    may_step(&editor, sub.wanted)?;
    let based_on: u64 = form.get("_wersja").and_then(|v| v.parse().ok()).unwrap_or(0);
    let again = |errors: Vec<(String, String)>, sub: Submitted| FormState {
        kind,
        translation: None,
        record: Some(&current),
        value: sub.value,
        errors,
        slug: sub.slug,
        publish_date: sub.publish_date,
        publish_time: sub.publish_time,
        conflict: None,
        based_on: Some(based_on),
        reason: sub.reason,
        record_inputs: sub.record_inputs,
    };
    if sub.list_op || !sub.errors.is_empty() {
        let errors = sub.errors.clone();
        return form_page(&s, &editor, again(errors, sub), None).await;
    }
    if based_on != current.meta.version {
        return conflict_page(&s, &editor, kind, &current, sub).await;
    }
    let source = current.meta.translation_of.map(|t| t.id);
    let checked = match check_form(&s, &kind, &sub.value, source).await {
        Ok(c) => c,
        Err(e) => match messages::field_errors(&e) {
            Some(errors) => return form_page(&s, &editor, again(errors, sub), None).await,
            None => return Err(e.into()),
        },
    };
    let mut sub = sub;
    // The metryczka is checked before anything is written: a refused field writes nothing.
    let record_fields = match sub.record_inputs.fields().map(|f| f.checked()) {
        Ok(Ok(fields)) => fields,
        Ok(Err(e)) => {
            let errors = messages::field_errors(&e).unwrap_or_default();
            return form_page(&s, &editor, again(errors, sub), None).await;
        }
        Err(error) => return form_page(&s, &editor, again(vec![error], sub), None).await,
    };
    let cms = editor.cms(&s);
    let cms = if sub.reason.is_empty() {
        cms
    } else {
        match cms.because(&sub.reason) {
            Ok(cms) => cms,
            Err(e) => {
                let errors = messages::field_errors(&e).unwrap_or_default();
                return form_page(&s, &editor, again(errors, sub), None).await;
            }
        }
    };
    let unchanged = checked.json() == current.body && (sub.slug.is_empty() || sub.slug == current.meta.slug);
    let record = if unchanged {
        current.clone()
    } else {
        let slug = (!kind.is_singleton() && !sub.slug.is_empty()).then_some(sub.slug.as_str());
        match cms.update_record(current.clone(), Some(based_on), checked, slug).await {
            Ok(r) => r,
            // Saved by someone else between the check above and this write.
            Err(CmsError::Conflict { .. }) => {
                let now = load(&s, &kind, &id).await?;
                return conflict_page(&s, &editor, kind, &now, sub).await;
            }
            Err(e) => match messages::field_errors(&e) {
                Some(errors) => return form_page(&s, &editor, again(errors, sub), None).await,
                None => return Err(e.into()),
            },
        }
    };
    // The metryczka's own fields, when offered and changed: a step of their own.
    let offered = kind.is_on_site() && !kind.is_singleton();
    let old_fields = RecordInputs::of(&record).fields().unwrap_or_default();
    let record = if offered && record_fields != old_fields {
        match cms.apply_step(record, None, Step::Record(record_fields)).await {
            Ok(r) => r,
            Err(e) => match messages::field_errors(&e) {
                Some(errors) => {
                    sub.slug = current.meta.slug.clone();
                    return form_page(&s, &editor, again(errors, sub), None).await;
                }
                None => return Err(e.into()),
            },
        }
    } else {
        record
    };
    let flash = match step_of(sub.wanted, sub.at) {
        Some(step) => match cms.apply_step(record, None, step).await {
            Ok(_) => sub.wanted.flash(false),
            // The content is saved; the step does not apply to the item's status.
            Err(CmsError::InvalidTransition { .. }) => "niemozliwe",
            Err(e) => return Err(e.into()),
        },
        None => sub.wanted.flash(false),
    };
    Ok(see_other(&format!("{}?komunikat={flash}", item_href(&kind, current.meta.id))))
}

/// Someone saved meanwhile: the page says who and when and shows both versions; the form
/// keeps this editor's text and is now based on the saved version, so saving again is a
/// decision, not an accident.
async fn conflict_page(
    s: &AdminState,
    editor: &Editor,
    kind: Kind,
    current: &Record,
    sub: Submitted,
) -> Result<Response, AdminError> {
    let schema = form::root_schema(&kind);
    let diffs = diff::diff(&schema, &stored_value(current), &sub.value);
    let conflict = Conflict {
        who: account_name(s, current.meta.updated_by).await,
        when: warsaw(current.meta.updated_at),
        diff: diff::render_html(&diffs, &format!("Zapisana wersja {}", current.meta.version), "Twoje zmiany"),
    };
    let state = FormState {
        kind,
        translation: None,
        record: Some(current),
        value: sub.value,
        errors: Vec::new(),
        slug: sub.slug,
        publish_date: sub.publish_date,
        publish_time: sub.publish_time,
        conflict: Some(conflict),
        based_on: None,
        reason: sub.reason,
        record_inputs: sub.record_inputs,
    };
    form_page(s, editor, state, None).await
}

// ---------------------------------------------------------------- delete

#[derive(Template)]
#[template(path = "delete.html")]
struct DeletePage {
    layout: Layout,
    title: String,
    action: String,
    back: String,
    version: u64,
    published: bool,
}

fn may_delete(editor: &Editor, kind: &Kind, record: &Record) -> Result<(), AdminError> {
    if kind.is_singleton() || !may_edit(editor, record) {
        return Err(AdminError::Forbidden);
    }
    Ok(())
}

pub(crate) async fn delete_form(
    State(s): State<AdminState>,
    editor: Editor,
    Path((section, id)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (kind, record) = item_for(&s, &editor, &section, &id).await?;
    may_delete(&editor, &kind, &record)?;
    let title = title_of(&kind, &record);
    let href = item_href(&kind, record.meta.id);
    let layout = Layout::new(&s, &editor, &format!("Usunąć „{title}”?"), &section_href(&kind));
    html(
        StatusCode::OK,
        &DeletePage {
            layout,
            title,
            action: format!("{href}/usun"),
            back: href,
            version: record.meta.version,
            published: record.meta.status == Status::Published,
        },
    )
}

pub(crate) async fn delete(
    State(s): State<AdminState>,
    editor: Editor,
    Path((section, id)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    let (kind, record) = item_for(&s, &editor, &section, &id).await?;
    may_delete(&editor, &kind, &record)?;
    let based_on: Option<u64> = form.get("_wersja").and_then(|v| v.parse().ok());
    let cms = editor.cms(&s).because(form.get("_powod").unwrap_or(""))?;
    match cms.delete_record(record, based_on).await {
        Ok(()) => Ok(see_other(&format!("{}?komunikat=usunieto", section_href(&kind)))),
        // Changed since the confirmation was shown: show the item as it is now.
        Err(CmsError::Conflict { id, .. }) => Ok(see_other(&item_href(&kind, id))),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- revisions

#[derive(Template)]
#[template(path = "revisions.html")]
struct RevisionsPage {
    layout: Layout,
    title: String,
    back: String,
    compare: String,
    restore: String,
    revisions: Vec<Revision>,
    current: u64,
    may_restore: bool,
}

pub(crate) async fn revisions(
    State(s): State<AdminState>,
    editor: Editor,
    Path((section, id)): Path<(String, String)>,
) -> Result<Response, AdminError> {
    let (kind, record) = item_for(&s, &editor, &section, &id).await?;
    let metas = s.cms().revisions(record.meta.id).await?;
    let now = s.cms().now();
    let mut names = Names::default();
    let mut revisions = Vec::with_capacity(metas.len());
    for meta in metas.into_iter().rev() {
        let as_record = Record { meta, body: String::new() };
        revisions.push(Revision {
            version: as_record.meta.version,
            status: status_label(&as_record, now),
            when: warsaw(as_record.meta.updated_at),
            author: names.of(&s, as_record.meta.updated_by).await,
        });
    }
    let title = title_of(&kind, &record);
    let href = item_href(&kind, record.meta.id);
    let layout = Layout::new(&s, &editor, &format!("Wersje: {title}"), &section_href(&kind));
    html(
        StatusCode::OK,
        &RevisionsPage {
            layout,
            title,
            compare: format!("{href}/porownaj"),
            restore: format!("{href}/przywroc"),
            back: href,
            revisions,
            current: record.meta.version,
            may_restore: may_edit(&editor, &record),
        },
    )
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    layout: Layout,
    back: String,
    action: String,
    versions: Vec<u64>,
    from: u64,
    to: u64,
    table: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct CompareParams {
    od: Option<u64>,
    #[serde(rename = "do")]
    to: Option<u64>,
}

pub(crate) async fn compare(
    State(s): State<AdminState>,
    editor: Editor,
    Path((section, id)): Path<(String, String)>,
    params: Result<Query<CompareParams>, QueryRejection>,
) -> Result<Response, AdminError> {
    let (kind, record) = item_for(&s, &editor, &section, &id).await?;
    let Query(p) = params.unwrap_or_default();
    let current = record.meta.version;
    let to = p.to.unwrap_or(current).clamp(1, current);
    let from = p.od.unwrap_or(to.saturating_sub(1).max(1)).clamp(1, current);
    let store = s.cms().store();
    let before = store.revision(record.meta.id, from).await.map_err(CmsError::from)?.ok_or(AdminError::NotFound)?;
    let after = store.revision(record.meta.id, to).await.map_err(CmsError::from)?.ok_or(AdminError::NotFound)?;
    let schema = form::root_schema(&kind);
    let diffs = diff::diff_stored(&schema, &before.body, &after.body)
        .map_err(|e| AdminError::Internal(format!("a stored version is not JSON: {e}")))?;
    let table = diff::render_html(&diffs, &format!("Wersja {from}"), &format!("Wersja {to}"));
    let title = title_of(&kind, &record);
    let href = item_href(&kind, record.meta.id);
    let layout = Layout::new(&s, &editor, &format!("Porównanie wersji: {title}"), &section_href(&kind));
    html(
        StatusCode::OK,
        &ComparePage {
            layout,
            action: format!("{href}/porownaj"),
            back: format!("{href}/wersje"),
            versions: (1..=current).rev().collect(),
            from,
            to,
            table,
        },
    )
}

pub(crate) async fn restore(
    State(s): State<AdminState>,
    editor: Editor,
    Path((section, id)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    let (kind, record) = item_for(&s, &editor, &section, &id).await?;
    if !may_edit(&editor, &record) {
        return Err(AdminError::Forbidden);
    }
    let version: u64 = form.get("wersja").and_then(|v| v.parse().ok()).ok_or(AdminError::NotFound)?;
    let href = item_href(&kind, record.meta.id);
    match editor.cms(&s).apply_step(record, None, Step::Restore(version)).await {
        Ok(_) => Ok(see_other(&format!("{href}?komunikat=przywrocono"))),
        Err(CmsError::RevisionNotFound { .. }) => Err(AdminError::NotFound),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- preview

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage {
    layout: Layout,
    title: String,
    url: String,
    back: String,
}

/// Makes a link that shows the item to a colleague without an account for 7 days.
pub(crate) async fn share_preview(
    State(s): State<AdminState>,
    editor: Editor,
    headers: HeaderMap,
    Path((section, id)): Path<(String, String)>,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    let (kind, record) = item_for(&s, &editor, &section, &id).await?;
    let secret = witryna_accounts::previews::create(&editor.cms(&s), record.meta.id)
        .await
        .map_err(|e| AdminError::Internal(e.to_string()))?;
    let origin = s.expected_origin(&headers).unwrap_or_default();
    let title = title_of(&kind, &record);
    let layout = Layout::new(&s, &editor, "Link do podglądu", &section_href(&kind));
    let page = SharePage {
        layout,
        title,
        url: format!("{origin}/admin/podglad/{secret}"),
        back: item_href(&kind, record.meta.id),
    };
    html(StatusCode::OK, &page)
}

/// A preview through a shared link: no session, the item as it is now.
pub(crate) async fn shared_preview(
    State(s): State<AdminState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Result<Response, AdminError> {
    let id = witryna_accounts::previews::find(s.cms(), &secret).await?.ok_or(AdminError::NotFound)?;
    let record = s.cms().store().get(id).await.map_err(CmsError::from)?.ok_or(AdminError::NotFound)?;
    // Archiving takes an item off the site; it takes it off shared previews too.
    if record.meta.status == Status::Archived {
        return Err(AdminError::NotFound);
    }
    let note = format!("Link do podglądu, wersja {}.", record.meta.version);
    let mut res = witryna_site::preview(&s.0.site, &headers, record, &note).await;
    super::harden(res.headers_mut());
    Ok(res)
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct PreviewParams {
    wersja: Option<u64>,
}

/// The item (or one of its versions) through the site's own templates, marked as a
/// preview, for logged-in editors only.
pub(crate) async fn preview(
    State(s): State<AdminState>,
    editor: Editor,
    headers: HeaderMap,
    Path((section, id)): Path<(String, String)>,
    params: Result<Query<PreviewParams>, QueryRejection>,
) -> Result<Response, AdminError> {
    let (_, current) = item_for(&s, &editor, &section, &id).await?;
    let version = params.ok().and_then(|Query(p)| p.wersja).unwrap_or(current.meta.version);
    let record = if version == current.meta.version {
        current
    } else {
        s.cms().store().revision(current.meta.id, version).await.map_err(CmsError::from)?.ok_or(AdminError::NotFound)?
    };
    let note = format!("Wersja {version}, {}.", status_label(&record, s.cms().now()).to_lowercase());
    let mut res = witryna_site::preview(&s.0.site, &headers, record, &note).await;
    super::harden(res.headers_mut());
    Ok(res)
}

/// The Markdown preview the edit form's script asks for (the same renderer as the site).
pub(crate) async fn markdown_preview(
    State(s): State<AdminState>,
    editor: Editor,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    let text = form.get("text").unwrap_or("").to_owned();
    let rendered = witryna_site::render_markdown_with_media(s.cms(), text).await;
    let mut res = ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], rendered).into_response();
    super::harden(res.headers_mut());
    Ok(res)
}
