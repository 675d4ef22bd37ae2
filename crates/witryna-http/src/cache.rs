//! A small cache of public read responses (lists and items), so hot pages are served
//! without touching the store.
//!
//! An entry is current while the Cms's write [`generation`](witryna_core::Cms::generation)
//! is the one it was made at — any write through this service makes every entry stale at
//! once — and for at most [`ApiConfig::public_cache_ttl`](crate::ApiConfig) (default 1 s),
//! which bounds how late a scheduled item appears in a cached list.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;

/// A cached response body with its ETag.
#[derive(Clone)]
pub(crate) struct Cached {
    pub(crate) etag: String,
    pub(crate) body: Bytes,
    generation: u64,
    made: Instant,
}

pub(crate) struct ResponseCache {
    entries: Mutex<HashMap<String, Cached>>,
    capacity: usize,
    ttl: Duration,
}

impl ResponseCache {
    pub(crate) fn new(capacity: usize, ttl: Duration) -> Self {
        Self { entries: Mutex::new(HashMap::new()), capacity, ttl }
    }

    /// The entry for `key` if it is still current.
    pub(crate) fn get(&self, key: &str, generation: u64) -> Option<Cached> {
        if self.capacity == 0 {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).filter(|c| c.generation == generation && c.made.elapsed() < self.ttl).cloned()
    }

    /// Stores a response made at `generation`. When full, the cache starts over: simple,
    /// and the hot entries come back at once.
    pub(crate) fn put(&self, key: String, generation: u64, etag: String, body: Bytes) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, Cached { etag, body, generation, made: Instant::now() });
    }
}
