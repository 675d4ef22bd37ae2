//! Exports carry the store's files: every blob, a base64 piece a line, checked against its
//! SHA-256 on import. Export → import → export is byte-identical across sled, PostgreSQL
//! and memory; a damaged, gapped or truncated file is refused and leaves nothing behind.

mod common;
use common::imports_left_out;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use witryna_cli::transfer::{self, ImportReport, FILE_PIECE};
use witryna_core::content::{Image, Media, NewsArticle, Page, StoredFile};
use witryna_core::store::kv::SCHEMA_VERSION;
use witryna_core::store::BlobHash;
use witryna_core::{Cms, MemoryStore, Store};
use witryna_postgres::{PgOptions, PgStore};
use witryna_sled::SledStore;

const BIN: &str = env!("CARGO_BIN_EXE_witryna");

/// `len` bytes that differ from those of another `seed`.
fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31) as u8) ^ seed).collect()
}

async fn put_blob(store: &dyn Store, data: &[u8]) -> BlobHash {
    let mut w = store.blob_writer().await.unwrap();
    for piece in data.chunks(10_000) {
        w.write(piece).await.unwrap();
    }
    w.commit().await.unwrap().hash
}

/// The three files of the tests: empty, 10 bytes, and three pieces and five bytes.
struct Files {
    empty: BlobHash,
    ten: BlobHash,
    big: BlobHash,
}

fn big_bytes() -> Vec<u8> {
    bytes(3 * FILE_PIECE + 5, 7)
}

/// A store with items and files: an image (the big file, with the 10-byte one as its
/// smaller copy) shown by a published news article, an empty document, a page.
async fn fill(cms: &Cms) -> Files {
    let store = cms.store();
    let files = Files {
        empty: put_blob(store, b"").await,
        ten: put_blob(store, &bytes(10, 1)).await,
        big: put_blob(store, &big_bytes()).await,
    };
    let stored = |hash, name: &str, content_type: &str, size| StoredFile {
        hash,
        name: name.into(),
        content_type: content_type.into(),
        size,
        width: None,
        height: None,
    };
    let image = Media {
        title: String::new(),
        alt: "Uczestnicy spotkania przy okrągłym stole".into(),
        file: StoredFile {
            width: Some(1200),
            height: Some(800),
            ..stored(files.big, "spotkanie.jpg", "image/jpeg", 196_613)
        },
        transcript: String::new(),
        variants: vec![StoredFile {
            width: Some(64),
            height: Some(43),
            ..stored(files.ten, "64.webp", "image/webp", 10)
        }],
    };
    let image = cms.create(image).await.unwrap();
    let document = Media {
        title: "Pusty wniosek".into(),
        alt: String::new(),
        file: stored(files.empty, "wniosek.txt", "text/plain", 0),
        transcript: String::new(),
        variants: Vec::new(),
    };
    cms.create(document).await.unwrap();
    let news = NewsArticle {
        title: "Spotkanie w ośrodku".into(),
        lead: String::new(),
        body: "Zapraszamy.".into(),
        author: "MOPS".into(),
        tags: vec!["spotkania".into()],
        cover: Some(Image::library(image.meta.id, "Uczestnicy spotkania")),
        event: None,
        attachments: Vec::new(),
        gallery: Vec::new(),
    };
    let news = cms.create(news).await.unwrap();
    let news = cms
        .update(news.meta.id, news.meta.version, NewsArticle { body: "Zapraszamy w czwartek.".into(), ..news.content })
        .await
        .unwrap();
    cms.publish(news.meta.id, news.meta.version, None).await.unwrap();
    cms.create(Page {
        title: "O ośrodku".into(),
        summary: String::new(),
        body: "Tekst.".into(),
        attachments: Vec::new(),
    })
    .await
    .unwrap();
    files
}

async fn export(store: &dyn Store) -> Vec<u8> {
    let mut out = Vec::new();
    transfer::export(store, &mut out, || {}).await.unwrap();
    out
}

async fn import(store: &dyn Store, file: &[u8]) -> ImportReport {
    transfer::import(store, &witryna_cli::kinds(), &mut &file[..], |_| {}).await.unwrap()
}

fn lines(file: &[u8]) -> Vec<String> {
    std::str::from_utf8(file).unwrap().lines().map(str::to_owned).collect()
}

fn join(lines: &[String]) -> Vec<u8> {
    lines.iter().flat_map(|l| format!("{l}\n").into_bytes()).collect()
}

/// The index of the line of `hash` at `offset`.
fn piece(lines: &[String], hash: BlobHash, offset: u64) -> usize {
    lines
        .iter()
        .position(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["blob"] == hash.to_string() && v["offset"] == offset
        })
        .unwrap_or_else(|| panic!("no line of {hash} at {offset}"))
}

/// Changes one base64 character in the middle of a line's data for another.
fn flip(line: &mut String) {
    let middle = line.len() / 2;
    let flipped = if &line[middle..middle + 1] == "A" { "B" } else { "A" };
    line.replace_range(middle..middle + 1, flipped);
}

async fn hashes(store: &dyn Store) -> Vec<BlobHash> {
    store.blobs(None, 100).await.unwrap().into_iter().map(|b| b.hash).collect()
}

#[tokio::test]
async fn files_come_first_in_hash_order_a_piece_a_line() {
    let cms = Cms::new(Arc::new(MemoryStore::new()));
    let files = fill(&cms).await;
    let mut out = Vec::new();
    let report = transfer::export_report(cms.store(), &mut out, || {}).await.unwrap();
    assert_eq!((report.items, report.files, report.file_bytes), (4, 3, 3 * FILE_PIECE as u64 + 15));
    assert!(report.left_out.is_empty());
    let lines = lines(&out);
    assert_eq!(lines[0], format!("{{\"witryna_export\":3,\"store_schema\":{SCHEMA_VERSION}}}"));
    let mut sorted = vec![files.empty, files.ten, files.big];
    sorted.sort();
    let mut expected = Vec::new();
    for hash in sorted {
        let size = if hash == files.big {
            3 * FILE_PIECE + 5
        } else if hash == files.ten {
            10
        } else {
            0
        };
        let mut offset = 0;
        loop {
            expected.push((hash.to_string(), size, offset));
            offset += FILE_PIECE;
            if offset >= size {
                break;
            }
        }
    }
    let blob_lines: Vec<(String, usize, usize)> = lines[1..1 + expected.len()]
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["blob"].as_str().unwrap().to_owned(),
                v["size"].as_u64().unwrap() as usize,
                v["offset"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    assert_eq!(blob_lines, expected, "files in hash order, pieces in offset order, before the items");
    let items = &lines[1 + expected.len()..1 + expected.len() + 4];
    assert!(items.iter().all(|l| l.starts_with("{\"id\":")), "then the four items");
    let audit = &lines[1 + expected.len() + 4..];
    assert!(!audit.is_empty() && audit.iter().all(|l| l.starts_with("{\"audit\":")), "then the audit log");
    let empty = &lines[piece(&lines, files.empty, 0)];
    assert_eq!(empty, &format!("{{\"blob\":\"{}\",\"size\":0,\"offset\":0,\"data\":\"\"}}", files.empty));
    assert!(lines.iter().all(|l| l.len() < 90_000), "no line holds more than a piece");

    let target = MemoryStore::new();
    let report = import(&target, &out).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.imported, report.files_imported, report.files_already_present), (4, 3, 0));
    assert_eq!(target.read_blob(files.big, 0, usize::MAX).await.unwrap(), Some(big_bytes()));
    assert_eq!(export(&target).await, out, "export → import → export is byte-identical");

    // Again into the same store: every file is checked again and kept once, and no audit
    // entry is added twice.
    let again = import(&target, &out).await;
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!((again.already_present, again.files_imported, again.files_already_present), (4, 0, 3));
    assert_eq!(again.audit_entries, 0);
    assert_eq!(hashes(&target).await.len(), 3);
    assert_eq!(export(&target).await, out);
}

#[tokio::test]
async fn a_store_without_files_exports_the_format_every_build_reads() {
    let cms = Cms::new(Arc::new(MemoryStore::new()));
    cms.create(Page {
        title: "O ośrodku".into(),
        summary: String::new(),
        body: "Tekst.".into(),
        attachments: Vec::new(),
    })
    .await
    .unwrap();
    let logged = export(cms.store()).await;
    assert_eq!(lines(&logged)[0], format!("{{\"witryna_export\":3,\"store_schema\":{SCHEMA_VERSION}}}"));
    // Without its audit log (a store filled by imports only), the same store is format 1.
    let mut plain = lines(&logged);
    plain.retain(|l| !l.starts_with("{\"audit\":"));
    plain[0] = format!("{{\"witryna_export\":1,\"store_schema\":{SCHEMA_VERSION}}}");
    let unlogged = MemoryStore::new();
    assert!(import(&unlogged, (plain.join("\n") + "\n").as_bytes()).await.errors.is_empty());
    let out = export(&unlogged).await;
    assert_eq!(lines(&out), plain);

    // Format 1 has no file lines: one is refused as an item line.
    let mut with_blob = lines(&out);
    with_blob.insert(1, format!("{{\"blob\":\"{}\",\"size\":0,\"offset\":0,\"data\":\"\"}}", BlobHash::of(b"")));
    let target = MemoryStore::new();
    let report = import(&target, &join(&with_blob)).await;
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].0, 2);
    assert!(report.errors[0].1.contains("unknown field `blob`"), "{:?}", report.errors);
    assert!(hashes(&target).await.is_empty());

    let newer = format!("{{\"witryna_export\":4,\"store_schema\":{SCHEMA_VERSION}}}\n");
    let refused = transfer::import(&target, &witryna_cli::kinds(), &mut newer.as_bytes(), |_| {}).await;
    assert!(refused.unwrap_err().to_string().starts_with("line 1:"));
}

/// The format is a promise: a file written by hand in it — pieces of any length — imports,
/// and exports again in the canonical pieces.
#[tokio::test]
async fn a_format_2_file_of_any_pieces_imports_and_exports_canonically() {
    let hello = BlobHash::of(b"hello");
    assert_eq!(hello.to_string(), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    let header = format!("{{\"witryna_export\":2,\"store_schema\":{SCHEMA_VERSION}}}");
    let canonical = format!("{header}\n{{\"blob\":\"{hello}\",\"size\":5,\"offset\":0,\"data\":\"aGVsbG8=\"}}\n");
    let cut = format!(
        "{header}\n{{\"blob\":\"{hello}\",\"size\":5,\"offset\":0,\"data\":\"aGU=\"}}\n\
         {{\"offset\":2,\"size\":5,\"blob\":\"{hello}\",\"data\":\"bGxv\"}}\n"
    );
    for file in [&canonical, &cut] {
        let store = MemoryStore::new();
        let report = import(&store, file.as_bytes()).await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.files_imported, 1);
        assert_eq!(store.read_blob(hello, 0, 100).await.unwrap(), Some(b"hello".to_vec()));
        assert_eq!(String::from_utf8(export(&store).await).unwrap(), canonical);
    }
}

/// Imports `file` into an empty store: its report, and the files the store then has.
async fn import_fresh(file: &[u8]) -> (ImportReport, Vec<BlobHash>) {
    let store = MemoryStore::new();
    let report = import(&store, file).await;
    let held = hashes(&store).await;
    (report, held)
}

/// The error on `line`, or a panic listing them all.
fn error_at(report: &ImportReport, line: usize) -> &str {
    let found = report.errors.iter().find(|(l, _)| *l == line);
    &found.unwrap_or_else(|| panic!("no error at line {line}: {:?}", report.errors)).1
}

#[tokio::test]
async fn a_damaged_file_is_refused_and_leaves_nothing() {
    let cms = Cms::new(Arc::new(MemoryStore::new()));
    let files = fill(&cms).await;
    let out = lines(&export(cms.store()).await);

    // One base64 character flipped in the middle of the big file's second piece.
    let mut damaged = out.clone();
    let at = piece(&out, files.big, FILE_PIECE as u64);
    flip(&mut damaged[at]);
    let (report, held) = import_fresh(&join(&damaged)).await;
    let last = piece(&out, files.big, 3 * FILE_PIECE as u64) + 1;
    let message = error_at(&report, last);
    assert!(message.starts_with(&format!("file {}: ", files.big)), "{message}");
    assert!(message.contains("have SHA-256") && message.contains("the export is damaged"), "{message}");
    assert!(message.contains(&format!("(lines {}–{last})", last - 3)), "{message}");
    assert!(!held.contains(&files.big), "the damaged file was not kept");
    assert_eq!(held.len(), 2, "nor its bytes under another hash: {held:?}");
    // The image naming it is refused too; everything else is imported.
    let media_line = report.errors.iter().find(|(_, m)| m.contains("names file")).expect("the image is refused");
    assert!(
        media_line.1.contains(&format!("revisions[0].content.file.hash: names file {}", files.big)),
        "{media_line:?}"
    );
    assert_eq!((report.errors.len(), report.imported, report.files_imported), (2, 3, 2));

    // A character that is no base64 at all.
    let mut garbled = out.clone();
    let at = piece(&out, files.ten, 0);
    garbled[at] = garbled[at].replacen("\"data\":\"", "\"data\":\"*", 1);
    let (report, held) = import_fresh(&join(&garbled)).await;
    let message = error_at(&report, at + 1);
    assert!(message.starts_with(&format!("file {}: data is not base64", files.ten)), "{message}");
    assert!(!held.contains(&files.ten));
}

#[tokio::test]
async fn a_missing_piece_is_refused_and_leaves_nothing() {
    let cms = Cms::new(Arc::new(MemoryStore::new()));
    let files = fill(&cms).await;
    let out = lines(&export(cms.store()).await);
    let mut gapped = out.clone();
    let at = piece(&out, files.big, FILE_PIECE as u64);
    gapped.remove(at);
    let (report, held) = import_fresh(&join(&gapped)).await;
    // Found at the piece after the gap (now at index `at`); the last piece is skipped.
    let message = error_at(&report, at + 1);
    assert_eq!(
        message,
        format!(
            "file {}: this line starts at byte {}, the lines before end at byte {}: a line is missing",
            files.big,
            2 * FILE_PIECE,
            FILE_PIECE
        )
    );
    assert_eq!(report.errors.len(), 2, "the gap and the image naming the file: {:?}", report.errors);
    assert!(!held.contains(&files.big));

    // The first piece missing.
    let mut headless = out.clone();
    headless.remove(piece(&out, files.big, 0));
    let (report, held) = import_fresh(&join(&headless)).await;
    assert!(report.errors[0].1.contains("its first line starts at byte 65536, not 0"), "{:?}", report.errors);
    assert_eq!(report.errors.len(), 2, "one error for the file, one for the image: {:?}", report.errors);
    assert!(!held.contains(&files.big));
}

#[tokio::test]
async fn a_truncated_file_is_refused_and_leaves_nothing() {
    let cms = Cms::new(Arc::new(MemoryStore::new()));
    let files = fill(&cms).await;
    let out = lines(&export(cms.store()).await);
    let second = piece(&out, files.big, FILE_PIECE as u64);

    // The export ends after the big file's second piece.
    let (report, held) = import_fresh(&join(&out[..=second])).await;
    let message = error_at(&report, second + 1);
    assert!(
        message.starts_with(&format!(
            "file {}: its bytes (lines {}–{}) end at byte {} of {}: the export is cut short",
            files.big,
            second,
            second + 1,
            2 * FILE_PIECE,
            3 * FILE_PIECE + 5
        )),
        "{message}"
    );
    assert_eq!(report.errors.len(), 1);
    assert!(!held.contains(&files.big));

    // …or in the middle of its third line: that line is no JSON, and the file is cut short.
    let mut cut = join(&out[..=second]);
    cut.extend_from_slice(&out[second + 1].as_bytes()[..1000]);
    let (report, held) = import_fresh(&cut).await;
    assert!(error_at(&report, second + 1).contains("the export is cut short"), "{:?}", report.errors);
    assert!(error_at(&report, second + 2).starts_with("invalid JSON"), "{:?}", report.errors);
    assert!(!held.contains(&files.big));

    // A size that the lines do not add up to, either way.
    let ten = piece(&out, files.ten, 0);
    let too_few = format!("its bytes (line {}) end at byte 10 of 11", ten + 1);
    for (size, expected) in [(11, too_few.as_str()), (9, "its lines hold more than its size of 9 bytes")] {
        let mut resized = out.clone();
        resized[ten] = resized[ten].replace("\"size\":10,", &format!("\"size\":{size},"));
        let (report, held) = import_fresh(&join(&resized)).await;
        assert!(error_at(&report, ten + 1).contains(expected), "{:?}", report.errors);
        assert!(error_at(&report, ten + 1).starts_with(&format!("file {}: ", files.ten)), "{:?}", report.errors);
        assert!(!held.contains(&files.ten));
    }
}

#[tokio::test]
async fn a_media_item_whose_file_is_not_exported_is_left_out() {
    let cms = Cms::new(Arc::new(MemoryStore::new()));
    let files = fill(&cms).await;
    // A second image whose file is not in the store (as one uploaded while the export runs
    // would not be in its file lines).
    let missing = BlobHash::of(b"not stored");
    let orphan = Media {
        title: String::new(),
        alt: "Brak".into(),
        file: StoredFile {
            hash: missing,
            name: "brak.png".into(),
            content_type: "image/png".into(),
            size: 10,
            width: None,
            height: None,
        },
        transcript: String::new(),
        variants: Vec::new(),
    };
    let orphan = cms.create(orphan).await.unwrap();
    let mut out = Vec::new();
    let report = transfer::export_report(cms.store(), &mut out, || {}).await.unwrap();
    assert_eq!((report.items, report.left_out.clone()), (4, vec![orphan.meta.id]));
    let target = MemoryStore::new();
    let imported = import(&target, &out).await;
    assert!(imported.errors.is_empty(), "{:?}", imported.errors);
    assert_eq!(target.read_blob(files.ten, 0, 100).await.unwrap(), Some(bytes(10, 1)));
}

// ---- sled → PostgreSQL → sled ------------------------------------------------------------

fn admin_url() -> String {
    std::env::var("WITRYNA_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A schema of the test's own on the test server, dropped afterwards; `None` (and a loud
/// line) without a server, except under `CI=true`.
struct Schema(String);

impl Schema {
    async fn create() -> Option<Schema> {
        match tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls).await {
            Ok((client, connection)) => {
                tokio::spawn(connection);
                let name = format!("witryna_cli_blobs_{}", uuid::Uuid::now_v7().simple());
                client.batch_execute(&format!("CREATE SCHEMA {name}")).await.expect("create schema");
                Some(Schema(name))
            }
            Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("PostgreSQL is required under CI=true: {e}")
            }
            Err(e) => {
                eprintln!("\n*** SKIPPED: PostgreSQL tests need a server at {} ({e}) ***\n", admin_url());
                None
            }
        }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let name = self.0.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok((client, connection)) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls).await {
                    tokio::spawn(connection);
                    let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).await;
                }
            })
        })
        .join();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_from_sled_to_postgres_and_back_byte_identical() {
    let Some(schema) = Schema::create().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let cms = Cms::new(Arc::new(SledStore::open(dir.path().join("a")).unwrap()));
    let files = fill(&cms).await;
    let first = export(cms.store()).await;

    let options = PgOptions { schema: Some(schema.0.clone()), migrate: true, max_connections: 4 };
    let pg = PgStore::connect(&admin_url(), options).await.expect("connect");
    let report = import(&pg, &first).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.imported, report.files_imported), (4, 3));
    assert_eq!(pg.read_blob(files.big, 0, usize::MAX).await.unwrap(), Some(big_bytes()));
    let from_pg = export(&pg).await;
    assert!(from_pg == first, "sled → PostgreSQL: byte-identical export");

    let back = SledStore::open(dir.path().join("b")).unwrap();
    let report = import(&back, &from_pg).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(export(&back).await == first, "PostgreSQL → sled: byte-identical export");

    // A damaged file is refused by PostgreSQL too, and leaves no blob there.
    let target = Schema::create().await.expect("the server answered a moment ago");
    let options = PgOptions { schema: Some(target.0.clone()), migrate: true, max_connections: 4 };
    let pg = PgStore::connect(&admin_url(), options).await.expect("connect");
    let mut damaged = lines(&first);
    let at = piece(&damaged, files.big, 2 * FILE_PIECE as u64);
    flip(&mut damaged[at]);
    let report = import(&pg, &join(&damaged)).await;
    assert!(report.errors.iter().any(|(_, m)| m.starts_with(&format!("file {}: ", files.big))), "{:?}", report.errors);
    assert_eq!(hashes(&pg).await.len(), 2);
}

// ---- the command ---------------------------------------------------------------------------

fn witryna(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--data").arg(dir).args(args).env("WITRYNA_LOG", "warn").output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_carries_files_and_names_a_damaged_one() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (dir.path().join("a"), dir.path().join("b"), dir.path().join("c"));
    let files = {
        let cms = Cms::new(Arc::new(SledStore::open(&a).unwrap()));
        fill(&cms).await
    };
    let file = dir.path().join("site.jsonl");
    let out = witryna(&a, &["export", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let first = std::fs::read(&file).unwrap();
    assert!(first.starts_with(b"{\"witryna_export\":3,"), "files and an audit log");
    let out = witryna(&b, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let second = witryna(&b, &["export"]).stdout;
    assert_eq!(imports_left_out(&second), first, "export → import → export through the command");
    let count = |b: &[u8]| String::from_utf8_lossy(b).lines().count();
    assert_eq!(count(&second), count(&first) + 1, "and the import's own audit entry");

    let mut damaged = lines(&first);
    let at = piece(&damaged, files.ten, 0);
    damaged[at] = damaged[at].replacen("\"data\":\"", "\"data\":\"*", 1);
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, join(&damaged)).unwrap();
    let out = witryna(&c, &["import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:{}: file {}: data is not base64", bad.display(), at + 1, files.ten)), "{err}");
}
