//! Read caches for the token hot path, behind the `Store` trait so that every write made through
//! the hub (API, portal, token service) invalidates them. Each entry lives at most a TTL
//! ([`SHARED_TTL`] on PostgreSQL): that bounds how stale an instance can be about writes made by
//! another instance. See
//! docs/PERFORMANCE.md for what is cached and why.

mod caches;
mod store;
mod ttl;

pub use caches::{SHARED_TTL, SINGLE_PROCESS_TTL};
pub use store::CachingStore;
