//! The portal session: a cookie holding the operator's API key sealed with the hub's master key,
//! an expiry and a CSRF token. Stateless, so every hub instance sharing the master key accepts
//! it; every request re-authenticates the key, so revoking it signs the portal out at once.

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tether_domain::permission::normalize_resource;
use tether_domain::time::EpochMillis;
use tether_store::{Sealed, SubscriptionRef};

use super::PortalError;
use crate::auth::{hash_key, Caller};
use crate::crypto::Purpose;
use crate::http::AppState;

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "tether_portal";
/// The pre-session cookie that protects the sign-in form (double submit).
pub(crate) const SIGN_IN_COOKIE: &str = "tether_portal_signin";
/// How long a sign-in lasts.
const SESSION_SECONDS: u64 = 8 * 3600;

/// What the sealed cookie holds.
#[derive(Serialize, Deserialize)]
struct Payload {
    /// The API key, in plaintext inside the ciphertext only.
    k: String,
    /// Expiry, epoch milliseconds.
    e: i64,
    /// The CSRF token every form of this session must carry.
    c: String,
}

/// A signed-in operator: the API caller its key names, and the subscription the portal shows.
pub(crate) struct Operator {
    pub(crate) caller: Caller,
    pub(crate) sub: SubscriptionRef,
    csrf: String,
}

impl Operator {
    pub(crate) fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Whether a submitted form carries this session's CSRF token.
    pub(crate) fn csrf_matches(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|token| same(token, &self.csrf))
    }

    /// `/account/A/subscription/S/{tail}/`, normalised as the API's resources are.
    pub(crate) fn resource(&self, tail: &str) -> String {
        normalize_resource(&format!(
            "/account/{}/subscription/{}/{tail}",
            self.sub.account, self.sub.subscription
        ))
    }

    /// 403 unless the operator holds `action` on the subscription's `tail`, like the API.
    pub(crate) fn require(&self, action: &str, tail: &str) -> Result<(), PortalError> {
        self.require_on(action, &self.resource(tail))
    }

    /// 403 unless the operator holds `action` on the account's `tail` (clients and keys).
    pub(crate) fn require_account(&self, action: &str, tail: &str) -> Result<(), PortalError> {
        let resource = normalize_resource(&format!("/account/{}/{tail}", self.sub.account));
        self.require_on(action, &resource)
    }

    /// Whether the operator holds `action` on `tail` (to hide buttons it may not use).
    pub(crate) fn may(&self, action: &str, tail: &str) -> bool {
        self.caller.require_on(action, &self.resource(tail)).is_ok()
    }

    /// Whether the operator holds `action` on the account's `tail`.
    pub(crate) fn may_account(&self, action: &str, tail: &str) -> bool {
        self.require_account(action, tail).is_ok()
    }

    fn require_on(&self, action: &str, resource: &str) -> Result<(), PortalError> {
        self.caller
            .require_on(action, resource)
            .map_err(|_| PortalError::Forbidden)
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = PortalError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PortalError> {
        let cookie = cookie(&parts.headers, SESSION_COOKIE).ok_or(PortalError::SignedOut)?;
        let sealed = URL_SAFE_NO_PAD
            .decode(cookie.as_bytes())
            .map_err(|_| PortalError::SignedOut)?;
        let plaintext = state
            .sealer
            .open(Purpose::PortalSession, &Sealed(sealed))
            .map_err(|_| PortalError::SignedOut)?;
        let payload: Payload =
            serde_json::from_slice(&plaintext).map_err(|_| PortalError::SignedOut)?;
        if EpochMillis::now().0 >= payload.e {
            return Err(PortalError::SignedOut);
        }

        let caller = authenticate(state, &payload.k)
            .await?
            .ok_or(PortalError::SignedOut)?;
        // FIXME(portal-subscriptions): the portal shows the account's first subscription; a
        // subscription switcher (a path segment) is needed once accounts can have several.
        let sub = state
            .subscriptions
            .iter()
            .find(|s| s.account == caller.client.account)
            .cloned()
            .ok_or(PortalError::Forbidden)?;
        tracing::Span::current().record("client", caller.client.id.as_str());
        Ok(Self {
            caller,
            sub,
            csrf: payload.c,
        })
    }
}

/// The caller a key names, with the same checks as the API's `Caller` extractor: known, hash
/// equal in constant time, not revoked, not expired, owned by its client. `None` otherwise.
pub(crate) async fn authenticate(
    state: &AppState,
    key: &str,
) -> Result<Option<Caller>, PortalError> {
    if key.is_empty() {
        return Ok(None);
    }
    let hash = hash_key(key);
    let Some((key, client)) = state
        .store
        .find_key(&hash)
        .await
        .map_err(PortalError::internal)?
    else {
        return Ok(None);
    };

    let now = EpochMillis::now();
    let matches: bool = key.hash.ct_eq(&hash).into();
    let expired = key.expires_at.is_some_and(|at| now >= at);
    if !matches || key.revoked_at.is_some() || expired || key.client != client.id {
        return Ok(None);
    }
    Ok(Some(Caller {
        client,
        key,
        resource: String::new(),
    }))
}

/// A `Set-Cookie` value starting a session for `key`.
pub(crate) fn session_cookie(state: &AppState, key: &str) -> String {
    let payload = Payload {
        k: key.to_owned(),
        e: EpochMillis::now().plus_seconds(SESSION_SECONDS).0,
        c: random_token(),
    };
    let plaintext = serde_json::to_vec(&payload).unwrap_or_default();
    let sealed = state.sealer.seal(Purpose::PortalSession, &plaintext);
    let value = URL_SAFE_NO_PAD.encode(sealed.0);
    format!(
        "{SESSION_COOKIE}={value}; Path=/portal; Max-Age={SESSION_SECONDS}; HttpOnly; \
         SameSite=Strict{}",
        secure(state)
    )
}

/// A `Set-Cookie` value ending the session.
///
/// FIXME(portal-sign-out): sign-out only drops the browser's cookie; a copy of it stays valid
/// until it expires (8 h) unless its key is revoked. A per-key session epoch in the store, bumped
/// by sign-out and checked on every request, would end every copy at once.
pub(crate) fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/portal; Max-Age=0; HttpOnly; SameSite=Strict")
}

/// A `Set-Cookie` value for the sign-in form's token.
pub(crate) fn sign_in_cookie(state: &AppState, token: &str) -> String {
    format!(
        "{SIGN_IN_COOKIE}={token}; Path=/portal; Max-Age=3600; HttpOnly; SameSite=Strict{}",
        secure(state)
    )
}

pub(crate) fn clear_sign_in_cookie() -> String {
    format!("{SIGN_IN_COOKIE}=; Path=/portal; Max-Age=0; HttpOnly; SameSite=Strict")
}

/// 256 random bits, URL-safe.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares two tokens in constant time.
pub(crate) fn same(a: &str, b: &str) -> bool {
    !b.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The value of cookie `name` across every `Cookie` header.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// `; Secure` when the hub is reached over https.
fn secure(state: &AppState) -> &'static str {
    if state.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_across_headers_and_pairs() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; tether_portal=xyz"));
        headers.append(COOKIE, HeaderValue::from_static("b=2"));

        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn tokens_compare_by_value_and_an_empty_one_never_matches() {
        let token = random_token();

        assert!(same(&token, &token.clone()));
        assert!(!same(&token, &random_token()));
        assert!(!same("", ""));
    }
}
