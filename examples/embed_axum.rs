//! An existing axum app that mounts the Witryna API under `/cms` beside its own routes.
//!
//! ```text
//! cargo run --example embed_axum [DATA_DIR]
//! curl http://127.0.0.1:3000/cms/api/v1/news
//! ```

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use witryna::http::{router, ApiState};
use witryna::sled::SledStore;
use witryna::Cms;

/// The integrator's app: its own routes, and the CMS under `/cms`.
fn app(cms: Cms) -> Router {
    Router::new()
        .route("/", get(|| async { "Serwis miasta — strona główna" }))
        .route("/health", get(|| async { "ok" }))
        .nest("/cms", router(ApiState::new(cms)))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "witryna-embed-data".into());
    let cms = Cms::new(Arc::new(SledStore::open(&dir)?));
    witryna::demo::seed(&cms).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("http://{}/cms/api/v1/news (store: {dir})", listener.local_addr()?);
    axum::serve(listener, app(cms)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn own_routes_and_the_cms_side_by_side() {
        let dir = tempfile::tempdir().unwrap();
        let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));
        witryna::demo::seed(&cms).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app(cms)).await.unwrap() });

        assert_eq!(reqwest::get(format!("{base}/health")).await.unwrap().text().await.unwrap(), "ok");
        let news: serde_json::Value =
            reqwest::get(format!("{base}/cms/api/v1/news")).await.unwrap().json().await.unwrap();
        assert_eq!(news["items"].as_array().unwrap().len(), 2);
        let missing = reqwest::get(format!("{base}/cms/api/v1/nothing")).await.unwrap();
        assert_eq!(missing.status(), 404);
    }
}
