//! Counting failed logins, so guessing is slowed without locking the real user out for
//! good: a key (a client address, an account) that fails more than `max_failures` times
//! within `window` is refused until that window ends, then starts afresh.
//!
//! Counts live in the memory of one server (several servers each count their own; the
//! limits are per server). At most `max_keys` keys are tracked: when full, expired windows
//! are swept (at most once a second) and new keys are not tracked until there is room, so
//! a flood of addresses cannot grow the map.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failure counts per key in fixed windows.
#[derive(Debug)]
pub struct Failures<K> {
    max_failures: u32,
    window: Duration,
    max_keys: usize,
    state: Mutex<State<K>>,
}

#[derive(Debug)]
struct State<K> {
    by_key: HashMap<K, (u32, Instant)>,
    last_sweep: Option<Instant>,
}

impl<K: Hash + Eq + Clone> Failures<K> {
    /// Allows `max_failures` per key in each `window`, tracking at most `max_keys` keys.
    pub fn new(max_failures: u32, window: Duration, max_keys: usize) -> Self {
        Self { max_failures, window, max_keys, state: Mutex::new(State { by_key: HashMap::new(), last_sweep: None }) }
    }

    /// The seconds to wait while `key` has used up its failures of the window (logins check
    /// this before trying a password), without counting anything.
    pub fn blocked(&self, key: &K) -> Option<u64> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (count, since) = state.by_key.get(key)?;
        let left = self.window.saturating_sub(since.elapsed());
        (*count >= self.max_failures && !left.is_zero()).then(|| left.as_secs().max(1))
    }

    /// Counts one failure; the seconds to wait when the key is now over the limit.
    pub fn record(&self, key: K) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let State { by_key, last_sweep } = &mut *state;
        if !by_key.contains_key(&key) && by_key.len() >= self.max_keys {
            if last_sweep.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                by_key.retain(|_, (_, since)| since.elapsed() < self.window);
                *last_sweep = Some(Instant::now());
            }
            if by_key.len() >= self.max_keys {
                return None;
            }
        }
        let entry = by_key.entry(key).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 = entry.0.saturating_add(1);
        let left = self.window.saturating_sub(entry.1.elapsed());
        (entry.0 > self.max_failures).then(|| left.as_secs().max(1))
    }

    /// Whether the key has failures in its current window.
    pub fn has(&self, key: &K) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.by_key.get(key).is_some_and(|(count, since)| *count > 0 && since.elapsed() < self.window)
    }

    /// Forgets a key's failures (after a successful login).
    pub fn clear(&self, key: &K) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).by_key.remove(key);
    }

    /// How many keys are tracked.
    pub fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).by_key.len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The address a failure is counted against: IPv4 as is, IPv6 by its /64 prefix (one
/// host usually has a whole /64), IPv4-mapped IPv6 as IPv4.
pub fn counted_address(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_limited_per_key_and_the_map_is_bounded() {
        let limiter = Failures::new(20, Duration::from_secs(60), 10_000);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..19 {
            assert_eq!(limiter.record(ip), None);
        }
        assert_eq!(limiter.blocked(&ip), None, "one failure left");
        assert_eq!(limiter.record(ip), None);
        assert!(limiter.blocked(&ip).is_some(), "all used up: the next try waits");
        assert!(limiter.record(ip).is_some(), "one over the limit: wait");
        limiter.clear(&ip);
        assert_eq!(limiter.blocked(&ip), None);
        for i in 0..10_050u32 {
            limiter.record(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i)));
        }
        assert!(limiter.len() <= 10_000);
        let other = Failures::new(20, Duration::from_secs(60), 10_000);
        for i in 0..=20u128 {
            let host: IpAddr = Ipv6Addr::from((0x2001_0db8u128 << 96) | i).into();
            let retry = other.record(counted_address(host));
            assert_eq!(retry.is_some(), i == 20, "one /64 counts as one address");
        }
    }

    #[test]
    fn windows_end() {
        let limiter = Failures::new(1, Duration::from_millis(30), 10);
        limiter.record("anna");
        assert!(limiter.blocked(&"anna").is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(limiter.blocked(&"anna"), None, "the window ended: the real user may try again");
        assert_eq!(limiter.record("anna"), None);
    }
}
