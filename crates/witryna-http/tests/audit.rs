//! The public body's duties over real HTTP on a real sled store: the metryczka of an item
//! written by two accounts, the reason a public change needs, and the audit log — one entry
//! per action, read by administrators only, filtered and paged, never written through.

mod common;

use std::sync::Arc;

use common::{assert_problem, paths, send, serve, Server};
use reqwest::header::IF_MATCH;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use witryna_core::Cms;
use witryna_http::ApiConfig;
use witryna_sled::SledStore;

async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    serve(Cms::new(Arc::new(SledStore::open(dir.path()).unwrap())), "", ApiConfig::default(), dir).await
}

fn page(body: &str) -> Value {
    json!({"title": "Godziny pracy", "body": body})
}

/// The audit log as an administrator reads it, with a query.
async fn audit(s: &Server, query: &str) -> Vec<Value> {
    let (status, _, body) = send(s.as_admin(Method::GET, &format!("/audit{query}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn actions(entries: &[Value]) -> Vec<&str> {
    entries.iter().rev().map(|e| e["action"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_metryczka_follows_two_accounts_and_a_public_change_needs_a_reason() {
    let s = server().await;
    // The editor token creates; the administrator token publishes and edits.
    let (status, _, created) = send(s.as_editor(Method::POST, "/pages").json(&json!({"content": page("7:30")}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let record = &created["record"];
    assert_eq!(record["entered_by"], "token API „redakcja”");
    assert_eq!(record["produced_by"], "token API „redakcja”", "the producer defaults to who entered it");
    assert_eq!(record["changed_by"], "token API „redakcja”");
    assert!(record["produced_on"].as_str().unwrap().len() == 10, "a date: {record}");

    let (_, _, published) = send(s.as_admin(Method::POST, &format!("/pages/{id}/publish"))).await;
    assert_eq!(published["record"]["published_by_name"], "token API „admin”");
    assert_eq!(published["record"]["entered_by"], "token API „redakcja”", "who entered it stays");
    assert!(published["record"]["published_by"].is_string());

    // A change to the words of a public item without a reason: 422 naming `reason`, nothing written.
    let put = |body: Value| s.as_admin(Method::PUT, &format!("/pages/{id}")).header(IF_MATCH, "*").json(&body);
    let (status, headers, problem) = send(put(json!({"content": page("8:00")}))).await;
    assert_problem(&headers, &problem, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(paths(&problem), ["reason"]);
    let (status_long, _, problem) = send(put(json!({"content": page("8:00"), "reason": "x".repeat(501)}))).await;
    assert_eq!((status, status_long), (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::UNPROCESSABLE_ENTITY));
    assert_eq!(paths(&problem), ["reason"]);
    let (_, _, current) = send(s.as_editor(Method::GET, &format!("/pages/{id}?preview=true"))).await;
    assert_eq!(current["version"], 2, "refused changes write nothing");

    let (status, _, changed) = send(put(json!({"content": page("8:00"), "reason": "nowe godziny"}))).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["record"]["change_note"], "nowe godziny");
    assert_eq!(changed["record"]["changed_by"], "token API „admin”");
    assert_eq!(changed["record"]["published_by_name"], "token API „admin”");

    // The editable fields: public, so with a reason; a bad date names its field.
    let fields = |body: Value| s.as_editor(Method::PUT, &format!("/pages/{id}/record")).json(&body);
    let (_, _, problem) = send(fields(json!({"produced_by": "Dział Świadczeń"}))).await;
    assert_eq!(paths(&problem), ["reason"]);
    let (status, _, problem) = send(fields(json!({"produced_on": "2026-13-01", "reason": "x"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(paths(&problem)[0].contains("produced_on"), "{problem}");
    let body = json!({"produced_by": "Dział Świadczeń", "responsible": "Jan Kowalski", "produced_on": "2026-11-20",
                      "reason": "uzupełnienie metryczki"});
    let (status, _, done) = send(fields(body)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (&done["record"]["produced_by"], &done["record"]["responsible"], &done["record"]["produced_on"]),
        (&json!("Dział Świadczeń"), &json!("Jan Kowalski"), &json!("2026-11-20"))
    );
    let (_, _, public) = send(s.req(Method::GET, &format!("/pages/{id}"))).await;
    assert_eq!(public["record"]["responsible"], "Jan Kowalski", "the public reads the metryczka too");
}

#[tokio::test]
async fn every_action_leaves_one_entry_that_only_administrators_read() {
    let s = server().await;
    let before = audit(&s, "").await.len(); // the two tokens of the test server
    let (_, _, created) = send(s.as_editor(Method::POST, "/pages").json(&json!({"content": page("7:30")}))).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let key = format!("/pages/{id}");
    for (method, path, body) in [
        (Method::PUT, key.clone(), Some(json!({"content": page("7:45")}))),
        (Method::POST, format!("{key}/publish"), Some(json!({"reason": "gotowe"}))),
        (Method::PUT, format!("{key}/record"), Some(json!({"responsible": "Anna", "reason": "metryczka"}))),
        (Method::POST, format!("{key}/unpublish"), Some(json!({"reason": "do poprawy"}))),
        (Method::POST, format!("{key}/archive"), None),
        (Method::POST, format!("{key}/revisions/1/restore"), None),
        (Method::DELETE, key.clone(), Some(json!({"reason": "duplikat"}))),
    ] {
        let mut rb = s.as_editor(method.clone(), &path).header(IF_MATCH, "*");
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        let (status, _, answer) = send(rb).await;
        assert!(status.is_success(), "{method} {path}: {answer}");
    }
    // A refused write and a read leave nothing.
    send(s.as_editor(Method::POST, &format!("{key}/publish"))).await;
    send(s.req(Method::GET, "/pages")).await;
    let entries = audit(&s, "").await;
    assert_eq!(entries.len(), before + 8);
    assert_eq!(
        actions(&entries[..8]),
        ["created", "updated", "published", "record-changed", "unpublished", "archived", "restored", "deleted"]
    );
    let published = &entries[5];
    assert_eq!((published["note"].as_str(), published["public"].as_bool()), (Some("gotowe"), Some(true)));
    assert_eq!(published["actor"]["name"], "token API „redakcja”");
    assert_eq!(published["actor"]["address"], "127.0.0.1");
    assert_eq!(published["item"]["id"].as_str(), Some(id.as_str()));
    assert_eq!(entries[0]["note"], "duplikat");

    // Filters and paging.
    let token = published["actor"]["id"].as_str().unwrap().to_owned();
    assert_eq!(audit(&s, &format!("?actor={token}&action=published")).await.len(), 1);
    assert_eq!(audit(&s, &format!("?item={id}")).await.len(), 8);
    let first = audit(&s, "?limit=3").await;
    let (_, _, page) = send(s.as_admin(Method::GET, "/audit?limit=3")).await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let second = audit(&s, &format!("?limit=3&cursor={cursor}")).await;
    assert!(second[0]["seq"].as_u64() < first[2]["seq"].as_u64(), "the next page goes on below");
    for (query, param) in [
        ("?action=hacked", "action"),
        ("?actor=x", "actor"),
        ("?item=1", "item"),
        ("?from=wczoraj", "from"),
        ("?cursor=-1", "cursor"),
        ("?limit=0", "limit"),
    ] {
        let (status, headers, problem) = send(s.as_admin(Method::GET, &format!("/audit{query}"))).await;
        assert_problem(&headers, &problem, StatusCode::BAD_REQUEST);
        assert_eq!(paths(&problem), [param], "{query}: {status}");
    }

    // Administrators only; and no route writes to it.
    assert_eq!(send(s.req(Method::GET, "/audit")).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(s.as_editor(Method::GET, "/audit")).await.0, StatusCode::FORBIDDEN);
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        let (status, _, _) = send(s.as_admin(method.clone(), "/audit").json(&json!({}))).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
    assert_eq!(audit(&s, "").await.len(), before + 8, "reading the log writes nothing to it");
}

#[tokio::test]
async fn webhooks_are_registered_by_administrators_and_private_addresses_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()))
        .with_kinds(witryna_webhooks::kinds(witryna_core::Kinds::builtin()));
    let s = serve(cms, "", ApiConfig::default(), dir).await;
    let body =
        json!({"name": "Portal miasta", "url": "https://portal.example.invalid/witryna", "events": ["item.published"]});
    assert_eq!(send(s.as_editor(Method::POST, "/webhooks").json(&body)).await.0, StatusCode::FORBIDDEN);
    let (status, _, created) = send(s.as_admin(Method::POST, "/webhooks").json(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    let id = created["id"].as_str().unwrap().to_owned();
    for (bad, path) in [
        (json!({"name": "x", "url": "http://127.0.0.1:8080/"}), "url"),
        (json!({"name": "x", "url": "http://[::1]/"}), "url"),
        (json!({"name": "x", "url": "http://localhost/"}), "url"),
        (json!({"name": "x", "url": "gopher://example.org/"}), "url"),
        (json!({"name": "x", "url": "https://example.org/", "events": ["item.exploded"]}), "events[0]"),
        (json!({"name": "x", "url": "https://example.org/", "secret": "sekret"}), "secret"),
        (json!({"name": "", "url": "https://example.org/"}), "name"),
    ] {
        let (status, headers, problem) = send(s.as_admin(Method::POST, "/webhooks").json(&bad)).await;
        assert_problem(&headers, &problem, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(paths(&problem), [path], "{bad}: {status}");
    }
    let (_, _, listed) = send(s.as_admin(Method::GET, "/webhooks")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let (status, _, log) = send(s.as_admin(Method::GET, &format!("/webhooks/{id}/deliveries"))).await;
    assert_eq!((status, log["items"].as_array().unwrap().len()), (StatusCode::OK, 0));
    assert_eq!(send(s.as_admin(Method::GET, "/webhooks/x/deliveries")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(send(s.as_admin(Method::DELETE, &format!("/webhooks/{id}"))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(s.as_admin(Method::DELETE, &format!("/webhooks/{id}"))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(actions(&audit(&s, "?action=webhook-changed").await), ["webhook-changed", "webhook-changed"]);
}
