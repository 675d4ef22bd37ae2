//! Writing responses: JSON bodies, items straight from their stored JSON, caching headers
//! and the public response cache.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use witryna_core::{Id, Meta, Record, Status, View};

use crate::error::ApiError;
use crate::extract::{etag_of, none_match};
use crate::ApiState;

/// A page of a list.
#[derive(Debug, Serialize)]
pub(crate) struct ListJson<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next_cursor: Option<String>,
}

pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).expect("responses serialize");
    bytes_response(status, bytes)
}

pub(crate) fn bytes_response(status: StatusCode, bytes: impl Into<Bytes>) -> Response {
    let mut res = (status, bytes.into()).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// Whether an instant can be answered as the RFC 3339 `date-time` the document promises:
/// a year from 0000 to 9999 in UTC (chrono writes others with a sign and more digits).
pub(crate) fn is_rfc3339_instant(t: DateTime<Utc>) -> bool {
    (0..=9999).contains(&t.year())
}

fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).expect("ASCII header value")
}

/// Sets caching headers and answers 304 when `If-None-Match` already has the ETag.
fn cached(headers: &HeaderMap, etag: &str, cache_control: &str, fresh: impl FnOnce() -> Response) -> Response {
    let mut res = if none_match(headers, etag) { StatusCode::NOT_MODIFIED.into_response() } else { fresh() };
    res.headers_mut().insert(header::ETAG, header_value(etag));
    res.headers_mut().insert(header::CACHE_CONTROL, header_value(cache_control));
    res
}

fn cache_control(s: &ApiState, view: View) -> String {
    match view {
        View::Public => format!("public, max-age={}", s.0.config.public_max_age),
        View::Editor => "private, no-cache".to_owned(),
    }
}

/// Appends `{...meta, "content": <stored JSON>}`: items are answered from their stored
/// content without decoding it (it is always JSON the Cms wrote).
pub(crate) fn write_record(out: &mut Vec<u8>, record: &Record) {
    serde_json::to_writer(&mut *out, &record.meta).expect("metadata serializes");
    out.pop(); // the closing brace of the metadata object
    out.extend_from_slice(b",\"content\":");
    out.extend_from_slice(record.body.as_bytes());
    out.push(b'}');
}

/// One item as JSON with the other members of its translation group.
pub(crate) fn record_json_with_translations(record: &Record, translations: &[Meta]) -> Bytes {
    let mut out = Vec::with_capacity(record.body.len() + 512 + translations.len() * 128);
    write_record(&mut out, record);
    out.pop(); // the closing brace of the item
    out.extend_from_slice(b",\"translations\":");
    let list: Vec<TranslationJson<'_>> = translations
        .iter()
        .map(|m| TranslationJson { id: m.id, locale: &m.locale, slug: &m.slug, status: m.status })
        .collect();
    serde_json::to_writer(&mut out, &list).expect("translations serialize");
    out.push(b'}');
    Bytes::from(out)
}

/// Another language of an item, as reads list it (`translations`).
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub(crate) struct TranslationJson<'a> {
    /// The translation's (or the source's) id.
    pub(crate) id: Id,
    /// Its locale.
    pub(crate) locale: &'a str,
    /// Its slug in that locale.
    pub(crate) slug: &'a str,
    /// Its status (the public sees published ones only).
    pub(crate) status: Status,
}

/// One item as JSON.
pub(crate) fn record_json(record: &Record) -> Bytes {
    let mut out = Vec::with_capacity(record.body.len() + 512);
    write_record(&mut out, record);
    Bytes::from(out)
}

/// The answer to a write: the record as committed, its ETag, and where it lives when new.
pub(crate) fn written(status: StatusCode, record: &Record, location: Option<String>) -> Response {
    let mut res = bytes_response(status, record_json(record));
    res.headers_mut().insert(header::ETAG, header_value(&etag_of(record.meta.version)));
    if let Some(l) = location {
        res.headers_mut().insert(header::LOCATION, header_value(&l));
    }
    res
}

/// The same URL with the `depth`-th path segment from the end replaced (0: the last).
pub(crate) fn moved(uri: &Uri, depth: usize, current: &str) -> Response {
    let mut segments: Vec<&str> = uri.path().split('/').collect();
    let i = segments.len().saturating_sub(1 + depth);
    segments[i] = current;
    let mut location = segments.join("/");
    if let Some(q) = uri.query() {
        location = format!("{location}?{q}");
    }
    let mut res = StatusCode::MOVED_PERMANENTLY.into_response();
    res.headers_mut().insert(header::LOCATION, header_value(&location));
    res
}

/// A read through the public response cache: `fill` runs only on a miss (or for the
/// editor view, which is never cached) and gives the ETag and body of a 200, or an early
/// answer, such as a redirect, which is not cached.
pub(crate) async fn public_read<F, Fut>(
    s: &ApiState,
    key: &str,
    headers: &HeaderMap,
    view: View,
    fill: F,
) -> Result<Response, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Result<(String, Bytes), Response>, ApiError>>,
{
    let cc = cache_control(s, view);
    let generation = s.0.cms.generation(); // before reading: a racing write leaves the entry stale
    if view == View::Public {
        if let Some(hit) = s.0.cache.get(key, generation) {
            return Ok(cached(headers, &hit.etag, &cc, || bytes_response(StatusCode::OK, hit.body)));
        }
    }
    match fill().await? {
        Ok((etag, body)) => {
            if view == View::Public {
                s.0.cache.put(key.to_owned(), generation, etag.clone(), body.clone());
            }
            Ok(cached(headers, &etag, &cc, || bytes_response(StatusCode::OK, body)))
        }
        Err(early) => Ok(early),
    }
}
