//! Server time of the editor interface's heaviest pages on a sled store with 10 000 news
//! items: the list page (newest 20, with status, time and author), the edit form generated
//! from the schema (with the content check), a title search over the list, and the
//! own-password page (session, layout and nothing else) as the baseline to compare with.
//!
//! ```text
//! cargo bench -p witryna-admin --bench admin
//! ```
//!
//! Requests go through the router in process (`tower::ServiceExt::oneshot`): server time,
//! no network. Figures: BENCHMARKS.md.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{Duration, TimeZone, Utc};
use tokio::runtime::Runtime;
use tower::ServiceExt;
use witryna_accounts::users::{self, NewUser};
use witryna_accounts::{sessions, Role};
use witryna_admin::{AdminConfig, AdminState};
use witryna_core::content::NewsArticle;
use witryna_core::{Cms, Content, Id, Kinds, Meta, Record, Status, Store};
use witryna_site::SiteState;

fn main() {
    divan::main();
}

const ITEMS: usize = 10_000;

struct Fixture {
    rt: Runtime,
    app: Router,
    cookie: String,
    middle: Id,
    _dir: tempfile::TempDir,
}

fn article(i: usize) -> NewsArticle {
    NewsArticle {
        attachments: Vec::new(),
        gallery: Vec::new(),
        title: format!("Spotkanie informacyjne w Klubie Integracji Społecznej nr {i}"),
        lead: "W Klubie Integracji Społecznej przy ul. Granicznej 1A odbyło się spotkanie informacyjne.".into(),
        body: "W dniu 2 lutego 2017 r. w Klubie Integracji Społecznej zorganizowano spotkanie informacyjne dla \
               wszystkich zainteresowanych osób korzystających z pomocy społecznej.\n\n"
            .repeat(8),
        author: "MOPS Kalisz".into(),
        tags: vec!["kis".into(), format!("rok-{}", 2000 + i % 25)],
        cover: None,
        event: None,
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let (app, cookie, middle) = rt.block_on(async {
            let store = Arc::new(witryna_sled::SledStore::open(dir.path()).expect("sled"));
            let cms = Cms::new(store.clone()).with_kinds(witryna_accounts::kinds(Kinds::builtin()));
            let editor = NewUser {
                email: "anna@mops.example.pl".into(),
                display_name: "Anna Kowalska".into(),
                role: Role::Editor,
                password: "zielona łąka nad Wartą".into(),
            };
            let user = users::create_user(&cms, editor).await.expect("user").meta.id;
            let start = Utc.with_ymd_and_hms(2015, 1, 1, 8, 0, 0).unwrap();
            let mut middle = None;
            for i in 0..ITEMS {
                let content = article(i);
                let at = start + Duration::minutes(i as i64 * 7);
                let id = Id::new();
                let meta = Meta {
                    id,
                    kind: NewsArticle::KIND.into(),
                    locale: "pl".into(),
                    slug: witryna_core::slugs::slugify(content.title()),
                    previous_slugs: vec![],
                    status: Status::Published,
                    publish_at: Some(at),
                    created_at: at,
                    updated_at: at,
                    version: 1,
                    tags: content.tags.clone(),
                    created_by: Some(user),
                    updated_by: Some(user),
                    translation_of: None,
                    record: Default::default(),
                };
                store.put(Record { meta, body: serde_json::to_string(&content).expect("json") }).await.expect("put");
                if i == ITEMS / 2 {
                    middle = Some(id);
                }
            }
            let (secret, _) = sessions::start(&cms, user).await.expect("session");
            let site = SiteState::new(cms.clone());
            let app = witryna_admin::routes(AdminState::new(cms, site, AdminConfig::default()));
            (app, format!("witryna-sesja={secret}"), middle.expect("middle item"))
        });
        let fixture = Fixture { rt, app, cookie, middle, _dir: dir };
        for path in ["/admin/haslo", "/admin/aktualnosci", &format!("/admin/aktualnosci/{}", fixture.middle)] {
            assert_eq!(get(&fixture, path), StatusCode::OK, "{path}");
        }
        fixture
    })
}

fn get(f: &Fixture, path: &str) -> StatusCode {
    let request = Request::get(path)
        .header(header::COOKIE, &f.cookie)
        .header(header::HOST, "127.0.0.1")
        .body(Body::empty())
        .expect("request");
    f.rt.block_on(async {
        let response = f.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        status
    })
}

#[divan::bench]
fn password_page_baseline(bencher: divan::Bencher) {
    let f = fixture();
    bencher.bench(|| get(f, "/admin/haslo"));
}

#[divan::bench]
fn list_page(bencher: divan::Bencher) {
    let f = fixture();
    bencher.bench(|| get(f, "/admin/aktualnosci"));
}

#[divan::bench]
fn edit_form(bencher: divan::Bencher) {
    let f = fixture();
    let path = format!("/admin/aktualnosci/{}", f.middle);
    bencher.bench(|| get(f, &path));
}

/// A title search that matches one item deep in the list: reads up to the scan limit.
#[divan::bench]
fn title_search(bencher: divan::Bencher) {
    let f = fixture();
    bencher.bench(|| get(f, "/admin/aktualnosci?q=nr+17"));
}
