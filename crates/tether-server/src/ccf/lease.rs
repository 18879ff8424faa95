//! [`LeaseExchangeLock`]: one holder per key across every instance sharing a database, through a
//! lease row with an expiry, so that a crashed holder blocks the key no longer than its lease.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rand::{Rng, RngCore};
use tether_domain::time::EpochMillis;
use tether_store::Store;
use tokio::time::Instant;

use super::{ExchangeLock, LocalExchangeLock, LockGuard};

/// Waiters poll the lease this often, plus up to [`POLL_JITTER`], so instances do not poll in step.
const POLL_EVERY: Duration = Duration::from_millis(25);
const POLL_JITTER: Duration = Duration::from_millis(25);

// FIXME(lease-herd): callers that queued behind an exchange each take and release the lease only
// to read its result (three database round trips each, one caller at a time per key across the
// deployment; 500 callers on three instances drain in about a second). A two-stage acquire —
// in-process lock, re-read the identity, lease only if the token is still stale — would let them
// read without the lease; it needs the token service to see both stages.

/// A lease lapses this long before a waiter that began waiting when it was taken gives up, so
/// that waiter still gets it, even with instance clocks a little apart.
const GRACE: Duration = Duration::from_secs(1);

/// The in-process lock first, so one instance sends at most one waiter per key to the database;
/// then the lease, polled until taken or `wait` runs out.
///
/// Callers pass as `wait` the longest the holder may need plus a margin (for an exchange, its
/// deadline plus the token service's margin of 5 s). The lease lasts `wait` minus [`GRACE`]
/// (at least half of `wait`): a holder that dies delays the others by at most that.
pub struct LeaseExchangeLock {
    local: LocalExchangeLock,
    store: Arc<dyn Store>,
    /// Names this instance in `holder`, so a stuck lease can be traced to its process.
    instance: String,
    acquisitions: AtomicU64,
}

impl LeaseExchangeLock {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let mut bytes = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self {
            local: LocalExchangeLock::default(),
            store,
            instance: hex::encode(bytes),
            acquisitions: AtomicU64::new(0),
        }
    }

    /// A holder name unique to one acquisition: only that acquisition can release the lease.
    fn holder(&self) -> String {
        let n = self.acquisitions.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.instance)
    }
}

#[async_trait]
impl ExchangeLock for LeaseExchangeLock {
    async fn acquire(&self, key: &str, wait: Duration) -> Option<LockGuard> {
        let deadline = Instant::now() + wait;
        let local = self.local.acquire(key, wait).await?;
        let mut lease = Lease {
            store: self.store.clone(),
            key: key.to_owned(),
            holder: self.holder(),
            local: Some(local),
            maybe_held: false,
        };

        loop {
            // Armed before the statement runs: if this future is dropped mid-statement, or the
            // statement fails after the row was written, the drop releases what may be held.
            lease.maybe_held = true;
            match lease.try_take(wait).await {
                Ok(true) => return Some(LockGuard::new(lease)),
                Ok(false) => lease.maybe_held = false,
                Err(error) => tracing::warn!(key, error = %error, "cannot take the exchange lease"),
            }

            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return None;
            }
            tokio::time::sleep(poll_pause().min(remaining)).await;
        }
    }
}

/// A lease this acquisition holds or may hold, with the in-process guard of its key.
struct Lease {
    store: Arc<dyn Store>,
    key: String,
    holder: String,
    local: Option<LockGuard>,
    maybe_held: bool,
}

impl Lease {
    async fn try_take(&self, wait: Duration) -> Result<bool, tether_store::StoreError> {
        let ttl = lease_ttl(wait);
        self.store
            .try_acquire_lease(&self.key, &self.holder, ttl, EpochMillis::now())
            .await
    }
}

impl Drop for Lease {
    /// Releases the lease in the background, keeping the in-process guard until the row is gone:
    /// the next waiter of this instance then finds the lease free instead of polling for it.
    /// Without a runtime (shutdown) the lease lapses at its expiry.
    fn drop(&mut self) {
        let local = self.local.take();
        if !self.maybe_held {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let store = self.store.clone();
        let key = std::mem::take(&mut self.key);
        let holder = std::mem::take(&mut self.holder);
        runtime.spawn(async move {
            if let Err(error) = store.release_lease(&key, &holder).await {
                tracing::warn!(key, error = %error, "cannot release the exchange lease");
            }
            drop(local);
        });
    }
}

fn lease_ttl(wait: Duration) -> Duration {
    wait.saturating_sub(GRACE).max(wait / 2)
}

fn poll_pause() -> Duration {
    let jitter = rand::thread_rng().gen_range(Duration::ZERO..=POLL_JITTER);
    POLL_EVERY + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sqlite() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store = tether_store::SqliteStore::open(dir.path().join("t.db"))
            .await
            .unwrap();
        (dir, Arc::new(store))
    }

    #[test]
    fn a_lease_lapses_a_second_before_its_waiters_give_up() {
        assert_eq!(lease_ttl(Duration::from_secs(7)), Duration::from_secs(6));
        assert_eq!(
            lease_ttl(Duration::from_secs(1)),
            Duration::from_millis(500)
        );
    }

    #[tokio::test]
    async fn two_instances_on_one_database_take_turns() {
        let (_dir, store) = sqlite().await;
        let one = LeaseExchangeLock::new(store.clone());
        let two = LeaseExchangeLock::new(store);
        let held = one.acquire("idn", Duration::from_secs(5)).await.unwrap();

        let blocked = two.acquire("idn", Duration::from_millis(100)).await;
        let other_key = two.acquire("other", Duration::from_millis(100)).await;
        drop(held);
        let after = two.acquire("idn", Duration::from_secs(2)).await;

        assert!(blocked.is_none());
        assert!(other_key.is_some());
        assert!(after.is_some());
    }

    #[tokio::test]
    async fn a_lease_whose_holder_vanished_lapses_after_its_wait() {
        let (_dir, store) = sqlite().await;
        store
            .try_acquire_lease(
                "idn",
                "dead",
                Duration::from_millis(300),
                EpochMillis::now(),
            )
            .await
            .unwrap();
        let lock = LeaseExchangeLock::new(store);
        let started = Instant::now();

        let taken = lock.acquire("idn", Duration::from_secs(2)).await;

        assert!(taken.is_some());
        assert!(started.elapsed() >= Duration::from_millis(250));
        assert!(started.elapsed() < Duration::from_millis(1000));
    }

    #[tokio::test]
    async fn a_waiter_of_the_same_instance_finds_the_lease_released() {
        let (_dir, store) = sqlite().await;
        let lock = Arc::new(LeaseExchangeLock::new(store));
        let held = lock.acquire("idn", Duration::from_secs(5)).await.unwrap();
        let waiter = {
            let lock = lock.clone();
            tokio::spawn(async move { lock.acquire("idn", Duration::from_secs(5)).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let released = Instant::now();

        drop(held);
        let next = waiter.await.unwrap();

        assert!(next.is_some());
        assert!(
            released.elapsed() < POLL_EVERY,
            "the next local waiter takes the lease without polling: {:?}",
            released.elapsed()
        );
    }
}
