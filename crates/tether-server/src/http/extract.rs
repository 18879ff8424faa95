//! Request extractors that answer malformed input with the API's own error body.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::ApiError;

/// A JSON object body. Wrong content type → 415, over the limit → 413, bad JSON → 400.
pub(super) struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json")
                    || (v.len() > 5 && v[v.len() - 5..].eq_ignore_ascii_case("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }

        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                    _ => ApiError::BadRequest("cannot read the request body".into()),
                })?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
            ApiError::BadRequest(format!(
                "body is not valid JSON (line {}, column {})",
                error.line(),
                error.column()
            ))
        })?;
        match value {
            Value::Object(map) => Ok(Self(map)),
            _ => Err(ApiError::BadRequest("body must be a JSON object".into())),
        }
    }
}

/// Path parameters, with a 400 naming the problem when they do not fit.
pub(super) struct PathParams<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| Self(value))
            .map_err(|rejection| {
                ApiError::BadRequest(format!("bad path: {}", rejection.body_text()))
            })
    }
}
