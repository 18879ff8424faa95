//! Identities: read, list, delete, token state, and the rows the commit writes.

use sqlx::query::Query;
use sqlx::{PgConnection, Postgres};
use tether_domain::ids::{EntityId, IdentityId};
use tether_domain::tags::Tags;
use tether_domain::time::EpochMillis;

use super::{tags, PostgresStore};
use crate::shared::encode::{insert_error, json_to_text, seconds_to_i64, tags_to_text};
use crate::shared::list::ListSource;
use crate::shared::rows::{IdentityRow, IDENTITY_COLUMNS};
use crate::shared::tags::IDENTITY_TAGS;
use crate::{
    IdentityRecord, IdentityWrite, ListQuery, Page, StoreError, SubscriptionRef, TokenState,
};

type PgQuery<'q> = Query<'q, Postgres, <Postgres as sqlx::Database>::Arguments<'q>>;

/// Binds the six token columns, in the order `token_sealed … token_last_error_at`.
fn bind_token<'q>(query: PgQuery<'q>, token: &'q TokenState) -> PgQuery<'q> {
    query
        .bind(token.sealed.as_ref().map(|s| s.0.as_slice()))
        .bind(token.expires_at.map(|t| t.0))
        .bind(token.lifetime_seconds.map(seconds_to_i64))
        .bind(token.last_exchange_at.map(|t| t.0))
        .bind(token.last_error.as_ref().map(json_to_text))
        .bind(token.last_error_at.map(|t| t.0))
}

pub(super) async fn get(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    connector: &EntityId,
    id: &IdentityId,
) -> Result<IdentityRecord, StoreError> {
    let sql = format!(
        "SELECT {IDENTITY_COLUMNS} FROM identities \
         WHERE account = $1 AND subscription = $2 AND connector = $3 AND id = $4"
    );
    sqlx::query_as::<_, IdentityRow>(&sql)
        .bind(sub.account.as_str())
        .bind(sub.subscription.as_str())
        .bind(connector.as_str())
        .bind(id.as_str())
        .fetch_optional(&store.pool)
        .await?
        .ok_or(StoreError::NotFound)?
        .into_record()
}

pub(super) async fn list(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    connector: &EntityId,
    query: &ListQuery,
) -> Result<Page<IdentityRecord>, StoreError> {
    let source = ListSource {
        table: "identities",
        columns: IDENTITY_COLUMNS,
        scope: vec![
            ("account", sub.account.as_str()),
            ("subscription", sub.subscription.as_str()),
            ("connector", connector.as_str()),
        ],
        tags: &IDENTITY_TAGS,
    };
    tags::list(&store.pool, source, query, IdentityRow::into_record, |i| {
        i.id.to_string()
    })
    .await
}

pub(super) async fn delete(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    connector: &EntityId,
    id: &IdentityId,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;
    let deleted = sqlx::query(
        "DELETE FROM identities \
         WHERE account = $1 AND subscription = $2 AND connector = $3 AND id = $4",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(connector.as_str())
    .bind(id.as_str())
    .execute(&mut *w.tx)
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    w.commit().await
}

/// Writes only the token columns: the version and `date_modified` stay as they were.
pub(super) async fn put_token_state(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    id: &IdentityId,
    token: &TokenState,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;
    let query = sqlx::query(
        "UPDATE identities SET token_sealed = $4, token_expires_at = $5, \
         token_lifetime_seconds = $6, token_last_exchange_at = $7, token_last_error = $8, \
         token_last_error_at = $9 WHERE account = $1 AND subscription = $2 AND id = $3",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(id.as_str());
    let updated = bind_token(query, token).execute(&mut *w.tx).await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    w.commit().await
}

pub(super) async fn count(
    store: &PostgresStore,
    sub: &SubscriptionRef,
    connector: &EntityId,
) -> Result<u64, StoreError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM identities \
         WHERE account = $1 AND subscription = $2 AND connector = $3",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(connector.as_str())
    .fetch_one(&store.pool)
    .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Whether `id` is an identity of `connector` (the commit reuses it only then).
pub(super) async fn exists(
    conn: &mut PgConnection,
    sub: &SubscriptionRef,
    connector: &EntityId,
    id: &str,
) -> Result<bool, StoreError> {
    let found: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM identities \
         WHERE account = $1 AND subscription = $2 AND connector = $3 AND id = $4",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(connector.as_str())
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// What the commit writes to one identity row besides the plan's `IdentityWrite`.
pub(super) struct IdentityRowWrite<'a> {
    pub(super) id: &'a str,
    pub(super) install: &'a str,
    pub(super) tags: &'a Tags,
    pub(super) version: &'a str,
    pub(super) now: EpochMillis,
}

pub(super) async fn insert(
    conn: &mut PgConnection,
    sub: &SubscriptionRef,
    row: &IdentityRowWrite<'_>,
    write: &IdentityWrite,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "INSERT INTO identities (account, subscription, id, connector, install, data, \
         sealed_secret, tags, version, date_added, date_modified, token_sealed, \
         token_expires_at, token_lifetime_seconds, token_last_exchange_at, token_last_error, \
         token_last_error_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(row.id)
    .bind(write.connector.as_str())
    .bind(row.install)
    .bind(json_to_text(&write.data))
    .bind(write.sealed_secret.0.as_slice())
    .bind(tags_to_text(row.tags))
    .bind(row.version)
    .bind(row.now.0);
    bind_token(query, &write.token)
        .execute(&mut *conn)
        .await
        .map_err(insert_error)?;

    write_tags(conn, sub, row).await
}

/// Replaces an identity's data, secret, token and tags in place, keeping its id.
pub(super) async fn update(
    conn: &mut PgConnection,
    sub: &SubscriptionRef,
    row: &IdentityRowWrite<'_>,
    write: &IdentityWrite,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "UPDATE identities SET install = $4, data = $5, sealed_secret = $6, tags = $7, \
         version = $8, date_modified = $9, token_sealed = $10, token_expires_at = $11, \
         token_lifetime_seconds = $12, token_last_exchange_at = $13, token_last_error = $14, \
         token_last_error_at = $15 WHERE account = $1 AND subscription = $2 AND id = $3",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(row.id)
    .bind(row.install)
    .bind(json_to_text(&write.data))
    .bind(write.sealed_secret.0.as_slice())
    .bind(tags_to_text(row.tags))
    .bind(row.version)
    .bind(row.now.0);
    bind_token(query, &write.token).execute(&mut *conn).await?;

    write_tags(conn, sub, row).await
}

async fn write_tags(
    conn: &mut PgConnection,
    sub: &SubscriptionRef,
    row: &IdentityRowWrite<'_>,
) -> Result<(), StoreError> {
    let owner = [sub.account.as_str(), sub.subscription.as_str(), row.id];
    tags::replace(conn, &IDENTITY_TAGS, &owner, row.tags).await
}

pub(super) async fn sealed_prefixes(
    store: &PostgresStore,
    len: usize,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
        "SELECT substring(sealed_secret from 1 for $1) FROM identities \
         UNION SELECT substring(token_sealed from 1 for $1) FROM identities \
         WHERE token_sealed IS NOT NULL \
         UNION SELECT substring(sealed from 1 for $1) FROM sessions WHERE sealed IS NOT NULL",
    )
    .bind(i32::try_from(len).unwrap_or(i32::MAX))
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(|(prefix,)| prefix).collect())
}
