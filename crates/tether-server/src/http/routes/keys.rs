//! API keys of a client (SPEC §9): create (the key is shown once), list, revoke.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tether_domain::ids::KeyId;
use tether_domain::time::EpochMillis;
use tether_domain::FieldError;
use tether_store::KeyRecord;

use super::clients::ClientPath;
use crate::auth::{ApiKey, Caller};
use crate::http::extract::JsonObject;
use crate::http::paths::Params;
use crate::http::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct KeyPath {
    account: String,
    client: String,
    key: String,
}

fn render(key: &KeyRecord) -> Value {
    json!({
        "id": key.id,
        "clientId": key.client,
        "displayName": key.display_name,
        "expiresAt": key.expires_at.map(|t| t.0),
        "revokedAt": key.revoked_at.map(|t| t.0),
        "dateAdded": key.date_added.to_rfc3339(),
    })
}

pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<ClientPath>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    caller.require("key:add")?;
    let body = body.read()?;
    let (account, client) = path.resolve(&state)?;
    let display_name = match body.get("displayName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) if name.len() <= 256 => Some(name.clone()),
        Some(_) => {
            return Err(
                FieldError::new("displayName", "must be a string of at most 256 bytes").into(),
            )
        }
    };
    let now = EpochMillis::now();
    let expires_at = match body.get("expiresAt") {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_i64() {
            Some(at) if at > now.0 => Some(EpochMillis(at)),
            _ => {
                return Err(FieldError::new(
                    "expiresAt",
                    "must be a time in the future, in milliseconds since the epoch",
                )
                .into())
            }
        },
    };

    let holder = state
        .store
        .get_client(&account, &client)
        .await
        .map_err(|e| ApiError::from_store(e, format!("client '{client}'")))?;
    caller.require_covers(&holder.access, "client.access")?;
    let key = ApiKey::generate();
    let record = KeyRecord {
        id: KeyId::generate(),
        account,
        client,
        display_name,
        hash: key.hash(),
        expires_at,
        revoked_at: None,
        date_added: now,
    };
    state
        .store
        .create_key(&record)
        .await
        .map_err(|e| ApiError::from_store(e, "key"))?;

    let mut body = render(&record);
    body["token"] = json!(key.secret().expose());
    Ok(Json(body))
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<ClientPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require("key:get")?;
    let (account, client) = path.resolve(&state)?;

    let keys = state
        .store
        .list_keys(&account, &client)
        .await
        .map_err(ApiError::internal)?;
    let total = keys.len();
    Ok(Json(json!({
        "items": keys.iter().map(render).collect::<Vec<_>>(),
        "total": total,
    })))
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<KeyPath>,
) -> Result<StatusCode, ApiError> {
    caller.require("key:delete")?;
    let (account, client) = ClientPath {
        account: path.account,
        client: path.client,
    }
    .resolve(&state)?;
    let key = KeyId::parse(&path.key)?;

    let holder = state
        .store
        .get_client(&account, &client)
        .await
        .map_err(|e| ApiError::from_store(e, format!("client '{client}'")))?;
    caller.require_covers(&holder.access, "client.access")?;
    state
        .store
        .revoke_key(&account, &client, &key, EpochMillis::now())
        .await
        .map_err(|e| ApiError::from_store(e, format!("key '{key}'")))?;
    Ok(StatusCode::NO_CONTENT)
}
