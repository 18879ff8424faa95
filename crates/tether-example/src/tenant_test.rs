//! `GET /api/tenant/{tenantId}/test`: the tenant's token from the hub, then the tenant's API
//! called with it; its answer goes back as it came.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::{AppError, AppState, COMPONENT};

#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Response, AppError> {
    let creds = state
        .integration
        .tenant()
        .get_sdk_by_tenant(COMPONENT, &tenant)
        .await
        .map_err(|error| AppError::from_sdk(error, state.integration.id()))?;

    let url = state.config.tenant_api_for(&tenant).clone();
    let answer = state
        .http
        .get(url)
        .bearer_auth(creds.access_token.expose())
        .send()
        .await
        .map_err(|_| AppError::TenantApiUnreachable)?;

    let status = StatusCode::from_u16(answer.status().as_u16())
        .map_err(|_| AppError::TenantApiUnreachable)?;
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    let body = answer
        .bytes()
        .await
        .map_err(|_| AppError::TenantApiUnreachable)?;

    let mut response = (status, body).into_response();
    if let Some(content_type) = content_type {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
    }
    Ok(response)
}
