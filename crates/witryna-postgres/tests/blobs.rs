//! Blobs on PostgreSQL beyond the shared conformance suite: the chunks of a blob are kept
//! once and go with it, and a writer that is dropped or cut mid-write hands no connection
//! with an open transaction back to the pool.

use witryna_core::store::blob::BLOB_CHUNK;
use witryna_core::store::BlobHash;
use witryna_core::testing::blob_bytes;
use witryna_core::Store;
use witryna_postgres::PgStore;

mod common;

use common::{url, TestSchema};

async fn rows(client: &tokio_postgres::Client, schema: &TestSchema, table: &str) -> i64 {
    client.query_one(&format!("SELECT count(*) FROM {}.{table}", schema.0), &[]).await.unwrap().get(0)
}

/// Polls a future once and drops it (a request cut mid-upload).
async fn poll_once_and_drop<F: std::future::Future>(future: F) {
    let mut future = std::pin::pin!(future);
    let ready = std::future::poll_fn(|cx| std::task::Poll::Ready(future.as_mut().poll(cx).is_ready())).await;
    assert!(!ready, "the write was cut before it finished");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_are_kept_once_and_writers_give_back_clean_connections() {
    let Some(client) = common::connect().await else { return };
    let schema = TestSchema::create(&client, "witryna_blobs").await;
    // One connection: a writer that kept it, or gave it back in a transaction, would show.
    let store = PgStore::connect(&url(), schema.options(1)).await.expect("connect");
    let bytes = blob_bytes(3 * BLOB_CHUNK + 1, 7);

    let mut dropped = store.blob_writer().await.unwrap();
    dropped.write(&bytes[..2 * BLOB_CHUNK]).await.unwrap();
    drop(dropped);
    let mut cut = store.blob_writer().await.unwrap();
    poll_once_and_drop(cut.write(&bytes)).await;
    assert!(cut.commit().await.is_err(), "what the cut write stored is unknown: no commit");

    for piece in [BLOB_CHUNK, 1000] {
        let mut w = store.blob_writer().await.unwrap();
        for p in bytes.chunks(piece) {
            w.write(p).await.unwrap();
        }
        assert_eq!(w.commit().await.unwrap().hash, BlobHash::of(&bytes));
    }
    // Had a discarded writer's connection come back to the pool inside its transaction, the
    // next writer's BEGIN would have been a no-op and its COMMIT would have kept the
    // discarded chunks too.
    assert_eq!((rows(&client, &schema, "blobs").await, rows(&client, &schema, "blob_chunks").await), (1, 4));

    assert!(store.delete_blob(BlobHash::of(&bytes), chrono::Utc::now() + chrono::Duration::seconds(1)).await.unwrap());
    assert_eq!((rows(&client, &schema, "blobs").await, rows(&client, &schema, "blob_chunks").await), (0, 0));
}
