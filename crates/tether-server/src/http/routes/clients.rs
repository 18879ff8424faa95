//! Access-control clients and `/me` (SPEC §9).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tether_domain::ids::{AccountId, ClientId};
use tether_domain::permission::Access;
use tether_domain::time::EpochMillis;
use tether_domain::FieldError;
use tether_store::{ClientRecord, Meta};

use crate::auth::Caller;
use crate::http::envelope::{self, new_version};
use crate::http::extract::JsonObject;
use crate::http::paths::{ListParams, Params};
use crate::http::{ApiError, AppState};

#[derive(Deserialize)]
pub(super) struct AccountPath {
    account: String,
}

#[derive(Deserialize)]
pub(super) struct ClientPath {
    pub(super) account: String,
    pub(super) client: String,
}

/// The account, if this hub has it.
pub(super) fn resolve_account(state: &AppState, account: &str) -> Result<AccountId, ApiError> {
    let account = AccountId::parse(account)?;
    if !state.subscriptions.iter().any(|s| s.account == account) {
        return Err(ApiError::not_found(format!("account '{account}'")));
    }
    Ok(account)
}

impl ClientPath {
    pub(super) fn resolve(&self, state: &AppState) -> Result<(AccountId, ClientId), ApiError> {
        Ok((
            resolve_account(state, &self.account)?,
            ClientId::parse(&self.client)?,
        ))
    }
}

pub(super) fn render(client: &ClientRecord, operation: &str) -> Value {
    let mut body = envelope::entity(client.id.as_str(), json!({}), &client.meta, operation);
    let map = body.as_object_mut().map(std::mem::take).unwrap_or_default();
    let mut out: Map<String, Value> = map.into_iter().filter(|(k, _)| k != "data").collect();
    out.insert("displayName".into(), json!(client.display_name));
    out.insert("access".into(), json!(client.access));
    Value::Object(out)
}

pub(super) async fn me(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<AccountPath>,
) -> Result<Json<Value>, ApiError> {
    let account = resolve_account(&state, &path.account)?;
    if caller.client.account != account {
        return Err(ApiError::Forbidden);
    }

    let mut body = render(&caller.client, "creating");
    body["keyId"] = json!(caller.key.id);
    body["accountId"] = json!(account);
    Ok(Json(body))
}

pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<AccountPath>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    caller.require("client:add")?;
    let body = body.read()?;
    let account = resolve_account(&state, &path.account)?;
    let (display_name, access) = parse_body(&body)?;
    let access = access.unwrap_or_default();
    caller.require_covers(&access, "access")?;

    let now = EpochMillis::now();
    let client = ClientRecord {
        id: ClientId::generate(),
        account,
        display_name,
        access,
        meta: Meta {
            tags: Default::default(),
            version: new_version(),
            date_added: now,
            date_modified: now,
        },
    };
    state
        .store
        .create_client(&client)
        .await
        .map_err(|e| ApiError::from_store(e, "client"))?;
    Ok(Json(render(&client, "creating")))
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<AccountPath>,
    ListParams(query): ListParams,
) -> Result<Json<Value>, ApiError> {
    caller.require("client:get")?;
    let account = resolve_account(&state, &path.account)?;

    let page = state
        .store
        .list_clients(&account, &query)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(envelope::list(page, |c| render(&c, "listing"))))
}

pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<ClientPath>,
) -> Result<Json<Value>, ApiError> {
    caller.require("client:get")?;
    let (account, id) = path.resolve(&state)?;

    let client = state
        .store
        .get_client(&account, &id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("client '{id}'")))?;
    Ok(Json(render(&client, "creating")))
}

pub(super) async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<ClientPath>,
    body: JsonObject,
) -> Result<Json<Value>, ApiError> {
    caller.require("client:update")?;
    let body = body.read()?;
    let (account, id) = path.resolve(&state)?;
    // An update without `access` keeps the client's list: dropping a field must not revoke.
    let (display_name, access) = parse_body(&body)?;
    if let Some(access) = &access {
        caller.require_covers(access, "access")?;
    }

    let mut client = state
        .store
        .get_client(&account, &id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("client '{id}'")))?;
    // Nor may anyone narrow a client that can do more than they can (the root client, say).
    caller.require_covers(&client.access, "client.access")?;
    let expected = match body.get("version") {
        Some(Value::String(v)) => v.clone(),
        None | Some(Value::Null) => client.meta.version.clone(),
        Some(_) => return Err(FieldError::new("version", "must be a string").into()),
    };
    client.display_name = display_name;
    if let Some(access) = access {
        client.access = access;
    }
    client.meta.version = new_version();
    client.meta.date_modified = EpochMillis::now();
    state
        .store
        .put_client(&client, &expected)
        .await
        .map_err(|e| ApiError::from_store(e, format!("client '{id}'")))?;
    Ok(Json(render(&client, "updating")))
}

pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<ClientPath>,
) -> Result<StatusCode, ApiError> {
    caller.require("client:delete")?;
    let (account, id) = path.resolve(&state)?;

    let client = state
        .store
        .get_client(&account, &id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("client '{id}'")))?;
    caller.require_covers(&client.access, "client.access")?;
    state
        .store
        .delete_client(&account, &id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("client '{id}'")))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `displayName` and `access`, each `None` when absent or null.
fn parse_body(body: &Map<String, Value>) -> Result<(Option<String>, Option<Access>), FieldError> {
    let display_name = match body.get("displayName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) if name.len() <= 256 => Some(name.clone()),
        Some(_) => {
            return Err(FieldError::new(
                "displayName",
                "must be a string of at most 256 bytes",
            ))
        }
    };
    let access = match body.get("access") {
        None | Some(Value::Null) => None,
        Some(value) => Some(Access::validate(value, "access")?),
    };
    Ok((display_name, access))
}
