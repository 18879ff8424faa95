//! Identities (SPEC §8.2): list, get, delete. The client secret and the token never show.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tether_domain::ccf::CcfConfig;
use tether_domain::ids::{EntityId, IdentityId};
use tether_domain::time::EpochMillis;
use tether_store::{EntityKind, IdentityRecord, SubscriptionRef};

use super::entities::load;
use crate::auth::Caller;
use crate::ccf::UpstreamFailure;
use crate::http::envelope;
use crate::http::paths::{EntityPath, ListParams, Params};
use crate::http::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct IdentityPath {
    account: String,
    subscription: String,
    id: String,
    identity: String,
}

impl IdentityPath {
    fn resolve(
        &self,
        state: &AppState,
    ) -> Result<(SubscriptionRef, EntityId, IdentityId), ApiError> {
        let (sub, connector) = EntityPath {
            account: self.account.clone(),
            subscription: self.subscription.clone(),
            id: self.id.clone(),
        }
        .resolve(state, "connectorId")?;
        Ok((sub, connector, IdentityId::parse(&self.identity)?))
    }
}

/// `valid`, `expiring` (past the re-exchange point), `expired`, `failed` (the last exchange
/// failed and no token is left) or `none`.
pub(crate) fn token_status(
    config: &CcfConfig,
    identity: &IdentityRecord,
    now: EpochMillis,
) -> Value {
    let token = &identity.token;
    let failed_last = token
        .last_error_at
        .is_some_and(|at| token.last_exchange_at.is_none_or(|ok| at > ok));
    let status = match (token.expires_at, token.lifetime_seconds) {
        (Some(expires), Some(lifetime))
            if now < expires.minus_seconds(config.buffer_seconds(lifetime)) =>
        {
            "valid"
        }
        (Some(expires), _) if now < expires => "expiring",
        _ if failed_last => "failed",
        (Some(_), _) => "expired",
        (None, _) => "none",
    };

    let mut out = json!({
        "status": status,
        "expiresAt": token.expires_at.map(|t| t.0),
        "lastExchangeAt": token.last_exchange_at.map(|t| t.0),
    });
    if failed_last {
        if let Some(failure) = token
            .last_error
            .as_ref()
            .and_then(UpstreamFailure::from_json)
        {
            out["lastError"] = json!({
                "code": failure.code,
                "message": failure.message,
                "at": token.last_error_at.map(|t| t.0),
            });
        }
    }
    out
}

fn render(config: &CcfConfig, identity: IdentityRecord, now: EpochMillis) -> Value {
    let mut data = json!({
        "client_id": identity.data.get("client_id"),
        "scope": identity.data.get("scope"),
        "audience": identity.data.get("audience"),
    });
    data["token"] = token_status(config, &identity, now);
    envelope::entity(identity.id.as_str(), data, &identity.meta, "creating")
}

async fn connector_config(
    state: &AppState,
    sub: &SubscriptionRef,
    connector: &EntityId,
) -> Result<CcfConfig, ApiError> {
    let record = load(state.store.as_ref(), sub, EntityKind::Connector, connector).await?;
    CcfConfig::from_json(&record.data["configuration"]).map_err(ApiError::internal)
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<EntityPath>,
    ListParams(query): ListParams,
) -> Result<Json<Value>, ApiError> {
    caller.require("identity:get")?;
    let (sub, connector) = path.resolve(&state, "connectorId")?;

    let config = connector_config(&state, &sub, &connector).await?;
    let page = state
        .store
        .list_identities(&sub, &connector, &query)
        .await
        .map_err(ApiError::internal)?;
    let now = EpochMillis::now();
    Ok(Json(envelope::list(page, |i| render(&config, i, now))))
}

pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<IdentityPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require("identity:get")?;
    let (sub, connector, id) = path.resolve(&state)?;

    let config = connector_config(&state, &sub, &connector).await?;
    let identity = state
        .store
        .get_identity(&sub, &connector, &id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("identity '{id}'")))?;
    Ok(Json(render(&config, identity, EpochMillis::now())))
}

pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<IdentityPath>,
) -> Result<StatusCode, ApiError> {
    caller.require("identity:delete")?;
    let (sub, connector, id) = path.resolve(&state)?;

    state
        .store
        .delete_identity(&sub, &connector, &id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("identity '{id}'")))?;
    Ok(StatusCode::NO_CONTENT)
}
