//! Sessions: create, read, replace while uncommitted, purge when expired.

use tether_domain::ids::SessionId;
use tether_domain::time::EpochMillis;

use super::PostgresStore;
use crate::shared::encode::{insert_error, json_to_text, tags_to_text};
use crate::shared::rows::{SessionRow, SESSION_COLUMNS};
use crate::{SessionRecord, StoreError, SubscriptionRef};

/// `NotFound` when the integration does not exist (the foreign key refuses the row).
pub(super) async fn create(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    session: &SessionRecord,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;
    sqlx::query(
        "INSERT INTO sessions (account, subscription, id, integration, data, sealed, tags, \
         version, date_added, date_modified, expires, install) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(session.id.as_str())
    .bind(session.integration.as_str())
    .bind(json_to_text(&session.data))
    .bind(session.sealed.as_ref().map(|s| s.0.as_slice()))
    .bind(tags_to_text(&session.meta.tags))
    .bind(&session.meta.version)
    .bind(session.meta.date_added.0)
    .bind(session.meta.date_modified.0)
    .bind(session.expires.0)
    .bind(session.install.as_ref().map(|i| i.as_str()))
    .execute(&mut *w.tx)
    .await
    .map_err(insert_error)?;
    w.commit().await
}

pub(super) async fn get(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    id: &SessionId,
) -> Result<SessionRecord, StoreError> {
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM sessions \
         WHERE account = $1 AND subscription = $2 AND id = $3"
    );
    sqlx::query_as::<_, SessionRow>(&sql)
        .bind(sub.account.as_str())
        .bind(sub.subscription.as_str())
        .bind(id.as_str())
        .fetch_optional(&store.pool)
        .await?
        .ok_or(StoreError::NotFound)?
        .into_record()
}

/// Replaces data, sealed state and tags; the expiry and the install are not the caller's to set.
pub(super) async fn put(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    session: &SessionRecord,
    expected_version: &str,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;

    let updated = sqlx::query(
        "UPDATE sessions SET data = $4, sealed = $5, tags = $6, version = $7, date_modified = $8 \
         WHERE account = $1 AND subscription = $2 AND id = $3 AND version = $9 \
         AND install IS NULL",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(session.id.as_str())
    .bind(json_to_text(&session.data))
    .bind(session.sealed.as_ref().map(|s| s.0.as_slice()))
    .bind(tags_to_text(&session.meta.tags))
    .bind(&session.meta.version)
    .bind(session.meta.date_modified.0)
    .bind(expected_version)
    .execute(&mut *w.tx)
    .await?;
    if updated.rows_affected() == 0 {
        let found: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT install FROM sessions WHERE account = $1 AND subscription = $2 AND id = $3",
        )
        .bind(sub.account.as_str())
        .bind(sub.subscription.as_str())
        .bind(session.id.as_str())
        .fetch_optional(&mut *w.tx)
        .await?;
        return Err(match found {
            None => StoreError::NotFound,
            Some((Some(install_id),)) => StoreError::AlreadyCommitted { install_id },
            Some((None,)) => StoreError::VersionMismatch,
        });
    }

    w.commit().await
}

pub(super) async fn purge(store: &PostgresStore, now: EpochMillis) -> Result<u64, StoreError> {
    let mut w = store.write().await?;
    let purged = sqlx::query("DELETE FROM sessions WHERE expires < $1")
        .bind(now.0)
        .execute(&mut *w.tx)
        .await?;
    w.commit().await?;
    Ok(purged.rows_affected())
}
