//! Encryption at rest. Plaintext secrets are sealed here before they reach the store and opened
//! here when they leave it; no other module handles key material.

mod master_key;
mod sealer;

pub use master_key::{MasterKey, MasterKeyError};
pub use sealer::{Purpose, SealError, Sealer};
