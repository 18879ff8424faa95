//! [`AuthorizeUser`]: the tower layer that checks a caller's hub key before an integration
//! route runs (SPEC §10).
//!
//! The caller's bearer is sent to the hub's `GET /v1/account/{a}/me`, which answers with the
//! caller's access list; the request passes when that list grants the action on the route's
//! resource by the hub's own rule (`tether_domain::permission`). A granted `/me` answer is kept
//! for [`crate::HubOptions::caller_cache_ttl`], keyed by the SHA-256 of the key; refusals (401,
//! 403) and failures are never kept, so a revoked key is refused at most that long after
//! revocation, and a key that was refused is asked about again on its next request.

mod callers;
mod decision;
mod rejection;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::OriginalUri;
use axum::response::{IntoResponse, Response};
use http::Request;
use tower::{Layer, Service};

pub(crate) use callers::CallerCache;
use decision::{bearer, resource_for};
use rejection::Rejection;

use crate::Integration;

/// Layer returned by [`Integration::authorize_user`]; put it on axum routes with
/// `route_layer` (or `layer`).
///
/// ```no_run
/// use axum::{routing::get, Router};
///
/// # fn example(hub: tether_sdk::Hub) {
/// let layer: tether_sdk::AuthorizeUser = hub.integration("crm").authorize_user("install:get");
/// let app: Router = Router::new()
///     .route("/api/tenant/{tenant_id}/test", get(|| async { "ok" }))
///     .route_layer(layer);
/// # let _ = app;
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct AuthorizeUser {
    integration: Integration,
    action: Arc<str>,
}

impl AuthorizeUser {
    pub(crate) fn new(integration: Integration, action: &str) -> Self {
        Self {
            integration,
            action: Arc::from(action),
        }
    }

    /// Whether the request may pass; the rejection response if not.
    async fn check(&self, headers: &http::HeaderMap, path: &str) -> Result<(), Rejection> {
        let key = bearer(headers).ok_or(Rejection::Unauthorized)?;
        let hub = self.integration.hub();
        let settings = &hub.inner().settings;
        let resource = resource_for(
            &settings.account,
            &settings.subscription,
            self.integration.id(),
            path,
        )
        .ok_or(Rejection::Forbidden)?;

        let access = callers::access_of(hub, key).await?;
        if access.allows(&self.action, &resource) {
            Ok(())
        } else {
            Err(Rejection::Forbidden)
        }
    }
}

impl<S> Layer<S> for AuthorizeUser {
    type Service = AuthorizeUserService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthorizeUserService {
            inner,
            authorize: self.clone(),
        }
    }
}

/// The service [`AuthorizeUser`] wraps around a route.
///
/// ```no_run
/// use tower::Layer;
///
/// # fn example(hub: tether_sdk::Hub) {
/// let route: axum::routing::MethodRouter = axum::routing::get(|| async { "ok" });
/// let guarded: tether_sdk::AuthorizeUserService<_> =
///     hub.integration("crm").authorize_user("install:get").layer(route);
/// # let _ = guarded;
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct AuthorizeUserService<S> {
    inner: S,
    authorize: AuthorizeUser,
}

impl<S, B> Service<Request<B>> for AuthorizeUserService<S>
where
    S: Service<Request<B>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was polled ready serves this request; the fresh clone waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let authorize = self.authorize.clone();

        Box::pin(async move {
            let path = match request.extensions().get::<OriginalUri>() {
                Some(original) => original.path().to_owned(),
                None => request.uri().path().to_owned(),
            };

            match authorize.check(request.headers(), &path).await {
                Ok(()) => inner.call(request).await,
                Err(rejection) => Ok(rejection.into_response()),
            }
        })
    }
}
