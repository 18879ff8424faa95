//! Tether's storage. Callers hold an `Arc<dyn Store>` and never learn which database is behind it.
//!
//! The store keeps ciphertext for every secret: sealing and opening happen in the server's crypto
//! module, so plaintext secrets never reach this crate.

// FIXME(store-dup): `sqlite/` and `postgres/` are near-copies (the `duplicates` tool pairs their
// files); a query layer generic over `sqlx::Database`, or shared SQL text with per-backend
// placeholders, would leave each backend only what truly differs (locking, upserts, leases).
mod error;
pub mod postgres;
mod query;
mod records;
mod shared;
pub mod sqlite;
mod store;

pub use error::StoreError;
pub use postgres::PostgresStore;
pub use query::{ListQuery, Page, MAX_PAGE};
pub use records::*;
pub use sqlite::SqliteStore;
pub use store::Store;
