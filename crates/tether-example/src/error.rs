//! How the route fails: one error type, mapped exhaustively to statuses and the hub's error
//! body shape. The service's own misconfiguration is logged and answered with a generic 500.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use tether_sdk::SdkError;

/// Why the route failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("tenant '{tenant}' has no install of integration '{integration}'")]
    NoInstall { tenant: String, integration: String },
    #[error("the tenant's token endpoint rejected its credentials")]
    UpstreamRejected {
        code: String,
        description: Option<String>,
    },
    #[error("the tenant's token endpoint is unavailable")]
    UpstreamUnavailable { retry_after: Option<Duration> },
    #[error("the tenant's token endpoint did not answer in time")]
    Timeout,
    #[error("the hub cannot be reached")]
    HubUnavailable,
    #[error("the tenant's API cannot be reached")]
    TenantApiUnreachable,
    /// The service is misconfigured (its hub key, the component): logged, never sent.
    #[error("internal error")]
    Internal(#[source] SdkError),
}

impl AppError {
    /// The route's view of an SDK failure for `integration`.
    pub fn from_sdk(error: SdkError, integration: &str) -> Self {
        match error {
            SdkError::NoInstall { tenant } => Self::NoInstall {
                tenant,
                integration: integration.to_owned(),
            },
            SdkError::UpstreamRejected { code, description } => {
                Self::UpstreamRejected { code, description }
            }
            SdkError::UpstreamUnavailable { retry_after } => {
                Self::UpstreamUnavailable { retry_after }
            }
            SdkError::Timeout => Self::Timeout,
            SdkError::HubUnreachable { .. } => Self::HubUnavailable,
            error @ (SdkError::UnknownComponent { .. }
            | SdkError::Unauthorized
            | SdkError::Forbidden
            | SdkError::Hub { .. }
            | SdkError::Settings(_)) => Self::Internal(error),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::NoInstall { .. } => StatusCode::NOT_FOUND,
            Self::UpstreamRejected { .. } | Self::TenantApiUnreachable => StatusCode::BAD_GATEWAY,
            Self::UpstreamUnavailable { .. } | Self::HubUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Timeout => StatusCode::GATEWAY_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = Map::new();
        body.insert("status".into(), json!(status.as_u16()));
        body.insert("statusCode".into(), json!(status.as_u16()));
        body.insert("message".into(), json!(self.to_string()));

        let mut retry_after = None;
        match &self {
            Self::UpstreamRejected { code, description } => {
                body.insert("code".into(), json!(code));
                body.insert(
                    "details".into(),
                    json!({ "error_description": description }),
                );
            }
            Self::UpstreamUnavailable { retry_after: wait } => retry_after = *wait,
            Self::Internal(error) => tracing::error!(%error, "token request failed"),
            Self::HubUnavailable | Self::TenantApiUnreachable | Self::Timeout => {
                tracing::warn!(error = %self, "request failed")
            }
            Self::NoInstall { .. } => {}
        }

        let mut response = (status, Json(Value::Object(body))).into_response();
        let seconds = retry_after.map(|wait| wait.as_secs().max(1).to_string());
        if let Some(value) = seconds.and_then(|s| HeaderValue::from_str(&s).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_failures_map_to_the_statuses_a_backend_expects() {
        let cases = [
            (
                SdkError::NoInstall {
                    tenant: "acme".into(),
                },
                404,
            ),
            (
                SdkError::UpstreamRejected {
                    code: "invalid_client".into(),
                    description: None,
                },
                502,
            ),
            (SdkError::UpstreamUnavailable { retry_after: None }, 503),
            (SdkError::Timeout, 504),
            (SdkError::Unauthorized, 500),
            (SdkError::Forbidden, 500),
            (
                SdkError::UnknownComponent {
                    component: "ccfConnector".into(),
                    message: "component 'ccfConnector' not found".into(),
                },
                500,
            ),
            (
                SdkError::Hub {
                    status: 409,
                    message: "connector 'ccf' has no tokenUrl configured".into(),
                },
                500,
            ),
        ];

        for (error, status) in cases {
            let text = format!("{error:?}");
            let response = AppError::from_sdk(error, "crm").into_response();
            assert_eq!(response.status().as_u16(), status, "{text}");
        }
    }

    #[test]
    fn a_missing_install_names_the_tenant_and_the_integration() {
        let error = AppError::from_sdk(
            SdkError::NoInstall {
                tenant: "ops@acme.example".into(),
            },
            "crm",
        );

        assert_eq!(
            error.to_string(),
            "tenant 'ops@acme.example' has no install of integration 'crm'"
        );
    }
}
