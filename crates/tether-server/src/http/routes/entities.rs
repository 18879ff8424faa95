//! Integration and connector CRUD (SPEC §5): one set of handlers, the kind read from the path.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{Map, Value};
use tether_domain::ccf::{CcfConfig, HANDLERS};
use tether_domain::ids::EntityId;
use tether_domain::integration;
use tether_domain::tags::Tags;
use tether_domain::time::EpochMillis;
use tether_domain::FieldError;
use tether_store::{EntityKind, EntityRecord, Meta, Store, SubscriptionRef};

use crate::auth::Caller;
use crate::http::envelope::{self, new_version};
use crate::http::extract::JsonObject;
use crate::http::paths::{EntityPath, ListParams, Params, SubPath};
use crate::http::{ApiError, AppState};

/// Which kind of entity the path names (`…/integration/…` or `…/connector/…`).
pub(super) struct Kind(pub EntityKind);

impl<S: Send + Sync> FromRequestParts<S> for Kind {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match parts.uri.path().split('/').nth(6) {
            Some("integration") => Ok(Self(EntityKind::Integration)),
            Some("connector") => Ok(Self(EntityKind::Connector)),
            _ => Err(ApiError::NotFound("no such route".into())),
        }
    }
}

pub(super) fn noun(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Integration => "integration",
        EntityKind::Connector => "connector",
    }
}

pub(super) fn describe(kind: EntityKind, id: &EntityId) -> String {
    format!("{} '{id}'", noun(kind))
}

pub(super) fn render(record: &EntityRecord, operation: &str) -> Value {
    envelope::entity(
        record.id.as_str(),
        record.data.clone(),
        &record.meta,
        operation,
    )
}

pub(super) async fn list(
    State(state): State<AppState>,
    Kind(kind): Kind,
    caller: Caller,
    Params(path): Params<SubPath>,
    ListParams(query): ListParams,
) -> Result<Json<Value>, ApiError> {
    caller.require(&format!("{}:get", noun(kind)))?;
    let sub = path.resolve(&state)?;

    let page = state
        .store
        .list_entities(&sub, kind, &query)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(envelope::list(page, |r| render(&r, "listing"))))
}

pub(super) async fn create(
    State(state): State<AppState>,
    Kind(kind): Kind,
    caller: Caller,
    Params(path): Params<EntityPath>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    caller.require(&format!("{}:add", noun(kind)))?;
    let body = body.read()?;
    let (sub, id) = path.resolve(&state, "id")?;

    if let Some(body_id) = body.get("id") {
        if body_id.as_str() != Some(id.as_str()) {
            return Err(FieldError::new("id", "must match the id in the path").into());
        }
    }
    let (data, connector_refs) = validate_data(kind, body.get("data"))?;
    let tags = optional_tags(&body)?;

    let now = EpochMillis::now();
    let record = EntityRecord {
        kind,
        id,
        data,
        meta: Meta {
            tags,
            version: new_version(),
            date_added: now,
            date_modified: now,
        },
        connector_refs,
    };
    state
        .store
        .create_entity(&sub, &record)
        .await
        .map_err(|e| ApiError::from_store(e, describe(kind, &record.id)))?;
    Ok(Json(render(&record, "creating")))
}

pub(super) async fn get(
    State(state): State<AppState>,
    Kind(kind): Kind,
    caller: Caller,
    Params(path): Params<EntityPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&format!("{}:get", noun(kind)))?;
    let (sub, id) = path.resolve(&state, "id")?;

    let record = load(state.store.as_ref(), &sub, kind, &id).await?;
    Ok(Json(render(&record, "creating")))
}

pub(super) async fn put(
    State(state): State<AppState>,
    Kind(kind): Kind,
    caller: Caller,
    Params(path): Params<EntityPath>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    caller.require(&format!("{}:update", noun(kind)))?;
    let body = body.read()?;
    let (sub, id) = path.resolve(&state, "id")?;

    if let Some(body_id) = body.get("id") {
        if body_id.as_str() != Some(id.as_str()) {
            return Err(FieldError::new("id", "must match the id in the path").into());
        }
    }
    let (data, connector_refs) = validate_data(kind, body.get("data"))?;
    let tags = optional_tags(&body)?;
    let expected = match body.get("version") {
        None | Some(Value::Null) => None,
        Some(Value::String(version)) => Some(version.clone()),
        Some(_) => return Err(FieldError::new("version", "must be a string").into()),
    };

    let stored = load(state.store.as_ref(), &sub, kind, &id).await?;
    let expected = expected.unwrap_or_else(|| stored.meta.version.clone());
    let record = EntityRecord {
        kind,
        id,
        data,
        meta: Meta {
            tags,
            version: new_version(),
            date_added: stored.meta.date_added,
            date_modified: EpochMillis::now(),
        },
        connector_refs,
    };
    state
        .store
        .put_entity(&sub, &record, &expected)
        .await
        .map_err(|e| ApiError::from_store(e, describe(kind, &record.id)))?;
    Ok(Json(render(&record, "updating")))
}

pub(super) async fn delete(
    State(state): State<AppState>,
    Kind(kind): Kind,
    caller: Caller,
    Params(path): Params<EntityPath>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(&format!("{}:delete", noun(kind)))?;
    let (sub, id) = path.resolve(&state, "id")?;

    state
        .store
        .delete_entity(&sub, kind, &id)
        .await
        .map_err(|e| ApiError::from_store(e, describe(kind, &id)))?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn load(
    store: &dyn Store,
    sub: &SubscriptionRef,
    kind: EntityKind,
    id: &EntityId,
) -> Result<EntityRecord, ApiError> {
    store
        .get_entity(sub, kind, id)
        .await
        .map_err(|e| ApiError::from_store(e, describe(kind, id)))
}

fn optional_tags(body: &Map<String, Value>) -> Result<Tags, FieldError> {
    match body.get("tags") {
        None | Some(Value::Null) => Ok(Tags::default()),
        Some(value) => Tags::from_caller(value, "tags"),
    }
}

/// Validates `data` for its kind; returns it as stored, with the connectors it references.
fn validate_data(
    kind: EntityKind,
    data: Option<&Value>,
) -> Result<(Value, Vec<EntityId>), FieldError> {
    let Some(Value::Object(data)) = data else {
        return Err(FieldError::new("data", "is required and must be an object"));
    };
    let mut data = data.clone();

    match kind {
        EntityKind::Integration => {
            let components = integration::components(&data)?;
            let mut refs: Vec<EntityId> = components.into_iter().map(|c| c.connector).collect();
            refs.sort();
            refs.dedup();
            Ok((Value::Object(data), refs))
        }
        EntityKind::Connector => {
            match data.get("handler").and_then(Value::as_str) {
                Some(handler) if HANDLERS.contains(&handler) => {}
                Some(_) | None => {
                    return Err(FieldError::new(
                        "data.handler",
                        format!("must be one of: {}", HANDLERS.join(", ")),
                    ))
                }
            }
            let config = CcfConfig::from_json(data.get("configuration").unwrap_or(&Value::Null))
                .map_err(|e| e.within("data"))?;
            data.insert("configuration".into(), config.to_json());
            Ok((Value::Object(data), Vec::new()))
        }
    }
}
