//! The pages of the editor interface and what they share: the layout, headers, messages.

pub(crate) mod account;
pub(crate) mod audit;
pub(crate) mod dashboard;
pub(crate) mod items;
pub(crate) mod login;
pub(crate) mod media;
pub(crate) mod tokens;
pub(crate) mod translations;
pub(crate) mod users;
pub(crate) mod webhooks;

use askama::Template;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use witryna_accounts::Role;

use crate::error::AdminError;
use crate::form::SummaryEntry;
use crate::session::Editor;
use crate::AdminState;

/// Scripts only from this site (the Markdown preview), no inline code, no framing.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Headers of every admin response: never cached (pages carry drafts and tokens), never
/// indexed, never framed.
pub(crate) fn harden(h: &mut HeaderMap) {
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
}

/// A rendered page with its status.
pub(crate) fn html(status: StatusCode, page: &impl Template) -> Result<Response, AdminError> {
    let body = page.render()?;
    let mut res = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    harden(res.headers_mut());
    Ok(res)
}

/// A redirect after a successful post (303: the browser follows with a GET).
pub(crate) fn see_other(location: &str) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, location.to_owned())]).into_response();
    harden(res.headers_mut());
    res
}

/// One entry of the main navigation.
pub(crate) struct NavItem {
    pub(crate) label: String,
    pub(crate) href: String,
    pub(crate) current: bool,
}

/// What every page shows around its content.
pub(crate) struct Layout {
    pub(crate) title: String,
    /// The logged-in editor's name and role, when there is one.
    pub(crate) user: Option<(String, &'static str)>,
    pub(crate) nav: Vec<NavItem>,
    pub(crate) csrf: String,
    /// A confirmation to show at the top (from the `komunikat` of a redirect).
    pub(crate) flash: Option<&'static str>,
    /// Errors for the GOV.UK error summary, each linked to its field.
    pub(crate) errors: Vec<SummaryEntry>,
}

impl Layout {
    /// A page without a logged-in editor (login, setup, errors).
    pub(crate) fn anonymous(title: &str) -> Self {
        Layout {
            title: title.to_owned(),
            user: None,
            nav: Vec::new(),
            csrf: String::new(),
            flash: None,
            errors: Vec::new(),
        }
    }

    /// A page of the interface: the navigation marks `current` (an `/admin…` path prefix).
    pub(crate) fn new(s: &AdminState, editor: &Editor, title: &str, current: &str) -> Self {
        let role = editor.role();
        let mut nav = vec![("Pulpit".to_owned(), "/admin".to_owned())];
        for kind in s.cms().kinds().iter() {
            let Some(spec) = kind.spec() else { continue };
            if kind.is_collection() || role.may_administer() {
                nav.push((spec.labels.plural.to_owned(), format!("/admin{}", spec.site_section)));
            }
        }
        if role.may_administer() {
            nav.push(("Użytkownicy".into(), "/admin/uzytkownicy".into()));
            nav.push(("Tokeny API".into(), "/admin/tokeny".into()));
            nav.push(("Webhooki".into(), "/admin/webhooki".into()));
            nav.push(("Dziennik zdarzeń".into(), "/admin/dziennik".into()));
        }
        nav.push(("Moje hasło".into(), "/admin/haslo".into()));
        let nav = nav
            .into_iter()
            .map(|(label, href)| {
                let current = if href == "/admin" { current == "/admin" } else { current.starts_with(&href) };
                NavItem { label, href, current }
            })
            .collect();
        let user = &editor.session.user.content;
        Layout {
            title: title.to_owned(),
            user: Some((user.display_name.clone(), role.label())),
            nav,
            csrf: editor.session.csrf.clone(),
            flash: None,
            errors: Vec::new(),
        }
    }

    pub(crate) fn with_flash(mut self, flash: Option<&str>) -> Self {
        self.flash = flash.and_then(flash_text);
        self
    }
}

/// Error-summary entries of a fixed form: (field id, label, message), empty messages skipped.
pub(crate) fn summary(fields: &[(&str, &str, &String)]) -> Vec<SummaryEntry> {
    fields
        .iter()
        .filter(|(_, _, message)| !message.is_empty())
        .map(|(id, label, message)| SummaryEntry {
            id: (*id).to_owned(),
            label: (*label).to_owned(),
            message: (*message).clone(),
        })
        .collect()
}

/// The confirmations a redirect may ask for (`?komunikat=`): a fixed set, so no request
/// text reaches the page.
fn flash_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "zapisano" => "Zapisano zmiany.",
        "utworzono" => "Utworzono szkic.",
        "dodano-plik" => "Dodano plik do biblioteki. Będzie publiczny, gdy opublikujesz treść, która go pokazuje.",
        "plik-byl" => "Ten plik już jest w bibliotece; oto on.",
        "opublikowano" => "Opublikowano.",
        "zaplanowano" => "Zaplanowano publikację.",
        "wycofano" => "Wycofano z publikacji; to znów szkic.",
        "zarchiwizowano" => "Przeniesiono do archiwum.",
        "niemozliwe" => "Zapisano treść, ale tej zmiany stanu nie można wykonać przy obecnym stanie.",
        "usunieto" => "Usunięto.",
        "przywrocono" => "Przywrócono wersję jako nową wersję.",
        "haslo" => "Zmieniono hasło. Inne sesje tego konta zakończono.",
        "uzytkownik" => "Zapisano konto.",
        "wylogowano" => "Wylogowano.",
        "konto" => "Utworzono konto administratora. Zaloguj się.",
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    layout: Layout,
    text: &'a str,
}

/// A page with a heading and a sentence (errors).
pub(crate) fn message_page(title: &str, text: &str) -> String {
    MessagePage { layout: Layout::anonymous(title), text }.render().unwrap_or_else(|_| title.to_owned())
}

/// 404 for unknown `/admin/…` addresses.
pub async fn not_found() -> Response {
    AdminError::NotFound.into_response()
}

/// `value` when it is an admin path to send a browser back to after logging in.
pub(crate) fn safe_return(value: &str) -> Option<String> {
    let ok = value.starts_with("/admin")
        && value.len() <= 1024
        && !value.contains("//")
        && !value.contains('\\')
        && value.chars().all(|c| c.is_ascii_graphic());
    ok.then(|| value.to_owned())
}

/// Percent-encodes a query value.
pub(crate) fn encode_query(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

pub(crate) async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", include_str!("../../static/admin.css"))
}

pub(crate) async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("../../static/admin.js"))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut res = (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response();
    res.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res
}

/// A time as editors read it: Europe/Warsaw, „25.11.2026, 14:05”.
pub(crate) fn warsaw(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Warsaw).format("%d.%m.%Y, %H:%M").to_string()
}

/// The name of the account that wrote something: a user's display name, an API token's
/// name, or „nieznany” (before accounts existed, or deleted since).
pub(crate) async fn account_name(s: &AdminState, id: Option<witryna_core::Id>) -> String {
    let Some(id) = id else { return "nieznany".into() };
    match s.cms().store().get(id).await {
        Ok(Some(record)) => match record.meta.kind.as_str() {
            "user" => serde_json::from_str::<witryna_accounts::User>(&record.body)
                .map_or_else(|_| "nieznany".into(), |u| u.display_name),
            "api-token" => serde_json::from_str::<witryna_accounts::ApiToken>(&record.body)
                .map_or_else(|_| "nieznany".into(), |t| witryna_accounts::tokens::acting_name(&t.name)),
            _ => "nieznany".into(),
        },
        _ => "nieznany".into(),
    }
}

/// Whether a role may see the settings of singleton kinds (site-wide settings).
pub(crate) fn may_edit_kind(role: Role, kind: &witryna_core::Kind) -> bool {
    kind.is_collection() || role.may_administer()
}
