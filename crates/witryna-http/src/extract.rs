//! Reading requests: JSON bodies with field paths in errors, `If-Match`, query parameters.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Warsaw;
use serde::de::DeserializeOwned;
use witryna_core::FieldError;

use crate::error::ApiError;
use crate::ApiState;

/// A JSON body parsed with the path of the failing field in errors: malformed JSON is a
/// 400, a wrong shape (unknown field, wrong type, missing field) a 422 naming the field,
/// a body over the limit a 413.
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<ApiState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &ApiState) -> Result<Self, ApiError> {
        let limit = state.config.body_limit;
        let is_json =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(ApiError::BodyTooLarge { limit });
        }
        let bytes = axum::body::to_bytes(req.into_body(), limit).await.map_err(|e| {
            let e = e.into_inner();
            if e.is::<http_body_util::LengthLimitError>() {
                ApiError::BodyTooLarge { limit }
            } else {
                // The client stopped sending (or took too long): not the server's fault.
                ApiError::BodyIncomplete(e.to_string())
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses JSON bytes with the error classification of [`JsonBody`].
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    if value.is_ok() {
        // Trailing characters after the value are malformed JSON too.
        de.end().map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    }
    value.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
                let code = if message.starts_with("unknown field") {
                    "unknown_field"
                } else if message.starts_with("missing field") {
                    "missing_field"
                } else {
                    "invalid_value"
                };
                let path = if path == "." { String::new() } else { path };
                // serde names a missing field in the message, not the path: add it.
                let path = match (code, message.split('`').nth(1)) {
                    ("missing_field", Some(name)) if path.is_empty() => name.to_owned(),
                    ("missing_field", Some(name)) => format!("{path}.{name}"),
                    _ => path,
                };
                ApiError::InvalidBody(vec![FieldError { path, code, message: strip_position(&message) }])
            }
            _ => ApiError::MalformedJson(inner.to_string()),
        }
    })
}

/// serde_json appends " at line 1 column 7" to data errors; the path says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The version named by `If-Match` (`"3"` or `W/"3"`); `None` without the header or with `*`.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let value = value.to_str().map_err(|_| ApiError::BadIfMatch)?.trim();
    if value == "*" {
        return Ok(None);
    }
    let tag = value.strip_prefix("W/").unwrap_or(value);
    tag.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse::<u64>().ok())
        .map(Some)
        .ok_or(ApiError::BadIfMatch)
}

/// Whether `If-None-Match` lists this ETag (or `*`).
pub(crate) fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let t = t.trim();
        t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag.strip_prefix("W/").unwrap_or(etag)
    })
}

/// Query parameters as pairs, looked up by name; unknown names are ignored.
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A boolean flag: `true`/`1` or `false`/`0`.
    pub(crate) fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") | Some("") => Ok(true),
            Some(other) => Err(ApiError::query(name, format!("expected true or false, got {other:?}"))),
        }
    }

    /// An instant: RFC 3339, or a date (`2017-02-03`) meaning the start (`end_of_day`
    /// false) or the end of that day in Europe/Warsaw.
    pub(crate) fn instant(&self, name: &str, end_of_day: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
        let Some(v) = self.get(name) else { return Ok(None) };
        if let Ok(t) = DateTime::parse_from_rfc3339(v) {
            return Ok(Some(t.with_timezone(&Utc)));
        }
        let date = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
            ApiError::query(name, format!("expected a date (2017-02-03) or an RFC 3339 time, got {v:?}"))
        })?;
        let local = if end_of_day {
            date.and_time(NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).expect("valid time"))
        } else {
            date.and_time(NaiveTime::MIN)
        };
        // Midnight and 23:59 never fall in Warsaw's DST gap (02:00-03:00).
        let t =
            Warsaw.from_local_datetime(&local).earliest().map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc));
        Ok(Some(t))
    }

    /// The `tag` filter, normalised as stored tags are (trimmed, lower case; at most
    /// [`MAX_TAG_CHARS`](witryna_core::cms::MAX_TAG_CHARS) characters).
    pub(crate) fn tag(&self) -> Result<Option<String>, ApiError> {
        let max = witryna_core::cms::MAX_TAG_CHARS;
        match self.get("tag").map(|t| t.trim().to_lowercase()) {
            Some(t) if t.chars().count() > max => Err(ApiError::query("tag", format!("at most {max} characters"))),
            t => Ok(t),
        }
    }

    /// A page size between 1 and `max`; `default` when absent.
    pub(crate) fn limit(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get("limit") {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::query("limit", format!("must be a whole number from 1 to {max}, got {v:?}"))),
            },
        }
    }
}
