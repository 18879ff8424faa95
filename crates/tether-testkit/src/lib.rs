//! Test support for Tether: starts the Node fixtures in `testing/oidc-provider` — a real OAuth 2.0
//! server ([`OidcProvider`]) and a tenant API that accepts only tokens the server issued
//! ([`TenantApi`]) — on `127.0.0.1`, one set per test.
//!
//! The fixtures need their Node dependencies installed once, with
//! `npm ci --prefix testing/oidc-provider` (or `testing/ci-setup.sh`); tests never install
//! anything. Helpers panic with a message naming the problem, as test code expects.
//!
//! [`ScriptedEndpoint`] is a token endpoint written in Rust that answers what a test scripts
//! (any status, headers and body, slowly, never, or endlessly) and records every request; it
//! needs no Node and is how fault tests reach the exchange code.
//!
//! ```no_run
//! # async fn example() {
//! use tether_testkit::{AuthMethod, OidcProvider, TenantApi};
//!
//! let provider = OidcProvider::start().await;
//! provider.add_client("acme", "s3cret", AuthMethod::ClientSecretBasic).await;
//! let tenant_api = TenantApi::start(&provider).await;
//! // ... exchange at provider.token_url(), call tenant_api.url() with the token ...
//! assert_eq!(provider.token_requests().await, 1);
//! # }
//! ```

mod fixtures;
mod node;
mod oidc;
mod scripted;
mod tenant_api;

pub use fixtures::{ensure_node_modules, fixtures_dir};
pub use node::loopback_client;
pub use oidc::{AuthMethod, ClientSpec, IntrospectionResult, OidcProvider, ProviderOptions};
pub use scripted::{Recorded, Reply, ScriptedEndpoint};
pub use tenant_api::{TenantApi, TenantApiStats};
