//! An integration service built on `tether-sdk`: `GET /api/tenant/{tenantId}/test`, behind
//! `authorize_user("install:get")`, fetches the tenant's token from the hub and calls the
//! tenant's API with it. `main.rs` runs it; the pieces live here so they read as a library.

mod app;
mod config;
mod error;
mod tenant_test;

pub use app::{router, AppState};
pub use config::{Config, ConfigError};
pub use error::AppError;

/// The integration component whose credentials the route uses.
pub const COMPONENT: &str = "ccfConnector";
