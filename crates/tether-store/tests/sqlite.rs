//! The storage suite on SQLite, each case on a fresh database file; plus what only a file shows.

#[macro_use]
mod suite;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tether_store::{EntityKind, SqliteStore, Store};

use suite::fixtures::{connector, id, sub};

async fn fresh<F>(case: F)
where
    F: FnOnce(Arc<dyn Store>) -> Pin<Box<dyn Future<Output = ()> + Send>>,
{
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("tether.db"))
        .await
        .unwrap();

    case(Arc::new(store)).await;
}

storage_suite!(fresh);

#[tokio::test]
async fn data_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tether.db");
    let sub = sub();
    let store = SqliteStore::open(&path).await.unwrap();
    store.create_entity(&sub, &connector("kept")).await.unwrap();
    store.close().await;
    drop(store);

    let reopened = SqliteStore::open(&path).await.unwrap();
    let read = reopened
        .get_entity(&sub, EntityKind::Connector, &id("kept"))
        .await
        .unwrap();

    assert_eq!(read, connector("kept"));
}
