//! Every failure of an admin request, and the one place it becomes a response.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use witryna_core::CmsError;

/// What can go wrong in the editor interface.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No live session: log in first (then come back to `return_to`).
    #[error("login required")]
    LoginRequired {
        /// The path to return to after logging in.
        return_to: String,
    },
    /// The editor's role does not allow this.
    #[error("not allowed for this role")]
    Forbidden,
    /// A form without the session's CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// A form posted from another site.
    #[error("cross-origin form")]
    CrossOrigin,
    /// A form body over the limit.
    #[error("form too large")]
    TooLarge,
    /// A form that is not what the page sends (not multipart, cut short).
    #[error("malformed form")]
    BadRequest,
    /// No such page, kind or item.
    #[error("not found")]
    NotFound,
    /// The Cms or the store failed.
    #[error(transparent)]
    Cms(#[from] CmsError),
    /// A page could not be rendered.
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    /// Anything else that is the server's fault.
    #[error("{0}")]
    Internal(String),
}

impl AdminError {
    fn status_and_text(&self) -> (StatusCode, &'static str, String) {
        match self {
            AdminError::LoginRequired { .. } => (StatusCode::UNAUTHORIZED, "Zaloguj się", String::new()),
            AdminError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Brak uprawnień",
                "Twoja rola nie pozwala na tę czynność. Poproś o nią redaktora lub administratora.".into(),
            ),
            AdminError::Csrf => (
                StatusCode::FORBIDDEN,
                "Formularz wygasł",
                "Formularz nie pochodzi z tej sesji (mogła się skończyć). Wróć, odśwież stronę i spróbuj ponownie."
                    .into(),
            ),
            AdminError::CrossOrigin => (
                StatusCode::FORBIDDEN,
                "Formularz z innej witryny",
                "Ten formularz wysłano z innej witryny, więc go odrzucono.".into(),
            ),
            AdminError::BadRequest => (
                StatusCode::BAD_REQUEST,
                "Niepełny formularz",
                "Formularz dotarł niepełny lub w złej postaci. Wróć i wyślij go jeszcze raz.".into(),
            ),
            AdminError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Za dużo danych",
                format!("Formularz może mieć najwyżej {} MB.", crate::session::MAX_FORM_BYTES / (1024 * 1024)),
            ),
            AdminError::NotFound | AdminError::Cms(CmsError::NotFound { .. } | CmsError::SlugNotFound { .. }) => {
                (StatusCode::NOT_FOUND, "Nie ma takiej strony", "Sprawdź adres albo wróć do pulpitu.".into())
            }
            AdminError::Cms(CmsError::MediaInUse { title, .. }) => (
                StatusCode::CONFLICT,
                "Plik jest używany",
                format!("Tego pliku używa „{title}”. Usuń go najpierw z tej treści, potem usuń plik."),
            ),
            AdminError::Cms(_) | AdminError::Template(_) | AdminError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Błąd serwera",
                "Coś poszło nie tak po naszej stronie. Zmiany mogły nie zostać zapisane; spróbuj ponownie za chwilę."
                    .into(),
            ),
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        if let AdminError::LoginRequired { return_to } = &self {
            let target = match crate::pages::safe_return(return_to) {
                Some(path) if path != "/admin" => {
                    format!("/admin/logowanie?powrot={}", crate::pages::encode_query(&path))
                }
                _ => "/admin/logowanie".to_owned(),
            };
            return Redirect::to(&target).into_response();
        }
        let (status, title, text) = self.status_and_text();
        if status.is_server_error() {
            tracing::error!(error = %self, "admin request failed");
        }
        let html = crate::pages::message_page(title, &text);
        let mut res = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
        crate::pages::harden(res.headers_mut());
        res
    }
}
