//! Blobs on sled beyond the shared conformance suite: an upload cut by a crash (the process
//! killed mid-write, no destructor run) leaves nothing behind once the store is reopened.

use witryna_core::store::blob::BLOB_CHUNK;
use witryna_core::store::kv;
use witryna_core::testing::blob_bytes;
use witryna_core::Store;
use witryna_sled::SledStore;

/// The folder the crashing child writes to; set only in the child.
#[cfg(unix)]
const CHILD_DIR: &str = "WITRYNA_TEST_CRASH_DIR";
#[cfg(unix)]
const TEST_NAME: &str = "a_crash_mid_upload_leaves_nothing_after_reopen";

/// A raw sled handle on the folder once the previous holder has let go of it.
fn open_raw_after(dir: &std::path::Path) -> sled::Db {
    for _ in 0..100 {
        if let Ok(db) = sled::open(dir) {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    sled::open(dir).expect("the folder is free")
}

/// Polls a future once and drops it (a request cut mid-upload): for a blob write, its
/// chunks are then still being stored on the blocking pool. Whether it was cut before it
/// finished (a loaded machine may finish a small write within that one poll).
async fn poll_once_and_drop<F: std::future::Future>(future: F) -> bool {
    let mut future = std::pin::pin!(future);
    let ready = std::future::poll_fn(|cx| std::task::Poll::Ready(future.as_mut().poll(cx).is_ready())).await;
    !ready
}

/// Keys under a prefix.
fn count(db: &sled::Db, prefix: &[u8]) -> usize {
    db.scan_prefix(prefix).keys().collect::<Result<Vec<_>, _>>().expect("keys").len()
}

/// The child's part: one committed blob, then an upload of two and a half chunks that is
/// on disk (flushed) but never committed, then `kill -9` of itself: no destructor runs, the
/// writer's cleanup included.
#[cfg(unix)]
async fn crash_mid_upload(dir: &str) -> ! {
    let store = SledStore::open(dir).expect("open in the child");
    let mut kept = store.blob_writer().await.unwrap();
    kept.write(&blob_bytes(BLOB_CHUNK + 10, 1)).await.unwrap();
    kept.commit().await.unwrap();
    let mut cut = store.blob_writer().await.unwrap();
    cut.write(&blob_bytes(2 * BLOB_CHUNK + BLOB_CHUNK / 2, 2)).await.unwrap();
    store.flush().await.unwrap();
    let _ = std::process::Command::new("kill").args(["-9", &std::process::id().to_string()]).status();
    std::thread::sleep(std::time::Duration::from_secs(10));
    unreachable!("kill -9 did not end the child");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_upload_leaves_nothing_after_reopen() {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        crash_mid_upload(&dir).await;
    }
    // Forgetting the writer in this process would keep the database open (the writer holds
    // a handle) and locked: the crash happens in a child process instead.
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([TEST_NAME, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD_DIR, dir.path())
        .output()
        .expect("run the child");
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(child.status.signal(), Some(9), "the child is killed: {}", String::from_utf8_lossy(&child.stderr));
    }

    let kept = witryna_core::store::BlobHash::of(&blob_bytes(BLOB_CHUNK + 10, 1));
    {
        let raw = open_raw_after(dir.path());
        assert_eq!(count(&raw, b"b:"), 1, "the committed blob");
        assert_eq!(count(&raw, kv::BLOB_PENDING_PREFIX), 1, "the cut upload is marked pending");
        assert_eq!(count(&raw, b"c:"), 2 + 2, "two chunks of the blob, the whole chunks of the cut upload");
    }

    let store = {
        let mut opened = SledStore::open(dir.path());
        for _ in 0..100 {
            if opened.is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            opened = SledStore::open(dir.path());
        }
        opened.expect("reopen after the crash")
    };
    let listed: Vec<_> = store.blobs(None, 10).await.unwrap().into_iter().map(|b| b.hash).collect();
    assert_eq!(listed, [kept], "only the committed blob");
    let bytes = store.read_blob(kept, 0, usize::MAX).await.unwrap().expect("kept");
    assert!(bytes == blob_bytes(BLOB_CHUNK + 10, 1));
    drop(store);

    let raw = open_raw_after(dir.path());
    assert_eq!(count(&raw, kv::BLOB_PENDING_PREFIX), 0, "no pending mark after the reopen");
    assert_eq!(count(&raw, b"c:"), 2, "only the committed blob's chunks");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_and_deletions_leave_no_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    let bytes = blob_bytes(3 * BLOB_CHUNK + 1, 3);
    for piece in [BLOB_CHUNK, 1000] {
        let mut w = store.blob_writer().await.unwrap();
        for p in bytes.chunks(piece) {
            w.write(p).await.unwrap();
        }
        w.commit().await.unwrap();
    }
    let mut dropped = store.blob_writer().await.unwrap();
    dropped.write(&bytes[..2 * BLOB_CHUNK]).await.unwrap();
    drop(dropped);
    let hash = witryna_core::store::BlobHash::of(&bytes);
    assert!(store.delete_blob(hash, chrono::Utc::now() + chrono::Duration::seconds(1)).await.unwrap());
    drop(store);

    let raw = open_raw_after(dir.path());
    for prefix in [&b"b:"[..], b"c:", b"p:"] {
        assert_eq!(count(&raw, prefix), 0, "{}", String::from_utf8_lossy(prefix));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_write_spoils_the_writer_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    let bytes = blob_bytes(4 * BLOB_CHUNK, 4);
    let mut cut = None;
    for _ in 0..20 {
        // A write that finished within one poll was not cut: its writer is dropped
        // uncommitted (which leaves nothing either) and another is tried.
        let mut w = store.blob_writer().await.unwrap();
        if poll_once_and_drop(w.write(&bytes)).await {
            cut = Some(w);
            break;
        }
    }
    let w = cut.expect("one of 20 writes is cut before it finishes");
    assert!(w.commit().await.is_err(), "what the cut write stored is unknown: no commit");
    drop(store);

    let raw = open_raw_after(dir.path());
    for prefix in [&b"b:"[..], b"c:", b"p:"] {
        assert_eq!(count(&raw, prefix), 0, "{}", String::from_utf8_lossy(prefix));
    }
}
