//! The real `tether` binary on a loopback port with a fresh data directory, plus the admin
//! calls tests need (connector, installs, clients and keys).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tether_testkit::{loopback_client, OidcProvider};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::INTEGRATION;

/// A running hub, killed when dropped.
pub struct TestHub {
    _child: Child,
    pub url: String,
    pub account: String,
    pub subscription: String,
    /// The bootstrap (root) key.
    pub key: String,
    pub profile: PathBuf,
    logs: Arc<Mutex<String>>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// `target/debug/tether`, found once per test binary. `cargo test --workspace` has just built it
/// for tether-server's own tests; building it again here would resolve other features (no
/// dev-dependencies) and rebuild half the tree. So an up-to-date binary is used as it is, and
/// only a missing or stale one (older than a source file of the crates it is made of) is built.
fn hub_binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace.join("target"));
        let binary = target.join("debug").join("tether");
        if is_fresh(&binary, &workspace) {
            return binary;
        }

        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "tether-server", "--bin", "tether", "--quiet"])
            .current_dir(&workspace)
            .status()
            .expect("cargo runs to build the hub");
        assert!(status.success(), "building the hub binary failed: {status}");
        assert!(binary.exists(), "no hub binary at {}", binary.display());
        binary
    })
}

/// Whether `binary` exists and is newer than every file of the crates the hub is built from.
fn is_fresh(binary: &Path, workspace: &Path) -> bool {
    let Ok(built) = std::fs::metadata(binary).and_then(|m| m.modified()) else {
        return false;
    };
    let crates = [
        "tether-server",
        "tether-store",
        "tether-domain",
        "tether-oauth",
    ];
    let mut pending: Vec<PathBuf> = crates
        .iter()
        .map(|c| workspace.join("crates").join(c))
        .collect();
    pending.push(workspace.join("Cargo.lock"));
    while let Some(path) = pending.pop() {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if path.ends_with("tests") {
                continue;
            }
            let entries = std::fs::read_dir(&path).into_iter().flatten().flatten();
            pending.extend(entries.map(|e| e.path()));
        } else if meta.modified().is_ok_and(|changed| changed > built) {
            return false;
        }
    }
    true
}

impl TestHub {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("data");
        let binary = tokio::task::spawn_blocking(hub_binary)
            .await
            .expect("hub build task");

        let mut child = Command::new(binary)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TETHER_LISTEN", "127.0.0.1:0")
            .env("TETHER_DATA_DIR", &data_dir)
            .env("TETHER_LOG", "info,sqlx=warn")
            .env("TETHER_LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the hub binary starts");

        let logs = Arc::new(Mutex::new(String::new()));
        let (address_tx, mut address_rx) = tokio::sync::mpsc::unbounded_channel();
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        for stream in [
            Box::new(stdout) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
            Box::new(stderr),
        ] {
            let (logs, address_tx) = (logs.clone(), address_tx.clone());
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let event: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                    if event["fields"]["message"] == "listening" {
                        let address = event["fields"]["address"].as_str().unwrap_or_default();
                        let _ = address_tx.send(address.to_owned());
                    }
                    logs.lock().unwrap().push_str(&format!("{line}\n"));
                }
            });
        }

        let address = tokio::time::timeout(Duration::from_secs(30), address_rx.recv())
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("hub did not start:\n{}", logs.lock().unwrap()));
        let profile_path = data_dir.join("admin.json");
        let profile: Value =
            serde_json::from_slice(&std::fs::read(&profile_path).expect("admin.json")).unwrap();

        Self {
            _child: child,
            url: format!("http://{address}"),
            account: profile["account"].as_str().unwrap().to_owned(),
            subscription: profile["subscription"].as_str().unwrap().to_owned(),
            key: profile["key"].as_str().unwrap().to_owned(),
            profile: profile_path,
            logs,
            http: loopback_client(),
            _dir: dir,
        }
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    pub fn base(&self) -> String {
        format!(
            "/v2/account/{}/subscription/{}",
            self.account, self.subscription
        )
    }

    /// `/account/A/subscription/S/integration/crm/`, the integration's resource.
    pub fn integration_resource(&self) -> String {
        format!(
            "/account/{}/subscription/{}/integration/{INTEGRATION}/",
            self.account, self.subscription
        )
    }

    /// Calls the hub with the root key; panics unless the status is `expected`.
    pub async fn admin(&self, method: Method, path: &str, body: Value, expected: u16) -> Value {
        let request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.key)
            .json(&body);
        let response = request.send().await.expect("hub answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert_eq!(
            status,
            StatusCode::from_u16(expected).unwrap(),
            "{path}: {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A CCF connector on `provider` and the integration `crm` using it as `ccfConnector`.
    pub async fn create_integration(&self, provider: &OidcProvider) {
        let connector = json!({"data": {"handler": "ccf", "configuration": {
            "tokenUrl": provider.token_url(),
        }}});
        self.admin(
            Method::POST,
            &format!("{}/connector/ccf", self.base()),
            connector,
            200,
        )
        .await;
        let integration = json!({"data": {"components": [
            {"name": "ccfConnector", "entityType": "connector", "entityId": "ccf"}
        ]}});
        let path = format!("{}/integration/{INTEGRATION}", self.base());
        self.admin(Method::POST, &path, integration, 200).await;
    }

    /// Installs `tenant` with these client credentials, headless (create and commit).
    pub async fn install(&self, tenant: &str, client_id: &str, secret: &str) {
        let path = format!("{}/integration/{INTEGRATION}/session", self.base());
        let session = json!({
            "redirectUrl": "https://app.example/done",
            "tags": {"fusebit.tenantId": tenant},
            "input": {"ccfConnector": {"client_id": client_id, "client_secret": secret}},
        });
        let created = self.admin(Method::POST, &path, session, 200).await;
        let sid = created["id"].as_str().unwrap();
        self.admin(
            Method::POST,
            &format!("{path}/{sid}/commit"),
            json!({}),
            202,
        )
        .await;
    }

    /// A client allowed `grants` (`(action, resource)`) and one key for it: `(client, key id,
    /// key)`.
    pub async fn client_with_key(&self, grants: &[(&str, &str)]) -> (String, String, String) {
        let allow: Vec<Value> = grants
            .iter()
            .map(|(action, resource)| json!({"action": action, "resource": resource}))
            .collect();
        let client = self
            .admin(
                Method::POST,
                &format!("/v1/account/{}/client", self.account),
                json!({"displayName": "backend", "access": {"allow": allow}}),
                200,
            )
            .await;
        let client_id = client["id"].as_str().unwrap().to_owned();
        let path = format!("/v1/account/{}/client/{client_id}/key", self.account);
        let key = self.admin(Method::POST, &path, json!({}), 200).await;

        (
            client_id,
            key["id"].as_str().unwrap().to_owned(),
            key["token"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn revoke_key(&self, client_id: &str, key_id: &str) {
        let path = format!(
            "/v1/account/{}/client/{client_id}/key/{key_id}",
            self.account
        );
        let response = self
            .http
            .delete(format!("{}{path}", self.url))
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("hub answers");
        assert_eq!(response.status(), 204);
    }
}
