//! The process: health endpoints, settings, bootstrap key, encryption at rest and private
//! files, shutdown.

mod support;

use reqwest::Method;
use support::{ccf_config, AuthMethod, OidcProvider, TestHub};

/// A hub with tenant `acme` installed through a real exchange, its client holding `secret`.
async fn installed_with(secret: &str) -> (OidcProvider, TestHub) {
    let provider = OidcProvider::start().await;
    let hub = TestHub::start().await;
    provider
        .add_client("acme", secret, AuthMethod::ClientSecretBasic)
        .await;
    hub.create_ccf("crm", "ccf", ccf_config(&provider, "client_secret_basic"))
        .await;
    hub.install("crm", "acme", "acme", secret).await;
    (provider, hub)
}

/// Runs `tether serve` on `data_dir` with `env` until it exits: its exit code and standard error.
async fn serve_until_exit(
    data_dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (Option<i32>, String) {
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_tether"))
        .arg("serve")
        .env("TETHER_DATA_DIR", data_dir)
        .env("TETHER_LISTEN", "127.0.0.1:0")
        .envs(env.iter().copied())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(30), run)
        .await
        .expect("the hub refused to start within 30 s")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

#[tokio::test]
async fn health_readiness_and_metrics_answer_without_a_key() {
    let hub = TestHub::start().await;

    let health = hub.call_as("", Method::GET, "/healthz", None).await;
    let ready = hub.call_as("", Method::GET, "/readyz", None).await;
    let metrics = hub.call_as("", Method::GET, "/metrics", None).await;

    assert_eq!(health.status, 200);
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "ready");
    assert!(metrics
        .text
        .contains("tether_http_requests_total{class=\"2xx\"}"));
}

#[tokio::test]
async fn a_preset_bootstrap_key_becomes_the_root_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = "tth_preset-bootstrap-key-for-this-test-0123456789";

    let hub = TestHub::start_in(&dir.path().join("data"), &[("TETHER_BOOTSTRAP_KEY", key)]).await;
    let me = hub
        .call_as(
            key,
            Method::GET,
            &format!("/v1/account/{}/me", hub.account),
            None,
        )
        .await;

    assert_eq!(hub.key, key);
    assert_eq!(me.status, 200, "{}", me.text);
    assert!(!hub.logs().contains(key));
}

#[tokio::test]
async fn invalid_settings_stop_the_process_with_a_message_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();

    let (code, stderr) =
        serve_until_exit(dir.path(), &[("TETHER_BOOTSTRAP_KEY", "too-short")]).await;

    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("TETHER_BOOTSTRAP_KEY"), "{stderr}");
    assert!(!stderr.contains("too-short"), "the value is not echoed");
}

#[tokio::test]
async fn an_invalid_log_filter_stops_the_process_naming_tether_log() {
    let dir = tempfile::tempdir().unwrap();

    let (code, stderr) = serve_until_exit(dir.path(), &[("TETHER_LOG", "notalevel[")]).await;

    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("TETHER_LOG"), "{stderr}");
}

#[tokio::test]
async fn secrets_and_tokens_are_encrypted_in_the_database_file() {
    let secret = "plaintext-client-secret-4711";
    let (_provider, hub) = installed_with(secret).await;
    let token = hub.token("crm", "acme").await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut modes = Vec::new();
    for entry in std::fs::read_dir(&hub.data_dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&entry.metadata().unwrap().permissions());
        modes.push((name, mode & 0o777));
    }
    let data_dir = hub.data_dir.clone();
    let _temp = hub.stop().await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&data_dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("tether.db")
        {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }

    assert!(bytes.len() > 4096, "the database was read");
    assert!(
        modes.iter().any(|(name, _)| name == "tether.db-wal"),
        "{modes:?}"
    );
    for (name, mode) in &modes {
        assert_eq!(mode & 0o077, 0, "{name} is private: {modes:?}");
    }
    assert!(
        bytes.windows(4).any(|w| w == b"acme"),
        "plain data is there to find"
    );
    for needle in [secret.as_bytes(), token.as_bytes()] {
        let found = bytes.windows(needle.len()).any(|w| w == needle);
        assert!(!found, "a secret is stored in plaintext");
    }
}

#[tokio::test]
async fn sigterm_stops_the_hub_cleanly_and_a_restart_keeps_the_keys() {
    let hub = TestHub::start().await;
    let key = hub.key.clone();
    let account = hub.account.clone();

    let hub = hub.restart().await;
    let me = hub
        .call_as(
            &key,
            Method::GET,
            &format!("/v1/account/{account}/me"),
            None,
        )
        .await;

    assert_eq!(hub.account, account, "no second bootstrap");
    assert_eq!(me.status, 200);
}

#[tokio::test]
async fn a_restart_points_a_stale_admin_profile_at_the_url_it_serves_on() {
    let hub = TestHub::start().await;
    let path = hub.data_dir.join("admin.json");
    let read = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).expect("admin.json")).expect("JSON")
    };
    let mut stale = read(&path);
    stale["baseUrl"] = serde_json::json!("http://127.0.0.1:1");
    std::fs::write(&path, serde_json::to_vec(&stale).unwrap()).unwrap();

    let hub = hub.restart().await;
    let profile = read(&path);
    let mode = std::fs::metadata(&path).expect("metadata").permissions();

    assert_eq!(profile["baseUrl"], hub.url.trim_end_matches('/'));
    assert_eq!(profile["key"], hub.key.as_str(), "the key is kept");
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
}

#[tokio::test]
async fn a_master_key_that_cannot_open_the_stored_secrets_stops_the_start() {
    let secret = "client-secret-sealed-under-the-first-key";
    let (_provider, hub) = installed_with(secret).await;
    let data_dir = hub.data_dir.clone();
    let _temp = hub.stop().await;
    let other_key = "q6Ii6gC5Cz8mO0n3mG3VnOZp1r0rS2b9n0m3Yk4uK1A=";
    let other_key_file = data_dir.join("other.key");
    std::fs::write(&other_key_file, other_key).unwrap();

    let key_file = other_key_file.to_str().unwrap();
    let (code, stderr) = serve_until_exit(&data_dir, &[("TETHER_MASTER_KEY_FILE", key_file)]).await;

    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("master keys cannot open"), "{stderr}");
    assert!(
        stderr.contains("not configured"),
        "names the cause: {stderr}"
    );
    assert!(!stderr.contains(secret) && !stderr.contains(other_key));

    std::fs::remove_file(data_dir.join("master.key")).unwrap();
    let (without_key, _) = serve_until_exit(&data_dir, &[]).await;
    assert_eq!(without_key, Some(2), "a lost key file is not replaced");
    assert!(
        !data_dir.join("master.key").exists(),
        "the refused start left no new key behind"
    );
}

#[tokio::test]
async fn a_database_file_open_to_others_is_narrowed_at_start() {
    use std::os::unix::fs::PermissionsExt;

    let hub = TestHub::start().await;
    let dir = hub.data_dir.clone();
    let _temp = hub.stop().await;
    let db = dir.join("tether.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();

    let hub = TestHub::start_in(&dir, &[]).await;
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    let ready = hub.call_as("", Method::GET, "/readyz", None).await;

    assert_eq!(mode, 0o600);
    assert_eq!(ready.status, 200);
}
