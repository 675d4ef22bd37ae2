//! # witryna-sled
//!
//! [`SledStore`]: the embedded default backend of Witryna, on [sled] 0.34. Nothing to
//! install; one folder holds the whole site.
//!
//! - Every write is one sled transaction with all its index entries and its revision
//!   (the shared layout of [`witryna_core::store::kv`]), and is flushed to disk before it
//!   returns ([`Durability::Flushed`], the default). [`Durability::Relaxed`] acknowledges
//!   before the flush and lets sled flush in the background: faster, and the last
//!   moments of writes may be lost in a crash.
//! - Writes and flushes run on tokio's blocking pool; point reads and bounded list pages
//!   run inline (microseconds, from sled's cache). The store must be used inside a tokio
//!   runtime.
//! - The cache is bounded ([`SledOptions::cache_capacity`], 64 MiB by default; sled's own
//!   default is 1 GiB, and sled exceeds its bound somewhat, sled #1309). A small site uses
//!   only what its data needs.
//! - The schema version is stamped on creation; a store written by a newer Witryna, a
//!   corrupt file or a folder locked by another process is a clear [`OpenError`].
//! - Blobs live in the same tree ([`kv`]'s `b:`/`c:`/`p:` keys): a writer stores
//!   [`witryna_core::store::blob::BLOB_CHUNK`] chunks as they fill under a data
//!   id marked pending, and its commit names them in one transaction (then flushes, as
//!   writes do). A writer dropped uncommitted removes its chunks; one cut by a crash is
//!   removed when the store is next opened.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use witryna_core::Cms;
//! use witryna_sled::SledStore;
//!
//! let store = SledStore::open("./witryna-data")?;
//! let cms = Cms::new(Arc::new(store));
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};
use sled::IVec;
use witryna_core::audit::{AuditEntry, AuditQuery, Delivery, WriteLog};
use witryna_core::record::{Id, Record};
use witryna_core::store::blob::{chunk_span, clip_span, BlobBuffer, BLOB_CHUNK};
use witryna_core::store::kv::{self, BlobHeader, Entries, KvRead, KvTxn, TxnError};
use witryna_core::store::{BlobHash, BlobInfo, BlobWriter, ListQuery, RecordPage, Store, StoreError};

/// When a write is acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// After the write is flushed to disk: it survives a crash. The default.
    #[default]
    Flushed,
    /// Before the flush; sled flushes every `flush_every_ms` milliseconds in the
    /// background. A crash may lose the writes of that last interval (never half a write).
    Relaxed {
        /// Background flush interval.
        flush_every_ms: u64,
    },
}

/// How to open a [`SledStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SledOptions {
    /// When writes are acknowledged.
    pub durability: Durability,
    /// Bound of sled's page cache, in bytes (sled may exceed it somewhat; see sled #1309).
    /// Default 64 MiB: with 100 000 items a larger cache bought little (256 MiB: 330 MiB
    /// resident after a load run, 64 MiB: 302 MiB, 32 MiB: 280 MiB; BENCHMARKS.md).
    pub cache_capacity: u64,
}

impl Default for SledOptions {
    fn default() -> Self {
        Self { durability: Durability::Flushed, cache_capacity: 64 * 1024 * 1024 }
    }
}

/// Why a store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Another process (or another handle in this one) has the folder open.
    #[error("the store in {path} is in use by another process (sled holds a lock on it); stop that process first")]
    Locked {
        /// The folder.
        path: PathBuf,
    },
    /// The files are damaged.
    #[error("the store in {path} is corrupt: {reason}")]
    Corrupt {
        /// The folder.
        path: PathBuf,
        /// What sled found.
        reason: String,
    },
    /// The folder holds data that is not a Witryna store.
    #[error("{path} holds a sled database without a Witryna schema version; is it another program's data?")]
    NotWitryna {
        /// The folder.
        path: PathBuf,
    },
    /// The schema stamp is unreadable or newer than this build.
    #[error("the store in {path}: {source}")]
    Schema {
        /// The folder.
        path: PathBuf,
        /// The schema problem.
        #[source]
        source: StoreError,
    },
    /// I/O failure (permissions, disk full, not a folder...).
    #[error("cannot open the store in {path}: {source}")]
    Io {
        /// The folder.
        path: PathBuf,
        /// What sled reported.
        #[source]
        source: sled::Error,
    },
}

/// The file beside sled's own that marks a folder as a Witryna store.
const MARKER_FILE: &str = "WITRYNA";

fn write_marker(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::File::create(path)?;
    f.write_all(b"Witryna store (sled 0.34). Do not edit the files in this folder.\n")?;
    f.sync_all()
}

/// Makes the store readable by its owner only: the folder 0700 (so files sled makes later
/// are out of reach too), the files in it 0600. Content drafts, token hashes and (later)
/// accounts live here.
#[cfg(unix)]
fn owner_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let mode = if entry.file_type()?.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn owner_only(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The sled-backed [`Store`].
#[derive(Debug, Clone)]
pub struct SledStore {
    db: sled::Db,
    durability: Durability,
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend { backend: "sled", source: Box::new(e) }
}

fn open_error(path: &Path, e: sled::Error) -> OpenError {
    let path = path.to_path_buf();
    match e {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => OpenError::Locked { path },
        sled::Error::Corruption { at, .. } => OpenError::Corrupt {
            path,
            reason: at.map_or_else(|| "unreadable data".to_owned(), |at| format!("bad data at {at}")),
        },
        sled::Error::Unsupported(reason) | sled::Error::ReportableBug(reason) => OpenError::Corrupt { path, reason },
        other => OpenError::Io { path, source: other },
    }
}

impl SledStore {
    /// Whether a folder holds a Witryna store (as opposed to nothing, or other files).
    pub fn exists(path: impl AsRef<Path>) -> bool {
        path.as_ref().join(MARKER_FILE).is_file()
    }

    /// Opens (or creates) a store in a folder with the default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, OpenError> {
        Self::open_with(path, SledOptions::default())
    }

    /// Opens (or creates) a store in a folder.
    pub fn open_with(path: impl AsRef<Path>, options: SledOptions) -> Result<Self, OpenError> {
        let path = path.as_ref();
        let flush_every_ms = match options.durability {
            Durability::Flushed => Some(1000),
            Durability::Relaxed { flush_every_ms } => Some(flush_every_ms.max(1)),
        };
        let config =
            sled::Config::new().path(path).cache_capacity(options.cache_capacity).flush_every_ms(flush_every_ms);
        // sled 0.34 can panic instead of erring on some damaged files; a damaged file is
        // the caller's problem to report, not a crash.
        let open = || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open()))
                .map_err(|panic| OpenError::Corrupt {
                    path: path.to_path_buf(),
                    reason: panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "sled could not read its files".into()),
                })?
                .map_err(|e| open_error(path, e))
        };
        // A store of this process dropped a moment ago still holds the folder's lock until
        // sled's flusher thread ends: wait for it a little before calling it locked.
        let mut attempts = 0;
        let db = loop {
            match open() {
                Err(OpenError::Locked { .. }) if attempts < 50 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other?,
            }
        };
        let schema_err = |source| OpenError::Schema { path: path.to_path_buf(), source };
        let stamp = db.get(kv::SCHEMA_KEY).map_err(|e| open_error(path, e))?;
        let marker = path.join(MARKER_FILE);
        let found = kv::read_schema(stamp.as_deref()).map_err(schema_err)?;
        if found.is_some_and(|v| v < kv::SCHEMA_VERSION) {
            // Older records stay readable as they are; the new stamp keeps older builds,
            // which cannot read the new records, out.
            db.insert(kv::SCHEMA_KEY, &kv::schema_stamp()).map_err(|e| open_error(path, e))?;
            db.flush().map_err(|e| open_error(path, e))?;
        }
        if found.is_none() {
            // sled recovers a damaged log by dropping what it cannot read, which can look
            // like an empty database. The marker, written once the stamp is on disk, tells
            // a damaged store from a new one.
            if marker.exists() {
                return Err(OpenError::Corrupt {
                    path: path.to_path_buf(),
                    reason: "the schema stamp is gone: sled's files are damaged or were replaced".into(),
                });
            }
            if !db.is_empty() {
                return Err(OpenError::NotWitryna { path: path.to_path_buf() });
            }
            db.insert(kv::SCHEMA_KEY, &kv::schema_stamp()).map_err(|e| open_error(path, e))?;
            db.flush().map_err(|e| open_error(path, e))?;
        }
        if !marker.exists() {
            write_marker(&marker).map_err(|e| open_error(path, e.into()))?;
        }
        owner_only(path).map_err(|e| open_error(path, e.into()))?;
        sweep_pending(&db).map_err(|e| match e {
            Swept::Sled(e) => open_error(path, e),
            Swept::Corrupt(e) => OpenError::Corrupt { path: path.to_path_buf(), reason: e.to_string() },
        })?;
        Ok(Self { db, durability: options.durability })
    }

    /// A handle on the same open store that acknowledges writes with another durability
    /// (e.g. a bulk import in relaxed mode, then [`SledStore::flush`]).
    pub fn with_durability(&self, durability: Durability) -> Self {
        Self { db: self.db.clone(), durability }
    }

    /// Flushes everything written so far (useful in [`Durability::Relaxed`] mode).
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await.map(drop).map_err(backend)
    }

    /// Bytes the store takes on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(backend)
    }

    /// Removes the keys `find` names (retention of the logs), on the blocking pool, in
    /// one batch; answers the count `find` gives.
    async fn remove_found<F>(&self, find: F) -> Result<u64, StoreError>
    where
        F: FnOnce(&View<'_>) -> Result<(Vec<Vec<u8>>, u64), StoreError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let (keys, count) = find(&View(&db))?;
            let mut batch = sled::Batch::default();
            for k in &keys {
                batch.remove(k.as_slice());
            }
            db.apply_batch(batch).map_err(backend)?;
            db.flush().map_err(backend)?;
            Ok(count)
        })
        .await
        .map_err(backend)?
    }

    /// Runs a write transaction on the blocking pool and flushes when durable.
    async fn write<F>(&self, f: F) -> Result<(), StoreError>
    where
        F: Fn(&mut SledTxn<'_>) -> Result<(), TxnError<UnabortableTransactionError>> + Send + 'static,
    {
        let db = self.db.clone();
        let flush = self.durability == Durability::Flushed;
        tokio::task::spawn_blocking(move || {
            db.transaction(|tx| {
                f(&mut SledTxn(tx)).map_err(|e| match e {
                    TxnError::Store(e) => ConflictableTransactionError::Abort(e),
                    TxnError::Backend(e) => e.into(),
                })
            })
            .map_err(|e| match e {
                TransactionError::Abort(e) => e,
                TransactionError::Storage(e) => backend(e),
            })?;
            if flush {
                db.flush().map_err(backend)?;
            }
            Ok(())
        })
        .await
        .map_err(backend)?
    }
}

/// Why the sweep of pending blob data failed.
enum Swept {
    Sled(sled::Error),
    Corrupt(StoreError),
}

/// Removes the chunks of every data id marked pending, then the marks: uploads cut by a
/// crash, and the leftovers of deleted or duplicate blobs whose cleanup was cut. Flushed, so
/// it is done once. Runs before the store is handed out: no writer is running.
fn sweep_pending(db: &sled::Db) -> Result<(), Swept> {
    let marks = db.scan_prefix(kv::BLOB_PENDING_PREFIX).keys().collect::<Result<Vec<_>, _>>().map_err(Swept::Sled)?;
    for mark in &marks {
        let data = kv::blob_pending_data(mark).map_err(Swept::Corrupt)?;
        remove_chunks(db, data).map_err(Swept::Sled)?;
        db.remove(mark).map_err(Swept::Sled)?;
    }
    if !marks.is_empty() {
        db.flush().map_err(Swept::Sled)?;
    }
    Ok(())
}

/// Removes every chunk stored under a data id (not flushed).
fn remove_chunks(db: &sled::Db, data: Id) -> sled::Result<()> {
    for key in db.scan_prefix(kv::blob_chunk_prefix(data)).keys() {
        db.remove(key?)?;
    }
    Ok(())
}

/// Now, to the microsecond (what a blob header keeps).
fn now_micros() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("now is in range")
}

fn blob_error(reason: &str) -> StoreError {
    backend(std::io::Error::other(reason.to_owned()))
}

/// Why a blob transaction failed: sled, or a header that cannot be read.
fn txn_result<T>(r: Result<T, TransactionError<StoreError>>) -> Result<T, StoreError> {
    r.map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => backend(e),
    })
}

/// A blob being written: its chunks go into the tree as they fill, under a fresh data id
/// marked pending (`p:`), so nothing of it is readable — and a crash leaves only what the
/// next open sweeps away — until the commit's transaction writes the header.
struct SledBlobWriter {
    db: sled::Db,
    flush: bool,
    data: Id,
    buffer: BlobBuffer,
    /// Number of the next chunk to store.
    next: u32,
    /// Set, under the lock, when the writer is discarded: a chunk write still running on
    /// the blocking pool (its `write` was cancelled) then stores nothing, so no chunk
    /// outlives the discard without its pending mark.
    discarded: Arc<Mutex<bool>>,
    /// A `write` did not finish (cancelled, or sled failed): which chunks are stored is
    /// unknown, so the writer can only be dropped.
    broken: bool,
    /// The header is written (or the blob was already stored): nothing to discard.
    committed: bool,
}

impl SledBlobWriter {
    /// Removes the chunks written so far, then the pending mark. Best effort: whatever an
    /// error leaves is still marked, and swept at the next open.
    fn discard(&self) {
        let mut discarded = self.discarded.lock().unwrap_or_else(PoisonError::into_inner);
        *discarded = true;
        if remove_chunks(&self.db, self.data).is_ok() {
            let _ = self.db.remove(kv::blob_pending_key(self.data));
        }
    }

    /// Stores the last chunk and writes the header (on the blocking pool). On an error
    /// before the header is written, dropping `self` discards the chunks.
    fn finish(mut self: Box<Self>) -> Result<BlobInfo, StoreError> {
        if self.broken {
            return Err(blob_error("a write to this blob did not finish; start again"));
        }
        let (hash, size, last) = std::mem::take(&mut self.buffer).finish();
        if let Some(last) = last {
            self.db.insert(kv::blob_chunk_key(self.data, self.next), last).map_err(backend)?;
        }
        let key = kv::blob_key(hash);
        let pending = kv::blob_pending_key(self.data);
        let data = self.data;
        let (header, ours) = txn_result(self.db.transaction(|tx| {
            let now = now_micros();
            match tx.get(&key)? {
                // Already stored: renew it; our chunks are left pending, removed below.
                Some(old) => {
                    let mut header = BlobHeader::decode(&key, &old).map_err(ConflictableTransactionError::Abort)?;
                    header.stored_at = header.stored_at.max(now);
                    tx.insert(key.as_slice(), &header.encode()[..])?;
                    Ok((header, false))
                }
                None => {
                    let header = BlobHeader { data, size, stored_at: now };
                    tx.insert(key.as_slice(), &header.encode()[..])?;
                    tx.remove(pending.as_slice())?;
                    Ok((header, true))
                }
            }
        }))?;
        if !ours {
            self.discard();
        }
        self.committed = true;
        if self.flush {
            self.db.flush().map_err(backend)?;
        }
        Ok(header.info(hash))
    }
}

impl Drop for SledBlobWriter {
    fn drop(&mut self) {
        if !self.committed {
            self.discard();
        }
    }
}

#[async_trait]
impl BlobWriter for SledBlobWriter {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        if self.broken {
            return Err(blob_error("a write to this blob did not finish; start again"));
        }
        let chunks = self.buffer.push(bytes);
        if chunks.is_empty() {
            return Ok(());
        }
        let first = self.next;
        self.next = u32::try_from(chunks.len())
            .ok()
            .and_then(|n| first.checked_add(n))
            .ok_or_else(|| blob_error("the blob is too large"))?;
        let (db, data, discarded) = (self.db.clone(), self.data, self.discarded.clone());
        self.broken = true;
        tokio::task::spawn_blocking(move || {
            let discarded = discarded.lock().unwrap_or_else(PoisonError::into_inner);
            if *discarded {
                return Ok(());
            }
            for (n, chunk) in (first..).zip(chunks) {
                db.insert(kv::blob_chunk_key(data, n), chunk).map_err(backend)?;
            }
            Ok(())
        })
        .await
        .map_err(backend)??;
        self.broken = false;
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<BlobInfo, StoreError> {
        tokio::task::spawn_blocking(move || self.finish()).await.map_err(backend)?
    }
}

struct View<'a>(&'a sled::Tree);

impl KvRead for View<'_> {
    type Bytes = IVec;

    fn get(&self, key: &[u8]) -> Result<Option<IVec>, StoreError> {
        self.0.get(key).map_err(backend)
    }

    fn scan<'b>(&'b self, lo: &[u8], hi: &[u8]) -> Entries<'b, IVec> {
        Box::new(self.0.range(lo.to_vec()..hi.to_vec()).map(|r| r.map_err(backend)))
    }

    fn scan_rev<'b>(&'b self, lo: &[u8], hi: &[u8]) -> Entries<'b, IVec> {
        Box::new(self.0.range(lo.to_vec()..hi.to_vec()).rev().map(|r| r.map_err(backend)))
    }
}

struct SledTxn<'a>(&'a TransactionalTree);

impl KvTxn for SledTxn<'_> {
    type Error = UnabortableTransactionError;

    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, Self::Error> {
        Ok(self.0.get(key)?.map(|v| v.to_vec()))
    }

    fn insert(&mut self, key: &[u8], value: &[u8]) -> Result<(), Self::Error> {
        self.0.insert(key, value).map(drop)
    }

    fn remove(&mut self, key: &[u8]) -> Result<(), Self::Error> {
        self.0.remove(key).map(drop)
    }
}

#[async_trait]
impl Store for SledStore {
    async fn put_logged(&self, record: Record, log: WriteLog) -> Result<(), StoreError> {
        self.write(move |tx| kv::put(tx, &record, &log)).await
    }

    async fn put_history(&self, versions: Vec<Record>) -> Result<(), StoreError> {
        self.write(move |tx| kv::put_history(tx, &versions)).await
    }

    async fn all(&self, after: Option<Id>, limit: usize) -> Result<Vec<Record>, StoreError> {
        kv::all(&View(&self.db), after, limit)
    }

    async fn delete_logged(&self, id: Id, expected_version: u64, log: WriteLog) -> Result<(), StoreError> {
        self.write(move |tx| kv::delete(tx, id, expected_version, &log)).await
    }

    async fn append_log(&self, log: WriteLog) -> Result<(), StoreError> {
        self.write(move |tx| kv::append_log(tx, &log)).await
    }

    async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        kv::audit(&View(&self.db), query)
    }

    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.remove_found(move |v| kv::expired_audit(v, before)).await
    }

    async fn due_deliveries(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        kv::due_deliveries(&View(&self.db), now, limit)
    }

    async fn update_delivery(&self, delivery: Delivery) -> Result<(), StoreError> {
        self.write(move |tx| kv::update_delivery(tx, &delivery)).await
    }

    async fn deliveries(&self, endpoint: Id, before: Option<Id>, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        kv::deliveries(&View(&self.db), endpoint, before, limit)
    }

    async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.remove_found(move |v| kv::expired_deliveries(v, before)).await
    }

    async fn get(&self, id: Id) -> Result<Option<Record>, StoreError> {
        kv::get(&View(&self.db), id)
    }

    async fn find_slug(&self, kind: &str, locale: &str, slug: &str) -> Result<Option<Record>, StoreError> {
        kv::find_slug(&View(&self.db), kind, locale, slug)
    }

    async fn translations(&self, source: Id) -> Result<Vec<Record>, StoreError> {
        kv::translations(&View(&self.db), source)
    }

    async fn list(&self, query: &ListQuery) -> Result<RecordPage, StoreError> {
        kv::list(&View(&self.db), query)
    }

    async fn revisions(&self, id: Id) -> Result<Vec<Record>, StoreError> {
        kv::revisions(&View(&self.db), id)
    }

    async fn revision(&self, id: Id, version: u64) -> Result<Option<Record>, StoreError> {
        kv::revision(&View(&self.db), id, version)
    }

    async fn blob_writer(&self) -> Result<Box<dyn BlobWriter>, StoreError> {
        let data = Id::new();
        // The mark goes in before any chunk; it needs no flush of its own: a chunk that
        // reaches the disk is behind it in sled's log.
        self.db.insert(kv::blob_pending_key(data), IVec::default()).map_err(backend)?;
        Ok(Box::new(SledBlobWriter {
            db: self.db.clone(),
            flush: self.durability == Durability::Flushed,
            data,
            buffer: BlobBuffer::new(),
            next: 0,
            discarded: Arc::new(Mutex::new(false)),
            broken: false,
            committed: false,
        }))
    }

    async fn blob(&self, hash: BlobHash) -> Result<Option<BlobInfo>, StoreError> {
        let key = kv::blob_key(hash);
        let header = self.db.get(&key).map_err(backend)?;
        header.map(|h| Ok(BlobHeader::decode(&key, &h)?.info(hash))).transpose()
    }

    async fn read_blob(&self, hash: BlobHash, offset: u64, len: usize) -> Result<Option<Vec<u8>>, StoreError> {
        let db = self.db.clone();
        // Chunks may come from disk (sled keeps values this large in files of their own).
        tokio::task::spawn_blocking(move || read_blob(&db, hash, offset, len)).await.map_err(backend)?
    }

    async fn blobs(&self, after: Option<BlobHash>, limit: usize) -> Result<Vec<BlobInfo>, StoreError> {
        let (lo, hi) = kv::blob_range(after);
        self.db
            .range(lo..hi)
            .take(limit)
            .map(|entry| {
                let (key, value) = entry.map_err(backend)?;
                Ok(BlobHeader::decode(&key, &value)?.info(kv::blob_hash(&key)?))
            })
            .collect()
    }

    async fn delete_blob(&self, hash: BlobHash, stored_before: DateTime<Utc>) -> Result<bool, StoreError> {
        let db = self.db.clone();
        let flush = self.durability == Durability::Flushed;
        tokio::task::spawn_blocking(move || {
            let key = kv::blob_key(hash);
            // The header goes and the chunks are marked pending in one step, so a crash
            // before they are removed leaves them to the next open's sweep.
            let data = txn_result(db.transaction(|tx| {
                let Some(bytes) = tx.get(&key)? else { return Ok(None) };
                let header = BlobHeader::decode(&key, &bytes).map_err(ConflictableTransactionError::Abort)?;
                if header.stored_at >= stored_before {
                    return Ok(None);
                }
                tx.remove(key.as_slice())?;
                tx.insert(kv::blob_pending_key(header.data), IVec::default())?;
                Ok(Some(header.data))
            }))?;
            let Some(data) = data else { return Ok(false) };
            // The blob is gone; should removing its chunks fail, the mark keeps them for the sweep.
            if remove_chunks(&db, data).is_ok() {
                let _ = db.remove(kv::blob_pending_key(data));
            }
            if flush {
                db.flush().map_err(backend)?;
            }
            Ok(true)
        })
        .await
        .map_err(backend)?
    }
}

/// [`Store::read_blob`] (on the blocking pool). Sled reads are not one snapshot: a chunk
/// missing because the blob was deleted (or deleted and stored again) meanwhile is read
/// again from the header.
fn read_blob(db: &sled::Db, hash: BlobHash, offset: u64, len: usize) -> Result<Option<Vec<u8>>, StoreError> {
    let key = kv::blob_key(hash);
    let mut previous: Option<Id> = None;
    loop {
        let Some(bytes) = db.get(&key).map_err(backend)? else { return Ok(None) };
        let header = BlobHeader::decode(&key, &bytes)?;
        let Some((first, last, skip)) = chunk_span(header.size, offset, len) else { return Ok(Some(Vec::new())) };
        let span = usize::try_from(last - first + 1).unwrap_or(usize::MAX).saturating_mul(BLOB_CHUNK);
        let mut joined = Vec::with_capacity(span.min(skip.saturating_add(len)));
        let mut missing = None;
        for n in first..=last {
            let chunk_key = kv::blob_chunk_key(header.data, u32::try_from(n).unwrap_or(u32::MAX));
            match db.get(&chunk_key).map_err(backend)? {
                Some(chunk) => joined.extend_from_slice(&chunk),
                None => {
                    missing = Some(chunk_key);
                    break;
                }
            }
        }
        match missing {
            None => return Ok(Some(clip_span(joined, skip, len))),
            // The same data twice: not a race, the chunk is gone.
            Some(chunk_key) if previous == Some(header.data) => {
                return Err(StoreError::Corrupt {
                    key: kv::describe_key(&chunk_key),
                    reason: format!("{} bytes long blob {hash} lacks this chunk", header.size),
                })
            }
            Some(_) => previous = Some(header.data),
        }
    }
}
