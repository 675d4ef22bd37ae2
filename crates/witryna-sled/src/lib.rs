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
//! - The cache is bounded ([`SledOptions::cache_capacity`], 256 MiB by default, enough to
//!   keep about 100 000 news items hot; sled's own default is 1 GiB). A small site uses
//!   only what its data needs.
//! - The schema version is stamped on creation; a store written by a newer Witryna, a
//!   corrupt file or a folder locked by another process is a clear [`OpenError`].
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

use async_trait::async_trait;
use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};
use sled::IVec;
use witryna_core::record::{Id, Record};
use witryna_core::store::kv::{self, Entries, KvRead, KvTxn, TxnError};
use witryna_core::store::{ListQuery, RecordPage, Store, StoreError};

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
    pub cache_capacity: u64,
}

impl Default for SledOptions {
    fn default() -> Self {
        Self { durability: Durability::Flushed, cache_capacity: 256 * 1024 * 1024 }
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
        let db = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open()))
            .map_err(|panic| OpenError::Corrupt {
                path: path.to_path_buf(),
                reason: panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "sled could not read its files".into()),
            })?
            .map_err(|e| open_error(path, e))?;
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
    async fn put(&self, record: Record) -> Result<(), StoreError> {
        self.write(move |tx| kv::put(tx, &record)).await
    }

    async fn put_history(&self, versions: Vec<Record>) -> Result<(), StoreError> {
        self.write(move |tx| kv::put_history(tx, &versions)).await
    }

    async fn all(&self, after: Option<Id>, limit: usize) -> Result<Vec<Record>, StoreError> {
        kv::all(&View(&self.db), after, limit)
    }

    async fn delete(&self, id: Id, expected_version: u64) -> Result<(), StoreError> {
        self.write(move |tx| kv::delete(tx, id, expected_version)).await
    }

    async fn get(&self, id: Id) -> Result<Option<Record>, StoreError> {
        kv::get(&View(&self.db), id)
    }

    async fn find_slug(&self, kind: &str, locale: &str, slug: &str) -> Result<Option<Record>, StoreError> {
        kv::find_slug(&View(&self.db), kind, locale, slug)
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
}
