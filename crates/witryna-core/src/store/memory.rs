use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{PoisonError, RwLock};

use async_trait::async_trait;

use super::kv::{self, Entries, KvRead, KvTxn, TxnError};
use super::{ListQuery, RecordPage, Store, StoreError};
use crate::record::{Id, Record};

type Map = BTreeMap<Vec<u8>, Vec<u8>>;

/// A store in memory: for tests, previews and small embedded uses.
///
/// It keeps the same ordered layout as the sled backend ([`kv`]) in a `BTreeMap` behind a
/// lock, so it follows the [`Store`] contract exactly; data lives as long as the value.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RwLock<Map>,
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

    fn write(&self, f: impl FnOnce(&mut Txn<'_>) -> Result<(), TxnError<Infallible>>) -> Result<(), StoreError> {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        f(&mut Txn(&mut map)).map_err(|e| match e {
            TxnError::Store(e) => e,
            TxnError::Backend(never) => match never {},
        })
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
    async fn put(&self, record: Record) -> Result<(), StoreError> {
        self.write(|tx| kv::put(tx, &record))
    }

    async fn put_history(&self, versions: Vec<Record>) -> Result<(), StoreError> {
        self.write(|tx| kv::put_history(tx, &versions))
    }

    async fn all(&self, after: Option<Id>, limit: usize) -> Result<Vec<Record>, StoreError> {
        self.read(|v| kv::all(v, after, limit))
    }

    async fn delete(&self, id: Id, expected_version: u64) -> Result<(), StoreError> {
        self.write(|tx| kv::delete(tx, id, expected_version))
    }

    async fn get(&self, id: Id) -> Result<Option<Record>, StoreError> {
        self.read(|v| kv::get(v, id))
    }

    async fn find_slug(&self, kind: &str, locale: &str, slug: &str) -> Result<Option<Record>, StoreError> {
        self.read(|v| kv::find_slug(v, kind, locale, slug))
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
}
