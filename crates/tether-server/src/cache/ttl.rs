//! A bounded map whose entries live a fixed time, safe against a read racing an invalidation.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries expire `ttl` after they were read from the store. At most `capacity` entries are
/// kept: a full map first drops expired entries, then an arbitrary eighth of the rest.
///
/// Every invalidation advances an epoch. A caller takes [`TtlCache::epoch`] before reading the
/// store and passes it to [`TtlCache::insert`], which keeps nothing if anything was invalidated
/// meanwhile: a value read before a write can never be cached after it.
pub(crate) struct TtlCache<K, V> {
    inner: Mutex<Inner<K, V>>,
    ttl: Duration,
    capacity: usize,
}

struct Inner<K, V> {
    entries: HashMap<K, (Instant, V)>,
    epoch: u64,
}

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                epoch: 0,
            }),
            ttl,
            capacity: capacity.max(1),
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let inner = self.inner.lock().ok()?;
        let (at, value) = inner.entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| value.clone())
    }

    pub(crate) fn epoch(&self) -> u64 {
        self.inner.lock().map(|i| i.epoch).unwrap_or(u64::MAX)
    }

    /// Keeps `value`, read from the store after `epoch` was taken, unless something was
    /// invalidated since.
    pub(crate) fn insert(&self, key: K, value: V, epoch: u64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.epoch != epoch {
            return;
        }
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(&key) {
            let ttl = self.ttl;
            inner.entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if inner.entries.len() >= self.capacity {
                let drop: Vec<K> = inner
                    .entries
                    .keys()
                    .take(self.capacity / 8 + 1)
                    .cloned()
                    .collect();
                for key in drop {
                    inner.entries.remove(&key);
                }
            }
        }
        inner.entries.insert(key, (Instant::now(), value));
    }

    pub(crate) fn remove(&self, key: &K) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.epoch += 1;
            inner.entries.remove(key);
        }
    }

    /// Removes every entry the predicate matches.
    pub(crate) fn remove_where(&self, mut matches: impl FnMut(&K, &V) -> bool) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.epoch += 1;
            inner.entries.retain(|k, (_, v)| !matches(k, v));
        }
    }

    pub(crate) fn clear(&self) {
        self.remove_where(|_, _| true);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().map(|i| i.entries.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_until_its_time_runs_out() {
        let cache = TtlCache::new(Duration::from_millis(30), 10);

        cache.insert("k", 1, cache.epoch());
        let fresh = cache.get(&"k");
        std::thread::sleep(Duration::from_millis(40));

        assert_eq!(fresh, Some(1));
        assert_eq!(cache.get(&"k"), None);
    }

    #[test]
    fn a_value_read_before_an_invalidation_is_not_kept() {
        let cache = TtlCache::new(Duration::from_secs(10), 10);

        let epoch = cache.epoch();
        cache.remove(&"k");
        cache.insert("k", 1, epoch);

        assert_eq!(cache.get(&"k"), None);
    }

    #[test]
    fn the_map_never_grows_past_its_capacity() {
        let cache = TtlCache::new(Duration::from_secs(10), 16);

        for i in 0..1000 {
            cache.insert(i, i, cache.epoch());
        }

        assert!(cache.len() <= 16);
        assert_eq!(cache.get(&999), Some(999));
    }
}
