//! A small cache of rendered responses for the frontends (API and site), so hot pages are
//! served without touching the store.
//!
//! An entry is current while the Cms's write [`generation`](crate::Cms::generation) is the
//! one it was made at — any write through the service makes every entry stale at once —
//! and for at most the cache's time to live, which bounds how late a scheduled item or an
//! "open now" badge can be.
//!
//! The cache is bounded twice: by entries and by bytes (keys plus bodies), so anonymous
//! requests with long URLs cannot grow it past its budget. Stale entries (older
//! generation or past their time) are dropped whenever room is needed and whenever a
//! newer generation is first stored; when current entries fill it, the oldest go first.

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

/// Bytes an entry costs beside its key, ETag and body (map slot, bookkeeping).
const ENTRY_OVERHEAD: usize = 128;

/// What an entry counts against the byte budget.
fn cost(key: &str, etag: &str, body: &impl AsRef<[u8]>) -> usize {
    key.len() + etag.len() + body.as_ref().len() + ENTRY_OVERHEAD
}

#[derive(Debug)]
struct Entries<V> {
    map: HashMap<String, Cached<V>>,
    bytes: usize,
    newest_generation: u64,
}

/// Rendered responses by key (a normalised form of what the response depends on).
#[derive(Debug)]
pub struct ResponseCache<V> {
    entries: Mutex<Entries<V>>,
    capacity: usize,
    max_bytes: usize,
    ttl: Duration,
}

impl<V: Clone + AsRef<[u8]>> ResponseCache<V> {
    /// A cache of at most `capacity` entries and `max_bytes` bytes of keys and bodies
    /// (either 0: off), each living at most `ttl`.
    pub fn new(capacity: usize, max_bytes: usize, ttl: Duration) -> Self {
        let entries = Entries { map: HashMap::new(), bytes: 0, newest_generation: 0 };
        Self { entries: Mutex::new(entries), capacity, max_bytes, ttl }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<V>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn enabled(&self) -> bool {
        self.capacity > 0 && self.max_bytes > 0
    }

    /// The entry for `key` if it is still current.
    pub fn get(&self, key: &str, generation: u64) -> Option<Cached<V>> {
        if !self.enabled() {
            return None;
        }
        let entries = self.lock();
        entries.map.get(key).filter(|c| c.generation == generation && c.made.elapsed() < self.ttl).cloned()
    }

    /// Stores a value made at `generation` (read the generation *before* reading the store,
    /// so a write racing with the rendering leaves the entry stale). An entry bigger than
    /// the whole budget is not kept.
    pub fn put(&self, key: String, generation: u64, etag: String, body: V) {
        let cost = cost(&key, &etag, &body);
        if !self.enabled() || cost > self.max_bytes {
            return;
        }
        let mut entries = self.lock();
        if generation > entries.newest_generation {
            // Everything made before this write is dead: free it now, not at the next miss.
            entries.newest_generation = generation;
            self.evict_stale(&mut entries);
        }
        if let Some(old) = entries.map.remove(&key) {
            entries.bytes -= Self::cost_of(&key, &old);
        }
        if entries.map.len() >= self.capacity || entries.bytes + cost > self.max_bytes {
            self.evict_stale(&mut entries);
        }
        if entries.map.len() >= self.capacity || entries.bytes + cost > self.max_bytes {
            // Still full of current entries: the oldest go first, never all at once (a flood
            // of distinct URLs must not empty the cache of the pages everyone reads).
            let mut by_age: Vec<(Instant, String)> = entries.map.iter().map(|(k, c)| (c.made, k.clone())).collect();
            by_age.sort_unstable();
            for (_, key) in by_age {
                if entries.map.len() < self.capacity && entries.bytes + cost <= self.max_bytes {
                    break;
                }
                if let Some(old) = entries.map.remove(&key) {
                    entries.bytes -= Self::cost_of(&key, &old);
                }
            }
        }
        entries.bytes += cost;
        entries.map.insert(key, Cached { etag, body, generation, made: Instant::now() });
    }

    fn cost_of(key: &str, c: &Cached<V>) -> usize {
        cost(key, &c.etag, &c.body)
    }

    fn evict_stale(&self, entries: &mut Entries<V>) {
        let (newest, ttl) = (entries.newest_generation, self.ttl);
        let mut freed = 0;
        entries.map.retain(|key, c| {
            let keep = c.generation == newest && c.made.elapsed() < ttl;
            if !keep {
                freed += Self::cost_of(key, c);
            }
            keep
        });
        entries.bytes -= freed;
    }

    /// Entries and bytes held now (for tests and metrics).
    pub fn usage(&self) -> (usize, usize) {
        let entries = self.lock();
        (entries.map.len(), entries.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> Vec<u8> {
        vec![b'x'; n]
    }

    #[test]
    fn entries_go_stale_with_the_generation_and_the_ttl() {
        let cache = ResponseCache::new(2, 1 << 20, Duration::from_millis(50));
        cache.put("a".into(), 1, "\"1\"".into(), body(10));
        assert_eq!(cache.get("a", 1).map(|c| c.body.len()), Some(10));
        assert!(cache.get("a", 2).is_none(), "a later write makes it stale");
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get("a", 1).is_none(), "too old");
        let off = ResponseCache::new(0, 1 << 20, Duration::from_secs(1));
        off.put("a".into(), 1, String::new(), body(1));
        assert!(off.get("a", 1).is_none());
    }

    #[test]
    fn bytes_are_bounded_and_stale_entries_are_freed() {
        let cache = ResponseCache::new(1000, 10_000, Duration::from_secs(60));
        for i in 0..100 {
            cache.put(format!("k{i}"), 1, String::new(), body(1_000));
            assert!(cache.usage().1 <= 10_000, "over budget after {i}: {:?}", cache.usage());
        }
        cache.put("huge".into(), 1, String::new(), body(20_000));
        assert!(cache.get("huge", 1).is_none(), "bigger than the budget: not kept");
        let key = "q".repeat(64 * 1024);
        cache.put(key.clone(), 1, String::new(), body(1));
        assert!(cache.get(&key, 1).is_none(), "a long key counts too");
        cache.put("new".into(), 2, String::new(), body(10));
        assert_eq!(cache.usage().0, 1, "a newer generation frees the older entries");
    }

    #[test]
    fn when_full_the_oldest_entries_make_room() {
        let cache = ResponseCache::new(3, 1 << 20, Duration::from_secs(60));
        for key in ["a", "b", "c", "d"] {
            cache.put(key.into(), 1, String::new(), body(1));
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(cache.get("a", 1).is_none(), "the oldest made room");
        assert!(["b", "c", "d"].iter().all(|k| cache.get(k, 1).is_some()), "the rest stay");
    }
}
