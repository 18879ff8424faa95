//! The cache rule, single flight, and the outage fallback.

use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Map;

use super::*;
use crate::AccessToken;

fn credentials(token: &str) -> Credentials {
    Credentials {
        access_token: AccessToken::new(token),
        token_type: "Bearer".into(),
        expires_at: 0,
        client_id: "acme".into(),
        install_id: "ins-1".into(),
        identity_id: "idn-1".into(),
        scope: None,
        extra: Map::new(),
    }
}

fn key(tenant: &str) -> TokenKey {
    TokenKey {
        integration: "crm".into(),
        component: "ccfConnector".into(),
        tenant: tenant.into(),
    }
}

#[test]
fn a_token_is_served_until_its_buffer_which_never_exceeds_half_its_life() {
    let cases = [
        // (expires_in, served for)
        (3600, 3480),
        (240, 120),
        (200, 100),
        (60, 30),
        (3, 2),
        (2, 1),
        (1, 1),
        (0, 0),
    ];

    for (expires_in, served) in cases {
        assert_eq!(
            servable_for(expires_in),
            Duration::from_secs(served),
            "expires_in {expires_in}"
        );
    }
}

#[tokio::test]
async fn concurrent_callers_of_an_empty_cache_share_one_fetch() {
    let cache = Arc::new(TokenCache::default());
    let fetches = Arc::new(AtomicU32::new(0));

    let calls = (0..10).map(|_| {
        let cache = cache.clone();
        let fetches = fetches.clone();
        tokio::spawn(async move {
            cache
                .get_or_fetch(key("acme"), || async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok((credentials("t1"), 3600))
                })
                .await
        })
    });
    let results = futures_join(calls).await;

    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    assert!(results.iter().all(|r| r.is_ok()));
}

#[tokio::test]
async fn waiting_callers_share_a_failure_but_later_callers_try_again() {
    let cache = Arc::new(TokenCache::default());
    let fetches = Arc::new(AtomicU32::new(0));
    let failing = || {
        let fetches = fetches.clone();
        move || async move {
            fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err::<(Credentials, u64), _>(SdkError::NoInstall {
                tenant: "acme".into(),
            })
        }
    };

    let calls = (0..5).map(|_| {
        let cache = cache.clone();
        let fetch = failing();
        tokio::spawn(async move { cache.get_or_fetch(key("acme"), fetch).await })
    });
    let results = futures_join(calls).await;
    let later = cache.get_or_fetch(key("acme"), failing()).await;

    assert!(results.iter().all(|r| r.is_err()));
    assert!(later.is_err());
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_token_past_its_serving_time_is_fetched_again_and_tenants_never_share() {
    let cache = TokenCache::default();
    let fetches = AtomicU32::new(0);
    let fetch = |token: &'static str| {
        let fetches = &fetches;
        move || async move {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok((credentials(token), 2))
        }
    };

    let first = cache.get_or_fetch(key("a"), fetch("a1")).await.unwrap();
    let cached = cache.get_or_fetch(key("a"), fetch("a2")).await.unwrap();
    let other = cache.get_or_fetch(key("b"), fetch("b1")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let renewed = cache.get_or_fetch(key("a"), fetch("a3")).await.unwrap();

    assert_eq!(first.access_token.expose(), "a1");
    assert_eq!(cached.access_token.expose(), "a1");
    assert_eq!(other.access_token.expose(), "b1");
    assert_eq!(renewed.access_token.expose(), "a3");
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_stale_but_unexpired_token_outlives_a_hub_outage_but_not_a_rejection() {
    let cache = TokenCache::default();
    cache
        .get_or_fetch(key("a"), || async { Ok((credentials("old"), 2)) })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let during_outage = cache
        .get_or_fetch(key("a"), || async { Err(SdkError::Timeout) })
        .await;
    let after_rejection = cache
        .get_or_fetch(key("a"), || async {
            Err(SdkError::UpstreamRejected {
                code: "invalid_client".into(),
                description: None,
            })
        })
        .await;

    assert_eq!(during_outage.unwrap().access_token.expose(), "old");
    assert!(matches!(
        after_rejection,
        Err(SdkError::UpstreamRejected { .. })
    ));
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.unwrap());
    }
    results
}
