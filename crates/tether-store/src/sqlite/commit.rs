//! The session commit (SPEC §7.3): install, identities and session in one transaction.
//!
//! Concurrency: the whole commit runs inside one `BEGIN IMMEDIATE` transaction taken after this
//! process's writer turn, so commits never interleave; the unique index on
//! `(account, subscription, integration, tenant)` is the backstop.

use serde_json::{Map, Value};
use sqlx::SqliteConnection;
use tether_domain::ids::{IdentityId, InstallId};
use tether_domain::tags::PARENT_TAG;

use super::identities::{self, IdentityRowWrite};
use super::{installs, tags, SqliteStore};
use crate::shared::encode::{
    identity_reference, identity_tags, insert_error, json_to_text, new_version,
    referenced_identity, tags_to_text,
};
use crate::shared::tags::INSTALL_TAGS;
use crate::{CommitPlan, InstallRecord, Meta, StoreError, SubscriptionRef};

/// The span names ids only: never the tenant's input, never a secret.
#[tracing::instrument(
    name = "store.commit_session",
    skip_all,
    fields(integration = %plan.integration, session = %plan.session)
)]
pub(super) async fn commit(
    store: &SqliteStore,
    sub: &SubscriptionRef,
    plan: &CommitPlan,
) -> Result<InstallRecord, StoreError> {
    let mut w = store.write().await?;
    let install = commit_in(&mut w.tx, sub, plan).await?;
    w.commit().await?;
    Ok(install)
}

async fn commit_in(
    conn: &mut SqliteConnection,
    sub: &SubscriptionRef,
    plan: &CommitPlan,
) -> Result<InstallRecord, StoreError> {
    check_session(conn, sub, plan).await?;

    let tenant = plan.tags.tenant();
    let existing = match (&plan.install_id, &tenant) {
        (Some(id), _) => Some(
            installs::find(conn, sub, &plan.integration, id)
                .await?
                .ok_or(StoreError::NotFound)?,
        ),
        (None, Some(tenant)) => {
            installs::find_by_tenant(conn, sub, &plan.integration, tenant).await?
        }
        (None, None) => None,
    };

    let mut install_tags = plan.tags.clone();
    install_tags.set(PARENT_TAG, Some(plan.integration.as_str().to_owned()));
    let (install_id, date_added, mut data) = match &existing {
        Some(found) => (found.id.clone(), found.meta.date_added, object(&found.data)),
        None => (InstallId::generate(), plan.now, Map::new()),
    };

    // Decide, component by component, whether the install's identity is reused or a new one made.
    let mut targets = Vec::with_capacity(plan.identities.len());
    for write in &plan.identities {
        let reused = match referenced_identity(&data, &write.component) {
            Some(id) if identities::exists(conn, sub, &write.connector, id).await? => {
                Some(id.to_owned())
            }
            _ => None,
        };
        let id = reused
            .clone()
            .unwrap_or_else(|| IdentityId::generate().to_string());
        data.insert(
            write.component.clone(),
            identity_reference(&id, &write.connector),
        );
        targets.push((id, reused.is_some()));
    }

    let install = InstallRecord {
        id: install_id,
        integration: plan.integration.clone(),
        tenant: tenant.clone(),
        data: Value::Object(data),
        meta: Meta {
            tags: install_tags,
            version: new_version(),
            date_added,
            date_modified: plan.now,
        },
    };
    write_install(conn, sub, &install, existing.is_none()).await?;

    for (write, (id, reused)) in plan.identities.iter().zip(&targets) {
        let tags = identity_tags(write.connector.as_str(), tenant.as_ref());
        let version = new_version();
        let row = IdentityRowWrite {
            id,
            install: install.id.as_str(),
            tags: &tags,
            version: &version,
            now: plan.now,
        };
        if *reused {
            identities::update(conn, sub, &row, write).await?;
        } else {
            identities::insert(conn, sub, &row, write).await?;
        }
    }

    mark_committed(conn, sub, plan, &install.id).await?;
    Ok(install)
}

/// `NotFound` unless the session exists for this integration; `AlreadyCommitted` if it was.
async fn check_session(
    conn: &mut SqliteConnection,
    sub: &SubscriptionRef,
    plan: &CommitPlan,
) -> Result<(), StoreError> {
    let found: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT integration, install FROM sessions \
         WHERE account = $1 AND subscription = $2 AND id = $3",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(plan.session.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    match found {
        None => Err(StoreError::NotFound),
        Some((_, Some(install_id))) => Err(StoreError::AlreadyCommitted { install_id }),
        Some((integration, None)) if integration != plan.integration.as_str() => {
            Err(StoreError::NotFound)
        }
        Some(_) => Ok(()),
    }
}

/// An install's data as a map; anything else (never written by this store) starts empty.
fn object(data: &Value) -> Map<String, Value> {
    data.as_object().cloned().unwrap_or_default()
}

/// Inserts or updates the install row and its tags. A tenant that already has another install
/// of this integration breaks the unique index: `AlreadyExists`.
async fn write_install(
    conn: &mut SqliteConnection,
    sub: &SubscriptionRef,
    install: &InstallRecord,
    is_new: bool,
) -> Result<(), StoreError> {
    let sql = if is_new {
        "INSERT INTO installs (account, subscription, id, integration, tenant, data, tags, \
         version, date_added, date_modified) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    } else {
        "UPDATE installs SET integration = $4, tenant = $5, data = $6, tags = $7, version = $8, \
         date_added = $9, date_modified = $10 \
         WHERE account = $1 AND subscription = $2 AND id = $3"
    };
    sqlx::query(sql)
        .bind(sub.account.as_str())
        .bind(sub.subscription.as_str())
        .bind(install.id.as_str())
        .bind(install.integration.as_str())
        .bind(install.tenant.as_ref().map(|t| t.as_str()))
        .bind(json_to_text(&install.data))
        .bind(tags_to_text(&install.meta.tags))
        .bind(&install.meta.version)
        .bind(install.meta.date_added.0)
        .bind(install.meta.date_modified.0)
        .execute(&mut *conn)
        .await
        .map_err(insert_error)?;

    let owner = [
        sub.account.as_str(),
        sub.subscription.as_str(),
        install.id.as_str(),
    ];
    tags::replace(conn, &INSTALL_TAGS, &owner, &install.meta.tags).await
}

/// The session now names its install, shows the plan's data and keeps no sealed state.
async fn mark_committed(
    conn: &mut SqliteConnection,
    sub: &SubscriptionRef,
    plan: &CommitPlan,
    install: &InstallId,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sessions SET install = $4, sealed = NULL, data = $5, version = $6, \
         date_modified = $7 WHERE account = $1 AND subscription = $2 AND id = $3",
    )
    .bind(sub.account.as_str())
    .bind(sub.subscription.as_str())
    .bind(plan.session.as_str())
    .bind(install.as_str())
    .bind(json_to_text(&plan.session_data))
    .bind(new_version())
    .bind(plan.now.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
