//! Exchange leases: one holder per key across every instance, lapsing at `expires_at`.

use std::time::Duration;

use tether_domain::time::EpochMillis;

use super::PostgresStore;
use crate::shared::encode::lease_expiry;
use crate::StoreError;

/// One statement: insert, or take over a lease that has expired. `ON CONFLICT … WHERE` locks the
/// existing row, so two instances racing for an expired lease cannot both win.
pub(super) async fn try_acquire(
    store: &PostgresStore,
    key: &str,
    holder: &str,
    ttl: Duration,
    now: EpochMillis,
) -> Result<bool, StoreError> {
    let taken = sqlx::query(
        "INSERT INTO exchange_leases (key, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, \
         expires_at = EXCLUDED.expires_at WHERE exchange_leases.expires_at <= $4",
    )
    .bind(key)
    .bind(holder)
    .bind(lease_expiry(now, ttl).0)
    .bind(now.0)
    .execute(&store.pool)
    .await?;
    Ok(taken.rows_affected() == 1)
}

pub(super) async fn release(
    store: &PostgresStore,
    key: &str,
    holder: &str,
) -> Result<bool, StoreError> {
    let deleted = sqlx::query("DELETE FROM exchange_leases WHERE key = $1 AND holder = $2")
        .bind(key)
        .bind(holder)
        .execute(&store.pool)
        .await?;
    Ok(deleted.rows_affected() == 1)
}
