//! What can go wrong in storage, in terms callers can act on.

/// A storage failure. `Conflict` and `VersionMismatch` are the caller's business; `Database` is
/// an internal fault whose text must never reach a client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The entity does not exist (or is not in this subscription).
    #[error("not found")]
    NotFound,
    /// A create found the id taken, or a unique rule (one install per tenant) would break.
    #[error("already exists")]
    AlreadyExists,
    /// A `PUT` carried a version other than the stored one.
    #[error("version mismatch")]
    VersionMismatch,
    /// A connector is still used by these integrations.
    #[error("still referenced by {0:?}")]
    Referenced(Vec<String>),
    /// The session was committed already; the install it produced.
    #[error("session already committed")]
    AlreadyCommitted { install_id: String },
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => Self::NotFound,
            other => Self::Database(other),
        }
    }
}
