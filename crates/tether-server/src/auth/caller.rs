//! The authenticated caller of a request: who it is, and whether it may do what it asks.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use subtle::ConstantTimeEq;
use tether_domain::permission::{normalize_resource, Access};
use tether_domain::time::EpochMillis;
use tether_domain::FieldError;
use tether_store::{ClientRecord, KeyRecord};

use super::hash_key;
use crate::http::{ApiError, AppState};

/// A request's caller, authenticated by its bearer key. Extracting it answers 401 when the key
/// is missing, malformed, unknown, revoked or expired.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client: ClientRecord,
    pub key: KeyRecord,
    /// The request's resource, normalised (`/account/A/subscription/S/…/`).
    pub resource: String,
}

impl Caller {
    /// 403 unless the caller holds `action` on the request's own resource.
    pub fn require(&self, action: &str) -> Result<(), ApiError> {
        self.require_on(action, &self.resource)
    }

    /// 403 unless the caller holds `action` on `resource` (a normalised resource path).
    pub fn require_on(&self, action: &str, resource: &str) -> Result<(), ApiError> {
        if self.client.access.allows(action, resource) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// 403 unless the caller holds `action` on `prefix` or on something under it: checked before
    /// looking up which resource under `prefix` a request concerns, so that a caller who could
    /// not act on any of them learns nothing of what exists.
    pub fn require_under(&self, action: &str, prefix: &str) -> Result<(), ApiError> {
        if self.client.access.allows_under(action, prefix) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// 403 naming the first grant of `access` the caller does not hold itself: nobody can give
    /// a client, or get a key for one, that can do more than they can.
    pub fn require_covers(&self, access: &Access, field: &str) -> Result<(), ApiError> {
        match self.client.access.first_uncovered(access) {
            None => Ok(()),
            Some(i) => Err(ApiError::Exceeds(FieldError::new(
                format!("{field}.allow[{i}]"),
                "grants more than the caller's own access",
            ))),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::Unauthorized)?;

        let hash = hash_key(token);
        let (key, client) = state
            .store
            .find_key(&hash)
            .await
            .map_err(ApiError::internal)?
            .ok_or(ApiError::Unauthorized)?;

        let now = EpochMillis::now();
        let matches: bool = key.hash.ct_eq(&hash).into();
        let expired = key.expires_at.is_some_and(|at| now >= at);
        if !matches || key.revoked_at.is_some() || expired || key.client != client.id {
            return Err(ApiError::Unauthorized);
        }

        tracing::Span::current().record("client", client.id.as_str());
        Ok(Self {
            client,
            key,
            resource: normalize_resource(parts.uri.path()),
        })
    }
}
