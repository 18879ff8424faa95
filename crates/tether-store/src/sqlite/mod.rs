//! The embedded SQLite store: one file, several pooled connections, one writer at a time.

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

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::StoreError;

/// Connections in the pool: readers run in parallel under WAL; writers take turns.
const MAX_CONNECTIONS: u32 = 8;

/// How long a writer waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLite implementation of [`crate::Store`].
pub struct SqliteStore {
    pool: SqlitePool,
    /// Writers of this process take turns here before `BEGIN IMMEDIATE`, so that they queue in
    /// order instead of polling SQLite's lock; `busy_timeout` still covers other processes.
    writer: Mutex<()>,
}

/// A write transaction and the writer's turn, released together (the transaction first).
struct WriteTx<'a> {
    tx: Transaction<'static, Sqlite>,
    _turn: MutexGuard<'a, ()>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    ///
    /// Decisions: WAL, so readers never wait for the writer; `synchronous=FULL`, because a commit
    /// must be durable when the API answers (SPEC §7.3) and WAL with `NORMAL` may lose the last
    /// transactions on power loss; foreign keys on, because deletes cascade through them.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        create_private(path).map_err(|error| StoreError::Database(sqlx::Error::Io(error)))?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;

        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|error| StoreError::Database(sqlx::Error::Migrate(Box::new(error))))?;

        Ok(Self {
            pool,
            writer: Mutex::new(()),
        })
    }

    /// Closes every pooled connection (checkpointing the WAL when the last one closes).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a write transaction with `BEGIN IMMEDIATE`: it holds SQLite's write lock from the
    /// start, so a transaction that reads and then writes can never fail to upgrade its lock.
    async fn write(&self) -> Result<WriteTx<'_>, StoreError> {
        let turn = self.writer.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _turn: turn })
    }
}

impl WriteTx<'_> {
    async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Makes the database file readable by its owner only: created so, or narrowed if it exists
/// with a wider mode (with its `-wal` and `-shm` files). SQLite gives new `-wal` and `-shm`
/// files the database file's mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => narrow(path),
        Err(error) => Err(error),
    }
}

#[cfg(unix)]
fn narrow(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;

    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let Ok(metadata) = std::fs::metadata(&file) else {
            continue;
        };
        if metadata.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn narrow(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
