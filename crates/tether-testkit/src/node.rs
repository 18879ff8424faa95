//! Runs one fixture script under Node: spawn, wait for its `READY <port>` line, keep its stderr
//! for failure messages, and kill it when dropped.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use crate::fixtures::{ensure_node_modules, fixtures_dir};

// Node needs about 0.6 s here; one CI run saw a single start stall past 20 s with the machine
// otherwise idle, so the bound is generous. A script that fails exits and is reported at once.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const STDERR_KEPT_BYTES: usize = 16 * 1024;

/// A running fixture; the process is killed when this is dropped.
#[derive(Debug)]
pub(crate) struct NodeProcess {
    port: u16,
    stderr: Arc<Mutex<String>>,
    _child: Child,
}

impl NodeProcess {
    pub(crate) async fn start(script: &str, env: &[(&str, String)]) -> Self {
        ensure_node_modules();

        let mut command = Command::new("node");
        command
            .arg(script)
            .current_dir(fixtures_dir())
            .env("PORT", "0")
            .env_remove("LOG_REQUESTS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap_or_else(|err| {
            panic!("cannot start `node {script}` (Node.js 20+ needed): {err}")
        });

        let stderr = Arc::new(Mutex::new(String::new()));
        tokio::spawn(keep_tail(
            child.stderr.take().expect("stderr is piped"),
            stderr.clone(),
        ));
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();

        let ready = tokio::time::timeout(READY_TIMEOUT, stdout.next_line()).await;
        let port = match ready {
            Ok(Ok(Some(line))) => parse_ready(&line),
            Ok(Ok(None)) | Ok(Err(_)) => None,
            Err(_) => {
                let stderr = stderr.lock().expect("stderr buffer").clone();
                panic!(
                    "`node {script}` did not print READY within {READY_TIMEOUT:?}; \
                     stderr:\n{stderr}"
                )
            }
        };
        let Some(port) = port else {
            // Give the exiting process a moment so its stderr is complete.
            tokio::time::sleep(Duration::from_millis(200)).await;
            let status = child.try_wait().ok().flatten();
            let stderr = stderr.lock().expect("stderr buffer").clone();
            panic!("`node {script}` failed to start (exit: {status:?}); stderr:\n{stderr}");
        };
        tokio::spawn(async move { while let Ok(Some(_)) = stdout.next_line().await {} });

        Self {
            port,
            stderr,
            _child: child,
        }
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What the process wrote to stderr so far (the last 16 KiB).
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr buffer").clone()
    }
}

fn parse_ready(line: &str) -> Option<u16> {
    line.strip_prefix("READY ")?.trim().parse().ok()
}

async fn keep_tail(stream: impl AsyncRead + Unpin, buffer: Arc<Mutex<String>>) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut buffer = buffer.lock().expect("stderr buffer");
        buffer.push_str(&line);
        buffer.push('\n');
        if buffer.len() > STDERR_KEPT_BYTES {
            let mut cut = buffer.len() - STDERR_KEPT_BYTES;
            while !buffer.is_char_boundary(cut) {
                cut += 1;
            }
            buffer.drain(..cut);
        }
    }
}

/// An HTTP client for talking to fixtures: proxies from the environment are ignored (the
/// fixtures are on loopback), redirects are not followed, and requests time out after 10 s.
pub fn loopback_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("build the fixture HTTP client")
}

/// Sends an admin request and panics with the fixture's answer unless it succeeded.
pub(crate) async fn admin_call(request: reqwest::RequestBuilder, what: &str) -> reqwest::Response {
    let response = request
        .send()
        .await
        .unwrap_or_else(|err| panic!("{what}: request failed: {err}"));
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        panic!("{what}: fixture answered {status}: {body}");
    }
    response
}
