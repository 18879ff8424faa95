//! Exchange leases on SQLite, with the same statements as on PostgreSQL. Writes take the writer's
//! turn like every other write of this store.

use std::time::Duration;

use tether_domain::time::EpochMillis;

use super::SqliteStore;
use crate::shared::encode::lease_expiry;
use crate::StoreError;

pub(super) async fn try_acquire(
    store: &SqliteStore,
    key: &str,
    holder: &str,
    ttl: Duration,
    now: EpochMillis,
) -> Result<bool, StoreError> {
    let mut w = store.write().await?;
    let taken = sqlx::query(
        "INSERT INTO exchange_leases (key, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, \
         expires_at = excluded.expires_at WHERE exchange_leases.expires_at <= $4",
    )
    .bind(key)
    .bind(holder)
    .bind(lease_expiry(now, ttl).0)
    .bind(now.0)
    .execute(&mut *w.tx)
    .await?;
    w.commit().await?;
    Ok(taken.rows_affected() == 1)
}

pub(super) async fn release(
    store: &SqliteStore,
    key: &str,
    holder: &str,
) -> Result<bool, StoreError> {
    let mut w = store.write().await?;
    let deleted = sqlx::query("DELETE FROM exchange_leases WHERE key = $1 AND holder = $2")
        .bind(key)
        .bind(holder)
        .execute(&mut *w.tx)
        .await?;
    w.commit().await?;
    Ok(deleted.rows_affected() == 1)
}
