//! Tether's domain: the types every other layer speaks, parsed once at the edge. No I/O here.

pub mod ccf;
pub mod error;
pub mod ids;
pub mod integration;
pub mod permission;
pub mod secret;
pub mod tags;
pub mod time;

pub use error::FieldError;
pub use secret::Secret;
