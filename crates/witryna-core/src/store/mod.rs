//! The storage contract: the [`Store`] trait every backend implements, its errors and
//! queries, the ordered key-value layout shared by key-value backends ([`kv`]), and the
//! in-memory backend ([`MemoryStore`]).

pub mod blob;
pub mod kv;
mod memory;

pub use blob::{BlobHash, BlobInfo, BlobWriter};
pub use memory::MemoryStore;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::{AuditEntry, AuditQuery, Delivery, WriteLog};
use crate::record::{Id, Record, Status};

/// A store shared between tasks.
pub type DynStore = Arc<dyn Store>;

/// What can go wrong in a store. Backends map their own failures to `Backend`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No item with this id.
    #[error("no item with id {id}")]
    NotFound {
        /// The id asked for.
        id: Id,
    },
    /// The item is not at the version the write expected (0 = absent).
    #[error("version conflict on {id}: expected version {expected}, found {actual}")]
    Conflict {
        /// The item.
        id: Id,
        /// The version the writer based its change on.
        expected: u64,
        /// The version in the store (0 when absent).
        actual: u64,
    },
    /// The slug belongs to another item of the same kind and locale.
    #[error("slug {slug:?} ({kind}, {locale}) is taken by item {owner}")]
    SlugTaken {
        /// Kind.
        kind: String,
        /// Locale.
        locale: String,
        /// The slug.
        slug: String,
        /// The item it belongs to.
        owner: Id,
    },
    /// The source already has a translation into this locale: another item.
    #[error("item {group} already has a {locale} translation: item {owner}")]
    TranslationTaken {
        /// The source item (the group).
        group: Id,
        /// The locale.
        locale: String,
        /// The translation that holds the place.
        owner: Id,
    },
    /// A write that breaks the contract (e.g. changes an item's kind).
    #[error("invalid write: {0}")]
    InvalidWrite(String),
    /// A stored value that cannot be read.
    #[error("corrupt data at {key}: {reason}")]
    Corrupt {
        /// The key (printable form).
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The store was written by a newer version of Witryna.
    #[error("the store has schema version {found}, newer than the {supported} this build supports; upgrade Witryna")]
    SchemaTooNew {
        /// Version stamped in the store.
        found: u32,
        /// Highest version this build reads.
        supported: u32,
    },
    /// A failure of the backend itself (I/O, connection...).
    #[error("{backend} backend: {source}")]
    Backend {
        /// Backend name (`sled`, `postgres`).
        backend: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// A position in a list: the sort time and id of the last item returned.
///
/// Keyset pagination: the next page starts strictly after this position, so items added
/// meanwhile neither repeat nor shift what comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Sort time of the last item, microseconds since the Unix epoch.
    pub sort_micros: i64,
    /// Id of the last item.
    pub id: Id,
}

impl Cursor {
    /// The opaque text form used in URLs: `<micros hex>.<id hex>`.
    pub fn encode(&self) -> String {
        format!("{:x}.{}", self.sort_micros, self.id.0.simple())
    }

    /// Parses [`Cursor::encode`]'s form, and only that: one text per cursor (no leading
    /// zeros, `+` or other UUID spellings), so a client cannot make endless distinct URLs
    /// — and cache entries — for one page.
    pub fn decode(s: &str) -> Option<Cursor> {
        let (t, id) = s.split_once('.')?;
        // `encode` writes the two's complement of times before 1970: read it back the same way.
        let sort_micros = u64::from_str_radix(t, 16).ok()? as i64;
        let id = uuid::Uuid::try_parse(id).ok()?;
        let cursor = Cursor { sort_micros, id: Id(id) };
        (cursor.encode() == s).then_some(cursor)
    }
}

#[cfg(test)]
mod cursor_tests {
    use super::*;

    #[test]
    fn cursors_have_one_text_each() {
        for micros in [0, 1_700_000_000_000_000, -86_400_000_000] {
            let c = Cursor { sort_micros: micros, id: Id::new() };
            assert_eq!(Cursor::decode(&c.encode()), Some(c), "{micros}");
            let text = c.encode();
            let (t, id) = text.split_once('.').unwrap();
            for variant in [format!("0{t}.{id}"), format!("+{t}.{id}"), format!("{t}.{}", c.id.0.hyphenated())] {
                assert_eq!(Cursor::decode(&variant), None, "{variant}");
            }
        }
    }
}

/// A list query: one kind and locale, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Kind to list.
    pub kind: String,
    /// Locale to list.
    pub locale: String,
    /// Only items in this status.
    pub status: Option<Status>,
    /// Only items with this (normalised) tag.
    pub tag: Option<String>,
    /// Only items whose sort time is at or after this.
    pub from: Option<DateTime<Utc>>,
    /// Only items whose sort time is at or before this.
    pub until: Option<DateTime<Utc>>,
    /// Continue after this position.
    pub after: Option<Cursor>,
    /// At most this many records (at least 1 is used).
    pub limit: usize,
}

impl ListQuery {
    /// Every item of a kind and locale, 20 to a page.
    pub fn new(kind: impl Into<String>, locale: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            locale: locale.into(),
            status: None,
            tag: None,
            from: None,
            until: None,
            after: None,
            limit: 20,
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPage {
    /// The records, newest first.
    pub records: Vec<Record>,
    /// Where the next page starts, if there is one.
    pub next: Option<Cursor>,
}

/// The storage contract.
///
/// # Contract
/// - **Versions.** `put(record)` with `record.meta.version == n` succeeds only if the stored
///   item is at version `n - 1` (absent for `n == 1`); otherwise [`StoreError::Conflict`]
///   with the stored version (0 when absent). So two writers from one version: one wins.
/// - **Atomic.** A put writes the record, its slug entries (current and previous slugs),
///   its list and tag index entries, and a copy of it as revision `n`, all or nothing.
///   Stale index entries of the previous version go in the same step.
/// - **Slugs.** Every slug of the record must be free or already this item's within its
///   kind and locale; otherwise [`StoreError::SlugTaken`] and nothing is written.
///   `kind` and `locale` of an item never change ([`StoreError::InvalidWrite`]).
/// - **Translation groups.** A record whose `meta.translation_of` names a source holds the
///   source's place for its locale: one translation per source and locale, otherwise
///   [`StoreError::TranslationTaken`] and nothing is written. Linking, relinking or
///   unlinking (`translation_of` set, changed, cleared) is a put of the translation alone;
///   deleting it frees its place. No write of one member touches another: deleting a
///   source leaves its translations as they are (still naming it). The store does not
///   check that a source exists or is of the same kind — the [`Cms`](crate::Cms) does.
/// - **Durable.** When a write returns `Ok`, it survives a crash, unless the backend was
///   opened in a documented relaxed mode.
/// - **Delete** of an absent id is [`StoreError::NotFound`]; with the wrong version,
///   [`StoreError::Conflict`]. It removes the item, its slugs, index entries and revisions.
/// - **Reads** by id and by slug are point lookups, never scans. `find_slug` answers the
///   item that owns the slug, current or previous (the caller compares to redirect).
/// - **History import.** `put_history(versions)` writes an absent item with all its
///   versions `1..=n` at once (revision copies of each, the last one current, its slugs and
///   index entries) — the import path; the same checks as `put`, all or nothing.
/// - **All items** (`all`) come in id order, a page at a time, for export and reindexing.
/// - **Lists** are newest first by [`Meta::sort_time`](crate::Meta::sort_time), then by id;
///   `from`/`until` bound the sort time inclusively; pages never repeat an item.
/// - **Blobs** ([`blob`]) are named by the SHA-256 the backend computes while they are
///   written. Nothing of a blob is readable before its commit returns; then all of it is,
///   durably. An uncommitted writer (dropped, or cut by a crash) leaves nothing behind once
///   the store is reopened. Storing bytes already present keeps one copy and renews its
///   `stored_at`. `delete_blob` removes a blob only when it was stored before the given time,
///   so a blob stored again while a collection runs survives it. `blobs` lists in hash order.
/// - **Logs** ([`audit`](crate::audit)). `put_logged` and `delete_logged` store their
///   [`WriteLog`] in the same atomic step as the write: a refused write logs nothing, an
///   acknowledged one has its entry and deliveries. `append_log` stores a log alone. Audit
///   entries are numbered by the store in append order (`seq` 1, 2, 3 … with no number used
///   twice) and never change; the only removal is `prune_audit` (retention).
///   `audit` reads newest first (highest `seq`) with the query's filters, continuing below
///   `before`. Deliveries are changed only by `update_delivery` (it must exist and keep
///   its endpoint); `due_deliveries` answers pending ones whose `next_at` has come, oldest
///   due first; `deliveries` lists an endpoint's newest first, continuing below `before`;
///   `prune_deliveries` removes finished ones (no `next_at`) created before a time.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Writes version `record.meta.version` of an item and, in the same atomic step, its
    /// log (see the contract).
    async fn put_logged(&self, record: Record, log: WriteLog) -> Result<(), StoreError>;

    /// [`Store::put_logged`] with nothing to log.
    async fn put(&self, record: Record) -> Result<(), StoreError> {
        self.put_logged(record, WriteLog::none()).await
    }

    /// Writes an absent item with its whole history, versions `1..=n` in order (see the
    /// contract). An existing id is a [`StoreError::Conflict`] with `expected: 0`.
    async fn put_history(&self, versions: Vec<Record>) -> Result<(), StoreError>;

    /// Current records of every kind in id order, after `after`, at most `limit`.
    async fn all(&self, after: Option<Id>, limit: usize) -> Result<Vec<Record>, StoreError>;

    /// Deletes an item that is at `expected_version`, with all its revisions, and stores
    /// its log in the same atomic step.
    async fn delete_logged(&self, id: Id, expected_version: u64, log: WriteLog) -> Result<(), StoreError>;

    /// [`Store::delete_logged`] with nothing to log.
    async fn delete(&self, id: Id, expected_version: u64) -> Result<(), StoreError> {
        self.delete_logged(id, expected_version, WriteLog::none()).await
    }

    /// Stores a log that goes with no item write (a login, an import's summary).
    async fn append_log(&self, log: WriteLog) -> Result<(), StoreError>;

    /// Audit entries, newest first, filtered (see [`AuditQuery`]).
    async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;

    /// Removes the audit entries made before `before` (retention); answers how many.
    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Pending deliveries due at `now`, the longest due first, at most `limit`.
    async fn due_deliveries(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Delivery>, StoreError>;

    /// Replaces a stored delivery (after an attempt); absent → [`StoreError::NotFound`].
    async fn update_delivery(&self, delivery: Delivery) -> Result<(), StoreError>;

    /// An endpoint's deliveries, newest first, older than `before` when given.
    async fn deliveries(&self, endpoint: Id, before: Option<Id>, limit: usize) -> Result<Vec<Delivery>, StoreError>;

    /// Removes finished deliveries created before `before`; answers how many.
    async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// The current version of an item.
    async fn get(&self, id: Id) -> Result<Option<Record>, StoreError>;

    /// The item owning a slug (current or previous) within a kind and locale.
    async fn find_slug(&self, kind: &str, locale: &str, slug: &str) -> Result<Option<Record>, StoreError>;

    /// The current translations of a source item (those naming it in `translation_of`),
    /// in locale order; empty when it has none.
    async fn translations(&self, source: Id) -> Result<Vec<Record>, StoreError>;

    /// A page of a list.
    async fn list(&self, query: &ListQuery) -> Result<RecordPage, StoreError>;

    /// Every stored version of an item, oldest first (empty when absent).
    async fn revisions(&self, id: Id) -> Result<Vec<Record>, StoreError>;

    /// One stored version of an item.
    async fn revision(&self, id: Id, version: u64) -> Result<Option<Record>, StoreError>;

    /// Starts writing a blob (see the contract).
    async fn blob_writer(&self) -> Result<Box<dyn BlobWriter>, StoreError>;

    /// What the store knows of a blob; `None` when it has no blob of that hash.
    async fn blob(&self, hash: BlobHash) -> Result<Option<BlobInfo>, StoreError>;

    /// Bytes `offset .. offset + len` of a blob, shorter at its end (empty past it); `None`
    /// when there is no such blob. Callers bound `len`: it sizes the answer.
    async fn read_blob(&self, hash: BlobHash, offset: u64, len: usize) -> Result<Option<Vec<u8>>, StoreError>;

    /// Blobs in hash order, after `after`, at most `limit` (export and collection).
    async fn blobs(&self, after: Option<BlobHash>, limit: usize) -> Result<Vec<BlobInfo>, StoreError>;

    /// Deletes a blob if it was (last) stored before `stored_before`; answers whether it did.
    async fn delete_blob(&self, hash: BlobHash, stored_before: DateTime<Utc>) -> Result<bool, StoreError>;
}
