//! The files of the media library at `GET`/`HEAD /media/{hash}/{file}`: `{hash}` is the
//! media item's (the SHA-256 of its original, its slug), `{file}` the original's stored name
//! or a variant's (`640.webp`).
//!
//! Only the files of public media items are served — an item becomes public with the first
//! published content that shows it —; anything else is the site's 404 page. The work per
//! request is one slug lookup and the blob reads: files never pass through the page cache
//! (it holds rendered HTML), and a file is immutable under its address, so browsers and
//! proxies keep it for a year (`Cache-Control: public, max-age=31536000, immutable`) and
//! revalidate with its strong `ETag`, the hash of the bytes served.
//!
//! Single byte ranges are answered `206` (`Range: bytes=a-b`, `a-`, `-n`; `If-Range` with the
//! ETag), unsatisfiable ones `416`; malformed and multi-range requests get the whole file,
//! as RFC 9110 allows. Files up to [`WHOLE_READ_MAX`] are read in one piece and kept in a
//! small memory cache by blob hash ([`SiteConfig::file_cache_bytes`](crate::SiteConfig)),
//! ranges of them cut from that copy; longer ones are streamed from the store a
//! [`BLOB_CHUNK`] at a time, so a 25 MB document never sits in memory.

use std::str::FromStr;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use witryna_core::cache::ResponseCache;
use witryna_core::content::StoredFile;
use witryna_core::store::blob::BLOB_CHUNK;
use witryna_core::store::BlobHash;
use witryna_core::Cms;

use crate::pages::{harden, internal_error, not_found};
use crate::SiteState;

/// The route of the files.
pub(crate) const ROUTE: &str = "/media/{hash}/{file}";

/// Longest body read from the store in one call (a photo of a few hundred kilobytes);
/// longer ones are streamed.
pub(crate) const WHOLE_READ_MAX: u64 = 256 * 1024;

/// The cache of small files: `max_bytes` of them (0: off), each kept an hour at most
/// (entries are never stale, the hour only orders evictions).
pub(crate) fn file_cache(max_bytes: usize) -> ResponseCache<Bytes> {
    let entries = max_bytes / (4 * 1024);
    ResponseCache::new(entries, max_bytes, Duration::from_secs(3600))
}

/// How long a file may be kept: a year, and never revalidated while fresh.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Media types served as they are. Any other (a body that reached the store some other
/// way than the upload path, which sniffs and allows only these) is sent as an opaque
/// download, so no file of the library can be a page of the site's origin.
const SERVED_AS_IS: [&str; 15] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/msword",
    "application/vnd.ms-excel",
    "application/rtf",
    "text/plain",
    "video/mp4",
    "video/webm",
];

enum Refused {
    NotFound,
    Internal(String),
}

/// `GET`/`HEAD /media/{hash}/{file}`.
pub(crate) async fn media_file(
    State(s): State<SiteState>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((hash, name))) = path else { return not_found(&s, &headers, &uri).await };
    match answer(&s, &method, &headers, &hash, &name).await {
        Ok(res) => res,
        Err(Refused::NotFound) => not_found(&s, &headers, &uri).await,
        Err(Refused::Internal(m)) => internal_error(&crate::messages::PL, &m),
    }
}

async fn answer(
    s: &SiteState,
    method: &Method,
    headers: &HeaderMap,
    hash: &str,
    name: &str,
) -> Result<Response, Refused> {
    let cms = &s.cms;
    let hash = BlobHash::from_str(hash).map_err(|_| Refused::NotFound)?;
    let (record, media) = match cms.media_by_hash(hash).await {
        Ok(Some(found)) => found,
        Ok(None) => return Err(Refused::NotFound),
        Err(e) => return Err(Refused::Internal(format!("media {hash}: {e}"))),
    };
    if !record.meta.is_public_at(cms.now()) {
        return Err(Refused::NotFound);
    }
    let file = if media.file.name == name {
        media.file
    } else {
        media.variants.into_iter().find(|v| v.name == name).ok_or(Refused::NotFound)?
    };
    conditional(s, method, headers, &file, IMMUTABLE).await
}

/// A stored file as an answer to `method` with the request's `headers`: 304 when
/// `If-None-Match` names it, a range when one is asked for, else the whole file.
async fn conditional(
    s: &SiteState,
    method: &Method,
    headers: &HeaderMap,
    file: &StoredFile,
    cache_control: &'static str,
) -> Result<Response, Refused> {
    let etag = format!("\"{}\"", file.hash);
    let mut res = if matches_none(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
            Some(range) if if_range_holds(headers, &etag) => parse_range(range, file.size),
            _ => Ask::Whole,
        };
        body_response(s, method, file, range).await?
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    harden(h, false);
    Ok(res)
}

/// A stored file of any status, for people who may see drafts (the editor interface):
/// the same answer as the public route, kept out of shared caches.
pub async fn private_file(s: &SiteState, method: &Method, headers: &HeaderMap, file: &StoredFile) -> Response {
    match conditional(s, method, headers, file, "private, no-store").await {
        Ok(res) => res,
        Err(Refused::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(Refused::Internal(m)) => internal_error(&crate::messages::PL, &m),
    }
}

/// The `200`, `206` or `416` answer; the body read only for `GET`.
async fn body_response(s: &SiteState, method: &Method, file: &StoredFile, range: Ask) -> Result<Response, Refused> {
    let cms = &s.cms;
    let size = file.size;
    let (status, start, len) = match range {
        Ask::Whole => (StatusCode::OK, 0, size),
        Ask::Part(first, last) => (StatusCode::PARTIAL_CONTENT, first, last - first + 1),
        Ask::Unsatisfiable => {
            let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            let h = res.headers_mut();
            h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
            h.insert(header::CONTENT_RANGE, number_header(&format!("bytes */{size}")));
            return Ok(res);
        }
    };
    let body = if method == Method::HEAD || len == 0 {
        Body::empty()
    } else if size <= WHOLE_READ_MAX {
        let whole = small_file(s, file).await?;
        Body::from(whole.slice(start as usize..(start + len) as usize))
    } else {
        // Checked before the answer starts: a missing blob is a 500, not a cut-off body.
        match cms.store().blob(file.hash).await {
            Ok(Some(info)) if info.size == size => stream_blob(cms.clone(), file.hash, start, len),
            Ok(Some(info)) => {
                return Err(Refused::Internal(format!(
                    "blob {} has {} bytes, its item says {size}",
                    file.hash, info.size
                )))
            }
            Ok(None) => return Err(Refused::Internal(format!("blob {} of a public media item is missing", file.hash))),
            Err(e) => return Err(Refused::Internal(format!("blob {}: {e}", file.hash))),
        }
    };
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type(&file.content_type));
    h.insert(header::CONTENT_LENGTH, number_header(&len.to_string()));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_DISPOSITION, disposition(&file.name, served_as_is(&file.content_type)));
    if status == StatusCode::PARTIAL_CONTENT {
        h.insert(header::CONTENT_RANGE, number_header(&format!("bytes {start}-{}/{size}", start + len - 1)));
    }
    Ok(res)
}

/// A whole small file: from the cache, else read in one call and kept.
async fn small_file(s: &SiteState, file: &StoredFile) -> Result<Bytes, Refused> {
    let key = file.hash.to_string();
    if let Some(hit) = s.files.get(&key, 0) {
        return Ok(hit.body);
    }
    let bytes = match s.cms.store().read_blob(file.hash, 0, file.size as usize).await {
        Ok(Some(bytes)) => Bytes::from(bytes),
        Ok(None) => return Err(Refused::Internal(format!("blob {} of a public media item is missing", file.hash))),
        Err(e) => return Err(Refused::Internal(format!("blob {}: {e}", file.hash))),
    };
    if bytes.len() as u64 != file.size {
        return Err(Refused::Internal(format!(
            "blob {} has {} bytes, its item says {}",
            file.hash,
            bytes.len(),
            file.size
        )));
    }
    s.files.put(key, 0, String::new(), bytes.clone());
    Ok(bytes)
}

/// A header of digits and fixed ASCII, which is always valid.
fn number_header(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

/// Bytes `start .. start + len` of a blob as a body read a [`BLOB_CHUNK`] at a time (each
/// read ends on a chunk boundary of the store). A read error or a blob shorter than said
/// ends the body with an error: the connection is cut, so a client never takes a truncated
/// file for a whole one.
fn stream_blob(cms: Cms, hash: BlobHash, start: u64, len: u64) -> Body {
    let end = start + len;
    let chunks = futures_util::stream::unfold(Some((cms, start)), move |state| async move {
        let (cms, pos) = state?;
        if pos >= end {
            return None;
        }
        let chunk = BLOB_CHUNK as u64;
        let want = (chunk - pos % chunk).min(end - pos) as usize;
        match cms.store().read_blob(hash, pos, want).await {
            Ok(Some(bytes)) if !bytes.is_empty() => {
                let next = pos + bytes.len() as u64;
                Some((Ok(Bytes::from(bytes)), Some((cms, next))))
            }
            Ok(_) => {
                tracing::error!(%hash, at = pos, "blob ended before the size its media item says");
                Some((Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "blob shorter than said")), None))
            }
            Err(e) => {
                tracing::error!(%hash, at = pos, error = %e, "blob read failed while sending");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    });
    Body::from_stream(chunks)
}

fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

fn served_as_is(content_type: &str) -> bool {
    SERVED_AS_IS.contains(&essence(content_type).as_str())
}

/// The `Content-Type` of a stored file: its own when it is one of [`SERVED_AS_IS`] (text
/// always as UTF-8, which the upload checks), else `application/octet-stream`.
fn content_type(stored: &str) -> HeaderValue {
    let essence = essence(stored);
    if essence == "text/plain" {
        return HeaderValue::from_static("text/plain; charset=utf-8");
    }
    match SERVED_AS_IS.iter().find(|t| **t == essence) {
        Some(t) => HeaderValue::from_static(t),
        None => HeaderValue::from_static("application/octet-stream"),
    }
}

/// `inline; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII fallback without quotes,
/// backslashes, percent signs or control characters, and the name itself percent-encoded.
/// A type not served as is is an `attachment`.
pub(crate) fn disposition(name: &str, inline: bool) -> HeaderValue {
    let fallback: String = deunicode::deunicode(name)
        .chars()
        .map(|c| if (c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%')) || c == ' ' { c } else { '_' })
        .collect();
    let fallback = if fallback.trim().is_empty() { "plik".to_owned() } else { fallback };
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        // attr-char of RFC 8187.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let kind = if inline { "inline" } else { "attachment" };
    HeaderValue::from_str(&format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Whether `If-None-Match` names the file's ETag (weak comparison, as RFC 9110 asks) or
/// is `*`.
fn matches_none(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').map(str::trim).any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag))
}

/// Whether a `Range` applies: no `If-Range`, or one that is the ETag itself (a strong
/// comparison; a date never matches, the files have no `Last-Modified`).
fn if_range_holds(headers: &HeaderMap, etag: &str) -> bool {
    match headers.get(header::IF_RANGE) {
        None => true,
        Some(v) => v.to_str().is_ok_and(|v| v.trim() == etag),
    }
}

/// What a `Range` header asks of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// No range, several, or one not understood: the whole file.
    Whole,
    /// Bytes `first..=last`, within the file.
    Part(u64, u64),
    /// A single range wholly outside the file.
    Unsatisfiable,
}

/// Reads a `Range` header for a file of `size` bytes (RFC 9110 §14.1.2): one `bytes=a-b`,
/// `bytes=a-` or `bytes=-n`. Numbers too long for 64 bits are as large as can be (a start
/// past the end, a suffix longer than the file).
fn parse_range(value: &str, size: u64) -> Ask {
    let Some((unit, set)) = value.trim().split_once('=') else { return Ask::Whole };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return Ask::Whole;
    }
    let mut specs = set.split(',').map(str::trim).filter(|s| !s.is_empty());
    let (Some(spec), None) = (specs.next(), specs.next()) else { return Ask::Whole };
    let Some((first, last)) = spec.split_once('-') else { return Ask::Whole };
    let number = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(s.parse().unwrap_or(u64::MAX))
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // bytes=-n: the last n bytes.
        return match number(last) {
            None => Ask::Whole,
            Some(0) => Ask::Unsatisfiable,
            Some(_) if size == 0 => Ask::Unsatisfiable,
            Some(n) => Ask::Part(size - n.min(size), size - 1),
        };
    }
    // bytes=a- and bytes=a-b.
    let Some(a) = number(first) else { return Ask::Whole };
    let b = match (last.is_empty(), number(last)) {
        (true, _) => None,
        (false, Some(b)) if b >= a => Some(b),
        (false, _) => return Ask::Whole,
    };
    if a >= size {
        return Ask::Unsatisfiable;
    }
    Ask::Part(a, b.map_or(size - 1, |b| b.min(size - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-99", 1000), Ask::Part(0, 99));
        assert_eq!(parse_range("bytes=0-99", 50), Ask::Part(0, 49), "clipped to the end");
        assert_eq!(parse_range("bytes=100-", 1000), Ask::Part(100, 999));
        assert_eq!(parse_range("bytes=-100", 1000), Ask::Part(900, 999));
        assert_eq!(parse_range("bytes=-5000", 1000), Ask::Part(0, 999), "a suffix longer than the file");
        assert_eq!(parse_range("Bytes = 5-5 ", 1000), Ask::Part(5, 5));
        assert_eq!(parse_range("bytes=999999999-", 1000), Ask::Unsatisfiable);
        assert_eq!(parse_range("bytes=1000-1001", 1000), Ask::Unsatisfiable);
        assert_eq!(parse_range("bytes=99999999999999999999999-", 1000), Ask::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 1000), Ask::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-", 0), Ask::Unsatisfiable);
        for whole in [
            "bytes=0-1,5-6",
            "bytes=5-1",
            "bytes=a-b",
            "bytes=-",
            "bytes=1",
            "bytes=",
            "items=0-1",
            "bytes 0-1",
            "bytes=0-1x",
            "bytes=+1-2",
            "",
        ] {
            assert_eq!(parse_range(whole, 1000), Ask::Whole, "{whole:?}");
        }
        assert_eq!(parse_range("bytes=0-1,", 1000), Ask::Part(0, 1), "an empty list element is allowed");
    }

    #[test]
    fn dispositions_escape_the_name() {
        let h = |name: &str, inline| disposition(name, inline).to_str().unwrap().to_owned();
        assert_eq!(
            h("Wniosek o zasiłek.pdf", true),
            "inline; filename=\"Wniosek o zasilek.pdf\"; filename*=UTF-8''Wniosek%20o%20zasi%C5%82ek.pdf"
        );
        assert_eq!(
            h("a\"b\\c%d\r\n.pdf", false),
            "attachment; filename=\"a_b_c_d__.pdf\"; filename*=UTF-8''a%22b%5Cc%25d%0D%0A.pdf"
        );
        assert_eq!(h("640.webp", true), "inline; filename=\"640.webp\"; filename*=UTF-8''640.webp");
    }

    #[test]
    fn only_known_types_are_served_as_they_are() {
        assert_eq!(content_type("image/jpeg"), "image/jpeg");
        assert_eq!(content_type("text/plain; charset=latin2"), "text/plain; charset=utf-8");
        assert_eq!(content_type("text/html"), "application/octet-stream");
        assert_eq!(content_type("image/svg+xml"), "application/octet-stream");
        assert_eq!(content_type("Application/PDF"), "application/pdf");
        assert_eq!(content_type("video/mp4"), "video/mp4");
        assert!(!served_as_is("text/html"));
    }

    #[test]
    fn validators() {
        let etag = "\"abc\"";
        let with = |name: header::HeaderName, value: &str| {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_str(value).unwrap());
            h
        };
        assert!(matches_none(&with(header::IF_NONE_MATCH, "\"x\", W/\"abc\""), etag));
        assert!(matches_none(&with(header::IF_NONE_MATCH, "*"), etag));
        assert!(!matches_none(&with(header::IF_NONE_MATCH, "\"abcd\""), etag));
        assert!(!matches_none(&HeaderMap::new(), etag));
        assert!(if_range_holds(&HeaderMap::new(), etag));
        assert!(if_range_holds(&with(header::IF_RANGE, "\"abc\""), etag));
        assert!(!if_range_holds(&with(header::IF_RANGE, "W/\"abc\""), etag));
        assert!(!if_range_holds(&with(header::IF_RANGE, "Wed, 21 Oct 2015 07:28:00 GMT"), etag));
    }
}
