//! The one storage trait. Every method is a complete unit of work: either it all happened or none.

use std::time::Duration;

use async_trait::async_trait;
use tether_domain::ids::{AccountId, ClientId, EntityId, IdentityId, InstallId, KeyId, SessionId};
use tether_domain::tags::{Tags, TenantId};
use tether_domain::time::EpochMillis;

use crate::{
    AccountRecord, ClientRecord, CommitPlan, EntityKind, EntityRecord, IdentityRecord,
    InstallRecord, KeyRecord, ListQuery, Page, SessionRecord, StoreError, SubscriptionRef,
    TokenState,
};

/// Storage for the hub. Implementations: SQLite (embedded) and PostgreSQL (shared by instances).
///
/// Versions: every write that takes `expected_version` fails with `VersionMismatch` unless it
/// equals the stored one, and stores the record's new `meta.version` (chosen by the caller).
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Whether the database can answer now (`/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    // --- accounts, clients and keys ---------------------------------------------------------

    /// All accounts, oldest first. Empty on a new database.
    async fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError>;

    /// Creates an account with its subscriptions, its first client and that client's key, all or
    /// nothing (the first-start bootstrap). Only on a database without accounts: otherwise, and
    /// for every instance but one when several bootstrap at once, `AlreadyExists`.
    async fn bootstrap(
        &self,
        account: &AccountRecord,
        client: &ClientRecord,
        key: &KeyRecord,
    ) -> Result<(), StoreError>;

    async fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError>;
    async fn get_client(
        &self,
        account: &AccountId,
        id: &ClientId,
    ) -> Result<ClientRecord, StoreError>;
    async fn list_clients(
        &self,
        account: &AccountId,
        query: &ListQuery,
    ) -> Result<Page<ClientRecord>, StoreError>;
    async fn put_client(
        &self,
        client: &ClientRecord,
        expected_version: &str,
    ) -> Result<(), StoreError>;
    /// Deletes the client and every key it has.
    async fn delete_client(&self, account: &AccountId, id: &ClientId) -> Result<(), StoreError>;

    async fn create_key(&self, key: &KeyRecord) -> Result<(), StoreError>;
    async fn list_keys(
        &self,
        account: &AccountId,
        client: &ClientId,
    ) -> Result<Vec<KeyRecord>, StoreError>;
    /// Marks the key revoked at `at`. `NotFound` if it does not exist or is revoked already.
    async fn revoke_key(
        &self,
        account: &AccountId,
        client: &ClientId,
        key: &KeyId,
        at: EpochMillis,
    ) -> Result<(), StoreError>;
    /// The key with this hash and its client, revoked or not (the caller decides).
    async fn find_key(
        &self,
        hash: &[u8; 32],
    ) -> Result<Option<(KeyRecord, ClientRecord)>, StoreError>;

    // --- integrations and connectors -------------------------------------------------------

    /// `AlreadyExists` if the id is taken in this subscription.
    async fn create_entity(
        &self,
        sub: &SubscriptionRef,
        record: &EntityRecord,
    ) -> Result<(), StoreError>;
    async fn get_entity(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        id: &EntityId,
    ) -> Result<EntityRecord, StoreError>;
    async fn list_entities(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        query: &ListQuery,
    ) -> Result<Page<EntityRecord>, StoreError>;
    /// Replaces data, tags and connector references.
    async fn put_entity(
        &self,
        sub: &SubscriptionRef,
        record: &EntityRecord,
        expected_version: &str,
    ) -> Result<(), StoreError>;
    /// Deletes an integration with its sessions, installs and their identities; or a connector,
    /// with its identities, unless an integration references it (`Referenced`, naming them).
    async fn delete_entity(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        id: &EntityId,
    ) -> Result<(), StoreError>;
    /// Replaces only the tags (the `/tag` routes), with a new version.
    async fn put_entity_tags(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        id: &EntityId,
        tags: &Tags,
        version: &str,
        now: EpochMillis,
    ) -> Result<(), StoreError>;

    // --- sessions ---------------------------------------------------------------------------

    async fn create_session(
        &self,
        sub: &SubscriptionRef,
        session: &SessionRecord,
    ) -> Result<(), StoreError>;
    /// The session, whether expired or not (the caller decides).
    async fn get_session(
        &self,
        sub: &SubscriptionRef,
        id: &SessionId,
    ) -> Result<SessionRecord, StoreError>;
    /// Replaces data, sealed state and tags of an uncommitted session.
    /// `AlreadyCommitted` if it was committed meanwhile.
    async fn put_session(
        &self,
        sub: &SubscriptionRef,
        session: &SessionRecord,
        expected_version: &str,
    ) -> Result<(), StoreError>;
    /// Deletes sessions that expired before `now`; returns how many.
    async fn purge_sessions(&self, now: EpochMillis) -> Result<u64, StoreError>;

    /// Commits a session in one transaction (SPEC §7.3): finds the install to update (by
    /// `install_id`, else by the tenant in `tags`) or creates one; updates the identities it
    /// references for the same components in place, creating the others; marks the session
    /// committed with `session_data` and no sealed state. Concurrent commits for one tenant of
    /// one integration leave exactly one install. `AlreadyCommitted` if the session was.
    async fn commit_session(
        &self,
        sub: &SubscriptionRef,
        plan: &CommitPlan,
    ) -> Result<InstallRecord, StoreError>;

    // --- installs and identities -----------------------------------------------------------

    async fn get_install(
        &self,
        sub: &SubscriptionRef,
        integration: &EntityId,
        id: &InstallId,
    ) -> Result<InstallRecord, StoreError>;
    async fn find_install_by_tenant(
        &self,
        sub: &SubscriptionRef,
        integration: &EntityId,
        tenant: &TenantId,
    ) -> Result<Option<InstallRecord>, StoreError>;
    /// Installs of one integration, or of all of them when `integration` is `None`.
    async fn list_installs(
        &self,
        sub: &SubscriptionRef,
        integration: Option<&EntityId>,
        query: &ListQuery,
    ) -> Result<Page<InstallRecord>, StoreError>;
    /// Deletes the install and its identities.
    async fn delete_install(
        &self,
        sub: &SubscriptionRef,
        integration: &EntityId,
        id: &InstallId,
    ) -> Result<(), StoreError>;

    async fn get_identity(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
        id: &IdentityId,
    ) -> Result<IdentityRecord, StoreError>;
    async fn list_identities(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
        query: &ListQuery,
    ) -> Result<Page<IdentityRecord>, StoreError>;
    async fn delete_identity(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
        id: &IdentityId,
    ) -> Result<(), StoreError>;
    /// Records an exchange outcome. The entity version does not change: tokens are not edits.
    async fn put_token_state(
        &self,
        sub: &SubscriptionRef,
        id: &IdentityId,
        token: &TokenState,
    ) -> Result<(), StoreError>;
    /// Identities of one connector, counted (the portal's connector list).
    async fn count_identities(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
    ) -> Result<u64, StoreError>;
    /// The distinct first `len` bytes of every sealed value held (client secrets, tokens, session
    /// state): at start, proof that every key they were sealed with is configured.
    async fn sealed_prefixes(&self, len: usize) -> Result<Vec<Vec<u8>>, StoreError>;

    // --- exchange leases --------------------------------------------------------------------

    /// Takes the lease of `key` for `holder` until `now + ttl`, in one statement: when nobody
    /// holds it, or its holder's lease expired before `now`. `false` when someone else holds it
    /// (or `holder` itself, by an earlier acquisition: a lease is not re-entrant).
    ///
    /// `now` is the caller's clock: instances sharing a database must keep their clocks in step
    /// (NTP) to well within the leases' margins.
    async fn try_acquire_lease(
        &self,
        key: &str,
        holder: &str,
        ttl: Duration,
        now: EpochMillis,
    ) -> Result<bool, StoreError>;

    /// Ends the lease of `key` if `holder` still holds it; `false` (and nothing changes) if the
    /// lease lapsed and was taken over, or never existed.
    async fn release_lease(&self, key: &str, holder: &str) -> Result<bool, StoreError>;
}
