//! PostgreSQL store benchmarks beside the sled ones: get by slug, newest-20 listing and a
//! durable write (a committed transaction), at 1 000 and 10 000 news items, on the server
//! at `WITRYNA_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`), in a
//! schema of their own that is dropped at the end.
//!
//! ```text
//! cargo bench --bench postgres --features postgres
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{Duration, TimeZone, Utc};
use divan::Bencher;
use tokio::runtime::Runtime;
use witryna::content::NewsArticle;
use witryna::postgres::{PgOptions, PgStore};
use witryna::{Cms, Content, DynStore, Id, Meta, Query, Record, Status, View};

const SIZES: [usize; 2] = [1_000, 10_000];

fn url() -> String {
    std::env::var("WITRYNA_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

struct Fixture {
    cms: Cms,
    slugs: Vec<String>,
    ids: Vec<Id>,
}

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
    })
}

fn schemas() -> &'static Mutex<Vec<String>> {
    static S: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

fn build(size: usize) -> Fixture {
    let schema = format!("witryna_bench_{}", Id::new().0.simple());
    schemas().lock().expect("schemas").push(schema.clone());
    let store: DynStore = runtime().block_on(async {
        let (client, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls).await.expect("PostgreSQL");
        tokio::spawn(connection);
        client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.expect("schema");
        let options = PgOptions { schema: Some(schema.clone()), migrate: true, max_connections: 16 };
        Arc::new(PgStore::connect(&url(), options).await.expect("connect")) as DynStore
    });
    let start = Utc.with_ymd_and_hms(2015, 1, 1, 8, 0, 0).unwrap();
    let mut records = Vec::with_capacity(size);
    for i in 0..size {
        let news = NewsArticle {
            attachments: Vec::new(),
            gallery: Vec::new(),
            title: format!("Spotkanie informacyjne w Klubie Integracji Społecznej nr {i}"),
            lead: "W Klubie Integracji Społecznej przy ul. Granicznej 1A odbyło się spotkanie informacyjne.".into(),
            body: "W spotkaniu uczestniczyły 42 osoby korzystające z pomocy społecznej. ".repeat(16),
            author: "MOPS Kalisz".into(),
            tags: vec!["kis".into()],
            cover: None,
            event: None,
        };
        let at = start + Duration::minutes(i as i64 * 7);
        let meta = Meta {
            id: Id::new(),
            kind: NewsArticle::KIND.into(),
            locale: "pl".into(),
            slug: witryna::slugs::slugify(news.title()),
            previous_slugs: vec![],
            status: Status::Published,
            publish_at: Some(at),
            created_at: at,
            updated_at: at,
            version: 1,
            tags: news.tags.clone(),
            created_by: None,
            updated_by: None,
            translation_of: None,
            record: Default::default(),
        };
        records.push(Record { meta, body: serde_json::to_string(&news).expect("json") });
    }
    let slugs = records.iter().map(|r| r.meta.slug.clone()).collect();
    let ids = records.iter().map(|r| r.meta.id).collect();
    runtime().block_on(async {
        let mut tasks = Vec::new();
        for chunk in records.chunks(size.div_ceil(16)) {
            let (store, chunk) = (store.clone(), chunk.to_vec());
            tasks.push(tokio::spawn(async move {
                for r in chunk {
                    store.put(r).await.expect("seed");
                }
            }));
        }
        for t in tasks {
            t.await.expect("seed task");
        }
    });
    Fixture { cms: Cms::new(store), slugs, ids }
}

fn fixture(size: usize) -> &'static Fixture {
    static CACHE: OnceLock<Mutex<HashMap<usize, &'static Fixture>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().expect("cache");
    cache.entry(size).or_insert_with(|| Box::leak(Box::new(build(size))))
}

fn main() {
    let reachable = runtime().block_on(tokio_postgres::connect(&url(), tokio_postgres::NoTls)).is_ok();
    if !reachable {
        eprintln!("*** SKIPPED: no PostgreSQL at {} ***", witryna::postgres::redact(&url()));
        return;
    }
    divan::main();
    runtime().block_on(async {
        if let Ok((client, connection)) = tokio_postgres::connect(&url(), tokio_postgres::NoTls).await {
            tokio::spawn(connection);
            let made: Vec<String> = schemas().lock().expect("schemas").clone();
            for schema in made {
                let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
            }
        }
    });
}

#[divan::bench(args = SIZES, sample_count = 500)]
fn get_by_slug(bencher: Bencher, size: usize) {
    let f = fixture(size);
    let mut i = 0usize;
    bencher.bench_local(|| {
        i = (i + 7919) % size;
        runtime().block_on(f.cms.find::<NewsArticle>(&f.slugs[i], View::Public)).expect("found")
    });
}

#[divan::bench(args = SIZES, sample_count = 500)]
fn list_newest_20(bencher: Bencher, size: usize) {
    let f = fixture(size);
    bencher.bench_local(|| {
        let page =
            runtime().block_on(f.cms.list::<NewsArticle>(Query { limit: Some(20), ..Query::default() })).expect("list");
        assert_eq!(page.items.len(), 20);
    });
}

#[divan::bench(args = SIZES, sample_count = 100)]
fn update_durable(bencher: Bencher, size: usize) {
    let f = fixture(size);
    let mut i = 0usize;
    bencher.bench_local(|| {
        i = (i + 7919) % size;
        let id = f.ids[i];
        runtime().block_on(async {
            let current = f.cms.get::<NewsArticle>(id).await.expect("get");
            let cms = f.cms.because("benchmark").expect("a reason");
            cms.update(id, current.meta.version, current.content).await.expect("update")
        })
    });
}
