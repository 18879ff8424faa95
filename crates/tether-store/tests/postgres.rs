//! The storage suite on PostgreSQL, each case in a fresh `tether_test_<random>` database.
//!
//! The server is `postgres://postgres@127.0.0.1:5432/postgres` unless `TETHER_TEST_POSTGRES_URL`
//! names another. An unreachable server fails these tests: CI provides one.

#[macro_use]
mod suite;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use rand::RngCore;
use sqlx::{Connection, Executor, PgConnection};
use tether_store::{PostgresStore, Store};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn admin_url() -> String {
    std::env::var("TETHER_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// The admin URL with its database name replaced.
fn database_url(admin: &str, database: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin, String::new()),
    };
    let (server, _) = base.rsplit_once('/').expect("a postgres:// URL");
    format!("{server}/{database}{query}")
}

async fn fresh<F>(case: F)
where
    F: FnOnce(Arc<dyn Store>) -> Pin<Box<dyn Future<Output = ()> + Send>>,
{
    let admin_url = admin_url();
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL must be reachable at {admin_url}: {e}"));
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let name = format!("tether_test_{}", hex::encode(bytes));
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();

    let store = Arc::new(
        PostgresStore::connect(&database_url(&admin_url, &name))
            .await
            .unwrap(),
    );
    let outcome = tokio::spawn(case(store.clone())).await;
    store.close().await;
    drop(store);

    // Best effort: a database left behind by a crash is named `tether_test_*` and harmless.
    let _ = admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

storage_suite!(fresh);
