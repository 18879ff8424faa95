//! Tether's storage. Callers hold an `Arc<dyn Store>` and never learn which database is behind it.
//!
//! The store keeps ciphertext for every secret: sealing and opening happen in the server's crypto
//! module, so plaintext secrets never reach this crate.

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
