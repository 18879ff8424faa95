//! Accounts, their subscriptions, and the first-start bootstrap.

use std::collections::BTreeMap;

use tether_domain::ids::{AccountId, SubscriptionId};
use tether_domain::time::EpochMillis;

use super::{access, PostgresStore};
use crate::{AccountRecord, ClientRecord, KeyRecord, StoreError};

pub(super) async fn all(store: &PostgresStore) -> Result<Vec<AccountRecord>, StoreError> {
    let accounts: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, date_added FROM accounts ORDER BY date_added, id")
            .fetch_all(&store.pool)
            .await?;
    let subscriptions: Vec<(String, String)> =
        sqlx::query_as("SELECT account, id FROM subscriptions ORDER BY account, position")
            .fetch_all(&store.pool)
            .await?;

    let mut by_account: BTreeMap<String, Vec<SubscriptionId>> = BTreeMap::new();
    for (account, id) in subscriptions {
        let id = SubscriptionId::parse(&id)
            .map_err(|_| StoreError::Corrupt(format!("bad subscription id {id:?}")))?;
        by_account.entry(account).or_default().push(id);
    }

    accounts
        .into_iter()
        .map(|(id, date_added)| {
            let subscriptions = by_account.remove(&id).unwrap_or_default();
            Ok(AccountRecord {
                id: AccountId::parse(&id)
                    .map_err(|_| StoreError::Corrupt(format!("bad account id {id:?}")))?,
                subscriptions,
                date_added: EpochMillis(date_added),
            })
        })
        .collect()
}

/// Account, subscriptions, client and key in one transaction, only on a database without
/// accounts (`AlreadyExists` otherwise): a failed bootstrap leaves nothing.
pub(super) async fn bootstrap(
    store: &PostgresStore,
    account: &AccountRecord,
    client: &ClientRecord,
    key: &KeyRecord,
) -> Result<(), StoreError> {
    let mut w = store.write().await?;

    // Instances starting together on an empty database take turns here; the later ones find
    // the account the first created.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('tether:bootstrap', 0))")
        .execute(&mut *w.tx)
        .await?;
    let (taken,): (bool,) = sqlx::query_as("SELECT EXISTS (SELECT 1 FROM accounts)")
        .fetch_one(&mut *w.tx)
        .await?;
    if taken {
        return Err(StoreError::AlreadyExists);
    }

    sqlx::query("INSERT INTO accounts (id, date_added) VALUES ($1, $2)")
        .bind(account.id.as_str())
        .bind(account.date_added.0)
        .execute(&mut *w.tx)
        .await
        .map_err(crate::shared::encode::insert_error)?;
    for (position, subscription) in account.subscriptions.iter().enumerate() {
        sqlx::query("INSERT INTO subscriptions (account, id, position) VALUES ($1, $2, $3)")
            .bind(account.id.as_str())
            .bind(subscription.as_str())
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .execute(&mut *w.tx)
            .await
            .map_err(crate::shared::encode::insert_error)?;
    }
    access::insert_client(&mut w.tx, client).await?;
    access::insert_key(&mut w.tx, key).await?;

    w.commit().await
}
