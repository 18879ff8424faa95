//! The portal's one error type: each variant is a page (or a redirect to sign-in), never JSON.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use tether_store::StoreError;

use super::layout;
use crate::http::describe_error;

/// Why a portal request could not be served.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PortalError {
    /// No session, or its key was revoked, expired or is unknown: back to the sign-in page.
    #[error("signed out")]
    SignedOut,
    /// The form's CSRF token is missing or wrong, or the request came from another site.
    #[error("the form expired or did not come from this portal")]
    Csrf,
    #[error("you do not have permission to do this")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl PortalError {
    pub(crate) fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    /// Maps a store error about something the operator named (`integration 'crm'`).
    pub(crate) fn from_store(error: StoreError, what: impl std::fmt::Display) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound(format!("{what} not found")),
            StoreError::AlreadyExists => Self::Conflict(format!("{what} already exists")),
            StoreError::VersionMismatch => Self::Conflict(format!(
                "{what} was changed by someone else meanwhile: reload and try again"
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
            Self::SignedOut => StatusCode::SEE_OTHER,
            Self::Csrf | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let message = match &self {
            Self::SignedOut => {
                let mut response = Redirect::to("/portal/sign-in").into_response();
                if let Ok(value) = super::session::clear_session_cookie().parse() {
                    response
                        .headers_mut()
                        .insert(axum::http::header::SET_COOKIE, value);
                }
                return response;
            }
            Self::Internal(error) => {
                tracing::error!(error = %describe_error(error.as_ref()), "portal request failed");
                "Something went wrong on the server. Try again later.".to_owned()
            }
            Self::Csrf
            | Self::Forbidden
            | Self::NotFound(_)
            | Self::BadRequest(_)
            | Self::Conflict(_) => self.to_string(),
        };

        let status = self.status();
        let body = html! {
            h1 { (status.canonical_reason().unwrap_or("Error")) }
            p.notice.error role="alert" { (message) }
            p { a href="/portal/integrations" { "Back to the portal" } }
        };
        (status, layout::bare(status.as_str(), body)).into_response()
    }
}

impl From<tether_domain::FieldError> for PortalError {
    fn from(error: tether_domain::FieldError) -> Self {
        Self::BadRequest(error.to_string())
    }
}
