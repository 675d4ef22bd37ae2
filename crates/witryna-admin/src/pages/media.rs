//! The media library's upload form: a plain `<input type=file>` in a multipart form, which
//! works without JavaScript; the file goes through the same checks as an API upload.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use witryna_media::{IngestError, ReceiveError, Refusal};

use super::{html, see_other, Layout};
use crate::error::AdminError;
use crate::form::SummaryEntry;
use crate::session::{check_origin, Editor};
use crate::{messages, AdminState};

/// What the file input accepts: the types the library keeps (the server checks the bytes).
const ACCEPT: &str = ".jpg,.jpeg,.png,.webp,.gif,.pdf,.docx,.odt,.xlsx,.ods,.txt,.mp4,.m4v,.webm";

#[derive(Default)]
struct UploadErrors {
    file: String,
    title: String,
    alt: String,
}

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    layout: Layout,
    errors: UploadErrors,
    title: String,
    alt: String,
    accept: &'static str,
    max_mb: u64,
}

fn page(s: &AdminState, editor: &Editor) -> UploadPage {
    UploadPage {
        layout: Layout::new(s, editor, "Dodaj plik", "/admin/media"),
        errors: UploadErrors::default(),
        title: String::new(),
        alt: String::new(),
        accept: ACCEPT,
        max_mb: s.0.config.media_limits.max_bytes >> 20,
    }
}

pub(crate) async fn upload_form(State(s): State<AdminState>, editor: Editor) -> Result<Response, AdminError> {
    html(StatusCode::OK, &page(&s, &editor))
}

/// The status of a refused file: as the API answers it.
fn refusal_status(r: &Refusal) -> StatusCode {
    StatusCode::from_u16(r.class().http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

pub(crate) async fn upload(
    State(s): State<AdminState>,
    editor: Editor,
    request: Request,
) -> Result<Response, AdminError> {
    check_origin(&s, request.headers())?;
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let boundary = witryna_media::receive::boundary(content_type).ok_or(AdminError::BadRequest)?;
    let limits = s.0.config.media_limits;
    let body = request.into_body().into_data_stream();
    let fields = ["_csrf", "tytul", "opis"];
    let mut again = page(&s, &editor);
    let (status, errors) = match witryna_media::receive(body, boundary, &limits, &fields).await {
        Ok(received) => {
            editor.check_token(received.fields.get("_csrf").map(String::as_str))?;
            again.title = received.field("tytul").to_owned();
            again.alt = received.field("opis").to_owned();
            let upload = witryna_media::Upload {
                path: &received.file,
                file_name: &received.file_name,
                title: received.field("tytul"),
                alt: received.field("opis"),
            };
            match witryna_media::ingest(&editor.cms(&s), upload, &limits).await {
                Ok(kept) => {
                    let flash = if kept.created { "dodano-plik" } else { "plik-byl" };
                    return Ok(see_other(&format!("/admin/media/{}?komunikat={flash}", kept.record.meta.id)));
                }
                Err(IngestError::Refused(r)) => (refusal_status(&r), refused(&r)),
                Err(IngestError::Cms(e)) => match messages::field_errors(&e) {
                    Some(fields) => (StatusCode::UNPROCESSABLE_ENTITY, fields_to_errors(fields)),
                    None => return Err(e.into()),
                },
            }
        }
        Err(ReceiveError::Refused(r)) => (refusal_status(&r), refused(&r)),
        Err(ReceiveError::Field { field, .. }) if field == witryna_media::receive::FILE_FIELD => {
            let file = "Wybierz plik do dodania.".to_owned();
            (StatusCode::UNPROCESSABLE_ENTITY, UploadErrors { file, ..UploadErrors::default() })
        }
        Err(ReceiveError::Field { .. } | ReceiveError::Malformed(_)) => return Err(AdminError::BadRequest),
    };
    again.layout.errors = summary(&errors);
    again.errors = errors;
    html(status, &again)
}

fn refused(r: &Refusal) -> UploadErrors {
    UploadErrors { file: messages::refusal(r), ..UploadErrors::default() }
}

fn fields_to_errors(fields: Vec<(String, String)>) -> UploadErrors {
    let mut errors = UploadErrors::default();
    for (path, message) in fields {
        match path.as_str() {
            "title" => errors.title = message,
            "alt" => errors.alt = message,
            _ => errors.file = message,
        }
    }
    errors
}

fn summary(errors: &UploadErrors) -> Vec<SummaryEntry> {
    super::summary(&[
        ("plik", "Plik", &errors.file),
        ("tytul", "Tytuł", &errors.title),
        ("opis", "Opis obrazka", &errors.alt),
    ])
}

/// `/admin/media/{id}/plik`: the file of a media item in any status, for editors (the public
/// address answers only once content showing it is published).
pub(crate) async fn file(
    State(s): State<AdminState>,
    _editor: Editor,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AdminError> {
    let id = id.parse().map_err(|_| AdminError::NotFound)?;
    let (_, media) = s.cms().media(id).await?.ok_or(AdminError::NotFound)?;
    Ok(witryna_site::private_file(&s.0.site, &method, &headers, &media.file).await)
}
