//! What the HTTP tests share: a server on port 0 with an editor and an admin token, a
//! client that does not follow redirects, and checks of problem answers.
// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::sync::Arc;

use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use witryna_core::{demo, Cms};
use witryna_http::{auth, ApiConfig, ApiState, Role};
use witryna_sled::SledStore;

pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) editor: String,
    pub(crate) admin: String,
    pub(crate) client: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// Serves `cms` (whose store lives in `dir`) under `prefix`.
pub(crate) async fn serve(cms: Cms, prefix: &str, config: ApiConfig, dir: tempfile::TempDir) -> Server {
    let editor = auth::create_token(&cms, Role::Editor, "redakcja").await.unwrap().token;
    let admin = auth::create_token(&cms, Role::Administrator, "admin").await.unwrap().token;
    let api = witryna_http::router(ApiState::with_config(cms, config));
    let app = if prefix.is_empty() { api } else { axum::Router::new().nest(prefix, api) };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // With the client's address, as `witryna serve` gives it (the audit log records it).
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    Server { base: format!("http://{addr}{prefix}/api/v1"), editor, admin, client, _dir: dir }
}

/// The built-in kinds on sled with a search index, seeded with the demo.
pub(crate) async fn start_with(prefix: &str, config: ApiConfig) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let index = Arc::new(witryna_search::TantivyIndex::in_memory().unwrap());
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap())).with_search(index);
    demo::seed(&cms).await.unwrap();
    serve(cms, prefix, config, dir).await
}

pub(crate) async fn start() -> Server {
    start_with("", ApiConfig::default()).await
}

impl Server {
    pub(crate) fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    pub(crate) fn as_editor(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.req(method, path).header(AUTHORIZATION, format!("Bearer {}", self.editor))
    }

    pub(crate) fn as_admin(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.req(method, path).header(AUTHORIZATION, format!("Bearer {}", self.admin))
    }
}

pub(crate) async fn send(rb: reqwest::RequestBuilder) -> (StatusCode, HeaderMap, Value) {
    let res = rb.send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let text = res.text().await.unwrap();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "no client mistake is a 500: {body}");
    (status, headers, body)
}

pub(crate) fn assert_problem(headers: &HeaderMap, body: &Value, status: StatusCode) {
    assert_eq!(headers[CONTENT_TYPE], "application/problem+json", "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
}

pub(crate) fn paths(body: &Value) -> Vec<String> {
    body["errors"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap().to_owned()).collect()
}

pub(crate) fn news_body(title: &str) -> Value {
    json!({"content": {"title": title, "body": "Treść **ważna**.", "author": "MOPS Kalisz", "tags": ["kis"]}})
}

/// Checks an OpenAPI document: every `$ref` resolves within it, and the real validator
/// (openapi-spec-validator through `scripts/openapi_check.sh`) accepts it. The validator
/// is the bash script `OPENAPI_VALIDATOR` names (a relative path is taken from the
/// workspace root) when set, else the repository's script when python3 has the validator
/// or under `CI=true` (where the script installs it); elsewhere that part is skipped with
/// a note, never under CI.
pub(crate) fn validate_openapi(doc: &Value) {
    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    for r in &refs {
        let target = r.strip_prefix('#').and_then(|p| doc.pointer(p));
        assert!(target.is_some(), "{r} points to nothing in the document");
    }

    let in_ci = std::env::var("CI").as_deref() == Ok("true");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let validator = match std::env::var_os("OPENAPI_VALIDATOR") {
        Some(v) => root.join(v), // an absolute path stays as it is
        None => {
            let script = root.join("scripts/openapi_check.sh");
            let has_validator = std::process::Command::new("python3")
                .args(["-c", "import openapi_spec_validator"])
                .output()
                .is_ok_and(|o| o.status.success());
            if !has_validator && !in_ci {
                eprintln!("openapi-spec-validator not found and OPENAPI_VALIDATOR not set: only $refs were checked");
                return;
            }
            script
        }
    };
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), serde_json::to_vec_pretty(doc).unwrap()).unwrap();
    let out = std::process::Command::new("bash")
        .arg(&validator)
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", validator.display()));
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{} refused the document:\n{said}", validator.display());
    eprintln!("{said}");
}

fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
