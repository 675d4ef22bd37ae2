//! API conformance over real HTTP: the OpenAPI document is valid and says what the API
//! does — typed query parameters, `{key}` as slug or id, `If-Match` as entity tags, JSON
//! errors, one commit per PUT, one read per workflow step, access as documented.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::{assert_problem, news_body, send, serve, start, validate_openapi};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use witryna_core::audit::{AuditEntry, AuditQuery, Delivery, WriteLog};
use witryna_core::store::{BlobHash, BlobInfo, BlobWriter, ListQuery, RecordPage};
use witryna_core::{Cms, Id, Record, Store, StoreError};
use witryna_http::ApiConfig;
use witryna_sled::SledStore;

#[tokio::test]
async fn the_served_openapi_document_is_valid_openapi_3_1() {
    let s = start().await;
    let (status, headers, doc) = send(s.req(Method::GET, "/openapi.json")).await;
    assert_eq!((status, &headers[CONTENT_TYPE]), (StatusCode::OK, &"application/json".parse().unwrap()));
    assert!(doc["components"]["schemas"]["FieldError"].is_object(), "problem details list FieldErrors");
    validate_openapi(&doc);
}

fn parameter<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} does not document {name}"))
}

#[tokio::test]
async fn query_parameters_are_typed_in_the_document() {
    let s = start().await;
    let (_, _, doc) = send(s.req(Method::GET, "/openapi.json")).await;
    let schema = |path: &str, name: &str| parameter(&doc, path, "get", name)["schema"].clone();
    assert_eq!(schema("/api/v1/news", "limit"), json!({"type": "integer", "minimum": 1, "maximum": 100}));
    assert_eq!(schema("/api/v1/news", "preview"), json!({"type": "boolean"}));
    assert_eq!(schema("/api/v1/pages/{key}", "preview"), json!({"type": "boolean"}));
    assert_eq!(schema("/api/v1/news", "status")["enum"], json!(["draft", "published", "archived"]));
    for name in ["from", "to"] {
        let formats: Vec<&str> = doc["paths"]["/api/v1/news"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["schema"]["anyOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["format"].as_str().unwrap())
            .collect();
        assert_eq!(formats, ["date", "date-time"], "{name}");
    }
    assert_eq!(schema("/api/v1/units/{key}/open", "at"), json!({"type": "string", "format": "date-time"}));
    assert_eq!(schema("/api/v1/search", "limit")["type"], "integer");
    let kinds = schema("/api/v1/search", "kind");
    assert_eq!(kinds["type"], "array");
    for value in ["news", "programmes", "programme", "units", "pages"] {
        assert!(kinds["items"]["enum"].as_array().unwrap().contains(&json!(value)), "{value}: {kinds}");
    }
    let version = parameter(&doc, "/api/v1/news/{key}/revisions/{version}/restore", "post", "version");
    assert_eq!(version["schema"]["type"], "integer");
    let if_match = parameter(&doc, "/api/v1/news/{key}", "put", "If-Match");
    assert_eq!((&if_match["in"], &if_match["required"]), (&json!("header"), &json!(true)));
}

#[tokio::test]
async fn an_empty_query_value_means_absent() {
    let s = start().await;
    let (_, _, all) = send(s.req(Method::GET, "/news")).await;
    let (status, _, empty) = send(s.req(Method::GET, "/news?limit=&cursor=&tag=&from=&to=&status=&preview=")).await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["items"], all["items"]);
    let (status, _, _) = send(s.req(Method::GET, "/programmes/rowni-na-starcie?preview=")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, plain) = send(s.req(Method::GET, "/search?q=integracja")).await;
    let (status, _, empty) = send(s.req(Method::GET, "/search?q=integracja&kind=&limit=&cursor=&tag=&from=&to=")).await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["items"], plain["items"]);
    let (status, _, open) = send(s.req(Method::GET, "/units/mops-glowno/open?at=")).await;
    assert_eq!((status, open["open"].is_boolean()), (StatusCode::OK, true));
}

#[tokio::test]
async fn write_routes_take_a_slug_or_an_id() {
    let s = start().await;
    let page = json!({"content": {"title": "Regulamin", "body": "Treść."}});
    let (_, _, created) = send(s.as_editor(Method::POST, "/pages").json(&page)).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["slug"], "regulamin");

    let changed = json!({"content": {"title": "Regulamin", "body": "Nowa treść."}});
    let (status, _, body) =
        send(s.as_editor(Method::PUT, "/pages/regulamin").header(IF_MATCH, "\"1\"").json(&changed)).await;
    assert_eq!((status, body["version"].as_u64()), (StatusCode::OK, Some(2)), "{body}");
    let (status, _, body) = send(s.as_editor(Method::POST, "/pages/regulamin/publish")).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("published")));
    let (status, _, body) = send(s.as_editor(Method::POST, &format!("/pages/{id}/unpublish"))).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("draft")));
    let (status, _, revisions) = send(s.as_editor(Method::GET, "/pages/regulamin/revisions")).await;
    assert_eq!((status, revisions["items"].as_array().unwrap().len()), (StatusCode::OK, 4));
    let (status, _, body) = send(s.as_editor(Method::POST, "/pages/regulamin/revisions/1/restore")).await;
    assert_eq!((status, body["content"]["body"].as_str()), (StatusCode::OK, Some("Treść.")));

    // A new slug; the old one still names the item for writes.
    let renamed = json!({"content": {"title": "Regulamin", "body": "Treść."}, "slug": "regulamin-2026"});
    let (status, _, body) =
        send(s.as_editor(Method::PUT, &format!("/pages/{id}")).header(IF_MATCH, "*").json(&renamed)).await;
    assert_eq!((status, body["slug"].as_str()), (StatusCode::OK, Some("regulamin-2026")));
    let (status, _, body) = send(s.as_editor(Method::POST, "/pages/regulamin/archive")).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("archived")));

    let other_kind = send(s.as_editor(Method::POST, "/news/regulamin-2026/publish")).await.0;
    assert_eq!(other_kind, StatusCode::NOT_FOUND, "a slug of another kind is not found");
    assert_eq!(send(s.as_editor(Method::DELETE, "/pages/regulamin-2026")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(s.as_editor(Method::GET, &format!("/pages/{id}?preview=true"))).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn if_match_takes_entity_tags_and_anything_else_fails_the_precondition() {
    let s = start().await;
    let (_, _, created) = send(s.as_editor(Method::POST, "/news").json(&news_body("Warsztaty"))).await;
    let item = format!("/news/{}", created["id"].as_str().unwrap());
    let put = |if_match: Option<&str>, title: &str| {
        let rb = s.as_editor(Method::PUT, &item).json(&news_body(title));
        match if_match {
            Some(v) => rb.header(IF_MATCH, v),
            None => rb,
        }
    };

    let (status, headers, body) = send(put(Some("\"9\", \"1\""), "Warsztaty 1")).await;
    assert_eq!((status, &headers[ETAG]), (StatusCode::OK, &"\"2\"".parse().unwrap()), "a list of tags: {body}");
    let (status, _, _) = send(put(Some("*"), "Warsztaty 2")).await;
    assert_eq!(status, StatusCode::OK, "* matches the current item");
    let (status, _, _) = send(put(Some("\"x,y\", \"3\""), "Warsztaty 3")).await;
    assert_eq!(status, StatusCode::OK, "tags are opaque: a comma inside one is no separator");

    for refused in ["W/\"4\"", "\"abc\"", "\"3\"", "\"-1\"", "nonsense", "\"4", "\"4\" \"4\"", "*, \"4\""] {
        let (status, headers, body) = send(put(Some(refused), "Nie")).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{refused}: {body}");
        assert_problem(&headers, &body, status);
        assert_eq!(body["current_version"], 4, "{refused}");
    }
    let (status, headers, body) = send(put(None, "Nie")).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    assert_problem(&headers, &body, status);

    let publish = |tag: &str| s.as_editor(Method::POST, &format!("{item}/publish")).header(IF_MATCH, tag.to_owned());
    assert_eq!(send(publish("W/\"4\"")).await.0, StatusCode::PRECONDITION_FAILED, "weak tags never match");
    assert_eq!(send(publish("\"3\", \"4\"")).await.0, StatusCode::OK);
    let delete = s.as_editor(Method::DELETE, &item).header(IF_MATCH, "\"4\"");
    assert_eq!(send(delete).await.0, StatusCode::PRECONDITION_FAILED, "stale");
    let (_, _, current) = send(s.as_editor(Method::GET, &format!("{item}?preview=true"))).await;
    assert_eq!((current["version"].as_u64(), current["content"]["title"].as_str()), (Some(5), Some("Warsztaty 3")));

    let (_, headers, settings) = send(s.req(Method::GET, "/settings/accessibility")).await;
    let weak = format!("W/{}", headers[ETAG].to_str().unwrap());
    let rb = s
        .as_admin(Method::PUT, "/settings/accessibility")
        .header(IF_MATCH, weak)
        .json(&json!({"content": settings["content"]}));
    assert_eq!(send(rb).await.0, StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn truncated_json_is_400_even_after_an_unknown_field() {
    let s = start().await;
    let post =
        |body: &str| s.as_editor(Method::POST, "/news").header(CONTENT_TYPE, "application/json").body(body.to_owned());
    for truncated in [
        r#"{"content": {"tagz": [], "title": "A""#,
        r#"{"content": {"title": "A", "body": "B", "author": "C", "tagz": []}"#,
        r#"{"slug": "a", "colour": 1, "content": {"#,
    ] {
        let (status, headers, body) = send(post(truncated)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{truncated}: {body}");
        assert_problem(&headers, &body, status);
        assert_eq!(body["type"], "urn:witryna:problem:malformed-json");
    }
    let whole = r#"{"content": {"title": "A", "body": "B", "author": "C", "tagz": []}}"#;
    assert_eq!(send(post(whole)).await.0, StatusCode::UNPROCESSABLE_ENTITY, "whole JSON of the wrong shape is 422");
    let page = json!({"content": {"title": "Cennik", "body": "x"}});
    send(s.as_editor(Method::POST, "/pages").json(&page)).await;
    let put = s
        .as_editor(Method::PUT, "/pages/cennik")
        .header(IF_MATCH, "*")
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"content": {"colour": 1, "title": "#);
    assert_eq!(send(put).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_put_of_content_and_slug_is_one_commit_and_a_taken_slug_changes_nothing() {
    let s = start().await;
    let page = |title: &str| json!({"content": {"title": title, "body": "Treść."}});
    let (_, _, first) = send(s.as_editor(Method::POST, "/pages").json(&page("Pierwsza"))).await;
    send(s.as_editor(Method::POST, "/pages").json(&page("Druga"))).await;
    let item = format!("/pages/{}", first["id"].as_str().unwrap());

    let mut taken = page("Pierwsza, poprawiona");
    taken["slug"] = json!("druga");
    let (status, headers, body) = send(s.as_editor(Method::PUT, &item).header(IF_MATCH, "\"1\"").json(&taken)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_problem(&headers, &body, status);
    assert_eq!(body["type"], "urn:witryna:problem:slug-taken");
    let (_, _, unchanged) = send(s.as_editor(Method::GET, &format!("{item}?preview=true"))).await;
    assert_eq!(
        (unchanged["version"].as_u64(), unchanged["slug"].as_str(), unchanged["content"]["title"].as_str()),
        (Some(1), Some("pierwsza"), Some("Pierwsza")),
        "a refused PUT changed nothing"
    );

    let mut renamed = page("Pierwsza, poprawiona");
    renamed["slug"] = json!("trzecia");
    let (status, _, body) = send(s.as_editor(Method::PUT, &item).header(IF_MATCH, "\"1\"").json(&renamed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["version"].as_u64(), body["slug"].as_str(), body["content"]["title"].as_str()),
        (Some(2), Some("trzecia"), Some("Pierwsza, poprawiona"))
    );
    let (_, _, revisions) = send(s.as_editor(Method::GET, &format!("{item}/revisions"))).await;
    assert_eq!(revisions["items"].as_array().unwrap().len(), 2, "one commit for content and slug");
    let (status, headers, _) = send(s.as_editor(Method::GET, "/pages/pierwsza?preview=true")).await;
    assert_eq!(
        (status, headers[LOCATION].to_str().unwrap()),
        (StatusCode::MOVED_PERMANENTLY, "/api/v1/pages/trzecia?preview=true")
    );
}

/// A store that counts the item reads (by id or slug) of content, not of tokens.
struct CountingStore {
    inner: SledStore,
    reads: AtomicUsize,
}

#[async_trait::async_trait]
impl Store for CountingStore {
    async fn put_logged(&self, record: Record, log: WriteLog) -> Result<(), StoreError> {
        self.inner.put_logged(record, log).await
    }
    async fn put_history(&self, versions: Vec<Record>) -> Result<(), StoreError> {
        self.inner.put_history(versions).await
    }
    async fn all(&self, after: Option<Id>, limit: usize) -> Result<Vec<Record>, StoreError> {
        self.inner.all(after, limit).await
    }
    async fn delete_logged(&self, id: Id, expected_version: u64, log: WriteLog) -> Result<(), StoreError> {
        self.inner.delete_logged(id, expected_version, log).await
    }
    async fn append_log(&self, log: WriteLog) -> Result<(), StoreError> {
        self.inner.append_log(log).await
    }
    async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        self.inner.audit(query).await
    }
    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.inner.prune_audit(before).await
    }
    async fn due_deliveries(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.inner.due_deliveries(now, limit).await
    }
    async fn update_delivery(&self, delivery: Delivery) -> Result<(), StoreError> {
        self.inner.update_delivery(delivery).await
    }
    async fn deliveries(&self, endpoint: Id, before: Option<Id>, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.inner.deliveries(endpoint, before, limit).await
    }
    async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.inner.prune_deliveries(before).await
    }
    async fn get(&self, id: Id) -> Result<Option<Record>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.get(id).await
    }
    async fn find_slug(&self, kind: &str, locale: &str, slug: &str) -> Result<Option<Record>, StoreError> {
        if kind != "api-token" {
            self.reads.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.find_slug(kind, locale, slug).await
    }
    async fn translations(&self, source: Id) -> Result<Vec<Record>, StoreError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.translations(source).await
    }
    async fn list(&self, query: &ListQuery) -> Result<RecordPage, StoreError> {
        self.inner.list(query).await
    }
    async fn revisions(&self, id: Id) -> Result<Vec<Record>, StoreError> {
        self.inner.revisions(id).await
    }
    async fn revision(&self, id: Id, version: u64) -> Result<Option<Record>, StoreError> {
        self.inner.revision(id, version).await
    }
    async fn blob_writer(&self) -> Result<Box<dyn BlobWriter>, StoreError> {
        self.inner.blob_writer().await
    }
    async fn blob(&self, hash: BlobHash) -> Result<Option<BlobInfo>, StoreError> {
        self.inner.blob(hash).await
    }
    async fn read_blob(&self, hash: BlobHash, offset: u64, len: usize) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.read_blob(hash, offset, len).await
    }
    async fn blobs(&self, after: Option<BlobHash>, limit: usize) -> Result<Vec<BlobInfo>, StoreError> {
        self.inner.blobs(after, limit).await
    }
    async fn delete_blob(&self, hash: BlobHash, stored_before: DateTime<Utc>) -> Result<bool, StoreError> {
        self.inner.delete_blob(hash, stored_before).await
    }
}

#[tokio::test]
async fn workflow_routes_read_the_item_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(CountingStore { inner: SledStore::open(dir.path()).unwrap(), reads: AtomicUsize::new(0) });
    let s = serve(Cms::new(store.clone()), "", ApiConfig::default(), dir).await;
    let (_, _, created) =
        send(s.as_editor(Method::POST, "/pages").json(&json!({"content": {"title": "Raz", "body": "x"}}))).await;
    let id = created["id"].as_str().unwrap();
    let body = json!({"content": {"title": "Raz", "body": "y"}});
    for (method, path, if_match) in [
        (Method::POST, format!("/pages/{id}/publish"), Some("\"1\"")),
        (Method::POST, "/pages/raz/unpublish".to_owned(), None),
        (Method::POST, format!("/pages/{id}/archive"), Some("*")),
        (Method::POST, "/pages/raz/revisions/1/restore".to_owned(), None),
        (Method::PUT, format!("/pages/{id}"), Some("\"5\"")),
        (Method::DELETE, "/pages/raz".to_owned(), None),
    ] {
        let before = store.reads.load(Ordering::SeqCst);
        let mut rb = s.as_editor(method.clone(), &path);
        if let Some(tag) = if_match {
            rb = rb.header(IF_MATCH, tag);
        }
        if method == Method::PUT {
            rb = rb.json(&body);
        }
        let (status, _, answer) = send(rb).await;
        assert!(status.is_success(), "{method} {path}: {answer}");
        assert_eq!(store.reads.load(Ordering::SeqCst) - before, 1, "{method} {path} reads the item once");
    }
}

#[tokio::test]
async fn who_may_call_a_route_is_what_the_document_says() {
    let s = start().await;
    let (_, _, doc) = send(s.req(Method::GET, "/openapi.json")).await;
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let concrete = path
                .replace("/api/v1", "")
                .replace("{key}", "nie-ma")
                .replace("{id}", "nie-ma")
                .replace("{version}", "1");
            let role = op["x-required-role"].as_str();
            let what = format!("{method} {path}");

            let anonymous = send(s.req(method.clone(), &concrete)).await.0;
            match role {
                Some(_) => assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{what}: documented as needing a token"),
                None => assert!(
                    anonymous != StatusCode::UNAUTHORIZED && anonymous != StatusCode::FORBIDDEN,
                    "{what}: {anonymous}"
                ),
            }
            let as_editor = send(s.as_editor(method.clone(), &concrete)).await.0;
            match role {
                Some("admin") => assert_eq!(as_editor, StatusCode::FORBIDDEN, "{what}: documented for admins"),
                _ => assert!(
                    as_editor != StatusCode::UNAUTHORIZED && as_editor != StatusCode::FORBIDDEN,
                    "{what}: {as_editor}"
                ),
            }
            let documents_preview = op["parameters"].as_array().unwrap().iter().any(|p| p["name"] == "preview");
            if documents_preview {
                let preview = format!("{concrete}?preview=true");
                assert_eq!(
                    send(s.req(method.clone(), &preview)).await.0,
                    StatusCode::UNAUTHORIZED,
                    "{what}?preview=true"
                );
                let as_editor = send(s.as_editor(method.clone(), &preview)).await.0;
                assert!(
                    as_editor != StatusCode::UNAUTHORIZED && as_editor != StatusCode::FORBIDDEN,
                    "{what}: {as_editor}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} operations");
}

/// The query parameters of every operation in the document, by operation.
fn query_parameters(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().unwrap().iter().filter(|p| p["in"] == "query") {
                out.push((format!("{method} {path}"), p.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_says_an_empty_query_value_is_allowed() {
    // Schemathesis sent `?to=` as a value outside `format: date` and the API answered 200:
    // empty means absent (an_empty_query_value_means_absent), and the document says so.
    let s = start().await;
    let (_, _, doc) = send(s.req(Method::GET, "/openapi.json")).await;
    let params = query_parameters(&doc);
    assert!(params.len() > 30, "{} query parameters", params.len());
    for (op, p) in &params {
        assert_eq!(p["allowEmptyValue"], true, "{op} {}", p["name"]);
    }
    let (status, _, _) = send(s.req(Method::GET, "/search?cursor=&limit=&to=")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_search_cursor_is_an_offset_in_its_documented_range() {
    // Schemathesis sent `cursor=878387518`, valid for the old `^[0-9]+$`, and got 400.
    let s = start().await;
    let (_, _, doc) = send(s.req(Method::GET, "/openapi.json")).await;
    let cursor = &parameter(&doc, "/api/v1/search", "get", "cursor")["schema"];
    assert_eq!(cursor, &json!({"type": "integer", "minimum": 0, "maximum": 9999}));
    let (status, _, body) = send(s.req(Method::GET, "/search?q=pomoc&cursor=9999")).await;
    assert_eq!((status, &body["items"]), (StatusCode::OK, &json!([])), "{body}");
    for outside in ["10000", "-1", "x"] {
        let (status, headers, body) = send(s.req(Method::GET, &format!("/search?q=pomoc&cursor={outside}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{outside}: {body}");
        assert_problem(&headers, &body, status);
        assert_eq!(body["errors"][0]["path"], "cursor");
    }
}

#[tokio::test]
async fn a_tag_filter_with_a_control_character_is_a_400_naming_tag() {
    // Schemathesis sent `tag=Ç%1Fá` to a list: a 422 "Invalid content" from the Cms, for a
    // query parameter of a GET. Now every tag the document refuses is a 400 of the query.
    let s = start().await;
    let (_, _, doc) = send(s.req(Method::GET, "/openapi.json")).await;
    for path in ["/api/v1/news", "/api/v1/search"] {
        let tag = &parameter(&doc, path, "get", "tag")["schema"];
        assert_eq!(tag["pattern"], "^[^\\u0000-\\u001f\\u007f-\\u009f]*$", "{path}");
        assert_eq!(tag["maxLength"], 50, "{path}");
    }
    for (path, tag) in [
        ("/news", "%C3%87%1F%C3%A1"),
        ("/pages?preview=true", "a%C2%85"),
        ("/search", "%09kis"),
        ("/news", &"a".repeat(51)),
        ("/news", &"%C4%B0".repeat(50)), // İ: 50 characters, 100 in lower case
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (status, headers, body) = send(s.as_editor(Method::GET, &format!("{path}{sep}tag={tag}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {tag}: {body}");
        assert_problem(&headers, &body, status);
        assert_eq!(
            (&body["type"], &body["errors"][0]["path"]),
            (&json!("urn:witryna:problem:invalid-query"), &json!("tag"))
        );
    }
    let (status, _, body) = send(s.req(Method::GET, "/news?tag=%20KIS%20")).await;
    assert_eq!(status, StatusCode::OK, "trimmed and in any case, as before: {body}");
    assert!(!body["items"].as_array().unwrap().is_empty());
}

/// Whether a JSON value is an RFC 3339 time of a year from 0000 to 9999.
fn is_rfc3339(value: &Value) -> bool {
    value.as_str().is_some_and(|t| t.len() >= 20 && t[..4].bytes().all(|b| b.is_ascii_digit()) && &t[4..5] == "-")
}

#[tokio::test]
async fn publish_at_outside_the_years_rfc3339_writes_is_refused() {
    // Found by hand after the schemathesis run: `publish_at: 9999-12-31T23:59:59-23:59` was
    // stored, and every answer with the item said `"publish_at": "+10000-01-01T23:58:59Z"`,
    // which is not the `date-time` the document promises.
    let s = start().await;
    let (_, _, created) =
        send(s.as_editor(Method::POST, "/pages").json(&json!({"content": {"title": "Daleko", "body": "x"}}))).await;
    let publish = format!("/pages/{}/publish", created["id"].as_str().unwrap());
    for outside in ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+00:01"] {
        let (status, headers, body) =
            send(s.as_editor(Method::POST, &publish).json(&json!({"publish_at": outside}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{outside}: {body}");
        assert_problem(&headers, &body, status);
        assert_eq!(body["errors"][0]["path"], "publish_at", "{body}");
    }
    let (_, _, unchanged) = send(s.as_editor(Method::GET, "/pages/daleko?preview=true")).await;
    assert_eq!((unchanged["version"].as_u64(), unchanged["status"].as_str()), (Some(1), Some("draft")));
    for (inside, answered) in
        [("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"), ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z")]
    {
        let (status, _, body) = send(s.as_editor(Method::POST, &publish).json(&json!({"publish_at": inside}))).await;
        assert_eq!((status, body["publish_at"].as_str()), (StatusCode::OK, Some(answered)), "{body}");
    }
}

#[tokio::test]
async fn next_change_of_office_hours_is_a_valid_time_or_null() {
    // Found by hand: `/units/{key}/open?at=9999-12-31T23:59:59Z` answered
    // `"next_change": "+10000-01-03T06:30:00Z"`.
    let s = start().await;
    for at in ["9999-12-31T23:59:59-23:59", "9999-12-31T23:59:59Z", "9999-12-25T12:00:00Z", "0000-01-01T00:00:00+23:59"]
    {
        let at_encoded = at.replace('+', "%2B");
        let (status, _, body) = send(s.req(Method::GET, &format!("/units/mops-glowno/open?at={at_encoded}"))).await;
        assert_eq!(status, StatusCode::OK, "{at}: {body}");
        assert!(body["next_change"].is_null() || is_rfc3339(&body["next_change"]), "{at}: {body}");
    }
    let (_, _, beyond) = send(s.req(Method::GET, "/units/mops-glowno/open?at=9999-12-31T23:59:59-23:59")).await;
    assert_eq!(beyond["next_change"], Value::Null, "the next change is in the year 10000");
    let (_, _, now) = send(s.req(Method::GET, "/units/mops-glowno/open")).await;
    assert!(is_rfc3339(&now["next_change"]), "{now}");
}

/// The statuses the document lists for an operation.
fn documented_statuses(doc: &Value, path: &str, method: &str) -> Vec<String> {
    doc["paths"][path][method]["responses"].as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn every_success_and_redirect_the_api_answers_is_documented() {
    // Found by reading the handlers after the schemathesis run (whose demo data never
    // reaches these): the first save of a singleton answers 201, old slugs 301, matching
    // If-None-Match 304 — the document listed only 200 and `default` (problem+json).
    let seeded = start().await;
    let (_, _, doc) = send(seeded.req(Method::GET, "/openapi.json")).await;
    let has = |path: &str, method: &str, status: &str| documented_statuses(&doc, path, method).contains(&status.into());
    for (path, method, status) in [
        ("/api/v1/settings/accessibility", "put", "200"),
        ("/api/v1/settings/accessibility", "put", "201"),
        ("/api/v1/settings/accessibility", "get", "304"),
        ("/api/v1/news", "get", "304"),
        ("/api/v1/news/{key}", "get", "304"),
        ("/api/v1/news/{key}", "get", "301"),
        ("/api/v1/units/{key}/open", "get", "301"),
    ] {
        assert!(has(path, method, status), "{method} {path} does not document {status}");
    }
    assert_eq!(
        doc["paths"]["/api/v1/settings/accessibility"]["put"]["responses"]["201"]["content"],
        doc["paths"]["/api/v1/settings/accessibility"]["put"]["responses"]["200"]["content"]
    );
    let if_none_match = parameter(&doc, "/api/v1/news/{key}", "get", "If-None-Match");
    assert_eq!(if_none_match["in"], "header");
    validate_openapi(&doc);

    // Each one over HTTP: a store without the demo has no settings yet.
    let (_, _, settings) = send(seeded.req(Method::GET, "/settings/accessibility")).await;
    let dir = tempfile::tempdir().unwrap();
    let fresh = serve(Cms::new(Arc::new(SledStore::open(dir.path()).unwrap())), "", ApiConfig::default(), dir).await;
    let save = json!({"content": settings["content"]});
    let (status, headers, body) = send(fresh.as_admin(Method::PUT, "/settings/accessibility").json(&save)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let rb = fresh.as_admin(Method::PUT, "/settings/accessibility").header(IF_MATCH, headers[ETAG].clone()).json(&save);
    let (status, headers, _) = send(rb).await;
    assert_eq!(status, StatusCode::OK);
    let rb = fresh.req(Method::GET, "/settings/accessibility").header(IF_NONE_MATCH, headers[ETAG].clone());
    assert_eq!(send(rb).await.0, StatusCode::NOT_MODIFIED);

    let (_, _, created) =
        send(fresh.as_editor(Method::POST, "/pages").json(&json!({"content": {"title": "Stara", "body": "x"}}))).await;
    let id = created["id"].as_str().unwrap();
    send(fresh.as_editor(Method::POST, &format!("/pages/{id}/publish"))).await;
    let renamed = json!({"content": {"title": "Stara", "body": "x"}, "slug": "nowa", "reason": "krótszy adres"});
    send(fresh.as_editor(Method::PUT, &format!("/pages/{id}")).header(IF_MATCH, "*").json(&renamed)).await;
    let (status, headers, _) = send(fresh.req(Method::GET, "/pages/stara")).await;
    assert_eq!((status, headers[LOCATION].to_str().unwrap()), (StatusCode::MOVED_PERMANENTLY, "/api/v1/pages/nowa"));
}

#[tokio::test]
async fn a_token_name_is_documented_with_its_length() {
    // Schemathesis sent `{"role": "admin", "name": ""}` as valid and got 422.
    let s = start().await;
    let (_, _, doc) = send(s.req(Method::GET, "/openapi.json")).await;
    let schema = &doc["paths"]["/api/v1/tokens"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    let body = match schema["$ref"].as_str() {
        Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap(),
        None => schema,
    };
    let name = &body["properties"]["name"];
    assert_eq!((&name["minLength"], &name["maxLength"]), (&json!(1), &json!(100)), "{body}");
    for (refused, status) in
        [("", StatusCode::UNPROCESSABLE_ENTITY), (&*"n".repeat(101), StatusCode::UNPROCESSABLE_ENTITY)]
    {
        let (got, _, answer) =
            send(s.as_admin(Method::POST, "/tokens").json(&json!({"role": "editor", "name": refused}))).await;
        assert_eq!(got, status, "{answer}");
    }
    let (got, _, _) =
        send(s.as_admin(Method::POST, "/tokens").json(&json!({"role": "editor", "name": "n".repeat(100)}))).await;
    assert_eq!(got, StatusCode::CREATED);
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    // Found by hand after schemathesis sent `[null, null]` to publish: serde reads a struct
    // from a JSON array, so `[{"title": …}]` made a page and `["editor"]` a token.
    let s = start().await;
    let (_, _, before) = send(s.as_editor(Method::GET, "/pages?preview=true&limit=100")).await;
    let raw =
        |rb: reqwest::RequestBuilder, body: &str| rb.header(CONTENT_TYPE, "application/json").body(body.to_owned());
    for (rb, body) in [
        (s.as_editor(Method::POST, "/pages"), r#"[{"title": "Tablica", "body": "x"}]"#),
        (s.as_editor(Method::POST, "/pages"), r#" [{"title": "Tablica", "body": "x"}, "tablica"]"#),
        (s.as_admin(Method::POST, "/tokens"), r#"["editor"]"#),
        (s.as_editor(Method::POST, "/pages/cookies/publish"), "[null]"),
        (s.as_editor(Method::POST, "/pages/cookies/publish"), "[null, null]"),
        (s.as_editor(Method::POST, "/news"), "null"),
        (s.as_editor(Method::POST, "/news"), "\"news\""),
    ] {
        let (status, headers, answer) = send(raw(rb, body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_problem(&headers, &answer, status);
        assert_eq!(
            (&answer["type"], &answer["errors"][0]["path"]),
            (&json!("urn:witryna:problem:invalid-body"), &json!(""))
        );
    }
    let (status, _, answer) = send(raw(s.as_editor(Method::POST, "/pages"), "[{\"title\": ")).await;
    assert_eq!((status, &answer["type"]), (StatusCode::BAD_REQUEST, &json!("urn:witryna:problem:malformed-json")));
    let (_, _, after) = send(s.as_editor(Method::GET, "/pages?preview=true&limit=100")).await;
    assert_eq!(after["items"], before["items"], "nothing was made or published");
    let (_, _, tokens) = send(s.as_admin(Method::GET, "/tokens")).await;
    assert_eq!(tokens["items"].as_array().unwrap().len(), 2, "only the test's own tokens");
}
