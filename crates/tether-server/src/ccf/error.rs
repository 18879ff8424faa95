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
    /// What happened, for callers: never an excerpt of the upstream body (an HTML error page,
    /// say); that goes to the log.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Where a redirect pointed (scrubbed); redirects are never followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl From<&ExchangeError> for UpstreamFailure {
    fn from(error: &ExchangeError) -> Self {
        let kind = match error {
            ExchangeError::Timeout => FailureKind::Timeout,
            ExchangeError::Unavailable { .. } => FailureKind::Unavailable,
            ExchangeError::OAuth { .. }
            | ExchangeError::Rejected { .. }
            | ExchangeError::Redirect { .. }
            | ExchangeError::MalformedSuccess { .. }
            | ExchangeError::UnsupportedTokenType { .. }
            | ExchangeError::BodyTooLarge
            | ExchangeError::InvalidRequest { .. } => FailureKind::Permanent,
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
            ExchangeError::MalformedSuccess { .. }
            | ExchangeError::UnsupportedTokenType { .. }
            | ExchangeError::Timeout
            | ExchangeError::BodyTooLarge
            | ExchangeError::InvalidRequest { .. } => (None, None, None, None),
        };
        let location = match error {
            ExchangeError::Redirect { location, .. } => location.clone(),
            _ => None,
        };

        Self {
            kind,
            code: error.code().to_owned(),
            message: caller_message(error),
            error_description,
            error_uri,
            status,
            retry_after_seconds,
            location,
        }
    }
}

/// The error's text without upstream body excerpts: an unavailable endpoint is described by its
/// last status only, and a redirect names its target.
fn caller_message(error: &ExchangeError) -> String {
    match error {
        ExchangeError::Unavailable {
            status: Some(status),
            ..
        } => format!("token endpoint unavailable (last status {status})"),
        ExchangeError::Unavailable { status: None, .. } => {
            "token endpoint unreachable, or its connection broke before a complete response"
                .to_owned()
        }
        ExchangeError::Redirect {
            location: Some(location),
            ..
        } => format!("{error} to {location}"),
        other => other.to_string(),
    }
}

impl UpstreamFailure {
    /// The record of `error`, which is logged once here with its full (scrubbed) detail, such
    /// as an excerpt of an HTML error page, that callers do not get.
    pub fn logged(connector: &str, error: &ExchangeError) -> Self {
        tracing::warn!(connector, code = error.code(), error = %error, "token exchange failed");
        Self::from(error)
    }

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
    #[error("{}", upstream_text(.0))]
    Upstream(Box<UpstreamFailure>),
    #[error("another exchange for this identity is taking too long")]
    LockTimeout,
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A refusal says so; an outage or a timeout speaks for itself.
fn upstream_text(failure: &UpstreamFailure) -> String {
    let unusable = [
        "malformed_response",
        "unsupported_token_type",
        "response_too_large",
    ];
    match failure.kind {
        FailureKind::Permanent if unusable.contains(&failure.code.as_str()) => {
            format!(
                "token endpoint answered with no usable token: {}",
                failure.message
            )
        }
        FailureKind::Permanent if failure.code == "invalid_configuration" => {
            failure.message.clone()
        }
        FailureKind::Permanent => {
            format!("token endpoint refused the exchange: {}", failure.message)
        }
        FailureKind::Unavailable | FailureKind::Timeout => failure.message.clone(),
    }
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
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Upstream(failure) => Some(&failure.code),
            Self::NotConfigured(_) => Some("connector_not_configured"),
            Self::LockTimeout | Self::Internal(_) => None,
        }
    }

    pub fn details(&self) -> Option<Value> {
        match self {
            Self::Upstream(failure) => {
                let mut details = json!({
                    "error_description": failure.error_description,
                    "error_uri": failure.error_uri,
                    "status": failure.status,
                });
                if let Some(location) = &failure.location {
                    details["location"] = json!(location);
                }
                Some(details)
            }
            Self::NotConfigured(_) | Self::LockTimeout | Self::Internal(_) => None,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Upstream(failure) => match failure.kind {
                FailureKind::Unavailable => Some(Duration::from_secs(
                    failure.retry_after_seconds.unwrap_or(1).max(1),
                )),
                FailureKind::Permanent | FailureKind::Timeout => None,
            },
            Self::NotConfigured(_) | Self::LockTimeout | Self::Internal(_) => None,
        }
    }

    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }
}
