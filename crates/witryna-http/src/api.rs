//! The routes, their handlers, and the operation list the OpenAPI document is made from.
//! Each route is added once, with its documentation, by [`ApiBuilder::add`]: the router
//! and the document cannot drift apart.

use std::hash::{Hash, Hasher};

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, OriginalUri, Path, Query as QueryParams, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;
use chrono::{DateTime, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use witryna_core::cms::DEFAULT_LOCALE;
use witryna_core::content::{AccessibilitySettings, NewsArticle, Page, Programme, Unit};
use witryna_core::search::{SearchQuery, SearchResults};
use witryna_core::{Content, CreateOptions, Id, Item, Meta, Query, Record, RecordLookup, Status, View};

use crate::auth::{self, NewToken, Role, TokenInfo};
use crate::error::ApiError;
use crate::extract::{if_match, none_match, parse_json, JsonBody, Params};
use crate::ApiState;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone; editors may add `preview=true` with a token.
    Public,
    /// A token with the editor (or admin) role.
    Editor,
    /// A token with the admin role.
    Admin,
}

/// One documented operation.
pub(crate) struct Operation {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) summary: String,
    pub(crate) tag: String,
    pub(crate) access: Access,
    pub(crate) query: &'static [(&'static str, &'static str)],
    pub(crate) request: Option<Schema>,
    pub(crate) success: StatusCode,
    pub(crate) response: Option<Schema>,
}

/// Builds the router and its operation list together.
pub(crate) struct ApiBuilder {
    pub(crate) router: Router<ApiState>,
    pub(crate) ops: Vec<Operation>,
    pub(crate) schemas: SchemaGenerator,
}

impl ApiBuilder {
    fn add<H, T>(&mut self, op: Operation, handler: H)
    where
        H: axum::handler::Handler<T, ApiState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(op.method.clone()).expect("standard method");
        let router = std::mem::take(&mut self.router);
        self.router = router.route(&op.path, on(filter, handler));
        self.ops.push(op);
    }

    fn schema<T: JsonSchema>(&mut self) -> Schema {
        self.schemas.subschema_for::<T>()
    }
}

/// An item as the API shows it: the metadata, and the content under `content`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ItemJson<C> {
    #[serde(flatten)]
    meta: Meta,
    content: C,
}

impl<C> From<Item<C>> for ItemJson<C> {
    fn from(item: Item<C>) -> Self {
        ItemJson { meta: item.meta, content: item.content }
    }
}

/// A page of a list.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ListJson<T> {
    items: Vec<T>,
    next_cursor: Option<String>,
}

/// Body of a create or update: the content, and optionally a wanted slug.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WriteBody<C> {
    content: C,
    /// Wanted slug (normalised); from the title when absent.
    #[serde(default)]
    slug: Option<String>,
}

/// Body of the settings update.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SettingsBody {
    content: AccessibilitySettings,
}

/// Optional body of `publish`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishBody {
    /// When it becomes public (future: scheduled; past: back-dated); now when absent.
    #[serde(default)]
    publish_at: Option<DateTime<Utc>>,
}

/// Body of token creation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenBody {
    role: Role,
    #[serde(default = "default_token_name")]
    name: String,
}

fn default_token_name() -> String {
    "token".into()
}

/// Answer of the office-hours query.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct OpenJson {
    open: bool,
    next_change: Option<DateTime<Utc>>,
}

/// The `{key}` path segment (slug or id); an unreadable one is a 400 problem.
pub(crate) struct Key(String);
/// The `{key}` and `{version}` path segments.
pub(crate) struct KeyVersion(String, String);

impl FromRequestParts<ApiState> for Key {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &ApiState) -> Result<Self, ApiError> {
        let Path(key) =
            Path::<String>::from_request_parts(parts, s).await.map_err(|e| ApiError::BadPath(e.body_text()))?;
        Ok(Key(key))
    }
}

impl FromRequestParts<ApiState> for KeyVersion {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &ApiState) -> Result<Self, ApiError> {
        let Path((key, version)) = Path::<(String, String)>::from_request_parts(parts, s)
            .await
            .map_err(|e| ApiError::BadPath(e.body_text()))?;
        Ok(KeyVersion(key, version))
    }
}

/// Editor (or admin) token, checked before the body is read.
pub(crate) struct Editor;
/// Admin token, checked before the body is read.
pub(crate) struct Admin;
/// The client's address, when the server knows it (`ConnectInfo`).
#[derive(Clone, Copy)]
pub(crate) struct ClientIp(Option<std::net::IpAddr>);

impl FromRequestParts<ApiState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &ApiState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// The one path every token check takes. A valid token is always accepted, even from an
/// address that is being slowed down (editors behind the same proxy as a guesser keep
/// working); no `Authorization` at all is a plain 401 and counts for nothing; only a wrong
/// secret counts as a failure, and once an address has too many, its wrong secrets get 429.
async fn authorize(
    s: &ApiState,
    headers: &HeaderMap,
    ip: Option<std::net::IpAddr>,
    needed: Role,
) -> Result<auth::TokenInfo, ApiError> {
    let secret = auth::bearer(headers).ok_or(ApiError::Unauthenticated)?;
    match auth::authenticate(&s.cms, secret).await? {
        Some(token) if token.role < needed => {
            Err(ApiError::Forbidden { role: token.role.as_str(), needed: needed.as_str() })
        }
        Some(token) => Ok(token),
        None => {
            let retry_after = ip.and_then(|ip| s.failed_logins.record(ip));
            Err(retry_after.map_or(ApiError::Unauthenticated, |retry_after| ApiError::TooManyFailures { retry_after }))
        }
    }
}

impl FromRequestParts<ApiState> for Editor {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &ApiState) -> Result<Self, ApiError> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, s).await.unwrap_or(ClientIp(None));
        authorize(s, &parts.headers, ip, Role::Editor).await.map(|_| Editor)
    }
}

impl FromRequestParts<ApiState> for Admin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &ApiState) -> Result<Self, ApiError> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, s).await.unwrap_or(ClientIp(None));
        authorize(s, &parts.headers, ip, Role::Admin).await.map(|_| Admin)
    }
}

fn params(q: Result<QueryParams<Vec<(String, String)>>, QueryRejection>) -> Result<Params, ApiError> {
    q.map(|QueryParams(p)| Params(p)).map_err(|e| ApiError::query("query", e.body_text()))
}

fn parse_id(key: &str) -> Result<Id, ApiError> {
    key.parse().map_err(|_| ApiError::NotFound(format!("no item with id {key:?}")))
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).expect("responses serialize");
    let mut res = (status, bytes).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

fn etag_of(version: u64) -> String {
    format!("\"{version}\"")
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
        View::Public => format!("public, max-age={}", s.config.public_max_age),
        View::Editor => "private, no-cache".to_owned(),
    }
}

fn item_response<C: Content>(s: &ApiState, headers: &HeaderMap, item: Item<C>, view: View) -> Response {
    let etag = etag_of(item.meta.version);
    cached(headers, &etag, &cache_control(s, view), || json_response(StatusCode::OK, &ItemJson::from(item)))
}

fn written<C: Content>(status: StatusCode, item: Item<C>, location: Option<String>) -> Response {
    let etag = etag_of(item.meta.version);
    let mut res = json_response(status, &ItemJson::from(item));
    res.headers_mut().insert(header::ETAG, header_value(&etag));
    if let Some(l) = location {
        res.headers_mut().insert(header::LOCATION, header_value(&l));
    }
    res
}

/// The same URL with the last `depth`-th path segment replaced (0: the last).
fn moved(uri: &axum::http::Uri, depth: usize, current: &str) -> Response {
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

/// Validates content with paths under `content.` (the body's field).
fn check<C: Content>(content: &C) -> Result<(), ApiError> {
    witryna_core::validate::check_content(content).map_err(|mut e| {
        for f in &mut e.0 {
            f.path = if f.path.is_empty() { "content".into() } else { format!("content.{}", f.path) };
        }
        ApiError::Cms(e.into())
    })
}

/// The view a read asks for: `preview=true` needs an editor token, checked through the
/// same counted path as every write.
async fn view_for(s: &ApiState, headers: &HeaderMap, ip: ClientIp, p: &Params) -> Result<View, ApiError> {
    if p.flag("preview")? {
        authorize(s, headers, ip.0, Role::Editor).await?;
        Ok(View::Editor)
    } else {
        Ok(View::Public)
    }
}

/// A record by id or slug, as the view may see it; `Err(current slug)` for an old slug.
async fn lookup_record(s: &ApiState, kind: &str, key: &str, view: View) -> Result<Result<Record, String>, ApiError> {
    match key.parse::<Id>() {
        Ok(id) => {
            let record = s.cms.get_record(kind, id).await?;
            if view == View::Public && !record.meta.is_public_at(s.cms.now()) {
                return Err(ApiError::NotFound(format!("no public {kind} with id {id}")));
            }
            Ok(Ok(record))
        }
        Err(_) => match s.cms.find_record(kind, DEFAULT_LOCALE, key, view).await? {
            RecordLookup::Found(record) => Ok(Ok(record)),
            RecordLookup::Moved { current, .. } => Ok(Err(current)),
        },
    }
}

/// Appends `{...meta, "content": <stored JSON>}`: reads pass the stored content through
/// without decoding it (it is always JSON the Cms wrote), the same shape as [`ItemJson`].
fn write_record(out: &mut Vec<u8>, record: &Record) {
    serde_json::to_writer(&mut *out, &record.meta).expect("metadata serializes");
    out.pop(); // the closing brace of the metadata object
    out.extend_from_slice(b",\"content\":");
    out.extend_from_slice(record.body.as_bytes());
    out.push(b'}');
}

/// A public read through the response cache: `fill` runs only on a miss and gives the
/// ETag and body of a 200 (or an early answer, such as a redirect, which is not cached).
async fn public_read<F, Fut>(
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
    let generation = s.cms.generation(); // before reading: a racing write leaves the entry stale
    if view == View::Public {
        if let Some(hit) = s.cache.get(key, generation) {
            return Ok(cached(headers, &hit.etag, &cc, || bytes_response(hit.body)));
        }
    }
    match fill().await? {
        Ok((etag, body)) => {
            if view == View::Public {
                s.cache.put(key.to_owned(), generation, etag.clone(), body.clone());
            }
            Ok(cached(headers, &etag, &cc, || bytes_response(body)))
        }
        Err(early) => Ok(early),
    }
}

fn bytes_response(bytes: impl Into<Bytes>) -> Response {
    let bytes: Bytes = bytes.into();
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

async fn list_items<C: Content>(
    State(s): State<ApiState>,
    headers: HeaderMap,
    ip: ClientIp,
    q: Result<QueryParams<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = params(q)?;
    let view = view_for(&s, &headers, ip, &p).await?;
    let status = match p.get("status") {
        Some(v) => Some(v.parse::<Status>().map_err(|e| ApiError::query("status", e))?),
        None => None,
    };
    let query = Query {
        view,
        locale: None,
        status,
        tag: p.tag()?,
        from: p.instant("from", false)?,
        until: p.instant("to", true)?,
        cursor: p.get("cursor").map(str::to_owned),
        limit: Some(p.limit(20, witryna_core::cms::MAX_PAGE)?),
    };
    // Keyed on what the answer depends on — the kind and the whole parsed query, status
    // included — never on the raw URL: unknown parameters cannot multiply entries.
    let key = format!("{}|{query:?}", C::KIND);
    public_read(&s, &key, &headers, view, || async {
        let page = s.cms.list_records(C::KIND, query).await?;
        let mut h = std::hash::DefaultHasher::new();
        for r in &page.records {
            (r.meta.id, r.meta.version).hash(&mut h);
        }
        page.next_cursor.hash(&mut h);
        let etag = format!("W/\"{:016x}\"", h.finish());
        let mut out = Vec::with_capacity(page.records.iter().map(|r| r.body.len() + 512).sum::<usize>() + 64);
        out.extend_from_slice(b"{\"items\":[");
        for (i, r) in page.records.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_record(&mut out, r);
        }
        out.extend_from_slice(b"],\"next_cursor\":");
        serde_json::to_writer(&mut out, &page.next_cursor).expect("cursor serializes");
        out.push(b'}');
        Ok(Ok((etag, Bytes::from(out))))
    })
    .await
}

async fn get_item<C: Content>(
    State(s): State<ApiState>,
    Key(key): Key,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    ip: ClientIp,
    q: Result<QueryParams<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let view = view_for(&s, &headers, ip, &params(q)?).await?;
    // One key per item however its id is spelled (hyphens, braces, case) or percent-encoded.
    let normalised = key.parse::<Id>().map_or_else(|_| key.clone(), |id| id.to_string());
    public_read(&s, &format!("{}:{normalised}", C::KIND), &headers, view, || async {
        Ok(match lookup_record(&s, C::KIND, &key, view).await? {
            Ok(record) => {
                let mut out = Vec::with_capacity(record.body.len() + 512);
                write_record(&mut out, &record);
                Ok((etag_of(record.meta.version), Bytes::from(out)))
            }
            Err(current) => Err(moved(&uri, 0, &current)),
        })
    })
    .await
}

async fn create_item<C: Content>(
    State(s): State<ApiState>,
    _: Editor,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody<WriteBody<C>>,
) -> Result<Response, ApiError> {
    check(&body.content)?;
    let item = s.cms.create_with(body.content, CreateOptions { slug: body.slug, locale: None }).await?;
    let location = format!("{}/{}", uri.path().trim_end_matches('/'), item.meta.id);
    Ok(written(StatusCode::CREATED, item, Some(location)))
}

async fn update_item<C: Content>(
    State(s): State<ApiState>,
    _: Editor,
    Key(key): Key,
    headers: HeaderMap,
    JsonBody(body): JsonBody<WriteBody<C>>,
) -> Result<Response, ApiError> {
    let id = parse_id(&key)?;
    if !headers.contains_key(header::IF_MATCH) {
        return Err(ApiError::PreconditionRequired);
    }
    let expected = match if_match(&headers)? {
        Some(v) => v,
        None => s.cms.get::<C>(id).await?.meta.version,
    };
    check(&body.content)?;
    let mut item = s.cms.update(id, expected, body.content).await?;
    if let Some(slug) = body.slug {
        if witryna_core::slugs::slugify(&slug) != item.meta.slug {
            item.meta = s.cms.set_slug(id, item.meta.version, &slug).await?;
        }
    }
    Ok(written(StatusCode::OK, item, None))
}

/// The version a write is based on: `If-Match`, else the current one.
async fn base_version<C: Content>(s: &ApiState, id: Id, headers: &HeaderMap) -> Result<u64, ApiError> {
    let current = s.cms.get::<C>(id).await?; // also checks the kind
    Ok(if_match(headers)?.unwrap_or(current.meta.version))
}

async fn delete_item<C: Content>(
    State(s): State<ApiState>,
    _: Editor,
    Key(key): Key,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_id(&key)?;
    let version = base_version::<C>(&s, id, &headers).await?;
    s.cms.delete(id, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn after_action<C: Content>(s: &ApiState, id: Id) -> Result<Response, ApiError> {
    Ok(written(StatusCode::OK, s.cms.get::<C>(id).await?, None))
}

async fn publish_item<C: Content>(
    State(s): State<ApiState>,
    _: Editor,
    Key(key): Key,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&key)?;
    let body: PublishBody =
        if body.iter().all(u8::is_ascii_whitespace) { PublishBody::default() } else { parse_json(&body)? };
    let version = base_version::<C>(&s, id, &headers).await?;
    s.cms.publish(id, version, body.publish_at).await?;
    after_action::<C>(&s, id).await
}

/// A workflow step that needs no body.
#[derive(Clone, Copy)]
enum Step {
    Unpublish,
    Archive,
}

/// Applies a step at the `If-Match` version (else the current one) and answers the item.
async fn transition<C: Content>(
    s: &ApiState,
    key: &str,
    headers: &HeaderMap,
    step: Step,
) -> Result<Response, ApiError> {
    let id = parse_id(key)?;
    let version = base_version::<C>(s, id, headers).await?;
    match step {
        Step::Unpublish => s.cms.unpublish(id, version).await?,
        Step::Archive => s.cms.archive(id, version).await?,
    };
    after_action::<C>(s, id).await
}

async fn unpublish_item<C: Content>(
    State(s): State<ApiState>,
    _: Editor,
    Key(key): Key,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    transition::<C>(&s, &key, &headers, Step::Unpublish).await
}

async fn archive_item<C: Content>(
    State(s): State<ApiState>,
    _: Editor,
    Key(key): Key,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    transition::<C>(&s, &key, &headers, Step::Archive).await
}

async fn list_revisions<C: Content>(State(s): State<ApiState>, _: Editor, Key(key): Key) -> Result<Response, ApiError> {
    let id = parse_id(&key)?;
    s.cms.get::<C>(id).await?;
    let items = s.cms.revisions(id).await?;
    Ok(json_response(StatusCode::OK, &ListJson { items, next_cursor: None }))
}

async fn restore_revision<C: Content>(
    State(s): State<ApiState>,
    _: Editor,
    KeyVersion(key, version): KeyVersion,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_id(&key)?;
    let old: u64 = version.parse().map_err(|_| ApiError::NotFound(format!("no revision {version:?}")))?;
    let base = base_version::<C>(&s, id, &headers).await?;
    s.cms.restore(id, old, base).await?;
    after_action::<C>(&s, id).await
}

async fn unit_open(
    State(s): State<ApiState>,
    Key(key): Key,
    OriginalUri(uri): OriginalUri,
    q: Result<QueryParams<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = params(q)?;
    let at = match p.get("at") {
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map_err(|_| ApiError::query("at", format!("expected an RFC 3339 time, got {v:?}")))?
            .with_timezone(&Utc),
        None => Utc::now(),
    };
    let record = match lookup_record(&s, Unit::KIND, &key, View::Public).await? {
        Ok(record) => record,
        Err(current) => return Ok(moved(&uri, 1, &current)),
    };
    let unit: Unit = serde_json::from_str(&record.body)
        .map_err(|e| ApiError::Internal(format!("stored unit {}: {e}", record.meta.id)))?;
    let hours = &unit.office_hours;
    let mut res = json_response(
        StatusCode::OK,
        &OpenJson { open: hours.is_open_at(at), next_change: hours.next_change_after(at) },
    );
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

/// Maps the `kind` parameter (API segment or kind name) to a kind.
fn search_kind(value: &str) -> Option<&'static str> {
    match value {
        "news" => Some(NewsArticle::KIND),
        "programmes" | "programme" => Some(Programme::KIND),
        "units" | "unit" => Some(Unit::KIND),
        "pages" | "page" => Some(Page::KIND),
        _ => None,
    }
}

async fn search(
    State(s): State<ApiState>,
    q: Result<QueryParams<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = params(q)?;
    let mut kinds = Vec::new();
    for (k, v) in &p.0 {
        if k == "kind" {
            for part in v.split(',').filter(|x| !x.is_empty()) {
                let kind = search_kind(part).ok_or_else(|| {
                    ApiError::query("kind", format!("unknown kind {part:?} (news, programmes, units, pages)"))
                })?;
                kinds.push(kind.to_owned());
            }
        }
    }
    let limit = p.limit(20, witryna_core::cms::MAX_PAGE)?;
    let offset = match p.get("cursor") {
        Some(c) => c.parse::<usize>().map_err(|_| ApiError::query("cursor", "not a cursor this API handed out"))?,
        None => 0,
    };
    if offset >= SearchQuery::MAX_DEPTH {
        let max = SearchQuery::MAX_DEPTH;
        return Err(ApiError::query("cursor", format!("results go at most {max} deep: a cursor is below {max}")));
    }
    let query = SearchQuery {
        text: p.get("q").unwrap_or_default().to_owned(),
        kinds,
        tag: p.tag()?,
        from: p.instant("from", false)?,
        until: p.instant("to", true)?,
        limit,
        offset,
    };
    let results = s.cms.search(query).await?;
    let mut res = json_response(StatusCode::OK, &results);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

async fn get_settings(State(s): State<ApiState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let item = s
        .cms
        .singleton::<AccessibilitySettings>()
        .await?
        .ok_or_else(|| ApiError::NotFound("the accessibility settings are not set yet".into()))?;
    Ok(item_response(&s, &headers, item, View::Public))
}

async fn put_settings(
    State(s): State<ApiState>,
    _: Admin,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SettingsBody>,
) -> Result<Response, ApiError> {
    check(&body.content)?;
    let exists = s.cms.singleton::<AccessibilitySettings>().await?;
    let expected = match (&exists, if_match(&headers)?) {
        (None, _) => None,
        (Some(_), Some(v)) => Some(v),
        (Some(current), None) if headers.contains_key(header::IF_MATCH) => Some(current.meta.version),
        (Some(_), None) => return Err(ApiError::PreconditionRequired),
    };
    let item = s.cms.save_singleton(body.content, expected).await?;
    let status = if exists.is_some() { StatusCode::OK } else { StatusCode::CREATED };
    Ok(written(status, item, None))
}

async fn create_token(
    State(s): State<ApiState>,
    _: Admin,
    JsonBody(body): JsonBody<TokenBody>,
) -> Result<Response, ApiError> {
    let token = auth::create_token(&s.cms, body.role, &body.name).await.map_err(|e| match e {
        auth::TokenError::Cms(e) => ApiError::Cms(e),
        other => ApiError::Internal(other.to_string()),
    })?;
    Ok(json_response(StatusCode::CREATED, &token))
}

async fn list_tokens(State(s): State<ApiState>, _: Admin) -> Result<Response, ApiError> {
    let items = auth::list_tokens(&s.cms).await?;
    Ok(json_response(StatusCode::OK, &ListJson { items, next_cursor: None }))
}

async fn revoke_token(State(s): State<ApiState>, _: Admin, Key(key): Key) -> Result<Response, ApiError> {
    auth::revoke_token(&s.cms, parse_id(&key)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn serve_openapi() -> Response {
    static DOCUMENT: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    let doc = DOCUMENT
        .get_or_init(|| Bytes::from(serde_json::to_vec(&crate::openapi_document()).expect("document serializes")));
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], doc.clone()).into_response()
}

const LIST_QUERY: &[(&str, &str)] = &[
    ("limit", "page size, 1 to 100 (default 20)"),
    ("cursor", "next_cursor of the previous page"),
    ("tag", "only items with this tag"),
    ("from", "only items published at or after: a date (Europe/Warsaw) or an RFC 3339 time"),
    ("to", "only items published at or before: a date (Europe/Warsaw, whole day) or an RFC 3339 time"),
    ("preview", "true: include drafts, scheduled and archived items (editor token needed)"),
    ("status", "with preview: only draft, published or archived"),
];
const PREVIEW_QUERY: &[(&str, &str)] = &[("preview", "true: also drafts and scheduled items (editor token needed)")];

fn op(method: Method, path: String, summary: String, tag: &str, access: Access) -> Operation {
    Operation {
        method,
        path,
        summary,
        tag: tag.to_owned(),
        access,
        query: &[],
        request: None,
        success: StatusCode::OK,
        response: None,
    }
}

/// Adds the routes of one content kind under `/api/v1/{segment}`.
fn content_routes<C: Content + JsonSchema>(api: &mut ApiBuilder, segment: &str, noun: &str) {
    let base = format!("/api/v1/{segment}");
    let item = api.schema::<ItemJson<C>>();
    let list = api.schema::<ListJson<ItemJson<C>>>();
    let write = api.schema::<WriteBody<C>>();
    let revisions = api.schema::<ListJson<Meta>>();
    let publish = api.schema::<PublishBody>();
    let tag = segment;

    let mut o = op(Method::GET, base.clone(), format!("List published {noun}, newest first"), tag, Access::Public);
    o.query = LIST_QUERY;
    o.response = Some(list);
    api.add(o, list_items::<C>);

    let mut o = op(Method::POST, base.clone(), format!("Create a {noun} draft"), tag, Access::Editor);
    o.request = Some(write.clone());
    o.success = StatusCode::CREATED;
    o.response = Some(item.clone());
    api.add(o, create_item::<C>);

    let key = format!("{base}/{{key}}");
    let mut o =
        op(Method::GET, key.clone(), format!("A {noun} by slug or id (old slugs answer 301)"), tag, Access::Public);
    o.query = PREVIEW_QUERY;
    o.response = Some(item.clone());
    api.add(o, get_item::<C>);

    let mut o =
        op(Method::PUT, key.clone(), format!("Replace a {noun}'s content (If-Match required)"), tag, Access::Editor);
    o.request = Some(write);
    o.response = Some(item.clone());
    api.add(o, update_item::<C>);

    let mut o = op(Method::DELETE, key.clone(), format!("Delete a {noun} with its revisions"), tag, Access::Editor);
    o.success = StatusCode::NO_CONTENT;
    api.add(o, delete_item::<C>);

    let mut o = op(
        Method::POST,
        format!("{key}/publish"),
        format!("Publish a {noun} now or at publish_at"),
        tag,
        Access::Editor,
    );
    o.request = Some(publish);
    o.response = Some(item.clone());
    api.add(o, publish_item::<C>);

    let mut o =
        op(Method::POST, format!("{key}/unpublish"), format!("Take a {noun} back to draft"), tag, Access::Editor);
    o.response = Some(item.clone());
    api.add(o, unpublish_item::<C>);

    let mut o = op(Method::POST, format!("{key}/archive"), format!("Archive a {noun}"), tag, Access::Editor);
    o.response = Some(item.clone());
    api.add(o, archive_item::<C>);

    let mut o =
        op(Method::GET, format!("{key}/revisions"), format!("Versions of a {noun}, oldest first"), tag, Access::Editor);
    o.response = Some(revisions);
    api.add(o, list_revisions::<C>);

    let mut o = op(
        Method::POST,
        format!("{key}/revisions/{{version}}/restore"),
        format!("Restore an old version of a {noun} as a new version"),
        tag,
        Access::Editor,
    );
    o.response = Some(item);
    api.add(o, restore_revision::<C>);
}

/// Every route of the API, documented.
pub(crate) fn build() -> ApiBuilder {
    let settings = schemars::generate::SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
    });
    let mut api = ApiBuilder { router: Router::new(), ops: Vec::new(), schemas: settings.into_generator() };
    content_routes::<NewsArticle>(&mut api, "news", "news item");
    content_routes::<Programme>(&mut api, "programmes", "programme");
    content_routes::<Unit>(&mut api, "units", "unit");
    content_routes::<Page>(&mut api, "pages", "page");

    let mut o = op(
        Method::GET,
        "/api/v1/units/{key}/open".into(),
        "Whether a unit is open at a time (default now) and when that changes".into(),
        "units",
        Access::Public,
    );
    o.query = &[("at", "RFC 3339 time; default now")];
    o.response = Some(api.schema::<OpenJson>());
    api.add(o, unit_open);

    let mut o = op(
        Method::GET,
        "/api/v1/search".into(),
        "Full-text search of published items (Polish-aware: case, diacritics, inflection)".into(),
        "search",
        Access::Public,
    );
    o.query = &[
        ("q", "plain words (no query syntax; cut at 200 characters)"),
        ("kind", "news, programmes, units, pages (comma-separated or repeated)"),
        ("tag", "only items with this tag"),
        ("from", "published at or after: a date or an RFC 3339 time"),
        ("to", "published at or before: a date (whole day) or an RFC 3339 time"),
        ("limit", "1 to 100 (default 20)"),
        ("cursor", "next_cursor of the previous page"),
    ];
    o.response = Some(api.schema::<SearchResults>());
    api.add(o, search);

    let item = api.schema::<ItemJson<AccessibilitySettings>>();
    let mut o = op(
        Method::GET,
        "/api/v1/settings/accessibility".into(),
        "The site's accessibility settings".into(),
        "settings",
        Access::Public,
    );
    o.response = Some(item.clone());
    api.add(o, get_settings);
    let mut o = op(
        Method::PUT,
        "/api/v1/settings/accessibility".into(),
        "Set the accessibility settings (If-Match required once they exist)".into(),
        "settings",
        Access::Admin,
    );
    o.request = Some(api.schema::<SettingsBody>());
    o.response = Some(item);
    api.add(o, put_settings);

    let mut o =
        op(Method::GET, "/api/v1/openapi.json".into(), "This OpenAPI 3.1 document".into(), "meta", Access::Public);
    o.response = Some(schemars::json_schema!({"type": "object"}));
    api.add(o, serve_openapi);

    let mut o = op(
        Method::POST,
        "/api/v1/tokens".into(),
        "Create an API token (its secret is shown once)".into(),
        "tokens",
        Access::Admin,
    );
    o.request = Some(api.schema::<TokenBody>());
    o.success = StatusCode::CREATED;
    o.response = Some(api.schema::<NewToken>());
    api.add(o, create_token);
    let mut o = op(
        Method::GET,
        "/api/v1/tokens".into(),
        "List API tokens (never their secrets)".into(),
        "tokens",
        Access::Admin,
    );
    o.response = Some(api.schema::<ListJson<TokenInfo>>());
    api.add(o, list_tokens);
    let mut o =
        op(Method::DELETE, "/api/v1/tokens/{key}".into(), "Revoke an API token".into(), "tokens", Access::Admin);
    o.success = StatusCode::NO_CONTENT;
    api.add(o, revoke_token);
    api
}
