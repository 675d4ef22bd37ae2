//! The handlers of every registered kind, kind-erased: each route carries its [`Kind`]
//! (an [`Extension`]), content is checked by the kind and answered from the stored JSON.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, OriginalUri, RawPathParams, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;
use witryna_core::audit::Actor;
use witryna_core::cms::RecordFields;
use witryna_core::{Checked, Cms, CmsError, CreateOptions, Id, Kind, Query, Record, RecordLookup, Status, Step, View};

use crate::error::ApiError;
use crate::extract::{check_if_match, etag_of, JsonBody, OptionalJsonBody, Params};
use crate::respond::{
    is_rfc3339_instant, json_response, moved, public_read, record_json, record_json_with_translations, write_record,
    written, ListJson,
};
use crate::ApiState;

/// Body of a create or update: the content, and optionally a wanted slug.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WriteBody {
    /// The content, as its kind describes it.
    #[schemars(with = "serde_json::Value")]
    content: Box<RawValue>,
    /// Wanted slug (normalised); from the title when absent. A PUT that gives another
    /// slug changes it in the same commit as the content; the old one keeps resolving.
    #[serde(default)]
    slug: Option<String>,
    /// Why this version is written (at most 500 characters): required to change a public
    /// item (422 `reason_required`), kept with the version and shown in the change register.
    #[serde(default)]
    reason: Option<String>,
}

/// Body of a new translation: its locale and content, and optionally a wanted slug.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TranslationBody {
    /// The language to translate into: one the site has turned on, not `pl` (the source's).
    locale: String,
    /// The content in that language, as its kind describes it. Shared fields (dates, money,
    /// office hours, media ids) may be left empty: they are the source's; a different value
    /// is refused (`shared_field`).
    #[schemars(with = "serde_json::Value")]
    content: Box<RawValue>,
    /// Wanted slug (normalised); from the title when absent.
    #[serde(default)]
    slug: Option<String>,
}

/// Body of a singleton's update: the content.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SingletonBody {
    /// The content, as its kind describes it.
    #[schemars(with = "serde_json::Value")]
    content: Box<RawValue>,
    /// Why (optional; kept with the version and in the audit log).
    #[serde(default)]
    reason: Option<String>,
}

/// Optional body of `publish`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishBody {
    /// When it becomes public (future: scheduled; past: back-dated), in the years 0000 to
    /// 9999 (UTC); now when absent.
    #[serde(default)]
    publish_at: Option<DateTime<Utc>>,
    /// Why (optional; kept with the version and in the change register).
    #[serde(default)]
    reason: Option<String>,
}

/// Optional body of the steps that take nothing else (unpublish, archive, restore, delete).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonBody {
    /// Why (optional, at most 500 characters): kept with the version and in the change
    /// register.
    #[serde(default)]
    reason: Option<String>,
}

/// Body of a change to an item's metryczka: its editable fields, all replaced.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordBody {
    /// Who produced the information („wytworzył”): a person and/or a unit (≤ 200 characters).
    #[serde(default)]
    produced_by: Option<String>,
    /// Who answers for it („odpowiedzialny”, ≤ 200 characters).
    #[serde(default)]
    responsible: Option<String>,
    /// When it was produced („data wytworzenia”), `YYYY-MM-DD`.
    #[serde(default)]
    produced_on: Option<chrono::NaiveDate>,
    /// Why: required when the item is public.
    #[serde(default)]
    reason: Option<String>,
}

/// The path parameters of a route (`{key}`, `{version}`, `{id}`), percent-decoded; one
/// that is not UTF-8 is a 400 problem.
pub(crate) struct PathParams(Vec<(String, String)>);

impl FromRequestParts<ApiState> for PathParams {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &ApiState) -> Result<Self, ApiError> {
        let raw = RawPathParams::from_request_parts(parts, s).await.map_err(|e| ApiError::BadPath(e.body_text()))?;
        Ok(PathParams(raw.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()))
    }
}

impl PathParams {
    /// A parameter of the route (empty if the route has none of that name: no item has an
    /// empty key, so a lookup finds nothing).
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v)
    }
}

/// The item a write names by `{key}` (id or slug, current or old) in the route's kind:
/// read once, and checked against `If-Match` before anything else happens to it.
pub(crate) struct Target {
    cms: Cms,
    kind: Kind,
    record: Record,
}

impl FromRequestParts<ApiState> for Target {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &ApiState) -> Result<Self, ApiError> {
        let params = PathParams::from_request_parts(parts, s).await?;
        let Extension(kind) = Extension::<Kind>::from_request_parts(parts, s)
            .await
            .map_err(|e| ApiError::Internal(format!("a kind's route without its kind: {}", e.body_text())))?;
        let locale = Params::of(&parts.uri)?.locale(s.0.cms.locales())?;
        let record = s.0.cms.record_by_key_in(kind.name(), locale, params.get("key")).await?;
        check_if_match(&parts.headers, Some(record.meta.version))?;
        let writer = parts.extensions.get::<Writer>().cloned().unwrap_or(Writer(None));
        Ok(Target { cms: writer.cms(s), kind, record })
    }
}

impl Target {
    /// The same target writing with a reason (none when `None`).
    fn because(mut self, reason: Option<&str>) -> Result<Target, ApiError> {
        if let Some(reason) = reason {
            self.cms = self.cms.because(reason)?;
        }
        Ok(self)
    }

    /// Applies a workflow step (one write) and answers the committed record.
    async fn apply(self, step: Step) -> Result<Response, ApiError> {
        let record = self.cms.apply_step(self.record, None, step).await?;
        Ok(written(StatusCode::OK, &record, None))
    }
}

/// Checks a body's content as its kind, with error paths under `content.` (the body's field);
/// a translation's (of the item `source`) with its source's shared fields filled in first,
/// so it may leave them out.
async fn check(cms: &Cms, kind: &Kind, content: &RawValue, source: Option<Id>) -> Result<Checked, ApiError> {
    let filled = match source {
        Some(id) => Some(cms.fill_shared(kind.name(), id, content.get()).await.map_err(in_content)?),
        None => None,
    };
    kind.check(filled.as_deref().unwrap_or(content.get())).map_err(|e| in_content(CmsError::Invalid(e)))
}

/// Field errors of the content, named as the body holds them (`content.cover.media`); the
/// body's own fields (`slug`, `locale`, `reason`) keep their names.
fn in_content(e: CmsError) -> ApiError {
    match e {
        CmsError::Invalid(mut v) => {
            for f in &mut v.0 {
                if !matches!(f.path.as_str(), "slug" | "locale" | "translation_of" | "reason") {
                    f.path = if f.path.is_empty() { "content".into() } else { format!("content.{}", f.path) };
                }
            }
            ApiError::Cms(CmsError::Invalid(v))
        }
        other => ApiError::Cms(other),
    }
}

/// A record by id or slug (in `locale`), as the view may see it; `Err(current slug)` for an
/// old slug.
pub(crate) async fn lookup_record(
    s: &ApiState,
    kind: &str,
    locale: &str,
    key: &str,
    view: View,
) -> Result<Result<Record, String>, ApiError> {
    match key.parse::<Id>() {
        Ok(id) => {
            let record = s.0.cms.get_record_in(kind, id, view).await?;
            if view == View::Public && !record.meta.is_public_at(s.0.cms.now()) {
                return Err(ApiError::NotFound(format!("no public {kind} with id {id}")));
            }
            Ok(Ok(record))
        }
        Err(_) => match s.0.cms.find_record(kind, locale, key, view).await? {
            RecordLookup::Found(record) => Ok(Ok(record)),
            RecordLookup::Moved { current, .. } => Ok(Err(current)),
        },
    }
}

pub(crate) async fn list_items(
    State(s): State<ApiState>,
    Extension(kind): Extension<Kind>,
    Extension(view): Extension<View>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let p = Params::of(&uri)?;
    let status = match p.get("status") {
        Some(v) => Some(v.parse::<Status>().map_err(|e| ApiError::query("status", e))?),
        None => None,
    };
    let query = Query {
        view,
        locale: Some(p.locale(s.0.cms.locales())?.to_owned()),
        status,
        tag: p.tag()?,
        from: p.instant("from", false)?,
        until: p.instant("to", true)?,
        cursor: p.get("cursor").map(str::to_owned),
        limit: Some(p.limit(20, witryna_core::cms::MAX_PAGE)?),
    };
    // Keyed on what the answer depends on — the kind and the whole parsed query, status
    // included — never on the raw URL: unknown parameters cannot multiply entries.
    let key = format!("{}|{query:?}", kind.name());
    public_read(&s, &key, &headers, view, || async {
        let page = s.0.cms.list_records(kind.name(), query).await?;
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

pub(crate) async fn get_item(
    State(s): State<ApiState>,
    Extension(kind): Extension<Kind>,
    Extension(view): Extension<View>,
    params: PathParams,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = params.get("key");
    let locale = Params::of(&uri)?.locale(s.0.cms.locales())?;
    // One key per item however its id is spelled (hyphens, braces, case) or percent-encoded;
    // an id names one item whatever the locale.
    let normalised = match key.parse::<Id>() {
        Ok(id) => id.to_string(),
        Err(_) => format!("{locale}:{key}"),
    };
    public_read(&s, &format!("{}:{normalised}", kind.name()), &headers, view, || async {
        Ok(match lookup_record(&s, kind.name(), locale, key, view).await? {
            Ok(record) => {
                let now = s.0.cms.now();
                let mut group = s.0.cms.translations_of(&record.meta).await?;
                if view == View::Public {
                    group.retain(|m| m.is_public_at(now));
                }
                Ok((etag_of(record.meta.version), record_json_with_translations(&record, &group)))
            }
            Err(current) => Err(moved(&uri, 0, &current)),
        })
    })
    .await
}

pub(crate) async fn create_item(
    State(s): State<ApiState>,
    Extension(kind): Extension<Kind>,
    Extension(writer): Extension<Writer>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody<WriteBody>,
) -> Result<Response, ApiError> {
    let checked = check(&s.0.cms, &kind, &body.content, None).await?;
    let options = CreateOptions { slug: body.slug, locale: None, translation_of: None };
    let cms = match body.reason.as_deref() {
        Some(reason) => writer.cms(&s).because(reason)?,
        None => writer.cms(&s),
    };
    let record = cms.create_checked(checked, options).await.map_err(in_content)?;
    let location = format!("{}/{}", uri.path().trim_end_matches('/'), record.meta.id);
    Ok(written(StatusCode::CREATED, &record, Some(location)))
}

/// Creates a translation of the `{key}` item (its Polish source) into the body's locale:
/// 201 with the new draft; 409 when that locale has one.
pub(crate) async fn create_translation(
    target: Target,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody<TranslationBody>,
) -> Result<Response, ApiError> {
    let locales = target.cms.locales();
    let Some(locale) = locales.get(&body.locale) else {
        return Err(ApiError::body_field(
            "locale",
            "unknown_locale",
            format!("must be one of the site's languages: {locales}"),
        ));
    };
    let checked = check(&target.cms, &target.kind, &body.content, Some(target.record.meta.id)).await?;
    let options = CreateOptions {
        slug: body.slug,
        locale: Some(locale.code.to_owned()),
        translation_of: Some(target.record.meta.id),
    };
    let record = target.cms.create_checked(checked, options).await.map_err(in_content)?;
    // `{base}/{key}/translations` → `{base}/{new id}`
    let path = uri.path().trim_end_matches('/');
    let base = path.strip_suffix("/translations").unwrap_or(path);
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    Ok(written(StatusCode::CREATED, &record, Some(format!("{base}/{}", record.meta.id))))
}

/// Takes a file for the media library (`multipart/form-data`: `file`, and `title`, `alt`):
/// 201 with the new item, or 200 with the item that already holds the same file.
pub(crate) async fn upload_media(
    State(s): State<ApiState>,
    Extension(writer): Extension<Writer>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Some(boundary) = witryna_media::receive::boundary(content_type) else {
        return Err(ApiError::UnsupportedMediaType { expected: "multipart/form-data" });
    };
    let limits = s.0.config.media_limits;
    let received = witryna_media::receive(body.into_data_stream(), boundary, &limits, &["title", "alt"]).await?;
    let upload = witryna_media::Upload {
        path: &received.file,
        file_name: &received.file_name,
        title: received.field("title"),
        alt: received.field("alt"),
    };
    let kept = witryna_media::ingest(&writer.cms(&s), upload, &limits).await?;
    let location = format!("{}/{}", uri.path().trim_end_matches('/'), kept.record.meta.id);
    let status = if kept.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(written(status, &kept.record, Some(location)))
}

/// Replaces the content — and the slug, when the body gives another — in one commit.
pub(crate) async fn update_item(
    target: Target,
    headers: HeaderMap,
    JsonBody(body): JsonBody<WriteBody>,
) -> Result<Response, ApiError> {
    if !headers.contains_key(header::IF_MATCH) {
        return Err(ApiError::PreconditionRequired);
    }
    let source = target.record.meta.translation_of.map(|t| t.id);
    let checked = check(&target.cms, &target.kind, &body.content, source).await?;
    let target = target.because(body.reason.as_deref())?;
    let record =
        target.cms.update_record(target.record, None, checked, body.slug.as_deref()).await.map_err(in_content)?;
    Ok(written(StatusCode::OK, &record, None))
}

pub(crate) async fn delete_item(
    target: Target,
    OptionalJsonBody(body): OptionalJsonBody<ReasonBody>,
) -> Result<Response, ApiError> {
    let target = target.because(body.unwrap_or_default().reason.as_deref())?;
    target.cms.delete_record(target.record, None).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Replaces the editable fields of an item's metryczka.
pub(crate) async fn update_record_fields(
    target: Target,
    JsonBody(body): JsonBody<RecordBody>,
) -> Result<Response, ApiError> {
    let fields =
        RecordFields { produced_by: body.produced_by, responsible: body.responsible, produced_on: body.produced_on };
    target.because(body.reason.as_deref())?.apply(Step::Record(fields)).await
}

pub(crate) async fn publish_item(
    target: Target,
    OptionalJsonBody(body): OptionalJsonBody<PublishBody>,
) -> Result<Response, ApiError> {
    let PublishBody { publish_at, reason } = body.unwrap_or_default();
    // Every answer carrying the item would write it as something no client reads as a date.
    if publish_at.is_some_and(|t| !is_rfc3339_instant(t)) {
        return Err(ApiError::body_field("publish_at", "out_of_range", "must be in the years 0000 to 9999 (UTC)"));
    }
    target.because(reason.as_deref())?.apply(Step::Publish(publish_at)).await
}

pub(crate) async fn unpublish_item(
    target: Target,
    OptionalJsonBody(body): OptionalJsonBody<ReasonBody>,
) -> Result<Response, ApiError> {
    target.because(body.unwrap_or_default().reason.as_deref())?.apply(Step::Unpublish).await
}

pub(crate) async fn archive_item(
    target: Target,
    OptionalJsonBody(body): OptionalJsonBody<ReasonBody>,
) -> Result<Response, ApiError> {
    target.because(body.unwrap_or_default().reason.as_deref())?.apply(Step::Archive).await
}

pub(crate) async fn restore_revision(
    target: Target,
    params: PathParams,
    OptionalJsonBody(body): OptionalJsonBody<ReasonBody>,
) -> Result<Response, ApiError> {
    let version = params.get("version");
    let old: u64 = version.parse().map_err(|_| ApiError::NotFound(format!("no revision {version:?}")))?;
    target.because(body.unwrap_or_default().reason.as_deref())?.apply(Step::Restore(old)).await
}

pub(crate) async fn list_revisions(target: Target) -> Result<Response, ApiError> {
    let items = target.cms.revisions(target.record.meta.id).await?;
    Ok(json_response(StatusCode::OK, &ListJson { items, next_cursor: None }))
}

/// The one item of a singleton kind, if saved.
async fn singleton(s: &ApiState, kind: &Kind) -> Result<Option<Record>, ApiError> {
    match s.0.cms.record_by_key(kind.name(), kind.name()).await {
        Ok(record) => Ok(Some(record)),
        Err(CmsError::SlugNotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn get_singleton(
    State(s): State<ApiState>,
    Extension(kind): Extension<Kind>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    public_read(&s, kind.name(), &headers, View::Public, || async {
        let record = singleton(&s, &kind)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no {} item is saved yet", kind.name())))?;
        Ok(Ok((etag_of(record.meta.version), record_json(&record))))
    })
    .await
}

/// Saves a singleton: the first save creates and publishes it (201), later ones need
/// `If-Match` (200).
pub(crate) async fn put_singleton(
    State(s): State<ApiState>,
    Extension(kind): Extension<Kind>,
    Extension(writer): Extension<Writer>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SingletonBody>,
) -> Result<Response, ApiError> {
    let checked = check(&s.0.cms, &kind, &body.content, None).await?;
    let cms = writer.cms(&s);
    match singleton(&s, &kind).await? {
        Some(current) => {
            if !headers.contains_key(header::IF_MATCH) {
                return Err(ApiError::PreconditionRequired);
            }
            check_if_match(&headers, Some(current.meta.version))?;
            let cms = match body.reason.as_deref() {
                Some(reason) => cms.because(reason)?,
                None => cms,
            };
            let record = cms.update_record(current, None, checked, None).await.map_err(in_content)?;
            Ok(written(StatusCode::OK, &record, None))
        }
        None => {
            check_if_match(&headers, None)?;
            let draft = cms.create_checked(checked, CreateOptions::default()).await.map_err(in_content)?;
            let record = cms.apply_step(draft, None, Step::Publish(None)).await?;
            Ok(written(StatusCode::CREATED, &record, None))
        }
    }
}

/// Who writes in a request: the API token and the client address (set by the access
/// layer), recorded on every version the request writes and in the audit log.
#[derive(Debug, Clone)]
pub(crate) struct Writer(pub(crate) Option<Arc<Actor>>);

impl Writer {
    /// The Cms writing on the token's behalf.
    pub(crate) fn cms(&self, s: &ApiState) -> Cms {
        match &self.0 {
            Some(actor) => s.0.cms.acting_as(Actor::clone(actor)),
            None => s.0.cms.clone(),
        }
    }
}
