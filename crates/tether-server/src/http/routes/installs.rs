//! Installs (SPEC §8.1): list, search across integrations, get, delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use tether_domain::ids::InstallId;
use tether_store::InstallRecord;

use crate::auth::Caller;
use crate::http::envelope;
use crate::http::paths::{EntityPath, ListParams, Params, SubPath};
use crate::http::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct InstallPath {
    account: String,
    subscription: String,
    id: String,
    install: String,
}

impl InstallPath {
    fn resolve(
        &self,
        state: &AppState,
    ) -> Result<
        (
            tether_store::SubscriptionRef,
            tether_domain::ids::EntityId,
            InstallId,
        ),
        ApiError,
    > {
        let (sub, integration) = EntityPath {
            account: self.account.clone(),
            subscription: self.subscription.clone(),
            id: self.id.clone(),
        }
        .resolve(state, "integrationId")?;
        Ok((sub, integration, InstallId::parse(&self.install)?))
    }
}

fn render(record: InstallRecord) -> Value {
    envelope::entity(record.id.as_str(), record.data, &record.meta, "creating")
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<EntityPath>,
    ListParams(query): ListParams,
) -> Result<Json<Value>, ApiError> {
    caller.require("install:get")?;
    let (sub, integration) = path.resolve(&state, "integrationId")?;

    let page = state
        .store
        .list_installs(&sub, Some(&integration), &query)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(envelope::list(page, render)))
}

pub(super) async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<SubPath>,
    ListParams(query): ListParams,
) -> Result<Json<Value>, ApiError> {
    caller.require("install:get")?;
    let sub = path.resolve(&state)?;

    let page = state
        .store
        .list_installs(&sub, None, &query)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(envelope::list(page, render)))
}

pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<InstallPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require("install:get")?;
    let (sub, integration, id) = path.resolve(&state)?;

    let record = state
        .store
        .get_install(&sub, &integration, &id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("install '{id}'")))?;
    Ok(Json(render(record)))
}

pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<InstallPath>,
) -> Result<StatusCode, ApiError> {
    caller.require("install:delete")?;
    let (sub, integration, id) = path.resolve(&state)?;

    state
        .store
        .delete_install(&sub, &integration, &id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("install '{id}'")))?;
    Ok(StatusCode::NO_CONTENT)
}
