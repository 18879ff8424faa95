//! Rust SDK for integration code that runs beside a Tether hub (SPEC §10).
//!
//! Two things an integration service needs, and nothing else:
//!
//! - a tenant's current credentials, fetched from the hub's token route and cached in-process
//!   while they are servable ([`Tenant::get_sdk_by_tenant`]);
//! - a tower layer that lets a request through only when the caller's hub key grants an action
//!   on the route ([`Integration::authorize_user`]).
//!
//! The crate does no logging: every failure comes back as a typed [`SdkError`], and neither
//! errors nor `Debug` output ever contain a key or a token.
//!
//! ```no_run
//! use axum::{extract::Path, routing::get, Router};
//! use tether_sdk::Hub;
//!
//! # async fn example() -> Result<(), tether_sdk::SdkError> {
//! let hub = Hub::from_env()?;
//! let integration = hub.integration("crm");
//! let tenants = integration.tenant();
//!
//! let app: Router = Router::new()
//!     .route(
//!         "/api/tenant/{tenant_id}/test",
//!         get(move |Path(tenant): Path<String>| async move {
//!             match tenants.get_sdk_by_tenant("ccfConnector", &tenant).await {
//!                 Ok(creds) => format!("token for {}", creds.client_id),
//!                 Err(error) => error.to_string(),
//!             }
//!         }),
//!     )
//!     .route_layer(integration.authorize_user("install:get"));
//! # Ok(())
//! # }
//! ```

mod authorize;
mod credentials;
mod error;
mod hub;
mod integration;
mod secret;
mod settings;
mod tenant;
mod token_cache;

pub use authorize::{AuthorizeUser, AuthorizeUserService};
pub use credentials::Credentials;
pub use error::SdkError;
pub use hub::{Hub, HubOptions};
pub use integration::Integration;
pub use secret::{AccessToken, ApiKey};
pub use settings::HubSettings;
pub use tenant::Tenant;
pub use url::Url;
