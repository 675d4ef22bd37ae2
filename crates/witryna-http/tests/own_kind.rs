//! An integrator's own kind, registered once, gets the API of the built-in ones: routes,
//! the OpenAPI document and search — over real HTTP on sled.

mod common;

use std::sync::Arc;

use common::{paths, send, serve, validate_openapi};
use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use serde_json::json;
use witryna_core::{Cms, Kinds};

#[path = "../../../examples/custom_content/job_offer.rs"]
mod job_offer;
use job_offer::JobOffer;

fn kinds() -> Kinds {
    Kinds::builtin().with::<JobOffer>(JobOffer::SPEC)
}
use witryna_http::ApiConfig;
use witryna_sled::SledStore;

#[tokio::test]
async fn an_own_kind_is_created_published_documented_and_searched_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(witryna_search::TantivyIndex::in_memory().unwrap());
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap())).with_kinds(kinds()).with_search(index);
    let s = serve(cms, "", ApiConfig::default(), dir).await;

    let offer = json!({"content": {
        "position": "Asystent rodziny",
        "unit": "Dział Pomocy Rodzinie",
        "description": "Wspieranie rodzin w **opiece** nad dziećmi.",
        "apply_by": "2026-03-31",
        "salary_from": 520_000
    }});
    let (status, headers, created) = send(s.as_editor(Method::POST, "/job-offers").json(&offer)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!((created["kind"].as_str(), created["slug"].as_str()), (Some("job-offer"), Some("asystent-rodziny")));
    assert_eq!(created["content"]["salary_from"], 520_000, "money in grosze");
    assert_eq!(headers[LOCATION], format!("/api/v1/job-offers/{}", created["id"].as_str().unwrap()));

    let mut bad = offer.clone();
    bad["content"]["salary_from"] = json!(-1);
    bad["content"]["colour"] = json!("red");
    let (status, _, body) = send(s.as_editor(Method::POST, "/job-offers").json(&bad)).await;
    assert_eq!((status, paths(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["content.colour".to_owned()]));
    bad["content"].as_object_mut().unwrap().remove("colour");
    let (status, _, body) = send(s.as_editor(Method::POST, "/job-offers").json(&bad)).await;
    assert_eq!((status, paths(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["content.salary_from".to_owned()]));

    assert_eq!(send(s.req(Method::GET, "/job-offers/asystent-rodziny")).await.0, StatusCode::NOT_FOUND, "a draft");
    let (status, _, published) = send(s.as_editor(Method::POST, "/job-offers/asystent-rodziny/publish")).await;
    assert_eq!((status, published["status"].as_str()), (StatusCode::OK, Some("published")));
    let (status, _, item) = send(s.req(Method::GET, "/job-offers/asystent-rodziny")).await;
    assert_eq!((status, item["content"]["apply_by"].as_str()), (StatusCode::OK, Some("2026-03-31")));
    let (_, _, list) = send(s.req(Method::GET, "/job-offers")).await;
    assert_eq!(list["items"][0]["slug"], "asystent-rodziny");

    let (_, _, doc) = send(s.req(Method::GET, "/openapi.json")).await;
    for path in ["/api/v1/job-offers", "/api/v1/job-offers/{key}", "/api/v1/job-offers/{key}/publish"] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }
    assert!(doc["components"]["schemas"]["JobOffer"]["properties"]["apply_by"].is_object());
    let kind_values = doc["paths"]["/api/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "kind")
        .unwrap()["schema"]["items"]["enum"]
        .clone();
    assert!(kind_values.as_array().unwrap().contains(&json!("job-offers")), "{kind_values}");
    validate_openapi(&doc);

    let (status, _, found) = send(s.req(Method::GET, "/search?q=opieka&kind=job-offers")).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(
        (found["items"][0]["kind"].as_str(), found["items"][0]["slug"].as_str()),
        (Some("job-offer"), Some("asystent-rodziny")),
        "{found}"
    );
    let (_, _, by_name) = send(s.req(Method::GET, "/search?q=asystent&kind=job-offer")).await;
    assert_eq!(by_name["total"], 1, "the kind name works as well as the segment");
    let (status, _, body) = send(s.req(Method::GET, "/search?q=asystent&kind=recipes")).await;
    assert_eq!((status, paths(&body)), (StatusCode::BAD_REQUEST, vec!["kind".to_owned()]));
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("job-offers") && message.contains("news"), "the error lists the kinds: {message}");
}
