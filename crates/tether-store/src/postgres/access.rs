//! Access-control clients and their API keys.

use sqlx::PgConnection;
use tether_domain::ids::{AccountId, ClientId, KeyId};
use tether_domain::time::EpochMillis;

use super::{tags, PostgresStore};
use crate::shared::encode::{insert_error, json_to_text, tags_to_text};
use crate::shared::list::ListSource;
use crate::shared::rows::{ClientRow, KeyRow, CLIENT_COLUMNS, KEY_COLUMNS};
use crate::shared::tags::CLIENT_TAGS;
use crate::{ClientRecord, KeyRecord, ListQuery, Page, StoreError};

fn access_text(client: &ClientRecord) -> String {
    json_to_text(&serde_json::to_value(&client.access).unwrap_or_default())
}

pub(super) async fn insert_client(
    conn: &mut PgConnection,
    client: &ClientRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO clients (account, id, display_name, access, tags, version, date_added, \
         date_modified) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(client.account.as_str())
    .bind(client.id.as_str())
    .bind(client.display_name.as_deref())
    .bind(access_text(client))
    .bind(tags_to_text(&client.meta.tags))
    .bind(&client.meta.version)
    .bind(client.meta.date_added.0)
    .bind(client.meta.date_modified.0)
    .execute(&mut *conn)
    .await
    .map_err(insert_error)?;

    let owner = [client.account.as_str(), client.id.as_str()];
    tags::replace(conn, &CLIENT_TAGS, &owner, &client.meta.tags).await
}

pub(super) async fn insert_key(conn: &mut PgConnection, key: &KeyRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_keys (account, id, client, display_name, hash, expires_at, revoked_at, \
         date_added) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(key.account.as_str())
    .bind(key.id.as_str())
    .bind(key.client.as_str())
    .bind(key.display_name.as_deref())
    .bind(key.hash.as_slice())
    .bind(key.expires_at.map(|t| t.0))
    .bind(key.revoked_at.map(|t| t.0))
    .bind(key.date_added.0)
    .execute(&mut *conn)
    .await
    .map_err(insert_error)?;
    Ok(())
}

pub(super) async fn create_client(
    store: &PostgresStore,
    client: &ClientRecord,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;
    insert_client(&mut w.tx, client).await?;
    w.commit().await
}

pub(super) async fn get_client(
    store: &PostgresStore,
    account: &AccountId,
    id: &ClientId,
) -> Result<ClientRecord, StoreError> {
    let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE account = $1 AND id = $2");
    sqlx::query_as::<_, ClientRow>(&sql)
        .bind(account.as_str())
        .bind(id.as_str())
        .fetch_optional(&store.pool)
        .await?
        .ok_or(StoreError::NotFound)?
        .into_record()
}

pub(super) async fn list_clients(
    store: &PostgresStore,
    account: &AccountId,
    query: &ListQuery,
) -> Result<Page<ClientRecord>, StoreError> {
    let source = ListSource {
        table: "clients",
        columns: CLIENT_COLUMNS,
        scope: vec![("account", account.as_str())],
        tags: &CLIENT_TAGS,
    };
    tags::list(&store.pool, source, query, ClientRow::into_record, |c| {
        c.id.to_string()
    })
    .await
}

pub(super) async fn put_client(
    store: &PostgresStore,
    client: &ClientRecord,
    expected_version: &str,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;

    let updated = sqlx::query(
        "UPDATE clients SET display_name = $3, access = $4, tags = $5, version = $6, \
         date_modified = $7 WHERE account = $1 AND id = $2 AND version = $8",
    )
    .bind(client.account.as_str())
    .bind(client.id.as_str())
    .bind(client.display_name.as_deref())
    .bind(access_text(client))
    .bind(tags_to_text(&client.meta.tags))
    .bind(&client.meta.version)
    .bind(client.meta.date_modified.0)
    .bind(expected_version)
    .execute(&mut *w.tx)
    .await?;
    if updated.rows_affected() == 0 {
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM clients WHERE account = $1 AND id = $2")
                .bind(client.account.as_str())
                .bind(client.id.as_str())
                .fetch_optional(&mut *w.tx)
                .await?;
        return Err(match exists {
            Some(_) => StoreError::VersionMismatch,
            None => StoreError::NotFound,
        });
    }

    let owner = [client.account.as_str(), client.id.as_str()];
    tags::replace(&mut w.tx, &CLIENT_TAGS, &owner, &client.meta.tags).await?;
    w.commit().await
}

/// Deletes the client; its keys and tags go with it (foreign keys cascade).
pub(super) async fn delete_client(
    store: &PostgresStore,
    account: &AccountId,
    id: &ClientId,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;
    let deleted = sqlx::query("DELETE FROM clients WHERE account = $1 AND id = $2")
        .bind(account.as_str())
        .bind(id.as_str())
        .execute(&mut *w.tx)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    w.commit().await
}

pub(super) async fn create_key(store: &PostgresStore, key: &KeyRecord) -> Result<(), StoreError> {
    let mut w = store.write().await?;
    insert_key(&mut w.tx, key).await?;
    w.commit().await
}

/// The client's keys, oldest first.
pub(super) async fn list_keys(
    store: &PostgresStore,
    account: &AccountId,
    client: &ClientId,
) -> Result<Vec<KeyRecord>, StoreError> {
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM api_keys WHERE account = $1 AND client = $2 \
         ORDER BY date_added, id"
    );
    sqlx::query_as::<_, KeyRow>(&sql)
        .bind(account.as_str())
        .bind(client.as_str())
        .fetch_all(&store.pool)
        .await?
        .into_iter()
        .map(KeyRow::into_record)
        .collect()
}

pub(super) async fn revoke_key(
    store: &PostgresStore,
    account: &AccountId,
    client: &ClientId,
    key: &KeyId,
    at: EpochMillis,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;
    let revoked = sqlx::query(
        "UPDATE api_keys SET revoked_at = $4 \
         WHERE account = $1 AND client = $2 AND id = $3 AND revoked_at IS NULL",
    )
    .bind(account.as_str())
    .bind(client.as_str())
    .bind(key.as_str())
    .bind(at.0)
    .execute(&mut *w.tx)
    .await?;
    if revoked.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    w.commit().await
}

pub(super) async fn find_key(
    store: &PostgresStore,
    hash: &[u8; 32],
) -> Result<Option<(KeyRecord, ClientRecord)>, StoreError> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE hash = $1");
    let Some(row) = sqlx::query_as::<_, KeyRow>(&sql)
        .bind(hash.as_slice())
        .fetch_optional(&store.pool)
        .await?
    else {
        return Ok(None);
    };

    let key = row.into_record()?;
    let client = get_client(store, &key.account, &key.client).await?;
    Ok(Some((key, client)))
}
