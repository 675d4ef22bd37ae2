//! Translations over real HTTP on a real sled store: `POST {item}/translations` creates a
//! translation draft, reads list the group (`translations`), `?locale=` picks the language
//! of lists and slugs, shared fields stay the source's, and every mistake is a typed error
//! naming its field.

mod common;

use std::sync::Arc;

use common::{assert_problem, paths, send, serve, Server};
use reqwest::header::{IF_MATCH, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use witryna_core::{Cms, Locales};
use witryna_http::ApiConfig;
use witryna_sled::SledStore;

async fn server(locales: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap())).with_locales(Locales::parse(locales).unwrap());
    serve(cms, "", ApiConfig::default(), dir).await
}

fn news(title: &str, event: Value) -> Value {
    json!({"title": title, "body": "Treść.", "author": "MOPS", "event": event})
}

/// Creates and publishes a Polish news item with an event; its id.
async fn source(s: &Server) -> String {
    let event = json!({"date": "2026-12-03", "place": "Sala KIS", "participants": 40});
    let (status, _, item) =
        send(s.as_editor(Method::POST, "/news").json(&json!({"content": news("Wigilia w KIS", event)}))).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let id = item["id"].as_str().unwrap().to_owned();
    let (status, _, _) = send(s.as_editor(Method::POST, &format!("/news/{id}/publish"))).await;
    assert_eq!(status, StatusCode::OK);
    id
}

async fn translate(s: &Server, source: &str, body: Value) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    send(s.as_editor(Method::POST, &format!("/news/{source}/translations")).json(&body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn translations_are_created_listed_and_read_per_locale() {
    let s = server("pl,en,uk").await;
    let id = source(&s).await;
    let body =
        json!({"locale": "uk", "content": news("Святвечір у КІС", json!({"date": "2026-12-03", "place": "Зала КІС"}))});
    let (status, headers, uk) = translate(&s, &id, body).await;
    assert_eq!(status, StatusCode::CREATED, "{uk}");
    let uk_id = uk["id"].as_str().unwrap();
    assert!(headers[LOCATION].to_str().unwrap().ends_with(&format!("/news/{uk_id}")), "{headers:?}");
    assert_eq!((uk["locale"].as_str(), uk["status"].as_str()), (Some("uk"), Some("draft")));
    assert_eq!(uk["translation_of"]["id"], id.as_str());
    assert_eq!(uk["content"]["event"]["participants"], 40, "a shared field left empty is the source's");

    // The public sees the draft nowhere; the editor sees it in the group.
    let (_, _, public) = send(s.req(Method::GET, &format!("/news/{id}"))).await;
    assert_eq!(public["translations"], json!([]));
    let (_, _, preview) = send(s.as_editor(Method::GET, &format!("/news/{id}?preview=true"))).await;
    assert_eq!(
        preview["translations"],
        json!([{"id": uk_id, "locale": "uk", "slug": "sviatvechir-u-kis", "status": "draft"}])
    );

    let (status, _, _) = send(s.as_editor(Method::POST, &format!("/news/{uk_id}/publish"))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, by_slug) = send(s.req(Method::GET, "/news/sviatvechir-u-kis?locale=uk")).await;
    assert_eq!(status, StatusCode::OK, "{by_slug}");
    assert_eq!(by_slug["translations"][0]["locale"], "pl", "a translation lists its source");
    let (status, _, _) = send(s.req(Method::GET, "/news/sviatvechir-u-kis")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "slugs are per locale; pl is the default");

    let (_, _, uk_list) = send(s.req(Method::GET, "/news?locale=uk")).await;
    let (_, _, pl_list) = send(s.req(Method::GET, "/news")).await;
    let titles =
        |l: &Value| l["items"].as_array().unwrap().iter().map(|i| i["content"]["title"].clone()).collect::<Vec<_>>();
    assert_eq!(titles(&uk_list), [json!("Святвечір у КІС")]);
    assert_eq!(titles(&pl_list), [json!("Wigilia w KIS")]);

    // The source's new date shows in the translation at once; the translation keeps its words.
    let (_, headers, current) = send(s.as_editor(Method::GET, &format!("/news/{id}?preview=true"))).await;
    let event = json!({"date": "2026-12-04", "place": "Sala KIS", "participants": 40});
    let put = s
        .as_editor(Method::PUT, &format!("/news/{id}"))
        .header(IF_MATCH, headers["etag"].clone())
        .json(&json!({"content": news("Wigilia w KIS", event), "reason": "nowa data"}));
    let (status, _, _) = send(put).await;
    assert_eq!(status, StatusCode::OK, "{current}");
    let (_, _, shown) = send(s.req(Method::GET, &format!("/news/{uk_id}"))).await;
    assert_eq!(
        (shown["content"]["event"]["date"].as_str(), shown["content"]["event"]["place"].as_str()),
        (Some("2026-12-04"), Some("Зала КІС"))
    );
    // A source taken off the site shows nothing of itself through its translation: the
    // public sees the values the translation was written with, editors the source's.
    let (_, headers, _) = send(s.as_editor(Method::GET, &format!("/news/{id}?preview=true"))).await;
    let unpublish =
        s.as_editor(Method::POST, &format!("/news/{id}/unpublish")).header(IF_MATCH, headers["etag"].clone());
    assert_eq!(send(unpublish).await.0, StatusCode::OK);
    let (_, _, public) = send(s.req(Method::GET, &format!("/news/{uk_id}"))).await;
    assert_eq!(public["content"]["event"]["date"], "2026-12-03", "{public}");
    let (_, _, editor) = send(s.as_editor(Method::GET, &format!("/news/{uk_id}?preview=true"))).await;
    assert_eq!(editor["content"]["event"]["date"], "2026-12-04");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_translation_may_leave_out_what_it_shares() {
    let s = server("pl,en,uk").await;
    let id = source(&s).await;
    // No event date (the kind requires one) and no participants: both the source's.
    let body = json!({"locale": "en", "content": news("Christmas Eve at KIS", json!({"place": "KIS hall"}))});
    let (status, _, en) = translate(&s, &id, body).await;
    assert_eq!(status, StatusCode::CREATED, "{en}");
    assert_eq!(en["content"]["event"], json!({"date": "2026-12-03", "place": "KIS hall", "participants": 40}));

    let unit = json!({"name": "MOPS Głowno", "address": {"street": "ul. Kilińskiego 5", "postal_code": "95-015", "city": "Głowno"},
        "office_hours": {"weekly": {"mon": ["07:30-15:30"]}}});
    let (status, _, pl) = send(s.as_editor(Method::POST, "/units").json(&json!({"content": unit}))).await;
    assert_eq!(status, StatusCode::CREATED, "{pl}");
    let path = format!("/units/{}/translations", pl["id"].as_str().unwrap());
    let body = json!({"locale": "uk", "content": {"name": "МЦСД у Гловні"}});
    let (status, _, uk) = send(s.as_editor(Method::POST, &path).json(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "office hours and address left out are the source's: {uk}");
    assert_eq!(uk["content"]["office_hours"], pl["content"]["office_hours"]);
    assert_eq!(uk["content"]["address"], pl["content"]["address"]);

    // An update may leave them out too.
    let uk_id = uk["id"].as_str().unwrap();
    let put = s
        .as_editor(Method::PUT, &format!("/units/{uk_id}"))
        .header(IF_MATCH, "\"1\"")
        .json(&json!({"content": {"name": "МЦСД Гловно"}}));
    let (status, _, updated) = send(put).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["content"]["office_hours"], pl["content"]["office_hours"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn translation_mistakes_are_typed_errors_naming_the_field() {
    let s = server("pl,uk").await;
    let id = source(&s).await;
    let ok = |locale: &str| json!({"locale": locale, "content": news("Святвечір", Value::Null)});

    let (status, headers, body) = translate(&s, &id, ok("en")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "en is turned off: {body}");
    assert_problem(&headers, &body, status);
    assert_eq!(paths(&body), ["locale"]);
    let (status, _, body) = translate(&s, &id, ok("pl")).await;
    assert_eq!((status, paths(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["locale".to_owned()]), "{body}");

    let drift = json!({"locale": "uk", "content": news("Святвечір", json!({"date": "2026-12-24"}))});
    let (status, _, body) = translate(&s, &id, drift).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(paths(&body), ["content.event.date"]);
    assert_eq!(body["errors"][0]["code"], "shared_field");

    let (status, _, body) = translate(&s, &id, json!({"locale": "uk", "content": {"title": ""}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(paths(&body).iter().all(|p| p.starts_with("content.")), "{body}");

    let (status, _, first) = translate(&s, &id, ok("uk")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, headers, body) = translate(&s, &id, ok("uk")).await;
    assert_eq!(status, StatusCode::CONFLICT, "one translation per locale: {body}");
    assert_problem(&headers, &body, status);
    assert_eq!(body["type"], "urn:witryna:problem:translation-exists");

    let uk_id = first["id"].as_str().unwrap();
    let (status, _, body) = translate(&s, uk_id, ok("uk")).await;
    assert_eq!(
        (status, paths(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["translation_of".to_owned()]),
        "a translation is no source: {body}"
    );
    let (status, _, _) = translate(&s, "nie-ma-takiej", ok("uk")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = send(s.req(Method::GET, "/news?locale=de")).await;
    assert_eq!((status, paths(&body)), (StatusCode::BAD_REQUEST, vec!["locale".to_owned()]), "{body}");
    let (status, _, _) = send(s.req(Method::POST, &format!("/news/{id}/translations")).json(&ok("uk"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "writes need a token");
}
