//! The HTTP API: state, router, and the middleware every request passes through.

mod envelope;
mod error;
mod extract;
mod metrics;
mod paths;
mod routes;
mod trace;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tether_store::{Store, SubscriptionRef};
use url::Url;

pub use envelope::new_version;
pub use error::{error_chain as describe_error, ApiError};
pub use metrics::Metrics;
pub(crate) use routes::token_status;

use crate::ccf::TokenService;
use crate::crypto::Sealer;

/// Request bodies above this get 413.
pub const MAX_BODY: usize = 1 << 20;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub sealer: Arc<Sealer>,
    pub tokens: Arc<TokenService>,
    pub public_url: Arc<Url>,
    /// The subscriptions this hub serves, read at start (they are only made by the bootstrap).
    pub subscriptions: Arc<Vec<SubscriptionRef>>,
    pub metrics: Arc<Metrics>,
}

/// The whole API.
pub fn router(state: AppState) -> Router {
    routes::router()
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            trace::observe,
        ))
        .with_state(state)
}
