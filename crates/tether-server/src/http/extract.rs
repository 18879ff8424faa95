//! Request extractors that answer malformed input with the API's own error body.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::ApiError;

/// A JSON object body, read (within the body limit) but judged only when the handler calls
/// [`JsonObject::read`], after its permission check: a caller without the permission gets 403
/// whatever it sent. Wrong content type → 415, over the limit → 413, bad JSON → 400.
pub(super) struct JsonObject(Result<Map<String, Value>, ApiError>);

impl JsonObject {
    pub(super) fn read(self) -> Result<Map<String, Value>, ApiError> {
        self.0
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = std::convert::Infallible;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parse_object(request, state).await))
    }
}

async fn parse_object<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<Map<String, Value>, ApiError> {
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

    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| match rejection.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            _ => ApiError::BadRequest("cannot read the request body".into()),
        })?;
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }

    let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
        ApiError::BadRequest(format!(
            "body is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ))
    })?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::BadRequest("body must be a JSON object".into())),
    }
}

/// Query parameters, with a 400 naming the problem when they do not fit.
pub(super) struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection| {
                ApiError::BadRequest(format!("bad query: {}", rejection.body_text()))
            })
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
