//! The management portal (`/portal`): server-rendered pages over the same store, services and
//! permission rules as the JSON API. No JavaScript framework and no build step: HTML from
//! `maud`, one stylesheet and one tiny script served from the binary.
//!
//! Security: the session is a sealed cookie re-checked against the store on every request
//! (`session`), every form carries a CSRF token bound to the session (`form`), every response
//! forbids caching and framing, and no page ever shows a client secret, an access token or an
//! API key, apart from a new key once, on the page that created it.

mod assets;
mod error;
mod form;
mod layout;
mod pages;
mod session;

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY};
use axum::http::header::{X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::http::HeaderValue;
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub(crate) use error::PortalError;

use crate::http::AppState;

const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every portal route, to be merged into the hub's router.
pub fn router() -> Router<AppState> {
    use pages::{components, connector_test, connectors, installs, integrations, keys, sign_in};

    Router::new()
        .route(
            "/portal",
            get(|| async { Redirect::to("/portal/integrations") }),
        )
        .route(
            "/portal/",
            get(|| async { Redirect::to("/portal/integrations") }),
        )
        .route("/portal/assets/portal.css", get(assets::css))
        .route("/portal/assets/portal.js", get(assets::js))
        .route("/portal/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/portal/sign-out", post(sign_in::sign_out))
        .route(
            "/portal/integrations",
            get(integrations::list).post(integrations::create),
        )
        .route("/portal/integrations/{id}", get(integrations::detail))
        .route(
            "/portal/integrations/{id}/delete",
            post(integrations::delete),
        )
        .route(
            "/portal/integrations/{id}/add-connector",
            get(components::dialog_page),
        )
        .route(
            "/portal/integrations/{id}/components",
            post(components::add),
        )
        .route(
            "/portal/integrations/{id}/components/{name}/remove",
            post(components::remove),
        )
        .route(
            "/portal/connectors",
            get(connectors::list).post(connectors::create),
        )
        .route(
            "/portal/connectors/{id}",
            get(connectors::detail).post(connectors::save),
        )
        .route("/portal/connectors/{id}/delete", post(connectors::delete))
        .route("/portal/connectors/{id}/test", post(connector_test::run))
        .route("/portal/installs", get(installs::search))
        .route(
            "/portal/installs/{integration}/{install}/refresh",
            post(installs::refresh),
        )
        .route(
            "/portal/installs/{integration}/{install}/delete",
            post(installs::delete),
        )
        .route("/portal/keys", get(keys::list))
        .route("/portal/clients", post(keys::create_client))
        .route("/portal/clients/{client}/keys", post(keys::create_key))
        .route(
            "/portal/clients/{client}/keys/{key}/revoke",
            post(keys::revoke),
        )
        .layer(axum::middleware::map_response(protect))
}

/// Headers on every portal response: nothing cached, framed, sniffed or sent as a referrer.
async fn protect(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}
