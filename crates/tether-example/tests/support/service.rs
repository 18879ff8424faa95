//! The example service binary (`tether-example`), configured like an operator would.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tether_testkit::loopback_client;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{encode, TestHub, INTEGRATION};

/// How to configure the service beyond the hub's admin profile.
#[derive(Default)]
pub struct ServiceEnv {
    /// `TETHER_URL`, overriding the profile's (to put a proxy in between).
    pub hub_url: Option<String>,
    pub tenant_api_url: String,
    /// `TENANT_API_URLS` entries.
    pub tenant_apis: Vec<(String, String)>,
    pub caller_cache_seconds: Option<u64>,
}

/// A running example service, killed when dropped.
pub struct Service {
    _child: Child,
    pub url: String,
    logs: Arc<Mutex<String>>,
    http: reqwest::Client,
}

/// What the route answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

impl Service {
    /// Starts the service against `hub`: its settings come from the hub's admin profile
    /// (`TETHER_PROFILE`), so the service uses the root key for its own hub calls.
    pub async fn start(hub: &TestHub, env: ServiceEnv) -> Self {
        let tenant_apis: serde_json::Map<String, Value> = env
            .tenant_apis
            .into_iter()
            .map(|(tenant, url)| (tenant, Value::String(url)))
            .collect();
        let mut command = Command::new(env!("CARGO_BIN_EXE_tether-example"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TETHER_PROFILE", &hub.profile)
            .env("INTEGRATION_ID", INTEGRATION)
            .env("TENANT_API_URL", env.tenant_api_url)
            .env("TENANT_API_URLS", Value::Object(tenant_apis).to_string())
            .env("LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(url) = env.hub_url {
            command.env("TETHER_URL", url);
        }
        if let Some(seconds) = env.caller_cache_seconds {
            command.env("CALLER_CACHE_SECONDS", seconds.to_string());
        }
        let mut child = command.spawn().expect("the example service starts");

        let logs = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let kept = logs.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                kept.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let line = tokio::time::timeout(Duration::from_secs(20), stdout.next_line())
            .await
            .ok()
            .and_then(|line| line.ok().flatten())
            .unwrap_or_else(|| panic!("service did not start:\n{}", logs.lock().unwrap()));
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_owned();

        Self {
            _child: child,
            url,
            logs,
            http: loopback_client(),
        }
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// `GET /api/tenant/{tenant}/test` with `key` as bearer (none when empty).
    pub async fn test_route(&self, tenant: &str, key: &str) -> Answer {
        let url = format!("{}/api/tenant/{}/test", self.url, encode(tenant));
        let mut request = self.http.get(url);
        if !key.is_empty() {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("service answers");

        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap_or_default(),
        }
    }
}
