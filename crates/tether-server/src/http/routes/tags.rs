//! `{entity}/tag[/{key}[/{value}]]` for integrations and connectors (SPEC §4).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tether_domain::tags::Tags;
use tether_domain::time::EpochMillis;

use super::entities::{describe, load, noun, render, Kind};
use crate::auth::Caller;
use crate::http::envelope::new_version;
use crate::http::paths::{EntityPath, Params};
use crate::http::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct TagPath {
    account: String,
    subscription: String,
    id: String,
    key: String,
    value: Option<String>,
}

impl TagPath {
    fn entity(&self) -> EntityPath {
        EntityPath {
            account: self.account.clone(),
            subscription: self.subscription.clone(),
            id: self.id.clone(),
        }
    }
}

/// `{tags, version}`.
pub(super) async fn list(
    State(state): State<AppState>,
    Kind(kind): Kind,
    caller: Caller,
    Params(path): Params<EntityPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&format!("{}:get", noun(kind)))?;
    let (sub, id) = path.resolve(&state, "id")?;

    let record = load(state.store.as_ref(), &sub, kind, &id).await?;
    Ok(Json(
        json!({ "tags": record.meta.tags, "version": record.meta.version }),
    ))
}

/// `{key, value}`, or 404 when the entity has no such tag.
pub(super) async fn get(
    State(state): State<AppState>,
    Kind(kind): Kind,
    caller: Caller,
    Params(path): Params<TagPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&format!("{}:get", noun(kind)))?;
    let (sub, id) = path.entity().resolve(&state, "id")?;

    let record = load(state.store.as_ref(), &sub, kind, &id).await?;
    let value = record
        .meta
        .tags
        .get(&path.key)
        .ok_or_else(|| ApiError::not_found(format!("tag '{}'", path.key)))?;
    Ok(Json(json!({ "key": path.key, "value": value })))
}

/// Sets one tag; answers with the updated entity.
pub(super) async fn put(
    State(state): State<AppState>,
    Kind(kind): Kind,
    caller: Caller,
    Params(path): Params<TagPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&format!("{}:put-tag", noun(kind)))?;
    let (sub, id) = path.entity().resolve(&state, "id")?;
    let single = Tags::from_caller(&json!({ path.key.clone(): path.value.clone() }), "tag")?;

    let mut record = load(state.store.as_ref(), &sub, kind, &id).await?;
    record.meta.tags.extend(&single);
    if record.meta.tags.len() > 64 {
        return Err(ApiError::BadRequest("tags: at most 64 tags".into()));
    }
    write_tags(&state, &sub, kind, &mut record).await
}

/// Removes one tag; answers with the updated entity.
pub(super) async fn delete(
    State(state): State<AppState>,
    Kind(kind): Kind,
    caller: Caller,
    Params(path): Params<TagPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&format!("{}:put-tag", noun(kind)))?;
    let (sub, id) = path.entity().resolve(&state, "id")?;

    let mut record = load(state.store.as_ref(), &sub, kind, &id).await?;
    record.meta.tags.remove(&path.key);
    write_tags(&state, &sub, kind, &mut record).await
}

async fn write_tags(
    state: &AppState,
    sub: &tether_store::SubscriptionRef,
    kind: tether_store::EntityKind,
    record: &mut tether_store::EntityRecord,
) -> Result<Json<Value>, ApiError> {
    record.meta.version = new_version();
    record.meta.date_modified = EpochMillis::now();
    state
        .store
        .put_entity_tags(
            sub,
            kind,
            &record.id,
            &record.meta.tags,
            &record.meta.version,
            record.meta.date_modified,
        )
        .await
        .map_err(|e| ApiError::from_store(e, describe(kind, &record.id)))?;
    Ok(Json(render(record, "updating")))
}
