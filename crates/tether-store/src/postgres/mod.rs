//! The PostgreSQL store: one database shared by every instance of the hub.

mod access;
mod accounts;
mod commit;
mod entities;
mod identities;
mod installs;
mod leases;
mod sessions;
mod tags;
mod trait_impl;

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Transaction};

use crate::StoreError;

/// Connections per instance; several instances share the server's `max_connections`.
const MAX_CONNECTIONS: u32 = 10;

/// How long a caller waits for a free pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The PostgreSQL implementation of [`crate::Store`].
pub struct PostgresStore {
    pool: PgPool,
}

/// A write transaction (the same shape as SQLite's, so the topic modules read alike).
struct WriteTx {
    tx: Transaction<'static, Postgres>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and brings the schema up to date. Migrations take
    /// sqlx's advisory lock, so instances starting together do not race.
    ///
    /// Decision: the server's defaults (`READ COMMITTED`, `synchronous_commit = on`) are kept:
    /// a commit is durable when `COMMIT` returns, and the session commit serialises itself with
    /// an advisory lock rather than with `SERIALIZABLE` retries.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await?;

        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(|error| StoreError::Database(sqlx::Error::Migrate(Box::new(error))))?;

        Ok(Self { pool })
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn write(&self) -> Result<WriteTx, StoreError> {
        Ok(WriteTx {
            tx: self.pool.begin().await?,
        })
    }
}

impl WriteTx {
    async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}
