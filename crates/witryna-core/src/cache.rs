//! A small cache of rendered responses for the frontends (API and site), so hot pages are
//! served without touching the store.
//!
//! An entry is current while the Cms's write [`generation`](crate::Cms::generation) is the
//! one it was made at — any write through the service makes every entry stale at once —
//! and for at most the cache's time to live, which bounds how late a scheduled item or an
//! "open now" badge can be.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A cached value with its ETag.
#[derive(Debug, Clone)]
pub struct Cached<V> {
    /// The ETag sent with it.
    pub etag: String,
    /// The rendered response body.
    pub body: V,
    generation: u64,
    made: Instant,
}

/// Rendered responses by key (usually the URL and whatever else the output depends on).
#[derive(Debug)]
pub struct ResponseCache<V> {
    entries: Mutex<HashMap<String, Cached<V>>>,
    capacity: usize,
    ttl: Duration,
}

impl<V: Clone> ResponseCache<V> {
    /// A cache of at most `capacity` entries (0: off) living at most `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self { entries: Mutex::new(HashMap::new()), capacity, ttl }
    }

    /// The entry for `key` if it is still current.
    pub fn get(&self, key: &str, generation: u64) -> Option<Cached<V>> {
        if self.capacity == 0 {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).filter(|c| c.generation == generation && c.made.elapsed() < self.ttl).cloned()
    }

    /// Stores a value made at `generation` (read the generation *before* reading the store,
    /// so a write racing with the rendering leaves the entry stale). When full, the cache
    /// starts over: simple, and the hot entries come back at once.
    pub fn put(&self, key: String, generation: u64, etag: String, body: V) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_go_stale_with_the_generation_and_the_ttl() {
        let cache = ResponseCache::new(2, Duration::from_millis(50));
        cache.put("a".into(), 1, "\"1\"".into(), 10);
        assert_eq!(cache.get("a", 1).map(|c| c.body), Some(10));
        assert!(cache.get("a", 2).is_none(), "a later write makes it stale");
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get("a", 1).is_none(), "too old");
        let off = ResponseCache::new(0, Duration::from_secs(1));
        off.put("a".into(), 1, String::new(), 1);
        assert!(off.get("a", 1).is_none());
    }
}
