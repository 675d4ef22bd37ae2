//! The one place where errors become HTTP responses: RFC 9457 problem details.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use witryna_core::{CmsError, FieldError, StoreError};
use witryna_media::{IngestError, ReceiveError, RefusalClass};

/// Everything a request can fail with. Client mistakes map to 4xx; only faults of the
/// server or its store are 500, and their details go to the log, not to the client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// From the Cms (validation, not found, conflicts, workflow).
    #[error(transparent)]
    Cms(#[from] CmsError),
    /// The body is not JSON.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// The body is JSON of the wrong shape (unknown field, wrong type, missing field) or
    /// holds a value out of range.
    #[error("the request body does not match the expected shape")]
    InvalidBody(Vec<FieldError>),
    /// The body is larger than the configured limit.
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body did not arrive whole (the client stopped or was too slow).
    #[error("the request body did not arrive: {0}")]
    BodyIncomplete(String),
    /// A body of another type than the operation takes.
    #[error("the request body must be {expected}")]
    UnsupportedMediaType {
        /// The type it takes.
        expected: &'static str,
    },
    /// An upload that is not a `multipart/form-data` form, or a file that is refused.
    #[error(transparent)]
    Upload(#[from] witryna_media::ReceiveError),
    /// A received file that is not kept.
    #[error(transparent)]
    Ingest(#[from] witryna_media::IngestError),
    /// Query parameters that cannot be used.
    #[error("invalid query parameters")]
    InvalidQuery(Vec<FieldError>),
    /// A write that needs `If-Match` came without it.
    #[error("this request needs an If-Match header with the item's ETag")]
    PreconditionRequired,
    /// `If-Match` names no current ETag of the item (weak, unknown or stale tags, a list
    /// that does not parse, or no item at all).
    #[error("If-Match names no current ETag of this item: reload it and retry")]
    PreconditionFailed {
        /// The item's current version; `None` when there is no item.
        current_version: Option<u64>,
    },
    /// No or unknown bearer token.
    #[error("a valid bearer token is required")]
    Unauthenticated,
    /// Too many failed authentications from this address.
    #[error("too many failed authentications from this address; retry in {retry_after} s")]
    TooManyFailures {
        /// Seconds until the address may try again.
        retry_after: u64,
    },
    /// The token's role may not do this.
    #[error("the {role} role may not do this; it needs {needed}")]
    Forbidden {
        /// The caller's role.
        role: &'static str,
        /// The role needed.
        needed: &'static str,
    },
    /// No such route or resource key.
    #[error("{0}")]
    NotFound(String),
    /// A path segment that cannot be read (e.g. invalid UTF-8).
    #[error("invalid path: {0}")]
    BadPath(String),
    /// A fault of the server (logged, never detailed to the client).
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// A 400 naming one query parameter.
    pub(crate) fn query(param: &str, message: impl Into<String>) -> Self {
        ApiError::InvalidQuery(vec![FieldError { path: param.to_owned(), code: "invalid", message: message.into() }])
    }

    /// A 422 naming one field of the body.
    pub(crate) fn body_field(path: &str, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::InvalidBody(vec![FieldError { path: path.to_owned(), code, message: message.into() }])
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
    #[serde(skip_serializing_if = "Option::is_none")]
    current_version: Option<u64>,
}

fn field(path: &str, code: &'static str, message: String) -> Vec<FieldError> {
    vec![FieldError { path: path.to_owned(), code, message }]
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use StatusCode as S;
        let detail = self.to_string();
        let retry_after = match &self {
            ApiError::TooManyFailures { retry_after } => Some(*retry_after),
            _ => None,
        };
        let mut errors: Vec<FieldError> = Vec::new();
        let mut current_version = None;
        let (status, kind, title) = match self {
            ApiError::Cms(e) => match e {
                CmsError::Invalid(v) => {
                    errors = v.0;
                    (S::UNPROCESSABLE_ENTITY, "urn:witryna:problem:validation", "Invalid content")
                }
                CmsError::NotFound { .. }
                | CmsError::SlugNotFound { .. }
                | CmsError::RevisionNotFound { .. }
                | CmsError::UnknownKind(_) => (S::NOT_FOUND, "urn:witryna:problem:not-found", "Not found"),
                CmsError::Conflict { actual, .. } => {
                    current_version = Some(actual);
                    (S::PRECONDITION_FAILED, "urn:witryna:problem:version-conflict", "Version conflict")
                }
                CmsError::SlugTaken { ref slug, .. } => {
                    errors = field("slug", "taken", format!("{slug:?} is used by another item"));
                    (S::CONFLICT, "urn:witryna:problem:slug-taken", "Slug taken")
                }
                CmsError::TranslationTaken { ref locale, owner, .. } => {
                    errors = field("locale", "taken", format!("the item has a {locale} translation already: {owner}"));
                    (S::CONFLICT, "urn:witryna:problem:translation-exists", "Translation exists")
                }
                CmsError::InvalidTransition { .. } => {
                    (S::CONFLICT, "urn:witryna:problem:invalid-transition", "Not allowed in this status")
                }
                CmsError::SearchUnavailable => {
                    (S::SERVICE_UNAVAILABLE, "urn:witryna:problem:search-unavailable", "Search unavailable")
                }
                CmsError::InvalidCursor(_) => {
                    errors = field("cursor", "invalid", "not a cursor this API handed out".into());
                    (S::BAD_REQUEST, "urn:witryna:problem:invalid-query", "Invalid query parameters")
                }
                CmsError::MediaInUse { used_by, .. } => {
                    errors = field("id", "in_use", format!("shown by item {used_by}"));
                    (S::CONFLICT, "urn:witryna:problem:media-in-use", "File in use")
                }
                other => return internal(&other.to_string()),
            },
            ApiError::Upload(ReceiveError::Refused(r)) | ApiError::Ingest(IngestError::Refused(r)) => {
                let status = r.class().http_status();
                if r.class() == RefusalClass::Internal {
                    return internal(&r.to_string());
                }
                let status = S::from_u16(status).unwrap_or(S::UNPROCESSABLE_ENTITY);
                errors = field("file", r.code(), r.to_string());
                (status, "urn:witryna:problem:file-refused", "File refused")
            }
            ApiError::Upload(ReceiveError::Malformed(_)) => {
                (S::BAD_REQUEST, "urn:witryna:problem:malformed-form", "Malformed multipart form")
            }
            ApiError::Upload(ReceiveError::Field { field: name, message }) => {
                errors = field(&name, "invalid", message);
                (S::UNPROCESSABLE_ENTITY, "urn:witryna:problem:invalid-body", "Invalid request body")
            }
            ApiError::Ingest(IngestError::Cms(e)) => return ApiError::Cms(e).into_response(),
            ApiError::MalformedJson(_) => (S::BAD_REQUEST, "urn:witryna:problem:malformed-json", "Malformed JSON"),
            ApiError::InvalidBody(e) => {
                errors = e;
                (S::UNPROCESSABLE_ENTITY, "urn:witryna:problem:invalid-body", "Invalid request body")
            }
            ApiError::BodyTooLarge { .. } => {
                (S::PAYLOAD_TOO_LARGE, "urn:witryna:problem:body-too-large", "Body too large")
            }
            ApiError::BodyIncomplete(_) => {
                (S::REQUEST_TIMEOUT, "urn:witryna:problem:body-incomplete", "Request body incomplete")
            }
            ApiError::UnsupportedMediaType { .. } => {
                (S::UNSUPPORTED_MEDIA_TYPE, "urn:witryna:problem:unsupported-media-type", "Unsupported media type")
            }
            ApiError::InvalidQuery(e) => {
                errors = e;
                (S::BAD_REQUEST, "urn:witryna:problem:invalid-query", "Invalid query parameters")
            }
            ApiError::PreconditionRequired => {
                (S::PRECONDITION_REQUIRED, "urn:witryna:problem:if-match-required", "If-Match required")
            }
            ApiError::PreconditionFailed { current_version: current } => {
                current_version = current;
                (S::PRECONDITION_FAILED, "urn:witryna:problem:version-conflict", "Version conflict")
            }
            ApiError::Unauthenticated => (S::UNAUTHORIZED, "urn:witryna:problem:unauthenticated", "Unauthenticated"),
            ApiError::Forbidden { .. } => (S::FORBIDDEN, "urn:witryna:problem:forbidden", "Forbidden"),
            ApiError::TooManyFailures { .. } => {
                (S::TOO_MANY_REQUESTS, "urn:witryna:problem:too-many-failures", "Too many failed authentications")
            }
            ApiError::NotFound(_) => (S::NOT_FOUND, "urn:witryna:problem:not-found", "Not found"),
            ApiError::BadPath(_) => (S::BAD_REQUEST, "urn:witryna:problem:invalid-path", "Invalid path"),
            ApiError::Internal(msg) => return internal(&msg),
        };
        let mut res = problem(status, kind, title, detail, &errors, current_version);
        if let Some(secs) = retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

fn internal(message: &str) -> Response {
    tracing::error!(error = %message, "internal error");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "urn:witryna:problem:internal",
        "Internal error",
        "the server failed; the error is logged".into(),
        &[],
        None,
    )
}

/// A problem+json response.
pub(crate) fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: String,
    errors: &[FieldError],
    current_version: Option<u64>,
) -> Response {
    let body = Problem { kind, title, status: status.as_u16(), detail, errors, current_version };
    let bytes = serde_json::to_vec(&body).expect("problem serializes");
    let mut res = (status, bytes).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    res
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Cms(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_kind_is_not_found() {
        let res = ApiError::Cms(CmsError::UnknownKind("recipe".into())).into_response();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}
