//! The service's router and shared state.

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use tether_sdk::Integration;

use crate::tenant_test;
use crate::Config;

/// What every request shares.
#[derive(Clone)]
pub struct AppState {
    pub integration: Integration,
    pub config: Arc<Config>,
    /// Calls the tenants' APIs.
    pub http: reqwest::Client,
}

impl AppState {
    /// State for `integration`, with an HTTP client for the tenants' APIs (no redirects, 10 s).
    pub fn new(integration: Integration, config: Config) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;

        Ok(Self {
            integration,
            config: Arc::new(config),
            http,
        })
    }
}

/// `GET /api/tenant/{tenantId}/test`, callable with a hub key holding `install:get` on the
/// integration (or on the route's own resource below it).
pub fn router(state: AppState) -> Router {
    let authorize = state.integration.authorize_user("install:get");

    Router::new()
        .route("/api/tenant/{tenantId}/test", get(tenant_test::get))
        .route_layer(authorize)
        .with_state(state)
}
