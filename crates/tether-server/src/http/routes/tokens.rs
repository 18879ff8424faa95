//! The token routes (SPEC §8.3): by tenant, and the compatible route by identity.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tether_domain::ccf::CcfConfig;
use tether_domain::ids::{EntityId, IdentityId};
use tether_domain::integration;
use tether_domain::tags::TenantId;
use tether_domain::time::EpochMillis;
use tether_store::{EntityKind, SubscriptionRef};

use super::entities::load;
use super::session_create::base_path;
use crate::auth::Caller;
use crate::ccf::ServedToken;
use crate::http::extract::QueryParams;
use crate::http::paths::{Params, SubPath};
use crate::http::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct TenantTokenPath {
    account: String,
    subscription: String,
    id: String,
    tenant: String,
    component: String,
}

#[derive(Deserialize)]
pub(super) struct TokenQuery {
    force: Option<String>,
}

impl TokenQuery {
    fn force(&self) -> Result<bool, ApiError> {
        match self.force.as_deref() {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(ApiError::BadRequest("force: must be true or false".into())),
        }
    }
}

pub(super) async fn by_tenant(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<TenantTokenPath>,
    QueryParams(query): QueryParams<TokenQuery>,
) -> Result<Response, ApiError> {
    caller.require("install:get")?;
    let sub = SubPath {
        account: path.account,
        subscription: path.subscription,
    }
    .resolve(&state)?;
    let integration_id = EntityId::parse(&path.id, "integrationId")?;
    let tenant = TenantId::parse(&path.tenant)?;
    let force = query.force()?;
    let connectors = format!("{}/connector/", base_path(&sub).trim_start_matches("/v2"));
    caller.require_under("connector:execute", &connectors)?;

    let integration = load(
        state.store.as_ref(),
        &sub,
        EntityKind::Integration,
        &integration_id,
    )
    .await?;
    let data = integration.data.as_object().cloned().unwrap_or_default();
    let component = integration::components(&data)
        .map_err(ApiError::internal)?
        .into_iter()
        .find(|c| c.name == path.component)
        .ok_or_else(|| ApiError::Missing {
            code: "unknown_component",
            message: format!(
                "component '{}' not found in integration '{integration_id}'",
                path.component
            ),
        })?;
    caller.require_on(
        "connector:execute",
        &format!(
            "{}/connector/{}/",
            base_path(&sub).trim_start_matches("/v2"),
            component.connector
        ),
    )?;

    let install = state
        .store
        .find_install_by_tenant(&sub, &integration_id, &tenant)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::Missing {
            code: "no_install",
            message: format!("tenant '{tenant}' has no install of integration '{integration_id}'"),
        })?;
    let identity_id = install
        .data
        .get(&component.name)
        .and_then(|c| c.get("entityId"))
        .and_then(Value::as_str)
        .and_then(|id| IdentityId::parse(id).ok())
        .ok_or_else(|| ApiError::Missing {
            code: "no_install",
            message: format!(
                "the install of tenant '{tenant}' has no identity for component '{}'",
                component.name
            ),
        })?;

    let (served, identity_id) =
        serve(&state, &sub, &component.connector, &identity_id, force).await?;
    let mut body = token_body(&served);
    body["install_id"] = json!(install.id);
    body["identity_id"] = json!(identity_id);
    Ok(no_store(body))
}

#[derive(Deserialize)]
pub(super) struct IdentityTokenPath {
    account: String,
    subscription: String,
    id: String,
    identity: String,
}

pub(super) async fn by_identity(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<IdentityTokenPath>,
    QueryParams(query): QueryParams<TokenQuery>,
) -> Result<Response, ApiError> {
    caller.require("connector:execute")?;
    let sub = SubPath {
        account: path.account,
        subscription: path.subscription,
    }
    .resolve(&state)?;
    let connector = EntityId::parse(&path.id, "connectorId")?;
    let identity_id = IdentityId::parse(&path.identity)?;
    let force = query.force()?;

    let (served, _) = serve(&state, &sub, &connector, &identity_id, force).await?;
    Ok(no_store(json!({
        "access_token": served.access_token.expose(),
        "token_type": "Bearer",
        "expires_at": served.expires_at.0,
        "client_id": served.client_id,
    })))
}

async fn serve(
    state: &AppState,
    sub: &SubscriptionRef,
    connector: &EntityId,
    identity_id: &IdentityId,
    force: bool,
) -> Result<(ServedToken, IdentityId), ApiError> {
    let record = load(state.store.as_ref(), sub, EntityKind::Connector, connector).await?;
    let config = CcfConfig::from_json(&record.data["configuration"]).map_err(ApiError::internal)?;
    let identity = state
        .store
        .get_identity(sub, connector, identity_id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("identity '{identity_id}'")))?;

    let served = state
        .tokens
        .serve(sub, connector.as_str(), &config, identity, force)
        .await?;
    Ok((served, identity_id.clone()))
}

fn token_body(served: &ServedToken) -> Value {
    let now = EpochMillis::now();
    let mut body = json!({
        "access_token": served.access_token.expose(),
        "token_type": "Bearer",
        "expires_at": served.expires_at.0,
        "expires_in": (served.expires_at.0 - now.0).max(0) / 1000,
        "client_id": served.client_id,
    });
    if let Some(scope) = &served.scope {
        body["scope"] = json!(scope);
    }
    if !served.extra.is_empty() {
        body["extra"] = Value::Object(served.extra.clone());
    }
    body
}

fn no_store(body: Value) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}
