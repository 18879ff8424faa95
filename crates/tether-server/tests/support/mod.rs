//! Full-stack test support: the real `tether` binary on a loopback port, with a fresh data
//! directory, its log captured so tests can search it for secrets.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

#[allow(unused_imports)]
pub use tether_testkit::{loopback_client, AuthMethod, OidcProvider};

/// A running hub.
pub struct TestHub {
    child: Option<Child>,
    pub url: String,
    pub account: String,
    pub subscription: String,
    pub key: String,
    pub data_dir: PathBuf,
    /// Keeps the temporary directory alive; `None` when the caller owns the directory.
    _temp: Option<Arc<tempfile::TempDir>>,
    logs: Arc<Mutex<String>>,
    http: reqwest::Client,
}

/// What a call answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

impl TestHub {
    /// A hub on a fresh SQLite data directory.
    pub async fn start() -> Self {
        let temp = Arc::new(tempfile::tempdir().expect("temp dir"));
        let dir = temp.path().join("data");
        let mut hub = Self::start_in(&dir, &[]).await;
        hub._temp = Some(temp);
        hub
    }

    /// A hub on `data_dir`, with extra environment.
    pub async fn start_in(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tether"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TETHER_LISTEN", "127.0.0.1:0")
            .env("TETHER_DATA_DIR", data_dir)
            .env(
                "TETHER_LOG",
                "debug,sqlx=warn,hyper=info,h2=info,reqwest=info,hyper_util=info",
            )
            .env("TETHER_LOG_FORMAT", "json")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("the tether binary starts");

        let logs = Arc::new(Mutex::new(String::new()));
        let (address_tx, mut address_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        for stream in [
            Box::new(child.stderr.take().expect("stderr"))
                as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
            Box::new(child.stdout.take().expect("stdout")),
        ] {
            let logs = logs.clone();
            let address_tx = address_tx.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Ok(event) = serde_json::from_str::<Value>(&line) {
                        if event["fields"]["message"] == "listening" {
                            let address = event["fields"]["address"].as_str().unwrap_or_default();
                            let _ = address_tx.send(address.to_owned());
                        }
                    }
                    let mut logs = logs.lock().expect("log lock");
                    logs.push_str(&line);
                    logs.push('\n');
                }
            });
        }

        let address = tokio::time::timeout(Duration::from_secs(30), address_rx.recv())
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("hub did not start; log:\n{}", logs.lock().unwrap()));
        let profile: Value = serde_json::from_slice(
            &std::fs::read(data_dir.join("admin.json")).expect("admin profile exists"),
        )
        .expect("admin profile is JSON");

        Self {
            child: Some(child),
            url: format!("http://{address}"),
            account: profile["account"].as_str().unwrap().to_owned(),
            subscription: profile["subscription"].as_str().unwrap().to_owned(),
            key: profile["key"].as_str().unwrap().to_owned(),
            data_dir: data_dir.to_owned(),
            _temp: None,
            logs,
            http: loopback_client(),
        }
    }

    /// Stops the hub with SIGTERM and waits for it; returns the temp dir to restart in.
    pub async fn stop(mut self) -> Option<Arc<tempfile::TempDir>> {
        let mut child = self.child.take().expect("running");
        if let Some(pid) = child.id() {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
        let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
            .await
            .expect("hub stops within 20 s")
            .expect("wait");
        assert!(status.success(), "hub exited with {status}");
        self._temp.take()
    }

    /// Restarts on the same data directory.
    pub async fn restart(self) -> Self {
        let dir = self.data_dir.clone();
        let temp = self.stop().await;
        let mut hub = Self::start_in(&dir, &[]).await;
        hub._temp = temp;
        hub
    }

    pub fn logs(&self) -> String {
        self.logs.lock().expect("log lock").clone()
    }

    /// The hub's process id while it runs, to read its `/proc` entries.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// `/v2/account/{a}/subscription/{s}`.
    pub fn base(&self) -> String {
        format!(
            "/v2/account/{}/subscription/{}",
            self.account, self.subscription
        )
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.call_as(&self.key.clone(), method, path, body).await
    }

    pub async fn call_as(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if !key.is_empty() {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("hub answers")).await
    }

    pub async fn raw(&self, request: reqwest::RequestBuilder) -> Answer {
        answer(request.send().await.expect("hub answers")).await
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Creates a CCF connector and an integration with one component `ccfConnector` using it.
    pub async fn create_ccf(&self, integration: &str, connector: &str, configuration: Value) {
        let answer = self
            .call(
                Method::POST,
                &format!("{}/connector/{connector}", self.base()),
                Some(json!({"data": {"handler": "ccf", "configuration": configuration}})),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let answer = self
            .call(
                Method::POST,
                &format!("{}/integration/{integration}", self.base()),
                Some(json!({"data": {"components": [
                    {"name": "ccfConnector", "entityType": "connector", "entityId": connector}
                ]}})),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }

    /// Creates a session for `tenant` with these credentials; returns the create answer.
    pub async fn create_session(
        &self,
        integration: &str,
        tenant: &str,
        client_id: &str,
        secret: &str,
    ) -> Answer {
        self.call(
            Method::POST,
            &format!("{}/integration/{integration}/session", self.base()),
            Some(json!({
                "redirectUrl": "https://app.example/done?x=1",
                "tags": {"fusebit.tenantId": tenant},
                "input": {"ccfConnector": {"client_id": client_id, "client_secret": secret}},
            })),
        )
        .await
    }

    /// Creates and commits a session headless; returns the commit answer.
    pub async fn install(
        &self,
        integration: &str,
        tenant: &str,
        client_id: &str,
        secret: &str,
    ) -> Answer {
        let created = self
            .create_session(integration, tenant, client_id, secret)
            .await;
        assert_eq!(created.status, 200, "{}", created.text);
        let sid = created.json()["id"].as_str().unwrap().to_owned();
        self.commit(integration, &sid).await
    }

    pub async fn commit(&self, integration: &str, sid: &str) -> Answer {
        self.call(
            Method::POST,
            &format!(
                "{}/integration/{integration}/session/{sid}/commit",
                self.base()
            ),
            None,
        )
        .await
    }

    /// `GET …/tenant/{tenant}/ccfConnector/token`.
    pub async fn token(&self, integration: &str, tenant: &str) -> Answer {
        self.call(Method::GET, &self.token_path(integration, tenant), None)
            .await
    }

    pub fn token_path(&self, integration: &str, tenant: &str) -> String {
        let tenant = percent_encode(tenant);
        format!(
            "{}/integration/{integration}/tenant/{tenant}/ccfConnector/token",
            self.base()
        )
    }
}

/// Percent-encodes a path segment.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    Answer {
        status,
        headers,
        text,
    }
}

/// A connector configuration pointing at the provider.
pub fn ccf_config(provider: &OidcProvider, auth_method: &str) -> Value {
    json!({ "tokenUrl": provider.token_url(), "authMethod": auth_method })
}
