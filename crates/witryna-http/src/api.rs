//! The route table: every operation of the API once, with who may call it, what it takes
//! and what it answers. The router, the access checks and the OpenAPI document are all
//! made from it ([`Api::into_router`], [`Api::document`]), so they cannot drift apart.
//! Every registered kind gets its routes from [`build`]: collections the item routes,
//! singletons GET and PUT, internal kinds none.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, OriginalUri, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::{Extension, Router};
use chrono::{DateTime, Utc};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use witryna_core::audit::{Actor, AuditAction, AuditEntry, AuditQuery};
use witryna_core::content::Media;
use witryna_core::content::Unit;
use witryna_core::search::{SearchQuery, SearchResults};
use witryna_core::{Content, FieldError, Kind, Kinds, Meta, View};

use crate::auth::{self, NewToken, Role, TokenInfo};
use crate::error::ApiError;
use crate::extract::{JsonBody, Params};
use crate::items::Writer;
use crate::items::{self, PathParams, PublishBody, ReasonBody, RecordBody, SingletonBody, TranslationBody, WriteBody};
use crate::respond::TranslationJson;
use crate::respond::{is_rfc3339_instant, json_response, moved, ListJson};
use crate::ApiState;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone.
    Public,
    /// Anyone; with `preview=true` and an editor token, drafts, scheduled and archived
    /// items too.
    Preview,
    /// A token with the editor (or admin) role.
    Editor,
    /// A token with the admin role.
    Admin,
}

/// Whether an operation evaluates `If-Match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precondition {
    /// It does not.
    None,
    /// When given: 412 unless it names the item's current ETag.
    Optional,
    /// Always: 428 without it, 412 unless it names the item's current ETag.
    Required,
}

/// A documented query parameter.
pub(crate) struct Param {
    pub(crate) name: &'static str,
    pub(crate) description: String,
    /// JSON Schema of the value.
    pub(crate) schema: Value,
    /// Given as repeated `name=value` pairs (an array).
    pub(crate) repeated: bool,
}

fn param(name: &'static str, description: impl Into<String>, schema: Value) -> Param {
    Param { name, description: description.into(), schema, repeated: false }
}

/// One documented operation.
pub(crate) struct Operation {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) summary: String,
    pub(crate) tag: String,
    pub(crate) access: Access,
    pub(crate) query: Vec<Param>,
    pub(crate) if_match: Precondition,
    pub(crate) request: Option<Schema>,
    /// The media type of the request body.
    pub(crate) request_type: &'static str,
    /// The request body may be left out.
    pub(crate) request_optional: bool,
    /// The statuses of success, each answered with `response`.
    pub(crate) success: &'static [StatusCode],
    pub(crate) response: Option<Schema>,
    /// A read that answers 304 when `If-None-Match` names its current ETag.
    pub(crate) conditional: bool,
    /// A read by `{key}` that answers an old slug with 301 to the current one.
    pub(crate) redirects_old_slugs: bool,
}

fn op(method: Method, path: String, summary: String, tag: &str, access: Access) -> Operation {
    Operation {
        method,
        path,
        summary,
        tag: tag.to_owned(),
        access,
        query: Vec::new(),
        if_match: Precondition::None,
        request: None,
        request_type: "application/json",
        request_optional: false,
        success: &[StatusCode::OK],
        response: None,
        conditional: false,
        redirects_old_slugs: false,
    }
}

/// An operation and the handler that serves it.
struct Route {
    op: Operation,
    handler: MethodRouter<ApiState>,
}

/// The route table and the JSON Schemas its operations refer to.
pub(crate) struct Api {
    routes: Vec<Route>,
    schemas: SchemaGenerator,
}

impl Api {
    /// Adds an operation; a kind's routes get the [`Kind`] as an [`Extension`].
    fn add<H, T>(&mut self, op: Operation, kind: Option<Kind>, handler: H)
    where
        H: axum::handler::Handler<T, ApiState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(op.method.clone()).expect("standard method");
        let mut handler = on(filter, handler);
        if let Some(kind) = kind {
            handler = handler.layer(Extension(kind));
        }
        self.routes.push(Route { op, handler });
    }

    fn schema<T: JsonSchema>(&mut self) -> Schema {
        self.schemas.subschema_for::<T>()
    }

    /// The router: each route behind the check of its operation's [`Access`].
    pub(crate) fn into_router(self, state: &ApiState) -> Router<ApiState> {
        let mut router = Router::new();
        for Route { op, handler } in self.routes {
            let access = op.access;
            let gate = middleware::from_fn_with_state(
                state.clone(),
                move |State(s): State<ApiState>, req: Request, next: Next| enforce(s, access, req, next),
            );
            router = router.route(&op.path, handler.route_layer(gate));
        }
        router
    }

    /// The OpenAPI 3.1 document.
    pub(crate) fn document(mut self) -> Value {
        let field_error = self.schema::<FieldError>();
        let schemas = self.schemas.take_definitions(true);
        let ops: Vec<Operation> = self.routes.into_iter().map(|r| r.op).collect();
        crate::openapi::document(&ops, schemas, field_error)
    }
}

/// The one path every token check takes. A valid token is always accepted, even from an
/// address that is being slowed down (editors behind the same proxy as a guesser keep
/// working); no `Authorization` at all is a plain 401 and counts for nothing; only a wrong
/// secret counts as a failure, and once an address has too many, its wrong secrets get 429.
async fn authorize(s: &ApiState, headers: &HeaderMap, ip: Option<IpAddr>, needed: Role) -> Result<TokenInfo, ApiError> {
    let secret = auth::bearer(headers).ok_or(ApiError::Unauthenticated)?;
    match auth::authenticate(&s.0.cms, secret).await? {
        Some(token) if token.role < needed => {
            Err(ApiError::Forbidden { role: token.role.as_str(), needed: needed.as_str() })
        }
        Some(token) => Ok(token),
        None => {
            let retry_after = ip.and_then(|ip| s.0.failed_logins.record(ip));
            Err(retry_after.map_or(ApiError::Unauthenticated, |retry_after| ApiError::TooManyFailures { retry_after }))
        }
    }
}

/// What a request may see under an operation's access, checked before the handler runs
/// (and before a body is read): writes need a token of their role, a `preview=true` read
/// an editor's. With a token, also who writes.
async fn view_for(
    s: &ApiState,
    access: Access,
    uri: &Uri,
    headers: &HeaderMap,
    ip: Option<IpAddr>,
) -> Result<(View, Writer), ApiError> {
    let needed = match access {
        Access::Public => return Ok((View::Public, Writer(None))),
        Access::Preview if !Params::of(uri)?.flag("preview")? => return Ok((View::Public, Writer(None))),
        Access::Preview | Access::Editor => Role::Editor,
        Access::Admin => Role::Administrator,
    };
    let token = authorize(s, headers, ip, needed).await?;
    let actor =
        Actor { id: Some(token.id), name: auth::acting_name(&token.name), address: ip.map(|ip| ip.to_string()) };
    Ok((View::Editor, Writer(Some(Arc::new(actor)))))
}

/// The access layer of every route: the handler gets the [`View`] and the [`Writer`] as
/// extensions.
async fn enforce(s: ApiState, access: Access, mut req: Request, next: Next) -> Response {
    let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    match view_for(&s, access, req.uri(), req.headers(), ip).await {
        Ok((view, writer)) => {
            req.extensions_mut().insert(view);
            req.extensions_mut().insert(writer);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

/// A page of `items` as JSON Schema (the shape of [`ListJson`]).
fn list_schema(items: Schema) -> Schema {
    json_schema!({
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": items},
            "next_cursor": {"type": ["string", "null"], "description": "cursor of the next page; null on the last"}
        }
    })
}

/// An item as answered: its metadata and, under `content`, its kind's content.
fn item_schema(api: &mut Api, content: &Schema) -> Schema {
    let meta = api.schema::<Meta>();
    let translation = api.schema::<TranslationJson<'static>>();
    json_schema!({
        "description": "an item: its metadata and its content; reads also list the other languages of its translation group",
        "allOf": [meta, {"type": "object", "required": ["content"], "properties": {
            "content": content,
            "translations": {"type": "array", "items": translation,
                "description": "reads only: the item's source and sibling translations (the public sees published ones)"}
        }}]
    })
}

/// A body type's schema with the kind's content schema as its `content`.
fn with_content<T: JsonSchema>(g: &mut SchemaGenerator, content: &Schema) -> Schema {
    let mut schema = T::json_schema(g);
    schema.ensure_object().entry("properties").or_insert_with(|| json!({}))["content"] = content.clone().into();
    schema
}

/// Answer of the office-hours query.
#[derive(Debug, Serialize, JsonSchema)]
struct OpenJson {
    /// Whether the unit is open at the time.
    open: bool,
    /// When it next opens or closes; null when that is not within the office hours'
    /// lookahead (over a year), or not before the year 10000.
    next_change: Option<DateTime<Utc>>,
}

/// Body of token creation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    role: Role,
    /// Who or what it is for (not blank).
    #[serde(default = "default_token_name")]
    #[schemars(length(min = 1, max = auth::MAX_NAME_CHARS))]
    name: String,
}

fn default_token_name() -> String {
    "token".into()
}

async fn unit_open(
    State(s): State<ApiState>,
    params: PathParams,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let p = Params::of(&uri)?;
    let at = match p.get("at") {
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map_err(|_| ApiError::query("at", format!("expected an RFC 3339 time, got {v:?}")))?
            .with_timezone(&Utc),
        None => Utc::now(),
    };
    let locale = p.locale(s.0.cms.locales())?;
    let record = match items::lookup_record(&s, Unit::KIND, locale, params.get("key"), View::Public).await? {
        Ok(record) => record,
        Err(current) => return Ok(moved(&uri, 1, &current)),
    };
    let unit: Unit = serde_json::from_str(&record.body)
        .map_err(|e| ApiError::Internal(format!("stored unit {}: {e}", record.meta.id)))?;
    let hours = &unit.office_hours;
    let mut res = json_response(
        StatusCode::OK,
        &OpenJson {
            open: hours.is_open_at(at),
            next_change: hours.next_change_after(at).filter(|t| is_rfc3339_instant(*t)),
        },
    );
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-cache"));
    Ok(res)
}

/// The values `/search?kind=` takes: the API segment and the name of every searched kind.
fn search_kind_values(kinds: &Kinds) -> Vec<&'static str> {
    let mut values = Vec::new();
    for kind in kinds.iter().filter(|k| k.is_searched()) {
        for value in kind.spec().map(|s| s.api_segment).into_iter().chain([kind.name()]) {
            if !values.contains(&value) {
                values.push(value);
            }
        }
    }
    values
}

async fn search(State(s): State<ApiState>, uri: Uri) -> Result<Response, ApiError> {
    let p = Params::of(&uri)?;
    let registry = s.0.cms.kinds();
    let mut kinds = Vec::new();
    for part in p.all("kind").flat_map(|v| v.split(',')).filter(|x| !x.is_empty()) {
        let kind = registry
            .iter()
            .filter(|k| k.is_searched())
            .find(|k| k.name() == part || k.spec().is_some_and(|spec| spec.api_segment == part))
            .ok_or_else(|| {
                let known = search_kind_values(registry).join(", ");
                ApiError::query("kind", format!("unknown kind {part:?} ({known})"))
            })?;
        kinds.push(kind.name().to_owned());
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
        locale: p.locale(s.0.cms.locales())?.to_owned(),
    };
    let results = s.0.cms.search(query).await?;
    let mut res = json_response(StatusCode::OK, &results);
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-cache"));
    Ok(res)
}

async fn create_token(
    State(s): State<ApiState>,
    Extension(writer): Extension<Writer>,
    JsonBody(body): JsonBody<TokenBody>,
) -> Result<Response, ApiError> {
    let token = auth::create_token(&writer.cms(&s), body.role, &body.name).await.map_err(|e| match e {
        auth::TokenError::Cms(e) => ApiError::Cms(e),
        other => ApiError::Internal(other.to_string()),
    })?;
    Ok(json_response(StatusCode::CREATED, &token))
}

async fn list_tokens(State(s): State<ApiState>) -> Result<Response, ApiError> {
    let items = auth::list_tokens(&s.0.cms).await?;
    Ok(json_response(StatusCode::OK, &ListJson { items, next_cursor: None }))
}

async fn revoke_token(
    State(s): State<ApiState>,
    Extension(writer): Extension<Writer>,
    params: PathParams,
) -> Result<Response, ApiError> {
    let key = params.get("id");
    let id = key.parse().map_err(|_| ApiError::NotFound(format!("no token with id {key:?}")))?;
    auth::revoke_token(&writer.cms(&s), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Body of a new webhook endpoint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct WebhookBody {
    /// What it is for (1 to 100 characters).
    #[schemars(length(min = 1, max = 100))]
    name: String,
    /// Where deliveries are POSTed: `https://…` (or `http://`); not a loopback, private or
    /// link-local address.
    #[schemars(length(max = 2048))]
    url: String,
    /// The events it gets; empty or absent: all.
    #[serde(default)]
    events: Vec<String>,
    /// The signing secret, `whsec_` and base64 of 24 to 64 bytes; a random one when absent.
    #[serde(default)]
    secret: Option<String>,
}

/// An endpoint as the API answers it: its id, metadata and content (its secret included:
/// administrators give it to the receiver).
#[derive(Debug, Serialize, JsonSchema)]
struct WebhookJson {
    id: witryna_core::Id,
    created_at: DateTime<Utc>,
    #[serde(flatten)]
    webhook: witryna_webhooks::Webhook,
}

fn webhook_json(item: witryna_core::Item<witryna_webhooks::Webhook>) -> WebhookJson {
    WebhookJson { id: item.meta.id, created_at: item.meta.created_at, webhook: item.content }
}

async fn create_webhook(
    State(s): State<ApiState>,
    Extension(writer): Extension<Writer>,
    JsonBody(body): JsonBody<WebhookBody>,
) -> Result<Response, ApiError> {
    let new = witryna_webhooks::NewWebhook { name: body.name, url: body.url, events: body.events, secret: body.secret };
    let item = witryna_webhooks::create(&writer.cms(&s), new, s.0.config.webhooks_allow_private).await.map_err(
        |e| match e {
            witryna_webhooks::WebhookError::Refused(reason) => ApiError::body_field("url", "refused_address", reason),
            witryna_webhooks::WebhookError::Cms(e) => ApiError::Cms(e),
            other => ApiError::Internal(other.to_string()),
        },
    )?;
    Ok(json_response(StatusCode::CREATED, &webhook_json(item)))
}

async fn list_webhooks(State(s): State<ApiState>) -> Result<Response, ApiError> {
    let items = witryna_webhooks::list(&s.0.cms).await?.into_iter().map(webhook_json).collect();
    Ok(json_response(StatusCode::OK, &ListJson { items, next_cursor: None }))
}

fn webhook_id(params: &PathParams) -> Result<witryna_core::Id, ApiError> {
    let key = params.get("id");
    key.parse().map_err(|_| ApiError::NotFound(format!("no webhook with id {key:?}")))
}

async fn remove_webhook(
    State(s): State<ApiState>,
    Extension(writer): Extension<Writer>,
    params: PathParams,
) -> Result<Response, ApiError> {
    witryna_webhooks::remove(&writer.cms(&s), webhook_id(&params)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An endpoint's delivery log, newest first; `next_cursor` continues below the page.
async fn webhook_deliveries(State(s): State<ApiState>, params: PathParams, uri: Uri) -> Result<Response, ApiError> {
    let id = webhook_id(&params)?;
    s.0.cms.get::<witryna_webhooks::Webhook>(id).await?;
    let p = Params::of(&uri)?;
    let before = match p.get("cursor") {
        Some(c) => Some(c.parse().map_err(|_| ApiError::query("cursor", "not a cursor this API handed out"))?),
        None => None,
    };
    let limit = p.limit(50, witryna_core::cms::MAX_PAGE)?;
    let items = witryna_webhooks::deliveries(&s.0.cms, id, before, limit).await?;
    let next_cursor = (items.len() == limit).then(|| items.last().map(|d| d.id.to_string())).flatten();
    let mut res = json_response(StatusCode::OK, &ListJson { items, next_cursor });
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

/// The audit log, newest first, filtered; `next_cursor` continues below the page's last entry.
async fn audit_log(State(s): State<ApiState>, uri: Uri) -> Result<Response, ApiError> {
    let p = Params::of(&uri)?;
    let id = |name: &str| -> Result<Option<witryna_core::Id>, ApiError> {
        p.get(name)
            .map(|v| v.parse().map_err(|_| ApiError::query(name, format!("expected an id (UUID), got {v:?}"))))
            .transpose()
    };
    let action = match p.get("action") {
        Some(v) => Some(AuditAction::parse(v).ok_or_else(|| {
            let known: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
            ApiError::query("action", format!("unknown action {v:?} ({})", known.join(", ")))
        })?),
        None => None,
    };
    let before = match p.get("cursor") {
        Some(c) => Some(c.parse::<u64>().map_err(|_| ApiError::query("cursor", "not a cursor this API handed out"))?),
        None => None,
    };
    let limit = p.limit(50, witryna_core::cms::MAX_PAGE)?;
    let query = AuditQuery {
        actor: id("actor")?,
        item: id("item")?,
        action,
        from: p.instant("from", false)?,
        until: p.instant("to", true)?,
        public_only: false,
        before,
        limit,
    };
    let items = s.0.cms.audit(&query).await?;
    let next_cursor = (items.len() == limit).then(|| items.last().map(|e| e.seq.to_string())).flatten();
    let mut res = json_response(StatusCode::OK, &ListJson { items, next_cursor });
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn serve_openapi(State(s): State<ApiState>) -> Response {
    crate::respond::bytes_response(StatusCode::OK, s.0.openapi.clone())
}

fn limit_param() -> Param {
    let max = witryna_core::cms::MAX_PAGE;
    param("limit", "page size (default 20)", json!({"type": "integer", "minimum": 1, "maximum": max}))
}

/// `locale`: the language of slugs and lists (default `pl`); a language the site has turned
/// off is refused (400, naming `locale`).
fn locale_param() -> Param {
    let codes: Vec<&str> = witryna_core::locales::OFFERED.iter().map(|l| l.code).collect();
    let description = "language of the list or of the slug (default pl); one the site has turned on";
    param("locale", description, json!({"type": "string", "enum": codes}))
}

fn cursor_param() -> Param {
    param("cursor", "next_cursor of the previous page", json!({"type": "string"}))
}

fn tag_param() -> Param {
    let max = witryna_core::cms::MAX_TAG_CHARS;
    // No control characters (Unicode Cc), as stored tags: `Params::tag` refuses them.
    let schema = json!({"type": "string", "maxLength": max, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"});
    param("tag", "only items with this tag (case-insensitive)", schema)
}

/// `from` and `to`: a date (Europe/Warsaw; `to` takes the whole day) or an RFC 3339 time.
fn time_params() -> [Param; 2] {
    let schema = json!({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]});
    [
        param("from", "published at or after: a date (Europe/Warsaw) or an RFC 3339 time", schema.clone()),
        param("to", "published at or before: a date (Europe/Warsaw, the whole day) or an RFC 3339 time", schema),
    ]
}

/// A workflow step on one item: `POST {key}/{action}`, for editors, `If-Match` optional,
/// answered with the item as committed.
fn step_op(key: &str, action: &str, summary: String, segment: &str, item: &Schema) -> Operation {
    let mut o = op(Method::POST, format!("{key}/{action}"), summary, segment, Access::Editor);
    o.if_match = Precondition::Optional;
    o.response = Some(item.clone());
    o.query = vec![locale_param()];
    o
}

/// The form of an upload.
fn upload_schema() -> Schema {
    let schema = json!({
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "contentMediaType": "application/octet-stream",
                     "description": "JPEG, PNG, WebP, GIF, PDF, DOCX, ODT, XLSX, ODS, TXT, MP4 or WebM; the type is read from the bytes, and the name's extension must match"},
            "title": {"type": "string", "maxLength": 4096, "description": "required for documents: the link text"},
            "alt": {"type": "string", "maxLength": 4096, "description": "an image's default alternative text"}
        }
    });
    Schema::try_from(schema).expect("an object is a schema")
}

/// Adds the routes of a collection kind under `/api/v1/{segment}`.
fn collection_routes(api: &mut Api, kind: Kind, segment: &str) {
    let (base, noun) = (format!("/api/v1/{segment}"), kind.name());
    let content = kind.schema(&mut api.schemas);
    let item = item_schema(api, &content);
    let write = with_content::<WriteBody>(&mut api.schemas, &content);
    let revisions = list_schema(api.schema::<Meta>());
    let publish = api.schema::<PublishBody>();
    let k = Some(kind);

    let mut o = op(Method::GET, base.clone(), format!("List {noun} items, newest first"), segment, Access::Preview);
    o.query = vec![limit_param(), cursor_param(), tag_param(), locale_param()];
    o.query.extend(time_params());
    o.query.push(param(
        "status",
        "with preview: only items in this status",
        json!({"type": "string", "enum": ["draft", "published", "archived"]}),
    ));
    o.response = Some(list_schema(item.clone()));
    o.conditional = true;
    api.add(o, k, items::list_items);

    if noun == Media::KIND {
        let summary = "Upload a file (multipart/form-data): 201 with its new media item, 200 with the item that \
                       already holds the same bytes; refused types 415, too large 413, damaged or mislabelled 422";
        let mut o = op(Method::POST, base.clone(), summary.to_owned(), segment, Access::Editor);
        o.request = Some(upload_schema());
        o.request_type = "multipart/form-data";
        o.success = &[StatusCode::CREATED, StatusCode::OK];
        o.response = Some(item.clone());
        api.add(o, k, items::upload_media);
    } else {
        let mut o = op(Method::POST, base.clone(), format!("Create a {noun} draft"), segment, Access::Editor);
        o.request = Some(write.clone());
        o.success = &[StatusCode::CREATED];
        o.response = Some(item.clone());
        api.add(o, k, items::create_item);
    }

    let key = format!("{base}/{{key}}");
    let mut o = op(
        Method::GET,
        key.clone(),
        format!("A {noun} item by slug or id (old slugs answer 301)"),
        segment,
        Access::Preview,
    );
    o.response = Some(item.clone());
    o.conditional = true;
    o.redirects_old_slugs = true;
    o.query = vec![locale_param()];
    api.add(o, k, items::get_item);

    if kind.is_translatable() {
        let summary = format!(
            "Create a {noun} draft translating the {{key}} item (its Polish source) into the body's locale; \
             409 when that locale has one"
        );
        let mut o = op(Method::POST, format!("{key}/translations"), summary, segment, Access::Editor);
        o.request = Some(with_content::<TranslationBody>(&mut api.schemas, &content));
        o.success = &[StatusCode::CREATED];
        o.query = vec![locale_param()];
        o.response = Some(item.clone());
        api.add(o, k, items::create_translation);
    }

    let summary = format!("Replace a {noun} item's content, and its slug when given, in one commit");
    let mut o = op(Method::PUT, key.clone(), summary, segment, Access::Editor);
    o.query = vec![locale_param()];
    o.if_match = Precondition::Required;
    o.request = Some(write);
    o.response = Some(item.clone());
    api.add(o, k, items::update_item);

    let reason = api.schema::<ReasonBody>();
    let mut o =
        op(Method::DELETE, key.clone(), format!("Delete a {noun} item with its revisions"), segment, Access::Editor);
    o.if_match = Precondition::Optional;
    o.success = &[StatusCode::NO_CONTENT];
    o.query = vec![locale_param()];
    o.request = Some(reason.clone());
    o.request_optional = true;
    api.add(o, k, items::delete_item);

    let summary = format!(
        "Replace the editable fields of a {noun} item's metryczka (producer, responsible person, date produced); \
         a public item needs a reason"
    );
    let mut o = op(Method::PUT, format!("{key}/record"), summary, segment, Access::Editor);
    o.query = vec![locale_param()];
    o.if_match = Precondition::Optional;
    o.request = Some(api.schema::<RecordBody>());
    o.response = Some(item.clone());
    api.add(o, k, items::update_record_fields);

    let summary = format!("Publish a {noun} item now or at publish_at (the body is optional)");
    let mut o = step_op(&key, "publish", summary, segment, &item);
    o.request = Some(publish);
    o.request_optional = true;
    api.add(o, k, items::publish_item);
    let with_reason = |o: Operation| Operation { request: Some(reason.clone()), request_optional: true, ..o };
    let summary = format!("Take a {noun} item back to draft");
    api.add(with_reason(step_op(&key, "unpublish", summary, segment, &item)), k, items::unpublish_item);
    let o = with_reason(step_op(&key, "archive", format!("Archive a {noun} item"), segment, &item));
    api.add(o, k, items::archive_item);
    let summary = format!("Restore an old version of a {noun} item as a new version");
    let o = with_reason(step_op(&key, "revisions/{version}/restore", summary, segment, &item));
    api.add(o, k, items::restore_revision);

    let mut o = op(
        Method::GET,
        format!("{key}/revisions"),
        format!("Versions of a {noun} item, oldest first"),
        segment,
        Access::Editor,
    );
    o.response = Some(revisions);
    o.query = vec![locale_param()];
    api.add(o, k, items::list_revisions);
}

/// Adds GET and PUT of a singleton kind at `/api/v1/{segment}`.
fn singleton_routes(api: &mut Api, kind: Kind, segment: &str) {
    let path = format!("/api/v1/{segment}");
    let content = kind.schema(&mut api.schemas);
    let item = item_schema(api, &content);
    let tag = segment.split('/').next().unwrap_or(segment);
    let mut o = op(Method::GET, path.clone(), format!("The site's {}", kind.name()), tag, Access::Public);
    o.response = Some(item.clone());
    o.conditional = true;
    api.add(o, Some(kind), items::get_singleton);

    let summary = format!("Save the {} (If-Match required once saved; the first save answers 201)", kind.name());
    let mut o = op(Method::PUT, path, summary, tag, Access::Admin);
    o.if_match = Precondition::Optional;
    o.request = Some(with_content::<SingletonBody>(&mut api.schemas, &content));
    o.success = &[StatusCode::OK, StatusCode::CREATED];
    o.response = Some(item);
    api.add(o, Some(kind), items::put_singleton);
}

/// Every route of the API for a registry of kinds, documented.
pub(crate) fn build(kinds: &Kinds) -> Api {
    let settings = schemars::generate::SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
    });
    let mut api = Api { routes: Vec::new(), schemas: settings.into_generator() };
    for kind in kinds.iter() {
        match kind.spec() {
            Some(spec) if kind.is_singleton() => singleton_routes(&mut api, *kind, spec.api_segment),
            Some(spec) => collection_routes(&mut api, *kind, spec.api_segment),
            None => {} // internal kinds (API tokens) have no routes of their own
        }
    }

    if let Some(spec) = kinds.get(Unit::KIND).filter(|k| k.is_collection()).and_then(Kind::spec) {
        let segment = spec.api_segment;
        let mut o = op(
            Method::GET,
            format!("/api/v1/{segment}/{{key}}/open"),
            "Whether a unit is open at a time (default now) and when that changes".into(),
            segment,
            Access::Public,
        );
        o.query = vec![
            param("at", "the time; now when absent", json!({"type": "string", "format": "date-time"})),
            locale_param(),
        ];
        o.response = Some(api.schema::<OpenJson>());
        o.redirects_old_slugs = true;
        api.add(o, None, unit_open);
    }

    let mut o = op(
        Method::GET,
        "/api/v1/search".into(),
        "Full-text search of published items in every language, the reader's (locale) first; Polish-aware (case, diacritics, inflection), English stemmed, Ukrainian apostrophes folded".into(),
        "search",
        Access::Public,
    );
    let kind_values = search_kind_values(kinds);
    o.query = vec![
        param(
            "q",
            format!("plain words (no query syntax; cut at {} characters)", SearchQuery::MAX_CHARS),
            json!({"type": "string"}),
        ),
        Param {
            name: "kind",
            description: "only these kinds, by API segment or kind name (repeated or comma-separated)".into(),
            schema: json!({"type": "array", "items": {"type": "string", "enum": kind_values}}),
            repeated: true,
        },
        tag_param(),
    ];
    o.query.extend(time_params());
    o.query.push(limit_param());
    o.query.push(locale_param());
    let deepest = SearchQuery::MAX_DEPTH - 1;
    o.query.push(param(
        "cursor",
        "next_cursor of the previous page (how many hits it skips)",
        json!({"type": "integer", "minimum": 0, "maximum": deepest}),
    ));
    o.response = Some(api.schema::<SearchResults>());
    api.add(o, None, search);

    let mut o =
        op(Method::GET, "/api/v1/openapi.json".into(), "This OpenAPI 3.1 document".into(), "meta", Access::Public);
    o.response = Some(json_schema!({"type": "object"}));
    api.add(o, None, serve_openapi);

    let mut o = op(
        Method::POST,
        "/api/v1/tokens".into(),
        "Create an API token (its secret is shown once)".into(),
        "tokens",
        Access::Admin,
    );
    o.request = Some(api.schema::<TokenBody>());
    o.success = &[StatusCode::CREATED];
    o.response = Some(api.schema::<NewToken>());
    api.add(o, None, create_token);
    let mut o = op(
        Method::GET,
        "/api/v1/tokens".into(),
        "List API tokens (never their secrets)".into(),
        "tokens",
        Access::Admin,
    );
    o.response = Some(list_schema(api.schema::<TokenInfo>()));
    api.add(o, None, list_tokens);
    let mut o = op(Method::DELETE, "/api/v1/tokens/{id}".into(), "Revoke an API token".into(), "tokens", Access::Admin);
    o.success = &[StatusCode::NO_CONTENT];
    api.add(o, None, revoke_token);

    let summary = "The audit log, newest first: logins, account and token changes, every item change, settings \
                   and imports — who (account, address), what, which item, when, why. Read-only: no route changes \
                   or removes an entry";
    let mut o = op(Method::GET, "/api/v1/audit".into(), summary.into(), "audit", Access::Admin);
    let actions: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
    let uuid = json!({"type": "string", "format": "uuid"});
    let schema = json!({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]});
    o.query = vec![
        param("actor", "only entries of this account (a user's or token's id)", uuid.clone()),
        param("item", "only entries about this item", uuid),
        param("action", "only this action", json!({"type": "string", "enum": actions})),
        param("from", "at or after: a date (Europe/Warsaw) or an RFC 3339 time", schema.clone()),
        param("to", "at or before: a date (Europe/Warsaw, the whole day) or an RFC 3339 time", schema),
        param("cursor", "next_cursor of the previous page", json!({"type": "string", "pattern": "^[0-9]+$"})),
        param(
            "limit",
            "page size (default 50)",
            json!({"type": "integer", "minimum": 1, "maximum": witryna_core::cms::MAX_PAGE}),
        ),
    ];
    o.response = Some(list_schema(api.schema::<AuditEntry>()));
    api.add(o, None, audit_log);

    let events = witryna_webhooks::EVENTS.join(", ");
    let summary = format!(
        "Register a webhook endpoint for events ({events}): 201 with its secret; an endpoint on a loopback, \
         private or link-local address is refused (422 naming url)"
    );
    let mut o = op(Method::POST, "/api/v1/webhooks".into(), summary, "webhooks", Access::Admin);
    o.request = Some(api.schema::<WebhookBody>());
    o.success = &[StatusCode::CREATED];
    o.response = Some(api.schema::<WebhookJson>());
    api.add(o, None, create_webhook);
    let mut o = op(Method::GET, "/api/v1/webhooks".into(), "List webhook endpoints".into(), "webhooks", Access::Admin);
    o.response = Some(list_schema(api.schema::<WebhookJson>()));
    api.add(o, None, list_webhooks);
    let summary = "Remove a webhook endpoint (its pending deliveries are given up)".to_owned();
    let mut o = op(Method::DELETE, "/api/v1/webhooks/{id}".into(), summary, "webhooks", Access::Admin);
    o.success = &[StatusCode::NO_CONTENT];
    api.add(o, None, remove_webhook);
    let summary = "An endpoint's delivery log, newest first: each delivery's event, attempts, last answer and \
                   next attempt"
        .to_owned();
    let mut o = op(Method::GET, "/api/v1/webhooks/{id}/deliveries".into(), summary, "webhooks", Access::Admin);
    o.query = vec![
        param("cursor", "next_cursor of the previous page", json!({"type": "string", "format": "uuid"})),
        param(
            "limit",
            "page size (default 50)",
            json!({"type": "integer", "minimum": 1, "maximum": witryna_core::cms::MAX_PAGE}),
        ),
    ];
    o.response = Some(list_schema(api.schema::<witryna_core::audit::Delivery>()));
    api.add(o, None, webhook_deliveries);
    api
}
