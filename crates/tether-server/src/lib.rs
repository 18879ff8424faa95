//! The Tether hub. `app` starts it; `http` is the API; `ccf` serves tokens; `sessions` turns
//! sessions into installs; `crypto` owns every key and plaintext secret; `auth` checks callers.

pub mod app;
pub mod auth;
pub mod bootstrap;
pub mod cache;
pub mod ccf;
pub mod config;
pub mod crypto;
mod fsutil;
pub mod http;
pub mod portal;
pub mod sessions;
pub mod telemetry;
