//! The real `tether` binary as a child process: start-up time to `/readyz` answering 200, and
//! its resident memory from `/proc/<pid>/status`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::conn::Conn;

/// How long start-up may take before the bench gives up.
const START_LIMIT: Duration = Duration::from_secs(60);

/// The release binary next to this workspace's target directory.
pub(crate) fn default_binary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/tether")
}

pub(crate) struct ChildHub {
    child: Child,
    pub(crate) address: SocketAddr,
    pub(crate) ready_after: Duration,
}

impl ChildHub {
    /// Spawns `binary serve` on `data_dir` and waits until `/readyz` answers 200.
    pub(crate) async fn start(
        binary: &Path,
        data_dir: &Path,
        database_url: Option<&str>,
    ) -> Result<Self, String> {
        if !binary.exists() {
            return Err(format!(
                "{} not found: build it with `cargo build --release -p tether-server --bin tether`",
                binary.display()
            ));
        }
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .env_clear()
            .env("TETHER_LISTEN", "127.0.0.1:0")
            .env("TETHER_DATA_DIR", data_dir)
            .env("TETHER_LOG", "info")
            .env("TETHER_LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(url) = database_url {
            command.env("TETHER_DATABASE_URL", url);
        }

        let started = Instant::now();
        let mut child = command.spawn().map_err(|e| format!("spawn: {e}"))?;
        let address = tokio::time::timeout(START_LIMIT, listening_address(&mut child))
            .await
            .map_err(|_| "the hub did not log its address in time".to_owned())??;
        let deadline = started + START_LIMIT;
        loop {
            if Instant::now() > deadline {
                return Err("/readyz did not answer 200 in time".into());
            }
            if let Ok(mut conn) = Conn::open(address, "").await {
                if matches!(conn.get("/readyz").await, Ok((200, _))) {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Ok(Self {
            child,
            address,
            ready_after: started.elapsed(),
        })
    }

    /// `(VmRSS, VmHWM)` in bytes.
    pub(crate) fn memory(&self) -> Result<(u64, u64), String> {
        let pid = self.child.id().ok_or("the hub has exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
                .map(|kb| kb * 1024)
                .ok_or_else(|| format!("no {name} in /proc/{pid}/status"))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// SIGTERM, then waits (bounded); kills it if it does not stop.
    pub(crate) async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
        if tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// Reads the child's log (stderr) until its `listening` line; keeps draining the log afterwards.
async fn listening_address(child: &mut Child) -> Result<SocketAddr, String> {
    let stderr = child.stderr.take().ok_or("no stderr")?;
    if let Some(stdout) = child.stdout.take() {
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(_)) = lines.next_line().await {}
        });
    }
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(event) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if event["fields"]["message"] == "listening" {
            let address = event["fields"]["address"]
                .as_str()
                .and_then(|a| a.parse().ok())
                .ok_or("the listening line has no address")?;
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok(address);
        }
    }
    Err("the hub exited before listening".into())
}
