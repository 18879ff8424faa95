//! Why a caller was turned away, as the hub's error body (SPEC §4).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A refused request.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// No bearer, or the hub does not know it (unknown, revoked, expired).
    Unauthorized,
    /// The caller lacks the action on the resource.
    Forbidden,
    /// The hub could not say who the caller is.
    HubUnavailable,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Self::HubUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the hub cannot check the caller's key right now",
            ),
        };
        let body = json!({
            "status": status.as_u16(),
            "statusCode": status.as_u16(),
            "message": message,
        });

        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
