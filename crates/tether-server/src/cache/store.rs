//! `CachingStore`: the `Store` trait in front of the database, serving the hot path's reads from
//! bounded, short-lived caches and invalidating them on every write made through it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tether_domain::ids::{AccountId, ClientId, EntityId, IdentityId, InstallId, KeyId, SessionId};
use tether_domain::tags::{Tags, TenantId};
use tether_domain::time::EpochMillis;
use tether_store::{
    AccountRecord, ClientRecord, CommitPlan, EntityKind, EntityRecord, IdentityRecord,
    InstallRecord, KeyRecord, ListQuery, Page, SessionRecord, Store, StoreError, SubscriptionRef,
    TokenState,
};

use super::caches::Caches;

/// A store whose reads of keys, integrations, connectors, installs by tenant and identities may
/// come from memory (at most `ttl` old), and whose writes invalidate what they change.
#[derive(Clone)]
pub struct CachingStore {
    inner: Arc<dyn Store>,
    caches: Arc<Caches>,
    /// `false` for the view that always reads the database (see [`CachingStore::fresh_reads`]).
    read_cache: bool,
}

impl CachingStore {
    /// `ttl`: [`super::SHARED_TTL`] when other instances write the same database, else
    /// [`super::SINGLE_PROCESS_TTL`].
    pub fn new(inner: Arc<dyn Store>, ttl: Duration) -> Self {
        Self {
            inner,
            caches: Arc::new(Caches::new(ttl)),
            read_cache: true,
        }
    }

    /// The same store, reading the database every time, still invalidating on writes. The token
    /// service uses it: its re-read under the exchange lock must see other instances' results.
    pub fn fresh_reads(&self) -> Self {
        Self {
            read_cache: false,
            ..self.clone()
        }
    }
}

#[async_trait]
impl Store for CachingStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }

    async fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        self.inner.accounts().await
    }

    async fn bootstrap(
        &self,
        account: &AccountRecord,
        client: &ClientRecord,
        key: &KeyRecord,
    ) -> Result<(), StoreError> {
        let result = self.inner.bootstrap(account, client, key).await;
        self.caches.access_changed();
        result
    }

    async fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.inner.create_client(client).await
    }

    async fn get_client(
        &self,
        account: &AccountId,
        id: &ClientId,
    ) -> Result<ClientRecord, StoreError> {
        self.inner.get_client(account, id).await
    }

    async fn list_clients(
        &self,
        account: &AccountId,
        query: &ListQuery,
    ) -> Result<Page<ClientRecord>, StoreError> {
        self.inner.list_clients(account, query).await
    }

    async fn put_client(
        &self,
        client: &ClientRecord,
        expected_version: &str,
    ) -> Result<(), StoreError> {
        let result = self.inner.put_client(client, expected_version).await;
        self.caches.access_changed();
        result
    }

    async fn delete_client(&self, account: &AccountId, id: &ClientId) -> Result<(), StoreError> {
        let result = self.inner.delete_client(account, id).await;
        self.caches.access_changed();
        result
    }

    async fn create_key(&self, key: &KeyRecord) -> Result<(), StoreError> {
        self.inner.create_key(key).await
    }

    async fn list_keys(
        &self,
        account: &AccountId,
        client: &ClientId,
    ) -> Result<Vec<KeyRecord>, StoreError> {
        self.inner.list_keys(account, client).await
    }

    async fn revoke_key(
        &self,
        account: &AccountId,
        client: &ClientId,
        key: &KeyId,
        at: EpochMillis,
    ) -> Result<(), StoreError> {
        let result = self.inner.revoke_key(account, client, key, at).await;
        self.caches.access_changed();
        result
    }

    async fn find_key(
        &self,
        hash: &[u8; 32],
    ) -> Result<Option<(KeyRecord, ClientRecord)>, StoreError> {
        let cache = &self.caches.keys;
        if self.read_cache {
            if let Some(found) = cache.get(hash) {
                return Ok(Some(found));
            }
        }
        let epoch = cache.epoch();
        let found = self.inner.find_key(hash).await?;
        if let Some(found) = &found {
            cache.insert(*hash, found.clone(), epoch);
        }
        Ok(found)
    }

    async fn create_entity(
        &self,
        sub: &SubscriptionRef,
        record: &EntityRecord,
    ) -> Result<(), StoreError> {
        let result = self.inner.create_entity(sub, record).await;
        self.caches.entity_changed(sub, record.kind, &record.id);
        result
    }

    async fn get_entity(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        id: &EntityId,
    ) -> Result<EntityRecord, StoreError> {
        let cache = &self.caches.entities;
        let key = (sub.clone(), kind, id.clone());
        if self.read_cache {
            if let Some(found) = cache.get(&key) {
                return Ok(found);
            }
        }
        let epoch = cache.epoch();
        let found = self.inner.get_entity(sub, kind, id).await?;
        cache.insert(key, found.clone(), epoch);
        Ok(found)
    }

    async fn list_entities(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        query: &ListQuery,
    ) -> Result<Page<EntityRecord>, StoreError> {
        self.inner.list_entities(sub, kind, query).await
    }

    async fn put_entity(
        &self,
        sub: &SubscriptionRef,
        record: &EntityRecord,
        expected_version: &str,
    ) -> Result<(), StoreError> {
        let result = self.inner.put_entity(sub, record, expected_version).await;
        self.caches.entity_changed(sub, record.kind, &record.id);
        result
    }

    async fn delete_entity(
        &self,
        sub: &SubscriptionRef,
        kind: EntityKind,
        id: &EntityId,
    ) -> Result<(), StoreError> {
        let result = self.inner.delete_entity(sub, kind, id).await;
        self.caches.entity_deleted(sub, kind, id);
        result
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
        let result = self
            .inner
            .put_entity_tags(sub, kind, id, tags, version, now)
            .await;
        self.caches.entity_changed(sub, kind, id);
        result
    }

    async fn create_session(
        &self,
        sub: &SubscriptionRef,
        session: &SessionRecord,
    ) -> Result<(), StoreError> {
        self.inner.create_session(sub, session).await
    }

    async fn get_session(
        &self,
        sub: &SubscriptionRef,
        id: &SessionId,
    ) -> Result<SessionRecord, StoreError> {
        self.inner.get_session(sub, id).await
    }

    async fn put_session(
        &self,
        sub: &SubscriptionRef,
        session: &SessionRecord,
        expected_version: &str,
    ) -> Result<(), StoreError> {
        self.inner.put_session(sub, session, expected_version).await
    }

    async fn purge_sessions(&self, now: EpochMillis) -> Result<u64, StoreError> {
        self.inner.purge_sessions(now).await
    }

    async fn commit_session(
        &self,
        sub: &SubscriptionRef,
        plan: &CommitPlan,
    ) -> Result<InstallRecord, StoreError> {
        let result = self.inner.commit_session(sub, plan).await;
        self.caches.committed(sub, plan, result.as_ref().ok());
        result
    }

    async fn get_install(
        &self,
        sub: &SubscriptionRef,
        integration: &EntityId,
        id: &InstallId,
    ) -> Result<InstallRecord, StoreError> {
        self.inner.get_install(sub, integration, id).await
    }

    async fn find_install_by_tenant(
        &self,
        sub: &SubscriptionRef,
        integration: &EntityId,
        tenant: &TenantId,
    ) -> Result<Option<InstallRecord>, StoreError> {
        let cache = &self.caches.tenants;
        let key = (sub.clone(), integration.clone(), tenant.clone());
        if self.read_cache {
            if let Some(found) = cache.get(&key) {
                return Ok(Some(found));
            }
        }
        let epoch = cache.epoch();
        let found = self
            .inner
            .find_install_by_tenant(sub, integration, tenant)
            .await?;
        if let Some(found) = &found {
            cache.insert(key, found.clone(), epoch);
        }
        Ok(found)
    }

    async fn list_installs(
        &self,
        sub: &SubscriptionRef,
        integration: Option<&EntityId>,
        query: &ListQuery,
    ) -> Result<Page<InstallRecord>, StoreError> {
        self.inner.list_installs(sub, integration, query).await
    }

    async fn delete_install(
        &self,
        sub: &SubscriptionRef,
        integration: &EntityId,
        id: &InstallId,
    ) -> Result<(), StoreError> {
        let result = self.inner.delete_install(sub, integration, id).await;
        self.caches.install_gone(id);
        result
    }

    async fn get_identity(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
        id: &IdentityId,
    ) -> Result<IdentityRecord, StoreError> {
        let cache = &self.caches.identities;
        let key = (sub.clone(), id.clone());
        if self.read_cache {
            if let Some(found) = cache.get(&key).filter(|i| &i.connector == connector) {
                return Ok(found);
            }
        }
        let epoch = cache.epoch();
        let found = self.inner.get_identity(sub, connector, id).await?;
        cache.insert(key, found.clone(), epoch);
        Ok(found)
    }

    async fn list_identities(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
        query: &ListQuery,
    ) -> Result<Page<IdentityRecord>, StoreError> {
        self.inner.list_identities(sub, connector, query).await
    }

    async fn delete_identity(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
        id: &IdentityId,
    ) -> Result<(), StoreError> {
        let result = self.inner.delete_identity(sub, connector, id).await;
        self.caches.identity_changed(sub, id);
        result
    }

    async fn put_token_state(
        &self,
        sub: &SubscriptionRef,
        id: &IdentityId,
        token: &TokenState,
    ) -> Result<(), StoreError> {
        let result = self.inner.put_token_state(sub, id, token).await;
        self.caches.identity_changed(sub, id);
        result
    }

    async fn count_identities(
        &self,
        sub: &SubscriptionRef,
        connector: &EntityId,
    ) -> Result<u64, StoreError> {
        self.inner.count_identities(sub, connector).await
    }

    async fn try_acquire_lease(
        &self,
        key: &str,
        holder: &str,
        ttl: Duration,
        now: EpochMillis,
    ) -> Result<bool, StoreError> {
        self.inner.try_acquire_lease(key, holder, ttl, now).await
    }

    async fn release_lease(&self, key: &str, holder: &str) -> Result<bool, StoreError> {
        self.inner.release_lease(key, holder).await
    }

    async fn sealed_prefixes(&self, len: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        self.inner.sealed_prefixes(len).await
    }
}
