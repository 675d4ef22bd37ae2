//! API conformance over real HTTP: the OpenAPI document is valid and says what the API
//! does — typed query parameters, `{key}` as slug or id, `If-Match` as entity tags, JSON
//! errors, one commit per PUT, one read per workflow step, access as documented.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{assert_problem, news_body, send, serve, start, validate_openapi};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MATCH, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use witryna_core::store::{ListQuery, RecordPage};
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
    async fn put(&self, record: Record) -> Result<(), StoreError> {
        self.inner.put(record).await
    }
    async fn put_history(&self, versions: Vec<Record>) -> Result<(), StoreError> {
        self.inner.put_history(versions).await
    }
    async fn all(&self, after: Option<Id>, limit: usize) -> Result<Vec<Record>, StoreError> {
        self.inner.all(after, limit).await
    }
    async fn delete(&self, id: Id, expected_version: u64) -> Result<(), StoreError> {
        self.inner.delete(id, expected_version).await
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
    async fn list(&self, query: &ListQuery) -> Result<RecordPage, StoreError> {
        self.inner.list(query).await
    }
    async fn revisions(&self, id: Id) -> Result<Vec<Record>, StoreError> {
        self.inner.revisions(id).await
    }
    async fn revision(&self, id: Id, version: u64) -> Result<Option<Record>, StoreError> {
        self.inner.revision(id, version).await
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
