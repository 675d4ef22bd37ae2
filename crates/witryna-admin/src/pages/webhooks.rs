//! Webhook endpoints (administrators only): register one (name, URL, events; its secret is
//! made and shown here for the receiver), remove one, and read an endpoint's delivery log.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use witryna_accounts::Role;
use witryna_core::audit::DeliveryState;
use witryna_core::{CmsError, Id};
use witryna_webhooks::{NewWebhook, WebhookError, EVENTS};

use super::account::Flash;
use super::{html, see_other, summary, warsaw, Layout};
use crate::error::AdminError;
use crate::session::{Editor, Posted};
use crate::AdminState;

/// What each event means, in Polish.
fn event_label(event: &str) -> &'static str {
    match event {
        "item.created" => "utworzenie treści",
        "item.updated" => "zmiana treści",
        "item.published" => "publikacja",
        "item.unpublished" => "wycofanie z publikacji",
        "item.archived" => "archiwizacja",
        "item.deleted" => "usunięcie",
        "item.restored" => "przywrócenie wersji",
        "item.slug_changed" => "zmiana adresu",
        "item.record_changed" => "zmiana metryczki",
        "settings.changed" => "zmiana ustawień strony",
        _ => "inne",
    }
}

struct EndpointRow {
    id: Id,
    name: String,
    url: String,
    events: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    layout: Layout,
    endpoints: Vec<EndpointRow>,
    events: Vec<(&'static str, &'static str, bool)>,
    name: String,
    url: String,
    /// Errors of the name, the URL and the events.
    errors: [String; 3],
}

#[derive(Default)]
struct Typed {
    name: String,
    url: String,
    events: Vec<String>,
    errors: [String; 3],
}

async fn page(s: &AdminState, editor: &Editor, typed: Typed, flash: Option<&str>) -> Result<Response, AdminError> {
    let endpoints = witryna_webhooks::list(s.cms())
        .await?
        .into_iter()
        .map(|item| {
            let h = item.content;
            let events = if h.events.is_empty() {
                "wszystkie".to_owned()
            } else {
                h.events.iter().map(|e| event_label(e)).collect::<Vec<_>>().join(", ")
            };
            EndpointRow { id: item.meta.id, name: h.name, url: h.url, events, secret: h.secret }
        })
        .collect();
    let mut layout = Layout::new(s, editor, "Webhooki", "/admin/webhooki").with_flash(flash);
    layout.errors = summary(&[
        ("nazwa", "Nazwa", &typed.errors[0]),
        ("adres", "Adres", &typed.errors[1]),
        ("zdarzenia", "Zdarzenia", &typed.errors[2]),
    ]);
    let failed = typed.errors.iter().any(|e| !e.is_empty());
    let events = EVENTS.iter().map(|e| (*e, event_label(e), typed.events.iter().any(|t| t == e))).collect();
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html(status, &WebhooksPage { layout, endpoints, events, name: typed.name, url: typed.url, errors: typed.errors })
}

pub(crate) async fn list(
    State(s): State<AdminState>,
    editor: Editor,
    flash: Result<Query<Flash>, QueryRejection>,
) -> Result<Response, AdminError> {
    editor.require(Role::Administrator)?;
    let flash = flash.ok().and_then(|Query(f)| f.komunikat);
    page(&s, &editor, Typed::default(), flash.as_deref()).await
}

pub(crate) async fn create(State(s): State<AdminState>, editor: Editor, form: Posted) -> Result<Response, AdminError> {
    editor.check(&form)?;
    editor.require(Role::Administrator)?;
    let mut typed = Typed {
        name: form.get("nazwa").unwrap_or("").trim().to_owned(),
        url: form.get("adres").unwrap_or("").trim().to_owned(),
        events: form
            .pairs
            .iter()
            .filter(|(k, _)| k == "zdarzenia")
            .map(|(_, v)| v.clone())
            .take(EVENTS.len())
            .collect(),
        errors: Default::default(),
    };
    let new =
        NewWebhook { name: typed.name.clone(), url: typed.url.clone(), events: typed.events.clone(), secret: None };
    match witryna_webhooks::create(&editor.cms(&s), new, s.0.config.webhooks_allow_private).await {
        Ok(_) => Ok(see_other("/admin/webhooki?komunikat=utworzono")),
        Err(WebhookError::Refused(reason)) => {
            typed.errors[1] = format!("Na ten adres nie wysyłamy: {reason}. Podaj publiczny adres odbiorcy.");
            page(&s, &editor, typed, None).await
        }
        Err(WebhookError::Cms(CmsError::Invalid(e))) => {
            for f in &e.0 {
                let (i, text) = match f.path.as_str() {
                    "name" => (0, "Wpisz nazwę (do czego jest), najwyżej 100 znaków."),
                    "url" => (1, "Wpisz adres zaczynający się od https://, np. https://portal.example.pl/witryna."),
                    _ => (2, "Wybierz zdarzenia z listy."),
                };
                typed.errors[i] = text.to_owned();
            }
            page(&s, &editor, typed, None).await
        }
        Err(e) => Err(AdminError::Internal(e.to_string())),
    }
}

pub(crate) async fn remove(
    State(s): State<AdminState>,
    editor: Editor,
    Path(id): Path<String>,
    form: Posted,
) -> Result<Response, AdminError> {
    editor.check(&form)?;
    editor.require(Role::Administrator)?;
    let id: Id = id.parse().map_err(|_| AdminError::NotFound)?;
    witryna_webhooks::remove(&editor.cms(&s), id).await?;
    Ok(see_other("/admin/webhooki?komunikat=usunieto"))
}

struct DeliveryRow {
    created: String,
    event: &'static str,
    state: &'static str,
    attempts: u32,
    last: String,
    next: String,
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesPage {
    layout: Layout,
    name: String,
    url: String,
    rows: Vec<DeliveryRow>,
}

/// An endpoint's delivery log: the newest 100 deliveries.
pub(crate) async fn deliveries(
    State(s): State<AdminState>,
    editor: Editor,
    Path(id): Path<String>,
) -> Result<Response, AdminError> {
    editor.require(Role::Administrator)?;
    let id: Id = id.parse().map_err(|_| AdminError::NotFound)?;
    let hook = s.cms().get::<witryna_webhooks::Webhook>(id).await?;
    let rows = witryna_webhooks::deliveries(s.cms(), id, None, 100)
        .await?
        .into_iter()
        .map(|d| DeliveryRow {
            created: warsaw(d.created_at),
            event: event_label(&d.event),
            state: match d.state {
                DeliveryState::Pending => "oczekuje",
                DeliveryState::Delivered => "dostarczono",
                DeliveryState::Failed => "nie dostarczono (koniec prób)",
            },
            attempts: d.attempts,
            last: match (d.last_status, d.last_error) {
                (_, Some(error)) => error,
                (Some(status), None) => format!("HTTP {status}"),
                (None, None) => String::new(),
            },
            next: d.next_at.map(warsaw).unwrap_or_default(),
        })
        .collect();
    let title = format!("Dostarczenia: {}", hook.content.name);
    let layout = Layout::new(&s, &editor, &title, "/admin/webhooki");
    html(StatusCode::OK, &DeliveriesPage { layout, name: hook.content.name, url: hook.content.url, rows })
}
