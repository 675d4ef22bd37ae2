//! What opening a sled store reports when the folder is not as expected, and what reads
//! report on damaged records. Never a panic.

use std::sync::Arc;

use witryna_core::store::kv;
use witryna_core::{content::Page, Cms, CmsError, StoreError};
use witryna_sled::{OpenError, SledStore};

fn page(title: &str) -> Page {
    Page { title: title.into(), summary: String::new(), body: "treść".into(), attachments: Vec::new() }
}

/// A raw sled handle on the folder once the store's flusher has let go of it.
fn open_raw_after(dir: &std::path::Path) -> sled::Db {
    for _ in 0..100 {
        if let Ok(db) = sled::open(dir) {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    sled::open(dir).expect("the folder is free")
}

#[tokio::test]
async fn a_second_open_of_the_same_folder_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SledStore::open(dir.path()).unwrap();
    let err = SledStore::open(dir.path()).unwrap_err();
    assert!(matches!(err, OpenError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("in use by another process"), "{err}");
}

#[tokio::test]
async fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(SledStore::open(dir.path()).unwrap());
    {
        let raw = open_raw_after(dir.path());
        raw.insert(kv::SCHEMA_KEY, &(kv::SCHEMA_VERSION + 1).to_be_bytes()).unwrap();
        raw.flush().unwrap();
    }
    let err = SledStore::open(dir.path()).unwrap_err();
    match &err {
        OpenError::Schema { source: StoreError::SchemaTooNew { found, supported }, .. } => {
            assert_eq!((*found, *supported), (kv::SCHEMA_VERSION + 1, kv::SCHEMA_VERSION));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(err.to_string().contains("upgrade Witryna"), "{err}");
}

#[tokio::test]
async fn a_schema_1_store_is_read_as_it_is_and_restamped() {
    let dir = tempfile::tempdir().unwrap();
    drop(SledStore::open(dir.path()).unwrap());
    let id = witryna_core::Id::from_bytes(core::array::from_fn(|i| i as u8 + 1));
    {
        let raw = open_raw_after(dir.path());
        raw.insert(kv::SCHEMA_KEY, &1u32.to_be_bytes()).unwrap();
        raw.insert(kv::record_key(id), witryna_core::testing::hex_bytes(witryna_core::testing::SCHEMA_1_RECORD))
            .unwrap();
        raw.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    let record = witryna_core::Store::get(&store, id).await.unwrap().expect("the old record");
    assert_eq!((record.meta.slug.as_str(), record.meta.version, record.meta.created_by), ("a", 3, None));
    drop(store);
    let raw = open_raw_after(dir.path());
    assert_eq!(
        raw.get(kv::SCHEMA_KEY).unwrap().as_deref(),
        Some(&kv::schema_stamp()[..]),
        "stamped {}",
        kv::SCHEMA_VERSION
    );
}

#[tokio::test]
async fn another_programs_sled_database_is_not_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    {
        let raw = open_raw_after(dir.path());
        raw.insert(b"someone-else", b"data").unwrap();
        raw.flush().unwrap();
    }
    let err = SledStore::open(dir.path()).unwrap_err();
    assert!(matches!(err, OpenError::NotWitryna { .. }), "{err:?}");
}

async fn damage(keep_conf: bool) -> OpenError {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        let cms = Cms::new(Arc::new(store));
        for i in 0..20 {
            cms.create(page(&format!("Strona {i}"))).await.unwrap();
        }
    }
    // Overwrite the files sled keeps with garbage of the same length.
    for entry in walk(dir.path()) {
        if keep_conf && entry.file_name().is_some_and(|n| n == "conf") {
            continue;
        }
        let len = std::fs::metadata(&entry).unwrap().len() as usize;
        std::fs::write(&entry, vec![0xA5u8; len.max(64)]).unwrap();
    }
    let err = SledStore::open(dir.path()).expect_err("garbage files must not open as a store");
    eprintln!("damaged store: {err}");
    err
}

#[tokio::test]
async fn damaged_files_are_an_error_not_a_panic() {
    for keep_conf in [false, true] {
        let err = damage(keep_conf).await;
        assert!(matches!(err, OpenError::Corrupt { .. } | OpenError::Io { .. }), "{err:?}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn a_corrupt_record_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));
        let item = cms.create(page("Zepsuta")).await.unwrap();
        item.meta.id
    };
    {
        let raw = open_raw_after(dir.path());
        raw.insert(kv::record_key(id), &b"\xff\xff not postcard"[..]).unwrap();
        raw.flush().unwrap();
    }
    let cms = Cms::new(Arc::new(SledStore::open(dir.path()).unwrap()));
    let err = cms.get::<Page>(id).await.unwrap_err();
    match &err {
        CmsError::Store(StoreError::Corrupt { key, .. }) => assert_eq!(*key, format!("record of item {id}")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let err = cms.find::<Page>("zepsuta", witryna_core::View::Editor).await.unwrap_err();
    assert!(err.to_string().contains(&id.to_string()), "{err}");
}
