use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::blob::{BlobBuffer, BlobHash, BlobInfo, BlobWriter};
use super::kv::{self, Entries, KvRead, KvTxn, TxnError};
use super::{ListQuery, RecordPage, Store, StoreError};
use crate::audit::{AuditEntry, AuditQuery, Delivery, WriteLog};
use crate::record::{Id, Record};

type Map = BTreeMap<Vec<u8>, Vec<u8>>;
/// Each blob's bytes and `stored_at`.
type BlobMap = BTreeMap<BlobHash, (Arc<[u8]>, DateTime<Utc>)>;
type Blobs = Arc<RwLock<BlobMap>>;

/// A store in memory: for tests, previews and small embedded uses.
///
/// It keeps the same ordered layout as the sled backend ([`kv`]) in a `BTreeMap` behind a
/// lock, so it follows the [`Store`] contract exactly; data lives as long as the value.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RwLock<Map>,
    blobs: Blobs,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read<T>(&self, f: impl FnOnce(&View<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        // A panic while holding the lock cannot leave a half-applied write (writes are
        // applied only after every check), so a poisoned lock is still consistent.
        let map = self.map.read().unwrap_or_else(PoisonError::into_inner);
        f(&View(&map))
    }

    /// Removes the keys `find` names, under one lock; answers the count `find` gives.
    fn remove_found(
        &self,
        find: impl FnOnce(&View<'_>) -> Result<(Vec<Vec<u8>>, u64), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        let (keys, count) = find(&View(&map))?;
        for k in &keys {
            map.remove(k);
        }
        Ok(count)
    }

    fn write(&self, f: impl FnOnce(&mut Txn<'_>) -> Result<(), TxnError<Infallible>>) -> Result<(), StoreError> {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        f(&mut Txn(&mut map)).map_err(|e| match e {
            TxnError::Store(e) => e,
            TxnError::Backend(never) => match never {},
        })
    }
}

/// A blob being written: kept aside until commit.
struct MemoryBlobWriter {
    blobs: Blobs,
    buffer: BlobBuffer,
    bytes: Vec<u8>,
}

#[async_trait]
impl BlobWriter for MemoryBlobWriter {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        for chunk in self.buffer.push(bytes) {
            self.bytes.extend_from_slice(&chunk);
        }
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<BlobInfo, StoreError> {
        let MemoryBlobWriter { blobs, buffer, mut bytes } = *self;
        let (hash, size, last) = buffer.finish();
        bytes.extend(last.unwrap_or_default());
        let now = Utc::now();
        let mut map = blobs.write().unwrap_or_else(PoisonError::into_inner);
        let entry = map.entry(hash).or_insert_with(|| (bytes.into(), now));
        entry.1 = now;
        Ok(BlobInfo { hash, size, stored_at: now })
    }
}

impl MemoryStore {
    fn blob_map(&self) -> std::sync::RwLockReadGuard<'_, BlobMap> {
        self.blobs.read().unwrap_or_else(PoisonError::into_inner)
    }
}

struct View<'a>(&'a Map);

impl<'a> KvRead for View<'a> {
    type Bytes = &'a [u8];

    fn get(&self, key: &[u8]) -> Result<Option<&'a [u8]>, StoreError> {
        Ok(self.0.get(key).map(Vec::as_slice))
    }

    fn scan<'b>(&'b self, lo: &[u8], hi: &[u8]) -> Entries<'b, &'a [u8]> {
        Box::new(self.0.range(lo.to_vec()..hi.to_vec()).map(|(k, v)| Ok((k.as_slice(), v.as_slice()))))
    }

    fn scan_rev<'b>(&'b self, lo: &[u8], hi: &[u8]) -> Entries<'b, &'a [u8]> {
        Box::new(self.0.range(lo.to_vec()..hi.to_vec()).rev().map(|(k, v)| Ok((k.as_slice(), v.as_slice()))))
    }
}

struct Txn<'a>(&'a mut Map);

impl KvTxn for Txn<'_> {
    type Error = Infallible;

    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, Infallible> {
        Ok(self.0.get(key).cloned())
    }

    fn insert(&mut self, key: &[u8], value: &[u8]) -> Result<(), Infallible> {
        self.0.insert(key.to_vec(), value.to_vec());
        Ok(())
    }

    fn remove(&mut self, key: &[u8]) -> Result<(), Infallible> {
        self.0.remove(key);
        Ok(())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn put_logged(&self, record: Record, log: WriteLog) -> Result<(), StoreError> {
        self.write(|tx| kv::put(tx, &record, &log))
    }

    async fn put_history(&self, versions: Vec<Record>) -> Result<(), StoreError> {
        self.write(|tx| kv::put_history(tx, &versions))
    }

    async fn all(&self, after: Option<Id>, limit: usize) -> Result<Vec<Record>, StoreError> {
        self.read(|v| kv::all(v, after, limit))
    }

    async fn delete_logged(&self, id: Id, expected_version: u64, log: WriteLog) -> Result<(), StoreError> {
        self.write(|tx| kv::delete(tx, id, expected_version, &log))
    }

    async fn append_log(&self, log: WriteLog) -> Result<(), StoreError> {
        self.write(|tx| kv::append_log(tx, &log))
    }

    async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|v| kv::audit(v, query))
    }

    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.remove_found(|v| kv::expired_audit(v, before))
    }

    async fn due_deliveries(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.read(|v| kv::due_deliveries(v, now, limit))
    }

    async fn update_delivery(&self, delivery: Delivery) -> Result<(), StoreError> {
        self.write(|tx| kv::update_delivery(tx, &delivery))
    }

    async fn deliveries(&self, endpoint: Id, before: Option<Id>, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        self.read(|v| kv::deliveries(v, endpoint, before, limit))
    }

    async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.remove_found(|v| kv::expired_deliveries(v, before))
    }

    async fn get(&self, id: Id) -> Result<Option<Record>, StoreError> {
        self.read(|v| kv::get(v, id))
    }

    async fn find_slug(&self, kind: &str, locale: &str, slug: &str) -> Result<Option<Record>, StoreError> {
        self.read(|v| kv::find_slug(v, kind, locale, slug))
    }

    async fn translations(&self, source: Id) -> Result<Vec<Record>, StoreError> {
        self.read(|v| kv::translations(v, source))
    }

    async fn list(&self, query: &ListQuery) -> Result<RecordPage, StoreError> {
        self.read(|v| kv::list(v, query))
    }

    async fn revisions(&self, id: Id) -> Result<Vec<Record>, StoreError> {
        self.read(|v| kv::revisions(v, id))
    }

    async fn revision(&self, id: Id, version: u64) -> Result<Option<Record>, StoreError> {
        self.read(|v| kv::revision(v, id, version))
    }

    async fn blob_writer(&self) -> Result<Box<dyn BlobWriter>, StoreError> {
        Ok(Box::new(MemoryBlobWriter { blobs: self.blobs.clone(), buffer: BlobBuffer::new(), bytes: Vec::new() }))
    }

    async fn blob(&self, hash: BlobHash) -> Result<Option<BlobInfo>, StoreError> {
        Ok(self.blob_map().get(&hash).map(|(bytes, at)| BlobInfo { hash, size: bytes.len() as u64, stored_at: *at }))
    }

    async fn read_blob(&self, hash: BlobHash, offset: u64, len: usize) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.blob_map().get(&hash).map(|(bytes, _)| {
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
            bytes[start..start.saturating_add(len).min(bytes.len())].to_vec()
        }))
    }

    async fn blobs(&self, after: Option<BlobHash>, limit: usize) -> Result<Vec<BlobInfo>, StoreError> {
        use std::ops::Bound::{Excluded, Unbounded};
        let map = self.blob_map();
        let lower = after.map_or(Unbounded, Excluded);
        Ok(map
            .range((lower, Unbounded))
            .take(limit)
            .map(|(hash, (bytes, at))| BlobInfo { hash: *hash, size: bytes.len() as u64, stored_at: *at })
            .collect())
    }

    async fn delete_blob(&self, hash: BlobHash, stored_before: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut map = self.blobs.write().unwrap_or_else(PoisonError::into_inner);
        let stale = map.get(&hash).is_some_and(|(_, at)| *at < stored_before);
        if stale {
            map.remove(&hash);
        }
        Ok(stale)
    }
}
