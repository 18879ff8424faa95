//! `Store` for `SqliteStore`: each method hands over to the module that owns its topic.

use std::time::Duration;

use async_trait::async_trait;
use tether_domain::ids::{AccountId, ClientId, EntityId, IdentityId, InstallId, KeyId, SessionId};
use tether_domain::tags::{Tags, TenantId};
use tether_domain::time::EpochMillis;

use super::{
    access, accounts, commit, entities, identities, installs, leases, sessions, SqliteStore,
};
use crate::{
    AccountRecord, ClientRecord, CommitPlan, EntityKind, EntityRecord, IdentityRecord,
    InstallRecord, KeyRecord, ListQuery, Page, SessionRecord, Store, StoreError, SubscriptionRef,
    TokenState,
};

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        accounts::all(self).await
    }

    async fn bootstrap(
        &self,
        account: &AccountRecord,
        client: &ClientRecord,
        key: &KeyRecord,
    ) -> Result<(), StoreError> {
        accounts::bootstrap(self, account, client, key).await
    }

    async fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        access::create_client(self, client).await
    }

    async fn get_client(
        &self,
        account: &AccountId,
        id: &ClientId,
    ) -> Result<ClientRecord, StoreError> {
        access::get_client(self, account, id).await
    }

    async fn list_clients(
        &self,
        account: &AccountId,
        query: &ListQuery,
    ) -> Result<Page<ClientRecord>, StoreError> {
        access::list_clients(self, account, query).await
    }

    async fn put_client(
        &self,
        client: &ClientRecord,
        expected_version: &str,
    ) -> Result<(), StoreError> {
        access::put_client(self, client, expected_version).await
    }

    async fn delete_client(&self, account: &AccountId, id: &ClientId) -> Result<(), StoreError> {
        access::delete_client(self, account, id).await
    }

    async fn create_key(&self, key: &KeyRecord) -> Result<(), StoreError> {
        access::create_key(self, key).await
    }

    async fn list_keys(
        &self,
        account: &AccountId,
        client: &ClientId,
    ) -> Result<Vec<KeyRecord>, StoreError> {
        access::list_keys(self, account, client).await
    }

    async fn revoke_key(
        &self,
        account: &AccountId,
        client: &ClientId,
        key: &KeyId,
        at: EpochMillis,
    ) -> Result<(), StoreError> {
        access::revoke_key(self, account, client, key, at).await
    }

    async fn find_key(
        &self,
        hash: &[u8; 32],
    ) -> Result<Option<(KeyRecord, ClientRecord)>, StoreError> {
        access::find_key(self, hash).await
    }

    async fn create_entity(
        &self,
        sub: &SubscriptionRef,
        record: &EntityRecord,
    ) -> Result<(), StoreError> {
        entities::create(self, sub, record).await
    }

    async fn get_entity(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        id: &EntityId,
    ) -> Result<EntityRecord, StoreError> {
        entities::get(self, sub, kind, id).await
    }

    async fn list_entities(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        query: &ListQuery,
    ) -> Result<Page<EntityRecord>, StoreError> {
        entities::list(self, sub, kind, query).await
    }

    async fn put_entity(
        &self,
        sub: &SubscriptionRef,
        record: &EntityRecord,
        expected_version: &str,
    ) -> Result<(), StoreError> {
        entities::put(self, sub, record, expected_version).await
    }

    async fn delete_entity(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        id: &EntityId,
    ) -> Result<(), StoreError> {
        entities::delete(self, sub, kind, id).await
    }

    async fn put_entity_tags(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        id: &EntityId,
        tags: &Tags,
        version: &str,
        now: EpochMillis,
    ) -> Result<(), StoreError> {
        entities::put_tags(self, sub, kind, id, tags, version, now).await
    }

    async fn create_session(
        &self,
        sub: &SubscriptionRef,
        session: &SessionRecord,
    ) -> Result<(), StoreError> {
        sessions::create(self, sub, session).await
    }

    async fn get_session(
        &self,
        sub: &SubscriptionRef,
        id: &SessionId,
    ) -> Result<SessionRecord, StoreError> {
        sessions::get(self, sub, id).await
    }

    async fn put_session(
        &self,
        sub: &SubscriptionRef,
        session: &SessionRecord,
        expected_version: &str,
    ) -> Result<(), StoreError> {
        sessions::put(self, sub, session, expected_version).await
    }

    async fn purge_sessions(&self, now: EpochMillis) -> Result<u64, StoreError> {
        sessions::purge(self, now).await
    }

    async fn commit_session(
        &self,
        sub: &SubscriptionRef,
        plan: &CommitPlan,
    ) -> Result<InstallRecord, StoreError> {
        commit::commit(self, sub, plan).await
    }

    async fn get_install(
        &self,
        sub: &SubscriptionRef,
        integration: &EntityId,
        id: &InstallId,
    ) -> Result<InstallRecord, StoreError> {
        installs::get(self, sub, integration, id).await
    }

    async fn find_install_by_tenant(
        &self,
        sub: &SubscriptionRef,
        integration: &EntityId,
        tenant: &TenantId,
    ) -> Result<Option<InstallRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        installs::find_by_tenant(&mut conn, sub, integration, tenant).await
    }

    async fn list_installs(
        &self,
        sub: &SubscriptionRef,
        integration: Option<&EntityId>,
        query: &ListQuery,
    ) -> Result<Page<InstallRecord>, StoreError> {
        installs::list(self, sub, integration, query).await
    }

    async fn delete_install(
        &self,
        sub: &SubscriptionRef,
        integration: &EntityId,
        id: &InstallId,
    ) -> Result<(), StoreError> {
        installs::delete(self, sub, integration, id).await
    }

    async fn get_identity(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
        id: &IdentityId,
    ) -> Result<IdentityRecord, StoreError> {
        identities::get(self, sub, connector, id).await
    }

    async fn list_identities(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
        query: &ListQuery,
    ) -> Result<Page<IdentityRecord>, StoreError> {
        identities::list(self, sub, connector, query).await
    }

    async fn delete_identity(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
        id: &IdentityId,
    ) -> Result<(), StoreError> {
        identities::delete(self, sub, connector, id).await
    }

    async fn put_token_state(
        &self,
        sub: &SubscriptionRef,
        id: &IdentityId,
        token: &TokenState,
    ) -> Result<(), StoreError> {
        identities::put_token_state(self, sub, id, token).await
    }

    async fn count_identities(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
    ) -> Result<u64, StoreError> {
        identities::count(self, sub, connector).await
    }

    async fn try_acquire_lease(
        &self,
        key: &str,
        holder: &str,
        ttl: Duration,
        now: EpochMillis,
    ) -> Result<bool, StoreError> {
        leases::try_acquire(self, key, holder, ttl, now).await
    }

    async fn release_lease(&self, key: &str, holder: &str) -> Result<bool, StoreError> {
        leases::release(self, key, holder).await
    }

    async fn sealed_prefixes(&self, len: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        identities::sealed_prefixes(self, len).await
    }
}
