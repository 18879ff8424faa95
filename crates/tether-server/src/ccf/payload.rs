//! What a sealed token holds, and what the token routes serve.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_domain::time::EpochMillis;
use tether_domain::Secret;

/// The sealed part of a token: the access token and what came with it.
#[derive(Serialize, Deserialize)]
pub struct TokenPayload {
    pub access_token: String,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub extra: Map<String, Value>,
}

impl std::fmt::Debug for TokenPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPayload")
            .field("access_token", &"[redacted]")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// A servable token of one identity.
#[derive(Debug, Clone)]
pub struct ServedToken {
    pub access_token: Secret,
    pub expires_at: EpochMillis,
    pub scope: Option<String>,
    pub extra: Map<String, Value>,
    pub client_id: String,
}
