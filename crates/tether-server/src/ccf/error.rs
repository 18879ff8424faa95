//! Token failures as callers of the token routes see them (SPEC §6.5).

use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tether_oauth::ExchangeError;

/// How an upstream failure classifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The endpoint refused: a bad secret, a malformed answer. Not retried; remembered for the
    /// connector's `failureCooldownSeconds`.
    Permanent,
    /// The endpoint was unavailable after every retry.
    Unavailable,
    /// The exchange ran past its deadline.
    Timeout,
}

/// A secret-free record of a failed exchange, as kept on the identity and sent to callers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamFailure {
    pub kind: FailureKind,
    /// The OAuth error code (`invalid_client`), or Tether's reason (`upstream_unavailable`).
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

impl From<&ExchangeError> for UpstreamFailure {
    fn from(error: &ExchangeError) -> Self {
        let kind = match error {
            ExchangeError::Timeout => FailureKind::Timeout,
            ExchangeError::Unavailable { .. } => FailureKind::Unavailable,
            _ => FailureKind::Permanent,
        };
        let (error_description, error_uri, status, retry_after_seconds) = match error {
            ExchangeError::OAuth {
                description,
                uri,
                status,
                ..
            } => (description.clone(), uri.clone(), Some(*status), None),
            ExchangeError::Unavailable {
                status,
                retry_after,
                ..
            } => (None, None, *status, retry_after.map(|d| d.as_secs().max(1))),
            ExchangeError::Rejected { status, .. } | ExchangeError::Redirect { status, .. } => {
                (None, None, Some(*status), None)
            }
            _ => (None, None, None, None),
        };

        Self {
            kind,
            code: error.code().to_owned(),
            message: error.to_string(),
            error_description,
            error_uri,
            status,
            retry_after_seconds,
        }
    }
}

impl UpstreamFailure {
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    pub fn from_json(value: &Value) -> Option<Self> {
        serde_json::from_value(value.clone()).ok()
    }
}

/// Why no token could be served.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("connector '{0}' has no tokenUrl configured")]
    NotConfigured(String),
    #[error("token endpoint refused the exchange: {}", .0.message)]
    Upstream(Box<UpstreamFailure>),
    #[error("another exchange for this identity is taking too long")]
    LockTimeout,
    #[error("forced exchanges of one identity are limited to one per second")]
    ForcedTooOften,
    #[error("token state cannot be read")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl TokenError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotConfigured(_) => StatusCode::CONFLICT,
            Self::Upstream(failure) => match failure.kind {
                FailureKind::Permanent => StatusCode::BAD_GATEWAY,
                FailureKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                FailureKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
            },
            Self::LockTimeout => StatusCode::GATEWAY_TIMEOUT,
            Self::ForcedTooOften => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Upstream(failure) => Some(&failure.code),
            Self::NotConfigured(_) => Some("connector_not_configured"),
            Self::LockTimeout | Self::ForcedTooOften | Self::Internal(_) => None,
        }
    }

    pub fn details(&self) -> Option<Value> {
        match self {
            Self::Upstream(failure) => Some(json!({
                "error_description": failure.error_description,
                "error_uri": failure.error_uri,
                "status": failure.status,
            })),
            Self::NotConfigured(_)
            | Self::LockTimeout
            | Self::ForcedTooOften
            | Self::Internal(_) => None,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Upstream(failure) if failure.kind == FailureKind::Unavailable => Some(
                Duration::from_secs(failure.retry_after_seconds.unwrap_or(1).max(1)),
            ),
            Self::ForcedTooOften => Some(Duration::from_secs(1)),
            _ => None,
        }
    }

    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }
}
