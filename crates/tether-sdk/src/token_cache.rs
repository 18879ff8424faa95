//! The in-process token cache: how long a token is served (SPEC §6.4) and one hub request at
//! a time per tenant (single flight).
//!
//! The rule: a token whose hub answer said `expires_in` = L seconds is served until
//! `sent + L − min(120 s, L / 2)`, where `sent` is this process's monotonic clock when the
//! request left. `expires_in` is rounded down by the hub and `sent` is earlier than the hub's
//! answer, so the SDK never serves a token past its real expiry, whatever the clocks of the two
//! machines say. The buffer is the hub's own rule (`CcfConfig::buffer_seconds`), so a
//! short-lived token is still cached for half its remaining life.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tether_domain::ccf::CcfConfig;
use tokio::time::Instant;

use crate::{Credentials, SdkError};

/// The SDK's re-fetch buffer, before the half-lifetime cap.
pub(crate) const BUFFER_SECONDS: u64 = 120;

/// How long after the request left a token with `expires_in` seconds left may be served.
pub(crate) fn servable_for(expires_in: u64) -> Duration {
    let rule = CcfConfig {
        expiration_buffer_seconds: BUFFER_SECONDS,
        ..CcfConfig::default()
    };
    Duration::from_secs(expires_in - rule.buffer_seconds(expires_in))
}

/// Which token: one per integration, component and tenant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TokenKey {
    pub(crate) integration: String,
    pub(crate) component: String,
    pub(crate) tenant: String,
}

struct Cached {
    credentials: Credentials,
    serve_until: Instant,
    /// When the token really expires; a stale token is still handed out until then if the hub
    /// cannot be asked for a new one.
    valid_until: Instant,
}

#[derive(Default)]
struct Slot {
    cached: Option<Cached>,
    /// The last fetch's failure and when it happened; shared with the callers that waited for it.
    failure: Option<(Instant, SdkError)>,
}

/// Cached credentials per [`TokenKey`].
#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<TokenKey, Arc<tokio::sync::Mutex<Slot>>>>,
}

impl TokenCache {
    /// The cached credentials if servable; else the result of `fetch`, which runs once however
    /// many callers ask at the same time. `fetch` yields the credentials and `expires_in`.
    pub(crate) async fn get_or_fetch<F, Fut>(
        &self,
        key: TokenKey,
        fetch: F,
    ) -> Result<Credentials, SdkError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(Credentials, u64), SdkError>>,
    {
        let arrived = Instant::now();
        let slot = self.slot(key);

        let mut slot = slot.lock().await;
        if let Some(cached) = slot
            .cached
            .as_ref()
            .filter(|c| Instant::now() < c.serve_until)
        {
            return Ok(cached.credentials.clone());
        }
        if let Some((at, error)) = &slot.failure {
            if *at >= arrived {
                return fallback(&slot, error.clone());
            }
        }

        let sent = Instant::now();
        match fetch().await {
            Ok((credentials, expires_in)) => {
                slot.cached = Some(Cached {
                    credentials: credentials.clone(),
                    serve_until: sent + servable_for(expires_in),
                    valid_until: sent + Duration::from_secs(expires_in),
                });
                slot.failure = None;
                Ok(credentials)
            }
            Err(error) => {
                slot.failure = Some((Instant::now(), error.clone()));
                fallback(&slot, error)
            }
        }
    }

    // FIXME(sdk-cache-eviction): slots are never removed, so a process that asks for millions of
    // distinct tenants grows without bound; dropping slots whose token expired and that nobody
    // awaits (a sweep on insert, as the hub's `TtlCache` does) would bound it.
    fn slot(&self, key: TokenKey) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        slots.entry(key).or_default().clone()
    }
}

/// After a failed fetch: the old token if the hub is out and the token has not expired yet.
fn fallback(slot: &Slot, error: SdkError) -> Result<Credentials, SdkError> {
    match slot.cached.as_ref() {
        Some(old) if is_outage(&error) && Instant::now() < old.valid_until => {
            Ok(old.credentials.clone())
        }
        _ => Err(error),
    }
}

/// Failures after which a not yet expired token is still better than nothing.
fn is_outage(error: &SdkError) -> bool {
    match error {
        SdkError::HubUnreachable { .. }
        | SdkError::Timeout
        | SdkError::UpstreamUnavailable { .. } => true,
        SdkError::Hub { status, .. } => *status >= 500,
        SdkError::NoInstall { .. }
        | SdkError::UnknownComponent { .. }
        | SdkError::UpstreamRejected { .. }
        | SdkError::Unauthorized
        | SdkError::Forbidden
        | SdkError::Settings(_) => false,
    }
}

#[cfg(test)]
mod tests;
