//! Exchange leases and the first-start bootstrap: what instances sharing a database contend for.

use std::sync::Arc;
use std::time::Duration;

use tether_domain::time::EpochMillis;
use tether_store::{Store, StoreError};

use super::fixtures::{account_with_key, NOW};

const TTL: Duration = Duration::from_secs(10);

fn later(millis: i64) -> EpochMillis {
    EpochMillis(NOW.0 + millis)
}

pub(crate) async fn a_lease_has_one_holder_until_released(store: Arc<dyn Store>) {
    let first = store.try_acquire_lease("idn-a", "one", TTL, NOW).await;
    let second = store.try_acquire_lease("idn-a", "two", TTL, later(1)).await;
    let again = store.try_acquire_lease("idn-a", "one", TTL, later(2)).await;
    let other_key = store.try_acquire_lease("idn-b", "two", TTL, later(3)).await;

    assert!(first.unwrap());
    assert!(!second.unwrap(), "a held lease is not taken");
    assert!(!again.unwrap(), "a lease is not re-entrant");
    assert!(other_key.unwrap(), "leases of other keys are independent");

    let released = store.release_lease("idn-a", "one").await.unwrap();
    let after = store.try_acquire_lease("idn-a", "two", TTL, later(4)).await;

    assert!(released);
    assert!(after.unwrap());
}

pub(crate) async fn an_expired_lease_is_taken_over_and_its_old_holder_cannot_release_it(
    store: Arc<dyn Store>,
) {
    assert!(store
        .try_acquire_lease("idn-a", "crashed", TTL, NOW)
        .await
        .unwrap());
    let ttl_millis = i64::try_from(TTL.as_millis()).unwrap();

    let just_before = store
        .try_acquire_lease("idn-a", "next", TTL, later(ttl_millis - 1))
        .await;
    let at_expiry = store
        .try_acquire_lease("idn-a", "next", TTL, later(ttl_millis))
        .await;
    let stale_release = store.release_lease("idn-a", "crashed").await.unwrap();
    let third = store
        .try_acquire_lease("idn-a", "third", TTL, later(ttl_millis + 1))
        .await;

    assert!(!just_before.unwrap());
    assert!(at_expiry.unwrap());
    assert!(!stale_release, "the old holder's release does nothing");
    assert!(!third.unwrap(), "the lease still belongs to its new holder");
}

pub(crate) async fn releasing_a_lease_one_does_not_hold_does_nothing(store: Arc<dyn Store>) {
    let nothing = store.release_lease("idn-a", "nobody").await.unwrap();
    store
        .try_acquire_lease("idn-a", "holder", TTL, NOW)
        .await
        .unwrap();

    let wrong = store.release_lease("idn-a", "intruder").await.unwrap();
    let still_held = store
        .try_acquire_lease("idn-a", "other", TTL, later(1))
        .await;

    assert!(!nothing);
    assert!(!wrong);
    assert!(!still_held.unwrap());
}

pub(crate) async fn concurrent_acquirers_of_one_lease_have_one_winner(store: Arc<dyn Store>) {
    let attempts = (0..16).map(|n| {
        let store = store.clone();
        tokio::spawn(async move {
            let holder = format!("holder-{n}");
            store.try_acquire_lease("idn-a", &holder, TTL, NOW).await
        })
    });

    let mut winners = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        if attempt.await.unwrap().unwrap() {
            winners += 1;
        }
    }

    assert_eq!(winners, 1);
}

pub(crate) async fn concurrent_expired_lease_takeovers_have_one_winner(store: Arc<dyn Store>) {
    store
        .try_acquire_lease("idn-a", "crashed", TTL, NOW)
        .await
        .unwrap();
    let expired = later(i64::try_from(TTL.as_millis()).unwrap() + 1);
    let attempts = (0..16).map(|n| {
        let store = store.clone();
        tokio::spawn(async move {
            let holder = format!("holder-{n}");
            store
                .try_acquire_lease("idn-a", &holder, TTL, expired)
                .await
        })
    });

    let mut winners = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        if attempt.await.unwrap().unwrap() {
            winners += 1;
        }
    }

    assert_eq!(winners, 1);
}

pub(crate) async fn concurrent_bootstraps_create_one_account(store: Arc<dyn Store>) {
    let attempts = (0u8..8).map(|n| {
        let store = store.clone();
        tokio::spawn(async move {
            let (account, client, key) = account_with_key([n + 100; 32]);
            store.bootstrap(&account, &client, &key).await
        })
    });

    let mut created = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        match attempt.await.unwrap() {
            Ok(()) => created += 1,
            Err(StoreError::AlreadyExists) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    assert_eq!(created, 1);
    assert_eq!(store.accounts().await.unwrap().len(), 1);
}
