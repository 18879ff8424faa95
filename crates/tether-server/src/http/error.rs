//! The one error type of the HTTP API and its mapping to statuses and bodies (SPEC §4).
//!
//! The mapping is exhaustive: a new variant must choose its status here. 5xx bodies are generic;
//! their detail is logged once, here, and never sent.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use tether_domain::FieldError;
use tether_store::StoreError;

use crate::ccf::{TokenError, UpstreamFailure};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Invalid(FieldError),
    #[error("{0}")]
    BadRequest(String),
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// A grant the caller asked to give (or a key for a client holding it) that exceeds the
    /// caller's own access.
    #[error("{0}")]
    Exceeds(FieldError),
    #[error("{0}")]
    NotFound(String),
    /// A 404 with a machine-readable `code` (`no_install`, `unknown_component`).
    #[error("{message}")]
    Missing { code: &'static str, message: String },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    #[error("request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("request body is larger than 1 MiB")]
    PayloadTooLarge,
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after: Duration,
    },
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("component '{component}' failed{}", failure_text(.failure))]
    StepFailed {
        component: String,
        failure: Option<Box<UpstreamFailure>>,
    },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    /// Maps a store error for an entity the caller named (`integration 'x'`).
    pub fn from_store(error: StoreError, what: impl std::fmt::Display) -> Self {
        match error {
            StoreError::NotFound => Self::not_found(what),
            StoreError::AlreadyExists => Self::Conflict(format!("{what} already exists")),
            StoreError::VersionMismatch => Self::Conflict(format!(
                "{what} was changed by someone else: the version does not match"
            )),
            StoreError::Referenced(users) => Self::Conflict(format!(
                "{what} is still used by integrations: {}",
                users.join(", ")
            )),
            StoreError::AlreadyCommitted { install_id } => {
                Self::Conflict(format!("{what} was committed already, to {install_id}"))
            }
            error @ (StoreError::Database(_) | StoreError::Corrupt(_)) => Self::internal(error),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Exceeds(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) | Self::Missing { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Token(error) => error.status(),
            Self::StepFailed { .. } => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        Self::Invalid(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = Map::new();
        body.insert("status".into(), json!(status.as_u16()));
        body.insert("statusCode".into(), json!(status.as_u16()));

        let mut retry_after = None;
        match &self {
            Self::Internal(error) => {
                tracing::error!(error = %error_chain(error.as_ref()), "request failed");
                body.insert("message".into(), json!("internal error"));
            }
            Self::Invalid(error) | Self::Exceeds(error) => {
                body.insert("message".into(), json!(error.to_string()));
                body.insert("details".into(), json!({ "field": error.field }));
            }
            Self::TooManyRequests {
                retry_after: wait, ..
            } => {
                retry_after = Some(*wait);
                body.insert("message".into(), json!(self.to_string()));
            }
            Self::Token(error) => {
                retry_after = error.retry_after();
                if error.status().is_server_error() && error.code().is_none() {
                    tracing::error!(error = %error_chain(error), "token request failed");
                }
                body.insert("message".into(), json!(error.to_string()));
                if let Some(code) = error.code() {
                    body.insert("code".into(), json!(code));
                }
                if let Some(details) = error.details() {
                    body.insert("details".into(), details);
                }
            }
            Self::StepFailed { component, failure } => {
                body.insert("message".into(), json!(self.to_string()));
                if let Some(failure) = failure {
                    body.insert("code".into(), json!(failure.code));
                    body.insert(
                        "details".into(),
                        json!({
                            "component": component,
                            "error_description": failure.error_description,
                            "error_uri": failure.error_uri,
                            "status": failure.status,
                        }),
                    );
                }
            }
            Self::Missing { code, message } => {
                body.insert("message".into(), json!(message));
                body.insert("code".into(), json!(code));
            }
            Self::BadRequest(_)
            | Self::Unauthorized
            | Self::Forbidden
            | Self::NotFound(_)
            | Self::MethodNotAllowed
            | Self::Conflict(_)
            | Self::UnsupportedMediaType
            | Self::PayloadTooLarge => {
                body.insert("message".into(), json!(self.to_string()));
            }
        }

        let mut response = (status, axum::Json(Value::Object(body))).into_response();
        let headers = response.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(wait) = retry_after {
            let seconds = wait.as_secs().max(1);
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                headers.insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

fn failure_text(failure: &Option<Box<UpstreamFailure>>) -> String {
    match failure {
        Some(failure) => format!(": {}", failure.message),
        None => String::new(),
    }
}

/// An error and its sources on one line, for the log.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
