//! At most one exchange per identity in flight. The trait lets a deployment-wide lock (a lease in
//! the shared database) replace the in-process one without touching the token service.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;

/// Held while one exchange runs; dropping it lets the next waiter in.
pub struct LockGuard(#[allow(dead_code)] Box<dyn Send + Sync>);

impl LockGuard {
    pub fn new(inner: impl Send + Sync + 'static) -> Self {
        Self(Box::new(inner))
    }
}

#[async_trait]
pub trait ExchangeLock: Send + Sync + 'static {
    /// Waits at most `wait` for the lock of `key`; `None` when the wait ran out.
    ///
    /// `wait` is the longest the holder may need plus a margin: a deployment-wide lock lets a
    /// holder's claim lapse after `wait`, so a crashed instance cannot block a key for longer.
    async fn acquire(&self, key: &str, wait: Duration) -> Option<LockGuard>;
}

/// One async mutex per identity, dropped from the map when nobody holds or awaits it.
#[derive(Default)]
pub struct LocalExchangeLock {
    entries: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

struct LocalGuard {
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    key: String,
    entries: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Drop for LocalGuard {
    fn drop(&mut self) {
        drop(self.guard.take());
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries
            .get(&self.key)
            .is_some_and(|entry| Arc::strong_count(entry) == 1)
        {
            entries.remove(&self.key);
        }
    }
}

#[async_trait]
impl ExchangeLock for LocalExchangeLock {
    async fn acquire(&self, key: &str, wait: Duration) -> Option<LockGuard> {
        let entry = {
            let mut entries = self.entries.lock().ok()?;
            entries.entry(key.to_owned()).or_default().clone()
        };

        let guard = tokio::time::timeout(wait, entry.lock_owned()).await.ok()?;
        Some(LockGuard::new(LocalGuard {
            guard: Some(guard),
            key: key.to_owned(),
            entries: self.entries.clone(),
        }))
    }
}

impl LocalExchangeLock {
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_holder_waits_until_the_first_lets_go() {
        let lock = LocalExchangeLock::default();
        let first = lock.acquire("idn", Duration::from_secs(1)).await.unwrap();

        let blocked = lock.acquire("idn", Duration::from_millis(50)).await;
        let other_key = lock.acquire("other", Duration::from_millis(50)).await;
        drop(first);
        let after = lock.acquire("idn", Duration::from_millis(50)).await;

        assert!(blocked.is_none());
        assert!(other_key.is_some());
        assert!(after.is_some());
    }

    #[tokio::test]
    async fn entries_are_dropped_once_nobody_uses_them() {
        let lock = LocalExchangeLock::default();

        drop(lock.acquire("idn", Duration::from_secs(1)).await);

        assert_eq!(lock.len(), 0);
    }
}
