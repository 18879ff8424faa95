//! Submitted forms: every portal `POST` comes from this site, is form-encoded, and carries the
//! session's CSRF token; only then does a handler see its fields.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;

use super::session::Operator;
use super::PortalError;
use crate::http::AppState;

/// A form's fields by name (the last value wins; checkboxes are present or absent).
#[derive(Debug, Default)]
pub(crate) struct Fields(HashMap<String, String>);

impl Fields {
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The field, trimmed; empty when absent.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.get(name).map(str::trim).unwrap_or("")
    }

    /// Whether a checkbox was ticked.
    pub(crate) fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// A form posted by a signed-in operator, its CSRF token checked.
pub(crate) struct Submitted {
    pub(crate) operator: Operator,
    pub(crate) fields: Fields,
}

impl FromRequest<AppState> for Submitted {
    type Rejection = PortalError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, PortalError> {
        let (mut parts, body) = request.into_parts();
        let operator = Operator::from_request_parts(&mut parts, state).await?;
        let fields = read_form(Request::from_parts(parts, body), state).await?;
        if !operator.csrf_matches(fields.get("csrf")) {
            return Err(PortalError::Csrf);
        }
        Ok(Self { operator, fields })
    }
}

/// Reads a form body after the same-site checks every portal form gets.
pub(crate) async fn read_form(request: Request, state: &AppState) -> Result<Fields, PortalError> {
    if !same_site(request.headers()) {
        return Err(PortalError::Csrf);
    }
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(PortalError::BadRequest("expected a form submission".into()));
    }
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|_| PortalError::BadRequest("cannot read the form".into()))?;
    Ok(Fields::parse(&bytes))
}

/// Browsers say where a request comes from; one from another site is refused outright.
fn same_site(headers: &HeaderMap) -> bool {
    let site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    site != "cross-site" && site != "same-site"
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn fields_decode_and_trim() {
        let fields = Fields::parse(b"a=+x%20y+&b=1&b=2&box=on");

        assert_eq!(fields.text("a"), "x y");
        assert_eq!(fields.get("b"), Some("2"));
        assert!(fields.checked("box"));
        assert!(!fields.checked("other"));
    }

    #[test]
    fn requests_from_other_sites_are_refused() {
        let mut headers = HeaderMap::new();
        assert!(same_site(&headers));
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_site(&headers));
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_site(&headers));
    }
}
