//! A cluster for tests: a fresh `tether_test_<random>` PostgreSQL database and three `tether
//! serve` processes on it, sharing the master key and the bootstrap key, each with its own data
//! directory. The database is dropped when the cluster is (best effort).

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use rand::RngCore;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::{Connection, Executor, PgConnection};

use crate::support::TestHub;

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The number of instances every cluster test runs.
pub(crate) const INSTANCES: usize = 3;

/// Three hubs on one database. A slot is `None` while its instance is down.
pub(crate) struct Cluster {
    pub(crate) hubs: Vec<Option<TestHub>>,
    env: Vec<(&'static str, String)>,
    dirs: Vec<PathBuf>,
    _temp: tempfile::TempDir,
    database: TestDatabase,
}

impl Cluster {
    /// Starts the first instance (it bootstraps the empty database), then the others together.
    pub(crate) async fn start() -> Self {
        let database = TestDatabase::create().await;
        let temp = tempfile::tempdir().expect("temp dir");
        let dirs: Vec<PathBuf> = (1..=INSTANCES)
            .map(|n| temp.path().join(format!("instance-{n}")))
            .collect();
        let env = vec![
            ("TETHER_DATABASE_URL", database.url.clone()),
            ("TETHER_MASTER_KEY", random_base64(32)),
            ("TETHER_BOOTSTRAP_KEY", random_base64(33)),
            (
                "TETHER_LOG",
                "info,sqlx=warn,hyper=info,reqwest=info".to_owned(),
            ),
        ];
        let mut cluster = Self {
            hubs: Vec::new(),
            env,
            dirs,
            _temp: temp,
            database,
        };

        let first = cluster.launch(0).await;
        let profile = first.data_dir.join("admin.json");
        // Only the bootstrapping instance writes an admin profile; the test harness reads one
        // from every data directory, so the others get a copy.
        for dir in &cluster.dirs[1..] {
            std::fs::create_dir_all(dir).expect("data dir");
            std::fs::copy(&profile, dir.join("admin.json")).expect("copy the admin profile");
        }
        let others = futures::future::join_all((1..INSTANCES).map(|n| cluster.launch(n))).await;
        cluster.hubs.push(Some(first));
        cluster.hubs.extend(others.into_iter().map(Some));
        cluster
    }

    async fn launch(&self, n: usize) -> TestHub {
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        TestHub::start_in(&self.dirs[n], &env).await
    }

    /// Instance `n` (from 0), which must be up.
    pub(crate) fn hub(&self, n: usize) -> &TestHub {
        self.hubs[n].as_ref().expect("instance is up")
    }

    /// Kills instance `n` with SIGKILL, as a crash would, and waits until it is gone.
    pub(crate) async fn kill(&mut self, n: usize) {
        let hub = self.hubs[n].take().expect("instance is up");
        let pid = hub.pid().expect("running");
        let status = std::process::Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .status()
            .expect("kill runs");
        assert!(status.success());
        let url = hub.url.clone();
        drop(hub);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(url.trim_start_matches("http://"))
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("instance {n} still answers after SIGKILL");
    }

    /// Stops instance `n` with SIGTERM (in-flight requests finish), leaving its slot empty.
    pub(crate) async fn stop(&mut self, n: usize) {
        let hub = self.hubs[n].take().expect("instance is up");
        hub.stop().await;
    }

    /// Starts instance `n` again on its data directory (on a new port).
    pub(crate) async fn restart(&mut self, n: usize) {
        assert!(self.hubs[n].is_none(), "instance {n} is still up");
        let hub = self.launch(n).await;
        self.hubs[n] = Some(hub);
    }

    /// Counts rows of `table` straight from the database.
    pub(crate) async fn count(&self, table: &str) -> i64 {
        let mut conn = PgConnection::connect(&self.database.url)
            .await
            .expect("database reachable");
        let (count,): (i64,) = sqlx::query_as(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&mut conn)
            .await
            .expect("count");
        count
    }
}

/// Calls the API of a hub without panicking when it is unreachable (an instance restarting).
pub(crate) async fn try_call(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Option<(StatusCode, Value)> {
    let mut request = http
        .request(method, format!("{url}{path}"))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.ok()?;
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Some((status, body))
}

fn random_base64(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    base64::engine::general_purpose::STANDARD.encode(buffer)
}

/// A fresh database on the test server, dropped with `WITH (FORCE)` when this is dropped.
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create() -> Self {
        let admin_url = std::env::var("TETHER_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
        let mut bytes = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let name = format!("tether_test_{}", hex::encode(bytes));
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL must be reachable at {admin_url}: {e}"));
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create the test database");

        let (server, _) = admin_url
            .split('?')
            .next()
            .and_then(|base| base.rsplit_once('/'))
            .expect("a postgres:// URL");
        let url = format!("{server}/{name}");
        Self {
            admin_url,
            name,
            url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Best effort, on a thread of its own: this may run while a test runtime unwinds.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                admin.execute(statement.as_str()).await.ok()
            })
        });
        let _ = dropped.join();
    }
}
