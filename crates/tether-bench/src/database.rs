//! Where the bench's hub keeps its data: SQLite in a temporary directory, or a fresh
//! `tether_bench_<random>` PostgreSQL database, created here and dropped at the end.

use std::path::Path;

use rand::Rng;
use sqlx::{Connection, PgConnection};

pub(crate) enum Database {
    Sqlite,
    Postgres {
        /// The server URL given on the command line (its own database, used to create ours).
        admin_url: String,
        name: String,
        url: String,
    },
}

impl Database {
    pub(crate) async fn create(postgres: Option<&str>) -> Result<Self, String> {
        let Some(admin_url) = postgres else {
            return Ok(Self::Sqlite);
        };
        let name = format!("tether_bench_{:016x}", rand::thread_rng().gen::<u64>());
        let mut url = url::Url::parse(admin_url).map_err(|e| format!("--postgres: {e}"))?;
        url.set_path(&format!("/{name}"));

        let mut conn = PgConnection::connect(admin_url)
            .await
            .map_err(|e| format!("connect to PostgreSQL: {e}"))?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("create database {name}: {e}"))?;
        Ok(Self::Postgres {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    /// The hub's `TETHER_DATABASE_URL`; `None` means SQLite in the data dir.
    pub(crate) fn url(&self) -> Option<&str> {
        match self {
            Self::Sqlite => None,
            Self::Postgres { url, .. } => Some(url),
        }
    }

    pub(crate) fn label(&self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres { .. } => "postgres",
        }
    }

    /// Bytes on disk: the data directory's files, plus the database for PostgreSQL.
    pub(crate) async fn size(&self, data_dir: &Path) -> Result<u64, String> {
        let files = dir_size(data_dir).map_err(|e| format!("size of data dir: {e}"))?;
        match self {
            Self::Sqlite => Ok(files),
            Self::Postgres {
                admin_url, name, ..
            } => {
                let mut conn = PgConnection::connect(admin_url)
                    .await
                    .map_err(|e| e.to_string())?;
                let (bytes,): (i64,) = sqlx::query_as("SELECT pg_database_size($1)")
                    .bind(name)
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(files + u64::try_from(bytes).unwrap_or(0))
            }
        }
    }

    pub(crate) async fn drop_database(&self) -> Result<(), String> {
        let Self::Postgres {
            admin_url, name, ..
        } = self
        else {
            return Ok(());
        };
        let mut conn = PgConnection::connect(admin_url)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("drop database {name}: {e}"))?;
        Ok(())
    }
}

fn dir_size(path: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}
