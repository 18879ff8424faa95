//! What the store keeps. Secrets appear only as `Sealed` ciphertext.

use serde_json::Value;
use tether_domain::ids::{
    AccountId, ClientId, EntityId, IdentityId, InstallId, KeyId, SessionId, SubscriptionId,
};
use tether_domain::permission::Access;
use tether_domain::tags::{Tags, TenantId};
use tether_domain::time::EpochMillis;

/// Ciphertext made by the server's crypto module (it records its own key id). Opaque here.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(pub Vec<u8>);

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

/// The account and subscription every entity lives in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubscriptionRef {
    pub account: AccountId,
    pub subscription: SubscriptionId,
}

/// Which table an integration-or-connector call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Integration,
    Connector,
}

/// Fields every stored entity has.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub tags: Tags,
    /// Changes on every write; a `PUT` must name the current one.
    pub version: String,
    pub date_added: EpochMillis,
    pub date_modified: EpochMillis,
}

/// An integration or a connector.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRecord {
    pub kind: EntityKind,
    pub id: EntityId,
    pub data: Value,
    pub meta: Meta,
    /// For an integration: the connectors its components reference (kept so that deleting a
    /// connector can name the integrations still using it). Empty for a connector.
    pub connector_refs: Vec<EntityId>,
}

/// A session. Secret input and exchange results are sealed; `data` is what the API may show.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub integration: EntityId,
    pub data: Value,
    /// `None` once committed: a committed session keeps no secrets.
    pub sealed: Option<Sealed>,
    pub meta: Meta,
    pub expires: EpochMillis,
    /// The install this session produced, once committed.
    pub install: Option<InstallId>,
}

/// An install: one tenant's configured integration.
#[derive(Debug, Clone, PartialEq)]
pub struct InstallRecord {
    pub id: InstallId,
    pub integration: EntityId,
    /// The value of `fusebit.tenantId` in `meta.tags`, kept apart so it can be unique and indexed.
    pub tenant: Option<TenantId>,
    /// `{componentName: {entityId, parentEntityType, parentEntityId}}`.
    pub data: Value,
    pub meta: Meta,
}

/// The current token of an identity and the outcome of the last exchange.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenState {
    /// Sealed JSON of the access token and its extra fields; `None` before the first success.
    pub sealed: Option<Sealed>,
    pub expires_at: Option<EpochMillis>,
    pub lifetime_seconds: Option<u64>,
    pub last_exchange_at: Option<EpochMillis>,
    /// `{code, message, status?, …}` of the last failure, cleared by a success.
    pub last_error: Option<Value>,
    pub last_error_at: Option<EpochMillis>,
}

/// One tenant's credentials held by a connector.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityRecord {
    pub id: IdentityId,
    pub connector: EntityId,
    /// What the API may show: `client_id`, `scope`, `audience`.
    pub data: Value,
    /// The client secret.
    pub sealed_secret: Sealed,
    pub token: TokenState,
    pub meta: Meta,
}

/// One connector component written by a commit.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityWrite {
    pub component: String,
    pub connector: EntityId,
    pub data: Value,
    pub sealed_secret: Sealed,
    pub token: TokenState,
}

/// Everything a commit writes, in one transaction (SPEC §7.3).
#[derive(Debug, Clone, PartialEq)]
pub struct CommitPlan {
    pub session: SessionId,
    pub integration: EntityId,
    /// Reconfigure this install (the session's `installId`); else the tenant's install if any.
    pub install_id: Option<InstallId>,
    /// The session tags (with the tenant); the store adds `fusebit.parentEntityId`.
    pub tags: Tags,
    pub identities: Vec<IdentityWrite>,
    /// The session's public data after commit; the store adds nothing to it.
    pub session_data: Value,
    pub now: EpochMillis,
}

/// An account and its subscriptions.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRecord {
    pub id: AccountId,
    pub subscriptions: Vec<SubscriptionId>,
    pub date_added: EpochMillis,
}

/// An access-control client.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRecord {
    pub id: ClientId,
    pub account: AccountId,
    pub display_name: Option<String>,
    pub access: Access,
    pub meta: Meta,
}

/// An API key's stored form: its SHA-256 hash, never the key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRecord {
    pub id: KeyId,
    pub account: AccountId,
    pub client: ClientId,
    pub display_name: Option<String>,
    pub hash: [u8; 32],
    pub expires_at: Option<EpochMillis>,
    pub revoked_at: Option<EpochMillis>,
    pub date_added: EpochMillis,
}
