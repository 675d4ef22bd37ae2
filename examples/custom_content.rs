//! An integrator's own content type — a job offer („Oferta pracy”) — registered once in
//! the [`Kinds`] and then everywhere the built-in kinds are: created and published over
//! `/api/v1/job-offers`, described in the OpenAPI document, found by `/api/v1/search`,
//! shown on the site at `/oferty-pracy`, exported and imported byte for byte — on the
//! sled backend, without touching it or any frontend. The kind itself is in
//! `custom_content/job_offer.rs`: one file, as a built-in kind would be.
//!
//! ```text
//! cargo run --example custom_content            # prints what each frontend answered
//! cargo run --example custom_content -- serve   # then keeps serving (the browser checks use it)
//! ```

use std::sync::Arc;

#[path = "custom_content/job_offer.rs"]
mod job_offer;

use job_offer::JobOffer;
use serde_json::json;
use witryna::http::auth::{create_token, ApiToken, Role};
use witryna::http::ApiState;
use witryna::kinds::Kinds;
use witryna::sled::SledStore;
use witryna::{Cms, MemoryStore};
use witryna_cli::transfer;
use witryna_search::TantivyIndex;
use witryna_site::SiteState;

/// The site's kinds: the built-in ones, the job offer, and the API's tokens (stored,
/// exported and imported, never shown).
fn kinds() -> Kinds {
    Kinds::builtin().with::<JobOffer>(JobOffer::SPEC).with_internal::<ApiToken>()
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serves the API and the site of `cms` on a free local port; answers its base URL.
async fn serve(cms: Cms) -> Result<String, Error> {
    let app = witryna_site::routes(SiteState::new(cms.clone())).merge(witryna::http::routes(ApiState::new(cms)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(base)
}

async fn export(store: &dyn witryna::Store) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    transfer::export(store, &mut out, || {}).await?;
    Ok(out)
}

/// Drives the job offer through every frontend over HTTP; answers what it saw, a line each,
/// and the base URL of the server, which keeps running.
async fn run(dir: &std::path::Path) -> Result<(Vec<String>, String), Error> {
    let cms =
        Cms::new(Arc::new(SledStore::open(dir)?)).with_kinds(kinds()).with_search(Arc::new(TantivyIndex::in_memory()?));
    let token = create_token(&cms, Role::Editor, "przykład").await?.token;
    let base = serve(cms.clone()).await?;
    let http = reqwest::Client::new();
    let mut lines = Vec::new();

    let offer = json!({"content": {
        "position": "Pracownik socjalny",
        "unit": "Dział Pomocy Środowiskowej",
        "description": "Praca socjalna z **rodzinami** w rejonie opiekuńczym.\n\n- umowa o pracę\n- pełny etat",
        "apply_by": "2026-12-15",
        "salary_from": 520_000
    }});
    let created = http.post(format!("{base}/api/v1/job-offers")).bearer_auth(&token).json(&offer).send().await?;
    lines.push(format!("POST /api/v1/job-offers: {}", created.status().as_u16()));
    let location = created.headers()["location"].to_str()?.to_owned();
    let published = http.post(format!("{base}{location}/publish")).bearer_auth(&token).send().await?;
    let published: serde_json::Value = published.json().await?;
    lines.push(format!("published: {} at version {}", published["slug"], published["version"]));

    let bad = json!({"content": {"position": "", "unit": "x", "description": "y", "apply_by": "2026-12-15"}});
    let refused = http.post(format!("{base}/api/v1/job-offers")).bearer_auth(&token).json(&bad).send().await?;
    let problem: serde_json::Value = refused.json().await?;
    lines.push(format!("refused: {} at {}", problem["status"], problem["errors"][0]["path"]));

    let document: serde_json::Value = http.get(format!("{base}/api/v1/openapi.json")).send().await?.json().await?;
    let paths = document["paths"].as_object().ok_or("no paths")?;
    lines.push(format!("OpenAPI documents /api/v1/job-offers: {}", paths.contains_key("/api/v1/job-offers")));

    let found: serde_json::Value =
        http.get(format!("{base}/api/v1/search?q=socjalnego&kind=job-offers")).send().await?.json().await?;
    lines.push(format!("search finds: {}", found["items"][0]["slug"]));

    let section = http.get(format!("{base}/oferty-pracy")).send().await?.text().await?;
    lines.push(format!("site section lists it: {}", section.contains("/oferty-pracy/pracownik-socjalny")));
    let page = http.get(format!("{base}/oferty-pracy/pracownik-socjalny")).send().await?.text().await?;
    lines.push(format!("site page renders the Markdown: {}", page.contains("<strong>rodzinami</strong>")));

    let first = export(cms.store()).await?;
    let copy = Cms::new(Arc::new(MemoryStore::new())).with_kinds(kinds());
    let report = transfer::import(copy.store(), copy.kinds(), &mut &first[..], |_| {}).await?;
    let again = export(copy.store()).await?;
    let (imported, refused) = (report.imported, report.errors.len());
    lines.push(format!("export → import ({imported} items, {refused} refused) → export identical: {}", first == again));
    Ok((lines, base))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let dir = tempfile::tempdir()?;
    let (lines, base) = run(dir.path()).await?;
    for line in lines {
        println!("{line}");
    }
    if std::env::args().nth(1).as_deref() == Some("serve") {
        println!("serving {base}/oferty-pracy (Ctrl-C stops)");
        tokio::signal::ctrl_c().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_registered_kind_works_in_every_frontend() {
        let dir = tempfile::tempdir().unwrap();
        let (lines, _) = super::run(dir.path()).await.unwrap();
        assert_eq!(
            lines,
            [
                "POST /api/v1/job-offers: 201",
                "published: \"pracownik-socjalny\" at version 2",
                "refused: 422 at \"content.position\"",
                "OpenAPI documents /api/v1/job-offers: true",
                "search finds: \"pracownik-socjalny\"",
                "site section lists it: true",
                "site page renders the Markdown: true",
                "export → import (2 items, 0 refused) → export identical: true",
            ]
        );
    }
}
