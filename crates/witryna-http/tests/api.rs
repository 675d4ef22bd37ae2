//! The API over real HTTP (a real client, port 0) on a real sled store seeded with the demo.

mod common;

use std::sync::Arc;

use common::{assert_problem, news_body, paths, send, start, start_with};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use witryna_core::{demo, Cms};
use witryna_http::{auth, ApiConfig, ApiState, Role};
use witryna_sled::SledStore;

#[tokio::test]
async fn public_lists_page_with_cursors_filters_and_caching() {
    let s = start().await;
    let (status, headers, body) = send(s.req(Method::GET, "/news")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["cache-control"].to_str().unwrap().starts_with("public"));
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["publish_at"], "2017-12-05T08:06:48Z", "newest first");
    assert!(body["next_cursor"].is_null());

    let (_, _, first) = send(s.req(Method::GET, "/news?limit=1")).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, _, second) = send(s.req(Method::GET, &format!("/news?limit=1&cursor={cursor}"))).await;
    assert_eq!(second["items"][0]["publish_at"], "2017-02-03T08:41:08Z");
    assert!(second["next_cursor"].is_null());

    let (_, _, from) = send(s.req(Method::GET, "/news?from=2017-06-01")).await;
    assert_eq!(from["items"].as_array().unwrap().len(), 1);
    let (_, _, to) = send(s.req(Method::GET, "/news?to=2017-02-03")).await;
    assert_eq!(to["items"].as_array().unwrap().len(), 1, "a date in `to` includes its whole day");
    let (_, _, tagged) = send(s.req(Method::GET, "/programmes?tag=efs")).await;
    assert_eq!(tagged["items"].as_array().unwrap().len(), 2);

    for bad in ["limit=0", "limit=101", "limit=dużo", "from=wczoraj", "cursor=xyz", "preview=maybe"] {
        let (status, headers, body) = send(s.req(Method::GET, &format!("/news?{bad}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_problem(&headers, &body, StatusCode::BAD_REQUEST);
        assert_eq!(paths(&body), [bad.split('=').next().unwrap()]);
    }

    let etag = headers[ETAG].clone();
    let (status, headers, _) = send(s.req(Method::GET, "/news").header(IF_NONE_MATCH, etag.clone())).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[ETAG], etag);
}

#[tokio::test]
async fn items_by_slug_or_id_with_etags_and_404s() {
    let s = start().await;
    let (status, headers, body) = send(s.req(Method::GET, "/programmes/rowni-na-starcie")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["content"]["budget"]["total"], 151_583_074, "money in grosze");
    assert_eq!(headers[ETAG], format!("\"{}\"", body["version"]));
    let id = body["id"].as_str().unwrap();
    let (status, _, by_id) = send(s.req(Method::GET, &format!("/programmes/{id}"))).await;
    assert_eq!((status, by_id["slug"].as_str()), (StatusCode::OK, Some("rowni-na-starcie")));
    let (status, _, _) =
        send(s.req(Method::GET, "/programmes/rowni-na-starcie").header(IF_NONE_MATCH, headers[ETAG].clone())).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);

    let (status, headers, body) = send(s.req(Method::GET, "/news/nie-ma-takiej")).await;
    assert_problem(&headers, &body, StatusCode::NOT_FOUND);
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(s.req(Method::GET, &format!("/news/{id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an id of another kind is not found");
    let (status, headers, body) = send(s.req(Method::GET, "/nic/tutaj")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["type"], "urn:witryna:problem:no-route");
    assert_problem(&headers, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn writes_need_tokens_and_roles() {
    let s = start().await;
    let (status, headers, body) = send(s.req(Method::POST, "/news").json(&news_body("Bez tokenu"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["www-authenticate"], "Bearer");
    assert_problem(&headers, &body, StatusCode::UNAUTHORIZED);
    let (status, _, _) =
        send(s.req(Method::POST, "/news").header(AUTHORIZATION, "Bearer wtr_zly").json(&news_body("Zły token"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(s.as_editor(Method::GET, "/tokens")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "editors do not manage tokens");
    let (status, _, body) =
        send(s.as_editor(Method::PUT, "/settings/accessibility").json(&json!({"content": {}}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Admin makes an editor token over the API; it works until revoked.
    let (status, _, made) =
        send(s.as_admin(Method::POST, "/tokens").json(&json!({"role": "editor", "name": "stażysta"}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let secret = made["token"].as_str().unwrap().to_owned();
    let (_, _, list) = send(s.as_admin(Method::GET, "/tokens")).await;
    let listed = list["items"].as_array().unwrap();
    assert!(listed.iter().any(|t| t["name"] == "stażysta" && t["role"] == "editor"));
    assert!(!list.to_string().contains(&secret), "secrets are never listed");
    let with_new = |t: &str| {
        s.req(Method::POST, "/news").header(AUTHORIZATION, format!("Bearer {t}")).json(&news_body("Od stażysty"))
    };
    assert_eq!(send(with_new(&secret)).await.0, StatusCode::CREATED);
    let id = made["id"].as_str().unwrap();
    assert_eq!(send(s.as_admin(Method::DELETE, &format!("/tokens/{id}"))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(with_new(&secret)).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn editorial_flow_over_http() {
    let s = start().await;
    let count = || async { send(s.req(Method::GET, "/news")).await.2["items"].as_array().unwrap().len() };
    assert_eq!(count().await, 2); // now in the public response cache
    let (status, headers, created) =
        send(s.as_editor(Method::POST, "/news").json(&news_body("Dzień otwarty w KIS"))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(headers[ETAG], "\"1\"");
    let location = headers[LOCATION].to_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/news/{id}"));
    assert_eq!(created["slug"], "dzien-otwarty-w-kis");

    assert_eq!(
        send(s.req(Method::GET, "/news/dzien-otwarty-w-kis")).await.0,
        StatusCode::NOT_FOUND,
        "drafts are not public"
    );
    assert_eq!(send(s.req(Method::GET, "/news/dzien-otwarty-w-kis?preview=true")).await.0, StatusCode::UNAUTHORIZED);
    let (status, headers, _) = send(s.as_editor(Method::GET, "/news/dzien-otwarty-w-kis?preview=true")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "private, no-cache");

    let item = format!("/news/{id}");
    let update = news_body("Dzień otwarty w Klubie Integracji Społecznej");
    let (status, _, body) = send(s.as_editor(Method::PUT, &item).json(&update)).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{body}");
    let (status, _, body) = send(s.as_editor(Method::PUT, &item).header(IF_MATCH, "\"7\"").json(&update)).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(body["current_version"], 1);
    let (status, _, body) = send(s.as_editor(Method::PUT, &item).header(IF_MATCH, "nonsense").json(&update)).await;
    assert_eq!((status, &body["current_version"]), (StatusCode::PRECONDITION_FAILED, &json!(1)));
    let mut renamed = update.clone();
    renamed["slug"] = json!("Dzień otwarty KIS 2026");
    let (status, headers, body) = send(s.as_editor(Method::PUT, &item).header(IF_MATCH, "\"1\"").json(&renamed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["slug"].as_str(), body["version"].as_u64()),
        (Some("dzien-otwarty-kis-2026"), Some(2)),
        "content and slug in one commit"
    );
    assert_eq!(headers[ETAG], "\"2\"");

    let (status, _, body) = send(s.as_editor(Method::POST, &format!("{item}/publish")).header(IF_MATCH, "\"2\"")).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("published")));
    let (status, headers, _) = send(s.req(Method::GET, "/news/dzien-otwarty-w-kis")).await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY, "the old slug redirects");
    assert_eq!(headers[LOCATION], "/api/v1/news/dzien-otwarty-kis-2026");
    assert_eq!(send(s.req(Method::GET, "/news/dzien-otwarty-kis-2026")).await.0, StatusCode::OK);
    assert_eq!(count().await, 3, "a write makes cached public lists stale at once");

    let future = json!({"publish_at": "2099-01-01T10:00:00Z"});
    let (status, _, body) = send(s.as_editor(Method::POST, &format!("{item}/publish")).json(&future)).await;
    assert_eq!((status, body["publish_at"].as_str()), (StatusCode::OK, Some("2099-01-01T10:00:00Z")));
    assert_eq!(send(s.req(Method::GET, "/news/dzien-otwarty-kis-2026")).await.0, StatusCode::NOT_FOUND, "scheduled");
    send(s.as_editor(Method::POST, &format!("{item}/publish"))).await;

    let (_, _, revisions) = send(s.as_editor(Method::GET, &format!("{item}/revisions"))).await;
    let versions: Vec<u64> =
        revisions["items"].as_array().unwrap().iter().map(|r| r["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, [1, 2, 3, 4, 5]);
    let (status, _, body) = send(s.as_editor(Method::POST, &format!("{item}/revisions/1/restore"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((body["content"]["title"].as_str(), body["version"].as_u64()), (Some("Dzień otwarty w KIS"), Some(6)));
    assert_eq!(send(s.as_editor(Method::POST, &format!("{item}/revisions/99/restore"))).await.0, StatusCode::NOT_FOUND);

    let (status, _, body) = send(s.as_editor(Method::POST, &format!("{item}/archive"))).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("archived")));
    assert_eq!(send(s.as_editor(Method::POST, &format!("{item}/archive"))).await.0, StatusCode::CONFLICT);
    let (status, _, body) = send(s.as_editor(Method::POST, &format!("{item}/unpublish"))).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("draft")));
    assert_eq!(
        send(s.as_editor(Method::DELETE, &item).header(IF_MATCH, "\"1\"")).await.0,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(send(s.as_editor(Method::DELETE, &item)).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(s.as_editor(Method::GET, &format!("{item}?preview=true"))).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_gets_typed_errors_never_500() {
    let s = start().await;
    let post =
        |body: &str| s.as_editor(Method::POST, "/news").header(CONTENT_TYPE, "application/json").body(body.to_owned());

    let (status, headers, body) = send(post("{\"content\": {")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_problem(&headers, &body, status);
    let trailing = r#"{"content": {"title": "A", "body": "B", "author": "C"}} trailing"#;
    assert_eq!(send(post(trailing)).await.0, StatusCode::BAD_REQUEST);

    let cases = [
        (r#"{"content": {"title": "A", "body": "B", "author": "C", "tagz": []}}"#, "content.tagz", "unknown_field"),
        (r#"{"content": {"title": 5, "body": "B", "author": "C"}}"#, "content.title", "invalid_value"),
        (r#"{"content": {"title": "A", "body": "B"}}"#, "content.author", "missing_field"),
        (
            r#"{"content": {"title": "A", "body": "B", "author": "C", "event": {"date": "2017-02-02", "participants": "dużo"}}}"#,
            "content.event.participants",
            "invalid_value",
        ),
        (r#"{"content": {"title": "", "body": "B", "author": "C"}}"#, "content.title", "required"),
        (
            r#"{"content": {"title": "A", "body": "B", "author": "C", "cover": {"src": "/a.jpg", "alt": ""}}}"#,
            "content.cover.alt",
            "missing_alt",
        ),
    ];
    for (json, path, code) in cases {
        let (status, headers, body) = send(post(json)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}: {body}");
        assert_problem(&headers, &body, status);
        assert_eq!(paths(&body), [path], "{json}");
        assert_eq!(body["errors"][0]["code"], code, "{json}");
    }

    let programme = json!({"content": {"name": "Za drogi", "beneficiary": "MOPS",
        "budget": {"total": 100, "co_financing": 150}}});
    let (status, _, body) = send(s.as_editor(Method::POST, "/programmes").json(&programme)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(paths(&body), ["content.budget.co_financing"]);

    let big = format!(r#"{{"content": {{"title": "A", "body": "{}", "author": "C"}}}}"#, "x".repeat(1024 * 1024 + 10));
    let (status, headers, body) = send(post(&big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_problem(&headers, &body, status);

    let (status, _, _) = send(s.as_editor(Method::POST, "/news").body(news_body("x").to_string())).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        send(s.as_editor(Method::PUT, "/news/not-an-id").header(IF_MATCH, "\"1\"").json(&news_body("x"))).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(send(s.as_editor(Method::POST, "/news/not-an-id/publish")).await.0, StatusCode::NOT_FOUND);
    let (status, headers, body) = send(s.req(Method::GET, "/news/%ff%fe")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_problem(&headers, &body, status);
    let (status, headers, body) = send(s.req(Method::PATCH, "/news")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_problem(&headers, &body, status);
    assert!(headers["allow"].to_str().unwrap().contains("POST"));
    let (_, _, list) = send(s.as_editor(Method::GET, "/news?preview=true")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "nothing was written by the refused requests");
}

#[tokio::test]
async fn office_hours_query_and_settings() {
    let s = start().await;
    let (status, _, body) = send(s.req(Method::GET, "/units/mops-glowno/open?at=2026-11-23T15:00:00Z")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"open": true, "next_change": "2026-11-23T15:30:00Z"}));
    let (_, _, body) = send(s.req(Method::GET, "/units/mops-glowno/open?at=2026-11-28T12:00:00Z")).await;
    assert_eq!(body, json!({"open": false, "next_change": "2026-11-30T06:30:00Z"}));
    let (status, _, body) = send(s.req(Method::GET, "/units/mops-glowno/open?at=jutro")).await;
    assert_eq!((status, paths(&body)), (StatusCode::BAD_REQUEST, vec!["at".to_owned()]));
    assert_eq!(send(s.req(Method::GET, "/units/nie-ma/open")).await.0, StatusCode::NOT_FOUND);

    let (status, headers, settings) = send(s.req(Method::GET, "/settings/accessibility")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings["content"]["speech_language"], "pl-PL");
    let mut content = settings["content"].clone();
    content["high_contrast"] = json!(false);
    let put = |rb: reqwest::RequestBuilder| rb.json(&json!({"content": content}));
    assert_eq!(
        send(put(s.as_admin(Method::PUT, "/settings/accessibility"))).await.0,
        StatusCode::PRECONDITION_REQUIRED
    );
    let (status, _, body) =
        send(put(s.as_admin(Method::PUT, "/settings/accessibility").header(IF_MATCH, headers[ETAG].clone()))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["content"]["high_contrast"], false);
}

#[tokio::test]
async fn openapi_documents_every_route() {
    let s = start().await;
    let (status, _, doc) = send(s.req(Method::GET, "/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let mut expected = vec![("get", "/api/v1/openapi.json".to_owned())];
    // Media items have the same routes; only their POST takes an upload (multipart/form-data).
    for kind in ["news", "programmes", "units", "pages", "media"] {
        let base = format!("/api/v1/{kind}");
        let key = format!("{base}/{{key}}");
        expected.extend([
            ("get", base.clone()),
            ("post", base.clone()),
            ("get", key.clone()),
            ("put", key.clone()),
            ("delete", key.clone()),
            ("post", format!("{key}/publish")),
            ("post", format!("{key}/unpublish")),
            ("post", format!("{key}/archive")),
            ("get", format!("{key}/revisions")),
            ("post", format!("{key}/revisions/{{version}}/restore")),
            ("put", format!("{key}/record")),
        ]);
        // Every kind shown on the site has translations; files have none.
        if kind != "media" {
            expected.push(("post", format!("{key}/translations")));
        }
    }
    expected.extend([
        ("get", "/api/v1/units/{key}/open".to_owned()),
        ("get", "/api/v1/search".to_owned()),
        ("get", "/api/v1/settings/accessibility".to_owned()),
        ("put", "/api/v1/settings/accessibility".to_owned()),
        ("get", "/api/v1/activity-information".to_owned()),
        ("put", "/api/v1/activity-information".to_owned()),
        ("get", "/api/v1/tokens".to_owned()),
        ("post", "/api/v1/tokens".to_owned()),
        ("delete", "/api/v1/tokens/{id}".to_owned()),
        ("get", "/api/v1/audit".to_owned()),
        ("get", "/api/v1/webhooks".to_owned()),
        ("post", "/api/v1/webhooks".to_owned()),
        ("delete", "/api/v1/webhooks/{id}".to_owned()),
        ("get", "/api/v1/webhooks/{id}/deliveries".to_owned()),
    ]);
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    for (method, path) in &expected {
        assert!(documented.contains(&(method.to_string(), path.clone())), "{method} {path} is not documented");
    }
    assert_eq!(documented.len(), expected.len(), "every documented operation is one the API names");

    // And every documented operation is served: no route-level 404 or 405.
    for (method, path) in &documented {
        let concrete =
            path.replace("/api/v1", "").replace("{key}", "mops-glowno").replace("{id}", "x").replace("{version}", "1");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let res = s.as_admin(method.clone(), &concrete).send().await.unwrap();
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(!body.contains("urn:witryna:problem:no-route"), "{method} {path} is not routed");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let names =
        ["NewsArticle", "Programme", "Unit", "OfficeHours", "AccessibilitySettings", "Money", "Problem", "Media"];
    for name in names {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    // An upload is a form with the file, not JSON; updates of a media item stay JSON.
    let upload = &doc["paths"]["/api/v1/media"]["post"]["requestBody"]["content"];
    assert_eq!(upload.as_object().map(|c| c.keys().collect::<Vec<_>>()), Some(vec![&"multipart/form-data".to_owned()]));
    assert_eq!(upload["multipart/form-data"]["schema"]["required"], json!(["file"]), "{upload}");
    let update = &doc["paths"]["/api/v1/media/{key}"]["put"]["requestBody"]["content"];
    assert!(update.get("application/json").is_some(), "{update}");
}

#[tokio::test]
async fn mounts_under_a_prefix_with_cors() {
    let config = ApiConfig { cors_origins: vec!["https://mops.example.pl".into()], ..ApiConfig::default() };
    let s = start_with("/cms", config).await;
    let (status, _, body) = send(s.req(Method::GET, "/news")).await;
    assert_eq!((status, body["items"].as_array().unwrap().len()), (StatusCode::OK, 2));
    let (status, headers, created) =
        send(s.as_editor(Method::POST, "/pages").json(&json!({"content": {"title": "Kontakt", "body": "Tel."}}))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers[LOCATION], format!("/cms/api/v1/pages/{}", created["id"].as_str().unwrap()));

    let res = s
        .req(Method::OPTIONS, "/news")
        .header("origin", "https://mops.example.pl")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "https://mops.example.pl");
    let res = s.req(Method::GET, "/news").header("origin", "https://evil.example").send().await.unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn search_over_http() {
    let s = start().await;
    let (status, _, body) = send(s.req(Method::GET, "/search?q=wozek%20widlowy")).await;
    assert_eq!(status, StatusCode::OK);
    let first = &body["items"][0];
    assert_eq!((first["kind"].as_str(), first["slug"].as_str()), (Some("programme"), Some("aktywni-w-kis")));
    assert!(first["snippet"].as_str().unwrap().contains("<mark>wózka</mark>"));
    assert!(first["publish_at"].is_string() && first["title"] == "Aktywni w KIS");

    let (_, _, units) = send(s.req(Method::GET, "/search?q=integracja&kind=units")).await;
    assert!(units["items"].as_array().unwrap().iter().all(|h| h["kind"] == "unit"));
    assert!(!units["items"].as_array().unwrap().is_empty());
    let (_, _, page) = send(s.req(Method::GET, "/search?q=spolecznej&limit=1")).await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, _, next) = send(s.req(Method::GET, &format!("/search?q=spolecznej&limit=1&cursor={cursor}"))).await;
    assert_ne!(next["items"][0]["id"], page["items"][0]["id"]);

    for (bad, param) in [("kind=recipes", "kind"), ("cursor=abc", "cursor"), ("limit=500", "limit")] {
        let (status, _, body) = send(s.req(Method::GET, &format!("/search?q=kis&{bad}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(paths(&body), [param]);
    }
    let long = "a%20".repeat(3000);
    assert_eq!(send(s.req(Method::GET, &format!("/search?q={long}"))).await.0, StatusCode::OK);
    assert_eq!(send(s.req(Method::GET, "/search?q=%22AND%20(")).await.0, StatusCode::OK);
    let (_, _, empty) = send(s.req(Method::GET, "/search")).await;
    assert_eq!(empty["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_editors_on_one_item_lose_no_update() {
    let s = Arc::new(start().await);
    let (_, _, created) =
        send(s.as_editor(Method::POST, "/pages").json(&json!({"content": {"title": "Licznik", "body": "start"}})))
            .await;
    let path = format!("/pages/{}", created["id"].as_str().unwrap());
    let (editors, rounds) = (8, 5);
    let mut tasks = Vec::new();
    for e in 0..editors {
        let (s, path) = (s.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            let mut lost_races = 0;
            for r in 0..rounds {
                loop {
                    let (_, headers, current) = send(s.as_editor(Method::GET, &format!("{path}?preview=true"))).await;
                    let body = format!("{}\n{e}-{r}", current["content"]["body"].as_str().unwrap());
                    let put = s
                        .as_editor(Method::PUT, &path)
                        .header(IF_MATCH, headers[ETAG].clone())
                        .json(&json!({"content": {"title": "Licznik", "body": body}}));
                    match send(put).await.0 {
                        StatusCode::OK => break,
                        StatusCode::PRECONDITION_FAILED => lost_races += 1,
                        other => panic!("unexpected {other}"),
                    }
                }
            }
            lost_races
        }));
    }
    let mut conflicts = 0;
    for t in tasks {
        conflicts += t.await.unwrap();
    }
    let (_, _, last) = send(s.as_editor(Method::GET, &format!("{path}?preview=true"))).await;
    assert_eq!(last["version"], 1 + editors * rounds, "every update landed once");
    let lines = last["content"]["body"].as_str().unwrap().lines().skip(1).collect::<std::collections::HashSet<_>>();
    assert_eq!(lines.len() as u64, editors * rounds, "no update was lost");
    let (_, _, revisions) = send(s.as_editor(Method::GET, &format!("{path}/revisions"))).await;
    let versions: Vec<u64> =
        revisions["items"].as_array().unwrap().iter().map(|r| r["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, (1..=1 + editors * rounds).collect::<Vec<_>>(), "history complete and ordered");
    eprintln!("{conflicts} stale writes answered 412 and retried");
}

#[tokio::test]
async fn guessing_tokens_gets_429_but_valid_tokens_always_pass() {
    let dir = tempfile::tempdir().unwrap();
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));
    let editor = auth::create_token(&cms, Role::Editor, "redakcja").await.unwrap().token;
    let app = witryna_http::router(ApiState::new(cms));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api/v1", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
    });
    let client = reqwest::Client::new();
    let post = |authorization: Option<String>| {
        let mut rb = client.post(format!("{base}/pages")).json(&json!({"content": {"title": "A", "body": "B"}}));
        if let Some(a) = authorization {
            rb = rb.header(AUTHORIZATION, a);
        }
        rb.send()
    };
    for _ in 0..30 {
        let status = post(None).await.unwrap().status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "no credential is not a guess: never 429");
    }
    for i in 0..20 {
        assert_eq!(post(Some(format!("Bearer wtr_guess{i}"))).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = post(Some("Bearer wtr_guess21".into())).await.unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = blocked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    let preview = client.get(format!("{base}/news?preview=true")).bearer_auth("wtr_guess22").send().await.unwrap();
    assert_eq!(preview.status(), StatusCode::TOO_MANY_REQUESTS, "preview checks go through the counted path");
    let created = post(Some(format!("Bearer {editor}"))).await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED, "a valid token from the same address is always accepted");
    let shouted = post(Some(format!("BEARER {editor}"))).await.unwrap();
    assert_eq!(shouted.status(), StatusCode::CREATED, "the scheme is case-insensitive");
    let preview = client.get(format!("{base}/news?preview=true")).bearer_auth(&editor).send().await.unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(client.get(format!("{base}/news")).send().await.unwrap().status(), StatusCode::OK, "public reads go on");
}

#[tokio::test]
async fn search_depth_is_bounded() {
    let s = start().await;
    for cursor in ["1000000000000", "18446744073709551615", "99999999999999999999999", "10000"] {
        let (status, headers, body) = send(s.req(Method::GET, &format!("/search?q=pomoc&cursor={cursor}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "cursor {cursor}: {body}");
        assert_problem(&headers, &body, status);
        assert_eq!(paths(&body), ["cursor"]);
    }
    // Every cursor the API hands out (multiples of the page size) stays usable: the last
    // page just stops at 10 000.
    for (cursor, limit) in [(9990, 30), (9999, 100), (9900, 100)] {
        let (status, _, body) =
            send(s.req(Method::GET, &format!("/search?q=pomoc&cursor={cursor}&limit={limit}"))).await;
        assert_eq!(status, StatusCode::OK, "cursor {cursor}, limit {limit}: {body}");
        assert_eq!(body["next_cursor"], Value::Null);
    }
    let (status, _, _) = send(s.req(Method::GET, "/search?q=pomoc")).await;
    assert_eq!(status, StatusCode::OK, "the server is alive");
}

#[tokio::test]
async fn control_characters_and_deep_markdown_are_refused_naming_the_field() {
    let s = start().await;
    let cases = [
        (json!({"title": "A\u{1}B", "body": "x", "author": "MOPS"}), "content.title"),
        (json!({"title": "A", "body": "x\u{0}y", "author": "MOPS"}), "content.body"),
        (json!({"title": "A", "body": "x", "author": "MOPS\u{fffe}"}), "content.author"),
        (json!({"title": "A", "body": "x", "author": "MOPS", "lead": "\u{1b}[31m"}), "content.lead"),
        (json!({"title": "A", "body": "x", "author": "MOPS", "tags": ["ok", "a\u{1f}b"]}), "content.tags[1]"),
        (json!({"title": "A", "body": ">".repeat(199_000), "author": "MOPS"}), "content.body"),
    ];
    for (content, path) in cases {
        let (status, headers, body) =
            send(s.as_editor(Method::POST, "/news").json(&json!({ "content": content }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_problem(&headers, &body, status);
        assert!(paths(&body).contains(&path.to_owned()), "{path}: {body}");
    }
    let (status, _, body) =
        send(s.as_admin(Method::POST, "/tokens").json(&json!({"role": "editor", "name": "x\u{7}y"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fine = json!({"content": {"title": "A", "body": "wiersz\n\tz tabulatorem\r\n> cytat", "author": "MOPS"}});
    let (status, _, body) = send(s.as_editor(Method::POST, "/news").json(&fine)).await;
    assert_eq!(status, StatusCode::CREATED, "tab, LF and CR are text: {body}");
}

#[tokio::test]
async fn shortcut_targets_are_site_paths_or_http() {
    let s = start().await;
    let (_, headers, current) = send(s.req(Method::GET, "/settings/accessibility")).await;
    let etag = headers[ETAG].to_str().unwrap().to_owned();
    for target in ["javascript:alert(1)", "JavaScript:alert(1)", "//evil.example", "data:text/html,x"] {
        let mut content = current["content"].clone();
        content["keyboard_shortcuts"][0]["target"] = json!(target);
        let rb = s
            .as_admin(Method::PUT, "/settings/accessibility")
            .header(IF_MATCH, &etag)
            .json(&json!({ "content": content }));
        let (status, _, body) = send(rb).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{target}: {body}");
        assert_eq!(paths(&body), ["content.keyboard_shortcuts[0].target"], "{target}");
    }
}

#[tokio::test]
async fn unknown_query_parameters_do_not_fill_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));
    demo::seed(&cms).await.unwrap();
    let state = ApiState::new(cms);
    let app = witryna_http::router(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::new();
    let junk = "A".repeat(8 * 1024);
    for i in 0..40 {
        for path in [format!("/news?x{i}={junk}"), format!("/programmes/rowni-na-starcie?x{i}={junk}")] {
            let res = client.get(format!("{base}{path}")).send().await.unwrap();
            assert_ne!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
    let (entries, bytes) = state.cache_usage();
    assert!(entries <= 2, "one entry per distinct answer, not per URL: {entries}");
    assert!(bytes < 64 * 1024, "{bytes} bytes");
    // One item, many spellings of its id: one entry.
    let item: Value =
        client.get(format!("{base}/programmes/rowni-na-starcie")).send().await.unwrap().json().await.unwrap();
    let id = item["id"].as_str().unwrap().parse::<witryna_core::Id>().unwrap().0;
    let before = state.cache_usage().0;
    for spelling in [
        id.hyphenated().to_string(),
        id.simple().to_string(),
        id.braced().to_string(),
        id.hyphenated().to_string().to_uppercase(),
    ] {
        let res = client.get(format!("{base}/programmes/{spelling}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{spelling}");
    }
    assert_eq!(state.cache_usage().0, before + 1, "one entry for the item, however its id is spelled");
    // A public list with a status filter is an answer of its own, never served for the list.
    let drafts: Value = client.get(format!("{base}/news?status=draft")).send().await.unwrap().json().await.unwrap();
    assert_eq!(drafts["items"], json!([]));
    let news: Value = client.get(format!("{base}/news")).send().await.unwrap().json().await.unwrap();
    assert!(!news["items"].as_array().unwrap().is_empty(), "?status=draft did not poison the cached list");
    let long_tag = "t".repeat(51);
    let res = client.get(format!("{base}/news?tag={long_tag}")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "tags are at most 50 characters");
}
