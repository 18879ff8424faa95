//! Installs: read, find by tenant, list, delete. They are written only by the commit.

use sqlx::PgConnection;
use tether_domain::ids::{EntityId, InstallId};
use tether_domain::tags::TenantId;

use super::{tags, PostgresStore};
use crate::shared::list::ListSource;
use crate::shared::rows::{InstallRow, INSTALL_COLUMNS};
use crate::shared::tags::INSTALL_TAGS;
use crate::{InstallRecord, ListQuery, Page, StoreError, SubscriptionRef};

pub(super) async fn get(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    integration: &EntityId,
    id: &InstallId,
) -> Result<InstallRecord, StoreError> {
    let mut conn = store.pool.acquire().await?;
    find(&mut conn, sub, integration, id)
        .await?
        .ok_or(StoreError::NotFound)
}

pub(super) async fn find(
    conn: &mut PgConnection,
    sub: &SubscriptionRef,
    integration: &EntityId,
    id: &InstallId,
) -> Result<Option<InstallRecord>, StoreError> {
    let sql = format!(
        "SELECT {INSTALL_COLUMNS} FROM installs \
         WHERE account = $1 AND subscription = $2 AND integration = $3 AND id = $4"
    );
    sqlx::query_as::<_, InstallRow>(&sql)
        .bind(sub.account.as_str())
        .bind(sub.subscription.as_str())
        .bind(integration.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .map(InstallRow::into_record)
        .transpose()
}

pub(super) async fn find_by_tenant(
    conn: &mut PgConnection,
    sub: &SubscriptionRef,
    integration: &EntityId,
    tenant: &TenantId,
) -> Result<Option<InstallRecord>, StoreError> {
    let sql = format!(
        "SELECT {INSTALL_COLUMNS} FROM installs \
         WHERE account = $1 AND subscription = $2 AND integration = $3 AND tenant = $4"
    );
    sqlx::query_as::<_, InstallRow>(&sql)
        .bind(sub.account.as_str())
        .bind(sub.subscription.as_str())
        .bind(integration.as_str())
        .bind(tenant.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .map(InstallRow::into_record)
        .transpose()
}

pub(super) async fn list(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    integration: Option<&EntityId>,
    query: &ListQuery,
) -> Result<Page<InstallRecord>, StoreError> {
    let mut scope = vec![
        ("account", sub.account.as_str()),
        ("subscription", sub.subscription.as_str()),
    ];
    if let Some(integration) = integration {
        scope.push(("integration", integration.as_str()));
    }
    let source = ListSource {
        table: "installs",
        columns: INSTALL_COLUMNS,
        scope,
        tags: &INSTALL_TAGS,
    };
    tags::list(&store.pool, source, query, InstallRow::into_record, |i| {
        i.id.to_string()
    })
    .await
}

/// Deletes the install; the identities it created and all tag rows cascade.
pub(super) async fn delete(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    integration: &EntityId,
    id: &InstallId,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;
    let deleted = sqlx::query(
        "DELETE FROM installs \
         WHERE account = $1 AND subscription = $2 AND integration = $3 AND id = $4",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(integration.as_str())
    .bind(id.as_str())
    .execute(&mut *w.tx)
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    w.commit().await
}
