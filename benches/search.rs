//! Search benchmarks on 100 000 generated Polish-like documents: bulk indexing rate, index
//! size on disk, and query latency.
//!
//! ```text
//! cargo bench --bench search
//! ```
//!
//! The documents are news items whose words are drawn (deterministically) from the demo
//! content's vocabulary, about 1 KB each. Indexing figures are printed before the table.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use divan::Bencher;
use tokio::runtime::Runtime;
use witryna::content::NewsArticle;
use witryna::search::{SearchIndex, SearchQuery};
use witryna::{Content, DerivedIndex, Id, Kinds, MemoryStore, Meta, Record, Status, Store};
use witryna_search::TantivyIndex;

const DOCS: usize = 100_000;

fn main() {
    divan::main();
}

struct Fixture {
    rt: Runtime,
    index: TantivyIndex,
    _dir: tempfile::TempDir,
}

fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = witryna::demo::DEMO_JSON
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    words
}

fn sentence(words: &[String], seed: &mut u64, n: usize) -> String {
    (0..n)
        .map(|_| {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            words[(*seed >> 33) as usize % words.len()].as_str()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| if e.path().is_dir() { dir_size(&e.path()) } else { e.metadata().map_or(0, |m| m.len()) })
            .sum()
    })
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let index = TantivyIndex::open(dir.path()).expect("index");
        let store = Arc::new(MemoryStore::new());
        let words = vocabulary();
        let mut seed = 7u64;
        let start = Utc.with_ymd_and_hms(2015, 1, 1, 8, 0, 0).unwrap();
        rt.block_on(async {
            for i in 0..DOCS {
                let news = NewsArticle { attachments: Vec::new(), gallery: Vec::new(),
                    title: sentence(&words, &mut seed, 8),
                    lead: sentence(&words, &mut seed, 20),
                    body: sentence(&words, &mut seed, 120),
                    author: "MOPS Kalisz".into(),
                    tags: vec![],
                    cover: None,
                    event: None,
                };
                let at = start + Duration::minutes(i as i64);
                let meta = Meta {
                    id: Id::new(),
                    kind: NewsArticle::KIND.into(),
                    locale: "pl".into(),
                    slug: format!("n-{i}"),
                    previous_slugs: vec![],
                    status: Status::Published,
                    publish_at: Some(at),
                    created_at: at,
                    updated_at: at,
                    version: 1,
                    tags: vec![],
                    created_by: None,
                    updated_by: None,
                    translation_of: None,
                    record: Default::default(),
                };
                store.put(Record { meta, body: serde_json::to_string(&news).expect("json") }).await.expect("put");
            }
            let started = Instant::now();
            let read = index.rebuild(&*store, &Kinds::builtin(), &|_| {}).await.expect("rebuild");
            let secs = started.elapsed().as_secs_f64();
            println!(
                "indexed {read} documents in {secs:.1} s ({:.0} documents/s, read from a MemoryStore and committed once); \
                 index on disk: {:.1} MiB",
                read as f64 / secs,
                dir_size(dir.path()) as f64 / (1024.0 * 1024.0)
            );
        });
        Fixture { rt, index, _dir: dir }
    })
}

#[divan::bench(args = ["pomoc spoleczna", "wozek widlowy", "integracja", "zawiercie", "program aktywizacja integracja"], sample_count = 200)]
fn query(bencher: Bencher, text: &str) {
    let f = fixture();
    let q = SearchQuery { text: text.into(), limit: 20, ..SearchQuery::default() };
    let now = Utc::now();
    bencher.bench_local(|| f.rt.block_on(f.index.search(&q, now)).expect("search"));
}
