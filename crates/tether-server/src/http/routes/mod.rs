//! Routes, one module per part of the URL space.

mod clients;
mod entities;
mod health;
mod identities;
mod installs;
mod keys;
mod session_create;
mod session_run;
mod tags;
mod tokens;

use axum::routing::{delete, get, post};
use axum::Router;

use super::AppState;

/// The portal shows token status exactly as the identity routes do.
pub(crate) use identities::token_status;

const BASE: &str = "/v2/account/{account}/subscription/{subscription}";

pub(super) fn router() -> Router<AppState> {
    let v1 = Router::new()
        .route("/v1/account/{account}/me", get(clients::me))
        .route(
            "/v1/account/{account}/client",
            post(clients::create).get(clients::list),
        )
        .route(
            "/v1/account/{account}/client/{client}",
            get(clients::get).put(clients::put).delete(clients::delete),
        )
        .route(
            "/v1/account/{account}/client/{client}/key",
            post(keys::create).get(keys::list),
        )
        .route(
            "/v1/account/{account}/client/{client}/key/{key}",
            delete(keys::revoke),
        );

    let entity_routes = |kind: &str| {
        Router::new()
            .route(&format!("{BASE}/{kind}"), get(entities::list))
            .route(
                &format!("{BASE}/{kind}/{{id}}"),
                post(entities::create)
                    .get(entities::get)
                    .put(entities::put)
                    .delete(entities::delete),
            )
            .route(&format!("{BASE}/{kind}/{{id}}/tag"), get(tags::list))
            .route(
                &format!("{BASE}/{kind}/{{id}}/tag/{{key}}"),
                get(tags::get).delete(tags::delete),
            )
            .route(
                &format!("{BASE}/{kind}/{{id}}/tag/{{key}}/{{value}}"),
                axum::routing::put(tags::put),
            )
    };

    let v2 = Router::new()
        .merge(entity_routes("integration"))
        .merge(entity_routes("connector"))
        .route(
            &format!("{BASE}/integration/{{id}}/session"),
            post(session_create::create),
        )
        .route(
            &format!("{BASE}/integration/{{id}}/session/{{session}}"),
            get(session_create::get).put(session_create::put),
        )
        .route(
            &format!("{BASE}/integration/{{id}}/session/{{session}}/start"),
            get(session_run::start),
        )
        .route(
            &format!("{BASE}/integration/{{id}}/session/{{session}}/commit"),
            post(session_run::commit),
        )
        .route(
            &format!("{BASE}/connector/{{id}}/api/authorize"),
            get(session_run::authorize),
        )
        .route(
            &format!("{BASE}/connector/{{id}}/session/{{session}}/callback"),
            get(session_run::callback),
        )
        .route(
            &format!("{BASE}/integration/{{id}}/install"),
            get(installs::list),
        )
        .route(
            &format!("{BASE}/integration/{{id}}/install/{{install}}"),
            get(installs::get).delete(installs::delete),
        )
        // The form of a commit's `targetUrl` (SPEC §7.3).
        .route(
            &format!("{BASE}/integration/{{id}}/install/{{install}}/"),
            get(installs::get),
        )
        .route(&format!("{BASE}/install"), get(installs::search))
        .route(
            &format!("{BASE}/connector/{{id}}/identity"),
            get(identities::list),
        )
        .route(
            &format!("{BASE}/connector/{{id}}/identity/{{identity}}"),
            get(identities::get).delete(identities::delete),
        )
        .route(
            &format!("{BASE}/integration/{{id}}/tenant/{{tenant}}/{{component}}/token"),
            get(tokens::by_tenant),
        )
        .route(
            &format!("{BASE}/connector/{{id}}/api/{{identity}}/token"),
            get(tokens::by_identity),
        );

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(v1)
        .merge(v2)
        .merge(crate::portal::router())
        .fallback(health::not_found)
        .method_not_allowed_fallback(health::method_not_allowed)
}
