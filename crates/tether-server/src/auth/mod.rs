//! Access control (SPEC §9): API keys, the caller they name, and permission checks.

mod caller;
mod keys;

pub use caller::Caller;
pub use keys::{hash_key, ApiKey};
