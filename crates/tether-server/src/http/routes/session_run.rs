//! The browser run (`start`, and the compatible per-step `authorize` and `callback`) and commit
//! (SPEC §7.2, §7.3). The browser routes carry no bearer: a session id is the capability.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use tether_domain::ids::{EntityId, SessionId};
use tether_domain::time::EpochMillis;
use tether_store::SubscriptionRef;

use super::session_create::{base_path, public_url, SessionPath};
use crate::auth::Caller;
use crate::http::extract::QueryParams;
use crate::http::paths::{EntityPath, Params};
use crate::http::{ApiError, AppState};
use crate::sessions::{self, LeafData, StepStatus, TrunkData};

pub(super) async fn start(
    State(state): State<AppState>,
    Params(path): Params<SessionPath>,
) -> Result<Response, ApiError> {
    let (sub, integration, sid) = path.resolve(&state)?;

    let run = sessions::run_pending_steps(&state, &sub, Some(&integration), &sid, None).await?;
    Ok(final_redirect(&run.data, &sid))
}

#[derive(Deserialize)]
pub(super) struct AuthorizeQuery {
    session: Option<String>,
}

/// Runs one CCF step, then sends the browser to that step's callback.
pub(super) async fn authorize(
    State(state): State<AppState>,
    Params(path): Params<EntityPath>,
    QueryParams(query): QueryParams<AuthorizeQuery>,
) -> Result<Response, ApiError> {
    let (sub, connector) = path.resolve(&state, "connectorId")?;
    let leaf_id = query
        .session
        .as_deref()
        .ok_or_else(|| ApiError::BadRequest("session: query parameter is required".into()))
        .and_then(|s| SessionId::parse(s).map_err(ApiError::from))?;

    let (leaf, trunk_id) = load_leaf(&state, &sub, &connector, &leaf_id).await?;
    sessions::run_pending_steps(&state, &sub, None, &trunk_id, Some(&leaf.name)).await?;

    let callback = format!(
        "{}/connector/{connector}/session/{leaf_id}/callback",
        base_path(&sub)
    );
    Ok(redirect(&public_url(&state, &callback)))
}

#[derive(Deserialize)]
pub(super) struct CallbackPath {
    account: String,
    subscription: String,
    id: String,
    session: String,
}

/// Moves to the next pending step, or to the final redirect.
pub(super) async fn callback(
    State(state): State<AppState>,
    Params(path): Params<CallbackPath>,
) -> Result<Response, ApiError> {
    let (sub, connector) = EntityPath {
        account: path.account,
        subscription: path.subscription,
        id: path.id,
    }
    .resolve(&state, "connectorId")?;
    let leaf_id = SessionId::parse(&path.session)?;

    let (_, trunk_id) = load_leaf(&state, &sub, &connector, &leaf_id).await?;
    let (_, data) = sessions::load_trunk(&state, &sub, None, &trunk_id).await?;

    let failed = data
        .components
        .iter()
        .any(|s| s.status == StepStatus::Failed);
    let next = data
        .components
        .iter()
        .find(|s| s.status == StepStatus::Pending);
    match next {
        Some(step) if !failed => {
            let target = format!(
                "{}/connector/{}/api/authorize?session={}",
                base_path(&sub),
                step.entity_id,
                step.session_id
            );
            Ok(redirect(&public_url(&state, &target)))
        }
        _ => Ok(final_redirect(&data, &trunk_id)),
    }
}

pub(super) async fn commit(
    State(state): State<AppState>,
    caller: Caller,
    Params(path): Params<SessionPath>,
) -> Result<Response, ApiError> {
    caller.require("session:commit")?;
    let (sub, integration, sid) = path.resolve(&state)?;

    let install = sessions::commit(&state, &sub, &integration, &sid).await?;
    tracing::info!(integration = %integration, install = %install, "session committed");
    let target = format!(
        "{}/integration/{integration}/install/{install}/",
        base_path(&sub)
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "targetUrl": public_url(&state, &target) })),
    )
        .into_response())
}

/// A leaf session of `connector`, and its trunk's id.
async fn load_leaf(
    state: &AppState,
    sub: &SubscriptionRef,
    connector: &EntityId,
    leaf_id: &SessionId,
) -> Result<(LeafData, SessionId), ApiError> {
    let not_found = || ApiError::not_found(format!("session '{leaf_id}'"));
    let record = state
        .store
        .get_session(sub, leaf_id)
        .await
        .map_err(|e| ApiError::from_store(e, format!("session '{leaf_id}'")))?;
    if record.expires <= EpochMillis::now() {
        return Err(not_found());
    }
    let leaf: LeafData = serde_json::from_value(record.data).map_err(|_| not_found())?;
    if leaf.entity_id != connector.as_str() {
        return Err(not_found());
    }
    let trunk = SessionId::parse(&leaf.parent_session_id).map_err(|_| not_found())?;
    Ok((leaf, trunk))
}

/// 302 to the stored `redirectUrl` with `session`, plus `error` and `errorDescription` when a
/// step failed. The target comes only from stored session data.
fn final_redirect(data: &TrunkData, sid: &SessionId) -> Response {
    let mut url = match url::Url::parse(&data.redirect_url) {
        Ok(url) => url,
        Err(_) => return ApiError::internal(BadStoredUrl).into_response(),
    };
    {
        let mut query = url.query_pairs_mut();
        let failure = data
            .components
            .iter()
            .find(|s| s.status == StepStatus::Failed);
        if let Some(step) = failure {
            let (code, description) = match &step.error {
                Some(f) => (
                    f.code.clone(),
                    f.error_description
                        .clone()
                        .unwrap_or_else(|| f.message.clone()),
                ),
                None => ("server_error".to_owned(), "the step failed".to_owned()),
            };
            query.append_pair("error", &code);
            query.append_pair("errorDescription", &description);
        }
        query.append_pair("session", sid.as_str());
    }
    redirect(url.as_str())
}

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

#[derive(Debug, thiserror::Error)]
#[error("stored redirectUrl does not parse")]
struct BadStoredUrl;
