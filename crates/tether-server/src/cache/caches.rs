//! The four read caches of the hot path and what each write invalidates.

use std::time::Duration;

use serde_json::Value;
use tether_domain::ids::{EntityId, IdentityId, InstallId};
use tether_domain::tags::TenantId;
use tether_store::{
    ClientRecord, CommitPlan, EntityKind, EntityRecord, IdentityRecord, InstallRecord, KeyRecord,
    SubscriptionRef,
};

use super::ttl::TtlCache;

/// How long a cached record may be served after it was read, when instances share the database
/// (PostgreSQL): it bounds how stale one instance can be about another's writes.
pub const SHARED_TTL: Duration = Duration::from_secs(1);

/// The same on SQLite, where this process makes every write (and invalidates at once); the bound
/// only covers another process writing the same file (an operator's `sqlite3` session), which
/// the hub itself never does. Nothing cached goes stale with time alone: key expiry and token
/// servability are checked against the clock on every request.
pub const SINGLE_PROCESS_TTL: Duration = Duration::from_secs(60);

/// Entry limits. A tenant costs about 3.5 KB in the two per-tenant caches (JSON data and tags
/// are B-tree maps), so 16,384 tenants stay within about 60 MB.
const KEY_CAPACITY: usize = 4_096;
const ENTITY_CAPACITY: usize = 4_096;
const TENANT_CAPACITY: usize = 16_384;
const IDENTITY_CAPACITY: usize = 16_384;

pub(super) type EntityKey = (SubscriptionRef, EntityKind, EntityId);
pub(super) type TenantKey = (SubscriptionRef, EntityId, TenantId);
pub(super) type IdentityKey = (SubscriptionRef, IdentityId);

pub(super) struct Caches {
    /// API key hash → the key and its client (the bearer check of every request).
    pub(super) keys: TtlCache<[u8; 32], (KeyRecord, ClientRecord)>,
    /// Integrations and connectors.
    pub(super) entities: TtlCache<EntityKey, EntityRecord>,
    /// A tenant's install of an integration (only found ones: a miss is never cached).
    pub(super) tenants: TtlCache<TenantKey, InstallRecord>,
    /// Identities with their sealed token state.
    pub(super) identities: TtlCache<IdentityKey, IdentityRecord>,
}

impl Caches {
    pub(super) fn new(ttl: Duration) -> Self {
        Self {
            keys: TtlCache::new(ttl, KEY_CAPACITY),
            entities: TtlCache::new(ttl, ENTITY_CAPACITY),
            tenants: TtlCache::new(ttl, TENANT_CAPACITY),
            identities: TtlCache::new(ttl, IDENTITY_CAPACITY),
        }
    }

    /// A client or key changed: its access or validity may have.
    pub(super) fn access_changed(&self) {
        self.keys.clear();
    }

    pub(super) fn entity_changed(&self, sub: &SubscriptionRef, kind: EntityKind, id: &EntityId) {
        self.entities.remove(&(sub.clone(), kind, id.clone()));
    }

    /// A deleted integration or connector takes installs or identities with it.
    pub(super) fn entity_deleted(&self, sub: &SubscriptionRef, kind: EntityKind, id: &EntityId) {
        self.entity_changed(sub, kind, id);
        if kind == EntityKind::Integration {
            self.tenants
                .remove_where(|(s, integration, _), _| s == sub && integration == id);
        }
        self.identities.clear();
    }

    /// A commit wrote `install` (found by tenant or by `plan.install_id`) and its identities.
    pub(super) fn committed(
        &self,
        sub: &SubscriptionRef,
        plan: &CommitPlan,
        install: Option<&InstallRecord>,
    ) {
        for tenant in [plan.tags.tenant(), install.and_then(|i| i.tenant.clone())]
            .into_iter()
            .flatten()
        {
            self.tenants
                .remove(&(sub.clone(), plan.integration.clone(), tenant));
        }
        match install {
            Some(install) => {
                if plan.install_id.is_some() {
                    // Reconfiguring by id may move the install to another tenant.
                    self.install_gone(&install.id);
                }
                for id in identity_ids(&install.data) {
                    self.identities.remove(&(sub.clone(), id));
                }
            }
            // The outcome is unknown: forget everything the commit might have touched.
            None => {
                self.tenants.clear();
                self.identities.clear();
            }
        }
    }

    /// An install was deleted, with its identities.
    pub(super) fn install_gone(&self, id: &InstallId) {
        self.tenants.remove_where(|_, install| &install.id == id);
        self.identities.clear();
    }

    pub(super) fn identity_changed(&self, sub: &SubscriptionRef, id: &IdentityId) {
        self.identities.remove(&(sub.clone(), id.clone()));
    }
}

/// The identity ids an install's data references (`{component: {entityId, …}}`).
fn identity_ids(data: &Value) -> Vec<IdentityId> {
    data.as_object()
        .into_iter()
        .flat_map(|components| components.values())
        .filter_map(|component| component.get("entityId")?.as_str())
        .filter_map(|id| IdentityId::parse(id).ok())
        .collect()
}
