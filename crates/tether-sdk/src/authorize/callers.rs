//! Who a caller is: the hub's `/me` answer for the caller's key, cached briefly by the key's
//! SHA-256 (never the key itself).

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use tether_domain::permission::Access;
use tokio::time::Instant;

use super::rejection::Rejection;
use crate::{ApiKey, Hub};

/// Above this many entries, expired ones are swept on insert.
const SWEEP_ABOVE: usize = 1024;

/// Granted `/me` answers by key hash, each with the time it stops being trusted.
#[derive(Default)]
pub(crate) struct CallerCache {
    entries: Mutex<HashMap<[u8; 32], (Access, Instant)>>,
}

#[derive(Deserialize)]
struct Me {
    access: Access,
}

impl CallerCache {
    fn get(&self, hash: &[u8; 32]) -> Option<Access> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (access, until) = entries.get(hash)?;

        (Instant::now() < *until).then(|| access.clone())
    }

    fn put(&self, hash: [u8; 32], access: Access, until: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= SWEEP_ABOVE {
            let now = Instant::now();
            entries.retain(|_, (_, until)| now < *until);
        }
        entries.insert(hash, (access, until));
    }
}

/// The caller's access list: from the cache, or from the hub's `/me` with the caller's key.
pub(super) async fn access_of(hub: &Hub, key: &str) -> Result<Access, Rejection> {
    let hash: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    let inner = hub.inner();
    if let Some(access) = inner.callers.get(&hash) {
        return Ok(access);
    }

    let url = hub
        .url(&["v1", "account", &inner.settings.account, "me"])
        .map_err(|_| Rejection::HubUnavailable)?;
    let asked = Instant::now();
    let answer = hub
        .get(url, &ApiKey::new(key))
        .await
        .map_err(|_| Rejection::HubUnavailable)?;

    match answer.status {
        200 => {
            let me: Me =
                serde_json::from_slice(&answer.body).map_err(|_| Rejection::HubUnavailable)?;
            let ttl = inner.options.caller_cache_ttl;
            if !ttl.is_zero() {
                inner.callers.put(hash, me.access.clone(), asked + ttl);
            }
            Ok(me.access)
        }
        401 => Err(Rejection::Unauthorized),
        // The key belongs to another account.
        403 => Err(Rejection::Forbidden),
        _ => Err(Rejection::HubUnavailable),
    }
}
