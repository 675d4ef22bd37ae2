//! Arbitrary JSON bodies for each content kind and arbitrary query strings of the lists and
//! of search, sent through the real API router on a memory store with a search index:
//! never a panic, never a 500.
#![no_main]
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;
use witryna_core::{Cms, MemoryStore};
use witryna_http::{auth, router, ApiState, Role};

struct World {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
    token: String,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let index = Arc::new(witryna_search::TantivyIndex::in_memory().unwrap());
        let cms = Cms::new(Arc::new(MemoryStore::new())).with_search(index);
        let token = rt.block_on(auth::create_token(&cms, Role::Admin, "fuzz")).unwrap().token;
        World { rt, app: router(ApiState::new(cms)), token }
    })
}

const KINDS: [&str; 4] = ["news", "programmes", "units", "pages"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let w = world();
    let kind = KINDS[usize::from(selector) % KINDS.len()];
    let request = if selector & 0x80 == 0 {
        Request::post(format!("/api/v1/{kind}"))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", w.token))
            .body(Body::from(rest.to_vec()))
    } else {
        let query: String =
            String::from_utf8_lossy(rest).chars().filter(|c| !c.is_control() && *c != ' ' && *c != '#').collect();
        Request::get(format!("/api/v1/{kind}?{query}")).body(Body::empty())
    };
    let Ok(request) = request else { return };
    let status = w.rt.block_on(w.app.clone().oneshot(request)).unwrap().status();
    assert_ne!(status.as_u16(), 500);
});
