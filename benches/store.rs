//! Store and Cms benchmarks: get by slug, newest-20 listing and single writes, on the
//! memory and sled stores at 1 000 and 100 000 news items.
//!
//! ```text
//! cargo bench --bench store
//! ```
//!
//! `WITRYNA_BENCH_CACHE_MB=1024` sizes sled's cache (default: `SledOptions::default()`).
//! Figures and how to read them: BENCHMARKS.md.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{Duration, TimeZone, Utc};
use divan::Bencher;
use tokio::runtime::Runtime;
use witryna::audit::{Actor, AuditAction, AuditEntry, AuditItem, WriteLog};
use witryna::content::NewsArticle;
use witryna::sled::{Durability, SledOptions, SledStore};
use witryna::{Cms, Content, DynStore, Id, MemoryStore, Meta, Query, Record, Status, View};

fn main() {
    divan::main();
}

const SIZES: [usize; 2] = [1_000, 100_000];

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Backend {
    Memory,
    Sled,
}

struct Fixture {
    rt: Runtime,
    cms: Cms,
    store: DynStore,
    sled: Option<SledStore>,
    slugs: Vec<String>,
    ids: Vec<Id>,
    _dir: Option<tempfile::TempDir>,
}

/// A news item of realistic size (about 1.5 KB of body, like the seed pages).
fn article(i: usize) -> NewsArticle {
    NewsArticle {
        attachments: Vec::new(),
        gallery: Vec::new(),
        title: format!("Spotkanie informacyjne w Klubie Integracji Społecznej nr {i}"),
        lead: "W Klubie Integracji Społecznej przy ul. Granicznej 1A odbyło się spotkanie informacyjne.".into(),
        body: "W dniu 2 lutego 2017 r. w Klubie Integracji Społecznej zorganizowano spotkanie informacyjne dla \
               wszystkich zainteresowanych osób korzystających z pomocy społecznej. "
            .repeat(8),
        author: "MOPS Kalisz".into(),
        tags: vec!["kis".into(), format!("rok-{}", 2000 + i % 25)],
        cover: None,
        event: None,
    }
}

/// Builds the store with `size` published items, written straight as records (the
/// fastest way in; the Cms path is what the write benchmarks measure).
fn build(backend: Backend, size: usize) -> Fixture {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (store, sled, dir): (DynStore, Option<SledStore>, _) = match backend {
        Backend::Memory => (Arc::new(MemoryStore::new()), None, None),
        Backend::Sled => {
            let dir = tempfile::tempdir().expect("temp dir");
            let mut options =
                SledOptions { durability: Durability::Relaxed { flush_every_ms: 500 }, ..SledOptions::default() };
            if let Some(mb) = std::env::var("WITRYNA_BENCH_CACHE_MB").ok().and_then(|v| v.parse::<u64>().ok()) {
                options.cache_capacity = mb * 1024 * 1024;
            }
            let sled = SledStore::open_with(dir.path(), options).expect("open sled");
            (Arc::new(sled.clone()), Some(sled), Some(dir))
        }
    };
    let start = Utc.with_ymd_and_hms(2015, 1, 1, 8, 0, 0).unwrap();
    let mut slugs = Vec::with_capacity(size);
    let mut ids = Vec::with_capacity(size);
    rt.block_on(async {
        for i in 0..size {
            let content = article(i);
            let at = start + Duration::minutes(i as i64 * 7);
            let slug = witryna::slugs::slugify(content.title());
            let id = Id::new();
            let record = Record {
                meta: Meta {
                    id,
                    kind: NewsArticle::KIND.into(),
                    locale: "pl".into(),
                    slug: slug.clone(),
                    previous_slugs: vec![],
                    status: Status::Published,
                    publish_at: Some(at),
                    created_at: at,
                    updated_at: at,
                    version: 1,
                    tags: content.tags.clone(),
                    created_by: None,
                    updated_by: None,
                    translation_of: None,
                    record: Default::default(),
                },
                body: serde_json::to_string(&content).expect("json"),
            };
            store.put(record).await.expect("seed put");
            slugs.push(slug);
            ids.push(id);
        }
        if let Some(s) = &sled {
            s.flush().await.expect("flush");
        }
        // Steady state: every item read once, so the cache holds what fits in it.
        for slug in &slugs {
            store.find_slug("news", "pl", slug).await.expect("warm-up read");
        }
    });
    let cms = Cms::new(store.clone());
    Fixture { rt, cms, store, sled, slugs, ids, _dir: dir }
}

fn fixture(backend: Backend, size: usize) -> &'static Fixture {
    static CACHE: OnceLock<Mutex<HashMap<(Backend, usize), &'static Fixture>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().expect("cache");
    cache.entry((backend, size)).or_insert_with(|| Box::leak(Box::new(build(backend, size))))
}

/// Cycles through the items in a scattered order (a stride co-prime with the size).
fn scatter(n: usize) -> impl FnMut() -> usize {
    let i = Cell::new(0usize);
    move || {
        let v = i.get();
        i.set((v + 7919) % n);
        v
    }
}

fn get_by_slug(bencher: Bencher, backend: Backend, size: usize) {
    let f = fixture(backend, size);
    let mut next = scatter(size);
    bencher.bench_local(|| {
        let slug = &f.slugs[next()];
        f.rt.block_on(f.cms.find::<NewsArticle>(slug, View::Public)).expect("found")
    });
}

fn store_find_slug(bencher: Bencher, backend: Backend, size: usize) {
    let f = fixture(backend, size);
    let mut next = scatter(size);
    bencher.bench_local(|| {
        let slug = &f.slugs[next()];
        f.rt.block_on(f.store.find_slug("news", "pl", slug)).expect("ok").expect("found")
    });
}

fn list_newest_20(bencher: Bencher, backend: Backend, size: usize) {
    let f = fixture(backend, size);
    bencher.bench_local(|| {
        let page =
            f.rt.block_on(f.cms.list::<NewsArticle>(Query { limit: Some(20), ..Query::default() })).expect("list");
        assert_eq!(page.items.len(), 20);
        page
    });
}

fn update(bencher: Bencher, backend: Backend, size: usize, durability: Durability) {
    let f = fixture(backend, size);
    let cms = match (&f.sled, backend) {
        (Some(sled), Backend::Sled) => Cms::new(Arc::new(sled.with_durability(durability))),
        _ => f.cms.clone(),
    };
    // The items are public: a change of their words gives its reason (kept in the version
    // and the audit entry written with it).
    let cms = cms.because("benchmark").expect("a reason");
    let mut next = scatter(size);
    bencher.bench_local(|| {
        let id = f.ids[next()];
        f.rt.block_on(async {
            let current = cms.get::<NewsArticle>(id).await.expect("get");
            cms.update(id, current.meta.version, current.content).await.expect("update")
        })
    });
}

/// A store write of the next version of an item, with its audit entry in the same step
/// (`logged`) or with nothing logged: what the audit log costs a write, in one run.
fn store_put(bencher: Bencher, size: usize, logged: bool) {
    let f = fixture(Backend::Sled, size);
    let store: DynStore = match &f.sled {
        Some(sled) => Arc::new(sled.with_durability(Durability::Relaxed { flush_every_ms: 500 })),
        None => f.store.clone(),
    };
    let mut next = scatter(size);
    bencher.bench_local(|| {
        let id = f.ids[next()];
        f.rt.block_on(async {
            let mut record = store.get(id).await.expect("get").expect("stored");
            record.meta.version += 1;
            let log = if logged {
                let m = &record.meta;
                let item = AuditItem {
                    id: m.id,
                    kind: m.kind.clone(),
                    locale: m.locale.clone(),
                    slug: m.slug.clone(),
                    version: m.version,
                    title: "Spotkanie informacyjne w Klubie Integracji Społecznej".into(),
                };
                let actor =
                    Actor { id: Some(Id::new()), name: "Anna Kowalska".into(), address: Some("192.0.2.1".into()) };
                let entry = AuditEntry {
                    seq: 0,
                    at: Utc::now(),
                    action: AuditAction::Updated,
                    actor,
                    item: Some(item),
                    note: Some("Zmiana godzin spotkania".into()),
                    public: true,
                };
                WriteLog { entry: Some(entry), deliveries: Vec::new() }
            } else {
                WriteLog::none()
            };
            store.put_logged(record, log).await.expect("put")
        })
    });
}

mod memory {
    use super::*;

    #[divan::bench(args = SIZES, sample_count = 1000)]
    fn get_by_slug(b: Bencher, size: usize) {
        super::get_by_slug(b, Backend::Memory, size);
    }

    #[divan::bench(args = SIZES, sample_count = 1000)]
    fn store_find_slug(b: Bencher, size: usize) {
        super::store_find_slug(b, Backend::Memory, size);
    }

    #[divan::bench(args = SIZES, sample_count = 1000)]
    fn list_newest_20(b: Bencher, size: usize) {
        super::list_newest_20(b, Backend::Memory, size);
    }

    #[divan::bench(args = SIZES)]
    fn update(b: Bencher, size: usize) {
        super::update(b, Backend::Memory, size, Durability::Flushed);
    }
}

mod sled {
    use super::*;

    #[divan::bench(args = SIZES, sample_count = 1000)]
    fn get_by_slug(b: Bencher, size: usize) {
        super::get_by_slug(b, Backend::Sled, size);
    }

    #[divan::bench(args = SIZES, sample_count = 1000)]
    fn store_find_slug(b: Bencher, size: usize) {
        super::store_find_slug(b, Backend::Sled, size);
    }

    #[divan::bench(args = SIZES, sample_count = 1000)]
    fn list_newest_20(b: Bencher, size: usize) {
        super::list_newest_20(b, Backend::Sled, size);
    }

    #[divan::bench(args = SIZES, sample_count = 30, sample_size = 5)]
    fn update_durable(b: Bencher, size: usize) {
        super::update(b, Backend::Sled, size, Durability::Flushed);
    }

    #[divan::bench(args = SIZES)]
    fn update_relaxed(b: Bencher, size: usize) {
        super::update(b, Backend::Sled, size, Durability::Relaxed { flush_every_ms: 500 });
    }

    #[divan::bench(args = SIZES)]
    fn store_put_relaxed_unlogged(b: Bencher, size: usize) {
        super::store_put(b, size, false);
    }

    #[divan::bench(args = SIZES)]
    fn store_put_relaxed_logged(b: Bencher, size: usize) {
        super::store_put(b, size, true);
    }
}
