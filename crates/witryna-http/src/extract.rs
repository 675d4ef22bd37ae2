//! Reading requests: JSON bodies with field paths in errors, `If-Match`, query parameters.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, Uri};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Warsaw;
use serde::de::DeserializeOwned;
use witryna_core::validate::{decode_json, DecodeError};

use crate::error::ApiError;
use crate::ApiState;

/// A JSON body parsed with the path of the failing field in errors: malformed JSON is a
/// 400, a wrong shape (unknown field, wrong type, missing field) a 422 naming the field,
/// a body over the limit a 413.
pub(crate) struct JsonBody<T>(pub T);

/// A JSON body that may be left out (an empty or all-blank body is `None`); when given,
/// it is read as [`JsonBody`] reads one.
pub(crate) struct OptionalJsonBody<T>(pub Option<T>);

impl<T: DeserializeOwned> FromRequest<ApiState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &ApiState) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType { expected: "application/json" });
        }
        decode_body(&read_body(req, state.0.config.body_limit).await?).map(JsonBody)
    }
}

impl<T: DeserializeOwned> FromRequest<ApiState> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &ApiState) -> Result<Self, ApiError> {
        let is_json = is_json(req.headers());
        let bytes = read_body(req, state.0.config.body_limit).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        if !is_json {
            return Err(ApiError::UnsupportedMediaType { expected: "application/json" });
        }
        decode_body(&bytes).map(|v| OptionalJsonBody(Some(v)))
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")))
}

/// The whole body, at most `limit` bytes.
async fn read_body(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::BodyTooLarge { limit });
    }
    axum::body::to_bytes(req.into_body(), limit).await.map_err(|e| {
        let e = e.into_inner();
        if e.is::<http_body_util::LengthLimitError>() {
            ApiError::BodyTooLarge { limit }
        } else {
            // The client stopped sending (or took too long): not the server's fault.
            ApiError::BodyIncomplete(e.to_string())
        }
    })
}

/// Reads a JSON body with the core's decoder: syntax over the whole text first (400),
/// then the shape, naming the field (422). Every body of this API is an object: serde
/// would also read a struct from an array (`["editor"]` as a token body), which the
/// document does not allow.
fn decode_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if !bytes.trim_ascii_start().starts_with(b"{") {
        return Err(match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) => ApiError::body_field("", "invalid_value", "invalid type: expected a JSON object"),
            Err(e) => ApiError::MalformedJson(e.to_string()),
        });
    }
    decode_json(bytes).map_err(|e| match e {
        DecodeError::Malformed(message) => ApiError::MalformedJson(message),
        DecodeError::Shape(field) => ApiError::InvalidBody(vec![field]),
    })
}

/// Evaluates `If-Match` (RFC 9110 §13.1.1) against the current version of an item
/// (`None`: there is no item). The field is `*` or a list of entity tags, compared
/// strongly: `*` matches any current item; a tag matches when it is not weak and is the
/// item's ETag character for character. A header that matches nothing — weak, unknown or
/// stale tags, or one that does not parse as a list of tags — fails the precondition:
/// 412 with the current version. Without the header there is nothing to evaluate.
pub(crate) fn check_if_match(headers: &HeaderMap, current: Option<u64>) -> Result<(), ApiError> {
    let mut values = headers.get_all(header::IF_MATCH).iter().peekable();
    if values.peek().is_none() {
        return Ok(());
    }
    let failed = ApiError::PreconditionFailed { current_version: current };
    let Some(current) = current else { return Err(failed) };
    let etag = etag_of(current);
    let mut matched = false;
    for value in values {
        let Ok(value) = value.to_str() else { return Err(failed) };
        if value.trim() == "*" {
            matched = true;
            continue;
        }
        let Some(tags) = entity_tags(value) else { return Err(failed) };
        matched |= tags.iter().any(|(weak, tag)| !weak && *tag == etag);
    }
    if matched {
        Ok(())
    } else {
        Err(failed)
    }
}

/// The entity tags of a list (`"a", W/"b"`) as (weak, tag with its quotes); `None` when it
/// is not such a list. Tags are opaque: any characters but `"` between the quotes, a comma
/// included.
fn entity_tags(list: &str) -> Option<Vec<(bool, &str)>> {
    let mut tags = Vec::new();
    let mut rest = list;
    loop {
        // Empty list elements are allowed (RFC 9110 §5.6.1).
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Some(tags);
        }
        let (weak, quoted) = match rest.strip_prefix("W/") {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let inner = quoted.strip_prefix('"')?;
        let end = inner.find('"')?;
        let tag = &quoted[..end + 2];
        if !inner[..end].bytes().all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80) {
            return None;
        }
        tags.push((weak, tag));
        rest = quoted[end + 2..].trim_start_matches([' ', '\t']);
        if !(rest.is_empty() || rest.starts_with(',')) {
            return None;
        }
    }
}

/// The strong ETag of an item's version: `"3"`.
pub(crate) fn etag_of(version: u64) -> String {
    format!("\"{version}\"")
}

/// Whether `If-None-Match` lists this ETag (or `*`).
pub(crate) fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let t = t.trim();
        t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag.strip_prefix("W/").unwrap_or(etag)
    })
}

/// Query parameters as pairs, looked up by name; unknown names are ignored, and an empty
/// value (`limit=`) is the same as leaving the parameter out.
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    /// The parameters of a request's URI; a query that cannot be decoded is a 400.
    pub(crate) fn of(uri: &Uri) -> Result<Params, ApiError> {
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
            .map(|q| Params(q.0))
            .map_err(|e| ApiError::query("query", e.body_text()))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of a parameter, in order.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// A boolean flag: `true`/`1` or `false`/`0`.
    pub(crate) fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
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

    /// The `tag` filter as given, checked as the document says (at most
    /// [`MAX_TAG_CHARS`](witryna_core::cms::MAX_TAG_CHARS) characters, no control
    /// characters), then normalised as stored tags are (trimmed, lower case); blank is absent.
    pub(crate) fn tag(&self) -> Result<Option<String>, ApiError> {
        let max = witryna_core::cms::MAX_TAG_CHARS;
        let Some(given) = self.get("tag") else { return Ok(None) };
        let tag = given.trim().to_lowercase();
        // Lower case can be longer (`İ` is two characters in lower case): count both.
        if given.chars().any(char::is_control) || given.chars().count() > max || tag.chars().count() > max {
            return Err(ApiError::query("tag", format!("at most {max} characters, none of them a control character")));
        }
        Ok((!tag.is_empty()).then_some(tag))
    }

    /// The `locale` parameter: a language the site has turned on; `pl` when absent.
    pub(crate) fn locale(&self, locales: &witryna_core::Locales) -> Result<&'static str, ApiError> {
        match self.get("locale") {
            None => Ok(witryna_core::cms::DEFAULT_LOCALE),
            Some(v) => locales
                .get(v)
                .map(|l| l.code)
                .ok_or_else(|| ApiError::query("locale", format!("unknown locale {v:?}: this site has {locales}"))),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn if_match(values: &[&str], current: Option<u64>) -> Result<(), u16> {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::IF_MATCH, v.parse().unwrap());
        }
        check_if_match(&h, current).map_err(|e| match e {
            ApiError::PreconditionFailed { .. } => 412,
            _ => 0,
        })
    }

    #[test]
    fn if_match_compares_opaque_tags_strongly() {
        assert_eq!(if_match(&[], Some(3)), Ok(()), "no header, nothing to evaluate");
        for ok in [&["\"3\""][..], &["*"], &["\"1\", \"3\""], &["\"1\"", "\"3\""], &["\"a,b\",\"3\""], &[" \"3\" , "]] {
            assert_eq!(if_match(ok, Some(3)), Ok(()), "{ok:?}");
        }
        for failed in [
            &["W/\"3\""][..],
            &["\"2\""],
            &["\"abc\""],
            &["nonsense"],
            &["3"],
            &["\"3"],
            &["\"3\"x"],
            &["\"3\" \"4\"x"],
            &["\"1\" \"3\""],
            &["*, \"3\""],
            &[""],
        ] {
            assert_eq!(if_match(failed, Some(3)), Err(412), "{failed:?}");
        }
        assert_eq!(if_match(&["*"], None), Err(412), "`*` needs a current item");
    }
}
