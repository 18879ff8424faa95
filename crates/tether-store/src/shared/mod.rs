//! What both backends share: row shapes, encodings, tag tables and list SQL.
//!
//! Decision: the SQL here uses `$n` placeholders, which PostgreSQL and SQLite both accept, so one
//! text serves both. Anything that differs between the databases lives in the backend modules.

pub(crate) mod encode;
pub(crate) mod list;
pub(crate) mod rows;
pub(crate) mod tags;
